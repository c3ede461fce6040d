//! C-CDA R2.1 (and R1.1) documents into a [`Record`](crate::model::Record).
//!
//! The document is parsed with `quick-xml` into a small tree (no DTD, no entities beyond XML's
//! own, bounded size and depth) and turned into FHIR R4 resources following HL7's *C-CDA on FHIR* mapping:
//! `recordTarget` → Patient; the author's (else the custodian's) organization → the source the
//! entries are attributed to; allergies, medications, problems, immunizations, results, vital
//! signs, procedures, encounters, social history, family history, plan of treatment, goals,
//! functional and mental status, notes, medical equipment, health concerns and care teams →
//! their FHIR resources. The entries' authors and performers who are people become
//! Practitioners (one per distinct identity and document) that the resources reference as
//! recorder, requester, performer or participant, with a PractitionerRole and an Organization
//! for the organization they represent; an encounter's service delivery location becomes a
//! Location. In the header, authors and the legal authenticator who are people become the
//! DocumentReference's author and authenticator, a device author (the software that wrote the
//! document) a Device among the authors, and each `documentationOf/serviceEvent` with
//! performers (a CCD's care team) a CareTeam; next of kin, emergency contacts and other related
//! people named in the header become RelatedPersons; the document's `encompassingEncounter` becomes an
//! Encounter (the body's, when it has the same id) in the DocumentReference's context; a
//! result's identified specimen becomes a Specimen. The document itself (when it has the
//! `effectiveTime` FHIR requires) becomes a Composition: one section per C-CDA section, with its
//! narrative block as FHIR XHTML, its authors and references to the resources made from its
//! entries, so the narrative (history, assessment, plan…) is in the record, not only in the
//! XML; the document's authenticators are its professional attesters, its data enterer, provider
//! informants and information recipients its participation extensions (Practitioners), and a
//! replaced or appended document its `relatesTo`. These go
//! through the FHIR importer as the resources of one `collection` Bundle (what
//! [`fhir::import_tree`] does with it), so attribution, validation and record building are its;
//! they are handed over by value, and each resource's tree is freed once its entry is built.
//!
//! Nothing is dropped silently: the original XML is kept verbatim as a DocumentReference entry,
//! every derived resource carries the C-CDA entry's `id`s as identifiers and an extension
//! [`ORIGIN`] naming the DocumentReference and the element's location (an XPath-like path);
//! sections without structured entries, templates without a mapping and `nullFlavor` values
//! are findings (`ccda.*` in [`validate::rules`](crate::validate::rules)) with that location.
//! `negationInd="true"` never becomes a positive entry: "no known allergies/problems" become
//! the IPS absent/unknown codes the merge engine honours; a negated specific entry becomes
//! refuted, not done or not taken.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use emr_core::ccda;
//! use emr_core::fhir::ImportOptions;
//! let xml = r#"<ClinicalDocument xmlns="urn:hl7-org:v3">
//!   <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="12345"/>
//!     <patient><name><given>Ada</given><family>Example</family></name>
//!       <administrativeGenderCode code="F" codeSystem="2.16.840.1.113883.5.1"/>
//!       <birthTime value="19700101"/></patient></patientRole></recordTarget>
//!   <custodian><assignedCustodian><representedCustodianOrganization>
//!     <id root="2.16.840.1.113883.19.5"/><name>Clinic A</name>
//!   </representedCustodianOrganization></assignedCustodian></custodian>
//!   <component><structuredBody><component><section>
//!     <code code="48765-2" codeSystem="2.16.840.1.113883.6.1"/>
//!     <entry><act classCode="ACT" moodCode="EVN">
//!       <templateId root="2.16.840.1.113883.10.20.22.4.30"/><statusCode code="active"/>
//!       <entryRelationship typeCode="SUBJ"><observation classCode="OBS" moodCode="EVN" negationInd="true">
//!         <templateId root="2.16.840.1.113883.10.20.22.4.7"/>
//!         <value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CD" code="419199007" codeSystem="2.16.840.1.113883.6.96"/>
//!         <participant typeCode="CSM"><participantRole><playingEntity><code nullFlavor="NA"/></playingEntity></participantRole></participant>
//!       </observation></entryRelationship>
//!     </act></entry>
//!   </section></component></structuredBody></component>
//! </ClinicalDocument>"#;
//! assert!(ccda::looks_like_ccda(xml.as_bytes()));
//! let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
//! let imported = ccda::import(xml, &ImportOptions::default(), now)?;
//! let allergy = imported.record.entries.iter().find(|e| e.resource().resource_type() == "AllergyIntolerance").unwrap();
//! // "No known allergies", never a positive allergy.
//! assert!(allergy.resource().as_str().contains("no-known-allergies"));
//! assert_eq!(imported.record.sources[0].name.as_deref(), Some("Clinic A"));
//! # Ok::<(), emr_core::ccda::CcdaError>(())
//! ```

