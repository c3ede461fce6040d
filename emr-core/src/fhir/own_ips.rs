//! emr's own IPS imported back into the record it came from.
//!
//! An IPS carries no `Provenance`: its entries are the clinical view's items written as the
//! document's full URLs, attributed on import to the document's author. Imported back into the
//! record it came from, they would come in as new assertions of that author. But the export is
//! deterministic, so the record recognizes its own document without the document carrying
//! anything new: an incoming entry whose full URL and resource are identical to what the
//! record's own IPS (written at the document's time) has at that full URL stands for the
//! assertion(s) the record already holds. Anything else (the record changed since, or another
//! system edited the document) comes in as usual.

use std::collections::BTreeMap;

use super::export::{instant, patient_url, ExportOptions};
use super::ips::{composition_url, to_ips};
use crate::json::{self, Json};
use crate::model::{PartialDate, Patient, Record, SourceId};

/// When `document` (an imported input) is an IPS emr wrote for `patient`: its Composition's
/// full URL is the one emr derives from the patient and the Composition's `date` (which is
/// the export's time). `None` for any other input, and for emr's IPS of another patient.
fn written_at(document: &Record, patient: &Patient) -> Option<PartialDate> {
    let patient_url = patient_url(&patient.resource().json().ok()?);
    document.entries.iter().filter(|e| e.resource().resource_type() == "Composition").find_map(|e| {
        let tree = e.resource().json().ok()?;
        let date = tree.get("date").and_then(Json::as_str)?;
        let at: PartialDate = date.parse().ok()?;
        let ours = instant(&at) == date
            && e.provenance().full_url.as_deref() == Some(composition_url(&patient_url, date).as_str());
        ours.then_some(at)
    })
}

/// Whether `document` (an imported input) is an IPS emr wrote for `patient`, the record's
/// patient: only then can [`own_ips_entries`] find anything, so a caller holding the record
/// in a database loads it whole only then. Cheap: it reads the input's Compositions.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::fhir::{import, is_own_ips, to_ips, ExportOptions, ImportOptions};
/// use emr_core::model::{Patient, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// let ips = to_ips(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() })?;
/// let now = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
/// let document = import(&ips, &ImportOptions::default(), now).unwrap().record;
/// assert!(is_own_ips(&document, record.patient.as_ref().unwrap()));
/// let other = Patient::parse(r#"{"resourceType":"Patient","id":"q"}"#).unwrap();
/// assert!(!is_own_ips(&document, &other));
/// # Ok::<(), emr_core::fhir::IpsError>(())
/// ```
pub fn is_own_ips(document: &Record, patient: &Patient) -> bool {
    written_at(document, patient).is_some()
}

/// For each entry of `document` (an imported input, in order), whether `record` already holds
/// it because it is the record's own IPS coming back: the input is an IPS emr wrote for the
/// record's patient ([`is_own_ips`]), and the entry's full URL and resource are identical to
/// what `record`'s IPS, written at the document's time, has at that full URL (the
/// Composition, the "no information" statements and the combined-record author organization
/// included). Such an entry stands for the assertion(s) the record holds, so `emr import`
/// skips it as already present, like an entry [`crate::model::arrival`] finds.
///
/// Every other entry is `false` and imports as usual, attributed to the document's author: an
/// item that changed in the record since the export, one another system edited in the
/// document, and every entry of any other input (so for those the result is all `false` and
/// nothing changes). Costs one IPS export of `record` when the input is its own IPS, nothing
/// otherwise.
///
/// # Example
/// ```
/// use chrono::{TimeZone, Utc};
/// use emr_core::fhir::{import, own_ips_entries, to_ips, ExportOptions, ImportOptions};
/// use emr_core::model::{Entry, Patient, Provenance, Record, Source};
/// let mut record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// record.sources.push(Source::new("a", "Clinic A"));
/// record.sources.push(Source::new("b", "Clinic B"));
/// for (source, id) in [("a", "c1"), ("b", "c2")] {
///     let text = format!(r#"{{"resourceType":"Condition","id":"{id}","code":{{"text":"{id}"}},"subject":{{"reference":"Patient/p"}}}}"#);
///     record.entries.push(Entry::from_text(Provenance::new(source, format!("Condition/{id}")), &text).unwrap());
/// }
/// let ips = to_ips(&record, &ExportOptions { timestamp: "2026-01-01T00:00:00Z".parse().unwrap() })?;
/// let now = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
/// let document = import(&ips, &ImportOptions::default(), now).unwrap().record;
/// // Composition, combined-record author, both conditions, two "no information" statements.
/// assert_eq!(own_ips_entries(&record, &document), vec![true; 6]);
/// // Into a record without that patient (a fresh one), nothing is recognized.
/// assert!(own_ips_entries(&Record::default(), &document).iter().all(|p| !p));
/// # Ok::<(), emr_core::fhir::IpsError>(())
/// ```
pub fn own_ips_entries(record: &Record, document: &Record) -> Vec<bool> {
    let mut present = vec![false; document.entries.len()];
    let Some(timestamp) = record.patient.as_ref().and_then(|p| written_at(document, p)) else { return present };
    let Ok(ips) = to_ips(record, &ExportOptions { timestamp }) else { return present };
    let Ok(tree) = json::parse(&ips) else { return present };
    // What the record's IPS writes at each full URL, as import keeps a resource (compact text).
    let mut written: BTreeMap<&str, String> = BTreeMap::new();
    for entry in tree.get("entry").and_then(Json::as_array).unwrap_or_default() {
        if let (Some(url), Some(resource)) = (entry.get("fullUrl").and_then(Json::as_str), entry.get("resource")) {
            let mut text = String::new();
            json::push_compact(&mut text, resource);
            written.insert(url, text);
        }
    }
    for (e, p) in document.entries.iter().zip(present.iter_mut()) {
        let provenance = e.provenance();
        *p = provenance.decision.is_none()
            && provenance
                .full_url
                .as_deref()
                .and_then(|url| written.get(url))
                .is_some_and(|text| text.as_str() == e.resource().as_str());
    }
    present
}

/// Whether `source` of `document` asserts only entries that [`own_ips_entries`] found present
/// (`own`, in the document's order), and at least one: such a source (the combined-record
/// author organization emr writes into its IPS) stands for nothing the record lacks, so an
/// import does not add it. A source that asserts something new, or nothing at all, is added
/// as usual.
///
/// # Example
/// ```
/// use emr_core::fhir::asserts_only_own;
/// use emr_core::model::{Entry, Provenance, Record, SourceId};
/// let mut document = Record::default();
/// for (source, id) in [("a", "c1"), ("b", "c2")] {
///     let text = r#"{"resourceType":"Condition"}"#;
///     document.entries.push(Entry::from_text(Provenance::new(source, id), text).unwrap());
/// }
/// let own = [true, false];
/// assert!(asserts_only_own(&document, &own, &SourceId::new("a")));
/// assert!(!asserts_only_own(&document, &own, &SourceId::new("b")));
/// assert!(!asserts_only_own(&document, &own, &SourceId::new("c")));
/// ```
pub fn asserts_only_own(document: &Record, own: &[bool], source: &SourceId) -> bool {
    let mut asserted = document.entries.iter().zip(own).filter(|(e, _)| &e.provenance().source == source).peekable();
    asserted.peek().is_some() && asserted.all(|(_, own)| *own)
}
