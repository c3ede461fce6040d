//! FHIR import/export benchmark: one run, the same bytes (every shared Synthea file in memory).
//!
//! Measures, interleaved round by round so that background load hits every line alike:
//! `serde_json::from_slice::<Value>` (the reference), `IgnoredAny` (a pure scan), our lossless
//! parse alone, import into a `Record` as shipped (parse + attribution + validation), the import
//! stages (import of a parsed tree; validation alone), and export back to JSON (`to_bundle`).
//! Then peak memory of importing the largest patient, in a child process (this binary again with
//! `--peak-mem`), and peers (other FHIR parsers, run as child processes on the same files).
//!
//! Run it with `bash scripts/bench-fhir.sh`, which builds and installs the peers first; or
//! alone with `cargo bench -p emr-core --bench fhir` (no peers).
//!
//! Options (after `--`): `--data DIR` (default `../shared/data/synthea`), `--rounds N`,
//! `--peer-rounds N`, `--peer-cmd "PROGRAM ARGS…"` (repeatable; the peer gets
//! `--rounds N FILE…` appended and prints one JSON line), `--peer-missing "NAME: why"`
//! (repeatable), `--markdown FILE` (write the tables as Markdown too).
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

use chrono::{DateTime, TimeZone, Utc};
use emr_core::fhir::{import_bytes, import_tree, to_bundle, ExportOptions, ImportOptions};
use emr_core::model::{PartialDate, Provenance, Record};

struct Args {
    data: PathBuf,
    rounds: usize,
    peer_rounds: usize,
    peers: Vec<String>,
    missing: Vec<String>,
    markdown: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let default_data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/synthea");
    let mut a =
        Args { data: default_data, rounds: 9, peer_rounds: 3, peers: Vec::new(), missing: Vec::new(), markdown: None };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--data" => a.data = PathBuf::from(value("--data")?),
            "--rounds" => a.rounds = value("--rounds")?.parse().map_err(|_| "--rounds: not a number")?,
            "--peer-rounds" => {
                a.peer_rounds = value("--peer-rounds")?.parse().map_err(|_| "--peer-rounds: not a number")?;
            }
            "--peer-cmd" => a.peers.push(value("--peer-cmd")?),
            "--peer-missing" => a.missing.push(value("--peer-missing")?),
            "--markdown" => a.markdown = Some(PathBuf::from(value("--markdown")?)),
            // `cargo bench` passes `--bench`; a filter word may follow. Neither applies here.
            _ => {}
        }
    }
    a.rounds = a.rounds.max(1);
    a.peer_rounds = a.peer_rounds.max(1);
    Ok(a)
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().expect("a valid date")
}

fn export_options() -> ExportOptions {
    ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse::<PartialDate>().expect("a valid date") }
}

/// Every `*.json` file of the folder, sorted by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e} (pass --data DIR)", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    out.sort();
    out
}

#[path = "common/proc_status.rs"]
mod proc_status;
use proc_status::proc_status;

/// Child mode: read one file, run one step on it, print peak memory as a JSON line.
fn peak_mem_child(what: &str, file: &Path) {
    let (base_hwm, _) = proc_status();
    let bytes = std::fs::read(file).expect("readable file");
    let (read_hwm, _) = proc_status();
    let kept: Box<dyn std::any::Any> = match what {
        "import" => Box::new(import_bytes(&bytes, &ImportOptions::default(), now()).expect("imports")),
        "value" => Box::new(serde_json::from_slice::<serde_json::Value>(&bytes).expect("parses")),
        _ => panic!("unknown --peak-mem step {what}"),
    };
    let (peak_hwm, rss) = proc_status();
    black_box(&kept);
    println!(
        "{{\"file_bytes\":{},\"base_hwm_kib\":{base_hwm},\"read_hwm_kib\":{read_hwm},\"peak_hwm_kib\":{peak_hwm},\"rss_after_kib\":{rss}}}",
        bytes.len()
    );
}

