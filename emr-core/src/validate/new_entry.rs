//! One new entry, as `emr add` and the npm package's `addEntry` take it: which findings apply to
//! it, the version it gets, and adding it to a record.

use chrono::{DateTime, Utc};

use super::{has_errors, validate, Finding};
use crate::clinical::{DraftError, EntryDraft};
use crate::model::{Entry, EntryRef, PartialDate, Patient, Provenance, Record, Resource, Source, SourceId};

/// The source of a new entry when the caller names none.
pub const DEFAULT_SOURCE: &str = "local";

/// Why an entry was not added. Messages name the rule, never a value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddError {
    /// The draft does not make a resource.
    #[error(transparent)]
    Draft(#[from] DraftError),
    /// A Patient resource: the record's patient, not an entry.
    #[error("a Patient resource is the record's patient, not an entry")]
    Patient,
    /// The source already has an entry with this id, and no new version was asked for.
    #[error("the source already has an entry with this id")]
    Exists,
    /// The entry has validation errors, and invalid entries are not allowed.
    #[error("the entry has {errors} validation error(s); nothing was added")]
    Invalid {
        /// How many errors.
        errors: usize,
    },
    /// The source id is empty.
    #[error("the source id is empty")]
    Source,
}

impl AddError {
    /// The error's stable code: a draft's own (`draft.code`…), `add.patient`, `add.exists`,
    /// `add.invalid` or `add.source`.
    pub fn code(&self) -> &'static str {
        match self {
            AddError::Draft(e) => e.code(),
            AddError::Patient => "add.patient",
            AddError::Exists => "add.exists",
            AddError::Invalid { .. } => "add.invalid",
            AddError::Source => "add.source",
        }
    }
}

/// The version a new entry gets, given the latest version its source holds under the same id:
/// 1 for a new id, the next one when `new_version` is asked for.
///
/// # Errors
/// [`AddError::Exists`] when the id is taken and `new_version` is false.
///
/// # Example
/// ```
/// use emr_core::validate::next_version;
/// assert_eq!(next_version(None, false), Ok(1));
/// assert_eq!(next_version(Some(2), true), Ok(3));
/// assert!(next_version(Some(2), false).is_err());
/// ```
pub fn next_version(latest: Option<u32>, new_version: bool) -> Result<u32, AddError> {
    match latest {
        None => Ok(1),
        Some(v) if new_version => Ok(v.saturating_add(1)),
        Some(_) => Err(AddError::Exists),
    }
}

/// The findings of one new entry, validated with the record's patient and its source: only the
/// entry's own, with paths relative to the entry (`/resource/…`). References to other entries
/// are not resolved (the check stays fast on large records), so `reference.unresolved` is left
/// out; so is `entry.recorded.future`, as the recording time is set by whoever adds it.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::model::{Entry, Provenance};
/// let entry = Entry::from_text(Provenance::new("local", "c1"),
///     r#"{"resourceType":"Condition","id":"c1","onsetDateTime":"2999-01-01"}"#).unwrap();
/// let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let findings = emr_core::validate::new_entry_findings(&entry, None, now);
/// assert!(findings.iter().any(|f| f.code == "date.future" && f.path == "/resource/onsetDateTime"));
/// ```
pub fn new_entry_findings(entry: &Entry, patient: Option<&Patient>, now: DateTime<Utc>) -> Vec<Finding> {
    let source = entry.provenance().source.as_str();
    let mut record = Record { patient: patient.cloned(), ..Record::default() };
    record.sources.push(Source::new(source, source));
    record.entries.push(entry.clone());
    validate(&record, now)
        .into_iter()
        .filter(|f| f.path.starts_with("/entries/0"))
        .filter(|f| f.code != "reference.unresolved" && f.code != "entry.recorded.future")
        .map(|mut f| {
            f.path = f.path.replacen("/entries/0", "", 1);
            f
        })
        .collect()
}

/// How to add an entry ([`add_entry`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddOptions {
    /// The source the entry comes from ([`DEFAULT_SOURCE`] when the caller names none); a source
    /// the record lacks is added, without a name.
    pub source: SourceId,
    /// The entry's id; the resource's own `id` when `None`.
    pub id: Option<String>,
    /// When it is recorded.
    pub recorded: PartialDate,
    /// When it is judged (dates after it are in the future).
    pub now: DateTime<Utc>,
    /// Add it as the next version of the source's entry with the same id.
    pub new_version: bool,
    /// Keep it even when it has validation errors.
    pub allow_invalid: bool,
}

