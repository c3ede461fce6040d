//! SMART Health Links benchmark: creating and opening a link to the IPS of the largest shared
//! Synthea patient. "create" = raw DEFLATE + AES-256-GCM JWE of the IPS and the `shlink:/`
//! text; "open" = reading the link and decrypting + inflating the file. Median of N rounds.
//!
//! Run: `cargo bench -p emr-core --bench shl` (options after `--`: `--data DIR`, `--rounds N`).
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

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import_bytes, to_ips, ExportOptions, ImportOptions};
use emr_core::shl::{jwe, ShlKey, ShlPayload};

fn median_ms(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let mut data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/synthea");
    let mut rounds = 21usize;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--data" => data = PathBuf::from(it.next().expect("--data needs a value")),
            "--rounds" => rounds = it.next().and_then(|n| n.parse().ok()).expect("--rounds needs a number"),
            _ => {}
        }
    }
    let largest = std::fs::read_dir(&data)
        .unwrap_or_else(|e| panic!("{}: {e}", data.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .expect("a Synthea file");
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let record = import_bytes(&std::fs::read(&largest).unwrap(), &ImportOptions::default(), now).unwrap().record;
    let ips = to_ips(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() }).unwrap();
    let key = ShlKey::from_bytes([7; 32]);

    let (mut create, mut open) = (Vec::new(), Vec::new());
    let (mut file, mut link) = (String::new(), String::new());
    for round in 0..rounds {
        let t = Instant::now();
        file = jwe::encrypt(ips.as_bytes(), &key, [round as u8; 12], jwe::EncryptOptions::default()).unwrap();
        link = ShlPayload::new("https://shl.example.org/s/Y9xwkUdtmN9wwoJoN3ffJIhX2UGvCL1JnlPVNL3kDWM", key.clone())
            .unwrap()
            .to_link();
        create.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let payload = ShlPayload::from_link(black_box(&link)).unwrap();
        let opened = jwe::decrypt(black_box(&file), payload.key()).unwrap();
        open.push(t.elapsed().as_secs_f64() * 1e3);
        assert_eq!(opened.plaintext.len(), ips.len());
    }
    println!("patient: {} ({} entries)", largest.file_name().unwrap().to_string_lossy(), record.entries.len());
    println!("IPS: {} bytes; JWE (zip DEF): {} bytes; link: {} characters", ips.len(), file.len(), link.len());
    println!("create (deflate + encrypt + link): {:.2} ms median of {rounds}", median_ms(create));
    println!("open (link + decrypt + inflate):   {:.2} ms median of {rounds}", median_ms(open));
}
