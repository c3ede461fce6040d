//! `emr timeline`: the clinical view as a timeline.

use emr_core::query::{timeline, TimelineEvent};

use crate::cli::TimelineArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::render::Table;
use crate::unlock::open;

use super::{Outcome, SourceNames};

/// Run `emr timeline`.
///
/// # Errors
/// The file does not open.
pub fn run(args: &TimelineArgs) -> Result<Outcome, CliError> {
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let mut events = timeline(&record);
    if !args.kind.is_empty() {
        let known: Vec<&str> = emr_core::model::EntryKind::ALL.iter().map(|k| k.as_str()).collect();
        if let Some(bad) = args.kind.iter().find(|k| !known.contains(&k.as_str())) {
            return Err(CliError::usage(format!("unknown kind {bad:?}"), format!("give one of: {}", known.join(", "))));
        }
        events.retain(|e| args.kind.contains(&e.kind.to_string()));
    }
    let shown = last(&events, args.last);
    if args.json {
        print_json(shown)?;
    } else {
        print(&text(shown, &SourceNames::of(&record)))?;
    }
    Ok(Outcome::Success)
}

/// The last `n` events (all when `None`).
pub fn last(events: &[TimelineEvent], n: Option<usize>) -> &[TimelineEvent] {
    match n {
        Some(n) => events.get(events.len().saturating_sub(n)..).unwrap_or(events),
        None => events,
    }
}

/// The timeline as a table: date, kind, what, and which source (how many reported it).
pub fn text(events: &[TimelineEvent], names: &SourceNames) -> String {
    if events.is_empty() {
        return "no dated events\n".into();
    }
    let mut t = Table::new(&["DATE", "KIND", "WHAT", "SOURCE"]);
    for e in events {
        let source = if e.reported_by > 1 {
            format!("{} (+{} more)", names.get(e.entry.source.as_str()), e.reported_by - 1)
        } else {
            names.get(e.entry.source.as_str())
        };
        t.row(vec![e.time.to_string(), e.kind.to_string(), e.label.clone(), source]);
    }
    t.render()
}
