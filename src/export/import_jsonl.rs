//! Scores from JSON Lines (`.jsonl`, `.ndjson`), such as cscore's own `export --format jsonl`: one object
//! per line, the score in `--field` (default `score`), the example in `index` when the objects have one,
//! else the line's position. `null` is a missing score.

use serde_json::{Map, Value};

use super::import_csv::place;

/// `text` as it can be shown in a one-line message: at most 40 characters, control characters escaped.
fn shown(text: &str) -> String {
    let escaped: String = text.chars().flat_map(char::escape_default).collect();
    match escaped.char_indices().nth(40) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// The score of each of `n` examples (NaN where the file has none); `field` names the score's key.
pub(super) fn read_jsonl_scores(text: &str, n: usize, field: Option<&str>) -> Result<Vec<f64>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut objects: Vec<(usize, Map<String, Value>)> = Vec::new();
    for (k, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        match serde_json::from_str::<Value>(line) {
            Ok(Value::Object(o)) => objects.push((k + 1, o)),
            Ok(_) => return Err(format!("line {}: not a JSON object", k + 1)),
            Err(e) => return Err(format!("line {}: not JSON ({e})", k + 1)),
        }
    }
    let Some((_, first)) = objects.first() else {
        return Err("the file holds no scores".into());
    };
    let key = field.unwrap_or("score");
    if !first.contains_key(key) {
        let keys: Vec<String> = first.keys().take(12).map(|k| shown(k)).collect();
        return Err(format!("no field '{}' (fields: {}); pass --field NAME", shown(key), keys.join(", ")));
    }
    let indexed = first.contains_key("index");
    let mut out = vec![f64::NAN; if indexed { n } else { 0 }];
    let mut seen = vec![false; out.len()];
    for (line, o) in objects {
        let value = match o.get(key) {
            Some(Value::Number(x)) => x.as_f64().unwrap_or(f64::NAN),
            Some(Value::Null) | None => f64::NAN,
            Some(other) => {
                return Err(format!("line {line}: '{}' is not a number", shown(&other.to_string())))
            }
        };
        if !indexed {
            out.push(value);
            continue;
        }
        let i = o
            .get("index")
            .and_then(Value::as_u64)
            .and_then(|i| usize::try_from(i).ok())
            .ok_or_else(|| format!("line {line}: no example index (\"index\": a whole number)"))?;
        place(&mut out, &mut seen, i, line, value)?;
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn our_own_export_and_plain_lists() {
        let export = "{\"index\":1,\"label\":5,\"cscore\":0.25,\"tag\":null}\n\n{\"index\":0,\"label\":3,\"cscore\":null}\n";
        let v = read_jsonl_scores(export, 3, Some("cscore")).unwrap();
        assert!(v[0].is_nan() && v[1] == 0.25 && v[2].is_nan());
        assert_eq!(read_jsonl_scores("{\"score\":0.5}\r\n{\"score\":1}\n", 2, None).unwrap(), [0.5, 1.0]);
    }

    #[test]
    fn errors_name_the_line() {
        let e = |t: &str, f| read_jsonl_scores(t, 2, f).unwrap_err();
        assert!(e("{\"a\":1}\n", None).contains("no field 'score' (fields: a); pass --field"));
        assert!(e("{\"score\":1}\n[1]\n", None).starts_with("line 2: not a JSON object"));
        assert!(e("{\"score\":1}\n{oops\n", None).starts_with("line 2: not JSON"));
        assert!(e("{\"score\":\"x\"}\n", None).contains("'\\\"x\\\"' is not a number"));
        assert!(e("{\"index\":5,\"score\":1}\n", None).contains("index 5 is out of range"));
        assert!(e("{\"index\":1,\"score\":1}\n{\"index\":1,\"score\":2}\n", None).contains("appears twice"));
        assert!(e("{\"index\":0,\"score\":1}\n{\"score\":2}\n", None).starts_with("line 2: no example index"));
        assert!(e("", None).contains("no scores"));
    }
}
