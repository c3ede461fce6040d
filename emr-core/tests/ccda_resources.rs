//! C-CDA import, resource by resource: the header's participants (the care team, authors,
//! legal authenticator, PractitionerRoles and their Organizations) and result specimens arrive
//! as C-CDA on FHIR says, each once, and leave in the exports with their references closed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use chrono::{TimeZone, Utc};
use emr_core::ccda;
use emr_core::fhir::{self, ExportOptions, ImportOptions};
use emr_core::json::{self, Json};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn local(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/ccda").join(name)).unwrap()
}

/// A minimal document: a patient, Clinic A as custodian, `header` after them, and one section.
fn document(id: &str, header: &str, section: &str) -> String {
    format!(
        r#"<ClinicalDocument xmlns="urn:hl7-org:v3" xmlns:sdtc="urn:hl7-org:sdtc">
  <id root="1.2.3.4" extension="{id}"/>
  <recordTarget><patientRole><id root="1.2.3" extension="p"/><patient><name><given>Ada</given><family>Example</family></name></patient></patientRole></recordTarget>
  <custodian><assignedCustodian><representedCustodianOrganization><id root="1.2.3.5"/><name>Clinic A</name></representedCustodianOrganization></assignedCustodian></custodian>
{header}  <component><structuredBody><component><section>
{section}
  </section></component></structuredBody></component>
</ClinicalDocument>"#
    )
}

/// The resources of a converted document by full URL, in order.
fn bundle_resources(tree: &Json<'_>) -> Vec<(String, Json<'static>)> {
    let entries = tree.get("entry").and_then(Json::as_array).unwrap();
    entries
        .iter()
        .map(|e| {
            let url = e.get("fullUrl").and_then(Json::as_str).unwrap().to_owned();
            let text = e.get("resource").unwrap().to_compact_string();
            (url, json::parse(&text).unwrap().into_owned())
        })
        .collect()
}

/// The CCD's header: the service event's performer (the care team) is a CareTeam participant
/// who is the document's author, a Practitioner with a PractitionerRole for the organization
/// they represent; the document's author and legal authenticator are on the DocumentReference;
/// the header participants without a FHIR element are reported, each where it is.
#[test]
fn ccd_header_participants_are_mapped_or_reported() {
    let converted = ccda::to_fhir(&local("CCD.xml")).unwrap();
    let tree = json::parse(&converted.bundle).unwrap();
    let resources = bundle_resources(&tree);
    let of = |url: &str| resources.iter().find(|(u, _)| u == url).map(|(_, r)| r).unwrap();
    let kind = |r: &Json<'_>| r.get("resourceType").and_then(Json::as_str).unwrap().to_owned();
    let text = |r: &Json<'_>, ptr: &str| r.pointer(ptr).and_then(Json::as_str).map(str::to_owned);
    let all = |k: &str| resources.iter().map(|(_, r)| r).filter(|r| kind(r) == k).collect::<Vec<_>>();

    let teams = all("CareTeam");
    let team = teams.iter().find(|t| text(t, "/participant/0/role/0/coding/0/code").as_deref() == Some("PCP")).unwrap();
    assert_eq!(text(team, "/period/start").as_deref(), Some("2014-10-01"));
    let member_url = text(team, "/participant/0/member/reference").unwrap();
    let member = of(&member_url);
    assert_eq!(kind(member), "Practitioner");
    assert_eq!(text(member, "/identifier/0/value").as_deref(), Some("5555555555"));
    assert_eq!(text(member, "/name/0/family").as_deref(), Some("Primary"));
    let org = of(&text(team, "/participant/0/onBehalfOf/reference").unwrap());
    assert_eq!(text(org, "/name").as_deref(), Some("The DoctorsTogether Physician Group"));

    let roles = all("PractitionerRole");
    let hers: Vec<&&Json<'_>> =
        roles.iter().filter(|r| text(r, "/practitioner/reference").as_deref() == Some(&member_url)).collect();
    // As the author she has a role code and no organization; as the performer, both.
    assert_eq!(hers.len(), 2, "{hers:#?}");
    assert!(hers.iter().any(|r| r.get("organization").is_none() && r.get("code").is_some()));
    let role = hers.iter().find(|r| r.get("organization").is_some()).unwrap();
    assert_eq!(text(role, "/organization/reference"), text(team, "/participant/0/onBehalfOf/reference"));
    assert_eq!(text(role, "/code/0/coding/0/code").as_deref(), Some("207QA0505X"));
    assert!(role.get("identifier").is_none(), "the id identifies the person, not the role");
    // One Practitioner for the author, the performer and the entries naming the same NPI.
    let npi =
        all("Practitioner").iter().filter(|p| p.pointer("/identifier/0") == member.pointer("/identifier/0")).count();
    assert_eq!(npi, 1);

    let document = &resources[2].1;
    assert_eq!(text(document, "/content/0/attachment/contentType").as_deref(), Some("application/xml"));
    assert_eq!(text(document, "/author/0/reference"), Some(member_url));
    assert_eq!(kind(of(&text(document, "/authenticator/reference").unwrap())), "Practitioner");
    assert_eq!(text(document, "/context/period/start").as_deref(), Some("2014-10-01"));

    // The spouse who informed, and the next of kin who is also the emergency contact (the same
    // name and address): two RelatedPersons, the second with both relationships.
    let related = all("RelatedPerson");
    assert_eq!(related.len(), 2, "{related:#?}");
    let kin = related.iter().find(|r| r.get("address").is_some()).unwrap();
    let relations: Vec<String> =
        (0..2).filter_map(|i| text(kin, &format!("/relationship/{i}/coding/0/code"))).collect();
    assert_eq!(relations, ["NOK", "ECON"]);
    assert_eq!(text(kin, "/name/0/family").as_deref(), Some("Jones"));
    let spouse = related.iter().find(|r| r.get("address").is_none()).unwrap();
    assert_eq!(text(spouse, "/relationship/1/coding/0/code").as_deref(), Some("SPS"));
    for at in ["participant[1]", "participant[2]", "informant[2]"] {
        let path = format!("/ClinicalDocument/{at}");
        assert!(converted.findings.iter().all(|f| f.path != path), "{path}: {:#?}", converted.findings);
    }

    // The authenticator is the Composition's professional attester, the data enterer, the
    // provider informant and the information recipient its participation extensions (see
    // ccda_header_parties.rs): none is reported.
    for at in ["authenticator", "dataEnterer", "informant[1]", "informationRecipient"] {
        let path = format!("/ClinicalDocument/{at}");
        assert!(converted.findings.iter().all(|f| f.path != path), "{path}: {:#?}", converted.findings);
    }
}