struct PeakMem {
    file_bytes: u64,
    base_kib: u64,
    read_kib: u64,
    peak_kib: u64,
    rss_after_kib: u64,
    /// `/usr/bin/time -f %M` of the same child, when available.
    time_max_rss_kib: Option<u64>,
}

fn peak_mem(what: &str, file: &Path) -> Result<PeakMem, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let time = Path::new("/usr/bin/time");
    let mut cmd = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-f").arg("time-max-rss-kib=%M").arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd.arg("--peak-mem").arg(what).arg(file).output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!("child failed: {}", String::from_utf8_lossy(&out.stderr).trim()));
    }
    let line = String::from_utf8_lossy(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).map_err(|e| e.to_string())?;
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let time_max_rss_kib =
        stderr.lines().find_map(|l| l.trim().strip_prefix("time-max-rss-kib=")).and_then(|n| n.parse().ok());
    Ok(PeakMem {
        file_bytes: n("file_bytes"),
        base_kib: n("base_hwm_kib"),
        read_kib: n("read_hwm_kib"),
        peak_kib: n("peak_hwm_kib"),
        rss_after_kib: n("rss_after_kib"),
        time_max_rss_kib,
    })
}

struct Peer {
    name: String,
    bytes: u64,
    secs: Vec<f64>,
    note: String,
}

