//! Allergy - Intolerance Observation (`4.7`, inside an Allergy Concern Act `4.30`) →
//! AllergyIntolerance, with reactions, severity and criticality.

use super::xml::Node;

use super::build::{concept_of, lit, no_information, no_known, obj, s, unknown_statement, Ctx};
use super::value::{concept, effective};
use super::xml::{attr, child, has_template, is, path};
use crate::json::Json;
use crate::validate::rules;

const CLINICAL: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical";
const VERIFICATION: &str = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification";

/// The concern act around a statement (`entryRelationship` → act), if there is one.
pub(crate) fn concern<'a, 'i>(obs: Node<'a, 'i>) -> Option<Node<'a, 'i>> {
    obs.parent().filter(|r| is(*r, "entryRelationship")).and_then(|r| r.parent()).filter(|a| is(*a, "act"))
}

/// The statements of `el` that have template `suffix` (its entryRelationships).
pub(crate) fn related<'a, 'i: 'a>(el: Node<'a, 'i>, suffix: &'a str) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    el.children()
        .filter(|c| is(*c, "entryRelationship"))
        .flat_map(|r| r.children().filter(|c| c.is_element()))
        .filter(move |c| has_template(*c, suffix))
}

/// The code of a status observation's value (`active`, `inactive`, `resolved`).
pub(crate) fn status_value(el: Node<'_, '_>, suffix: &str) -> Option<&'static str> {
    let obs = related(el, suffix).next()?;
    match child(obs, "value").and_then(|v| attr(v, "code"))? {
        "55561003" => Some("active"),
        "73425007" => Some("inactive"),
        "413322009" => Some("resolved"),
        _ => None,
    }
}

/// The status a concern act's `statusCode` implies for what it is about.
pub(crate) fn concern_status(obs: Node<'_, '_>) -> Option<&'static str> {
    match concern(obs).and_then(|a| child(a, "statusCode")).and_then(|s| attr(s, "code"))? {
        "active" => Some("active"),
        "suspended" => Some("inactive"),
        "completed" => Some("resolved"),
        _ => None,
    }
}

/// Map one allergy observation.
pub(crate) fn allergy(ctx: &mut Ctx<'_, '_>, obs: Node<'_, '_>) {
    let negated = attr(obs, "negationInd") == Some("true");
    let unknown_statement = unknown_statement(ctx, obs);
    let substance = path(obs, &["participant", "participantRole", "playingEntity", "code"]);
    let generic = substance.and_then(|c| attr(c, "code")).and_then(no_known_for);
    // A negated allergy to a generic class ("substance", "drug") says there is none: the
    // class is not an allergen of its own.
    let code = if (negated && generic.is_some()) || unknown_statement {
        None
    } else {
        substance.and_then(|c| concept(ctx, c, "participant/playingEntity/code"))
    };
    let mut d = ctx.draft("AllergyIntolerance", obs);
    let clinical = status_value(obs, "4.28").or_else(|| concern_status(obs)).unwrap_or("active");
    d.add("clinicalStatus", concept_of(CLINICAL, clinical, clinical));
    let verification = if negated && code.is_some() { "refuted" } else { "confirmed" };
    d.add("verificationStatus", concept_of(VERIFICATION, verification, verification));
    let kind = child(obs, "value").and_then(|v| attr(v, "code")).map(allergy_type).unwrap_or_default();
    d.opt("type", kind.0.map(s));
    if let Some(c) = kind.1 {
        d.add("category", Json::Array(vec![s(c)]));
    }
    if let Some(c) = related(obs, "4.145").next().and_then(|o| child(o, "value")).and_then(|v| attr(v, "code")) {
        match c {
            "CRITL" => d.add("criticality", lit("low")),
            "CRITH" => d.add("criticality", lit("high")),
            "CRITU" => d.add("criticality", lit("unable-to-assess")),
            _ => {}
        }
    }
    match (negated, code) {
        (false, None) if unknown_statement => {
            d.add("code", no_information("no-allergy-info", "No information about allergies"))
        }
        (true, None) => {
            // No substance: the kind of allergy the observation names says which "no known".
            let by_kind = match kind.1 {
                Some("medication") => no_known_for("410942007"),
                Some("food") => no_known_for("255620007"),
                Some("environment") => Some(NO_KNOWN_ENVIRONMENTAL),
                _ => None,
            };
            let (ips, ips_text, snomed, snomed_text) = generic.or(by_kind).unwrap_or(NO_KNOWN_ALLERGY);
            d.add("code", no_known(ips, ips_text, snomed, snomed_text));
        }
        (true, Some(c)) => {
            ctx.finding(&rules::CCDA_NEGATED, obs, "negationInd");
            d.add("code", c);
        }
        // The allergy without a substance: the value (e.g. "allergy to substance") is the best code.
        (false, None) => d.opt("code", child(obs, "value").and_then(|v| concept(ctx, v, "value"))),
        (false, Some(c)) => d.add("code", c),
    }
    d.add("patient", ctx.subject());
    if let Some((key, v)) = effective(ctx, child(obs, "effectiveTime"), "onset") {
        // A period's start is the onset.
        match v.get("start").and_then(Json::as_str) {
            Some(start) if key == "onsetPeriod" => d.add("onsetDateTime", s(start)),
            _ => d.add_owned(key, v),
        }
    }
    let severity = related(obs, "4.8").next();
    let reactions: Vec<Json<'static>> = related(obs, "4.9").filter_map(|r| reaction(ctx, r, severity)).collect();
    d.list("reaction", reactions);
    d.opt("recorder", super::participants::author(ctx, obs));
    ctx.push(d);
}

