//! The parts of the Composition read from the header beyond the DocumentReference's (see
//! [`super::composition`]), following FHIR R4 Composition's CDA mapping, which C-CDA on FHIR's
//! *US Realm Header* profile carries (its "CDA (R2)" mapping column):
//!
//! - `attester` ← `.authenticator/.legalAuthenticator`, the mode "implied by
//!   .authenticator/.legalAuthenticator", `time` ← `.authenticator.time`, `party` ←
//!   `.authenticator.assignedEntity`: each `authenticator` → an attester of mode `professional`
//!   (the profile's `professional_attester` slice; its party a Practitioner, made as the legal
//!   authenticator's is), after the `legal` one;
//! - `relatesTo` ← `.relatedDocument`, `code` ← its `typeCode` (RPLC → replaces, APND →
//!   appends, XFRM → transforms), `target` ← `parentDocument/id` (as `targetIdentifier`: the
//!   parent document is not in the record);
//! - `section.author` ← a section's `author`s: people → Practitioner references (with their
//!   PractitionerRole, as everywhere), devices → Device references ([`super::device`]), an
//!   organization alone by display and identifier.
//!
//! When no Composition is made (no `effectiveTime`), nothing would hold the authenticators and
//! section authors: [`report_unheld`] reports them (`ccda.participant.unmapped`).

use super::build::{identifier, lit, obj, reference, s, Ctx};
use super::participants::actor;
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

/// Report what only the Composition would hold, for a document that gets none: its
/// `authenticator`s and its sections' `author`s.
pub(crate) fn report_unheld(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    for a in children(doc, "authenticator") {
        ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, "authenticator");
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
