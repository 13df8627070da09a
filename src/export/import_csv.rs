//! Scores from CSV text: `index,score` (with or without a header), one score per line, or a named column
//! of a wider table (such as our own export). Records come from the `csv` crate (RFC 4180 quoting, CRLF or
//! LF line ends); a UTF-8 byte-order mark is skipped.

/// Splits CSV text into records (with the 1-based line each starts on), skipping blank lines.
pub(super) fn records(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    // Lines are counted from the bytes: after a CRLF line end (Python's csv module writes them) the csv
    // crate puts a record's start on the LF before it, blank lines between, and its line count is short.
    let bytes = text.as_bytes();
    let (mut last_line, mut last_byte) = (1, 0);
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string().replace(char::is_control, " "))?;
        if let Some(p) = record.position() {
            let mut start = (p.byte() as usize).clamp(last_byte, text.len());
            while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
                start += 1;
            }
            last_line += bytes[last_byte..start].iter().filter(|&&b| b == b'\n').count();
            last_byte = start;
        }
        let fields: Vec<String> = record.iter().map(str::to_string).collect();
        if !(fields.len() == 1 && fields[0].trim().is_empty()) {
            out.push((last_line, fields));
        }
    }
    if text.get(last_byte..).is_some_and(ends_inside_quotes) {
        return Err(format!("line {last_line}: a quoted field is never closed"));
    }
    Ok(out)
}

/// Whether the last record (`tail`, from its first byte) ends inside a quoted field: the `csv` crate
/// takes such a field to the end of the file without a word, where a truncated file is the likely cause.
fn ends_inside_quotes(tail: &str) -> bool {
    let (mut quoted, mut field_start) = (false, true);
    let mut chars = tail.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field_start => quoted = true,
            _ => {}
        }
        field_start = !quoted && matches!(c, ',' | '\n' | '\r');
    }
    quoted
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

/// `text` as it can be shown in a one-line message: control characters escaped, at most 40 characters.
fn shown(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    match out.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &out[..cut]),
        None => out,
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
    let columns = || header.iter().flatten().map(|c| shown(c)).collect::<Vec<_>>().join(", ");
    let width = header.as_ref().map_or(recs.first().map_or(1, |r| r.1.len()), Vec::len);
    let find = |name: &str| header.as_ref().and_then(|h| h.iter().position(|c| c.eq_ignore_ascii_case(name)));
    let index_col = match &header {
        Some(_) => find("index"),
        None if width == 2 => Some(0),
        None => None,
    };
    let score_col = match (field, &header) {
        (Some(f), Some(_)) => {
            find(f).ok_or_else(|| format!("no column '{}' (columns: {})", shown(f), columns()))?
        }
        (Some(f), None) => {
            return Err(format!("--field {}: the file has no header row to name columns", shown(f)))
        }
        (None, _) if width == 1 => 0,
        (None, _) if width == 2 && index_col.is_some() => 1 - index_col.unwrap_or(0),
        (None, Some(_)) => find("score").or_else(|| find("scores")).ok_or_else(|| {
            format!("which column holds the scores? (columns: {}); pass --field NAME", columns())
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
            .ok_or_else(|| format!("line {line}: '{}' is not a number", shown(cell(score_col))))?;
        let Some(ic) = index_col else {
            out.push(value);
            continue;
        };
        let raw = cell(ic).trim();
        let i: usize =
            raw.parse().map_err(|_| format!("line {line}: '{}' is not an example index", shown(raw)))?;
        place(&mut out, &mut seen, i, line, value)?;
    }
    Ok(out)
}

/// Puts the score of example `i` (read on line `line`) in `out`, unless `i` is out of range or was given
/// before (`seen`).
pub(super) fn place(
    out: &mut [f64],
    seen: &mut [bool],
    i: usize,
    line: usize,
    value: f64,
) -> Result<(), String> {
    let n = out.len();
    if i >= n {
        return Err(format!("line {line}: index {i} is out of range (the dataset has {n} examples)"));
    }
    if std::mem::replace(&mut seen[i], true) {
        return Err(format!("line {line}: index {i} appears twice"));
    }
    out[i] = value;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn records_are_numbered_by_their_line_with_any_line_end() {
        let lines = |text: &str| records(text).unwrap().into_iter().map(|(l, _)| l).collect::<Vec<_>>();
        assert_eq!(lines("a,b\n1,2\n3,4\n"), [1, 2, 3]);
        assert_eq!(lines("a,b\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        assert_eq!(lines("\u{feff}a,b\r\n\r\n1,\"x\r\ny\"\r\n3,4"), [1, 3, 5]);
    }

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
    fn byte_order_mark_crlf_and_quotes() {
        let v = read_csv_scores("\u{feff}index,score\r\n1,\"0.5\"\r\n0,0.25\r\n", 2, None).unwrap();
        assert_eq!(v, [0.25, 0.5]);
        assert_eq!(read_csv_scores("\u{feff}0.1\r\n0.2", 2, None).unwrap(), [0.1, 0.2]);
        let quoted = "\"index\",\"my \"\"score\"\"\"\n0,1\n";
        assert_eq!(read_csv_scores(quoted, 1, Some("my \"score\"")).unwrap(), [1.0]);
        // blank and whitespace-only lines are skipped but counted
        let e = read_csv_scores("index,score\n\n  \n0,x\n", 1, None).unwrap_err();
        assert!(e.starts_with("line 4: 'x' is not a number"), "{e}");
        let e = read_csv_scores("index,score\n0,0.1\n1,\"0.5\n", 2, None).unwrap_err();
        assert!(e.starts_with("line 3: a quoted field is never closed"), "{e}");
    }

    #[test]
    fn echoed_cells_are_one_printable_line() {
        let e = read_csv_scores("index,score\n0,\"a\nb\x1b\"\n", 1, None).unwrap_err();
        assert!(e.contains(r"'a\nb\u{1b}' is not a number"), "{e}");
        let e = read_csv_scores("a,\"b\nc\"\n1,2\n", 1, Some("z")).unwrap_err();
        assert!(e.contains(r"(columns: a, b\nc)"), "{e}");
        assert!(!e.chars().any(char::is_control), "{e}");
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
