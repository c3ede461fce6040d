//! A sanitized narrative ([`Narrative`], from [`super::read_narrative`]) as plain text for a
//! terminal: the layout of what `emr documents` prints.

use super::narrative::{Narrative, Tag};

/// A narrative as plain text for a terminal, lines wrapped at `width` characters (at least 20):
/// paragraphs and blocks separated by a blank line, list items as `- ` (numbered `1. ` in an
/// ordered list, nested lists indented), tables as rows of cells separated by ` | ` (aligned
/// in columns, with a line of `-` under a header row, when that fits the width; else wrapped), links as
/// `text <address>`, `pre` as written, a `hr` as `---`.
///
/// # Example
/// ```
/// use emr_core::query::{plain_text, read_narrative};
/// let n = read_narrative(r#"<div xmlns="http://www.w3.org/1999/xhtml"><p>Plan</p>
///   <ul><li>Rest</li><li>See <a href="https://example.org">leaflet</a></li></ul>
///   <table><tr><th>Test</th><th>Value</th></tr><tr><td>HbA1c</td><td>6.3 %</td></tr></table></div>"#).unwrap();
/// assert_eq!(plain_text(&n, 80), "Plan\n\n- Rest\n- See leaflet <https://example.org>\n\nTest  | Value\n------+------\nHbA1c | 6.3 %");
/// ```
pub fn plain_text(nodes: &[Narrative], width: usize) -> String {
    let width = width.max(20);
    let mut p = Plain { width, ..Plain::default() };
    p.nodes(nodes);
    p.flush();
    let mut out = String::new();
    for line in &p.lines {
        if !out.is_empty() {
            out.push('\n');
        }
        match line {
            Line::Blank => {}
            Line::Raw(prefix, text) => {
                out.push_str(prefix);
                out.push_str(text);
            }
            Line::Wrap(first, rest, text) => wrap(&mut out, first, rest, text, width),
        }
    }
    // No trailing spaces (an aligned last column, an empty item).
    out.lines().map(str::trim_end).collect::<Vec<_>>().join("\n")
}

/// Greedy word wrapping of `text` with the prefixes of the first and following lines.
fn wrap(out: &mut String, first: &str, rest: &str, text: &str, width: usize) {
    let mut line = String::from(first);
    let mut len = first.chars().count();
    let mut empty = true;
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let w = word.chars().count();
        if !empty && len + 1 + w > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from(rest);
            len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            len += 1;
        }
        line.push_str(word);
        len += w;
        empty = false;
    }
    out.push_str(&line);
}

enum Line {
    Blank,
    /// Prefix and text, not wrapped (table rows, `pre`).
    Raw(String, String),
    /// First line's prefix, following lines' prefix, text to wrap.
    Wrap(String, String, String),
}

#[derive(Default)]
struct Plain {
    lines: Vec<Line>,
    cur: String,
    /// The prefix of the next line written (a list item's marker), taken by it.
    first: Option<String>,
    /// The indentation of lines.
    indent: String,
    /// A blank line is due before the next line.
    gap: bool,
    /// The width lines wrap at (a table wider than it is not aligned); 0: no limit.
    width: usize,
}

impl Plain {
    fn push(&mut self, line: Line) {
        if std::mem::take(&mut self.gap) && !self.lines.is_empty() && !matches!(self.lines.last(), Some(Line::Blank)) {
            self.lines.push(Line::Blank);
        }
        self.lines.push(line);
    }

    fn first_prefix(&mut self) -> String {
        self.first.take().unwrap_or_else(|| self.indent.clone())
    }

    fn flush(&mut self) {
        let text = self.cur.trim().to_owned();
        self.cur.clear();
        if !text.is_empty() {
            let first = self.first_prefix();
            self.push(Line::Wrap(first, self.indent.clone(), text));
        }
    }

    fn paragraph(&mut self, children: &[Narrative]) {
        self.flush();
        self.gap = true;
        self.nodes(children);
        self.flush();
        self.gap = true;
    }

