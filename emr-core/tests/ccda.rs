//! C-CDA import (`emr_core::ccda`): HL7's C-CDA R2.1 examples import, every structured entry
//! maps (counted independently of the importer, by template), hostile XML fails cleanly.
//! Longer than 400 lines because the independent count (by template, participant and specimen)
//! is one piece the document tests share; tests of single resources are in `ccda_resources.rs`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use common::{declared, xml_files};

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use emr_core::ccda::{self, CcdaError};
use emr_core::fhir::{self, ExportOptions, ImportOptions};
use emr_core::json::{self, Json};
use emr_core::model::Record;

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// The shared C-CDA examples; `None` (skip) when absent, unless `EMR_REQUIRE_SHARED_DATA=1`.
fn shared() -> Option<PathBuf> {
    common::shared_data("ccda/hl7-c-cda-examples")
}

/// Resource type → count, over the record's entries (the patient is not an entry).
fn kinds(record: &Record) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for e in &record.entries {
        *out.entry(e.resource().resource_type().to_owned()).or_default() += 1;
    }
    out
}

const T: &str = "2.16.840.1.113883.10.20.22.";
const PLANNED: &[&str] = &["INT", "RQO", "PRP", "ARQ", "APT", "PRMS"];
const SIMPLE_OBSERVATIONS: &[&str] = &[
    "4.78", "4.38", "4.85", "4.200", "4.279", "4.67", "4.68", "4.73", "4.74", "4.69", "4.72", "4.127", "4.128",
    "4.124", "4.138", "4.144", "4.8", "4.114", "4.109", "4.111", "4.293", "15.3.8",
];

/// The structured entries of a document counted by template, independently of the importer:
/// what C-CDA on FHIR says each template becomes.
fn expected(xml: &str) -> BTreeMap<String, usize> {
    let xml = declared(xml);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let mut out: BTreeMap<String, usize> = BTreeMap::new();
    // Statements counted so far: a statement inside one of them is part of it, except problem
    // observations (encounter diagnoses become Conditions) and results in their organizer.
    let mut counted: Vec<roxmltree::NodeId> = Vec::new();
    // Distinct practitioners and locations (C-CDA on FHIR: one resource per identity).
    let mut parties: BTreeSet<String> = BTreeSet::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let before = out.values().sum::<usize>();
        let inside = n.ancestors().skip(1).any(|a| counted.contains(&a.id()));
        let mut added: Vec<&'static str> = Vec::new();
        let mut add = |k: &'static str| {
            added.push(k);
            *out.entry(k.to_owned()).or_default() += 1;
        };
        let tpl = |s: &str| {
            n.children().any(|c| c.has_tag_name("templateId") && c.attribute("root") == Some(&format!("{T}{s}")[..]))
        };
        // Only statements in a section's entries count (not header or narrative content).
        let entry = n.ancestors().find(|a| a.has_tag_name("entry"));
        if !entry.and_then(|e| e.parent()).is_some_and(|p| p.has_tag_name("section")) {
            continue;
        }
        let mood = n.attribute("moodCode").unwrap_or("EVN");
        let planned = PLANNED.contains(&mood);
        let negated = n.attribute("negationInd") == Some("true");
        let name = n.tag_name().name();
        if tpl("4.4") {
            add("Condition");
        } else if name == "observation"
            && n.parent().is_some_and(|c| c.has_tag_name("component"))
            && n.parent().and_then(|c| c.parent()).is_some_and(|o| {
                o.children()
                    .any(|t| t.has_tag_name("templateId") && t.attribute("root") == Some(&format!("{T}4.1")[..]))
            })
        {
            if !negated {
                add("Observation");
            }
        } else if inside {
            continue;
        } else if tpl("4.7") {
            add("AllergyIntolerance");
        } else if tpl("4.4") {
            add("Condition");
        } else if tpl("4.52") && !planned {
            add("Immunization");
        } else if tpl("4.16") || tpl("4.42") || tpl("4.52") || tpl("4.120") {
            add(if planned || tpl("4.42") || tpl("4.120") { "MedicationRequest" } else { "MedicationStatement" });
        } else if tpl("4.1") {
            add("DiagnosticReport");
        } else if (tpl("4.2") || tpl("4.27") || SIMPLE_OBSERVATIONS.iter().any(|s| tpl(s)) && !planned) && !negated {
            add("Observation");
        } else if tpl("4.45") {
            add("FamilyMemberHistory");
        } else if tpl("4.121") {
            add("Goal");
        } else if tpl("4.202") {
            add("DocumentReference");
        } else if tpl("4.50") && !planned {
            add("DeviceUseStatement");
            add("Device");
        } else if tpl("4.500") {
            add("CareTeam");
        } else if tpl("4.49") && !planned {
            add("Encounter");
        } else if (tpl("4.12") || tpl("4.13") || tpl("4.14")) && !planned {
            add("Procedure");
        } else if planned && matches!(name, "act" | "procedure" | "observation" | "encounter" | "supply") {
            add("ServiceRequest");
        }
        for kind in added {
            participants(n, kind, &mut parties);
        }
        if out.values().sum::<usize>() > before || (negated && !inside) {
            counted.push(n.id());
        }
    }
    header_participants(doc.root_element(), &mut out, &mut parties);
    for p in &parties {
        let kind = p.split(' ').next().unwrap_or_default();
        *out.entry(kind.to_owned()).or_default() += 1;
    }
    // The document itself, and its Composition (C-CDA on FHIR: made when the document has
    // the `effectiveTime` FHIR's Composition.date requires).
    *out.entry("DocumentReference".to_owned()).or_default() += 1;
    if kid(doc.root_element(), "effectiveTime").and_then(|e| e.attribute("value")).is_some() {
        *out.entry("Composition".to_owned()).or_default() += 1;
    }
    out
}

