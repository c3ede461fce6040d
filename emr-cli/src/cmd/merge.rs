//! `emr merge`: records of one patient merged into a new file, with the merge report.

use std::path::PathBuf;
use std::time::Duration;

use emr_core::merge::{merge, MergeError, MergeOptions, MergeReport};
use emr_core::model::Record;

use crate::cli::MergeArgs;
use crate::error::CliError;
use crate::output::{check, print, print_json, Rules};
use crate::store::{Protection, Stamp, Store, WriteLock};
use crate::unlock::{open, recipients, stamp};

use super::{Outcome, SourceNames};

/// Run `emr merge`.
///
/// # Errors
/// OUT exists (without `--force`), an input does not open, the records may describe
/// different patients (without `--force`), write errors.
pub fn run(args: &MergeArgs) -> Result<Outcome, CliError> {
    check(&args.output, &Rules::new(args.force).inputs(args.inputs.iter().map(PathBuf::as_path)))?;
    let keys = recipients(&args.recipients, &args.recipients_files)?;
    let mut records = Vec::new();
    let mut first_protection = None;
    for input in &args.inputs {
        let store = open(input, &args.unlock)?;
        if first_protection.is_none() {
            first_protection = Some(store.protection().clone());
        }
        records.push(store.to_record()?);
    }
    let protection = if keys.is_empty() {
        first_protection.ok_or_else(|| CliError::usage("no input", "give at least one IN.emr"))?
    } else {
        Protection::Recipients(keys)
    };
    let (merged, report) = merge_records(&records, args.force)?;
    let stamp = stamp(&args.write);
    write_merged(&args.output, &merged, protection, &stamp, args.write.lock_timeout, args.force)?;
    if args.json {
        print_json(&report)?;
    } else {
        print(&format!(
            "wrote {}\n{}",
            args.output.display(),
            report_text(&report, &SourceNames::of(&merged), Some(&merged))
        ))?;
    }
    Ok(Outcome::Success)
}

/// Merge, mapping a refusal to [`CliError::DifferentPatients`].
///
/// # Errors
/// [`CliError::DifferentPatients`] unless `force`.
pub fn merge_records(records: &[Record], force: bool) -> Result<(Record, MergeReport), CliError> {
    merge(records, &MergeOptions { force }).map_err(|e| match e {
        MergeError::DifferentPatients { summary, .. } => CliError::DifferentPatients(summary),
        other => CliError::core(other.code(), other.to_string(), "see `emr merge --help`"),
    })
}

/// Write a merged record to a new `.emr` file (replacing it with `force`).
///
/// # Errors
/// The file exists (without `force`), lock and write errors.
pub fn write_merged(
    path: &std::path::Path,
    record: &Record,
    protection: Protection,
    stamp: &Stamp,
    lock_timeout: u64,
    force: bool,
) -> Result<(), CliError> {
    let lock = WriteLock::acquire(path, Duration::from_secs(lock_timeout))?;
    // Checked again under the lock: another process may have created it meanwhile.
    check(path, &Rules::new(force))?;
    let mut store = Store::from_record(path, record, protection, stamp)?;
    store.save(&lock)?;
    Ok(())
}

/// The report for people: the summary, per-source counts, and every conflict (with each
/// source's value when `record`, the merged record, is given).
pub fn report_text(report: &MergeReport, names: &SourceNames, record: Option<&Record>) -> String {
    let mut out = format!("{}\n", report.summary.trim_end());
    out.push_str("\nSources:\n");
    for s in &report.sources {
        out.push_str(&format!(
            "  {:<24} {:>5} entries, {:>5} current, {} retracted, {} superseded\n",
            names.get(s.source.as_str()),
            s.entries,
            s.current,
            s.retracted,
            s.superseded
        ));
    }
    out.push_str(&format!(
        "\n{} view item(s); {} folded group(s); {} suppressed; {} retracted\n",
        report.view_items,
        report.folded.iter().filter(|f| f.members.len() > 1).count(),
        report.suppressed.len(),
        report.retracted.len()
    ));
    if report.conflicts.is_empty() {
        out.push_str("No conflicts.\n");
    } else {
        out.push_str(&format!("\nConflicts ({}):\n", report.conflicts.len()));
        for c in &report.conflicts {
            let sources: Vec<String> = c.sources.iter().map(|s| names.get(s.as_str())).collect();
            let resolution =
                serde_json::to_value(c.resolution).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            out.push_str(&format!(
                "  {} {}: sources disagree on {} ({}); view shows: {}\n",
                c.kind,
                c.id,
                c.field,
                sources.join(", "),
                resolution
            ));
            for e in &c.entries {
                let value = record.and_then(|r| field_value(r, e, &c.field)).unwrap_or_else(|| "(not stated)".into());
                out.push_str(&format!("      {:<40} {}\n", names.get(e.source.as_str()), value));
            }
        }
    }
    out
}

/// The disputed field of entry `r`, with when it was recorded.
fn field_value(record: &Record, r: &emr_core::model::EntryRef, field: &str) -> Option<String> {
    let entry = record.entry(r)?;
    let text = emr_core::merge::disputed_value(entry, field)?;
    Some(format!("{text}  (recorded {})", recorded(entry).unwrap_or_else(|| "?".into())))
}

fn recorded(entry: &emr_core::model::Entry) -> Option<String> {
    entry.provenance().recorded.map(|d| d.to_string()).or_else(|| entry.clinical().recorded.map(|d| d.to_string()))
}