    fn nodes(&mut self, nodes: &[Narrative]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn node(&mut self, n: &Narrative) {
        let (tag, href, children) = match n {
            Narrative::Text { text } => {
                self.cur.push_str(&text.replace('\n', " "));
                return;
            }
            Narrative::Element { tag, href, children, .. } => (*tag, href, children),
        };
        match tag {
            Tag::P | Tag::Heading | Tag::Blockquote | Tag::Caption => self.paragraph(children),
            Tag::Div | Tag::Thead | Tag::Tbody | Tag::Tfoot | Tag::Tr | Tag::Th | Tag::Td => {
                self.flush();
                self.nodes(children);
                self.flush();
            }
            Tag::Br => {
                let empty = self.cur.trim().is_empty();
                self.flush();
                if empty {
                    let first = self.first_prefix();
                    self.push(Line::Raw(first, String::new()));
                }
            }
            Tag::Hr => {
                self.flush();
                self.gap = true;
                let first = self.first_prefix();
                self.push(Line::Raw(first, "---".to_owned()));
                self.gap = true;
            }
            Tag::Ul | Tag::Ol => {
                self.flush();
                let nested = self.first.is_some() || !self.indent.is_empty();
                if !nested {
                    self.gap = true;
                }
                let mut number = 0;
                for c in children {
                    match c {
                        Narrative::Element { tag: Tag::Li, children, .. } => {
                            number += 1;
                            let marker = if tag == Tag::Ol { format!("{number}. ") } else { "- ".to_owned() };
                            self.item(&marker, children);
                        }
                        other => self.node(other),
                    }
                }
                self.flush();
                if !nested {
                    self.gap = true;
                }
            }
            Tag::Li => self.item("- ", children),
            Tag::Table => self.table(children),
            Tag::Pre => {
                self.flush();
                self.gap = true;
                let text = children.iter().map(inline_text).collect::<String>();
                for l in text.trim_matches('\n').lines() {
                    let first = self.first_prefix();
                    self.push(Line::Raw(first, l.trim_end().to_owned()));
                }
                self.gap = true;
            }
            Tag::A => {
                let start = self.cur.len();
                self.nodes(children);
                let text = self.cur.get(start..).unwrap_or_default().trim().to_owned();
                if let Some(h) = href {
                    if text.is_empty() {
                        self.cur.push_str(h);
                    } else if text != *h {
                        self.cur.push_str(" <");
                        self.cur.push_str(h);
                        self.cur.push('>');
                    }
                }
            }
            Tag::Strong | Tag::Em | Tag::U | Tag::Sub | Tag::Sup | Tag::Span | Tag::Code => self.nodes(children),
        }
    }

    fn item(&mut self, marker: &str, children: &[Narrative]) {
        self.flush();
        let saved = self.indent.clone();
        self.first = Some(format!("{}{marker}", self.first.take().unwrap_or_else(|| self.indent.clone())));
        self.indent = format!("{saved}{}", " ".repeat(marker.chars().count()));
        self.nodes(children);
        self.flush();
        if let Some(first) = self.first.take() {
            // An empty item still shows its marker.
            self.push(Line::Raw(first, String::new()));
        }
        self.indent = saved;
    }

    fn table(&mut self, children: &[Narrative]) {
        self.flush();
        self.gap = true;
        let mut rows: Vec<(bool, Vec<String>)> = Vec::new();
        let mut captions = Vec::new();
        collect_rows(children, &mut rows, &mut captions, 0);
        for c in captions {
            let first = self.first_prefix();
            self.push(Line::Wrap(first, self.indent.clone(), c));
        }
        let columns = rows.iter().map(|(_, r)| r.len()).max().unwrap_or(0);
        let mut widths = vec![0usize; columns];
        for (_, r) in &rows {
            for (w, cell) in widths.iter_mut().zip(r) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let total = widths.iter().sum::<usize>() + 3 * columns.saturating_sub(1) + self.indent.len();
        let aligned = self.width == 0 || total <= self.width;
        for (i, (header, cells)) in rows.iter().enumerate() {
            let line = if aligned {
                let padded: Vec<String> = cells
                    .iter()
                    .zip(&widths)
                    .map(|(c, w)| format!("{c}{}", " ".repeat(w.saturating_sub(c.chars().count()))))
                    .collect();
                padded.join(" | ")
            } else {
                cells.join(" | ")
            };
            let first = self.first_prefix();
            if aligned {
                self.push(Line::Raw(first, line));
            } else {
                self.push(Line::Wrap(first, format!("{}  ", self.indent), line));
            }
            if aligned && *header && i == 0 && rows.len() > 1 {
                let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                let first = self.first_prefix();
                self.push(Line::Raw(first, rule.join("-+-")));
            }
        }
        self.gap = true;
    }
}

/// The rows of a table (through `thead`, `tbody`, `tfoot`): whether all its cells are header
/// cells, and each cell's text on one line; captions apart.
fn collect_rows(nodes: &[Narrative], rows: &mut Vec<(bool, Vec<String>)>, captions: &mut Vec<String>, depth: usize) {
    for n in nodes {
        let Narrative::Element { tag, children, .. } = n else { continue };
        match tag {
            Tag::Caption => captions.push(one_line(children)),
            Tag::Thead | Tag::Tbody | Tag::Tfoot if depth < 2 => collect_rows(children, rows, captions, depth + 1),
            Tag::Tr => {
                let mut header = true;
                let mut cells = Vec::new();
                for c in children {
                    if let Narrative::Element { tag: t @ (Tag::Th | Tag::Td), children, colspan, .. } = c {
                        header &= *t == Tag::Th;
                        cells.push(one_line(children));
                        // A spanning cell leaves the columns it covers empty.
                        for _ in 1..colspan.unwrap_or(1).min(64) {
                            cells.push(String::new());
                        }
                    }
                }
                if !cells.is_empty() {
                    rows.push((header, cells));
                }
            }
            _ => {}
        }
    }
}

/// Content as one line of plain text.
fn one_line(children: &[Narrative]) -> String {
    let mut p = Plain::default();
    p.nodes(children);
    p.flush();
    let mut out = String::new();
    for l in &p.lines {
        let t = match l {
            Line::Blank => continue,
            Line::Raw(prefix, t) | Line::Wrap(prefix, _, t) => format!("{}{t}", prefix.trim_start()),
        };
        if !t.trim().is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t.trim());
        }
    }
    out
}

/// The text of inline content, links with their address.
fn inline_text(n: &Narrative) -> String {
    match n {
        Narrative::Text { text } => text.clone(),
        Narrative::Element { tag: Tag::A, href: Some(h), children, .. } => {
            let t: String = children.iter().map(inline_text).collect();
            if t.trim().is_empty() {
                h.clone()
            } else {
                format!("{t} <{h}>")
            }
        }
        Narrative::Element { tag: Tag::Br, .. } => "\n".to_owned(),
        Narrative::Element { children, .. } => children.iter().map(inline_text).collect(),
    }
}
