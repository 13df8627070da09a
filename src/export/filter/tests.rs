//! Parser and evaluator cases, including errors with their positions.

use super::*;
use crate::export::table::Cells;

/// Rows: (label, cscore, tag, is_label_issue)
/// 0: 7, 0.2, "mislabeled", true
/// 1: 7, 0.9, -, false
/// 2: 3, missing, "ood", missing
/// 3: 3, 0.3, "say \"hi\"", false
fn table() -> Table {
    let mut t = Table::new();
    t.push("index", Cells::Int((0..4).map(Some).collect())).unwrap();
    t.push("label", Cells::Int(vec![Some(7), Some(7), Some(3), Some(3)])).unwrap();
    t.push("cscore", Cells::F64(vec![0.2, 0.9, f64::NAN, 0.3])).unwrap();
    let tags = vec![Some("mislabeled".into()), None, Some("ood".into()), Some("say \"hi\"".into())];
    t.push("tag", Cells::Text(tags)).unwrap();
    t.push("is_label_issue", Cells::Bool(vec![Some(true), Some(false), None, Some(false)])).unwrap();
    t.push("proxy_x", Cells::F32(vec![1.0, 2.0, 3.0, f32::NAN])).unwrap();
    t
}

fn rows(expr: &str) -> Vec<usize> {
    Filter::parse(expr)
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
        .select(&table())
        .unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn error(expr: &str) -> FilterError {
    match Filter::parse(expr) {
        Err(e) => e,
        Ok(f) => f.select(&table()).expect_err(expr),
    }
}

#[test]
fn comparisons_and_logic() {
    assert_eq!(rows("cscore < 0.3 and label == 7"), [0]);
    assert_eq!(rows("cscore <= 0.3"), [0, 3]);
    assert_eq!(rows("cscore>=0.3"), [1, 3]);
    assert_eq!(rows("cscore > 0.25 or tag == \"ood\""), [1, 2, 3]);
    assert_eq!(rows("tag == \"mislabeled\""), [0]);
    assert_eq!(rows("tag == 'say \"hi\"'"), [3]);
    assert_eq!(rows("tag == \"say \\\"hi\\\"\""), [3]);
    assert_eq!(rows("label != 7"), [2, 3]);
    assert_eq!(rows("label = 3 AND NOT cscore < 0.5"), [2]);
    assert_eq!(rows("not (label == 7 or cscore < 1)"), [2]);
    assert_eq!(rows("label == 7 and (cscore < 0.5 or proxy_x >= 2)"), [0, 1]);
    assert_eq!(rows("label == 3 || label == 7 && cscore > 0.5"), [1, 2, 3]);
    assert_eq!(rows("(label == 3 || label == 7) && cscore > 0.5"), [1]);
    assert_eq!(rows("!(label == 3)"), [0, 1]);
    assert_eq!(rows("cscore < label"), [0, 1, 3]);
    assert_eq!(rows("0.25 < cscore"), [1, 3]);
    assert_eq!(rows("cscore > -1e3 and cscore < .5"), [0, 3]);
    assert_eq!(rows("tag > \"n\""), [2, 3]);
}

#[test]
fn contains_finds_text_in_text() {
    assert_eq!(rows("tag contains \"l\""), [0]);
    assert_eq!(rows("tag CONTAINS 'o'"), [2]);
    assert_eq!(rows("tag contains \"\\\"hi\""), [3]);
    assert_eq!(rows("not tag contains \"o\""), [0, 1, 3], "a missing tag contains nothing");
    assert_eq!(rows("\"mislabeled or ood\" contains tag"), [0, 2]);
    assert_eq!(rows("tag contains \"\" and label == 3"), [2, 3]);
}

#[test]
fn missing_values_compare_false_but_match_null() {
    assert_eq!(rows("cscore != 0.5"), [0, 1, 3]);
    assert_eq!(rows("tag != \"ood\""), [0, 3]);
    assert_eq!(rows("cscore == null"), [2]);
    assert_eq!(rows("tag != null"), [0, 2, 3]);
    assert_eq!(rows("null == proxy_x"), [3]);
}

#[test]
fn booleans_and_bare_columns() {
    assert_eq!(rows("is_label_issue"), [0]);
    assert_eq!(rows("is_label_issue == true"), [0]);
    assert_eq!(rows("is_label_issue == false"), [1, 3]);
    assert_eq!(rows("is_label_issue == 1 or (label == 3 and not is_label_issue)"), [0, 2, 3]);
    // A 0/1 column reads as a condition too (`injected`).
    let mut t = table();
    t.push("injected", Cells::Int(vec![Some(1), Some(0), None, Some(0)])).unwrap();
    assert_eq!(Filter::parse("injected").unwrap().select(&t).unwrap(), [0]);
}

#[test]
fn tag_shortcut_combines_with_and() {
    let f = Filter::parse("label == 3").unwrap().and(Filter::tag_equals("ood"));
    assert_eq!(f.select(&table()).unwrap(), [2]);
    assert_eq!(Filter::tag_equals("say \"hi\"").select(&table()).unwrap(), [3]);
    assert_eq!(select_rows(&table(), None).unwrap(), [0, 1, 2, 3]);
}

#[test]
fn errors_name_the_position() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 1, "empty"),
        ("cscore <", 9, "found the end"),
        ("cscore < 0.3 and", 17, "found the end"),
        ("cscore 0.3", 8, "expected a comparison"),
        ("cscore < 0.3 label == 7", 14, "expected 'and', 'or'"),
        ("(cscore < 0.3", 14, "to close the '(' at position 1"),
        ("cscore < 0.3)", 13, "unmatched ')'"),
        ("tag == \"ood", 8, "unterminated string"),
        ("cscore # 1", 8, "unexpected character '#'"),
        ("cscroe < 0.3", 1, "unknown column 'cscroe' (did you mean 'cscore'?)"),
        ("label == 7 and zzz > 1", 16, "unknown column 'zzz'"),
        ("tag == 3", 8, "'tag' holds text"),
        ("label == \"7\"", 10, "'label' holds numbers"),
        ("tag", 1, "'tag' holds text"),
        ("cscore", 1, "'cscore' holds numbers, not yes/no; compare it, e.g. cscore < 0.5"),
        ("label and cscore < 1", 1, "'label' holds numbers, not yes/no"),
        ("is_label_issue == \"True\"", 19, "'is_label_issue' is yes/no: use it alone"),
        ("cscore < null", 10, "null can only be compared"),
        ("label contains \"7\"", 1, "contains takes text on both sides, e.g. path contains"),
        ("tag contains 7", 14, "contains takes text on both sides"),
        ("tag contains null", 14, "null can only be compared"),
        ("cscore < 1.2.3", 13, "after the number"),
        ("cscore < 3x", 11, "after the number"),
        ("label == 7 and and", 16, "expected a column"),
        ("1 < \"a\"", 5, "cannot be compared"),
        ("tag == ood", 8, "unknown column 'ood'; a text value is quoted: tag == \"ood\""),
        ("dog != tag", 1, "unknown column 'dog'; a text value is quoted: tag == \"dog\""),
        (
            "label == ood",
            10,
            "unknown column 'ood'; a text value is quoted, and tag holds it: tag == \"ood\"",
        ),
    ];
    for &(expr, pos, words) in cases {
        let e = error(expr);
        assert_eq!(e.position, pos, "{expr}: {e}");
        assert!(e.to_string().contains(words), "{expr}: {e}");
        assert!(e.to_string().ends_with(&format!("at position {pos}")), "{e}");
    }
}

