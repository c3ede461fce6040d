//! `emr lists`: the current problem, medication and allergy lists of the clinical view.

use emr_core::merge::ViewItem;
use emr_core::model::Record;
use emr_core::query::{current_lists, CurrentLists};

use crate::cli::ReadArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::unlock::open;

use super::{Outcome, SourceNames};

/// Run `emr lists`.
///
/// # Errors
/// The file does not open.
pub fn run(args: &ReadArgs) -> Result<Outcome, CliError> {
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let lists = current_lists(&record);
    if args.json {
        print_json(&lists)?;
    } else {
        print(&text(&record, &lists, &SourceNames::of(&record)))?;
    }
    Ok(Outcome::Success)
}

/// The lists for people: a heading with the count per list, one line per item.
pub fn text(record: &Record, lists: &CurrentLists, names: &SourceNames) -> String {
    let mut out = String::new();
    for (title, items) in
        [("Problems", &lists.problems), ("Medications", &lists.medications), ("Allergies", &lists.allergies)]
    {
        out.push_str(&format!("\n{title} ({}):\n", items.len()));
        if items.is_empty() {
            out.push_str("  none recorded\n");
        }
        for item in items {
            out.push_str(&format!("  - {}\n", item_line(record, item, names)));
        }
    }
    out
}

/// A current-list line: the concept, its date, a high criticality, its source(s).
fn item_line(record: &Record, item: &ViewItem, names: &SourceNames) -> String {
    let clinical = record.entry(&item.representative).map(emr_core::model::Entry::clinical);
    let label = clinical
        .and_then(|c| c.code.as_ref())
        .and_then(|cc| cc.label())
        .map_or_else(|| item.kind.to_string(), str::to_owned);
    let since = clinical.and_then(|c| c.time).map(|t| format!(", since {t}")).unwrap_or_default();
    let high = if clinical.and_then(|c| c.criticality.as_deref()) == Some("high") { " [high criticality]" } else { "" };
    let mut sources: Vec<String> = item.members.iter().map(|m| names.get(m.source.as_str())).collect();
    sources.sort_unstable();
    sources.dedup();
    let changed = if item.changed.is_empty() {
        String::new()
    } else {
        format!("; sources differ on {}", item.changed.join(", "))
    };
    format!("{label}{since}{high} ({}{changed})", sources.join(", "))
}
