//! A record: one patient's chart, from one source (an EMR) or several (an EHR).

use serde::{Deserialize, Serialize};

use super::{Entry, EntryRef, Patient, Source, SourceId};

/// The version of the record envelope format written by this library.
pub const RECORD_FORMAT: u32 = 1;

/// One patient's chart: the patient, the sources, and every entry with its provenance.
///
/// A record with one source is an EMR; merged from several, it is an EHR.
///
/// # Example
/// ```
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p1"}"#)?);
/// record.sources.push(Source::new("clinic-a", "Clinic A"));
/// record.entries.push(Entry::from_text(Provenance::new("clinic-a", "c1"), r#"{"resourceType":"Condition","id":"c1"}"#)?);
/// let json = serde_json::to_string(&record).unwrap();
/// let back: Record = serde_json::from_str(&json).unwrap();
/// assert_eq!(back, record);
/// # Ok::<(), emr_core::model::ResourceError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// Envelope format version ([`RECORD_FORMAT`]).
    #[serde(default = "format_version")]
    pub format: u32,
    /// The patient, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<Patient>,
    /// The sources the entries come from.
    #[serde(default)]
    pub sources: Vec<Source>,
    /// Every entry, with provenance.
    #[serde(default)]
    pub entries: Vec<Entry>,
}

fn format_version() -> u32 {
    RECORD_FORMAT
}

impl Record {
    /// An empty record of a patient.
    pub fn new(patient: Patient) -> Record {
        Record { format: RECORD_FORMAT, patient: Some(patient), sources: Vec::new(), entries: Vec::new() }
    }

    /// The source with this id.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{Record, Source, SourceId};
    /// let mut r = Record::default();
    /// r.sources.push(Source::new("a", "A"));
    /// assert!(r.source(&SourceId::new("a")).is_some());
    /// ```
    pub fn source(&self, id: &SourceId) -> Option<&Source> {
        self.sources.iter().find(|s| &s.id == id)
    }

    /// The entry `r` refers to (compared field by field, without building references).
    pub fn entry(&self, r: &EntryRef) -> Option<&Entry> {
        self.entries.iter().find(|e| {
            let p = e.provenance();
            p.version == r.version && p.id == r.id && p.source == r.source
        })
    }
}

impl Record {
    /// One record per source: the EMRs this record combines, each with the patient, its source
    /// and its entries (in record order). Sources without entries give no record.
    ///
    /// # Example
    /// ```
    /// use emr_core::model::{Entry, Provenance, Record, Source};
    /// let mut r = Record::default();
    /// r.sources = vec![Source::new("a", "A"), Source::new("b", "B")];
    /// for (s, id) in [("a", "1"), ("b", "2"), ("a", "3")] {
    ///     r.entries.push(Entry::from_text(Provenance::new(s, id), r#"{"resourceType":"Condition"}"#).unwrap());
    /// }
    /// let emrs = r.split_by_source();
    /// assert_eq!(emrs.len(), 2);
    /// assert_eq!(emrs[0].entries.len(), 2);
    /// ```
    pub fn split_by_source(&self) -> Vec<Record> {
        let mut ids: Vec<&SourceId> = self.entries.iter().map(|e| &e.provenance().source).collect();
        ids.sort();
        ids.dedup();
        ids.into_iter()
            .map(|id| Record {
                format: self.format,
                patient: self.patient.clone(),
                sources: self.sources.iter().filter(|s| &s.id == id).cloned().collect(),
                entries: self.entries.iter().filter(|e| &e.provenance().source == id).cloned().collect(),
            })
            .collect()
    }
}

impl Default for Record {
    fn default() -> Record {
        Record { format: RECORD_FORMAT, patient: None, sources: Vec::new(), entries: Vec::new() }
    }
}
