//! Merging EMRs into one EHR.
//!
//! [`merge`] checks patient [`identity`] first, then takes the union of the records' sources
//! and entries (every source assertion is kept, with its provenance) and derives the clinical
//! [`view`] from that set: one item per fact, duplicates folded, conflicts reported and
//! resolved visibly. Because the merged record is a set and the view a function of it, merge is
//! commutative, associative and idempotent, and its output does not depend on input order.

mod absent;
mod assertion;
mod cluster;
pub mod identity;
mod reconcile;
mod report;
mod resolve;
mod settle;
mod side;
mod value;
mod view;
mod view_ref;
mod warm;

use std::collections::BTreeMap;

pub use assertion::{is_current, EntryRef};
pub use reconcile::{reconcile, resolve, versions, Choice, ReconcileError, Reconciliation, SideChoice, Version};
pub use report::{Conflict, Folded, IdentityCheck, IdentityReport, MergeReport, Resolution, SourceCount, Suppressed};
pub use side::{conflict_sides, disputed_value, ConflictSides, Side};
pub use view::{view, view_ref, View, ViewItem};
pub use view_ref::{ItemRef, ViewRef};

use crate::model::{Entry, Patient, Provenance, Record, Source, SourceId, RECORD_FORMAT};

/// How to merge.
#[derive(Debug, Clone, Copy, Default)]
pub struct MergeOptions {
    /// Merge even when the identity check says the records may describe different people.
    pub force: bool,
}

/// Why records were not merged.
///
/// Messages give the identity score and the fields that disagreed, never the patient's values.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// The identity check did not find the records to describe one person.
    #[error("records may describe different patients: {summary}; review them, and force the merge only if they are the same person")]
    DifferentPatients {
        /// The weakest comparison.
        score: Box<identity::IdentityScore>,
        /// A one-line account of the comparison (fields and outcomes only).
        summary: String,
    },
}

impl MergeError {
    /// The error's stable code: `merge.identity`.
    pub fn code(&self) -> &'static str {
        match self {
            MergeError::DifferentPatients { .. } => "merge.identity",
        }
    }
}

/// Id prefix of the entries that keep each source's patient resource in a merged record.
pub const PATIENT_ENTRY_PREFIX: &str = "patient:";

/// The source that asserted a record's patient: its first source, in id order.
fn patient_source(record: &Record) -> SourceId {
    record.sources.iter().map(|s| s.id.clone()).min().unwrap_or_else(|| SourceId::new("unknown"))
}

fn is_patient_entry(e: &Entry) -> bool {
    e.provenance().id.starts_with(PATIENT_ENTRY_PREFIX) && e.resource().resource_type() == "Patient"
}