/// A result organizer and one of its observations naming the same specimen (by `id` and type):
/// one Specimen both reference; an observation whose specimen has neither keeps it by display.
/// The Specimen leaves in the FHIR and IPS exports with its references closed.
#[test]
fn result_specimens_become_one_specimen_resource() {
    let specimen = |id: &str| {
        format!(
            r#"<specimen typeCode="SPC"><specimenRole classCode="SPEC">{id}
              <specimenPlayingEntity><code code="119297000" codeSystem="2.16.840.1.113883.6.96" displayName="Blood specimen"/></specimenPlayingEntity>
            </specimenRole></specimen>"#
        )
    };
    let observation = |code: &str, spec: &str| {
        format!(
            r#"<component><observation classCode="OBS" moodCode="EVN">
              <templateId root="2.16.840.1.113883.10.20.22.4.2"/><id root="1.2.3.{code}"/>
              <code code="{code}" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
              <effectiveTime value="20260101"/>{spec}
              <value xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="PQ" value="13.2" unit="g/dL"/>
            </observation></component>"#
        )
    };
    let blood = specimen(r#"<id root="1.2.3.99" extension="S-1"/>"#);
    let unnamed = r#"<specimen typeCode="SPC"><specimenRole classCode="SPEC"/></specimen>"#;
    let xml = document(
        "specimens",
        "",
        &format!(
            r#"    <code code="30954-2" codeSystem="2.16.840.1.113883.6.1"/>
    <entry><organizer classCode="BATTERY" moodCode="EVN">
      <templateId root="2.16.840.1.113883.10.20.22.4.1"/><id root="1.2.3.6"/>
      <code code="58410-2" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="completed"/>
      {blood}
      {}{}
    </organizer></entry>"#,
            observation("718-7", &blood),
            observation("4544-3", unnamed),
        ),
    );
    let imported = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
    let in_record = imported.record.entries.iter().filter(|e| e.resource().resource_type() == "Specimen").count();
    assert_eq!(in_record, 1, "the record holds the Specimen");
    let bundle = ccda::to_fhir(&xml).unwrap().bundle;
    let tree = json::parse(&bundle).unwrap();
    let resources = bundle_resources(&tree);
    let kind = |r: &Json<'_>| r.get("resourceType").and_then(Json::as_str).unwrap().to_owned();
    let specimens: Vec<&(String, Json<'_>)> = resources.iter().filter(|(_, r)| kind(r) == "Specimen").collect();
    assert_eq!(specimens.len(), 1, "one Specimen for one identity");
    let (url, spec) = specimens[0];
    assert_eq!(spec.pointer("/type/coding/0/code").and_then(Json::as_str), Some("119297000"));
    assert_eq!(spec.pointer("/identifier/0/value").and_then(Json::as_str), Some("S-1"));
    let report = resources.iter().map(|(_, r)| r).find(|r| kind(r) == "DiagnosticReport").unwrap();
    assert_eq!(report.pointer("/specimen/0/reference").and_then(Json::as_str), Some(url.as_str()));
    let observations: Vec<&Json<'_>> = resources.iter().map(|(_, r)| r).filter(|r| kind(r) == "Observation").collect();
    assert_eq!(observations[0].pointer("/specimen/reference").and_then(Json::as_str), Some(url.as_str()));
    assert_eq!(observations[1].pointer("/specimen/display").and_then(Json::as_str), Some("specimen"));
    assert!(
        imported.findings.iter().all(|f| f.severity != emr_core::validate::Severity::Error),
        "{:#?}",
        imported.findings
    );

    let options = ExportOptions { timestamp: "2026-11-01T00:00:00Z".parse().unwrap() };
    let closed = |f: &emr_core::validate::Finding| f.code != "reference.unresolved";
    let again = fhir::import(&fhir::to_bundle(&imported.record, &options), &ImportOptions::default(), now()).unwrap();
    assert!(again.findings.iter().all(closed), "{:#?}", again.findings);
    assert_eq!(again.record.entries.len(), imported.record.entries.len());
    let ips = fhir::to_ips(&imported.record, &options).unwrap();
    let from_ips = fhir::import(&ips, &ImportOptions::default(), now()).unwrap();
    assert!(from_ips.findings.iter().all(closed), "{:#?}", from_ips.findings);
}

/// The document's encounter (`componentOf/encompassingEncounter`): an Encounter with its class
/// (CPT 99213 → ambulatory), type, period and facility, the DocumentReference's context.
#[test]
fn the_document_encounter_is_an_encounter_in_the_document_context() {
    let xml =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/ccda-merge/progress-note.xml"))
            .unwrap();
    let converted = ccda::to_fhir(&xml).unwrap();
    let tree = json::parse(&converted.bundle).unwrap();
    let resources = bundle_resources(&tree);
    let of = |url: &str| resources.iter().find(|(u, _)| u == url).map(|(_, r)| r).unwrap();
    let text = |r: &Json<'_>, ptr: &str| r.pointer(ptr).and_then(Json::as_str).map(str::to_owned);
    let document = &resources[2].1;
    let encounter = of(&text(document, "/context/encounter/0/reference").unwrap());
    assert_eq!(text(encounter, "/resourceType").as_deref(), Some("Encounter"));
    assert_eq!(text(encounter, "/identifier/0/value").as_deref(), Some("9937012"));
    assert_eq!(text(encounter, "/class/code").as_deref(), Some("AMB"));
    assert_eq!(text(encounter, "/type/0/coding/0/code").as_deref(), Some("99213"));
    assert_eq!(text(encounter, "/status").as_deref(), Some("finished"));
    assert_eq!(text(encounter, "/period/start").as_deref(), Some("2005-03-29"));
    let place = of(&text(encounter, "/location/0/location/reference").unwrap());
    assert_eq!(text(place, "/resourceType").as_deref(), Some("Location"));
    assert!(converted.findings.iter().all(|f| !f.path.contains("componentOf")), "{:#?}", converted.findings);
    let imported = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
    assert!(
        imported.findings.iter().all(|f| f.severity != emr_core::validate::Severity::Error),
        "{:#?}",
        imported.findings
    );
}

/// The document's encounter given again as an Encounter Activity with the same id in the body
/// is one Encounter (C-CDA on FHIR), which the document's context names.
#[test]
fn the_document_encounter_and_the_same_body_encounter_are_one_resource() {
    let xml = document(
        "enc",
        r#"  <componentOf><encompassingEncounter><id root="1.2.3.7" extension="E1"/>
    <code code="IMP" codeSystem="2.16.840.1.113883.5.4" displayName="inpatient encounter"/>
    <effectiveTime><low value="20260101"/></effectiveTime>
  </encompassingEncounter></componentOf>
"#,
        r#"    <code code="46240-8" codeSystem="2.16.840.1.113883.6.1"/>
    <entry><encounter classCode="ENC" moodCode="EVN">
      <templateId root="2.16.840.1.113883.10.20.22.4.49"/><id root="1.2.3.7" extension="E1"/>
      <code code="IMP" codeSystem="2.16.840.1.113883.5.4"/><effectiveTime><low value="20260101"/></effectiveTime>
    </encounter></entry>"#,
    );
    let bundle = ccda::to_fhir(&xml).unwrap().bundle;
    let tree = json::parse(&bundle).unwrap();
    let resources = bundle_resources(&tree);
    let encounters: Vec<&(String, Json<'_>)> =
        resources.iter().filter(|(_, r)| r.get("resourceType").and_then(Json::as_str) == Some("Encounter")).collect();
    assert_eq!(encounters.len(), 1);
    let context = resources[2].1.pointer("/context/encounter/0/reference").and_then(Json::as_str);
    assert_eq!(context, Some(encounters[0].0.as_str()));
}

/// A Care Team Organizer's member is a Practitioner (with the PractitionerRole for the
/// organization they act for, which is `onBehalfOf`), its `sdtc:functionCode` the role.
#[test]
fn a_care_team_section_member_is_a_practitioner() {
    let xml = document(
        "team",
        r#""#,
        r#"    <code code="85847-2" codeSystem="2.16.840.1.113883.6.1"/>
    <entry><organizer classCode="CLUSTER" moodCode="EVN">
      <templateId root="2.16.840.1.113883.10.20.22.4.500"/><id root="1.2.3.8"/>
      <code code="86744-0" codeSystem="2.16.840.1.113883.6.1"/><statusCode code="active"/>
      <component><act classCode="PCPR" moodCode="EVN">
        <templateId root="2.16.840.1.113883.10.20.22.4.500.1"/><id root="1.2.3.9"/>
        <performer typeCode="PRF">
          <sdtc:functionCode code="PCP" codeSystem="2.16.840.1.113883.5.88" displayName="primary care physician"/>
          <assignedEntity><id extension="5555555555" root="2.16.840.1.113883.4.6"/>
            <assignedPerson><name><given>John</given><family>Smith</family></name></assignedPerson>
            <representedOrganization><id extension="219BX" root="1.2.3.10"/><name>Hope Woods Health Services</name></representedOrganization>
          </assignedEntity>
        </performer>
      </act></component>
    </organizer></entry>"#,
    );
    let bundle = ccda::to_fhir(&xml).unwrap().bundle;
    let tree = json::parse(&bundle).unwrap();
    let resources = bundle_resources(&tree);
    let of = |url: &str| resources.iter().find(|(u, _)| u == url).map(|(_, r)| r).unwrap();
    let text = |r: &Json<'_>, ptr: &str| r.pointer(ptr).and_then(Json::as_str).map(str::to_owned);
    let team =
        resources.iter().map(|(_, r)| r).find(|r| text(r, "/resourceType").as_deref() == Some("CareTeam")).unwrap();
    assert_eq!(text(team, "/participant/0/role/0/coding/0/code").as_deref(), Some("PCP"));
    let member = of(&text(team, "/participant/0/member/reference").unwrap());
    assert_eq!(text(member, "/name/0/family").as_deref(), Some("Smith"));
    let org = of(&text(team, "/participant/0/onBehalfOf/reference").unwrap());
    assert_eq!(text(org, "/name").as_deref(), Some("Hope Woods Health Services"));
    let role =
        resources.iter().map(|(_, r)| r).find(|r| text(r, "/resourceType").as_deref() == Some("PractitionerRole"));
    assert_eq!(text(role.unwrap(), "/organization/reference"), text(team, "/participant/0/onBehalfOf/reference"));
    // Attributed to the document's source all the same.
    let imported = ccda::import(&xml, &ImportOptions::default(), now()).unwrap();
    assert_eq!(imported.record.sources.len(), 1);
}

/// A second author that is only an organization other than the source, a legal authenticator
/// who is no one, and a documentationOf without a service event are reported, not dropped.
#[test]
fn header_participants_without_a_mapping_are_reported() {
    let xml = r#"<ClinicalDocument xmlns="urn:hl7-org:v3">
  <recordTarget><patientRole><id root="1.2.3" extension="p"/><patient><name><family>Example</family></name></patient></patientRole></recordTarget>
  <author><assignedAuthor><id nullFlavor="NI"/><representedOrganization><id root="1.2.3.5"/><name>Clinic A</name></representedOrganization></assignedAuthor></author>
  <author><assignedAuthor><id nullFlavor="NI"/><representedOrganization><id root="1.2.3.6"/><name>Clinic B</name></representedOrganization></assignedAuthor></author>
  <legalAuthenticator><assignedEntity><id nullFlavor="NI"/></assignedEntity></legalAuthenticator>
  <documentationOf/>
</ClinicalDocument>"#;
    let converted = ccda::to_fhir(xml).unwrap();
    let reported =
        |path: &str| converted.findings.iter().any(|f| f.code == "ccda.participant.unmapped" && f.path == path);
    assert!(reported("/ClinicalDocument/author[2]/assignedAuthor"), "{:#?}", converted.findings);
    assert!(!reported("/ClinicalDocument/author[1]/assignedAuthor"), "the source is mapped");
    assert!(reported("/ClinicalDocument/legalAuthenticator"), "{:#?}", converted.findings);
    assert!(reported("/ClinicalDocument/documentationOf"), "{:#?}", converted.findings);
}
