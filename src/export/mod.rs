//! Getting results out and references in: the per-example table (CSV, JSONL, NPY) with filter
//! expressions, cleaned datasets with a manifest, imported reference scores, and evaluation of every score
//! against known-bad examples or reference C-scores.

mod atomic;
mod build;
mod carry_tags;
pub mod clean;
mod csv;
mod error;
mod eval;
mod example;
mod file_index;
pub mod filter;
mod image;
mod import;
mod import_csv;
mod import_jsonl;
mod import_tags;
mod jsonl;
pub mod metrics;
mod npy;
mod relabel_class;
mod scores;
mod source;
mod table;

pub use self::csv::write_csv;
pub use atomic::{write_atomic, AtomicDir};
pub use build::build_table;
pub use carry_tags::{carry_tags, read_tag_source, Carried, TagSource, TagTarget};
pub use clean::{write_clean, CleanOptions, CleanReport, Layout};
pub use error::ExportError;
pub use eval::{eval_reference, eval_truth, read_truth_indices, ReferenceRow, TruthRow};
pub use example::{describe_example, ExampleDetails, RankedScore};
pub use filter::{select_rows, Filter, FilterError};
pub use image::example_image;
pub use import::{check_labels, read_scores, valid_score_name, ImportedScores};
pub use import_tags::{read_tag_lines, resolve_tags, MatchBy, Resolved, TagLine};
pub use jsonl::write_jsonl;
pub use npy::{npy_bytes, write_npy, NpyData};
pub use scores::{workspace_scores, NamedScores};
pub use source::{open_project, open_project_or_record, original_labels, project_from_record};
pub use table::{Cells, Column, Table, Value};
