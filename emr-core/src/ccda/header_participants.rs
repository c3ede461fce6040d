//! The header's participants (C-CDA on FHIR, *Header* and *Participation*), each mapped or
//! reported:
//!
//! - `author` who is a person → Practitioner (with a PractitionerRole for its
//!   `representedOrganization`), a device → Device ([`super::device`]), the DocumentReference's
//!   `author` (and so the Composition's);
//! - `legalAuthenticator` → Practitioner, the DocumentReference's `authenticator`;
//! - `documentationOf/serviceEvent` → the DocumentReference's `context.event` (its code) and
//!   `context.period` (its `effectiveTime`); its `performer`s (the care team of a CCD) →
//!   Practitioners and one CareTeam per service event, each performer a participant with its
//!   `functionCode` as role, its `time` as period and its organization as `onBehalfOf`;
//! - `componentOf/encompassingEncounter` → an Encounter ([`super::encompassing`]), the
//!   DocumentReference's `context.encounter`;
//! - a `participant` or `informant` who is a person related to the patient (next of kin,
//!   emergency contact, spouse…) → a RelatedPerson ([`super::related`]);
//! - `authenticator` → Practitioner, a `professional` attester of the Composition; `dataEnterer`,
//!   the other `informant`s and `informationRecipient` → the Composition's participation
//!   extensions (mapped, or reported when no Composition is made, by
//!   [`super::composition_parts`]);
//! - the other `participant`s (not related people: a callback contact, a referrer…) have no
//!   element on the DocumentReference or the Composition: reported
//!   (`ccda.participant.unmapped`), kept in the original document.

use super::build::{obj, s, uuid_url, Ctx};
use super::participants::actor;
use super::roles;
use super::value::{concept, period, ts};
use super::xml::{attr, child, children, Node};
use crate::fhir::stable_id;
use crate::json::Json;
use crate::validate::rules;

/// Map (or report) every participant of the document header.
pub(crate) fn map(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    let mut document = Vec::new();
    let mut authors = Vec::new();
    for a in children(doc, "author") {
        let Some(assigned) = child(a, "assignedAuthor") else {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, a, "author");
            continue;
        };
        if let Some(url) = super::device::device(ctx, assigned) {
            // The software that wrote the document: a Device (DocumentReference.author and
            // Composition.author allow one).
            let r = super::build::reference(&url);
            if !authors.contains(&r) {
                authors.push(r);
            }
            continue;
        }
        // People; an author that is only an organization is the document's source, or else
        // reported (an organization is not referenced: it would take the attribution).
        match actor(ctx, assigned) {
            Some(r) if r.get("reference").is_some() && !authors.contains(&r) => authors.push(r),
            Some(r) if r.get("reference").is_some() => {}
            Some(_) if !is_source(ctx, assigned) => {
                ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, assigned, "representedOrganization");
            }
            _ => {}
        }
    }
    if !authors.is_empty() {
        document.push(("author", Json::Array(authors)));
    }
    if let Some(legal) = child(doc, "legalAuthenticator") {
        match child(legal, "assignedEntity").and_then(|a| actor(ctx, a)) {
            Some(r) if r.get("reference").is_some() => document.push(("authenticator", r)),
            _ => ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, legal, "legalAuthenticator"),
        }
    }
    for d in children(doc, "documentationOf").filter(|d| child(*d, "serviceEvent").is_none()) {
        ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, d, "documentationOf");
    }
    let mut context = Vec::new();
    let mut events = Vec::new();
    for (n, event) in children(doc, "documentationOf").filter_map(|d| child(d, "serviceEvent")).enumerate() {
        if let Some(code) = child(event, "code").and_then(|c| concept(ctx, c, "serviceEvent/code")) {
            events.push(code);
        }
        if let Some(p) = child(event, "effectiveTime").and_then(|e| period(ctx, e, "serviceEvent/effectiveTime")) {
            // FHIR has one context period: the first service event's.
            if !context.iter().any(|(k, _)| *k == "period") {
                context.push(("period", p));
            }
        }
        care_team(ctx, event, n);
    }
    if !events.is_empty() {
        context.insert(0, ("event", Json::Array(events)));
    }
    if !context.is_empty() {
        document.push(("context", obj(context)));
    }
    for tag in ["informant", "participant"] {
        for n in children(doc, tag) {
            if super::related::related_person(ctx, n) {
                // Read: the Composition's participations leave it out.
                ctx.consumed.insert(n.index());
            } else if tag == "participant" {
                ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, n, tag);
            }
        }
    }
    extend_document(ctx, document);
}