mod activity;
mod allergy;
mod build;
mod composition;
mod composition_parts;
mod device;
mod encompassing;
mod error;
mod header;
mod header_participants;
mod medication;
mod narrative;
mod observation;
mod other;
mod participants;
mod problem;
mod related;
mod roles;
mod sections;
mod specimen;
mod time;
mod value;
mod xml;

use chrono::{DateTime, Utc};

pub use crate::xml::{MAX_BYTES, MAX_DEPTH};
pub use error::CcdaError;

use crate::fhir::{self, ImportOptions, Imported};
use crate::json::Json;
use crate::model::{Source, SourceId, SourceKind};
use crate::validate::Finding;

/// URL of the extension on every derived resource naming where it came from: parts `document`
/// (`valueUri`: the full URL of the DocumentReference holding the XML; a URI rather than a
/// Reference, so exports that leave the document out stay closed) and `location` (an XPath-like path
/// of the element).
pub const ORIGIN: &str = "urn:emr:ccda-origin";

/// A C-CDA document as FHIR: a `collection` Bundle, and what could not be mapped.
#[derive(Debug, Clone)]
pub struct Converted {
    /// The Bundle as compact JSON text: Patient, the source Organization, the
    /// DocumentReference holding the XML, then the derived resources in document order.
    pub bundle: String,
    /// Findings about the document, with XPath-like locations as paths.
    pub findings: Vec<Finding>,
    /// The source organization's id and name, when the document names one.
    pub source: Option<Source>,
}

/// Whether `bytes` look like a C-CDA document, judged from its start: XML whose first element
/// is a `ClinicalDocument` in the HL7 v3 namespace, or in no namespace (as many of HL7's own
/// examples are written, and as [`import`] accepts them). Cheap; [`import`] still checks the
/// whole document.
///
/// # Example
/// ```
/// use emr_core::ccda::looks_like_ccda;
/// assert!(looks_like_ccda(b"<?xml version=\"1.0\"?>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">"));
/// assert!(looks_like_ccda(b"<!-- an example -->\n<ClinicalDocument>\n  <realmCode code=\"US\"/>"));
/// assert!(looks_like_ccda(b"<cda:ClinicalDocument xmlns:cda=\"urn:hl7-org:v3\">"));
/// assert!(!looks_like_ccda(b"<x:ClinicalDocument xmlns:x=\"urn:example\">"));
/// assert!(!looks_like_ccda(b"<html><body><ClinicalDocument/></body></html>"));
/// assert!(!looks_like_ccda(b"{\"resourceType\":\"Bundle\"}"));
/// ```
pub fn looks_like_ccda(bytes: &[u8]) -> bool {
    let head = bytes.get(..bytes.len().min(16 * 1024)).unwrap_or_default();
    let head = String::from_utf8_lossy(head);
    let mut rest = head.trim_start_matches('\u{feff}').trim_start();
    // Skip the prolog: the XML declaration, comments and processing instructions.
    loop {
        let end = if rest.starts_with("<!--") {
            rest.find("-->").map(|i| i + 3)
        } else if rest.starts_with("<?") {
            rest.find("?>").map(|i| i + 2)
        } else {
            break;
        };
        let Some(end) = end else { return false };
        rest = rest.get(end..).unwrap_or_default().trim_start();
    }
    let Some(tag) = rest.strip_prefix('<') else { return false };
    let name_end = tag.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(tag.len());
    let name = tag.get(..name_end).unwrap_or_default();
    match name.split_once(':') {
        None => name == "ClinicalDocument",
        Some((_, local)) => local == "ClinicalDocument" && head.contains("urn:hl7-org:v3"),
    }
}

/// Convert a C-CDA document to FHIR R4 (see the module documentation).
///
/// # Errors
/// [`CcdaError`] when the input is too large, not well-formed XML, has a DOCTYPE, nests too
/// deep or is not a `ClinicalDocument`. Everything else is a finding.
///
/// # Example
/// ```
/// let err = emr_core::ccda::to_fhir("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>").unwrap_err();
/// assert!(matches!(err, emr_core::ccda::CcdaError::Doctype { line: 1, column: 1 }));
/// ```
pub fn to_fhir(text: &str) -> Result<Converted, CcdaError> {
    let (resources, findings, source) = convert(text, true)?;
    let bundle = match compact(&bundle(resources), text) {
        Some(bundle) => bundle,
        // Not reached (the stand-in is written where the tree has it); the slow way, whole.
        None => bundle(convert(text, false)?.0).to_compact_string(),
    };
    Ok(Converted { bundle, findings, source })
}

