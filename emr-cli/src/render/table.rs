//! A plain text table with aligned columns.

/// Rows of cells under a header, rendered with columns padded to their widest cell.
///
/// # Example
/// ```
/// let mut t = emr_cli::render::Table::new(&["KIND", "CODE"]);
/// t.row(vec!["condition".into(), "snomed|44054006".into()]);
/// assert_eq!(t.render(), "KIND       CODE\ncondition  snomed|44054006\n");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// Cells longer than this are cut, with an ellipsis.
const MAX_CELL: usize = 48;

impl Table {
    /// A table with these column titles.
    pub fn new(header: &[&str]) -> Table {
        Table { header: header.iter().map(|h| (*h).to_owned()).collect(), rows: Vec::new() }
    }

    /// Add a row (missing cells are blank, extra cells are dropped).
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// True when no row was added.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The table as text, one line per row, trailing spaces trimmed.
    pub fn render(&self) -> String {
        let cut = |s: &str| -> String {
            let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
            if clean.chars().count() > MAX_CELL {
                clean.chars().take(MAX_CELL - 1).chain(std::iter::once('…')).collect()
            } else {
                clean
            }
        };
        let cells: Vec<Vec<String>> = std::iter::once(&self.header)
            .chain(&self.rows)
            .map(|r| (0..self.header.len()).map(|i| cut(r.get(i).map_or("", String::as_str))).collect())
            .collect();
        let widths: Vec<usize> = (0..self.header.len())
            .map(|i| cells.iter().map(|r| r.get(i).map_or(0, |c| c.chars().count())).max().unwrap_or(0))
            .collect();
        let mut out = String::new();
        for row in &cells {
            let mut line = String::new();
            for (cell, width) in row.iter().zip(&widths) {
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', width.saturating_sub(cell.chars().count()) + 2));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