/// Whitespace-normalized text of an element.
fn text(n: roxmltree::Node<'_, '_>) -> String {
    let all: String = n.descendants().filter(|d| d.is_text()).filter_map(|d| d.text()).collect::<Vec<_>>().join(" ");
    all.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn kid<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> Option<roxmltree::Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(name))
}

/// The identity of a participant: its first `id` with a root, else its name and address; a
/// participant with neither is one of its own.
fn identity(kind: &str, n: roxmltree::Node<'_, '_>, name: Option<roxmltree::Node<'_, '_>>) -> String {
    let id = n
        .children()
        .filter(|c| c.has_tag_name("id"))
        .find_map(|i| Some(format!("{}|{}", i.attribute("root")?, i.attribute("extension").unwrap_or(""))));
    let name = name.map(text).unwrap_or_default();
    let addr = kid(n, "addr").map(text).unwrap_or_default();
    match id {
        Some(id) => format!("{kind} {id}"),
        None if !name.is_empty() || !addr.is_empty() => format!("{kind} {name} {addr}"),
        None => format!("{kind} at {:?}", n.id()),
    }
}

/// The practitioners and locations C-CDA on FHIR derives from a statement that became `kind`:
/// its authors (where the resource has a recorder, requester, information source, author or
/// performer for them) and performers who are people (or known only by `id`), and an
/// encounter's service delivery locations.
fn participants(n: roxmltree::Node<'_, '_>, kind: &str, parties: &mut BTreeSet<String>) {
    let authors = !matches!(
        kind,
        "Immunization" | "Encounter" | "Device" | "DeviceUseStatement" | "CareTeam" | "FamilyMemberHistory"
    );
    let performers = matches!(
        kind,
        "Procedure"
            | "Encounter"
            | "Immunization"
            | "MedicationRequest"
            | "Observation"
            | "DiagnosticReport"
            | "ServiceRequest"
    );
    if matches!(kind, "Observation" | "DiagnosticReport") {
        specimen(n, parties);
    }
    if kind == "CareTeam" {
        // The members: each component act's performer.
        let acts = n.children().filter(|c| c.has_tag_name("component")).filter_map(|c| kid(c, "act"));
        for a in acts.filter_map(|a| kid(a, "performer")).filter_map(|p| kid(p, "assignedEntity")) {
            person_and_role(a, parties);
        }
    }
    for p in n.children().filter(|c| c.is_element()) {
        let role = match p.tag_name().name() {
            "author" if authors => kid(p, "assignedAuthor"),
            "performer" if performers => kid(p, "assignedEntity"),
            "participant" if kind == "Encounter" && p.attribute("typeCode") == Some("LOC") => {
                if let Some(r) = kid(p, "participantRole") {
                    parties.insert(identity("Location", r, kid(r, "playingEntity").and_then(|e| kid(e, "name"))));
                }
                continue;
            }
            _ => continue,
        };
        let Some(role) = role else { continue };
        person_and_role(role, parties);
    }
}

/// A result's specimen (C-CDA on FHIR: Observation/DiagnosticReport.specimen) is a Specimen
/// when the document identifies it or says what it is.
fn specimen(n: roxmltree::Node<'_, '_>, parties: &mut BTreeSet<String>) {
    let p = kid(n, "specimen")
        .or_else(|| n.children().find(|c| c.has_tag_name("participant") && c.attribute("typeCode") == Some("SPC")));
    let Some(role) = p.and_then(|p| kid(p, "specimenRole").or_else(|| kid(p, "participantRole"))) else { return };
    let code = kid(role, "specimenPlayingEntity").or_else(|| kid(role, "playingEntity")).and_then(|e| kid(e, "code"));
    let identified = role.children().any(|c| c.has_tag_name("id") && c.attribute("root").is_some());
    if identified || code.is_some_and(said) {
        parties.insert(identity("Specimen", role, None));
    }
}