/// Merge records of one patient into one.
///
/// The result keeps every entry of every input (exact duplicates once), every source, and each
/// input's patient resource as an entry of its source (`patient:` ids); its patient is one of
/// those, chosen deterministically. The report says how the clinical view folds, flags and
/// resolves them.
///
/// # Errors
/// [`MergeError::DifferentPatients`] when two inputs' patients are not found to be one person
/// (a conflicting identifier, or a score below the match threshold), unless `options.force`.
///
/// # Example
/// ```
/// use emr_core::merge::{merge, MergeOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let emr = |source: &str, id: &str| {
///     let mut r = Record::new(Patient::parse(r#"{"resourceType":"Patient","identifier":[{"system":"urn:mrn","value":"42"}],"birthDate":"1970-01-01"}"#).unwrap());
///     r.sources.push(Source::new(source, source));
///     r.entries.push(Entry::from_text(Provenance::new(source, id),
///         r#"{"resourceType":"Immunization","status":"completed","vaccineCode":{"coding":[{"system":"http://hl7.org/fhir/sid/cvx","code":"140"}]},"occurrenceDateTime":"2020-10-01"}"#).unwrap());
///     r
/// };
/// let (ehr, report) = merge(&[emr("a", "i1"), emr("b", "x9")], &MergeOptions::default())?;
/// assert_eq!(ehr.sources.len(), 2);
/// // One dose, reported by both clinics, is one item of the clinical view.
/// let doses: Vec<_> = report.folded.iter().filter(|f| f.kind == emr_core::model::EntryKind::Immunization).collect();
/// assert_eq!(doses[0].members.len(), 2);
/// // Merging the result with itself changes nothing.
/// assert_eq!(merge(&[ehr.clone(), ehr.clone()], &MergeOptions::default())?.0, ehr);
/// # Ok::<(), emr_core::merge::MergeError>(())
/// ```
pub fn merge(records: &[Record], options: &MergeOptions) -> Result<(Record, MergeReport), MergeError> {
    // Every source's patient becomes an entry of that source (unless it already is one).
    let mut patient_entries: Vec<Option<Entry>> = Vec::with_capacity(records.len());
    for r in records {
        let mut entry = None;
        if let Some(p) = &r.patient {
            let present = r.entries.iter().any(|e| is_patient_entry(e) && e.resource() == p.resource());
            if !present {
                let id = p
                    .resource()
                    .json()
                    .ok()
                    .and_then(|j| j.get("id").and_then(crate::json::Json::as_str).map(str::to_owned));
                let provenance = Provenance::new(
                    patient_source(r).as_str(),
                    format!("{PATIENT_ENTRY_PREFIX}{}", id.unwrap_or_default()),
                );
                entry = Entry::new(provenance, p.resource().clone()).ok();
            }
        }
        patient_entries.push(entry);
    }
    // Sorted and deduplicated by reference, then cloned once: entries are large, references small.
    let mut order: Vec<&Entry> =
        records.iter().zip(&patient_entries).flat_map(|(r, patient)| r.entries.iter().chain(patient.iter())).collect();
    order.sort_by(|a, b| assertion::by_ref(a, b).then_with(|| a.resource().as_str().cmp(b.resource().as_str())));
    order.dedup_by(|a, b| a.provenance() == b.provenance() && a.resource() == b.resource());
    let mut entries: Vec<Entry> = order.into_iter().cloned().collect();
    // Entries of one source share one source id text (they come in runs by source), so that
    // comparing and copying source ids reads one place.
    let mut run: Option<SourceId> = None;
    for e in &mut entries {
        if !run.as_ref().is_some_and(|s| e.share_source(s)) {
            run = Some(e.provenance().source.clone());
        }
    }

    let candidates: Vec<Patient> =
        entries.iter().filter(|e| is_patient_entry(e)).map(|e| Patient::new(e.resource().clone())).collect();
    let patients = distinct_patients(&candidates);
    let identity = check_identity(&patients, options)?;

    let mut sources: BTreeMap<SourceId, Source> = BTreeMap::new();
    for s in records.iter().flat_map(|r| r.sources.iter()) {
        sources
            .entry(s.id.clone())
            .and_modify(|cur| {
                if s < cur {
                    *cur = s.clone();
                }
            })
            .or_insert_with(|| s.clone());
    }
    let merged = Record {
        format: RECORD_FORMAT,
        patient: patients.first().map(|p| (*p).clone()),
        sources: sources.into_values().collect(),
        entries,
    };
    let report = report(&merged, identity);
    Ok((merged, report))
}

/// The distinct patient resources, in the order of their text.
fn distinct_patients(candidates: &[Patient]) -> Vec<&Patient> {
    let mut patients: Vec<&Patient> = Vec::new();
    for p in candidates {
        if !patients.iter().any(|q| q.resource() == p.resource()) {
            patients.push(p);
        }
    }
    patients.sort_by(|a, b| a.resource().as_str().cmp(b.resource().as_str()));
    patients
}

