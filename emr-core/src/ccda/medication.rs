//! Medication Activity (`4.16`) → MedicationStatement (done) or MedicationRequest (planned,
//! `4.42`), with dose, route and timing; Immunization Activity (`4.52`) → Immunization.

use std::borrow::Cow;

use super::xml::Node;

use super::allergy::related;
use super::build::{lit, no_information, no_known, obj, s, unknown_statement, Ctx};
use super::sections::PLANNED;
use super::value::{concept, effective, number, period, quantity, range, text_element, ts};
use super::xml::{attr, child, children, has_template, path, text_of, xsi_type};
use crate::json::Json;
use crate::validate::rules;

/// A CodeableConcept saying the value is unknown (for required elements the document lacks).
pub(crate) fn unknown() -> Json<'static> {
    obj([(
        "extension",
        Json::Array(vec![obj([
            ("url", lit("http://hl7.org/fhir/StructureDefinition/data-absent-reason")),
            ("valueCode", lit("unknown")),
        ])]),
    )])
}

/// The product code of a substance administration (`consumable/manufacturedProduct/manufacturedMaterial/code`).
fn product<'a, 'i>(el: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    path(el, &["consumable", "manufacturedProduct", "manufacturedMaterial"])
}

fn status_code<'a>(el: Node<'a, '_>) -> Option<&'a str> {
    child(el, "statusCode").and_then(|s| attr(s, "code"))
}

/// Map one medication activity.
pub(crate) fn medication(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) {
    let planned = PLANNED.contains(&attr(el, "moodCode").unwrap_or("EVN")) || has_template(el, "4.42");
    let negated = attr(el, "negationInd") == Some("true");
    let material = product(el);
    let product_code = material.and_then(|m| child(m, "code"));
    let unknown_statement = unknown_statement(ctx, el);
    // "No medications": negated, with no drug (a nullFlavor code, or the class "drug or medicament").
    let no_drug = product_code.is_none_or(|c| {
        attr(c, "code").is_none()
            && children(c, "translation").all(|t| matches!(attr(t, "code"), Some("410942007") | None))
    });
    let none_known = negated && no_drug && !planned;
    let code = if unknown_statement || none_known {
        None
    } else {
        product_code.and_then(|c| concept(ctx, c, "manufacturedMaterial/code"))
    };
    let kind = if planned { "MedicationRequest" } else { "MedicationStatement" };
    let mut d = ctx.draft(kind, el);
    let status = status_code(el);
    if planned {
        let st = match status {
            Some("active") => "active",
            Some("completed") => "completed",
            Some("aborted") => "stopped",
            Some("suspended") => "on-hold",
            Some("cancelled") => "cancelled",
            Some("new") => "draft",
            _ => "unknown",
        };
        d.add("status", s(st));
        d.add("intent", s(if attr(el, "moodCode") == Some("RQO") { "order" } else { "plan" }));
        if negated {
            d.add("doNotPerform", Json::Bool(true));
        }
    } else {
        let st = match status {
            _ if none_known => "active",
            _ if unknown_statement => "unknown",
            _ if negated => "not-taken",
            Some("active") => "active",
            Some("completed") => "completed",
            Some("aborted") => "stopped",
            Some("suspended") => "on-hold",
            Some("cancelled") => "not-taken",
            Some("new") => "intended",
            _ => "unknown",
        };
        d.add("status", s(st));
    }
    let medication = if none_known {
        no_known("no-known-medications", "No known medications", "787481004", "No known medications")
    } else if unknown_statement {
        no_information("no-medication-info", "No information about medications")
    } else {
        code.unwrap_or_else(unknown)
    };
    d.add("medicationCodeableConcept", medication);
    d.add("subject", ctx.subject());
    let span = children(el, "effectiveTime").find(|e| !matches!(xsi_type(*e), Some("PIVL_TS" | "EIVL_TS" | "SXPR_TS")));
    if !planned {
        if let Some((key, v)) = effective(ctx, span, "effective") {
            d.add_owned(key, v);
        }
    }
    let reasons: Vec<Json<'static>> =
        related(el, "4.19").filter_map(|i| child(i, "value")).filter_map(|v| concept(ctx, v, "indication")).collect();
    d.list("reasonCode", reasons);
    let bounds = if planned { span.and_then(|e| period(ctx, e, "effectiveTime")) } else { None };
    // A Dosage with nothing in it is no dosage (FHIR allows no empty elements).
    if let Some(dosage) = dosage(ctx, el, bounds) {
        d.add(if planned { "dosageInstruction" } else { "dosage" }, Json::Array(vec![dosage]));
    }
    if planned {
        d.opt("requester", super::participants::author(ctx, el));
        d.opt("performer", super::participants::performers(ctx, el).into_iter().next());
    } else {
        d.opt("informationSource", super::participants::author(ctx, el));
    }
    ctx.push(d);
}