/// The Practitioner of an `assignedAuthor`/`assignedEntity` who is a person (or known only by
/// `id`), and the PractitionerRole for the organization they represent (C-CDA on FHIR: a person
/// and an organization make a PractitionerRole), by practitioner, organization and role code.
fn person_and_role(role: roxmltree::Node<'_, '_>, parties: &mut BTreeSet<String>) {
    let person = kid(role, "assignedPerson");
    let org = kid(role, "representedOrganization");
    let has_id =
        |n: roxmltree::Node<'_, '_>| n.children().any(|c| c.has_tag_name("id") && c.attribute("root").is_some());
    if person.is_none() && !(has_id(role) && org.is_none()) {
        return;
    }
    let practitioner = identity("Practitioner", role, person.and_then(|p| kid(p, "name")));
    parties.insert(practitioner.clone());
    let org = org.filter(|o| has_id(*o) || kid(*o, "name").is_some_and(|n| !text(n).is_empty()));
    // The role's code; with an organization, else the participation's functionCode.
    let function = || role.parent().and_then(|p| p.children().find(|c| c.tag_name().name() == "functionCode"));
    let code_element = kid(role, "code").or_else(|| org.and(function()));
    if org.is_none() && !code_element.is_some_and(said) {
        return;
    }
    let code = code_element
        .map(|c| ["code", "codeSystem", "displayName"].map(|a| c.attribute(a).unwrap_or_default()).join("|"))
        .unwrap_or_default();
    let org = org.map(|o| identity("Organization", o, kid(o, "name"))).unwrap_or_default();
    parties.insert(format!("PractitionerRole {practitioner} {org} {code}"));
}

/// Whether a coded element says something (a code, a display name, an original text or a coded
/// translation), which C-CDA on FHIR maps to a CodeableConcept.
fn said(c: roxmltree::Node<'_, '_>) -> bool {
    c.attribute("code").is_some()
        || c.attribute("displayName").is_some()
        || kid(c, "originalText").is_some()
        || c.children().any(|t| t.has_tag_name("translation") && t.attribute("code").is_some())
}

/// What the header's participants become (C-CDA on FHIR): authors who are people, the legal
/// authenticator, the service events' performers and, when the document has a Composition to
/// hold them, the authenticators, data enterer, provider informants and information recipients
/// → Practitioners (and PractitionerRoles); device authors →
/// Devices; a service event with performers → a CareTeam; and, with a Composition, the
/// sections' authors (people or devices).
fn header_participants(
    doc: roxmltree::Node<'_, '_>,
    out: &mut BTreeMap<String, usize>,
    parties: &mut BTreeSet<String>,
) {
    let person_or_device =
        |a: roxmltree::Node<'_, '_>, parties: &mut BTreeSet<String>| match kid(a, "assignedAuthoringDevice") {
            Some(device) => {
                parties.insert(identity("Device", a, Some(device)));
            }
            None => person_and_role(a, parties),
        };
    for a in doc.children().filter(|c| c.has_tag_name("author")).filter_map(|a| kid(a, "assignedAuthor")) {
        person_or_device(a, parties);
    }
    if let Some(a) = kid(doc, "legalAuthenticator").and_then(|l| kid(l, "assignedEntity")) {
        person_and_role(a, parties);
    }
    if kid(doc, "effectiveTime").and_then(|e| e.attribute("value")).is_some() {
        // Authenticators (attesters), the data enterer and provider informants (participation
        // extensions): people, with their roles.
        let entities = doc
            .children()
            .filter(|c| c.has_tag_name("authenticator") || c.has_tag_name("dataEnterer") || c.has_tag_name("informant"))
            .filter_map(|a| kid(a, "assignedEntity"));
        for a in entities {
            person_and_role(a, parties);
        }
        // Information recipients: a person (or one known by id) with a role for the receiving
        // organization.
        let recipients = doc
            .children()
            .filter(|c| c.has_tag_name("informationRecipient"))
            .filter_map(|r| kid(r, "intendedRecipient"));
        for r in recipients {
            let person = kid(r, "informationRecipient");
            if person.is_none() && !r.children().any(|c| c.has_tag_name("id") && c.attribute("root").is_some()) {
                continue;
            }
            let practitioner = identity("Practitioner", r, person.and_then(|p| kid(p, "name")));
            parties.insert(practitioner.clone());
            let org = kid(r, "receivedOrganization").filter(|o| {
                o.children().any(|c| c.has_tag_name("id") && c.attribute("root").is_some())
                    || kid(*o, "name").is_some_and(|n| !text(n).is_empty())
            });
            if let Some(o) = org {
                parties.insert(format!(
                    "PractitionerRole {practitioner} {} ",
                    identity("Organization", o, kid(o, "name"))
                ));
            }
        }
        let sections = doc.descendants().filter(|s| s.has_tag_name("section"));
        for a in sections
            .flat_map(|s| s.children().filter(|c| c.has_tag_name("author")))
            .filter_map(|a| kid(a, "assignedAuthor"))
        {
            person_or_device(a, parties);
        }
    }
    // People related to the patient (next of kin, emergency contacts, an informing spouse).
    for p in doc.children().filter(|c| c.has_tag_name("participant") || c.has_tag_name("informant")) {
        let entity = kid(p, "associatedEntity").or_else(|| kid(p, "relatedEntity"));
        let person = entity.and_then(|e| kid(e, "associatedPerson").or_else(|| kid(e, "relatedPerson")));
        if let (Some(e), Some(person)) = (entity, person) {
            parties.insert(identity("RelatedPerson", e, kid(person, "name")));
        }
    }
    if let Some(enc) = kid(doc, "componentOf").and_then(|c| kid(c, "encompassingEncounter")) {
        encompassing_encounter(doc, enc, out, parties);
    }
    for event in doc.children().filter(|c| c.has_tag_name("documentationOf")).filter_map(|d| kid(d, "serviceEvent")) {
        let performers: Vec<_> = event.children().filter(|c| c.has_tag_name("performer")).collect();
        if !performers.is_empty() {
            *out.entry("CareTeam".to_owned()).or_default() += 1;
        }
        for a in performers.into_iter().filter_map(|p| kid(p, "assignedEntity")) {
            person_and_role(a, parties);
        }
    }
}

