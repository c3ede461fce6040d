//! The header's remaining participants (C-CDA on FHIR): device authors → Device (referenced by
//! the Composition and the DocumentReference, one per identity), non-legal authenticators →
//! professional attesters, the data enterer, provider informants and information recipients →
//! participation extensions, section authors → Composition.section.author, `relatedDocument` →
//! Composition.relatesTo; what no Composition can hold is reported; and a Device's owner never
//! becomes a second source of the document.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use emr_core::ccda;
use emr_core::fhir::ImportOptions;
use serde_json::Value;

const PERSON: &str = r#"<assignedAuthor><id root="2.16.840.1.113883.4.6" extension="111"/>
  <assignedPerson><name><given>Ada</given><family>Author</family></name></assignedPerson>
  <representedOrganization><id root="2.16.840.1.113883.19.5" extension="A"/><name>Clinic A</name></representedOrganization>
</assignedAuthor>"#;

/// The same software, as the header and a section name it.
const DEVICE: &str = r#"<assignedAuthor><id root="2.16.840.1.113883.19.5" extension="ehr-1"/>
  <telecom use="WP" value="tel:+1-555-0100"/>
  <assignedAuthoringDevice><manufacturerModelName>Model X</manufacturerModelName><softwareName>Writer 2.1</softwareName></assignedAuthoringDevice>
  <representedOrganization><id root="2.16.840.1.113883.19.5" extension="B"/><name>Hospital B</name></representedOrganization>
</assignedAuthor>"#;

const SECTION_PERSON: &str = r#"<assignedAuthor><id root="2.16.840.1.113883.4.6" extension="222"/>
  <assignedPerson><name><given>Sam</given><family>Section</family></name></assignedPerson>
</assignedAuthor>"#;

