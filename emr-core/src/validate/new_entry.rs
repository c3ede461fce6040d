//! One new entry, as `emr add` and the npm package's `addEntry` take it: which findings apply to
//! it, the version it gets, and adding it to a record.

use chrono::{DateTime, Utc};

use super::{has_errors, validate, Finding};
use crate::clinical::{DraftError, EntryDraft};
use crate::model::{stable_id, Entry, EntryRef, PartialDate, Patient, Provenance, Record, Resource, Source, SourceId};

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
    /// The entry's id; when `None`, the resource's own `id`, else [`default_entry_id`].
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

/// The id a new entry gets when neither its caller nor its resource names one: a stable id
/// (32 hex digits, [`stable_id`]) derived from the resource's compact JSON text, so the same
/// resource always gets the same id, in `emr add` and in the npm package's `addEntry` alike (the
/// same resource added twice is then refused with `add.exists`, as the same id given twice is).
/// A draft's default id is this id of its resource written without an id ([`draft_resource`]).
///
/// # Example
/// ```
/// use emr_core::model::Resource;
/// use emr_core::validate::default_entry_id;
/// let a = Resource::parse(r#"{"resourceType":"Condition", "code":{"text":"asthma"}}"#)?;
/// let b = Resource::parse(r#"{"resourceType":"Condition","code":{"text":"asthma"}}"#)?;
/// assert_eq!(default_entry_id(&a), default_entry_id(&b));
/// assert_eq!(default_entry_id(&a).len(), 32);
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn default_entry_id(resource: &Resource) -> String {
    stable_id(&format!("entry\u{0}{}", resource.as_str()))
}

/// The id of a new entry: `asked`, else the resource's own `id`, else [`default_entry_id`].
///
/// # Example
/// ```
/// use emr_core::model::Resource;
/// use emr_core::validate::{default_entry_id, new_entry_id};
/// let r = Resource::parse(r#"{"resourceType":"Condition","id":"c1"}"#)?;
/// assert_eq!(new_entry_id(&r, Some("c2")), "c2");
/// assert_eq!(new_entry_id(&r, None), "c1");
/// let r = Resource::parse(r#"{"resourceType":"Condition"}"#)?;
/// assert_eq!(new_entry_id(&r, None), default_entry_id(&r));
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
pub fn new_entry_id(resource: &Resource, asked: Option<&str>) -> String {
    asked.map(str::to_owned).or_else(|| resource.id()).unwrap_or_else(|| default_entry_id(resource))
}

/// One entry on its way into a record: the steps of `emr add` and of [`add_entry`], in their
/// order, for a record held anywhere (a [`Record`] for [`add_entry`] and the npm package, the
/// `emr` command's SQLite store). [`AddEntry::new`] checks the source and the resource and
/// chooses the id; the caller looks up the latest version its source holds under that id
/// ([`AddEntry::source`], [`AddEntry::id`]); [`AddEntry::prepare`] gives the entry with its
/// findings, and its refusal when it has validation errors.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::model::{Resource, SourceId};
/// use emr_core::validate::{AddEntry, AddError, AddOptions};
/// let options = AddOptions { source: SourceId::new("local"), id: None, recorded: "2026-01-01".parse().unwrap(),
///     now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(), new_version: false, allow_invalid: false };
/// let resource = Resource::parse(r#"{"resourceType":"Condition","id":"c1","onsetDateTime":"2999-01-01"}"#)?;
/// let plan = AddEntry::new(resource, &options)?;
/// assert_eq!((plan.source().as_str(), plan.id()), ("local", "c1"));
/// let prepared = plan.prepare(None, None)?; // no version of local's c1 yet
/// assert!(prepared.findings.iter().any(|f| f.code == "date.future"));
/// assert_eq!(prepared.refusal.as_ref().map(AddError::code), Some("add.invalid"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AddEntry {
    resource: Resource,
    id: String,
    options: AddOptions,
}

/// An entry ready to be stored ([`AddEntry::prepare`]), with its findings, and its refusal when
/// it has validation errors and invalid entries are not allowed: kept apart, so that a caller can
/// show the findings, then the refusal.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The entry, with its version and recording time.
    pub entry: Entry,
    /// Its source, as a record that lacks it adds it (without a name).
    pub source: Source,
    /// Its findings ([`new_entry_findings`]).
    pub findings: Vec<Finding>,
    /// [`AddError::Invalid`] when the findings have errors and `allow_invalid` is not set: then
    /// the entry must not be stored.
    pub refusal: Option<AddError>,
}