/// What [`add_entry`] gives: the record with the entry, the entry's reference and its findings.
#[derive(Debug, Clone, PartialEq)]
pub struct Added {
    /// The record with the new entry (and its source, if new).
    pub record: Record,
    /// The new entry.
    pub entry: EntryRef,
    /// Its findings ([`new_entry_findings`]); errors only when `allow_invalid`.
    pub findings: Vec<Finding>,
}

/// Whether `resource` may be added as an entry: every resource may but a Patient, which is the
/// record's patient.
///
/// # Errors
/// [`AddError::Patient`] for a Patient resource.
///
/// # Example
/// ```
/// use emr_core::model::Resource;
/// use emr_core::validate::may_be_entry;
/// assert!(may_be_entry(&Resource::parse(r#"{"resourceType":"Condition"}"#)?).is_ok());
/// assert!(may_be_entry(&Resource::parse(r#"{"resourceType":"Patient"}"#)?).is_err());
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn may_be_entry(resource: &Resource) -> Result<(), AddError> {
    if resource.resource_type() == "Patient" {
        return Err(AddError::Patient);
    }
    Ok(())
}

/// Add one entry (a FHIR resource) to a record, as `emr add` does: refused when it is a Patient,
/// when its id is taken (unless `new_version`), or when it has validation errors (unless
/// `allow_invalid`).
///
/// # Errors
/// [`AddError`] as above; [`AddError::Source`] for an empty source id; a resource without an id
/// and no `options.id` is given the id `entry`.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::clinical::{DraftKind, EntryDraft};
/// use emr_core::model::{Patient, Record, SourceId};
/// use emr_core::validate::{add_entry, AddOptions};
/// let record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p1","birthDate":"1970"}"#).unwrap());
/// let draft = EntryDraft { code: "loinc|4548-4".into(), date: Some("2024-03-01".into()), value: Some("6.30".into()),
///     unit: Some("%".into()), ..EntryDraft::new(DraftKind::Observation) };
/// let options = AddOptions { source: SourceId::new("local"), id: Some("o1".into()), recorded: "2026-01-01".parse().unwrap(),
///     now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), new_version: false, allow_invalid: false };
/// let resource = emr_core::validate::draft_resource(&record, &draft, "o1")?;
/// let added = add_entry(&record, resource, &options)?;
/// assert_eq!(added.record.entries.len(), 1);
/// assert_eq!((added.entry.id.as_str(), added.entry.version), ("o1", 1));
/// assert!(added.record.entries[0].resource().as_str().contains(r#""value":6.30"#));
/// assert!(add_entry(&added.record, added.record.entries[0].resource().clone(), &options).is_err());
/// # Ok::<(), emr_core::validate::AddError>(())
/// ```
pub fn add_entry(record: &Record, resource: Resource, options: &AddOptions) -> Result<Added, AddError> {
    if options.source.as_str().trim().is_empty() {
        return Err(AddError::Source);
    }
    may_be_entry(&resource)?;
    let id = options.id.clone().or_else(|| resource.id()).unwrap_or_else(|| "entry".to_owned());
    let latest = record
        .entries
        .iter()
        .map(Entry::provenance)
        .filter(|p| p.source == options.source && p.id.as_str() == id)
        .map(|p| p.version)
        .max();
    let version = next_version(latest, options.new_version)?;
    let provenance = Provenance::new(options.source.clone(), id).with_version(version).with_recorded(options.recorded);
    // A parsed resource always makes an entry.
    let entry = Entry::new(provenance, resource).map_err(|_| AddError::Patient)?;
    let findings = new_entry_findings(&entry, record.patient.as_ref(), options.now);
    if has_errors(&findings) && !options.allow_invalid {
        let errors = findings.iter().filter(|f| f.severity == super::Severity::Error).count();
        return Err(AddError::Invalid { errors });
    }
    let mut out = record.clone();
    if out.source(&options.source).is_none() {
        out.sources.push(Source { name: None, ..Source::new(options.source.clone(), "") });
        out.sources.sort();
    }
    let reference = EntryRef::of(&entry);
    out.entries.push(entry);
    Ok(Added { record: out, entry: reference, findings })
}

/// The FHIR resource of a draft, with `id`, about the record's patient (its `id`, when it has one).
///
/// # Errors
/// The draft's [`DraftError`].
pub fn draft_resource(record: &Record, draft: &EntryDraft, id: &str) -> Result<Resource, AddError> {
    let patient_id = record.patient.as_ref().and_then(|p| p.resource().id());
    Ok(draft.to_resource(id, patient_id.as_deref())?)
}
