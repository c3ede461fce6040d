//! Problem Observation (`4.4`) → Condition: problem list (in a Problem Concern Act), health
//! concern (in a Health Concern Act) or encounter/hospital diagnosis (elsewhere).

use super::xml::Node;

use super::allergy::{concern, concern_status, related, status_value};
use super::build::{concept_of, no_information, no_known, s, unknown_statement, Ctx};
use super::value::{concept, quantity, ts};
use super::xml::{attr, child, has_template};
use crate::json::Json;
use crate::validate::rules;

const CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/condition-clinical";
const VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
const CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/condition-category";
const US_CORE_CATEGORY: &str = "http://hl7.org/fhir/us/core/CodeSystem/condition-category";

/// SNOMED CT problem types that name no problem: Problem, Disease, Clinical finding, Diagnosis,
/// Complaint, Finding reported by subject.
const GENERIC: &[&str] = &["55607006", "64572001", "404684003", "282291009", "409586006", "418799008"];

/// Map one problem observation; returns the Condition's full URL.
pub(crate) fn condition(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>) -> String {
    let negated = attr(obs, "negationInd") == Some("true");
    let unknown_statement = unknown_statement(ctx, obs);
    let value = child(obs, "value");
    // A negated generic problem type ("problem", "disease") says there is none.
    let generic = value.and_then(|v| attr(v, "code")).is_some_and(|c| GENERIC.contains(&c));
    let code =
        if (negated && generic) || unknown_statement { None } else { value.and_then(|v| concept(ctx, v, "value")) };
    let mut d = ctx.draft("Condition", obs);
    let et = child(obs, "effectiveTime");
    let onset = et
        .and_then(|e| child(e, "low").or_else(|| attr(e, "value").map(|_| e)))
        .and_then(|n| ts(ctx, n, "effectiveTime/low"));
    let abatement = et.and_then(|e| child(e, "high")).and_then(|n| ts(ctx, n, "effectiveTime/high"));
    let clinical = status_value(obs, "4.6")
        .or_else(|| abatement.as_ref().map(|_| "resolved"))
        .or_else(|| concern_status(obs))
        .unwrap_or("active");
    d.add("clinicalStatus", concept_of(CLINICAL, clinical, clinical));
    let verification = if negated && code.is_some() { "refuted" } else { "confirmed" };
    d.add("verificationStatus", concept_of(VERIFICATION, verification, verification));
    let around = concern(obs);
    let category = match around {
        Some(a) if has_template(a, "4.3") => concept_of(CATEGORY, "problem-list-item", "Problem List Item"),
        Some(a) if has_template(a, "4.132") => concept_of(US_CORE_CATEGORY, "health-concern", "Health Concern"),
        _ => concept_of(CATEGORY, "encounter-diagnosis", "Encounter Diagnosis"),
    };
    d.add("category", Json::Array(vec![category]));
    match (negated, code) {
        (false, None) if unknown_statement => {
            d.add("code", no_information("no-problem-info", "No information about problems"))
        }
        (true, None) => d.add(
            "code",
            no_known("no-known-problems", "No known problems", "160245001", "No current problems or disability"),
        ),
        (true, Some(c)) => {
            ctx.finding(&rules::CCDA_NEGATED, obs, "negationInd");
            d.add("code", c);
        }
        (false, c) => d.opt("code", c),
    }
    d.add("subject", ctx.subject());
    // Without an onset date, the Age Observation (`4.31`) gives the age at onset.
    let age = if onset.is_none() { related(obs, "4.31").next().and_then(|a| child(a, "value")) } else { None };
    d.opt("onsetDateTime", onset.map(s));
    if let Some(q) = age.and_then(|v| quantity(ctx, v, "age")) {
        d.add("onsetAge", q);
    }
    d.opt("abatementDateTime", abatement.map(s));
    d.opt("recorder", super::participants::author(ctx, obs));
    ctx.push(d)
}