/// What stands in for the document's base64 in the tree [`to_fhir`] writes (see [`compact`]):
/// XML text cannot hold U+0000, so no string read from the document is this.
pub(crate) const DATA_STAND_IN: &str = "\u{0}emr:ccda:data\u{0}";

/// The Bundle as compact text, as [`Json::to_compact_string`] writes it, with the base64 of
/// `xml` where the tree has [`DATA_STAND_IN`]. The base64 (the bulk of the text, and never in
/// need of escaping) is written straight into the text, never held in the tree, copied or
/// scanned for characters to escape.
fn compact(bundle: &Json<'static>, xml: &str) -> Option<String> {
    let mut out = String::with_capacity(xml.len() / 2 + 1024);
    crate::json::push_compact(&mut out, bundle);
    with_data(out, xml)
}

/// `text` (compact JSON written from a tree with [`DATA_STAND_IN`] as an attachment's `data`)
/// with the base64 of `xml` in the stand-in's place; `None` when `text` has no stand-in.
fn with_data(mut out: String, xml: &str) -> Option<String> {
    // `"data":"` cannot occur inside a written string (its quotes would be escaped).
    let mut stand_in = String::from("\"data\":");
    crate::json::push_string(&mut stand_in, DATA_STAND_IN);
    let at = out.find(&stand_in)?;
    let tail = out.split_off(at + stand_in.len() - 1);
    out.truncate(at + "\"data\":\"".len());
    let mut bytes = out.into_bytes();
    // Sized exactly: a large text is kept in this very buffer.
    bytes.reserve_exact(xml.len().div_ceil(3) * 4 + tail.len());
    header::push_base64(&mut bytes, xml.as_bytes());
    bytes.extend_from_slice(tail.as_bytes());
    // Text split at ASCII characters, and base64: UTF-8.
    String::from_utf8(bytes).ok()
}

/// The mapper's resources (full URL, resource), in order.
type Resources = Vec<(String, Json<'static>)>;

/// The `collection` Bundle of `resources`.
fn bundle(resources: Resources) -> Json<'static> {
    let entries: Vec<Json<'static>> =
        resources.into_iter().map(|(url, r)| build::obj([("fullUrl", build::s(url)), ("resource", r)])).collect();
    build::obj([
        ("resourceType", build::lit("Bundle")),
        ("type", build::lit("collection")),
        ("entry", Json::Array(entries)),
    ])
}

/// The document's resources (as the mapping makes them), its findings and its source
/// organization. With `stand_in`, the document's base64 is left out of the DocumentReference:
/// [`DATA_STAND_IN`] holds its place (for [`compact`] or [`import`] to write it).
fn convert(text: &str, stand_in: bool) -> Result<(Resources, Vec<Finding>, Option<Source>), CcdaError> {
    let doc = xml::parse_xml(text).map_err(CcdaError::from_xml)?;
    let root = doc.root_element();
    if !xml::is(root, "ClinicalDocument") {
        return Err(CcdaError::NotClinicalDocument);
    }
    let mut ctx = build::Ctx::new(&doc, &header::seed(root, text));
    ctx.data_stand_in = stand_in;
    for (prefix, node) in doc.implicit_prefixes() {
        ctx.finding(&crate::validate::rules::CCDA_PREFIX_UNDECLARED, node, &format!("xmlns:{prefix}"));
    }
    header::patient(&mut ctx, root);
    let org = header::organization(&mut ctx, root);
    header::document_reference(&mut ctx, root, text.as_bytes(), org.as_ref());
    header_participants::map(&mut ctx, root);
    sections::body(&mut ctx, root);
    header_participants::encounter(&mut ctx, root);
    participants::report_unmapped(&mut ctx, root);
    composition::composition(&mut ctx, root, org.as_ref().and_then(|o| o.name.as_deref()));
    let resources = std::mem::take(&mut ctx.resources);
    let mut findings = ctx.findings;
    findings.sort();
    findings.dedup();
    let source = org.map(|o| Source {
        id: SourceId::new(o.id.as_str()),
        name: o.name.or_else(|| Some("C-CDA document".to_owned())),
        kind: SourceKind::Organization,
        reference: Some(format!("Organization/{}", o.id)),
    });
    Ok((resources, findings, source))
}

