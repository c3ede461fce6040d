//! The document's encounter (C-CDA on FHIR, *Encounters*): `componentOf/encompassingEncounter`
//! → an Encounter, the DocumentReference's `context.encounter`. The same encounter given as an
//! Encounter Activity in the body (the same `id`) is that resource, not a second one.
//!
//! `id` → identifier; `code` → `class` (V3 ActCode, in the code or a translation; the CPT
//! evaluation and management codes the mapping names → AMB, IMP, EMER) and `type`;
//! `effectiveTime` → `period` and `status` (finished with an end or a single time, in progress
//! with a start only); `dischargeDispositionCode` → `hospitalization.dischargeDisposition`;
//! `responsibleParty` and `encounterParticipant`s → participants (Practitioners, with their
//! PractitionerRoles) typed by their participation (`RESP`, the `typeCode`);
//! `location/healthCareFacility` → a Location (its place's name and address, its type, and the
//! `serviceProviderOrganization` as managing organization). The service provider is not the
//! Encounter's `serviceProvider`: that would attribute the encounter to it instead of to the
//! document's source.

use super::build::{lit, obj, reference, s, uuid_url, Ctx};
use super::header::address;
use super::medication::unknown;
use super::participants::{actor, identity, party};
use super::value::{concept, effective};
use super::xml::{attr, child, children, is, text_of, Node};
use crate::fhir::stable_id;
use crate::json::Json;
use crate::validate::rules;

const ACT_CODE: &str = "2.16.840.1.113883.5.4";
const PARTICIPATION_TYPE: &str = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType";

/// Map the document's encounter (after the body, so an Encounter Activity with the same `id`
/// is found); its reference, for the DocumentReference's context.
pub(crate) fn encounter(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Option<Json<'static>> {
    let component_of = child(doc, "componentOf")?;
    let Some(enc) = child(component_of, "encompassingEncounter") else {
        ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, component_of, "componentOf");
        return None;
    };
    // The body's Encounter Activity with the same first id (its full URL comes from that id).
    let first =
        children(enc, "id").find_map(|i| Some(format!("{}|{}", attr(i, "root")?, attr(i, "extension").unwrap_or(""))));
    if let Some(url) = first.map(|f| uuid_url(&stable_id(&format!("Encounter\u{0}{f}")))) {
        if ctx
            .resources
            .iter()
            .any(|(u, r)| *u == url && r.get("resourceType").and_then(Json::as_str) == Some("Encounter"))
        {
            return Some(reference(&url));
        }
    }
    let code = child(enc, "code");
    let participants = participants(ctx, enc);
    let location = child(enc, "location").and_then(|l| child(l, "healthCareFacility")).and_then(|f| facility(ctx, f));
    let mut d = ctx.draft("Encounter", enc);
    let et = child(enc, "effectiveTime");
    let ended = et.is_some_and(|e| attr(e, "value").is_some() || child(e, "high").is_some());
    let started = et.is_some_and(|e| child(e, "low").is_some());
    d.add("status", lit(if ended || !started { "finished" } else { "in-progress" }));
    d.add("class", code.and_then(class).unwrap_or_else(unknown));
    let kind = code
        .filter(|c| attr(*c, "codeSystem") != Some(ACT_CODE))
        .and_then(|c| concept(ctx, c, "encompassingEncounter/code"));
    d.opt("type", kind.map(|k| Json::Array(vec![k])));
    d.add("subject", ctx.subject());
    d.list("participant", participants);
    if let Some((key, v)) = effective(ctx, et, "period") {
        match &*key {
            "periodDateTime" => d.add("period", obj(vec![("start", v)])),
            _ => d.add("period", v),
        }
    }
    if let Some(disposition) =
        child(enc, "dischargeDispositionCode").and_then(|c| concept(ctx, c, "dischargeDispositionCode"))
    {
        d.add("hospitalization", obj(vec![("dischargeDisposition", disposition)]));
    }
    d.opt("location", location.map(|url| Json::Array(vec![obj(vec![("location", reference(&url))])])));
    Some(reference(&ctx.push(d)))
}

