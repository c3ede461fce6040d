//! C-CDA import benchmark: `ccda::import` (parse, mapping to FHIR, FHIR import with validation)
//! on every complete C-CDA document under the shared data (recursively; the files
//! `ccda::looks_like_ccda` accepts) held in memory, the best of N rounds, and the count of
//! documents imported without error; then peers (run as child processes on the same files,
//! printing one JSON line), and both emr-core and the first peer again on only the documents
//! that peer converts (its report lists them as `okFiles`), so that the throughputs compare
//! the same work. For scale, the same XML parsed alone (quick-xml tokens, a roxmltree DOM), with
//! nothing mapped, validated or built. A benchmark, not a test: nothing fails on speed.
//!
//! Run it with `bash scripts/bench-ccda.sh` (installs the npm peer first), or alone with
//! `cargo bench -p emr-core --bench ccda`.
//!
//! Options (after `--`): `--data DIR` (default `../shared/data/ccda`),
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

/// The XML files under `dir` (recursively, sorted) that are complete C-CDA documents (what
/// `ccda::looks_like_ccda` accepts: section fragments and stubs are left out).
fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e.eq_ignore_ascii_case("xml"))
            && ccda::looks_like_ccda(&std::fs::read(&p).unwrap())
        {
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

/// An array of numbers in a peer's report (`"okFiles":[0,3,4]`).
fn indices(line: &str, key: &str) -> Option<Vec<usize>> {
    let at = line.find(&format!("\"{key}\":["))? + key.len() + 4;
    let rest = &line[at..];
    let list = &rest[..rest.find(']')?];
    Some(list.split(',').filter(|i| !i.trim().is_empty()).map(|i| i.trim().parse().unwrap()).collect())
}

/// emr-core on `docs`: the best round of `ccda::import` and of `ccda::to_fhir` in seconds, the
/// documents imported and their entries, and the first round of `ccda::import` (a cold start).
fn measure(docs: &[String], rounds: usize) -> (f64, f64, usize, usize, f64) {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let options = ImportOptions::default();
    let (mut best, mut ok, mut entries, mut first) = (f64::INFINITY, 0, 0, None);
    for _ in 0..rounds {
        let start = Instant::now();
        ok = 0;
        entries = 0;
        for xml in docs {
            if let Ok(imported) = ccda::import(black_box(xml), &options, now) {
                ok += 1;
                entries += imported.record.entries.len();
            }
        }
        let seconds = start.elapsed().as_secs_f64();
        first.get_or_insert(seconds);
        best = best.min(seconds);
    }
    // The stage before FHIR import: XML parse and mapping to FHIR JSON text.
    let mut best_convert = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for xml in docs {
            let _ = black_box(ccda::to_fhir(black_box(xml)));
        }
        best_convert = best_convert.min(start.elapsed().as_secs_f64());
    }
    (best, best_convert, ok, entries, first.unwrap_or(best))
}

/// For scale, what parsing the XML alone costs, with nothing mapped, validated or built: the
/// best round in seconds of (1) the tokens of `quick-xml` (the tokenizer `ccda::import` reads,
/// configured as it is: every event read, no tree) and (2) `roxmltree`'s DOM (the parser the
/// tests check the narrative with).
fn measure_parse_only(docs: &[String], rounds: usize) -> (f64, f64) {
    let mut tokens = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for xml in docs {
            let mut reader = quick_xml::Reader::from_str(black_box(xml));
            reader.config_mut().check_comments = true;
            reader.config_mut().trim_text_start = true;
            while let Ok(event) = reader.read_event() {
                if matches!(event, quick_xml::events::Event::Eof) {
                    break;
                }
                black_box(event);
            }
        }
        tokens = tokens.min(start.elapsed().as_secs_f64());
    }
    let mut dom = f64::INFINITY;
    for _ in 0..rounds {
        let start = Instant::now();
        for xml in docs {
            let _ = black_box(roxmltree::Document::parse(black_box(xml)));
        }
        dom = dom.min(start.elapsed().as_secs_f64());
    }
    (tokens, dom)
}