/// Import a C-CDA document into a record, validating as of `now`. The entries are attributed
/// to `options.default_source` when given, else to the document's author (or custodian)
/// organization.
///
/// # Errors
/// As [`to_fhir`].
pub fn import(text: &str, options: &ImportOptions, now: DateTime<Utc>) -> Result<Imported, CcdaError> {
    // The tree holds a stand-in for the document's base64, written into the DocumentReference's
    // text once imported: the base64 (4/3 of the document) is never held twice, in the tree and
    // in the text.
    let (resources, findings, source) = convert(text, true)?;
    let mut options = options.clone();
    if options.default_source.is_none() {
        options.default_source = source;
    }
    // The trees go to the FHIR importer by value: no JSON text written and parsed again, the
    // text written per resource not re-checked (every number here went through
    // `value::number`, an integer's `to_string` or a literal), and each tree dropped once its
    // entry is built and validated (not all held until the end).
    let mut imported = fhir::import_valid_resources(resources, &options, now);
    let mut stand_in = String::new();
    crate::json::push_string(&mut stand_in, DATA_STAND_IN);
    let mut written = false;
    for entry in &mut imported.record.entries {
        let resource = entry.resource();
        if resource.resource_type() == "DocumentReference" && resource.as_str().contains(&stand_in) {
            if let Some(text) = with_data(resource.as_str().to_owned(), text) {
                entry.set_unread_text(text);
                written = true;
            }
        }
    }
    if !written {
        // Not reached (the DocumentReference always holds the stand-in); the slow way, whole.
        imported = fhir::import_valid_resources(convert(text, false)?.0, &options, now);
    }
    imported.findings.extend(findings);
    imported.findings.sort();
    imported.findings.dedup();
    Ok(imported)
}

/// [`import`] for input given as bytes (UTF-8 is checked).
///
/// # Errors
/// As [`import`]; [`CcdaError::NotUtf8`] when the bytes are not UTF-8.
pub fn import_bytes(bytes: &[u8], options: &ImportOptions, now: DateTime<Utc>) -> Result<Imported, CcdaError> {
    if bytes.len() > MAX_BYTES {
        return Err(CcdaError::TooLarge { size: bytes.len(), max: MAX_BYTES });
    }
    let text = std::str::from_utf8(bytes).map_err(|e| CcdaError::NotUtf8 { offset: e.valid_up_to() })?;
    import(text.strip_prefix('\u{feff}').unwrap_or(text), options, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `to_fhir` writes the document's base64 straight into the text; the result is the tree
    /// with the base64 in it, written as any tree is.
    #[test]
    fn to_fhir_text_is_the_whole_tree_written() {
        let xml = "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2.3\" extension=\"é\"/>\
            <title>Résumé \"data\":\"x\" \\u0000</title><recordTarget><patientRole><id root=\"1.2\"/>\
            <patient><name><given>Zoë</given></name></patient></patientRole></recordTarget></ClinicalDocument>";
        for text in [xml, &format!("{xml}\n"), &format!("{xml}\n\n")] {
            let fast = to_fhir(text).map(|c| c.bundle).ok();
            let whole = convert(text, false).map(|(r, _, _)| bundle(r).to_compact_string()).ok();
            assert!(fast.as_deref().is_some_and(|f| f.contains("\"data\":\"PENsaW5pY2Fs")));
            assert_eq!(fast, whole);
        }
    }

    /// `import` writes the document's base64 into the DocumentReference's text once imported;
    /// the record is the one the whole tree (base64 in it) imports as: the same texts, entries
    /// and findings.
    #[test]
    fn import_is_the_whole_tree_imported() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().unwrap_or_default();
        let xml = "<ClinicalDocument xmlns=\"urn:hl7-org:v3\"><id root=\"1.2.3\" extension=\"é\"/>\
            <code code=\"34133-9\" codeSystem=\"2.16.840.1.113883.6.1\"/><title>Résumé \"data\":\"x\"</title>\
            <effectiveTime value=\"20240101\"/><recordTarget><patientRole><id root=\"1.2\"/>\
            <patient><name><given>Zoë</given></name></patient></patientRole></recordTarget></ClinicalDocument>";
        let padded = format!("{xml}{}", " ".repeat(100_000)); // a text held as a large one
        for text in [xml, &padded] {
            let options = ImportOptions::default();
            let fast = import(text, &options, now).ok();
            let whole = convert(text, false).ok().and_then(|(resources, findings, source)| {
                let options = ImportOptions { default_source: source };
                let mut imported = fhir::import_tree(&bundle(resources), &options, now).ok()?;
                imported.findings.extend(findings);
                imported.findings.sort();
                imported.findings.dedup();
                Some(imported)
            });
            let texts = |i: &Option<Imported>| {
                i.as_ref()
                    .map(|i| i.record.entries.iter().map(|e| e.resource().as_str().to_owned()).collect::<Vec<_>>())
            };
            assert!(texts(&fast).is_some_and(|t| t.iter().any(|r| r.contains("\"data\":\"PENsaW5pY2Fs"))));
            assert_eq!(texts(&fast), texts(&whole));
            assert_eq!(fast.as_ref().map(|i| &i.record), whole.as_ref().map(|i| &i.record));
            assert_eq!(fast.map(|i| i.findings), whole.map(|i| i.findings));
        }
    }
}
