//! `emr documents`: the record's documents (C-CDA, IPS, any FHIR Composition) with each
//! section's narrative, as plain text for a terminal. What is shown, and how the narrative is
//! sanitized and laid out as text, is emr-core's (`query::documents`, `query::plain_text`);
//! this only arranges it on the page.

use emr_core::query::{documents, plain_text, DocumentCard, DocumentSection};

use crate::cli::DocumentsArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::unlock::open;

use super::Outcome;

/// The width text wraps to when neither `--width` nor `COLUMNS` gives one.
pub const DEFAULT_WIDTH: usize = 100;

/// Run `emr documents`.
///
/// # Errors
/// The file does not open.
pub fn run(args: &DocumentsArgs) -> Result<Outcome, CliError> {
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let docs = documents(&record);
    if args.json {
        print_json(&docs)?;
    } else {
        let width = args
            .width
            .or_else(|| std::env::var("COLUMNS").ok().and_then(|c| c.trim().parse().ok()))
            .filter(|w| *w > 0)
            .unwrap_or(DEFAULT_WIDTH);
        print(&text(&docs, width))?;
    }
    Ok(Outcome::Success)
}

/// Record text made safe for a terminal: control characters (escape sequences among them)
/// become spaces, line ends kept.
fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() && c != '\n' { ' ' } else { c }).collect()
}

/// The documents for people: per document a heading (title, date, sources) and a line of
/// details, then each section's title and its narrative as plain text wrapped at `width`.
pub fn text(docs: &[DocumentCard], width: usize) -> String {
    if docs.is_empty() {
        return "no documents\n".into();
    }
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut heading = d.title.clone();
        if let Some(date) = &d.date {
            heading.push_str(&format!(" ({date})"));
        }
        if !d.sources.is_empty() {
            heading.push_str(&format!(" from {}", d.sources.join(", ")));
        }
        let heading = clean(&heading);
        out.push_str(&heading);
        out.push('\n');
        out.push_str(&"=".repeat(heading.chars().count().min(width)));
        out.push('\n');
        let mut details = Vec::new();
        if let Some(kind) = d.kind.as_ref().filter(|k| **k != d.title) {
            details.push(format!("Type: {kind}"));
        }
        if let Some(status) = &d.status {
            details.push(format!("Status: {status}"));
        }
        if !d.authors.is_empty() {
            details.push(format!("Author: {}", d.authors.join(", ")));
        }
        details.push(format!("{} {}", d.entries, if d.entries == 1 { "entry" } else { "entries" }));
        // Parts joined by " | ", a new line where the next would pass the width.
        let mut line = String::new();
        for part in details.iter().map(|p| clean(p)) {
            if !line.is_empty() && line.chars().count() + 3 + part.chars().count() > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push_str(" | ");
            }
            line.push_str(&part);
        }
        out.push_str(&line);
        out.push('\n');
        for s in &d.sections {
            section(&mut out, s, "", width);
        }
    }
    out
}

/// One section: its title (its code's label when untitled; parents' titles before a
/// subsection's), its narrative, and its subsections.
fn section(out: &mut String, s: &DocumentSection, parents: &str, width: usize) {
    let title = s.title.clone().or_else(|| s.code.clone()).unwrap_or_else(|| "Untitled section".to_owned());
    let title = if parents.is_empty() { title } else { format!("{parents} > {title}") };
    let title = clean(&title);
    out.push('\n');
    out.push_str(&title);
    out.push('\n');
    out.push_str(&"-".repeat(title.chars().count().min(width)));
    out.push('\n');
    if s.narrative_unreadable {
        out.push_str("(the narrative could not be read)\n");
    }
    let body = plain_text(&s.narrative, width);
    if !body.is_empty() {
        out.push_str(&clean(&body));
        out.push('\n');
    } else if !s.narrative_unreadable {
        let note = match (&s.empty_reason, s.entries) {
            (Some(reason), _) => format!("(empty: {})", clean(reason)),
            (None, 0) if !s.sections.is_empty() => String::new(),
            (None, 0) => "(no narrative)".to_owned(),
            (None, n) => format!("(no narrative; {n} {})", if n == 1 { "entry" } else { "entries" }),
        };
        if !note.is_empty() {
            out.push_str(&note);
            out.push('\n');
        }
    }
    for c in &s.sections {
        section(out, c, &title, width);
    }
}
