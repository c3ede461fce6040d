//! C-CDA import benchmark: `ccda::import` (parse, mapping to FHIR, FHIR import with validation)
//! on every complete C-CDA document under the shared data (recursively; the files
//! `ccda::looks_like_ccda` accepts) held in memory, the best of N rounds, and the count of
//! documents imported without error; then peers (run as child processes on the same files,
//! printing one JSON line), and both emr-core and the first peer again on only the documents
//! that peer converts (its report lists them as `okFiles`), so that the throughputs compare
//! the same work. For scale, the same XML parsed alone (quick-xml tokens, a roxmltree DOM), with
//! nothing mapped, validated or built. Then large documents, generated deterministically from
//! the shared examples (`tests/common/large_ccda.rs`, written to `target/bench-ccda-large/`): a
//! CCD whose Results entries are repeated with distinct ids and an unstructured document with a
//! large embedded PDF, each imported by emr-core (MB/s, and peak memory in a child process, this
//! binary again with `--peak-mem FILE`) and by the peers (one child process per document, with a
//! timeout; its error when it fails). A benchmark, not a test: nothing fails on speed.
//!
//! Run it with `bash scripts/bench-ccda.sh` (installs the npm peer first), or alone with
//! `cargo bench -p emr-core --bench ccda`.
//!
//! Options (after `--`): `--data DIR` (default `../shared/data/ccda`),
//! `--rounds N`, `--peer-rounds N` (default: the rounds; the peer's JIT warms up over them), `--peer-cmd "PROGRAM ARGS…"` (repeatable; gets
//! `--rounds N FILE…` appended), `--markdown FILE`, `--large-mb N` (size of the large
//! documents, default 30; 0 leaves them out), `--large-rounds N` (default 3),
//! `--large-peer-rounds N` (default 1), `--peer-timeout SECONDS` (per large document, default 120).
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
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use emr_core::ccda;
use emr_core::fhir::ImportOptions;

#[path = "../tests/common/large_ccda.rs"]
mod large;

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

#[path = "common/proc_status.rs"]
mod proc_status;
use proc_status::proc_status;

/// Child mode (`--peak-mem FILE`): import one file, print peak memory as a JSON line.
fn peak_mem_child(file: &Path) {
    let (base_hwm, _) = proc_status();
    let bytes = std::fs::read(file).unwrap();
    let (read_hwm, _) = proc_status();
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let imported = ccda::import_bytes(&bytes, &ImportOptions::default(), now).unwrap();
    let (peak_hwm, rss) = proc_status();
    black_box(&imported);
    println!(
        "{{\"file_bytes\":{},\"base_hwm_kib\":{base_hwm},\"read_hwm_kib\":{read_hwm},\"peak_hwm_kib\":{peak_hwm},\"rss_after_kib\":{rss}}}",
        bytes.len()
    );
}

/// Peak memory of importing `file` in a child process: (peak − RSS before reading the file,
/// peak − RSS after reading it), in bytes.
fn peak_mem(file: &Path) -> Result<(u64, u64), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let out = Command::new(exe).arg("--peak-mem").arg(file).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("child failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let n = |k: &str| field(&line, k).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    let peak = n("peak_hwm_kib");
    Ok((peak.saturating_sub(n("base_hwm_kib")) * 1024, peak.saturating_sub(n("read_hwm_kib")) * 1024))
}

/// The large documents, generated from the shared examples found among `paths` (a CCD with
/// Results, an unstructured document with an embedded PDF) to about `mb` MB each, written to
/// `dir`: (description, path). Empty when the examples are not among `paths`.
fn generate_large(paths: &[PathBuf], dir: &Path, mb: usize) -> Vec<(String, PathBuf)> {
    let find = |suffix: &str| paths.iter().find(|p| p.to_string_lossy().replace('\\', "/").ends_with(suffix));
    std::fs::create_dir_all(dir).unwrap();
    let mut out = Vec::new();
    if let Some(ccd) = find("CCD 1/CCD.XML") {
        let ccd = std::fs::read_to_string(ccd).unwrap();
        let doc = roxmltree::Document::parse(&ccd).unwrap();
        let entries: Vec<_> = large::results_section(&doc).children().filter(|n| n.has_tag_name("entry")).collect();
        let block = entries.last().unwrap().range().end - entries[0].range().start;
        let copies = (mb * 1_000_000).saturating_sub(ccd.len()) / block + 1;
        let xml = large::repeat_results(&ccd, copies);
        let (organizers, observations) = large::count_results(&xml);
        let path = dir.join("ccd-results.xml");
        std::fs::write(&path, &xml).unwrap();
        out.push((
            format!("HL7 CCD 1, Results entries ×{copies} ({organizers} organizers, {observations} observations)"),
            path,
        ));
    }
    if let Some(doc) = find("CDA with Embedded PDF 1/Unstructured_Document_embed.xml") {
        let pdf = std::fs::read(doc.with_file_name("C-CDA_R2_UD_sample.pdf")).unwrap();
        let doc = std::fs::read_to_string(doc).unwrap();
        let payload = large::repeated(&pdf, mb * 1_000_000 / 4 * 3);
        let path = dir.join("unstructured-pdf.xml");
        std::fs::write(&path, large::embed(&doc, &payload)).unwrap();
        out.push((
            format!(
                "HL7 unstructured document, embedded PDF ({:.1} MB, its sample PDF repeated)",
                payload.len() as f64 / 1e6
            ),
            path,
        ));
    }
    out
}

