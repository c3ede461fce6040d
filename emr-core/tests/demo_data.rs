//! The demo data (`examples/demo/`, made by `scripts/make-demo-data.py`) behaves as the README
//! says: two clinics' exports of one patient merge into one EHR with the overlap folded and the
//! injected disagreement reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, to_ips, ExportOptions, ImportOptions};
use emr_core::merge::{merge, view, MergeOptions, Resolution};
use emr_core::model::{EntryKind, Record};
use emr_core::query::{current_lists, timeline, trend};

fn clinic(name: &str) -> Record {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/demo").join(format!("{name}.json"));
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let imported = import(&std::fs::read_to_string(path).unwrap(), &ImportOptions::default(), now).unwrap();
    assert!(
        imported.findings.iter().all(|f| f.severity != emr_core::validate::Severity::Error),
        "{:#?}",
        imported.findings
    );
    imported.record
}

#[test]
fn two_clinics_merge_into_one_ehr() {
    let (a, b) = (clinic("clinic-a"), clinic("clinic-b"));
    assert_eq!(a.sources.len(), 1, "{:?}", a.sources);
    assert_eq!(b.sources.len(), 1, "{:?}", b.sources);
    let (ehr, report) = merge(&[a.clone(), b.clone()], &MergeOptions::default()).unwrap();
    assert!(report.identity.comparisons.iter().all(|c| c.decision.is_same_person()));
    let v = view(&ehr);
    // B's re-reported allergies fold into A's: as many allergy items as A alone has.
    let allergies = |r: &Record| view(r).items.iter().filter(|i| i.kind == EntryKind::Allergy).count();
    assert_eq!(allergies(&ehr), allergies(&a));
    assert!(report.conflicts.iter().any(|c| c.field == "criticality" && c.resolution == Resolution::MostSevere));
    // The glucose re-reported in mmol/L is the same measurement.
    let glucose = trend(&ehr, "2339-0");
    assert_eq!(glucose.points.len(), trend(&a, "2339-0").points.len());
    let a1c = trend(&ehr, "4548-4");
    assert!(a1c.points.len() >= 2);
    assert!(!timeline(&ehr).is_empty());
    let lists = current_lists(&ehr);
    assert!(!lists.allergies.is_empty());
    assert!(v.folded.len() >= 5, "{}", report.summary);
    let ips = to_ips(&ehr, &ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() }).unwrap();
    assert!(ips.contains("\"48765-2\""));
    eprintln!("{}", report.summary);
}