/// The document's encounter (C-CDA on FHIR: an Encounter, the same resource as a body
/// Encounter Activity with its `id`), its responsible party and participants (Practitioners)
/// and its health care facility (a Location).
fn encompassing_encounter(
    doc: roxmltree::Node<'_, '_>,
    enc: roxmltree::Node<'_, '_>,
    out: &mut BTreeMap<String, usize>,
    parties: &mut BTreeSet<String>,
) {
    let first_id = |n: roxmltree::Node<'_, '_>| {
        n.children()
            .filter(|c| c.has_tag_name("id"))
            .find_map(|i| Some(format!("{}|{}", i.attribute("root")?, i.attribute("extension").unwrap_or(""))))
    };
    let id = first_id(enc);
    let in_body = id.is_some()
        && doc.descendants().any(|n| {
            n.has_tag_name("encounter")
                && n.children()
                    .any(|t| t.has_tag_name("templateId") && t.attribute("root") == Some(&format!("{T}4.49")[..]))
                && !PLANNED.contains(&n.attribute("moodCode").unwrap_or("EVN"))
                && first_id(n) == id
        });
    if in_body {
        return;
    }
    *out.entry("Encounter".to_owned()).or_default() += 1;
    for p in enc.children().filter(|c| c.has_tag_name("responsibleParty") || c.has_tag_name("encounterParticipant")) {
        if let Some(a) = kid(p, "assignedEntity") {
            person_and_role(a, parties);
        }
    }
    if let Some(f) = kid(enc, "location").and_then(|l| kid(l, "healthCareFacility")) {
        let place = kid(f, "location");
        let name = place.and_then(|p| kid(p, "name"));
        let has_id = f.children().any(|c| c.has_tag_name("id") && c.attribute("root").is_some());
        if has_id
            || name.is_some_and(|n| !text(n).is_empty())
            || place.and_then(|p| kid(p, "addr")).is_some()
            || kid(f, "code").is_some()
        {
            parties.insert(identity("Location", f, name));
        }
    }
}

/// Import `xml` and check every structured entry became its resource, per kind.
fn import_and_count(xml: &str, name: &str) -> emr_core::fhir::Imported {
    let (imported, problem) = try_import_and_count(xml, name);
    assert!(problem.is_none(), "{problem:?}");
    imported.unwrap()
}

/// As [`import_and_count`], returning the problem instead of failing.
fn try_import_and_count(xml: &str, name: &str) -> (Option<emr_core::fhir::Imported>, Option<String>) {
    let imported = match ccda::import(xml, &ImportOptions::default(), now()) {
        Ok(i) => i,
        Err(e) => return (None, Some(format!("{name}: {e}"))),
    };
    let mut got = kinds(&imported.record);
    got.remove("Organization");
    let want = expected(xml);
    let problem = (got != want).then(|| format!("{name}: entries per kind {got:?}, structured entries {want:?}"));
    (Some(imported), problem)
}

#[test]
fn every_hl7_example_document_imports_with_every_entry() {
    let Some(dir) = shared() else { return };
    let mut files = Vec::new();
    xml_files(&dir.join("Documents"), &mut files);
    assert_eq!(files.len(), 12, "the 12 HL7 example documents");
    for f in &files {
        let xml = std::fs::read_to_string(f).unwrap();
        let imported = import_and_count(&xml, &f.display().to_string());
        assert!(imported.record.patient.is_some(), "{}: no patient", f.display());
        assert_eq!(imported.record.sources.len(), 1, "{}: one source, the author organization", f.display());
        // Every entry, the PractitionerRoles of people acting for other organizations too, is
        // attributed to that source.
        let source = &imported.record.sources[0].id;
        for e in &imported.record.entries {
            assert_eq!(&e.provenance().source, source, "{}: {}", f.display(), e.resource().resource_type());
        }
    }
}

/// The code of the finding for an `xsi` or `sdtc` prefix used without a declaration.
const UNDECLARED: &str = "ccda.xml.prefix.undeclared";

/// The examples that are not namespace-well-formed XML in other ways (6 before the importer
/// bound undeclared `xsi` and `sdtc` prefixes; the one left has mismatched tags).
const MALFORMED_EXAMPLES: usize = 1;

/// Whether roxmltree reads `xml` (DTDs refused).
fn well_formed(xml: &str) -> bool {
    let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
    roxmltree::Document::parse_with_options(xml, options).is_ok()
}

