//! Validation: structural and semantic rules over a record, producing findings as data.
//!
//! Every rule is listed in [`rules::ALL`] (and in `docs/validation-rules.md`).
//! Findings carry a JSON pointer into the record and a message that names
//! the field and the rule, never a patient's values.

mod dates;
mod elements;
mod envelope;
mod new_entry;
mod r4_elements;
mod refs;
mod resource;
pub mod rules;
mod walk;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use new_entry::{
    add_entry, default_entry_id, draft_resource, may_be_entry, new_entry_findings, new_entry_id, next_version,
    AddEntry, AddError, AddOptions, Added, Prepared, DEFAULT_SOURCE,
};
pub use rules::{rules_markdown, Rule, Severity};

use crate::json::Json;
use crate::model::{Entry, Patient, Record};

/// One problem found in a record.
///
/// # Example
/// ```
/// use emr_core::validate::{Finding, Severity};
/// let f = Finding::new(&emr_core::validate::rules::DATE_FUTURE, "/entries/0/resource/onsetDateTime", "onsetDateTime");
/// assert_eq!(f.code, "date.future");
/// assert_eq!(f.severity, Severity::Error);
/// assert_eq!(f.message, "onsetDateTime: date of a past event is in the future");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Finding {
    /// Error or warning.
    pub severity: Severity,
    /// The rule's stable dotted id (see [`rules::ALL`]).
    pub code: String,
    /// JSON pointer (RFC 6901) to the offending element.
    pub path: String,
    /// The field and the rule in words; never patient values.
    pub message: String,
}

impl Finding {
    /// A finding of `rule` at `path` about the element named `field`.
    pub fn new(rule: &Rule, path: impl Into<String>, field: &str) -> Finding {
        Finding {
            severity: rule.severity,
            code: rule.code.to_owned(),
            path: path.into(),
            message: if field.is_empty() { rule.check.to_owned() } else { [field, ": ", rule.check].concat() },
        }
    }
}

/// Validate a record as of `now` (dates after `now` are in the future).
///
/// Findings are sorted (errors first, then by code, path and message) and unique, so the
/// output is deterministic.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p","birthDate":"1980-01-01"}"#)?);
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.entries.push(Entry::from_text(
///     Provenance::new("a", "c1"),
///     r#"{"resourceType":"Condition","id":"c1","subject":{"reference":"Patient/p"},"onsetDateTime":"1975-06-01"}"#,
/// )?);
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let findings = emr_core::validate::validate(&record, now);
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].code, "date.before-birth");
/// assert_eq!(findings[0].path, "/entries/0/resource/onsetDateTime");
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn validate(record: &Record, now: DateTime<Utc>) -> Vec<Finding> {
    // Each resource is parsed once, for the reference index and the rule walk alike.
    let patient = record.patient.as_ref().and_then(|p| p.resource().json().ok());
    let entries: Vec<Option<Json<'_>>> = record.entries.iter().map(|e| e.resource().json().ok()).collect();
    let entry_trees: Vec<Option<&Json<'_>>> = entries.iter().map(Option::as_ref).collect();
    let trees = Trees { patient: patient.as_ref(), entries: &entry_trees, duplicates: Duplicates::Scan };
    validate_trees(record, now, &trees)
}

/// The parsed resources of a record, for [`validate_trees`].
pub(crate) struct Trees<'t, 'a> {
    /// The patient's resource, parsed (`None` when the record has no patient).
    pub patient: Option<&'t Json<'a>>,
    /// Each entry's resource, parsed, in the order of `record.entries` (`None`: not parsed, the
    /// entry is skipped as when its text does not parse).
    pub entries: &'t [Option<&'t Json<'a>>],
    /// Who looks for duplicate keys.
    pub duplicates: Duplicates,
}

/// Who looks for duplicate keys in the resources of [`Trees`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Duplicates {
    /// Validation scans each resource and reports them.
    Scan,
    /// The caller reports them (import scans its whole input once); `any` says whether it found
    /// any at all.
    Reported {
        /// Some resource may have duplicate keys.
        any: bool,
    },
}

/// [`validate`] on trees the caller already holds: each must be the parsed text of the
/// record's corresponding resource (as import has them), so the findings are the same.
pub(crate) fn validate_trees(record: &Record, now: DateTime<Utc>, trees: &Trees<'_, '_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    envelope::check(record, now, &mut findings);
    let stream = Stream {
        ctx: walk::Context::new(record.patient.as_ref(), now, refs::Index::new(record, trees), trees.duplicates),
    };
    if let Some(tree) = trees.patient {
        stream.resource(tree, None, &mut findings);
    }
    for (i, (entry, tree)) in record.entries.iter().zip(trees.entries).enumerate() {
        if let Some(tree) = tree {
            stream.resource(tree, Some((i, entry)), &mut findings);
        }
    }
    findings.sort();
    findings.dedup();
    findings
}

/// [`validate_trees`] one resource at a time, for a caller that drops each tree once its entry
/// is built (import): what the rules need of the whole record (the resources' `Type/id`s, the
/// entries' provenance ids, the patient) is given up front, the envelope checked at the end.
/// The findings, sorted and deduplicated, are those of [`validate_trees`].
pub(crate) struct Stream<'t> {
    ctx: walk::Context<'t>,
}

impl<'t> Stream<'t> {
    /// Ready to validate the resources of a record whose patient is `patient` (a `Patient`
    /// resource with the id `patient_id`), whose entries' resources have the `Type/id`s `entries`
    /// (those that have both) and whose entries' provenance ids are `provenance_ids`.
    pub(crate) fn new(
        patient: Option<&Patient>,
        patient_id: Option<&'t str>,
        entries: impl Iterator<Item = (&'t str, &'t str)>,
        provenance_ids: impl Iterator<Item = &'t str>,
        now: DateTime<Utc>,
        duplicates: Duplicates,
    ) -> Stream<'t> {
        let keys = patient.map(|_| refs::PatientKeys { typed: patient_id.map(|id| ("Patient", id)), id: patient_id });
        let index = refs::Index::from_parts(keys, entries, provenance_ids);
        Stream { ctx: walk::Context::new(patient, now, index, duplicates) }
    }

    /// Validate the patient's resource (`entry` `None`, at `/patient`) or the resource of
    /// entry number `n` of the record (`entry` that entry).
    pub(crate) fn resource(&self, tree: &Json<'_>, n: Option<(usize, &Entry)>, out: &mut Vec<Finding>) {
        match n {
            None => self.ctx.resource(tree, "/patient", None, out),
            Some((i, entry)) => {
                let mut base = String::from("/entries");
                crate::json::push_index(&mut base, i);
                base.push_str("/resource");
                self.ctx.resource(tree, &base, Some(entry), out);
            }
        }
    }

    /// The rules on the finished record's envelope (format, patient, sources, provenance).
    pub(crate) fn envelope(&self, record: &Record, now: DateTime<Utc>, out: &mut Vec<Finding>) {
        envelope::check(record, now, out);
    }
}

/// True when any finding is an error.
///
/// # Example
/// ```
/// assert!(!emr_core::validate::has_errors(&[]));
/// ```
pub fn has_errors(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Error)
}
