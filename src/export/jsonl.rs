//! JSON Lines: one object per selected example, keys in column order, `null` for missing values.

use std::io::{self, Write};

use super::table::{Cells, Table};

/// Writes the rows `rows` of `table` as JSON Lines.
pub fn write_jsonl<W: Write>(table: &Table, rows: &[usize], out: &mut W) -> io::Result<()> {
    let keys: Vec<String> = table.columns().iter().map(|c| json_string(&c.name)).collect();
    let mut line = String::new();
    for &row in rows {
        line.clear();
        line.push('{');
        for (k, col) in table.columns().iter().enumerate() {
            if k > 0 {
                line.push(',');
            }
            line.push_str(&keys[k]);
            line.push(':');
            push_value(&mut line, &col.cells, row);
        }
        line.push_str("}\n");
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// Appends one JSON value; NaN and infinities (which JSON cannot hold) become `null`.
fn push_value(line: &mut String, cells: &Cells, row: usize) {
    use std::fmt::Write as _;
    let _ = match cells {
        Cells::Int(v) => match v.get(row).copied().flatten() {
            Some(x) => write!(line, "{x}"),
            None => write!(line, "null"),
        },
        Cells::F32(v) => match v.get(row) {
            Some(x) if x.is_finite() => write!(line, "{x}"),
            _ => write!(line, "null"),
        },
        Cells::F64(v) => match v.get(row) {
            Some(x) if x.is_finite() => write!(line, "{x}"),
            _ => write!(line, "null"),
        },
        Cells::Text(v) => match v.get(row).and_then(|s| s.as_deref()) {
            Some(s) => write!(line, "{}", json_string(s)),
            None => write!(line, "null"),
        },
        Cells::Bool(v) => match v.get(row).copied().flatten() {
            Some(b) => write!(line, "{b}"),
            None => write!(line, "null"),
        },
    };
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_string()).to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn each_line_is_a_json_object_with_nulls() {
        let mut t = Table::new();
        t.push("index", Cells::Int(vec![Some(3)])).unwrap();
        t.push("cscore", Cells::F64(vec![f64::NAN])).unwrap();
        t.push("proxy_x", Cells::F32(vec![0.1])).unwrap();
        t.push("tag", Cells::Text(vec![Some("o\"d\n".into())])).unwrap();
        t.push("is_label_issue", Cells::Bool(vec![Some(false)])).unwrap();
        let mut out = Vec::new();
        write_jsonl(&t, &[0], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "{\"index\":3,\"cscore\":null,\"proxy_x\":0.1,\"tag\":\"o\\\"d\\n\",\"is_label_issue\":false}\n"
        );
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(v["tag"], "o\"d\n");
    }
}
