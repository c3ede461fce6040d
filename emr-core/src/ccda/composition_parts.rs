//! The parts of the Composition read from the header beyond the DocumentReference's (see
//! [`super::composition`]), following FHIR R4 Composition's CDA mapping, which C-CDA on FHIR's
//! *US Realm Header* profile carries (its "CDA (R2)" mapping column):
//!
//! - `attester` ← `.authenticator/.legalAuthenticator`, the mode "implied by
//!   .authenticator/.legalAuthenticator", `time` ← `.authenticator.time`, `party` ←
//!   `.authenticator.assignedEntity`: each `authenticator` → an attester of mode `professional`
//!   (the profile's `professional_attester` slice; its party a Practitioner, made as the legal
//!   authenticator's is), after the `legal` one;
//! - `extension` (R5 Composition.version) ← `versionNumber` (FHIR Clinical Documents' mapping);
//! - `relatesTo` ← `.relatedDocument`, `code` ← its `typeCode` (RPLC → replaces, APND →
//!   appends, XFRM → transforms), `target` ← `parentDocument/id` (as `targetIdentifier`: the
//!   parent document is not in the record);
//! - `extension` ← the participations FHIR's Composition has no element for, as FHIR Clinical
//!   Documents' complex extensions (which C-CDA on FHIR 2.0 takes in place of its own, now
//!   deprecated, DataEnterer/Informant/InformationRecipient extensions; `type`, `time`,
//!   `party`): `dataEnterer` → `data-enterer-extension` (type ENT), an `informant` who is a
//!   provider (`assignedEntity`; related people are RelatedPersons) → `informant-extension`
//!   (type INF), `informationRecipient` → `information-recipient-extension` (type PRCP, or TRC
//!   for a `typeCode="TRC"` one); the party a Practitioner (a recipient's with a
//!   PractitionerRole for its `receivedOrganization`), else an Organization;
//! - `section.author` ← a section's `author`s: people → Practitioner references (with their
//!   PractitionerRole, as everywhere), devices → Device references ([`super::device`]), an
//!   organization alone by display and identifier.
//!
//! When no Composition is made (no `effectiveTime`), nothing would hold the authenticators,
//! these participations and the section authors: [`report_unheld`] reports them
//! (`ccda.participant.unmapped`).

use super::build::{identifier, lit, obj, reference, s, Ctx};
use super::header::{address, name, telecom};
use super::participants::{actor, identity, party};
use super::value::ts;
use super::xml::{attr, child, children, path, Node};
use crate::json::Json;
use crate::validate::rules;

/// `relatedDocument/@typeCode` → Composition.relatesTo.code (document-relationship-type).
const RELATIONS: &[(&str, &str)] = &[("RPLC", "replaces"), ("APND", "appends"), ("XFRM", "transforms")];

/// The document's `authenticator`s as attesters of mode `professional` (with their time and
/// party); an authenticator who is not a person is reported.
pub(crate) fn professional_attesters(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for a in children(doc, "authenticator") {
        let party = child(a, "assignedEntity").and_then(|e| actor(ctx, e)).filter(|r| r.get("reference").is_some());
        let Some(party) = party else {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, "authenticator");
            continue;
        };
        let mut m = vec![("mode", lit("professional"))];
        if let Some(t) = child(a, "time").and_then(|t| ts(ctx, t, "authenticator/time")) {
            m.push(("time", s(t)));
        }
        m.push(("party", party));
        let attester = obj(m);
        if !out.contains(&attester) {
            out.push(attester);
        }
    }
    out
}

/// Each `relatedDocument` with a known type and a parent document `id`, as a `relatesTo`; one
/// of another type (or without an id) is reported.
pub(crate) fn relates_to(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for rel in children(doc, "relatedDocument") {
        let code = attr(rel, "typeCode").and_then(|t| RELATIONS.iter().find(|(k, _)| *k == t)).map(|(_, c)| *c);
        let target = path(rel, &["parentDocument", "id"]).and_then(identifier);
        match (code, target) {
            (Some(code), Some(target)) => out.push(obj([("code", lit(code)), ("targetIdentifier", target)])),
            _ => ctx.finding(&rules::CCDA_VALUE_UNREAD, rel, "relatedDocument"),
        }
    }
    out
}

/// A section's `author`s as references (see the module documentation).
pub(crate) fn section_authors(ctx: &mut Ctx<'_, '_>, sec: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for a in children(sec, "author") {
        let Some(assigned) = child(a, "assignedAuthor") else {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, "author");
            continue;
        };
        // `actor` reports an author that is neither a person, a device nor an organization.
        let r = match super::device::device(ctx, assigned) {
            Some(url) => Some(reference(&url)),
            None => actor(ctx, assigned),
        };
        if let Some(r) = r.filter(|r| !out.contains(r)) {
            out.push(r);
        }
    }
    out
}

/// FHIR R5's Composition.version, as R4's cross-version extension.
const R5_VERSION: &str = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Composition.version";

