//! Peer measurement for `scripts/bench-fhir.sh`: the `fhirkit` crate (typed FHIR R4 parse with
//! validation), single-threaded, on the same files as emr-core's FHIR benchmark.
//!
//! Usage: `emr-bench-peers --rounds N FILE...` — reads every file into memory, then times
//! `fhirkit::from_json::<fhirkit::r4::Resource>` over all of them N times and prints one JSON
//! line: `{"peer":…,"files":…,"bytes":…,"secs":[…],"resources_ok":…,"issues_error":…,"failed":…}`.

use std::hint::black_box;
use std::time::Instant;

use fhirkit::r4::Resource;
use fhirkit::Severity;

fn main() {
    let mut args = std::env::args().skip(1).peekable();
    let mut rounds = 5usize;
    let mut files = Vec::new();
    while let Some(a) = args.next() {
        if a == "--rounds" {
            rounds = args.next().and_then(|n| n.parse().ok()).unwrap_or(rounds).max(1);
        } else {
            files.push(a);
        }
    }
    let mut texts = Vec::new();
    for f in &files {
        match std::fs::read_to_string(f) {
            Ok(t) => texts.push(t),
            Err(e) => {
                eprintln!("{f}: {e}");
                std::process::exit(2);
            }
        }
    }
    let bytes: usize = texts.iter().map(String::len).sum();

    // One untimed pass: counts what fhirkit makes of the data, and warms caches.
    let (mut ok, mut errors, mut failed) = (0usize, 0usize, 0usize);
    for t in &texts {
        match fhirkit::from_json::<Resource>(t) {
            Ok((Some(_), issues)) => {
                ok += 1;
                errors += issues.iter().filter(|i| i.severity == Severity::Error).count();
            }
            Ok((None, issues)) => {
                failed += 1;
                errors += issues.iter().filter(|i| i.severity == Severity::Error).count();
            }
            Err(_) => failed += 1,
        }
    }

    let mut secs = Vec::new();
    for _ in 0..rounds {
        let start = Instant::now();
        for t in &texts {
            let _ = black_box(fhirkit::from_json::<Resource>(black_box(t)));
        }
        secs.push(start.elapsed().as_secs_f64());
    }
    let secs: Vec<String> = secs.iter().map(|s| format!("{s:.6}")).collect();
    println!(
        "{{\"peer\":\"fhirkit 0.1.0 (Rust crate, typed R4 + validation, 1 thread)\",\"files\":{},\"bytes\":{bytes},\"secs\":[{}],\"resources_ok\":{ok},\"issues_error\":{errors},\"failed\":{failed}}}",
        texts.len(),
        secs.join(",")
    );
}
