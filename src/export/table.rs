//! The per-example table every export format writes: named, typed columns with missing cells.

/// The cells of one column; NaN (floats) and `None` are missing values.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// Integers (indices, labels, counts, 0/1 flags).
    Int(Vec<Option<i64>>),
    /// Single-precision scores (proxies, references), NaN where missing.
    F32(Vec<f32>),
    /// Double-precision scores (the C-score and its interval), NaN where missing.
    F64(Vec<f64>),
    /// Text (tags, notes, class names).
    Text(Vec<Option<String>>),
    /// Yes/no flags written as `True`/`False` (CSV) or `true`/`false` (JSON).
    Bool(Vec<Option<bool>>),
}

/// One cell as the filter sees it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// No value (not estimated, no tag, …).
    Missing,
    /// A number (booleans are 1 and 0).
    Num(f64),
    /// Text.
    Text(&'a str),
}

impl Cells {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Cells::Int(v) => v.len(),
            Cells::F32(v) => v.len(),
            Cells::F64(v) => v.len(),
            Cells::Text(v) => v.len(),
            Cells::Bool(v) => v.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True for text columns, false for numeric (and boolean) ones.
    pub fn is_text(&self) -> bool {
        matches!(self, Cells::Text(_))
    }

    /// The cell at `row`; NaN and infinities of float columns stay numbers except NaN, which is missing.
    pub fn value(&self, row: usize) -> Value<'_> {
        let num = |v: f64| if v.is_nan() { Value::Missing } else { Value::Num(v) };
        match self {
            Cells::Int(v) => v.get(row).copied().flatten().map_or(Value::Missing, |x| Value::Num(x as f64)),
            Cells::F32(v) => v.get(row).map_or(Value::Missing, |&x| num(f64::from(x))),
            Cells::F64(v) => v.get(row).map_or(Value::Missing, |&x| num(x)),
            Cells::Text(v) => v.get(row).and_then(|s| s.as_deref()).map_or(Value::Missing, Value::Text),
            Cells::Bool(v) => {
                v.get(row).copied().flatten().map_or(Value::Missing, |b| Value::Num(f64::from(b)))
            }
        }
    }
}

/// A named column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column name (`cscore`, `proxy_learning_speed`, …).
    pub name: String,
    /// Its cells, one per example.
    pub cells: Cells,
}

/// Columns of equal length, one row per example in dataset order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    columns: Vec<Column>,
}

impl Table {
    /// An empty table.
    pub fn new() -> Self {
        Table::default()
    }

    /// Appends a column; it must have as many rows as the columns before it and a new name.
    pub fn push(&mut self, name: impl Into<String>, cells: Cells) -> Result<(), String> {
        let name = name.into();
        if let Some(first) = self.columns.first() {
            if first.cells.len() != cells.len() {
                return Err(format!(
                    "column {name} has {} rows but the table has {}",
                    cells.len(),
                    first.cells.len()
                ));
            }
        }
        if self.column(&name).is_some() {
            return Err(format!("two columns are named {name}"));
        }
        self.columns.push(Column { name, cells });
        Ok(())
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.cells.len())
    }

    /// The columns in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Position of the column called `name`.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// The column names in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn columns_must_line_up() {
        let mut t = Table::new();
        t.push("a", Cells::Int(vec![Some(1), None])).unwrap();
        assert!(t.push("b", Cells::F64(vec![0.5])).is_err());
        assert!(t.push("a", Cells::F64(vec![0.5, 1.0])).is_err());
        t.push("b", Cells::F32(vec![f32::NAN, 2.0])).unwrap();
        assert_eq!(t.rows(), 2);
        assert_eq!(t.names(), ["a", "b"]);
        assert_eq!(t.columns()[0].cells.value(1), Value::Missing);
        assert_eq!(t.columns()[1].cells.value(0), Value::Missing);
        assert_eq!(t.columns()[1].cells.value(1), Value::Num(2.0));
    }
}