/// A fragment (section, entry or statement) wrapped in a minimal document.
fn wrap(xml: &str) -> Option<String> {
    // Fragments may use prefixes (xsi:, sdtc:) they do not declare: find the root textually.
    let mut start = 0;
    while let Some(i) = xml[start..].find('<') {
        let at = start + i;
        if xml[at + 1..].starts_with(|c: char| c.is_ascii_alphabetic()) {
            start = at;
            break;
        }
        start = at + 1;
    }
    let body = &xml[start..];
    let name_end = body.find(|c: char| c.is_whitespace() || c == '>' || c == '/').unwrap_or(body.len());
    let root_name = body[1..name_end].rsplit(':').next().unwrap();
    let head = r#"<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:sdtc="urn:hl7-org:sdtc"><recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="test"/></patientRole></recordTarget><custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.19.5"/><name>Test</name></representedCustodianOrganization></assignedCustodian></custodian><component><structuredBody>"#;
    let tail = "</structuredBody></component></ClinicalDocument>";
    let inner = match root_name {
        "ClinicalDocument" => return Some(xml.to_owned()),
        "structuredBody" => {
            let open = &head[..head.len() - "<component><structuredBody>".len()];
            return Some(format!("{open}<component>{body}</component></ClinicalDocument>"));
        }
        "component" => body.to_owned(),
        "section" => format!("<component>{body}</component>"),
        "entry" => format!("<component><section>{body}</section></component>"),
        "act" | "observation" | "organizer" | "substanceAdministration" | "procedure" | "encounter" | "supply" => {
            format!("<component><section><entry>{body}</entry></section></component>")
        }
        _ => return None,
    };
    Some(format!("{head}{inner}{tail}"))
}