/// A Reaction Observation (`4.9`) → `reaction` (manifestation, severity, onset).
fn reaction(ctx: &mut Ctx<'_, '_>, r: Node<'_, '_>, outer_severity: Option<Node<'_, '_>>) -> Option<Json<'static>> {
    if attr(r, "negationInd") == Some("true") {
        ctx.finding(&rules::CCDA_NEGATED, r, "reaction");
        return None;
    }
    let manifestation = child(r, "value").and_then(|v| concept(ctx, v, "reaction/value"))?;
    let mut members = vec![("manifestation", Json::Array(vec![manifestation]))];
    if let Some(t) = path(r, &["effectiveTime", "low"])
        .or(child(r, "effectiveTime"))
        .and_then(|n| super::value::ts(ctx, n, "reaction/effectiveTime"))
    {
        members.push(("onset", s(t)));
    }
    let severity = related(r, "4.8").next().or(outer_severity);
    if let Some(code) = severity.and_then(|o| child(o, "value")).and_then(|v| attr(v, "code")).and_then(severity_code) {
        members.push(("severity", s(code)));
    }
    Some(obj(members))
}

type NoKnown = (&'static str, &'static str, &'static str, &'static str);

const NO_KNOWN_ALLERGY: NoKnown = ("no-known-allergies", "No known allergies", "716186003", "No known allergy");
const NO_KNOWN_ENVIRONMENTAL: NoKnown = (
    "no-known-environmental-allergies",
    "No known environmental allergies",
    "428607008",
    "No known environmental allergy",
);

/// The "no known …" statement a negated allergy to a generic SNOMED CT class makes.
fn no_known_for(substance: &str) -> Option<NoKnown> {
    match substance {
        "105590001" => Some(NO_KNOWN_ALLERGY), // Substance
        "410942007" | "373873005" => {
            // Drug or medicament; Pharmaceutical / biologic product
            Some((
                "no-known-medication-allergies",
                "No known medication allergies",
                "409137002",
                "No known drug allergy",
            ))
        }
        "255620007" | "762766007" => {
            // Foods; Edible substance
            Some(("no-known-food-allergies", "No known food allergies", "429625007", "No known food allergy"))
        }
        _ => None,
    }
}

fn severity_code(snomed: &str) -> Option<&'static str> {
    match snomed {
        "255604002" | "371923003" => Some("mild"),
        "6736007" | "371924009" => Some("moderate"),
        "24484000" | "399166001" => Some("severe"),
        _ => None,
    }
}

/// AllergyIntolerance `type` and `category` from the observation's value (SNOMED CT).
fn allergy_type(code: &str) -> (Option<&'static str>, Option<&'static str>) {
    match code {
        "416098002" => (Some("allergy"), Some("medication")),
        "59037007" => (Some("intolerance"), Some("medication")),
        "419511003" => (None, Some("medication")),
        "414285001" => (Some("allergy"), Some("food")),
        "235719002" => (Some("intolerance"), Some("food")),
        "418471000" => (None, Some("food")),
        "426232007" | "232347008" => (Some("allergy"), Some("environment")),
        "419199007" => (Some("allergy"), None),
        _ => (None, None),
    }
}