/// A peer's report on `paths`: its JSON line, or `None` (said on stderr) when it printed none.
fn run_peer(cmd: &str, rounds: usize, paths: &[PathBuf]) -> Option<String> {
    let mut parts = cmd.split_whitespace();
    let program = parts.next().unwrap();
    let output = Command::new(program)
        .args(parts)
        .arg("--rounds")
        .arg(rounds.to_string())
        .args(paths)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    let line = String::from_utf8_lossy(&output.stdout).lines().last().unwrap_or_default().to_owned();
    if field(&line, "seconds").is_none() {
        eprintln!("peer `{cmd}` printed no report: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    Some(line)
}

/// A table row: importer, MB/s (best round), MB/s of the first round, converted, failed, errors.
type Row = (String, f64, Option<f64>, usize, usize, String);

/// The ratio of two rows' first rounds, when both have one.
fn ratio(a: &Row, b: &Row) -> String {
    a.2.zip(b.2).map_or_else(|| "not measured".to_owned(), |(a, b)| format!("{:.0}×", a / b))
}

fn table(md: &mut String, rows: &[Row]) {
    md.push_str(
        "| importer | MB/s | first round MB/s | documents converted | failed | errors |\n|---|---:|---:|---:|---:|---|\n",
    );
    for (name, mbs, first, ok, failed, errors) in rows {
        let first = first.map_or_else(String::new, |f| format!("{f:.1}"));
        writeln!(md, "| {name} | {mbs:.1} | {first} | {ok} | {failed} | {} |", errors.replace('|', "\\|")).unwrap();
    }
}

fn main() {
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ccda");
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
    assert!(!paths.is_empty(), "no C-CDA documents under {}", data.display());
    let docs: Vec<String> = paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text)
        })
        .collect();
    let megabytes = |docs: &[String]| docs.iter().map(String::len).sum::<usize>() as f64 / 1e6;
    let mb = megabytes(&docs);

    let (best, best_convert, ok, entries, first) = measure(&docs, rounds);
    let mut rows: Vec<Row> = vec![
        (
            format!("emr-core ccda::import (Rust, release; {entries} entries)"),
            mb / best,
            Some(mb / first),
            ok,
            docs.len() - ok,
            String::new(),
        ),
        (
            "  of which ccda::to_fhir (XML → FHIR JSON text)".to_owned(),
            mb / best_convert,
            None,
            ok,
            docs.len() - ok,
            String::new(),
        ),
    ];
    let (tokens, dom) = measure_parse_only(&docs, rounds);
    let scale: Vec<(&str, f64)> = vec![
        ("quick-xml 0.42: tokens only (the tokenizer ccda::import reads; no tree)", mb / tokens),
        ("roxmltree 0.21: DOM only", mb / dom),
    ];
    // The first peer again, beside emr-core, on only the documents it converts.
    let mut same = None;
    for (n, cmd) in peers.iter().enumerate() {
        let Some(line) = run_peer(cmd, peer_rounds, &paths) else { continue };
        let (Some(name), Some(secs), Some(pok), Some(failed)) =
            (field(&line, "name"), field(&line, "seconds"), field(&line, "ok"), field(&line, "failed"))
        else {
            eprintln!("peer `{cmd}` printed an incomplete report: {line}");
            continue;
        };
        let name = name.trim_matches('"').to_owned();
        let errors = line.split("\"errors\":").nth(1).unwrap_or("[]").trim_end_matches('}').to_owned();
        let first = field(&line, "first").and_then(|f| f.parse::<f64>().ok()).map(|f| mb / f);
        rows.push((
            name.clone(),
            mb / secs.parse::<f64>().unwrap(),
            first,
            pok.parse().unwrap(),
            failed.parse().unwrap(),
            errors,
        ));
        if n > 0 || same.is_some() {
            continue;
        }
        let Some(converted) = indices(&line, "okFiles").filter(|i| !i.is_empty()) else { continue };
        let sub_paths: Vec<PathBuf> = converted.iter().map(|&i| paths[i].clone()).collect();
        let sub_docs: Vec<String> = converted.iter().map(|&i| docs[i].clone()).collect();
        let sub_mb = megabytes(&sub_docs);
        let (sub_best, _, sub_ok, sub_entries, sub_first) = measure(&sub_docs, rounds);
        let Some(peer_line) = run_peer(cmd, peer_rounds, &sub_paths) else { continue };
        let peer_secs: f64 = field(&peer_line, "seconds").unwrap().parse().unwrap();
        let peer_ok: usize = field(&peer_line, "ok").unwrap().parse().unwrap();
        let peer_first = field(&peer_line, "first").and_then(|f| f.parse::<f64>().ok()).map(|f| sub_mb / f);
        same = Some((
            sub_docs.len(),
            sub_mb,
            vec![
                (
                    format!("emr-core ccda::import (Rust, release; {sub_entries} entries)"),
                    sub_mb / sub_best,
                    Some(sub_mb / sub_first),
                    sub_ok,
                    sub_docs.len() - sub_ok,
                    String::new(),
                ),
                (name, sub_mb / peer_secs, peer_first, peer_ok, sub_docs.len() - peer_ok, String::new()),
            ],
        ));
    }

    let mut md = format!(
        "C-CDA import, {} complete documents ({:.2} MB) under `{}`, best of {rounds} rounds (peers: {peer_rounds})\n\n",
        docs.len(),
        mb,
        data.display()
    );
    table(&mut md, &rows);
    if let Some(peer) = rows.get(2) {
        writeln!(
            md,
            "\nemr-core / first peer throughput: {:.0}× (first rounds: {})",
            rows[0].1 / peer.1,
            ratio(&rows[0], peer)
        )
        .unwrap();
    }
    let peer = rows.get(2).map(|p| p.1);
    md.push_str("\nFor scale, parsing the same XML alone (nothing mapped, validated or built), in the same run:\n\n");
    md.push_str("| XML parser | MB/s | × first peer |\n|---|---:|---:|\n");
    for (name, mbs) in &scale {
        let times = peer.map_or_else(|| "not measured".to_owned(), |p| format!("{:.0}×", mbs / p));
        writeln!(md, "| {name} | {mbs:.1} | {times} |").unwrap();
    }
    if let Some((n, sub_mb, sub_rows)) = &same {
        writeln!(md, "\nThe same, on only the {n} documents ({sub_mb:.2} MB) the first peer converts:\n").unwrap();
        table(&mut md, sub_rows);
        writeln!(
            md,
            "\nemr-core / first peer throughput on those documents: {:.0}× (first rounds: {})",
            sub_rows[0].1 / sub_rows[1].1,
            ratio(&sub_rows[0], &sub_rows[1])
        )
        .unwrap();
    }
    print!("{md}");
    if let Some(path) = markdown {
        std::fs::write(path, md).unwrap();
    }
}