/// How a peer fared on one large document.
struct PeerRun {
    /// Its report line, when it printed one.
    line: Option<String>,
    /// Why it printed none (timeout, crash, out of memory).
    error: Option<String>,
    /// Max RSS of the process (`/usr/bin/time`), in bytes.
    max_rss: Option<u64>,
}

/// A peer on `files` (a child process with `timeout`; killed when it runs over).
fn run_peer_timed(cmd: &str, rounds: usize, files: &[PathBuf], timeout: Duration) -> PeerRun {
    let time = Path::new("/usr/bin/time");
    let mut parts = cmd.split_whitespace();
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("time-max-rss-kib=%M").arg(parts.next().unwrap());
        c
    } else {
        Command::new(parts.next().unwrap())
    };
    command.args(parts).arg("--rounds").arg(rounds.to_string()).args(files);
    // A process group of its own, so that a timeout ends the peer itself, not only `time`.
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut child =
        command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{cmd}: {e}"));
    let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut pipe) = pipe {
                let _ = std::io::Read::read_to_string(&mut pipe, &mut text);
            }
            text
        })
    };
    let stdout = read(child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let stderr = read(child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>));
    let start = Instant::now();
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > timeout {
            // This child's own process group only (`time` and the peer it runs).
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (stdout, stderr) = (stdout.join().unwrap(), stderr.join().unwrap());
    let max_rss = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("time-max-rss-kib="))
        .and_then(|n| n.parse::<u64>().ok())
        .map(|k| k * 1024);
    let line = stdout.lines().last().filter(|l| field(l, "seconds").is_some()).map(str::to_owned);
    let error = if timed_out {
        Some(format!("no result within {} s (killed)", timeout.as_secs()))
    } else if line.is_none() {
        let why = stderr
            .lines()
            .find(|l| l.contains("heap out of memory") || l.contains("Error"))
            .or_else(|| stderr.lines().rfind(|l| !l.starts_with("time-max-rss-kib=") && !l.trim().is_empty()))
            .unwrap_or_default()
            .trim()
            .chars()
            .take(120)
            .collect::<String>();
        Some(format!("{}: {why}", status.map_or_else(|| "killed".to_owned(), |s| s.to_string())))
    } else {
        None
    };
    PeerRun { line, error, max_rss }
}

/// Options of the large-documents part.
struct LargeOptions {
    mb: usize,
    rounds: usize,
    peer_rounds: usize,
    timeout: Duration,
}

