//! CSV (RFC 4180): a header row, then one row per selected example; missing values are empty cells.

use std::io::{self, Write};

use super::table::{Cells, Table};

/// Writes the header and the rows `rows` of `table` as CSV with `\n` line ends.
pub fn write_csv<W: Write>(table: &Table, rows: &[usize], out: &mut W) -> io::Result<()> {
    let header: Vec<String> = table.columns().iter().map(|c| quote(&c.name)).collect();
    writeln!(out, "{}", header.join(","))?;
    let mut line = String::new();
    for &row in rows {
        line.clear();
        for (k, col) in table.columns().iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            push_cell(&mut line, &col.cells, row);
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends one cell: numbers in their shortest exact form, text quoted when it must be.
fn push_cell(line: &mut String, cells: &Cells, row: usize) {
    use std::fmt::Write as _;
    let _ = match cells {
        Cells::Int(v) => match v.get(row).copied().flatten() {
            Some(x) => write!(line, "{x}"),
            None => Ok(()),
        },
        Cells::F32(v) => match v.get(row) {
            Some(x) if !x.is_nan() => write!(line, "{x}"),
            _ => Ok(()),
        },
        Cells::F64(v) => match v.get(row) {
            Some(x) if !x.is_nan() => write!(line, "{x}"),
            _ => Ok(()),
        },
        Cells::Text(v) => {
            if let Some(s) = v.get(row).and_then(|s| s.as_deref()) {
                line.push_str(&quote(s));
            }
            Ok(())
        }
        Cells::Bool(v) => match v.get(row).copied().flatten() {
            Some(true) => write!(line, "True"),
            Some(false) => write!(line, "False"),
            None => Ok(()),
        },
    };
}

/// A field as RFC 4180 wants it: in double quotes (doubled inside) when it holds a comma, a quote, a
/// line break or surrounding spaces, or could be mistaken for a missing value.
fn quote(s: &str) -> String {
    let needs = s.is_empty()
        || s.contains([',', '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace);
    if needs {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_what_needs_it_and_leaves_missing_cells_empty() {
        let mut t = Table::new();
        t.push("index", Cells::Int(vec![Some(0), Some(1)])).unwrap();
        t.push("cscore", Cells::F64(vec![f64::NAN, 0.25])).unwrap();
        t.push("proxy_x", Cells::F32(vec![0.1, f32::NAN])).unwrap();
        t.push("note", Cells::Text(vec![Some("a, \"b\"\nc".into()), None])).unwrap();
        t.push("is_label_issue", Cells::Bool(vec![Some(true), None])).unwrap();
        let mut out = Vec::new();
        write_csv(&t, &[0, 1], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "index,cscore,proxy_x,note,is_label_issue\n0,,0.1,\"a, \"\"b\"\"\nc\",True\n1,0.25,,,\n"
        );
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote(" x"), "\" x\"");
    }
}