/// Whether an organization-only author is the document's source organization (the first
/// Organization made, registered under its identity by the header).
fn is_source(ctx: &Ctx<'_, '_>, assigned: Node<'_, '_>) -> bool {
    let org = child(assigned, "representedOrganization");
    let key = org.and_then(|o| super::participants::identity("Organization", o, child(o, "name")));
    let source =
        ctx.resources.iter().find(|(_, r)| r.get("resourceType").and_then(Json::as_str) == Some("Organization"));
    match (key.and_then(|k| ctx.parties.get(&k)), source) {
        (Some(url), Some((source_url, _))) => url == source_url,
        _ => false,
    }
}

/// The document's encounter, mapped after the body (see [`super::encompassing`]), as the
/// DocumentReference's `context.encounter`.
pub(crate) fn encounter(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    let Some(r) = super::encompassing::encounter(ctx, doc) else { return };
    let url = ctx.document_url.clone();
    let Some((_, Json::Object(fields))) = ctx.resources.iter_mut().find(|(u, _)| *u == url) else { return };
    let encounter = (std::borrow::Cow::Borrowed("encounter"), Json::Array(vec![r]));
    match fields.iter_mut().find(|(k, _)| k == "context") {
        Some((_, Json::Object(context))) => context.insert(0, encounter),
        _ => fields.push((std::borrow::Cow::Borrowed("context"), Json::Object(vec![encounter]))),
    }
}

/// Add members to the DocumentReference holding the XML (made before the header's participants,
/// so it stays the Bundle's third entry).
fn extend_document(ctx: &mut Ctx<'_, '_>, members: Vec<(&'static str, Json<'static>)>) {
    let url = ctx.document_url.clone();
    let Some((_, Json::Object(fields))) = ctx.resources.iter_mut().find(|(u, _)| *u == url) else { return };
    for (k, v) in members {
        fields.push((std::borrow::Cow::Borrowed(k), v));
    }
}

/// A service event's performers as a CareTeam (none when it names no performer).
fn care_team(ctx: &mut Ctx<'_, '_>, event: Node<'_, '_>, n: usize) {
    let performers: Vec<Node<'_, '_>> = children(event, "performer").collect();
    if performers.is_empty() {
        return;
    }
    let mut participants = Vec::new();
    for p in performers {
        let Some(assigned) = child(p, "assignedEntity") else {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, p, "performer");
            continue;
        };
        // `actor` reports a performer that is neither a person nor an organization.
        let Some(member) = actor(ctx, assigned) else { continue };
        let mut m = Vec::new();
        if let Some(role) = child(p, "functionCode").and_then(|c| concept(ctx, c, "functionCode")) {
            m.push(("role", Json::Array(vec![role])));
        }
        m.push(("member", member.clone()));
        let person = member.get("reference").is_some();
        if let Some(org) = child(assigned, "representedOrganization").filter(|_| person) {
            if let Some(url) = roles::organization(ctx, org) {
                m.push(("onBehalfOf", super::build::reference(&url)));
            }
        }
        let time = child(p, "time");
        let when = time.and_then(|t| period(ctx, t, "performer/time")).or_else(|| {
            let start = time.and_then(|t| ts(ctx, t, "performer/time"))?;
            Some(obj(vec![("start", s(start))]))
        });
        if let Some(w) = when {
            m.push(("period", w));
        }
        participants.push(obj(m));
    }
    let mut d = ctx.draft("CareTeam", event);
    if !children(event, "id").any(|i| attr(i, "root").is_some()) {
        // Without an id its location would name it, the same in every document: the document
        // names it instead.
        d.set_url(&uuid_url(&stable_id(&format!("CareTeam\u{0}{}\u{0}{n}", ctx.document_url))));
    }
    d.add("subject", ctx.subject());
    if let Some(p) = child(event, "effectiveTime").and_then(|e| period(ctx, e, "serviceEvent/effectiveTime")) {
        d.add("period", p);
    }
    d.list("participant", participants);
    ctx.push(d);
}
