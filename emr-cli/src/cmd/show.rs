//! `emr show`: one entry.

use crate::cli::ShowArgs;
use crate::error::CliError;
use crate::output::print;
use crate::render;
use crate::unlock::open;

use super::Outcome;

/// Run `emr show`.
///
/// # Errors
/// No such entry, an id shared by several sources (without `--source`), and file errors.
pub fn run(args: &ShowArgs) -> Result<Outcome, CliError> {
    let store = open(&args.file, &args.unlock)?;
    let mut rows = store.entries_by_id(&args.id)?;
    if let Some(source) = &args.source {
        rows.retain(|r| &r.source == source);
    }
    let mut sources: Vec<&str> = rows.iter().map(|r| r.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    if sources.len() > 1 {
        return Err(CliError::usage(
            format!("{} sources have an entry with this id: {}", sources.len(), sources.join(", ")),
            "choose one with --source ID",
        ));
    }
    let row = match args.entry_version {
        Some(v) => rows.iter().find(|r| r.version == v),
        None => rows.iter().max_by_key(|r| r.version),
    }
    .ok_or_else(|| CliError::usage("no entry with this id (and version)", "see the ids with `emr list`"))?;
    if args.json {
        // Pretty-printed through the lossless JSON tree, so decimals keep their form.
        let text = emr_core::json::parse(&row.to_json()?)
            .map(|j| j.to_pretty_string())
            .map_err(|e| CliError::Internal(e.to_string()))?;
        print(&format!("{text}\n"))?;
    } else {
        print(&render::entry::detail(row))?;
    }
    Ok(Outcome::Success)
}