/// The identity check [`merge`] applies to `records`, without merging them: every record's
/// patient (and, in a merged record, each source's patient kept as an entry) compared with every
/// other, weakest first.
///
/// # Example
/// ```
/// use emr_core::merge::identity_check;
/// use emr_core::model::{Patient, Record};
/// let record = |t: &str| Record::new(Patient::parse(t).unwrap());
/// let ana = record(r#"{"resourceType":"Patient","name":[{"family":"Rivera","given":["Ana"]}],"birthDate":"1970-03-02","gender":"female"}"#);
/// let wei = record(r#"{"resourceType":"Patient","name":[{"family":"Chen","given":["Wei"]}],"birthDate":"1988-11-23","gender":"male"}"#);
/// assert!(identity_check(&[ana.clone(), ana.clone()]).same_person);
/// let check = identity_check(&[ana, wei]);
/// assert!(!check.same_person);
/// assert_eq!(check.comparisons.len(), 1);
/// ```
pub fn identity_check(records: &[Record]) -> IdentityCheck {
    let candidates: Vec<Patient> = records
        .iter()
        .flat_map(|r| {
            let kept = r.entries.iter().filter(|e| is_patient_entry(e)).map(|e| Patient::new(e.resource().clone()));
            r.patient.iter().cloned().chain(kept)
        })
        .collect();
    let comparisons: Vec<_> =
        identity::compare_each(&distinct_patients(&candidates)).into_iter().map(|p| p.score).collect();
    IdentityCheck { same_person: comparisons.iter().all(|c| c.decision.is_same_person()), comparisons }
}

fn check_identity(patients: &[&Patient], options: &MergeOptions) -> Result<IdentityReport, MergeError> {
    let comparisons: Vec<_> = identity::compare_each(patients).into_iter().map(|p| p.score).collect();
    let refused = comparisons.iter().find(|c| !c.decision.is_same_person());
    if let (Some(c), false) = (refused, options.force) {
        return Err(MergeError::DifferentPatients { summary: c.summary(), score: Box::new(c.clone()) });
    }
    Ok(IdentityReport { forced: refused.is_some(), comparisons })
}

/// The report of a merged record: per-source counts and the view's folds, conflicts and more.
fn report(record: &Record, identity: IdentityReport) -> MergeReport {
    // Borrowed: the report needs the folds, not an owned copy of every item.
    let v = view_ref(record);
    let mut counts: BTreeMap<&SourceId, SourceCount> = BTreeMap::new();
    // Entries come by source when merged: one map update per run of a source.
    for run in record.entries.chunk_by(|a, b| a.provenance().source == b.provenance().source) {
        let Some(first) = run.first() else { continue };
        let source = &first.provenance().source;
        let c = counts.entry(source).or_insert_with(|| SourceCount {
            source: source.clone(),
            entries: 0,
            current: 0,
            retracted: 0,
            superseded: 0,
        });
        c.entries += run.len();
    }
    for r in v.retracted() {
        if let Some(c) = counts.get_mut(&r.provenance().source) {
            c.retracted += 1;
        }
    }
    for r in v.superseded() {
        if let Some(c) = counts.get_mut(&r.provenance().source) {
            c.superseded += 1;
        }
    }
    for c in counts.values_mut() {
        c.current = c.entries.saturating_sub(c.retracted + c.superseded);
    }
    let folded = v.folded();
    let retracted = v.retracted_refs();
    let summary = format!(
        "{} entries from {} sources → {} clinical items; {} duplicate groups folded, {} conflicts, {} suppressed, {} retracted",
        record.entries.len(),
        counts.len(),
        v.len(),
        folded.len(),
        v.conflicts().len(),
        v.suppressed().len(),
        retracted.len()
    );
    MergeReport {
        identity,
        sources: counts.into_values().collect(),
        view_items: v.len(),
        folded,
        conflicts: v.conflicts().to_vec(),
        suppressed: v.suppressed().to_vec(),
        retracted,
        summary,
    }
}
