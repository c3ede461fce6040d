//! The body: every section's entries dispatched by template to a mapping; wrappers without a
//! mapping of their own are searched for mapped entries inside; what maps to nothing is a finding.

use super::xml::Node;

use super::build::Ctx;
use super::xml::{attr, child, children, is, path, templates};
use super::{activity, allergy, medication, observation, other, problem};
use crate::validate::rules;

/// Wrappers are searched this deep for mapped entries.
const MAX_NESTING: usize = 12;

/// Mood codes of acts that are planned, ordered or proposed rather than done.
pub(crate) const PLANNED: &[&str] = &["INT", "RQO", "PRP", "ARQ", "APT", "PRMS"];

/// Observation templates mapped as a plain Observation (with their FHIR category, if any).
const OBSERVATIONS: &[(&str, Option<&str>)] = &[
    ("4.78", Some("social-history")),   // Smoking Status - Meaningful Use
    ("4.38", Some("social-history")),   // Social History Observation
    ("4.85", Some("social-history")),   // Tobacco Use
    ("4.200", Some("social-history")),  // Birth Sex
    ("4.279", Some("social-history")),  // Sexual orientation
    ("4.67", Some("survey")),           // Functional Status Observation
    ("4.68", Some("survey")),           // Functional Status Problem Observation (R1.1)
    ("4.73", Some("survey")),           // Cognitive Status Problem Observation (R1.1)
    ("4.74", Some("survey")),           // Mental Status Observation
    ("4.69", Some("survey")),           // Assessment Scale Observation
    ("4.72", Some("survey")),           // Caregiver Characteristics
    ("4.127", Some("survey")),          // Sensory Status
    ("4.128", Some("survey")),          // Self-Care Activities
    ("4.124", Some("survey")),          // Nutrition Assessment
    ("4.138", Some("survey")),          // Nutritional Status Observation
    ("4.144", Some("survey")),          // Outcome Observation
    ("4.8", None),                      // Severity Observation (as an entry of its own)
    ("4.114", Some("exam")),            // Wound Characteristic
    ("4.109", Some("social-history")),  // Characteristics of Home Environment
    ("4.111", Some("social-history")),  // Cultural and Religious Observation
    ("4.293", Some("social-history")),  // Pregnancy Intention
    ("15.3.8", Some("social-history")), // Pregnancy Observation
];

/// Map every section of the structured body (nested sections too).
pub(crate) fn body(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    let Some(body) = path(doc, &["component", "structuredBody"]) else { return };
    for section in body.descendants().filter(|n| is(*n, "section")) {
        let from = ctx.resources.len();
        section_entries(ctx, section);
        ctx.sections.insert(section.index(), from..ctx.resources.len());
    }
}

fn section_entries(ctx: &mut Ctx<'_, '_>, section: Node<'_, '_>) {
    if attr(section, "nullFlavor").is_some() {
        ctx.finding(&rules::CCDA_SECTION_NO_INFO, section, "section");
        return;
    }
    let mut any = false;
    for entry in children(section, "entry") {
        for el in entry.children().filter(|c| c.is_element()) {
            any = true;
            if !map(ctx, el, 0) {
                ctx.finding(&rules::CCDA_ENTRY_UNMAPPED, el, el.tag_name().name());
            }
        }
    }
    if any {
        return;
    }
    // Any narrative word (what `text_of` would keep), without building the text.
    let has_text = child(section, "text").is_some_and(super::narrative::has_words);
    let has_subsections = children(section, "component").any(|c| child(c, "section").is_some());
    if has_text && !has_subsections {
        ctx.finding(&rules::CCDA_SECTION_NARRATIVE, section, "section");
    }
}

/// Map one clinical statement; `false` when neither it nor anything inside it maps.
pub(crate) fn map(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>, depth: usize) -> bool {
    // The element's C-CDA template suffixes (`4.7` for `2.16.840.1.113883.10.20.22.4.7`), read once.
    let own: Vec<&str> = templates(el).filter_map(|t| t.strip_prefix("2.16.840.1.113883.10.20.22.")).collect();
    let t = |s: &str| own.contains(&s);
    let mood = attr(el, "moodCode").unwrap_or("EVN");
    let planned = PLANNED.contains(&mood);
    let name = el.tag_name().name();
    if t("4.7") {
        allergy::allergy(ctx, el);
    } else if t("4.4") {
        problem::condition(ctx, el);
    } else if t("4.52") || t("4.120") {
        medication::immunization(ctx, el);
    } else if t("4.16") || t("4.42") {
        medication::medication(ctx, el);
    } else if t("4.1") {
        observation::result_organizer(ctx, el);
    } else if t("4.2") || t("4.27") {
        observation::observation(ctx, el, if t("4.2") { Some("laboratory") } else { Some("vital-signs") });
    } else if let Some((_, category)) = OBSERVATIONS.iter().find(|(tpl, _)| t(tpl)).filter(|_| !planned) {
        observation::observation(ctx, el, *category);
    } else if t("4.45") {
        other::family_history(ctx, el);
    } else if t("4.121") {
        other::goal(ctx, el);
    } else if t("4.202") {
        other::note(ctx, el);
    } else if t("4.50") && !planned {
        other::device_use(ctx, el);
    } else if t("4.500") {
        other::care_team(ctx, el);
    } else if t("4.49") && !planned {
        activity::encounter(ctx, el);
    } else if (t("4.12") || t("4.13") || t("4.14")) && !planned {
        activity::procedure(ctx, el);
    } else if planned && matches!(name, "act" | "procedure" | "observation" | "encounter" | "supply") {
        activity::service_request(ctx, el);
    } else {
        return nested(ctx, el, depth);
    }
    unconsumed(ctx, el, depth);
    true
}

/// Statements that the mapping of the statement around them reads (status, severity,
/// reactions, indications, instructions, diagnoses, ages…).
const CONSUMED: &[&str] =
    &["4.4", "4.6", "4.7", "4.8", "4.9", "4.19", "4.20", "4.28", "4.31", "4.47", "4.53", "4.80", "4.145", "4.147"];

/// Report what a mapped statement holds in its entryRelationships that its mapping did not
/// read (supply orders, comments, entry references…): kept only in the original document.
fn unconsumed(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>, depth: usize) {
    if depth >= MAX_NESTING {
        return;
    }
    for inner in
        el.children().filter(|c| is(*c, "entryRelationship")).flat_map(|r| r.children()).filter(|c| c.is_element())
    {
        let consumed = templates(inner)
            .filter_map(|t| t.strip_prefix("2.16.840.1.113883.10.20.22."))
            .any(|t| CONSUMED.contains(&t));
        if consumed {
            unconsumed(ctx, inner, depth + 1);
        } else {
            ctx.finding(&rules::CCDA_ENTRY_UNMAPPED, inner, inner.tag_name().name());
        }
    }
}

/// Map the statements inside a wrapper (concern acts, diagnosis acts, organizers).
fn nested(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>, depth: usize) -> bool {
    if depth >= MAX_NESTING {
        return false;
    }
    let mut any = false;
    for rel in el.children().filter(|c| is(*c, "entryRelationship") || is(*c, "component")) {
        for inner in rel.children().filter(|c| c.is_element()) {
            any |= map(ctx, inner, depth + 1);
        }
    }
    any
}