impl AddEntry {
    /// Check what is to be added and choose its id ([`new_entry_id`]).
    ///
    /// # Errors
    /// [`AddError::Source`] for an empty source id, [`AddError::Patient`] for a Patient resource
    /// ([`may_be_entry`]).
    pub fn new(resource: Resource, options: &AddOptions) -> Result<AddEntry, AddError> {
        if options.source.as_str().trim().is_empty() {
            return Err(AddError::Source);
        }
        may_be_entry(&resource)?;
        let id = new_entry_id(&resource, options.id.as_deref());
        Ok(AddEntry { resource, id, options: options.clone() })
    }

    /// The source the entry comes from.
    pub fn source(&self) -> &SourceId {
        &self.options.source
    }

    /// The entry's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The entry to store, given the latest version its source holds under its id (`None` when
    /// it holds none) and the record's patient: its version ([`next_version`]), its findings
    /// ([`new_entry_findings`]) and its refusal, if any.
    ///
    /// # Errors
    /// [`AddError::Exists`] when the id is taken and `new_version` is not set.
    pub fn prepare(self, latest: Option<u32>, patient: Option<&Patient>) -> Result<Prepared, AddError> {
        let AddEntry { resource, id, options } = self;
        let version = next_version(latest, options.new_version)?;
        let provenance =
            Provenance::new(options.source.clone(), id).with_version(version).with_recorded(options.recorded);
        // A parsed resource always makes an entry.
        let entry = Entry::new(provenance, resource).map_err(|_| AddError::Patient)?;
        let findings = new_entry_findings(&entry, patient, options.now);
        let refusal = (has_errors(&findings) && !options.allow_invalid).then(|| AddError::Invalid {
            errors: findings.iter().filter(|f| f.severity == super::Severity::Error).count(),
        });
        let source = Source { name: None, ..Source::new(options.source, "") };
        Ok(Prepared { entry, source, findings, refusal })
    }
}

/// Add one entry (a FHIR resource) to a record, as `emr add` does ([`AddEntry`]): refused when
/// it is a Patient, when its id is taken (unless `new_version`), or when it has validation errors
/// (unless `allow_invalid`). Its id is `options.id`, else the resource's own, else
/// [`default_entry_id`].
///
/// # Errors
/// [`AddError`] as above; [`AddError::Source`] for an empty source id.
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
/// let resource = emr_core::validate::draft_resource(&draft, Some("o1"), Some("p1"))?;
/// let added = add_entry(&record, resource, &options)?;
/// assert_eq!(added.record.entries.len(), 1);
/// assert_eq!((added.entry.id.as_str(), added.entry.version), ("o1", 1));
/// assert!(added.record.entries[0].resource().as_str().contains(r#""value":6.30"#));
/// assert!(add_entry(&added.record, added.record.entries[0].resource().clone(), &options).is_err());
/// # Ok::<(), emr_core::validate::AddError>(())
/// ```
pub fn add_entry(record: &Record, resource: Resource, options: &AddOptions) -> Result<Added, AddError> {
    let plan = AddEntry::new(resource, options)?;
    let latest = record
        .entries
        .iter()
        .map(Entry::provenance)
        .filter(|p| &p.source == plan.source() && p.id.as_str() == plan.id())
        .map(|p| p.version)
        .max();
    let Prepared { entry, source, findings, refusal } = plan.prepare(latest, record.patient.as_ref())?;
    if let Some(refusal) = refusal {
        return Err(refusal);
    }
    let mut out = record.clone();
    if out.source(&source.id).is_none() {
        out.sources.push(source);
        out.sources.sort();
    }
    let reference = EntryRef::of(&entry);
    out.entries.push(entry);
    Ok(Added { record: out, entry: reference, findings })
}

