//! Observations: Result Organizer (`4.1`) → DiagnosticReport with its Result Observations
//! (`4.2`); Vital Sign Observations (`4.27`); social history, functional and mental status and
//! other simple observations.

use super::xml::Node;

use super::build::{concept_of, reference, s, Ctx};
use super::medication::unknown;
use super::participants;
use super::value::{concept, effective, interpretations, reference_ranges, value_x};
use super::xml::{attr, child, children, is};
use crate::json::Json;
use crate::validate::rules;

const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

fn status(el: Node<'_, '_>) -> &'static str {
    match child(el, "statusCode").and_then(|s| attr(s, "code")) {
        Some("completed") | None => "final",
        Some("active") => "preliminary",
        Some("aborted" | "cancelled") => "cancelled",
        Some(_) => "unknown",
    }
}

/// Map one observation with an optional FHIR category; `None` when it is negated (a negated
/// observation is not a positive one: reported instead).
pub(crate) fn observation(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>, category: Option<&'static str>) -> Option<String> {
    if attr(obs, "negationInd") == Some("true") {
        ctx.finding(&rules::CCDA_NEGATED, obs, "negationInd");
        return None;
    }
    let code = child(obs, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("Observation", obs);
    d.add("status", s(status(obs)));
    if let Some(c) = category {
        d.add("category", Json::Array(vec![concept_of(CATEGORY, c, c)]));
    }
    d.add("code", code.unwrap_or_else(unknown));
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(obs, "effectiveTime"), "effective") {
        d.add_owned(key, v);
    }
    let values: Vec<_> = children(obs, "value").collect();
    if let Some(first) = values.first() {
        if let Some((key, v)) = value_x(ctx, *first) {
            d.add(key, v);
        }
    }
    // FHIR has one value[x]: further values stay in the original document.
    for extra in values.iter().skip(1) {
        ctx.finding(&rules::CCDA_VALUE_UNREAD, *extra, "value");
    }
    d.list("interpretation", interpretations(ctx, obs));
    d.opt("bodySite", child(obs, "targetSiteCode").and_then(|c| concept(ctx, c, "targetSiteCode")));
    d.opt("method", child(obs, "methodCode").and_then(|c| concept(ctx, c, "methodCode")));
    d.list("referenceRange", reference_ranges(ctx, obs));
    d.list("performer", participants::performers_and_authors(ctx, obs));
    d.opt("specimen", participants::specimen(ctx, obs));
    Some(ctx.push(d))
}

/// A result organizer → DiagnosticReport, its component observations → Observations.
pub(crate) fn result_organizer(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) {
    let mut results = Vec::new();
    for comp in children(org, "component") {
        for inner in comp.children().filter(|c| c.is_element()) {
            // Every observation of a result organizer is a result, whatever else it declares.
            if is(inner, "observation") {
                if let Some(url) = observation(ctx, inner, Some("laboratory")) {
                    results.push(reference(&url));
                }
            } else if !super::sections::map(ctx, inner, 1) {
                ctx.finding(&rules::CCDA_ENTRY_UNMAPPED, inner, inner.tag_name().name());
            }
        }
    }
    let code = child(org, "code").and_then(|c| concept(ctx, c, "code"));
    let mut d = ctx.draft("DiagnosticReport", org);
    let st = match child(org, "statusCode").and_then(|s| attr(s, "code")) {
        Some("completed") | None => "final",
        Some("active") => "partial",
        Some("aborted" | "cancelled") => "cancelled",
        Some(_) => "unknown",
    };
    d.add("status", s(st));
    d.add(
        "category",
        Json::Array(vec![concept_of("http://terminology.hl7.org/CodeSystem/v2-0074", "LAB", "Laboratory")]),
    );
    d.add("code", code.unwrap_or_else(unknown));
    d.add("subject", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(org, "effectiveTime"), "effective") {
        d.add_owned(key, v);
    }
    d.list("performer", participants::performers_and_authors(ctx, org));
    d.list("specimen", participants::specimen(ctx, org).into_iter().collect());
    d.list("result", results);
    ctx.push(d);
}