/// The document's `versionNumber` as the cross-version extension for R5's Composition.version
/// (FHIR Clinical Documents' `R5-Composition-version` slice, mapped from CDA's
/// `versionNumber`); a value that is not an integer is reported.
pub(crate) fn version(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Option<Json<'static>> {
    let v = child(doc, "versionNumber")?;
    match attr(v, "value").filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())) {
        Some(n) => Some(obj([("url", lit(R5_VERSION)), ("valueString", s(n))])),
        None => {
            ctx.finding(&rules::CCDA_VALUE_UNREAD, v, "versionNumber");
            None
        }
    }
}

/// FHIR Clinical Documents' extensions (`http://hl7.org/fhir/uv/fhir-clinical-document`).
const CLINICAL_DOCUMENT: &str = "http://hl7.org/fhir/uv/fhir-clinical-document/StructureDefinition/";

/// The participations held by extensions: header element, extension name (after
/// [`CLINICAL_DOCUMENT`]).
const PARTICIPATIONS: &[(&str, &str)] = &[
    ("dataEnterer", "data-enterer-extension"),
    ("informant", "informant-extension"),
    ("informationRecipient", "information-recipient-extension"),
];

/// The document's `dataEnterer`, provider `informant`s and `informationRecipient`s as the
/// Composition's participation extensions (see the module documentation); one with no party
/// is reported.
pub(crate) fn participations(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for (tag, extension) in PARTICIPATIONS {
        let unread: Vec<Node<'_, '_>> = children(doc, tag).filter(|p| !ctx.consumed.contains(&p.index())).collect();
        for p in unread {
            let party = match *tag {
                "informationRecipient" => child(p, "intendedRecipient").and_then(|r| recipient(ctx, r)),
                _ => child(p, "assignedEntity").and_then(|e| actor(ctx, e)),
            };
            let Some(party) = party else {
                ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, p, tag);
                continue;
            };
            let (code, display) = match (*tag, attr(p, "typeCode")) {
                ("dataEnterer", _) => ("ENT", "data entry person"),
                ("informant", _) => ("INF", "informant"),
                (_, Some("TRC")) => ("TRC", "tracker"),
                _ => ("PRCP", "primary information recipient"),
            };
            let coding = obj([
                ("system", lit("http://terminology.hl7.org/CodeSystem/v3-ParticipationType")),
                ("code", lit(code)),
                ("display", lit(display)),
            ]);
            let mut parts = vec![obj([
                ("url", lit("type")),
                ("valueCodeableConcept", obj([("coding", Json::Array(vec![coding]))])),
            ])];
            if let Some(t) = child(p, "time").and_then(|t| ts(ctx, t, &format!("{tag}/time"))) {
                parts.push(obj([("url", lit("time")), ("valuePeriod", obj([("start", s(t))]))]));
            }
            parts.push(obj([("url", lit("party")), ("valueReference", party)]));
            let ext = obj([("url", s(format!("{CLINICAL_DOCUMENT}{extension}"))), ("extension", Json::Array(parts))]);
            if !out.contains(&ext) {
                out.push(ext);
            }
        }
    }
    out
}

/// An `intendedRecipient` as a reference: its person (`informationRecipient`, or known only by
/// `id`) → a Practitioner, with a PractitionerRole for its `receivedOrganization`; else that
/// organization; `None` when it names neither.
fn recipient(ctx: &mut Ctx<'_, '_>, intended: Node<'_, '_>) -> Option<Json<'static>> {
    let person = child(intended, "informationRecipient");
    let org = child(intended, "receivedOrganization");
    let has_id = children(intended, "id").any(|i| attr(i, "root").is_some());
    if person.is_some() || has_id {
        let person_name = person.and_then(|p| child(p, "name"));
        let key = identity("Practitioner", intended, person_name);
        let url = party(ctx, "Practitioner", intended, key, |_, d| {
            d.list("name", person.map(|p| children(p, "name").filter_map(name).collect()).unwrap_or_default());
            d.list("telecom", children(intended, "telecom").filter_map(telecom).collect());
            d.list("address", children(intended, "addr").filter_map(address).collect());
        });
        super::roles::practitioner_role(ctx, intended, &url, org);
        return Some(reference(&url));
    }
    org.and_then(|o| super::roles::organization(ctx, o)).map(|u| reference(&u))
}

/// Report what only the Composition would hold, for a document that gets none: its
/// `authenticator`s, the participations of [`participations`] and its sections' `author`s.
pub(crate) fn report_unheld(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    for tag in ["authenticator", "dataEnterer", "informant", "informationRecipient"] {
        let unread: Vec<Node<'_, '_>> = children(doc, tag).filter(|a| !ctx.consumed.contains(&a.index())).collect();
        for a in unread {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, tag);
        }
    }
    let Some(body) = path(doc, &["component", "structuredBody"]) else { return };
    let authors: Vec<Node<'_, '_>> = body
        .descendants()
        .filter(|n| super::xml::is(*n, "section"))
        .flat_map(|sec| children(sec, "author").collect::<Vec<_>>())
        .collect();
    for a in authors {
        ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, "author");
    }
}