#[test]
fn positions_count_characters_not_bytes() {
    let e = error("tag == \"é\" and ß < 1");
    assert_eq!(e.position, 16, "{e}");
}

#[test]
fn nesting_is_limited_with_a_clear_error_and_long_chains_are_not() {
    let deep = format!("{}label == 7{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = error(&deep);
    assert_eq!(e.position, parse::MAX_DEPTH + 1, "{e}");
    assert!(e.to_string().contains("more than 64 levels deep"), "{e}");
    let nots = format!("{}label == 7", "not ".repeat(100_000));
    assert!(error(&nots).to_string().contains("levels deep"));
    let ok = format!("{}label == 7{}", "(".repeat(parse::MAX_DEPTH), ")".repeat(parse::MAX_DEPTH));
    assert_eq!(rows(&ok), [0, 1]);
    let mixed = format!("{}label == 3", "not (".repeat(32)) + &")".repeat(32);
    assert_eq!(rows(&mixed), [2, 3], "32 × (not + parenthesis) = 64 levels");
    // 50,000 terms joined with or / and: flat, evaluated without deep recursion.
    let chain = vec!["label == 1"; 50_000].join(" or ") + " or tag == \"ood\"";
    assert_eq!(rows(&chain), [2]);
    let all = vec!["label >= 0"; 50_000].join(" and ");
    assert_eq!(rows(&all), [0, 1, 2, 3]);
}

/// Strings and characters are echoed escaped: a control character in an expression cannot break the
/// one-line message (found by fuzzing).
#[test]
fn control_characters_are_echoed_escaped() {
    for text in ["cscore < 1 \"a\u{0}b\"", "cscore \u{1b} 1", "tag == \"x\" \"\n\""] {
        let err = Filter::parse(text).unwrap_err().to_string();
        assert!(!err.chars().any(char::is_control), "{text:?}: {err:?}");
    }
}

#[test]
fn columns_are_listed_once_and_quoted_strings_round_trip() {
    let f = Filter::parse("cscore < 0.3 and (label == 7 or not cscore > label) and is_label_issue").unwrap();
    assert_eq!(f.columns(), ["cscore", "label", "is_label_issue"]);
    assert_eq!(rows(&format!("tag == {}", quote("say \"hi\""))), [3]);
    assert_eq!(rows(&format!("tag == {} or tag == {}", quote("ood"), quote("it's \\ odd"))), [2]);
}

#[test]
fn values_no_row_holds_are_named() {
    let t = table();
    let absent = |expr: &str| Filter::parse(expr).unwrap().absent_values(&t);
    assert_eq!(
        absent("tag == \"mislabled\" or cscore < 0.1"),
        ["no example has tag \"mislabled\" (tag is one of \"mislabeled\", \"ood\", \"say \\\"hi\\\"\")"]
    );
    assert!(absent("tag == \"ood\" and not (\"ood\" == tag)").is_empty());
    assert!(absent("tag != \"zebra\" and label == 7").is_empty(), "only == can match nothing by a value");
}