#[test]
fn every_example_fragment_imports_wrapped_in_a_document() {
    let Some(dir) = shared() else { return };
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    let (mut documents, mut fragments, mut malformed, mut skipped, mut problems) = (0, 0, 0, Vec::new(), Vec::new());
    let mut undeclared = Vec::new();
    for f in files.iter().filter(|f| !f.starts_with(dir.join("Documents"))) {
        let Ok(xml) = std::fs::read_to_string(f) else { continue };
        let Some(wrapped) = wrap(&xml) else {
            skipped.push(f.display().to_string());
            continue;
        };
        if wrapped == xml {
            documents += 1;
        } else {
            fragments += 1;
        }
        match try_import_and_count(&wrapped, &f.display().to_string()) {
            // Some examples are not namespace-well-formed XML (undeclared prefixes, mismatched
            // tags): those must fail with an XML error, as an independent parser does.
            (None, Some(_)) if roxmltree::Document::parse(&wrapped).is_err() => malformed += 1,
            (_, Some(problem)) => problems.push(problem),
            // Documents using `xsi:` or `sdtc:` undeclared import, with a finding saying so.
            (Some(imported), None) if declared(&wrapped) != wrapped => {
                if !imported.findings.iter().any(|x| x.code == UNDECLARED) {
                    problems.push(format!("{}: undeclared prefix not reported", f.display()));
                }
                undeclared.push(f.file_name().unwrap().to_string_lossy().into_owned());
            }
            (Some(imported), None) if imported.findings.iter().any(|x| x.code == UNDECLARED) => {
                problems.push(format!("{}: {UNDECLARED} for declared prefixes", f.display()));
            }
            _ => {}
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    eprintln!(
        "{documents} documents, {fragments} fragments, {malformed} malformed, {} with undeclared xsi/sdtc \
         prefixes; not statements: {skipped:#?}",
        undeclared.len()
    );
    for name in [
        "Entry Reference Example.xml",
        "Health Concerns Link to Problems Section(C-CDA2.1).xml",
        "Health Concerns Link to Problems Section with linkHTML(C-CDA2.1).xml",
        "Planned Encounter - Reason for Referral(C-CDAR2.1).xml",
        "Transfer Summary participant (Support) Example.xml",
    ] {
        assert!(undeclared.iter().any(|u| u == name), "{name} imports despite its undeclared prefix: {undeclared:#?}");
    }
    // The malformed ones left are not namespace-well-formed in other ways (mismatched tags,
    // other prefixes): fewer than before the xsi/sdtc leniency.
    assert!(malformed <= MALFORMED_EXAMPLES, "{malformed} malformed examples");
    assert!(documents + fragments > 350, "most examples are read ({documents} + {fragments})");
}

fn local(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda").join(name)).unwrap()
}

#[test]
fn local_documents_import_with_every_entry() {
    for name in ["CCD.xml", "Operative_Note.xml", "Diagnostic_Imaging_Report.xml"] {
        let xml = local(name);
        let imported = import_and_count(&xml, name);
        // Same XML, same bytes.
        assert_eq!(ccda::to_fhir(&xml).unwrap().bundle, ccda::to_fhir(&xml).unwrap().bundle);
        // The original is kept verbatim.
        let doc =
            imported.record.entries.iter().find(|e| e.resource().as_str().contains("ccda-structuredBody")).unwrap();
        assert!(doc.resource().as_str().contains("\"contentType\":\"application/xml\""));
        // Every derived entry names its origin.
        for e in &imported.record.entries {
            assert!(e.resource().as_str().contains(ccda::ORIGIN), "{name}: an entry without origin");
        }
        assert!(imported.findings.iter().all(|f| f.code != "reference.unresolved"), "{name}: {:#?}", imported.findings);
    }
}

/// The bundle with the attachment data replaced by its length, for readable snapshots.
fn snapshot_text(xml: &str) -> String {
    let c = ccda::to_fhir(xml).unwrap();
    let tree = json::parse(&c.bundle).unwrap();
    let mut text = tree.to_pretty_string();
    let data = tree.pointer("/entry/2/resource/content/0/attachment/data").and_then(Json::as_str).unwrap();
    text = text.replace(data, &format!("<{} base64 characters>", data.len()));
    let findings: Vec<String> = c.findings.iter().map(|f| format!("{} {} {}", f.code, f.path, f.message)).collect();
    format!("{text}\n\nfindings:\n{}", findings.join("\n"))
}

#[test]
fn golden_fhir_of_ccd() {
    insta::assert_snapshot!("ccd", snapshot_text(&local("CCD.xml")));
}

#[test]
fn golden_fhir_of_operative_note() {
    insta::assert_snapshot!("operative_note", snapshot_text(&local("Operative_Note.xml")));
}

/// HL7's CCD: the encounter's performer and service delivery location arrive as a Practitioner
/// and a Location it references, one resource per identity; a problem's author is its
/// Condition's recorder; the procedure's specimen (no FHIR element) is reported.
#[test]
fn hl7_ccd_participants_arrive_with_their_references() {
    let Some(dir) = shared() else { return };
    let xml = std::fs::read_to_string(dir.join("Documents/CCD/CCD 1/CCD.XML")).unwrap();
    let converted = ccda::to_fhir(&xml).unwrap();
    let tree = json::parse(&converted.bundle).unwrap();
    let resources: Vec<(&str, &Json<'_>)> = tree
        .get("entry")
        .and_then(Json::as_array)
        .unwrap()
        .iter()
        .map(|e| (e.get("fullUrl").and_then(Json::as_str).unwrap(), e.get("resource").unwrap()))
        .collect();
    let of = |url: &str| resources.iter().find(|(u, _)| *u == url).map(|(_, r)| *r).unwrap();
    let kind = |r: &Json<'_>| r.get("resourceType").and_then(Json::as_str).unwrap().to_owned();
    let text = |r: &Json<'_>, ptr: &str| r.pointer(ptr).and_then(Json::as_str).map(str::to_owned);
    let encounter = resources.iter().map(|(_, r)| *r).find(|r| kind(r) == "Encounter").unwrap();
    let place = of(&text(encounter, "/location/0/location/reference").unwrap());
    assert_eq!(kind(place), "Location");
    assert_eq!(text(place, "/name").as_deref(), Some("Good Health Urgent Care"));
    assert_eq!(text(place, "/address/city").as_deref(), Some("Portland"));
    assert_eq!(text(place, "/type/0/coding/0/code").as_deref(), Some("1160-1"));
    let doctor = of(&text(encounter, "/participant/0/individual/reference").unwrap());
    assert_eq!(kind(doctor), "Practitioner");
    assert_eq!(text(doctor, "/identifier/0/value").as_deref(), Some("333444555"));
    assert_eq!(text(doctor, "/identifier/0/system").as_deref(), Some("http://hl7.org/fhir/sid/us-npi"));
    let condition = resources.iter().map(|(_, r)| *r).find(|r| kind(r) == "Condition" && r.get("recorder").is_some());
    let recorder = of(&text(condition.unwrap(), "/recorder/reference").unwrap());
    assert_eq!(kind(recorder), "Practitioner");
    // One resource per identity: no two Practitioners or Locations share an identifier.
    for k in ["Practitioner", "Location"] {
        let ids: Vec<String> = resources
            .iter()
            .filter(|(_, r)| kind(r) == k)
            .filter_map(|(_, r)| r.pointer("/identifier/0").map(Json::to_compact_string))
            .collect();
        let distinct: BTreeSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len(), "{k}: {ids:#?}");
    }
    assert!(
        converted
            .findings
            .iter()
            .any(|f| f.code == "ccda.participant.unmapped" && f.path.ends_with("/procedure/specimen")),
        "{:#?}",
        converted.findings
    );
}

#[test]
fn imported_ccda_exports_as_fhir_and_ips_and_reimports() {
    let options = ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() };
    for name in ["CCD.xml", "Operative_Note.xml"] {
        let imported = ccda::import(&local(name), &ImportOptions::default(), now()).unwrap();
        let bundle = fhir::to_bundle(&imported.record, &options);
        let again = fhir::import(&bundle, &ImportOptions::default(), now()).unwrap();
        assert_eq!(again.record.entries.len(), imported.record.entries.len(), "{name}: FHIR round trip");
        assert_eq!(again.record.patient, imported.record.patient, "{name}: patient");
        let closed = |f: &emr_core::validate::Finding| f.code != "reference.unresolved";
        assert!(again.findings.iter().all(closed), "{name}: {:#?}", again.findings);
        let ips = fhir::to_ips(&imported.record, &options).unwrap();
        let from_ips = fhir::import(&ips, &ImportOptions::default(), now()).unwrap();
        assert!(from_ips.record.patient.is_some(), "{name}: IPS has the patient");
        assert!(from_ips.findings.iter().all(closed), "{name}: {:#?}", from_ips.findings);
    }
}

/// "No known …" and "no information" examples become the IPS absent/unknown codes the merge
/// engine honours, never a positive allergy, problem, medication or immunization.
#[test]
fn negation_and_no_information_are_never_positive_entries() {
    let Some(dir) = shared() else { return };
    for (folder, kind, code) in [
        ("Allergies/No Known Allergies", "AllergyIntolerance", "no-known-allergies"),
        ("Allergies/No Known Medication Allergies", "AllergyIntolerance", "no-known-medication-allergies"),
        ("Problems/No Known Problems", "Condition", "no-known-problems"),
        ("Medications/No Medications", "MedicationStatement", "no-known-medications"),
        ("Immunizations/Unknown Immunization Status", "Immunization", "no-immunization-info"),
    ] {
        let mut files = Vec::new();
        xml_files(&dir.join(folder), &mut files);
        assert!(!files.is_empty(), "{folder}");
        for f in files {
            let wrapped = wrap(&std::fs::read_to_string(&f).unwrap()).unwrap();
            let imported = ccda::import(&wrapped, &ImportOptions::default(), now()).unwrap();
            let entries: Vec<_> =
                imported.record.entries.iter().filter(|e| e.resource().resource_type() == kind).collect();
            assert_eq!(entries.len(), 1, "{}", f.display());
            let text = entries[0].resource().as_str();
            assert!(text.contains(&format!("\"{code}\"")), "{}: {text}", f.display());
            assert!(text.contains("absent-unknown-uv-ips"), "{}", f.display());
        }
    }
}

#[test]
fn hostile_and_malformed_xml_is_a_clear_error() {
    let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><ClinicalDocument xmlns="urn:hl7-org:v3">&lol3;</ClinicalDocument>"#;
    assert!(matches!(ccda::to_fhir(laughs), Err(CcdaError::Doctype { line: 1, column: 22 })));
    let external = "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<ClinicalDocument xmlns=\"urn:hl7-org:v3\">&e;</ClinicalDocument>";
    assert!(matches!(ccda::to_fhir(external), Err(CcdaError::Doctype { .. })));
    let undefined = r#"<ClinicalDocument xmlns="urn:hl7-org:v3">&e;</ClinicalDocument>"#;
    assert!(matches!(ccda::to_fhir(undefined), Err(CcdaError::Xml { line: 1, column: 42, .. })));
    let deep = format!(
        "<ClinicalDocument xmlns=\"urn:hl7-org:v3\">{}{}</ClinicalDocument>",
        "<a>".repeat(100_000),
        "</a>".repeat(100_000)
    );
    assert!(matches!(ccda::to_fhir(&deep), Err(CcdaError::TooDeep { max: 256, .. })));
    let full = local("CCD.xml");
    for cut in [10, full.len() / 3, full.len() - 5] {
        let truncated = &full[..full.floor_char_boundary(cut)];
        let err = ccda::to_fhir(truncated).unwrap_err();
        assert!(matches!(err, CcdaError::Xml { .. }), "{err}");
        assert!(!err.to_string().contains("Eve"), "no patient data in messages");
    }
    assert!(matches!(ccda::to_fhir("<x/>"), Err(CcdaError::NotClinicalDocument)));
    assert!(matches!(ccda::to_fhir(""), Err(CcdaError::Xml { .. })));
    let big = " ".repeat(ccda::MAX_BYTES + 1);
    assert!(matches!(ccda::to_fhir(&big), Err(CcdaError::TooLarge { .. })));
    assert!(matches!(
        ccda::import_bytes(b"<ClinicalDocument \xff/>", &ImportOptions::default(), now()),
        Err(CcdaError::NotUtf8 { offset: 18 })
    ));
}

#[test]
fn detection_by_content() {
    assert!(ccda::looks_like_ccda(local("CCD.xml").as_bytes()));
    assert!(!ccda::looks_like_ccda(br#"{"resourceType":"Bundle","type":"collection"}"#));
    assert!(!ccda::looks_like_ccda(b"<html><body>urn:hl7-org:v3</body></html>"));
}

/// One resource of `kind` with a code in `system` from a C-CDA import, as another clinic's FHIR.
fn other_clinic_fhir(record: &Record, kind: &str, system: &str) -> String {
    let patient = record.patient.as_ref().unwrap().resource().as_str().to_owned();
    let entry = record
        .entries
        .iter()
        .find(|e| e.resource().resource_type() == kind && e.resource().as_str().contains(system))
        .unwrap_or_else(|| panic!("no {kind} coded in {system}"));
    let resource = entry.resource().as_str().replacen("\"id\":\"", "\"id\":\"b-", 1);
    let resource = resource.replacen("\"resourceType\":\"", "\"performer\":[{\"reference\":\"urn:uuid:clinic-b\"}],\"informationSource\":{\"reference\":\"urn:uuid:clinic-b\"},\"resourceType\":\"", 1);
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[
        {{"fullUrl":"urn:uuid:clinic-b","resource":{{"resourceType":"Organization","id":"clinic-b","name":"Clinic B"}}}},
        {{"resource":{patient}}},{{"resource":{resource}}}]}}"#
    )
}