/// The large-documents part of the report (markdown), or `None` when no example to grow is found.
fn large_part(paths: &[PathBuf], peers: &[String], o: &LargeOptions) -> Option<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-ccda-large");
    let generated = generate_large(paths, &dir, o.mb);
    if generated.is_empty() {
        return None;
    }
    // Each peer's own footprint with no document (Node's runtime), subtracted from its max RSS.
    // Its name too, from that run's report (the name of a peer that fails on a document).
    let baselines: Vec<PeerRun> =
        peers.iter().map(|cmd| run_peer_timed(cmd, 1, &[], Duration::from_secs(30))).collect();
    let mut md = format!(
        "\nLarge documents, generated from the shared examples (`tests/common/large_ccda.rs`, into `target/bench-ccda-large/`), \
         emr-core best of {} rounds, peers {} round(s), {} s timeout per document:\n\n",
        o.rounds,
        o.peer_rounds,
        o.timeout.as_secs()
    );
    md.push_str(
        "| document | MB | importer | MB/s | first round MB/s | entries / result | memory growth ÷ size | same, beyond the input bytes |\n\
         |---|---:|---|---:|---:|---|---:|---:|\n",
    );
    for (name, path) in &generated {
        let xml = std::fs::read_to_string(path).unwrap();
        let mb = xml.len() as f64 / 1e6;
        let docs = [xml];
        let (best, _, ok, entries, first) = measure(&docs, o.rounds);
        let [xml] = docs;
        drop(xml);
        let result = if ok == 1 { format!("{entries} entries") } else { "failed".to_owned() };
        let (growth, beyond) = match peak_mem(path) {
            Ok((g, b)) => (format!("{:.2}×", g as f64 / 1e6 / mb), format!("{:.2}×", b as f64 / 1e6 / mb)),
            Err(e) => (format!("not measured: {e}"), String::new()),
        };
        writeln!(
            md,
            "| {name} | {mb:.1} | emr-core ccda::import (Rust, release) | {:.1} | {:.1} | {result} | {growth} | {beyond} |",
            mb / best,
            mb / first
        )
        .unwrap();
        for (cmd, baseline) in peers.iter().zip(&baselines) {
            let run = run_peer_timed(cmd, o.peer_rounds, std::slice::from_ref(path), o.timeout);
            let growth = run.max_rss.zip(baseline.max_rss).map_or_else(
                || "not measured".to_owned(),
                |(m, b)| format!("{:.2}× (max RSS − Node alone)", m.saturating_sub(b) as f64 / 1e6 / mb),
            );
            let (peer, mbs, first, result) = match &run.line {
                Some(line) => {
                    let name = field(line, "name").unwrap_or("peer").trim_matches('"').to_owned();
                    let secs: f64 = field(line, "seconds").unwrap().parse().unwrap();
                    let first = field(line, "first").and_then(|f| f.parse::<f64>().ok());
                    let converted = field(line, "ok") == Some("1");
                    let errors = line.split("\"errors\":").nth(1).unwrap_or("[]").trim_end_matches('}').to_owned();
                    let result = if converted { "converted".to_owned() } else { format!("failed: {errors}") };
                    (
                        name,
                        if converted { format!("{:.1}", mb / secs) } else { String::new() },
                        first.filter(|_| converted).map_or_else(String::new, |f| format!("{:.1}", mb / f)),
                        result,
                    )
                }
                None => (
                    baseline
                        .line
                        .as_deref()
                        .and_then(|l| field(l, "name"))
                        .map_or_else(|| cmd.clone(), |n| n.trim_matches('"').to_owned()),
                    String::new(),
                    String::new(),
                    format!("failed: {}", run.error.unwrap_or_default()),
                ),
            };
            writeln!(
                md,
                "| {name} | {mb:.1} | {peer} | {mbs} | {first} | {} | {growth} | |",
                result.replace('|', "\\|")
            )
            .unwrap();
        }
    }
    md.push_str(
        "\nMemory growth: emr-core's peak resident set (`VmHWM`, in a child process) minus its resident set before \
         reading the file, ÷ the file size (the input bytes themselves are 1×); beyond the input bytes: minus the \
         resident set after reading it. Peers: the process's max RSS (`/usr/bin/time`) minus that of the same peer \
         run on no document.\n",
    );
    Some(md)
}

fn main() {
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/ccda");
    let (mut rounds, mut peer_rounds, mut peers, mut markdown) = (20usize, None, Vec::new(), None);
    let mut large = LargeOptions { mb: 30, rounds: 3, peer_rounds: 1, timeout: Duration::from_secs(120) };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--peak-mem" => return peak_mem_child(Path::new(&it.next().unwrap())),
            "--large-mb" => large.mb = it.next().unwrap().parse().unwrap(),
            "--large-rounds" => large.rounds = it.next().unwrap().parse().unwrap(),
            "--large-peer-rounds" => large.peer_rounds = it.next().unwrap().parse().unwrap(),
            "--peer-timeout" => large.timeout = Duration::from_secs(it.next().unwrap().parse().unwrap()),
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
    if large.mb > 0 {
        match large_part(&paths, &peers, &large) {
            Some(part) => md.push_str(&part),
            None => md.push_str(
                "\nLarge documents: not measured (the examples they are made from are not under the data folder).\n",
            ),
        }
    }
    print!("{md}");
    if let Some(path) = markdown {
        std::fs::write(path, md).unwrap();
    }
}