/// The encounter's class: a V3 ActCode in the code or a translation, else the ActCode of a CPT
/// evaluation and management code.
fn class(code: Node<'_, '_>) -> Option<Json<'static>> {
    let coding = |c: &str, display: Option<&str>| {
        let mut m = vec![("system", lit("http://terminology.hl7.org/CodeSystem/v3-ActCode")), ("code", s(c))];
        if let Some(d) = display {
            m.push(("display", s(d)));
        }
        obj(m)
    };
    let all = || std::iter::once(code).chain(code.children().filter(|t| is(*t, "translation")));
    if let Some(c) = all().find(|c| attr(*c, "codeSystem") == Some(ACT_CODE)) {
        return Some(coding(attr(c, "code")?, attr(c, "displayName")));
    }
    let cpt = all().find(|c| attr(*c, "codeSystem") == Some("2.16.840.1.113883.6.12"))?;
    let (act, display) = match attr(cpt, "code")? {
        "99211" | "99212" | "99213" | "99214" | "99215" => ("AMB", "ambulatory"),
        "99221" | "99222" | "99223" => ("IMP", "inpatient encounter"),
        "99281" | "99282" | "99283" | "99284" | "99285" => ("EMER", "emergency"),
        _ => return None,
    };
    Some(coding(act, Some(display)))
}

/// The responsible party and the encounter participants, typed by their participation.
fn participants(ctx: &mut Ctx<'_, '_>, enc: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    let parties = children(enc, "responsibleParty")
        .map(|p| (p, Some("RESP")))
        .chain(children(enc, "encounterParticipant").map(|p| (p, attr(p, "typeCode"))));
    for (p, type_code) in parties.collect::<Vec<_>>() {
        let Some(assigned) = child(p, "assignedEntity") else {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, p, p.tag_name().name());
            continue;
        };
        let Some(who) = actor(ctx, assigned) else { continue };
        let mut m = Vec::new();
        if let Some(t) = type_code {
            let coding = obj(vec![("system", lit(PARTICIPATION_TYPE)), ("code", s(t))]);
            m.push(("type", Json::Array(vec![obj(vec![("coding", Json::Array(vec![coding]))])])));
        }
        if let Some(period) = child(p, "time").and_then(|t| super::value::period(ctx, t, "time")) {
            m.push(("period", period));
        }
        m.push(("individual", who));
        out.push(obj(m));
    }
    out
}

/// A health care facility → a Location, one per identity and document; `None` when it says
/// nothing (no id, place or type).
fn facility(ctx: &mut Ctx<'_, '_>, f: Node<'_, '_>) -> Option<String> {
    let place = child(f, "location");
    let place_name = place.and_then(|p| child(p, "name"));
    let has_id = children(f, "id").any(|i| attr(i, "root").is_some());
    let named = place_name.map(text_of).is_some_and(|n| !n.is_empty());
    let addressed = place.and_then(|p| child(p, "addr")).is_some();
    if !has_id && !named && !addressed && child(f, "code").is_none() {
        return None;
    }
    let key = identity("Location", f, place_name);
    let provider = child(f, "serviceProviderOrganization");
    Some(party(ctx, "Location", f, key, |ctx, d| {
        d.opt("name", place_name.map(text_of).filter(|n| !n.is_empty()).map(s));
        d.opt(
            "type",
            child(f, "code").and_then(|c| concept(ctx, c, "healthCareFacility/code")).map(|c| Json::Array(vec![c])),
        );
        d.opt("address", place.and_then(|p| children(p, "addr").find_map(address)));
        if let Some(url) = provider.and_then(|o| super::roles::organization(ctx, o)) {
            d.add("managingOrganization", reference(&url));
        }
    }))
}
