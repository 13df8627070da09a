//! Scores from CSV text: `index,score` (with or without a header), one score per line, or a named column
//! of a wider table (such as our own export). Fields follow RFC 4180 quoting.

/// Splits CSV text into records (with the 1-based line each starts on), honouring quoted fields.
fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let mut out = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut line, mut start_line) = (1, 1);
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (false, '"') if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut record)));
                line += 1;
                start_line = line;
            }
            (false, '\r') => {}
            (_, c) => {
                if c == '\n' {
                    line += 1;
                }
                field.push(c);
            }
        }
    }
    if quoted {
        return Err(format!("line {start_line}: a quoted field is never closed"));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start_line, record));
    }
    out.retain(|(_, r)| !(r.len() == 1 && r[0].trim().is_empty()));
    Ok(out)
}

/// A score cell: a number, or empty / `nan` for a missing score.
fn score(cell: &str) -> Option<f64> {
    let cell = cell.trim();
    if cell.is_empty() {
        Some(f64::NAN)
    } else {
        cell.parse().ok()
    }
}

/// The score of each of `n` examples (NaN where the file has none); `field` names the score column.
pub(super) fn read_csv_scores(text: &str, n: usize, field: Option<&str>) -> Result<Vec<f64>, String> {
    let mut recs = records(text)?;
    if recs.is_empty() {
        return Err("the file holds no scores".into());
    }
    let has_header = recs[0].1.iter().any(|c| score(c).is_none());
    let header: Option<Vec<String>> =
        has_header.then(|| recs.remove(0).1.into_iter().map(|h| h.trim().to_string()).collect());
    let width = header.as_ref().map_or(recs.first().map_or(1, |r| r.1.len()), Vec::len);
    let find = |name: &str| header.as_ref().and_then(|h| h.iter().position(|c| c.eq_ignore_ascii_case(name)));
    let index_col = match &header {
        Some(_) => find("index"),
        None if width == 2 => Some(0),
        None => None,
    };
    let score_col = match (field, &header) {
        (Some(f), Some(h)) => {
            find(f).ok_or_else(|| format!("no column '{f}' (columns: {})", h.join(", ")))?
        }
        (Some(f), None) => return Err(format!("--field {f}: the file has no header row to name columns")),
        (None, _) if width == 1 => 0,
        (None, _) if width == 2 && index_col.is_some() => 1 - index_col.unwrap_or(0),
        (None, Some(h)) => find("score").or_else(|| find("scores")).ok_or_else(|| {
            format!("which column holds the scores? (columns: {}); pass --field NAME", h.join(", "))
        })?,
        (None, None) => {
            return Err(format!("{width} columns and no header; expected index,score or one score per line"))
        }
    };
    let mut out = vec![f64::NAN; if index_col.is_some() { n } else { 0 }];
    let mut seen = vec![false; out.len()];
    for (line, rec) in recs {
        let cell = |c: usize| rec.get(c).map(String::as_str).unwrap_or("");
        let value = score(cell(score_col))
            .ok_or_else(|| format!("line {line}: '{}' is not a number", cell(score_col).trim()))?;
        let Some(ic) = index_col else {
            out.push(value);
            continue;
        };
        let raw = cell(ic).trim();
        let i: usize = raw.parse().map_err(|_| format!("line {line}: '{raw}' is not an example index"))?;
        if i >= n {
            return Err(format!("line {line}: index {i} is out of range (the dataset has {n} examples)"));
        }
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("line {line}: index {i} appears twice"));
        }
        out[i] = value;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn layouts() {
        assert_eq!(read_csv_scores("index,score\n2,0.5\n0,1\n", 3, None).unwrap()[..1], [1.0]);
        let v = read_csv_scores("index,score\n2,0.5\n0,1\n", 3, None).unwrap();
        assert!(v[1].is_nan() && v[2] == 0.5);
        assert_eq!(read_csv_scores("0.1\n0.2\r\n\n0.3\n", 3, None).unwrap(), [0.1, 0.2, 0.3]);
        assert_eq!(read_csv_scores("1,0.2\n0,0.1", 2, None).unwrap(), [0.1, 0.2]);
        let wide = "index,label,note,cscore\n0,1,\"a,\nb\",0.25\n1,0,,\n";
        let v = read_csv_scores(wide, 2, Some("cscore")).unwrap();
        assert!(v[0] == 0.25 && v[1].is_nan());
    }

    #[test]
    fn errors() {
        let e = |t: &str, n, f| read_csv_scores(t, n, f).unwrap_err();
        assert!(e("index,score\n5,0.1\n", 3, None).contains("line 2: index 5 is out of range"));
        assert!(e("index,score\n1,0.1\n1,0.2\n", 3, None).contains("line 3: index 1 appears twice"));
        assert!(e("a,b,c\n1,2,3\n", 1, None).contains("pass --field"));
        assert!(e("index,x\n0,abc\n", 1, None).contains("'abc' is not a number"));
        assert!(e("a,b\n", 1, Some("z")).contains("no column 'z'"));
        assert!(e("\"0.1\n", 1, None).contains("never closed"));
        assert!(e("", 1, None).contains("no scores"));
    }
}