/// A document with a person author (Clinic A: the source), a device author of Hospital B, an
/// authenticator who is not the legal authenticator, a replaced parent document, and sections
/// with authors (a person; the header's device; a nested section's person).
fn document(effective_time: bool) -> String {
    let time = if effective_time { r#"<effectiveTime value="20240102103000-0500"/>"# } else { "" };
    format!(
        r#"<ClinicalDocument xmlns="urn:hl7-org:v3">
  <id root="2.16.840.1.113883.19.5" extension="doc-2"/>
  <code code="34133-9" codeSystem="2.16.840.1.113883.6.1"/>
  <title>Summary</title>{time}
  <setId root="2.16.840.1.113883.19.5" extension="doc-set"/><versionNumber value="2"/>
  <recordTarget><patientRole><id root="2.16.840.1.113883.19.5" extension="p1"/>
    <patient><name><given>Pat</given><family>Example</family></name><birthTime value="19700101"/></patient></patientRole></recordTarget>
  <author><time value="20240102"/>{PERSON}</author>
  <author><time value="20240102"/>{DEVICE}</author>
  <dataEnterer><time value="20240101"/><assignedEntity><id root="2.16.840.1.113883.4.6" extension="444"/>
    <assignedPerson><name><given>Ed</given><family>Enterer</family></name></assignedPerson></assignedEntity></dataEnterer>
  <informant><assignedEntity><id root="2.16.840.1.113883.4.6" extension="555"/>
    <assignedPerson><name><given>Ina</given><family>Informant</family></name></assignedPerson></assignedEntity></informant>
  <informant><relatedEntity classCode="PRS"><code code="SPS" codeSystem="2.16.840.1.113883.5.111"/>
    <relatedPerson><name><given>Sue</given><family>Example</family></name></relatedPerson></relatedEntity></informant>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="2.16.840.1.113883.19.5" extension="A"/><name>Clinic A</name></representedCustodianOrganization></assignedCustodian></custodian>
  <legalAuthenticator><time value="20240102"/><signatureCode code="S"/>{legal}</legalAuthenticator>
  <authenticator><time value="20240103"/><signatureCode code="S"/><assignedEntity><id root="2.16.840.1.113883.4.6" extension="333"/>
    <assignedPerson><name><given>Val</given><family>Verifier</family></name></assignedPerson></assignedEntity></authenticator>
  <informationRecipient typeCode="TRC"><intendedRecipient><informationRecipient><name><given>Rita</given><family>Recipient</family></name></informationRecipient>
    <receivedOrganization><id root="2.16.840.1.113883.19.5" extension="C"/><name>Clinic C</name></receivedOrganization></intendedRecipient></informationRecipient>
  <relatedDocument typeCode="RPLC"><parentDocument><id root="2.16.840.1.113883.19.5" extension="doc-1"/></parentDocument></relatedDocument>
  <component><structuredBody>
    <component><section><code code="10164-2" codeSystem="2.16.840.1.113883.6.1"/><title>History</title>
      <author><time value="20240102"/>{SECTION_PERSON}</author>
      <author><time value="20240102"/>{DEVICE}</author>
      <text>Some history.</text>
      <component><section><title>Detail</title><author><time value="20240102"/>{PERSON}</author><text>More.</text></section></component>
    </section></component>
  </structuredBody></component>
</ClinicalDocument>"#,
        legal = PERSON.replace("assignedAuthor", "assignedEntity"),
    )
}

fn bundle(xml: &str) -> (Value, Vec<emr_core::validate::Finding>) {
    let converted = ccda::to_fhir(xml).unwrap();
    (serde_json::from_str(&converted.bundle).unwrap(), converted.findings)
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    let entries = bundle["entry"].as_array().unwrap();
    entries.iter().map(|e| &e["resource"]).filter(|r| r["resourceType"] == kind).collect()
}

/// The type of the resource a reference names.
fn kind_of(bundle: &Value, reference: &Value) -> String {
    let url = reference["reference"].as_str().unwrap_or_else(|| panic!("not a reference: {reference}"));
    let entries = bundle["entry"].as_array().unwrap();
    let target = entries.iter().find(|e| e["fullUrl"] == url).unwrap_or_else(|| panic!("{url} does not resolve"));
    target["resource"]["resourceType"].as_str().unwrap().to_owned()
}

fn unmapped(findings: &[emr_core::validate::Finding]) -> Vec<String> {
    findings.iter().filter(|f| f.code == "ccda.participant.unmapped").map(|f| f.path.clone()).collect()
}

#[test]
fn a_device_author_is_a_device_the_composition_and_the_document_reference_name() {
    let (bundle, findings) = bundle(&document(true));
    let devices = resources(&bundle, "Device");
    // The header's device and the section's are one software: one Device.
    assert_eq!(devices.len(), 1, "{devices:#?}");
    let device = devices[0];
    assert_eq!(device["deviceName"][0], serde_json::json!({"name": "Model X", "type": "model-name"}));
    assert_eq!(device["deviceName"][1], serde_json::json!({"name": "Writer 2.1", "type": "other"}));
    assert_eq!(device["identifier"][0]["value"], "ehr-1");
    assert_eq!(device["contact"][0]["value"], "+1-555-0100");
    assert_eq!(kind_of(&bundle, &device["owner"]), "Organization");
    let composition = resources(&bundle, "Composition")[0];
    let document = resources(&bundle, "DocumentReference")[0];
    for authors in [&composition["author"], &document["author"]] {
        let kinds: Vec<String> = authors.as_array().unwrap().iter().map(|a| kind_of(&bundle, a)).collect();
        assert_eq!(kinds, ["Practitioner", "Device"]);
    }
    assert!(unmapped(&findings).is_empty(), "{findings:#?}");
}

#[test]
fn an_authenticator_is_a_professional_attester_after_the_legal_one() {
    let (bundle, _) = bundle(&document(true));
    let composition = resources(&bundle, "Composition")[0];
    let attesters = composition["attester"].as_array().unwrap();
    let modes: Vec<&str> = attesters.iter().map(|a| a["mode"].as_str().unwrap()).collect();
    assert_eq!(modes, ["legal", "professional"]);
    let professional = &attesters[1];
    assert_eq!(professional["time"], "2024-01-03");
    assert_eq!(kind_of(&bundle, &professional["party"]), "Practitioner");
    let url = professional["party"]["reference"].as_str().unwrap();
    let entries = bundle["entry"].as_array().unwrap();
    let person = &entries.iter().find(|e| e["fullUrl"] == url).unwrap()["resource"];
    assert_eq!(person["name"][0]["family"], "Verifier");
    assert_eq!(person["identifier"][0]["value"], "333");
}

/// The participations FHIR's Composition has no element for: FHIR Clinical Documents'
/// extensions, each with its type and party (a related informant is a RelatedPerson instead).
#[test]
fn data_enterer_informant_and_recipient_are_participation_extensions() {
    let (bundle, findings) = bundle(&document(true));
    let composition = resources(&bundle, "Composition")[0];
    let base = "http://hl7.org/fhir/uv/fhir-clinical-document/StructureDefinition/";
    let extensions = composition["extension"].as_array().unwrap();
    let of =
        |name: &str| -> Vec<&Value> { extensions.iter().filter(|x| x["url"] == format!("{base}{name}")).collect() };
    let part = |x: &Value, url: &str| x["extension"].as_array().unwrap().iter().find(|p| p["url"] == url).cloned();
    for (name, code, family) in [
        ("data-enterer-extension", "ENT", "Enterer"),
        ("informant-extension", "INF", "Informant"),
        ("information-recipient-extension", "TRC", "Recipient"),
    ] {
        let found = of(name);
        assert_eq!(found.len(), 1, "{name}: {extensions:#?}");
        let x = found[0];
        assert_eq!(part(x, "type").unwrap()["valueCodeableConcept"]["coding"][0]["code"], code);
        let party = part(x, "party").unwrap()["valueReference"].clone();
        assert_eq!(kind_of(&bundle, &party), "Practitioner");
        let url = party["reference"].as_str().unwrap();
        let entries = bundle["entry"].as_array().unwrap();
        let person = &entries.iter().find(|e| e["fullUrl"] == url).unwrap()["resource"];
        assert_eq!(person["name"][0]["family"], family);
    }
    assert_eq!(part(of("data-enterer-extension")[0], "time").unwrap()["valuePeriod"]["start"], "2024-01-01");
    // The recipient works for Clinic C: a PractitionerRole says so.
    let roles = resources(&bundle, "PractitionerRole");
    assert!(roles.iter().any(|r| r["organization"].is_object()
        && resources(&bundle, "Organization").iter().any(|o| o["name"] == "Clinic C"
            && r["organization"]["reference"].as_str().is_some_and(|u| u.ends_with(o["id"].as_str().unwrap())))));
    assert_eq!(resources(&bundle, "RelatedPerson").len(), 1);
    assert!(unmapped(&findings).is_empty(), "{findings:#?}");
}

#[test]
fn section_authors_are_the_sections_authors() {
    let (bundle, _) = bundle(&document(true));
    let composition = resources(&bundle, "Composition")[0];
    let section = &composition["section"][0];
    let kinds: Vec<String> = section["author"].as_array().unwrap().iter().map(|a| kind_of(&bundle, a)).collect();
    assert_eq!(kinds, ["Practitioner", "Device"]);
    // The device is the header's; the nested section's author is the header's person.
    assert_eq!(section["author"][1], composition["author"][1]);
    assert_eq!(section["section"][0]["author"][0], composition["author"][0]);
}

#[test]
fn a_replaced_document_is_related_by_its_identifier_and_the_version_kept() {
    let (bundle, _) = bundle(&document(true));
    let composition = resources(&bundle, "Composition")[0];
    assert_eq!(composition["relatesTo"][0]["code"], "replaces");
    assert_eq!(composition["relatesTo"][0]["targetIdentifier"]["value"], "doc-1");
    // Its version: R5's Composition.version, as R4's cross-version extension.
    let version = composition["extension"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["url"] == "http://hl7.org/fhir/5.0/StructureDefinition/extension-Composition.version")
        .unwrap();
    assert_eq!(version["valueString"], "2");
    // Its identifier is this version's `id`.
    assert_eq!(composition["identifier"]["value"], "doc-2");
    assert_eq!(composition["status"], "final");
}

#[test]
fn without_a_composition_authenticators_and_section_authors_are_reported() {
    let (bundle, findings) = bundle(&document(false));
    assert!(resources(&bundle, "Composition").is_empty());
    let unmapped = unmapped(&findings);
    // The related informant is a RelatedPerson, Composition or not.
    assert!(!unmapped.iter().any(|p| p == "/ClinicalDocument/informant[2]"), "{unmapped:#?}");
    for path in [
        "/ClinicalDocument/authenticator",
        "/ClinicalDocument/dataEnterer",
        "/ClinicalDocument/informant[1]",
        "/ClinicalDocument/informationRecipient",
        "/ClinicalDocument/component/structuredBody/component/section/author[1]",
        "/ClinicalDocument/component/structuredBody/component/section/author[2]",
        "/ClinicalDocument/component/structuredBody/component/section/component/section/author",
    ] {
        assert!(unmapped.iter().any(|p| p == path), "{path} not reported: {unmapped:#?}");
    }
}

/// The device author acts for Hospital B (its Device's owner), the recipient for Clinic C; the
/// document is Clinic A's, and stays its only source: the owner of a Device takes no
/// attribution, nor does the organization of a PractitionerRole no statement references.
#[test]
fn a_device_owner_is_not_a_second_source_of_the_document() {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let imported = ccda::import(&document(true), &ImportOptions::default(), now).unwrap();
    let names: Vec<Option<&str>> = imported.record.sources.iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, [Some("Clinic A")]);
    let source = &imported.record.sources[0].id;
    for e in &imported.record.entries {
        assert_eq!(&e.provenance().source, source, "{}", e.resource().resource_type());
    }
    assert!(imported.record.entries.iter().any(|e| e.resource().resource_type() == "Device"));
}
