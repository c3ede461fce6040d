//! `.emr` file operations on a 10,000-entry record: open + list, open + add one + save,
//! with an X25519 identity; scrypt (passphrase) reported separately.
//!
//! Run with `cargo bench -p emr-cli --bench file_ops`; results in docs/performance.md.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::print_stdout,
    missing_docs
)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use emr_cli::store::{Filter, Key, Protection, RecipientKey, Stamp, Store, WriteLock};
use emr_core::model::{Entry, Provenance, Record};

const ENTRIES: usize = 10_000;

type Identities = Vec<Box<dyn age::Identity + Send + Sync>>;

/// A 10,000-entry record: the Synthea test patient's entries, repeated under new ids.
fn big_record() -> Record {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/valid/synthea-dennis-durgan.json");
    let base: Record = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut record = Record { entries: Vec::with_capacity(ENTRIES), ..base.clone() };
    for n in 0..ENTRIES {
        let e = &base.entries[n % base.entries.len()];
        let p = e.provenance();
        let provenance = Provenance { id: format!("{}-{n}", p.id).into(), ..p.clone() };
        record.entries.push(Entry::new(provenance, e.resource().clone()).unwrap());
    }
    record
}

struct Fixture {
    _dir: Option<tempfile::TempDir>,
    file: PathBuf,
    key_file: PathBuf,
    identities: Identities,
    record: Record,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let identity = age::x25519::Identity::generate();
    let key_file = dir.path().join("clinic.key");
    use age::secrecy::ExposeSecret;
    std::fs::write(&key_file, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    let recipient: RecipientKey = identity.to_public().to_string().parse().unwrap();
    let record = big_record();
    let file = dir.path().join("big.emr");
    let lock = WriteLock::acquire(&file, Duration::from_secs(5)).unwrap();
    let mut store =
        Store::from_record(&file, &record, Protection::Recipients(vec![recipient]), &Stamp::now("bench")).unwrap();
    store.save(&lock).unwrap();
    let size = std::fs::metadata(&file).unwrap().len();
    let resource_bytes: usize = record.entries.iter().map(|e| e.resource().as_str().len()).sum();
    println!(
        "fixture: {ENTRIES} entries, file {:.1} MB, {:.0} bytes per entry (resource JSON averages {:.0} bytes)",
        size as f64 / 1e6,
        size as f64 / ENTRIES as f64,
        resource_bytes as f64 / ENTRIES as f64
    );
    // EMR_BENCH_KEEP=1 keeps the fixture (file and key) for profiling by hand.
    let dir = if std::env::var_os("EMR_BENCH_KEEP").is_some() {
        println!("fixture kept in {}", dir.keep().display());
        None
    } else {
        Some(dir)
    };
    Fixture { _dir: dir, file, key_file, identities: vec![Box::new(identity)], record }
}

fn file_ops(c: &mut Criterion) {
    let f = fixture();
    let key = Key::Identities(&f.identities);
    let mut g = c.benchmark_group("x25519-10k");
    g.sample_size(30);
    g.bench_function("open", |b| b.iter(|| black_box(Store::load(&f.file, &key).unwrap())));
    g.bench_function("open+list-json", |b| {
        b.iter(|| {
            let store = Store::load(&f.file, &key).unwrap();
            black_box(store.entries_json(&Filter::default()).unwrap())
        })
    });
    g.bench_function("open+list-kind-condition", |b| {
        let filter = Filter { kind: Some("condition".into()), ..Filter::default() };
        b.iter(|| {
            let store = Store::load(&f.file, &key).unwrap();
            black_box(emr_cli::render::entry::table(&store.entries(&filter).unwrap()))
        })
    });
    let template = f.record.entries[0].clone();
    let mut n = 0u64;
    g.bench_function("open+add-one+save", |b| {
        b.iter(|| {
            n += 1;
            let lock = WriteLock::acquire(&f.file, Duration::from_secs(5)).unwrap();
            let mut store = Store::load(&f.file, &key).unwrap();
            let p = Provenance { id: format!("bench-{n}").into(), ..template.provenance().clone() };
            let entry = Entry::new(p, template.resource().clone()).unwrap();
            store.add_entry(&entry, &Stamp::now("bench"), "add").unwrap();
            store.save(&lock).unwrap();
        })
    });
    g.finish();

    // The whole command, as a user runs it (process start, key file, output).
    let emr = env!("CARGO_BIN_EXE_emr");
    let mut g = c.benchmark_group("cli-10k");
    g.sample_size(20);
    let run = |args: &[&str]| {
        let status = Command::new(emr).args(args).stdout(Stdio::null()).stderr(Stdio::null()).status().unwrap();
        assert!(status.success());
    };
    let (file, key_file) = (f.file.to_str().unwrap(), f.key_file.to_str().unwrap());
    g.bench_function("emr list --json", |b| b.iter(|| run(&["list", file, "-i", key_file, "--json"])));
    g.bench_function("emr list --kind condition", |b| {
        b.iter(|| run(&["list", file, "-i", key_file, "--kind", "condition"]))
    });
    g.bench_function("emr add --kind condition", |b| {
        b.iter(|| {
            run(&["add", file, "-i", key_file, "--kind", "condition", "--code", "snomed|44054006", "--actor", "bench"])
        })
    });
    g.finish();

    // A passphrase costs one scrypt run to open and one to save, about a second each by design.
    let pass = age::secrecy::SecretString::from("correct horse battery staple".to_owned());
    let small = Record { entries: f.record.entries[..10].to_vec(), ..f.record.clone() };
    let dir = tempfile::tempdir().unwrap();
    let pfile = dir.path().join("pass.emr");
    let lock = WriteLock::acquire(&pfile, Duration::from_secs(5)).unwrap();
    Store::from_record(&pfile, &small, Protection::Passphrase(pass.clone()), &Stamp::now("bench"))
        .unwrap()
        .save(&lock)
        .unwrap();
    drop(lock);
    let mut g = c.benchmark_group("scrypt");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    let pkey = Key::Passphrase(pass);
    g.bench_function("open (calibrated work factor)", |b| b.iter(|| black_box(Store::load(&pfile, &pkey).unwrap())));
    g.finish();
}

criterion_group!(benches, file_ops);
criterion_main!(benches);
