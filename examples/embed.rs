//! Embedding emr-core: load a record file, summarize it by source and kind, and validate it.
//!
//! Run: `cargo run -p emr-core --example embed -- tests/data/valid/synthea-alexis-toy.json`

#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::process::ExitCode;

use chrono::{TimeZone, Utc};
use emr_core::model::Record;
use emr_core::validate::{has_errors, validate};

fn main() -> ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: embed RECORD.json");
        return ExitCode::from(2);
    };
    let record: Record = match std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| {
        serde_json::from_str(&text).map_err(|e| format!("not an emr record (line {}, column {})", e.line(), e.column()))
    }) {
        Ok(record) => record,
        Err(message) => {
            eprintln!("error: {path}: {message}");
            return ExitCode::from(2);
        }
    };

    // Entries per source and kind, in a deterministic order.
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for entry in &record.entries {
        let source = record
            .source(&entry.provenance().source)
            .and_then(|s| s.name.clone())
            .unwrap_or_else(|| entry.provenance().source.to_string());
        *counts.entry((source, entry.kind().as_str())).or_default() += 1;
    }
    println!("{} entries from {} sources", record.entries.len(), record.sources.len());
    for ((source, kind), n) in &counts {
        println!("  {source:<40} {kind:<18} {n:>4}");
    }

    // A fixed "now" keeps the output reproducible; an application passes the current time.
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
    let findings = validate(&record, now);
    for f in &findings {
        println!("{} {} {} ({})", f.severity.as_str(), f.code, f.message, f.path);
    }
    println!("{} finding(s)", findings.len());
    if has_errors(&findings) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