/// Dose, route, site, timing, as-needed and instructions as one Dosage, when there is any.
fn dosage(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>, bounds: Option<Json<'static>>) -> Option<Json<'static>> {
    let mut members: Vec<(&str, Json<'static>)> = Vec::new();
    // The sig: the activity's text, else a Medication Free Text Sig (`4.147`).
    let sig = related(el, "4.147").next().and_then(|f| child(f, "text"));
    if let Some(t) = child(el, "text").or(sig).and_then(|t| text_element(ctx, t)) {
        members.push(("text", s(t)));
    }
    if let Some(t) = related(el, "4.20").next().and_then(|i| child(i, "text")).and_then(|t| text_element(ctx, t)) {
        members.push(("patientInstruction", s(t)));
    }
    let mut repeat: Vec<(&str, Json<'static>)> = Vec::new();
    if let Some(b) = bounds {
        repeat.push(("boundsPeriod", b));
    }
    for et in children(el, "effectiveTime") {
        match xsi_type(et) {
            Some("PIVL_TS") => {
                let p = child(et, "period");
                let value = p.and_then(|p| attr(p, "value")).and_then(number);
                let unit = p.and_then(|p| attr(p, "unit")).and_then(period_unit);
                match (value, unit) {
                    (Some(v), Some(u)) => {
                        repeat.push(("frequency", Json::Number(Cow::Borrowed("1"))));
                        repeat.push(("period", v));
                        repeat.push(("periodUnit", s(u)));
                    }
                    _ => ctx.finding(&rules::CCDA_VALUE_UNREAD, et, "effectiveTime/period"),
                }
            }
            Some("EIVL_TS") => match path(et, &["event"]).and_then(|e| attr(e, "code")) {
                Some(code) => repeat.push(("when", Json::Array(vec![s(code)]))),
                None => ctx.finding(&rules::CCDA_VALUE_UNREAD, et, "effectiveTime/event"),
            },
            Some("SXPR_TS") => ctx.finding(&rules::CCDA_VALUE_UNREAD, et, "effectiveTime"),
            _ => {}
        }
    }
    if !repeat.is_empty() {
        members.push(("timing", obj([("repeat", obj(repeat))])));
    }
    if child(el, "precondition").is_some() {
        members.push(("asNeededBoolean", Json::Bool(true)));
    }
    if let Some(site) = child(el, "approachSiteCode").and_then(|c| concept(ctx, c, "approachSiteCode")) {
        members.push(("site", site));
    }
    if let Some(route) = child(el, "routeCode").and_then(|c| concept(ctx, c, "routeCode")) {
        members.push(("route", route));
    }
    if let Some(dose) = child(el, "doseQuantity") {
        let rate = match child(dose, "low").or(child(dose, "high")) {
            Some(_) => range(ctx, dose, "doseQuantity").map(|r| ("doseRange", r)),
            None => quantity(ctx, dose, "doseQuantity").map(|q| ("doseQuantity", q)),
        };
        if let Some((key, v)) = rate {
            members.push(("doseAndRate", Json::Array(vec![obj([(key, v)])])));
        }
    }
    (!members.is_empty()).then(|| obj(members))
}

/// A UCUM time unit as FHIR's `periodUnit`.
fn period_unit(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "s" => "s",
        "min" => "min",
        "h" => "h",
        "d" => "d",
        "wk" => "wk",
        "mo" => "mo",
        "a" => "a",
        _ => return None,
    })
}

/// Map one immunization activity: done → Immunization; intended (`INT`, `4.120`) →
/// MedicationRequest with intent `plan`, as for any planned medication.
pub(crate) fn immunization(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) {
    if PLANNED.contains(&attr(el, "moodCode").unwrap_or("EVN")) || has_template(el, "4.120") {
        medication(ctx, el);
        return;
    }
    let negated = attr(el, "negationInd") == Some("true");
    let material = product(el);
    let unknown_statement = unknown_statement(ctx, el);
    let code = if unknown_statement {
        Some(no_information("no-immunization-info", "No information about immunizations"))
    } else {
        material.and_then(|m| child(m, "code")).and_then(|c| concept(ctx, c, "manufacturedMaterial/code"))
    };
    let mut d = ctx.draft("Immunization", el);
    let done = !negated && !unknown_statement && !matches!(status_code(el), Some("aborted" | "cancelled"));
    d.add("status", s(if done { "completed" } else { "not-done" }));
    if !done {
        let reason =
            related(el, "4.53").next().and_then(|r| child(r, "code")).and_then(|c| concept(ctx, c, "refusal reason"));
        d.opt("statusReason", reason);
    }
    d.add("vaccineCode", code.unwrap_or_else(unknown));
    d.add("patient", ctx.subject());
    let et = children(el, "effectiveTime").next();
    let when = et.and_then(|e| {
        ts(ctx, e, "effectiveTime").or_else(|| child(e, "low").and_then(|l| ts(ctx, l, "effectiveTime/low")))
    });
    match when {
        Some(t) => d.add("occurrenceDateTime", s(t)),
        None => d.add("occurrenceString", lit("unknown")),
    }
    if let Some(lot) = material.and_then(|m| child(m, "lotNumberText")).map(text_of).filter(|t| !t.is_empty()) {
        d.add("lotNumber", s(lot));
    }
    let maker = path(el, &["consumable", "manufacturedProduct", "manufacturerOrganization", "name"]).map(text_of);
    d.opt("manufacturer", maker.filter(|m| !m.is_empty()).map(|m| obj([("display", s(m))])));
    d.opt("site", child(el, "approachSiteCode").and_then(|c| concept(ctx, c, "approachSiteCode")));
    d.opt("route", child(el, "routeCode").and_then(|c| concept(ctx, c, "routeCode")));
    d.opt("doseQuantity", child(el, "doseQuantity").and_then(|q| quantity(ctx, q, "doseQuantity")));
    d.list("performer", super::participants::performer_actors(ctx, el));
    ctx.push(d);
}