fn folds(xml: &str, kind: &str, system: &str) {
    let a = ccda::import(xml, &ImportOptions::default(), now()).unwrap();
    let b = fhir::import(&other_clinic_fhir(&a.record, kind, system), &ImportOptions::default(), now()).unwrap();
    assert_ne!(a.record.sources[0].id, b.record.sources[0].id, "two clinics");
    let (_, report) = emr_core::merge::merge(&[a.record, b.record], &Default::default()).unwrap();
    let across = report.folded.iter().any(|f| {
        let sources: std::collections::BTreeSet<_> = f.members.iter().map(|m| &m.source).collect();
        sources.len() == 2
    });
    assert!(across, "{kind} in {system} not folded across the two clinics: {:#?}", report.folded);
}

#[test]
fn ccda_from_one_clinic_and_fhir_from_another_fold_duplicates() {
    folds(&local("CCD.xml"), "Observation", "http://loinc.org");
    folds(&local("Operative_Note.xml"), "MedicationStatement", "http://www.nlm.nih.gov/research/umls/rxnorm");
}

/// `tests/data/ccda-invalid/<code>.xml`: each small document triggers its `ccda.*` rule, and
/// every `ccda.*` rule has such a document.
#[test]
fn every_ccda_rule_has_a_document_that_triggers_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda-invalid");
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    let mut covered = Vec::new();
    for f in &files {
        let code = f.file_stem().unwrap().to_string_lossy().into_owned();
        let imported = ccda::import(&std::fs::read_to_string(f).unwrap(), &ImportOptions::default(), now()).unwrap();
        let hit = imported.findings.iter().find(|x| x.code == code);
        let hit = hit.unwrap_or_else(|| panic!("{code}: not reported in {:#?}", imported.findings));
        assert!(hit.path.starts_with("/ClinicalDocument"), "{code}: the location is in the document");
        covered.push(code);
    }
    for rule in emr_core::validate::rules::ALL.iter().filter(|r| r.code.starts_with("ccda.")) {
        assert!(covered.iter().any(|c| c == rule.code), "no document for {}", rule.code);
    }
}

