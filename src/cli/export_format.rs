//! Which table format `cscore export` writes: `--format`, or else the output file's extension (`.jsonl`,
//! `.npy`, `.csv`), as the explorer's `E` takes it; a `--format` that another table format's extension
//! contradicts is refused rather than written under the wrong name.

use super::export::TableFormat;
use std::path::Path;

/// The table format an output file's extension names, if any.
pub fn format_of_extension(output: &Path) -> Option<TableFormat> {
    let ext = output.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "csv" => Some(TableFormat::Csv),
        "jsonl" | "ndjson" => Some(TableFormat::Jsonl),
        "npy" => Some(TableFormat::Npy),
        _ => None,
    }
}

/// The format to write: `given`, else the extension of `output`, else CSV.
pub fn table_format(given: Option<TableFormat>, output: Option<&Path>) -> anyhow::Result<TableFormat> {
    let named = output.and_then(format_of_extension);
    match (given, named) {
        (Some(g), Some(n)) if g != n => anyhow::bail!(
            "--format {} does not match the output file {} (a .{} name): drop --format or rename the file",
            name(g),
            output.map_or(String::new(), |o| o.display().to_string()),
            name(n)
        ),
        (Some(g), _) => Ok(g),
        (None, Some(n)) => Ok(n),
        (None, None) => Ok(TableFormat::Csv),
    }
}

/// The format's name as `--format` takes it.
pub fn name(f: TableFormat) -> &'static str {
    match f {
        TableFormat::Csv => "csv",
        TableFormat::Jsonl => "jsonl",
        TableFormat::Npy => "npy",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_extension_picks_the_format_and_a_contradiction_is_refused() {
        fn p(s: &str) -> Option<&Path> {
            Some(Path::new(s))
        }
        assert_eq!(table_format(None, p("a.jsonl")).ok(), Some(TableFormat::Jsonl));
        assert_eq!(table_format(None, p("A.NPY")).ok(), Some(TableFormat::Npy));
        assert_eq!(table_format(None, p("a.ndjson")).ok(), Some(TableFormat::Jsonl));
        assert_eq!(table_format(None, p("a.tsv")).ok(), Some(TableFormat::Csv));
        assert_eq!(table_format(None, None).ok(), Some(TableFormat::Csv));
        assert_eq!(table_format(None, p("-")).ok(), Some(TableFormat::Csv));
        assert_eq!(table_format(Some(TableFormat::Jsonl), p("a.txt")).ok(), Some(TableFormat::Jsonl));
        assert_eq!(table_format(Some(TableFormat::Csv), p("a.csv")).ok(), Some(TableFormat::Csv));
        let e = table_format(Some(TableFormat::Csv), p("out/s.npy")).unwrap_err().to_string();
        assert_eq!(e, "--format csv does not match the output file out/s.npy (a .npy name): drop --format or rename the file");
    }
}
