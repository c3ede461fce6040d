//! Procedures (`4.12` act, `4.13` observation, `4.14` procedure) → Procedure; Encounter
//! Activity (`4.49`) → Encounter with its diagnoses; planned acts of any template (Plan of
//! Treatment, referrals) → ServiceRequest.

use super::xml::Node;

use super::allergy::related;
use super::build::{lit, obj, reference, s, Ctx};
use super::medication::unknown;
use super::participants;
use super::problem::condition;
use super::value::{concept, effective};
use super::xml::{attr, child, has_template, is};
use crate::json::Json;
use crate::validate::rules;

fn reasons(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Vec<Json<'static>> {
    related(el, "4.19").filter_map(|i| child(i, "value")).filter_map(|v| concept(ctx, v, "indication")).collect()
}

/// Map one procedure.
pub(crate) fn procedure(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) {
    let negated = attr(el, "negationInd") == Some("true");
    let code = child(el, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("Procedure", el);
    let status = match child(el, "statusCode").and_then(|s| attr(s, "code")) {
        _ if negated => "not-done",
        Some("completed") => "completed",
        Some("active") => "in-progress",
        Some("aborted") => "stopped",
        Some("cancelled") => "not-done",
        Some("new") => "preparation",
        _ => "unknown",
    };
    d.add("status", s(status));
    d.add("code", code.unwrap_or_else(unknown));
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(el, "effectiveTime"), "performed") {
        d.add_owned(key, v);
    }
    d.list("reasonCode", reasons(ctx, el));
    let sites: Vec<Json<'static>> =
        el.children().filter(|c| is(*c, "targetSiteCode")).filter_map(|c| concept(ctx, c, "targetSiteCode")).collect();
    d.list("bodySite", sites);
    d.opt("recorder", participants::author(ctx, el));
    d.list("performer", participants::performer_actors(ctx, el));
    ctx.push(d);
}

/// Map one encounter; its Encounter Diagnoses (`4.80`) become Conditions it references.
pub(crate) fn encounter(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) {
    let mut diagnoses = Vec::new();
    // Problem observations anywhere in its entryRelationships (Encounter Diagnosis `4.80`,
    // hospital discharge diagnoses, billable diagnoses).
    let problems: Vec<Node<'_, '_>> = el
        .children()
        .filter(|c| is(*c, "entryRelationship"))
        .flat_map(|r| r.descendants())
        .filter(|n| is(*n, "observation") && has_template(*n, "4.4"))
        .collect();
    for obs in problems {
        diagnoses.push(obj([("condition", reference(&condition(ctx, obs)))]));
    }
    let code = child(el, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("Encounter", el);
    let status = match child(el, "statusCode").and_then(|s| attr(s, "code")) {
        Some("active") => "in-progress",
        Some("aborted" | "cancelled") => "cancelled",
        _ => "finished",
    };
    d.add("status", s(status));
    // `class` is required; C-CDA carries it only as an ActCode translation, if at all.
    let class = child(el, "code")
        .into_iter()
        .flat_map(|c| std::iter::once(c).chain(c.children().filter(|t| is(*t, "translation"))))
        .find(|c| attr(*c, "codeSystem") == Some("2.16.840.1.113883.5.4"))
        .and_then(|c| {
            let code = attr(c, "code")?;
            let mut m = vec![("system", lit("http://terminology.hl7.org/CodeSystem/v3-ActCode")), ("code", s(code))];
            if let Some(d) = attr(c, "displayName") {
                m.push(("display", s(d)));
            }
            Some(obj(m))
        });
    d.add("class", class.unwrap_or_else(unknown));
    d.opt("type", code.map(|c| Json::Array(vec![c])));
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(el, "effectiveTime"), "period") {
        match &*key {
            "periodDateTime" => d.add("period", obj([("start", v)])),
            _ => d.add("period", v),
        }
    }
    d.list("reasonCode", reasons(ctx, el));
    let individuals = participants::performers(ctx, el).into_iter().map(|a| obj([("individual", a)])).collect();
    d.list("participant", individuals);
    d.list("diagnosis", diagnoses);
    d.list("location", participants::locations(ctx, el));
    ctx.push(d);
}

/// Map a planned, ordered or proposed act (Plan of Treatment entries, referrals).
pub(crate) fn service_request(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) {
    let code = child(el, "code").and_then(|c| concept(ctx, c, "code"));
    let text = child(el, "text").and_then(|t| super::value::text_element(ctx, t));
    let mut d = ctx.draft("ServiceRequest", el);
    let status = match child(el, "statusCode").and_then(|s| attr(s, "code")) {
        Some("active") => "active",
        Some("completed") => "completed",
        Some("aborted" | "cancelled") => "revoked",
        Some("new") => "draft",
        Some("suspended") => "on-hold",
        _ => "unknown",
    };
    d.add("status", s(status));
    let intent = match attr(el, "moodCode") {
        Some("RQO" | "ARQ" | "APT") => "order",
        Some("PRP") => "proposal",
        _ => "plan",
    };
    d.add("intent", s(intent));
    if attr(el, "negationInd") == Some("true") {
        d.add("doNotPerform", Json::Bool(true));
    }
    match code {
        Some(c) => d.add("code", c),
        None if text.is_some() => {}
        None => ctx.finding(&rules::CCDA_VALUE_UNREAD, el, "code"),
    }
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(el, "effectiveTime"), "occurrence") {
        d.add_owned(key, v);
    }
    d.list("reasonCode", reasons(ctx, el));
    if has_template(el, "4.140") {
        d.add(
            "category",
            Json::Array(vec![super::build::concept_of("http://snomed.info/sct", "3457005", "Patient referral")]),
        );
    }
    d.opt("requester", participants::author(ctx, el));
    d.list("performer", participants::performers(ctx, el));
    d.opt("note", text.map(|t| Json::Array(vec![obj([("text", s(t))])])));
    ctx.push(d);
}