/// The FHIR resource of a draft, about the patient `patient_id`, with `id`; without one, with
/// [`default_entry_id`] of the resource written without an id (the same draft about the same
/// patient always gets the same id).
///
/// # Errors
/// The draft's [`DraftError`].
///
/// # Example
/// ```
/// use emr_core::clinical::{DraftKind, EntryDraft};
/// use emr_core::validate::{default_entry_id, draft_resource};
/// let draft = EntryDraft { code: "snomed|44054006".into(), ..EntryDraft::new(DraftKind::Condition) };
/// assert_eq!(draft_resource(&draft, Some("c1"), Some("p1"))?.id().as_deref(), Some("c1"));
/// let id = draft_resource(&draft, None, Some("p1"))?.id().unwrap();
/// assert_eq!(id, draft_resource(&draft, None, Some("p1"))?.id().unwrap());
/// assert_ne!(id, draft_resource(&draft, None, Some("p2"))?.id().unwrap());
/// # Ok::<(), emr_core::validate::AddError>(())
/// ```
pub fn draft_resource(draft: &EntryDraft, id: Option<&str>, patient_id: Option<&str>) -> Result<Resource, AddError> {
    match id {
        Some(id) => Ok(draft.to_resource(id, patient_id)?),
        None => {
            let id = default_entry_id(&draft.write(None, patient_id)?);
            Ok(draft.to_resource(&id, patient_id)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::clinical::DraftKind;

    fn options(id: Option<&str>) -> AddOptions {
        AddOptions {
            source: SourceId::new("local"),
            id: id.map(str::to_owned),
            recorded: PartialDate::from(Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()),
            now: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
            new_version: false,
            allow_invalid: false,
        }
    }

    fn record() -> Record {
        Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p1","birthDate":"1970"}"#).unwrap())
    }

    #[test]
    fn a_resource_without_an_id_gets_one_from_its_content() {
        let resource = Resource::parse(r#"{"resourceType":"Condition","code":{"text":"asthma"}}"#).unwrap();
        let loose = AddOptions { allow_invalid: true, ..options(None) };
        let added = add_entry(&record(), resource.clone(), &loose).unwrap();
        assert_eq!(added.entry.id.as_str(), default_entry_id(&resource));
        assert!(added.entry.id.as_str().len() == 32 && added.entry.id.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        // The same resource again has the same id: refused unless it is a new version.
        assert_eq!(add_entry(&added.record, resource.clone(), &loose).err(), Some(AddError::Exists));
        let other = Resource::parse(r#"{"resourceType":"Condition","code":{"text":"gout"}}"#).unwrap();
        assert_ne!(default_entry_id(&other), default_entry_id(&resource));
    }

    #[test]
    fn a_drafts_default_id_is_that_of_its_resource_without_one() {
        let draft = EntryDraft { code: "snomed|44054006".into(), ..EntryDraft::new(DraftKind::Condition) };
        let written = draft.write(None, Some("p1")).unwrap();
        assert!(written.id().is_none());
        let drafted = draft_resource(&draft, None, Some("p1")).unwrap();
        assert_eq!(drafted.id(), Some(default_entry_id(&written)));
        // Added as a resource without an id, the draft's resource gets the same entry id.
        let added = add_entry(&record(), written, &options(None)).unwrap();
        assert_eq!(drafted.id().as_deref(), Some(added.entry.id.as_str()));
    }

    #[test]
    fn the_plan_keeps_the_entry_and_findings_when_it_refuses() {
        let future = Resource::parse(r#"{"resourceType":"Condition","id":"c1","onsetDateTime":"2999-01-01"}"#).unwrap();
        let plan = AddEntry::new(future.clone(), &options(None)).unwrap();
        assert_eq!(plan.id(), "c1");
        let prepared = plan.prepare(Some(2), None).err();
        assert_eq!(prepared, Some(AddError::Exists));
        let prepared = AddEntry::new(future.clone(), &AddOptions { new_version: true, ..options(None) })
            .unwrap()
            .prepare(Some(2), None);
        let prepared = prepared.unwrap();
        assert_eq!(prepared.entry.provenance().version, 3);
        assert!(prepared.findings.iter().any(|f| f.code == "date.future"));
        let errors = prepared.findings.iter().filter(|f| f.severity == super::super::Severity::Error).count();
        assert_eq!(prepared.refusal, Some(AddError::Invalid { errors }));
        assert_eq!(add_entry(&record(), future.clone(), &options(None)).err(), prepared.refusal);
        let allowed = AddEntry::new(future, &AddOptions { allow_invalid: true, ..options(Some("c9")) })
            .unwrap()
            .prepare(None, None)
            .unwrap();
        assert_eq!((allowed.entry.provenance().id.as_str(), allowed.refusal), ("c9", None));
        assert_eq!((allowed.source.id.as_str(), allowed.source.name.as_deref()), ("local", None));
    }

    #[test]
    fn the_plan_refuses_an_empty_source_and_a_patient() {
        let condition = Resource::parse(r#"{"resourceType":"Condition"}"#).unwrap();
        let empty = AddOptions { source: SourceId::new(" "), ..options(None) };
        assert_eq!(AddEntry::new(condition, &empty).err(), Some(AddError::Source));
        let patient = Resource::parse(r#"{"resourceType":"Patient"}"#).unwrap();
        assert_eq!(AddEntry::new(patient, &options(None)).err(), Some(AddError::Patient));
    }
}
