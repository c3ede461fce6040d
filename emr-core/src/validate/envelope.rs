//! Rules on the record envelope: format, patient, sources, entry provenance.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::rules::{self, Rule};
use super::Finding;
use crate::model::{PartialDate, Record, RECORD_FORMAT};

pub(super) fn check(record: &Record, now: DateTime<Utc>, out: &mut Vec<Finding>) {
    let mut push = |rule: &Rule, path: String, field: &str| out.push(Finding::new(rule, path, field));
    if record.format > RECORD_FORMAT {
        push(&rules::FORMAT_UNSUPPORTED, "/format".into(), "format");
    }
    match &record.patient {
        None => push(&rules::PATIENT_MISSING, String::new(), "patient"),
        Some(p) if p.resource().resource_type() != "Patient" => {
            push(&rules::PATIENT_TYPE, "/patient/resourceType".into(), "resourceType");
        }
        Some(_) => {}
    }
    let mut seen = BTreeSet::new();
    for (i, source) in record.sources.iter().enumerate() {
        if source.id.as_str().trim().is_empty() {
            push(&rules::SOURCE_ID_EMPTY, format!("/sources/{i}/id"), "id");
        } else if !seen.insert(&source.id) {
            push(&rules::SOURCE_ID_DUPLICATE, format!("/sources/{i}/id"), "id");
        }
    }
    let now = PartialDate::from(now);
    let mut versions = BTreeMap::new();
    for (i, entry) in record.entries.iter().enumerate() {
        let p = entry.provenance();
        let at = |field: &str| format!("/entries/{i}/provenance/{field}");
        if !seen.contains(&p.source) {
            push(&rules::ENTRY_SOURCE_UNKNOWN, at("source"), "source");
        }
        if p.id.trim().is_empty() {
            push(&rules::ENTRY_ID_EMPTY, at("id"), "id");
        }
        if p.version == 0 {
            push(&rules::ENTRY_VERSION_ZERO, at("version"), "version");
        }
        if versions.insert((&p.source, &p.id, p.version), i).is_some() {
            push(&rules::ENTRY_ID_DUPLICATE, at("id"), "id");
        }
        if p.recorded.is_some_and(|r| now.certainly_before(&r)) {
            push(&rules::RECORDED_FUTURE, at("recorded"), "recorded");
        }
    }
}
