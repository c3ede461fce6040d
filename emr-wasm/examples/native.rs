//! The native twin of the npm package, for the tests and the benchmark that compare the two
//! runtimes on the same input (`scripts/test-wasm.sh`, `scripts/bench-wasm.sh`):
//!
//! ```text
//! native open BUNDLE (--passphrase P | --identity AGE-SECRET-KEY-1…)
//!     opens a bundle with emr-core, prints {"record":{"sha256","bytes"},"entries":N} of the record
//! native bench FHIR.json SPLIT.json [ITERATIONS]
//!     times emr-core on a FHIR input: import (as `fromFhir`) and merge of its per-source records
//!     (as `mergeJson`), which it writes to SPLIT.json for the wasm side; prints the timings
//! ```

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use emr_core::bundle::{open, OpenKey};
use emr_core::fhir::{import, ImportOptions};
use emr_core::merge::{merge, MergeOptions};
use emr_core::model::Record;
use sha2::{Digest, Sha256};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["open", file, "--passphrase", p] => open_bundle(file, &OpenKey::Passphrase(p)),
        ["open", file, "--identity", i] => open_bundle(file, &OpenKey::Identity(i)),
        ["bench", fhir, split] => bench(fhir, split, 10),
        ["bench", fhir, split, n] => match n.parse() {
            Ok(n) if n > 0 => bench(fhir, split, n),
            _ => Err("ITERATIONS must be a positive integer".to_owned()),
        },
        _ => Err("usage: native open BUNDLE (--passphrase P | --identity KEY) | native bench FHIR.json SPLIT.json [N]"
            .to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("native: {e}");
            ExitCode::FAILURE
        }
    }
}

fn open_bundle(file: &str, key: &OpenKey<'_>) -> Result<(), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{file}: {e}"))?;
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("bad date")?;
    let opened = open(&bytes, key, now).map_err(|e| e.to_string())?;
    let text = serde_json::to_string(&opened.record).map_err(|e| e.to_string())?;
    println!(
        r#"{{"record":{{"sha256":"{:x}","bytes":{}}},"entries":{}}}"#,
        Sha256::digest(text.as_bytes()),
        text.len(),
        opened.record.entries.len()
    );
    Ok(())
}

/// The record's entries split by source: one record per source, each with the patient — the
/// EMRs the source clinics would hold.
fn split_by_source(record: &Record) -> Vec<Record> {
    record
        .sources
        .iter()
        .map(|source| Record {
            format: record.format,
            patient: record.patient.clone(),
            sources: vec![source.clone()],
            entries: record.entries.iter().filter(|e| e.provenance().source == source.id).cloned().collect(),
        })
        .filter(|r| !r.entries.is_empty())
        .collect()
}

/// The best (minimum) of `n` timings of `f` after one warm-up, in milliseconds: the figure least
/// disturbed by other jobs on a shared machine.
fn best_ms(n: usize, mut f: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    f()?;
    let mut best = f64::INFINITY;
    for _ in 0..n {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(best)
}

fn bench(fhir: &str, split_out: &str, n: usize) -> Result<(), String> {
    let text = std::fs::read_to_string(fhir).map_err(|e| format!("{fhir}: {e}"))?;
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("bad date")?;
    let imported = import(&text, &ImportOptions::default(), now).map_err(|e| e.to_string())?;
    let parts = split_by_source(&imported.record);
    let texts: Vec<String> =
        parts.iter().map(serde_json::to_string).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
    std::fs::write(split_out, serde_json::to_string(&texts).map_err(|e| e.to_string())?)
        .map_err(|e| format!("{split_out}: {e}"))?;

    // What `fromFhirJson` does: import, and the record written as JSON.
    let import_ms = best_ms(n, || {
        let imported = import(&text, &ImportOptions::default(), now).map_err(|e| e.to_string())?;
        serde_json::to_string(&imported.record).map(drop).map_err(|e| e.to_string())
    })?;
    // What `mergeJson` does: records read from JSON, merged, the result written as JSON.
    let merge_ms = best_ms(n, || {
        let records: Vec<Record> =
            texts.iter().map(|t| serde_json::from_str(t)).collect::<Result<_, _>>().map_err(|e| e.to_string())?;
        let (record, report) = merge(&records, &MergeOptions::default()).map_err(|e| e.to_string())?;
        serde_json::to_string(&record).map(drop).map_err(|e| e.to_string())?;
        serde_json::to_string(&report).map(drop).map_err(|e| e.to_string())
    })?;
    println!(
        r#"{{"input":{},"bytes":{},"entries":{},"sources":{},"iterations":{n},"importMs":{import_ms:.2},"mergeMs":{merge_ms:.2}}}"#,
        serde_json::to_string(fhir).map_err(|e| e.to_string())?,
        text.len(),
        imported.record.entries.len(),
        parts.len(),
    );
    Ok(())
}
