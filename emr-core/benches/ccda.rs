//! C-CDA import benchmark: `ccda::import` (parse, mapping to FHIR, FHIR import with validation)
//! on every shared HL7 C-CDA example document held in memory, the best of N rounds, and the
//! count of documents imported without error; then peers (run as child processes on the same
//! files, printing one JSON line). A benchmark, not a test: nothing fails on speed.
//!
//! Run it with `bash scripts/bench-ccda.sh` (installs the npm peer first), or alone with
//! `cargo bench -p emr-core --bench ccda`.
//!
//! Options (after `--`): `--data DIR` (default `../shared/data/ccda/hl7-c-cda-examples/Documents`),
//! `--rounds N`, `--peer-rounds N` (default: the rounds; the peer's JIT warms up over them), `--peer-cmd "PROGRAM ARGS…"` (repeatable; gets
//! `--rounds N FILE…` appended), `--markdown FILE`.
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use chrono::{TimeZone, Utc};
use emr_core::ccda;
use emr_core::fhir::ImportOptions;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml")) {
            out.push(p);
        }
    }
}

/// A value of a flat JSON line (a peer's report), without a JSON dependency for one line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &line[at..];
    let end = rest.find([',', '}']).unwrap_or(rest.len());
    Some(rest[..end].trim())
}

fn main() {
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ccda/hl7-c-cda-examples/Documents");
    let (mut rounds, mut peer_rounds, mut peers, mut markdown) = (20usize, None, Vec::new(), None);
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => data = PathBuf::from(it.next().unwrap()),
            "--rounds" => rounds = it.next().unwrap().parse().unwrap(),
            "--peer-rounds" => peer_rounds = Some(it.next().unwrap().parse::<usize>().unwrap()),
            "--peer-cmd" => peers.push(it.next().unwrap()),
            "--markdown" => markdown = Some(PathBuf::from(it.next().unwrap())),
            _ => {} // cargo bench passes --bench
        }
    }
    let peer_rounds = peer_rounds.unwrap_or(rounds);
    let mut paths = Vec::new();
    files(&data, &mut paths);
    assert!(!paths.is_empty(), "no C-CDA files under {}", data.display());
    let docs: Vec<String> = paths.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect();
    let bytes: usize = docs.iter().map(String::len).sum();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let options = ImportOptions::default();

    let (mut best, mut ok, mut entries) = (f64::INFINITY, 0, 0);
    for _ in 0..rounds {
        let start = Instant::now();
        ok = 0;
        entries = 0;
        for xml in &docs {
            if let Ok(imported) = ccda::import(black_box(xml), &options, now) {
                ok += 1;
                entries += imported.record.entries.len();
            }
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    // The stage before FHIR import: XML parse and mapping to FHIR JSON text.
    let mut best_convert = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for xml in &docs {
            let _ = black_box(ccda::to_fhir(black_box(xml)));
        }
        best_convert = best_convert.min(start.elapsed().as_secs_f64());
    }
    let mb = bytes as f64 / 1e6;
    let mut rows = vec![
        (
            format!("emr-core ccda::import (Rust, release; {entries} entries)"),
            mb / best,
            ok,
            docs.len() - ok,
            String::new(),
        ),
        (
            "  of which ccda::to_fhir (XML → FHIR JSON text)".to_owned(),
            mb / best_convert,
            ok,
            docs.len() - ok,
            String::new(),
        ),
    ];
    for cmd in &peers {
        let mut parts = cmd.split_whitespace();
        let program = parts.next().unwrap();
        let output = Command::new(program)
            .args(parts)
            .arg("--rounds")
            .arg(peer_rounds.to_string())
            .args(&paths)
            .output()
            .unwrap_or_else(|e| panic!("{program}: {e}"));
        let line = String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or_default().to_owned();
        let (Some(name), Some(secs), Some(pok), Some(failed)) =
            (field(&line, "name"), field(&line, "seconds"), field(&line, "ok"), field(&line, "failed"))
        else {
            eprintln!("peer `{cmd}` printed no report: {}", String::from_utf8_lossy(&output.stderr));
            continue;
        };
        let errors = line.split("\"errors\":").nth(1).unwrap_or("[]").trim_end_matches('}').to_owned();
        rows.push((
            name.trim_matches('"').to_owned(),
            mb / secs.parse::<f64>().unwrap(),
            pok.parse().unwrap(),
            failed.parse().unwrap(),
            errors,
        ));
    }

    let mut md = format!(
        "C-CDA import, {} documents ({:.2} MB) from `{}`, best of {rounds} rounds (peers: {peer_rounds})\n\n\
         | importer | MB/s | documents converted | failed | errors |\n|---|---:|---:|---:|---|\n",
        docs.len(),
        mb,
        data.display()
    );
    for (name, mbs, ok, failed, errors) in &rows {
        writeln!(md, "| {name} | {mbs:.1} | {ok} | {failed} | {} |", errors.replace('|', "\\|")).unwrap();
    }
    if let Some(peer) = rows.get(2) {
        writeln!(md, "\nemr-core / first peer throughput: {:.0}×", rows[0].1 / peer.1).unwrap();
    }
    print!("{md}");
    if let Some(path) = markdown {
        std::fs::write(path, md).unwrap();
    }
}