fn run_peer(cmd: &str, rounds: usize, files: &[PathBuf]) -> Result<Peer, (String, String)> {
    let mut words = cmd.split_whitespace();
    let program = words.next().ok_or_else(|| (cmd.to_owned(), "empty command".to_owned()))?;
    let out = Command::new(program)
        .args(words)
        .arg("--rounds")
        .arg(rounds.to_string())
        .args(files)
        .output()
        .map_err(|e| (cmd.to_owned(), format!("could not start: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout.lines().rev().find(|l| l.trim_start().starts_with('{'));
    let Some(line) = line.filter(|_| out.status.success()) else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no output").to_owned();
        return Err((cmd.to_owned(), format!("exited with {}: {why}", out.status)));
    };
    let v: serde_json::Value = serde_json::from_str(line).map_err(|e| (cmd.to_owned(), e.to_string()))?;
    let name = v.get("peer").and_then(serde_json::Value::as_str).unwrap_or(cmd).to_owned();
    if let Some(err) = v.get("error").and_then(serde_json::Value::as_str) {
        return Err((name, format!("not installed or not importable: {err}")));
    }
    let n = |k: &str| v.get(k).and_then(serde_json::Value::as_u64).unwrap_or(0);
    let secs: Vec<f64> = v
        .get("secs")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(serde_json::Value::as_f64)
        .collect();
    let mut note = format!(
        "{} of {} files read; {} error-level issues; {} rejected",
        n("resources_ok"),
        n("files"),
        n("issues_error"),
        n("failed")
    );
    if let Some(f) = v.get("first_failure").and_then(serde_json::Value::as_str) {
        let _ = write!(note, " (first: {f})");
    }
    if secs.is_empty() {
        return Err((name, "reported no timings".to_owned()));
    }
    Ok(Peer { name, bytes: n("bytes"), secs, note })
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn mbps(bytes: u64, secs: f64) -> f64 {
    bytes as f64 / secs / 1e6
}

/// A measured step: its name and a function that runs it over all the data once.
struct Step<'a> {
    name: &'static str,
    note: &'static str,
    run: Box<dyn Fn() -> usize + 'a>,
    secs: Vec<f64>,
}

fn main() {
    let mut argv = std::env::args().skip(1);
    if argv.next().as_deref() == Some("--peak-mem") {
        let what = argv.next().expect("--peak-mem STEP FILE");
        let file = argv.next().expect("--peak-mem STEP FILE");
        peak_mem_child(&what, Path::new(&file));
        return;
    }
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench fhir: {e}");
            std::process::exit(2);
        }
    };
    let paths = files(&a.data);
    let texts: Vec<Vec<u8>> = paths.iter().map(|p| std::fs::read(p).expect("readable file")).collect();
    let total: u64 = texts.iter().map(|t| t.len() as u64).sum();
    eprintln!("bench fhir: {} files, {:.2} MB, {} rounds", texts.len(), total as f64 / 1e6, a.rounds);

    // Inputs of the later stages, made once (not timed).
    let options = ImportOptions::default();
    let export = export_options();
    let trees: Vec<_> = texts.iter().map(|t| emr_core::json::parse_bytes(t).expect("valid JSON")).collect();
    let imported: Vec<_> = texts.iter().map(|t| import_bytes(t, &options, now()).expect("imports")).collect();
    let records: Vec<&Record> = imported.iter().map(|i| &i.record).collect();
    let entries: usize = records.iter().map(|r| r.entries.len()).sum();
    let findings: usize = imported.iter().map(|i| i.findings.len()).sum();
    // Every resource of the parsed inputs (Bundle entries, one level), for the per-resource stage.
    let resources: Vec<&emr_core::json::Json<'_>> = trees
        .iter()
        .flat_map(|t| {
            let entries = t.get("entry").and_then(emr_core::json::Json::as_array).unwrap_or_default();
            let inner: Vec<_> = entries.iter().filter_map(|e| e.get("resource")).collect();
            if inner.is_empty() {
                vec![t]
            } else {
                inner
            }
        })
        .collect();
    let out_bytes: u64 = records.iter().map(|r| to_bundle(r, &export).len() as u64).sum();

    let mut steps = vec![
        Step {
            name: "serde_json::from_slice::<Value>",
            note: "reference",
            run: Box::new(|| {
                texts
                    .iter()
                    .map(|t| {
                        black_box(serde_json::from_slice::<serde_json::Value>(t).map_or(0, |v| v.is_object().into()))
                    })
                    .sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "serde_json::from_slice::<IgnoredAny>",
            note: "a pure scan, for scale",
            run: Box::new(|| {
                texts
                    .iter()
                    .map(|t| usize::from(black_box(serde_json::from_slice::<serde::de::IgnoredAny>(t)).is_ok()))
                    .sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "emr_core::json::parse_bytes",
            note: "our lossless tree",
            run: Box::new(|| {
                texts.iter().map(|t| usize::from(black_box(emr_core::json::parse_bytes(t)).is_ok())).sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "fhir::import_bytes (import + validation)",
            note: "as shipped",
            run: Box::new(|| {
                texts
                    .iter()
                    .map(|t| black_box(import_bytes(t, &options, now())).map_or(0, |i| i.record.entries.len()))
                    .sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "  stage: fhir::import_tree (parsed tree → Record + validation)",
            note: "import minus parse; a caller's tree, so serde_json re-checks each resource's text (import_bytes skips that)",
            run: Box::new(|| {
                trees
                    .iter()
                    .map(|t| black_box(import_tree(t, &options, now())).map_or(0, |i| i.record.entries.len()))
                    .sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "  stage: validate::validate(&Record)",
            note: "a stored record: parses each resource once; import validates the trees it already holds",
            run: Box::new(|| records.iter().map(|r| black_box(emr_core::validate::validate(r, now())).len()).sum()),
            secs: Vec::new(),
        },
        Step {
            name: "  stage: Resource::from_json + Entry::new per resource",
            note: "public constructors (text checked, then parsed for the view); import builds entries from its tree",
            run: Box::new(|| {
                resources
                    .iter()
                    .map(|r| {
                        let entry = emr_core::model::Resource::from_json(r)
                            .and_then(|res| emr_core::model::Entry::new(Provenance::new("s", "e"), res));
                        usize::from(black_box(entry).is_ok())
                    })
                    .sum()
            }),
            secs: Vec::new(),
        },
        Step {
            name: "fhir::to_bundle (export to JSON)",
            note: "MB/s of the input it came from",
            run: Box::new(|| records.iter().map(|r| black_box(to_bundle(r, &export)).len()).sum()),
            secs: Vec::new(),
        },
    ];

    // Warm-up, then interleaved rounds.
    for s in &steps {
        black_box((s.run)());
    }
    for round in 0..a.rounds {
        for s in &mut steps {
            let start = Instant::now();
            black_box((s.run)());
            s.secs.push(start.elapsed().as_secs_f64());
        }
        eprintln!("bench fhir: round {}/{} done", round + 1, a.rounds);
    }

    // Peak memory of importing the largest patient (a fresh process each).
    let largest = paths
        .iter()
        .zip(&texts)
        .filter(|(_, t)| t.windows(9).any(|w| w == b"\"Patient\""))
        .max_by_key(|(_, t)| t.len())
        .map(|(p, _)| p.clone());
    let mem_import = largest.as_ref().map(|p| peak_mem("import", p));
    let mem_value = largest.as_ref().map(|p| peak_mem("value", p));

    // Peers, on the same files. Each peer round is one child process timing one pass (after an
    // untimed one); our import is timed again right after each, so that both see the same load.
    let mut peer_failures: Vec<(String, String)> = a
        .missing
        .iter()
        .map(|m| {
            m.split_once(':').map_or((m.clone(), String::new()), |(n, w)| (n.trim().to_owned(), w.trim().to_owned()))
        })
        .collect();
    let mut peers: Vec<Option<Peer>> = a.peers.iter().map(|_| None).collect();
    let mut failed = vec![false; a.peers.len()];
    let mut ours_beside_peers = Vec::new();
    for round in 0..a.peer_rounds {
        for (i, cmd) in a.peers.iter().enumerate() {
            if failed[i] {
                continue;
            }
            eprintln!("bench fhir: peer round {}/{}: {cmd}", round + 1, a.peer_rounds);
            match run_peer(cmd, 1, &paths) {
                Ok(p) => match &mut peers[i] {
                    Some(prev) => prev.secs.extend(p.secs),
                    slot @ None => *slot = Some(p),
                },
                Err(f) => {
                    failed[i] = true;
                    peers[i] = None;
                    peer_failures.push(f);
                    continue;
                }
            }
            let start = Instant::now();
            black_box(
                texts
                    .iter()
                    .map(|t| import_bytes(t, &options, now()).map_or(0, |i| i.record.entries.len()))
                    .sum::<usize>(),
            );
            ours_beside_peers.push(start.elapsed().as_secs_f64());
        }
    }
    let peers: Vec<Peer> = peers.into_iter().flatten().collect();

    let results = Results {
        total,
        entries,
        findings,
        out_bytes,
        steps: &steps,
        largest: largest.as_deref(),
        mem_import,
        mem_value,
        peers,
        peer_failures,
        ours_beside_peers,
    };
    let report = render(&a, &paths, &results);
    println!("{report}");
    if let Some(md) = &a.markdown {
        if let Err(e) = std::fs::write(md, &report) {
            eprintln!("bench fhir: {}: {e}", md.display());
        }
    }
}

struct Results<'a> {
    total: u64,
    entries: usize,
    findings: usize,
    out_bytes: u64,
    steps: &'a [Step<'a>],
    largest: Option<&'a Path>,
    mem_import: Option<Result<PeakMem, String>>,
    mem_value: Option<Result<PeakMem, String>>,
    peers: Vec<Peer>,
    peer_failures: Vec<(String, String)>,
    /// Our import, timed right after each peer round.
    ours_beside_peers: Vec<f64>,
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

fn best(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::INFINITY, f64::min)
}

#[allow(clippy::too_many_lines)]
fn render(a: &Args, paths: &[PathBuf], r: &Results<'_>) -> String {
    let mut s = String::new();
    let total = r.total;
    let secs = |name: &str| r.steps.iter().find(|st| st.name == name).map_or(&[][..], |st| &st.secs[..]);
    let value = secs("serde_json::from_slice::<Value>");
    let import = secs("fhir::import_bytes (import + validation)");
    let export = secs("fhir::to_bundle (export to JSON)");
    let (value_secs, import_secs, export_secs) = (median(value), median(import), median(export));

    let _ = writeln!(
        s,
        "Data: {} files of `{}`, {:.2} MB in memory ({} entries imported, {} findings); {} interleaved rounds; MB = 10^6 bytes; MB/s from the median.\n",
        paths.len(),
        a.data.display(),
        total as f64 / 1e6,
        r.entries,
        r.findings,
        a.rounds
    );
    let _ = writeln!(
        s,
        "| Step (all files, one thread) | median ms | best ms | MB/s | × Value parse (median; best) | note |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---|");
    for st in r.steps {
        let m = median(&st.secs);
        let _ = writeln!(
            s,
            "| {} | {:.1} | {:.1} | {:.1} | {:.2}; {:.2} | {} |",
            st.name.trim(),
            m * 1e3,
            best(&st.secs) * 1e3,
            mbps(total, m),
            value_secs / m,
            best(value) / best(&st.secs),
            st.note
        );
    }
    let _ = writeln!(
        s,
        "\nExport writes {:.2} MB of compact JSON for the {:.2} MB of (pretty-printed) input: {:.1} MB/s of output written.\n",
        r.out_bytes as f64 / 1e6,
        total as f64 / 1e6,
        mbps(r.out_bytes, export_secs)
    );

    let _ = writeln!(s, "| Target | measured: median (best rounds) | target | verdict (median) |");
    let _ = writeln!(s, "|---|---:|---:|---|");
    let r_import = value_secs / import_secs;
    let _ = writeln!(
        s,
        "| import (with validation) ÷ Value parse | {r_import:.2}× ({:.2}×) | ≥ 0.5× | {} |",
        best(value) / best(import),
        verdict(r_import >= 0.5)
    );
    let r_export_in = value_secs / export_secs;
    let _ = writeln!(
        s,
        "| export ÷ Value parse, MB/s of input represented | {r_export_in:.2}× ({:.2}×) | ≥ 1× | {} |",
        best(value) / best(export),
        verdict(r_export_in >= 1.0)
    );
    let out_share = r.out_bytes as f64 / total as f64;
    let r_export_out = r_export_in * out_share;
    let _ = writeln!(
        s,
        "| export ÷ Value parse, MB/s of JSON written (stricter) | {r_export_out:.2}× ({:.2}×) | ≥ 1× | {} |",
        best(value) / best(export) * out_share,
        verdict(r_export_out >= 1.0)
    );
    let ours = median(&r.ours_beside_peers);
    let fastest =
        r.peers.iter().map(|p| (p, median(&p.secs) * total as f64 / p.bytes as f64)).min_by(|x, y| x.1.total_cmp(&y.1));
    match fastest {
        Some((p, peer_secs)) => {
            let ratio = peer_secs / ours;
            let best_ratio = best(&p.secs) * total as f64 / p.bytes as f64 / best(&r.ours_beside_peers);
            let _ = writeln!(
                s,
                "| import + validation ÷ fastest peer's parse + validation ({}) | {ratio:.2}× ({best_ratio:.2}×) | ≥ 1.5× | {} |",
                p.name,
                verdict(ratio >= 1.5)
            );
        }
        None => {
            let _ = writeln!(s, "| import + validation ÷ fastest peer | no peer measured | ≥ 1.5× | not measured |");
        }
    }
    match &r.mem_import {
        Some(Ok(m)) => {
            let growth = m.peak_kib.saturating_sub(m.base_kib) * 1024;
            let q = growth as f64 / m.file_bytes as f64;
            let _ = writeln!(
                s,
                "| peak memory of importing the largest patient (input bytes included) ÷ its file size | {q:.2}× | ≤ 4× | {} |",
                verdict(q <= 4.0)
            );
            let beyond = m.peak_kib.saturating_sub(m.read_kib) * 1024;
            let q = beyond as f64 / m.file_bytes as f64;
            let _ = writeln!(
                s,
                "| the same, beyond the input bytes (peak − RSS after reading the file) | {q:.2}× | ≤ 4× | {} |",
                verdict(q <= 4.0)
            );
        }
        Some(Err(e)) => {
            let _ = writeln!(s, "| peak memory | failed: {e} | ≤ 4× | not measured |");
        }
        None => {}
    }

    if let Some(p) = r.largest.and_then(Path::file_name) {
        let _ = writeln!(
            s,
            "\nPeak memory, largest patient file `{}`, each step in a fresh process (KiB = 1024 bytes):\n",
            p.to_string_lossy()
        );
    }
    let _ = writeln!(
        s,
        "| Step | file | RSS before read | after read | peak (VmHWM) | peak − before | ÷ file size | RSS after (result kept) | /usr/bin/time max RSS |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (name, m) in [("import_bytes", &r.mem_import), ("serde_json Value", &r.mem_value)] {
        match m {
            Some(Ok(m)) => {
                let growth = m.peak_kib.saturating_sub(m.base_kib);
                let _ = writeln!(
                    s,
                    "| {name} | {:.0} KiB | {} KiB | {} KiB | {} KiB | {} KiB | {:.2}× | {} KiB | {} |",
                    m.file_bytes as f64 / 1024.0,
                    m.base_kib,
                    m.read_kib,
                    m.peak_kib,
                    growth,
                    (growth * 1024) as f64 / m.file_bytes as f64,
                    m.rss_after_kib,
                    m.time_max_rss_kib.map_or("n/a".to_owned(), |k| format!("{k} KiB"))
                );
            }
            Some(Err(e)) => {
                let _ = writeln!(s, "| {name} | failed: {e} | | | | | | | |");
            }
            None => {}
        }
    }
    let _ = writeln!(s, "\n\"peak − before\" includes the input bytes themselves (1× the file).\n");

    let _ = writeln!(
        s,
        "Peers: {} rounds; each round runs every peer once in a fresh process (one untimed pass, then one timed pass over all files), and our import once right after it.\n",
        a.peer_rounds
    );
    let _ = writeln!(
        s,
        "| Peer (same {} files, same run, one thread) | median ms | best ms | MB/s | our import ÷ peer (median; best) | what it made of the data |",
        paths.len()
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---|");
    let _ = writeln!(
        s,
        "| **emr-core import + validation** (timed beside the peers) | {:.1} | {:.1} | {:.1} | 1.00× | {} entries, {} findings |",
        ours * 1e3,
        best(&r.ours_beside_peers) * 1e3,
        mbps(total, ours),
        r.entries,
        r.findings
    );
    for p in &r.peers {
        let m = median(&p.secs);
        let same = if p.bytes == total { String::new() } else { format!(" ({} bytes!)", p.bytes) };
        let _ = writeln!(
            s,
            "| {}{same} | {:.1} | {:.1} | {:.1} | {:.2}×; {:.2}× | {} |",
            p.name,
            m * 1e3,
            best(&p.secs) * 1e3,
            mbps(p.bytes, m),
            mbps(total, ours) / mbps(p.bytes, m),
            mbps(total, best(&r.ours_beside_peers)) / mbps(p.bytes, best(&p.secs)),
            p.note
        );
    }
    for (name, why) in &r.peer_failures {
        let _ = writeln!(s, "| {name} | — | — | — | — | not measured: {why} |");
    }
    s
}