/// Mutated HL7 documents (bytes flipped, inserted, removed; markup, references, DOCTYPEs and
/// prefixed attributes spliced in; a fixed seed): never a panic, and nothing the independent
/// parser (roxmltree) refuses as malformed XML is accepted, but for the one documented
/// leniency: an `xsi` or `sdtc` prefix used undeclared (accepted with [`UNDECLARED`] reported,
/// and roxmltree accepts the document with the declaration added).
#[test]
fn mutated_documents_never_panic_and_malformed_ones_are_refused() {
    let Some(dir) = shared() else { return };
    let mut files = Vec::new();
    xml_files(&dir.join("Documents"), &mut files);
    let docs: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert!(!docs.is_empty());
    let mut seed: u64 = 0x1234_5678;
    let mut next = || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).unwrap()
    };
    let splices: [&[u8]; 8] =
        [b"<!DOCTYPE x>", b"&amp;", b"<![CDATA[x]]>", b"<!--c-->", b"xmlns=\"\"", b" a:b=\"1\"", b"</x>", b"&#1;"];
    let bytes = b"<>&;\"'/=:!?-[] \r\n\t#x0aZ";
    let (mut accepted, mut refused, mut undeclared, mut lenient) = (0, 0, 0, Vec::new());
    for i in 0..600 {
        let mut d = docs[i % docs.len()].clone();
        for _ in 0..1 + next() % 2 {
            if d.is_empty() {
                break;
            }
            let at = next() % d.len();
            match next() % 5 {
                0 => d[at] = bytes[next() % bytes.len()],
                1 => d.insert(at, bytes[next() % bytes.len()]),
                2 => {
                    d.remove(at);
                }
                3 if next() % 10 == 0 => d.truncate(at.max(1)),
                3 => {}
                _ => {
                    let s = splices[next() % splices.len()];
                    d.splice(at..at, s.iter().copied());
                }
            }
        }
        let Ok(text) = std::str::from_utf8(&d) else { continue };
        let ours =
            std::panic::catch_unwind(|| ccda::to_fhir(text).map(|c| c.findings.iter().any(|f| f.code == UNDECLARED)));
        let ours = ours.unwrap_or_else(|_| panic!("to_fhir panicked on mutation {i}"));
        let xml_error =
            matches!(ours, Err(CcdaError::Xml { .. } | CcdaError::Doctype { .. } | CcdaError::TooDeep { .. }));
        let options = roxmltree::ParsingOptions { allow_dtd: false, ..Default::default() };
        match (xml_error, roxmltree::Document::parse_with_options(text, options)) {
            (false, Err(roxmltree::Error::UnknownNamespace(..)))
                if matches!(ours, Ok(true)) && well_formed(&declared(text)) =>
            {
                undeclared += 1;
            }
            (false, Err(e)) => lenient.push(format!("mutation {i}: roxmltree refuses ({e}), emr accepts")),
            (false, Ok(_)) => accepted += 1,
            (true, _) => refused += 1,
        }
    }
    assert!(lenient.is_empty(), "{lenient:#?}");
    assert!(accepted > 100 && refused > 100, "{accepted} accepted, {refused} refused, {undeclared} undeclared");
}
