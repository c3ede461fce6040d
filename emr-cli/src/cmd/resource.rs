//! Building a FHIR R4 resource from `emr add` flags.
//!
//! The resource is written as compact JSON text with members in FHIR's usual
//! order; the observation value is copied as written, so `6.30` stays `6.30`.

use emr_core::model::{PartialDate, Resource};

use crate::cli::{AddArgs, EntryKindArg};
use crate::error::CliError;

/// A JSON value under construction; objects keep member order.
enum Node {
    Str(String),
    /// A JSON number, already checked, copied verbatim.
    Number(String),
    Obj(Vec<(&'static str, Node)>),
    Arr(Vec<Node>),
}

impl Node {
    fn write(&self, out: &mut String) {
        match self {
            Node::Str(s) => out.push_str(&serde_json::Value::String(s.clone()).to_string()),
            Node::Number(n) => out.push_str(n),
            Node::Obj(members) => {
                out.push('{');
                for (i, (k, v)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    out.push_str(k);
                    out.push_str("\":");
                    v.write(out);
                }
                out.push('}');
            }
            Node::Arr(items) => {
                out.push('[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
        }
    }
}

fn s(v: &str) -> Node {
    Node::Str(v.to_owned())
}

/// A CodeableConcept with one coding (`system|code`), plus text when a display is given.
fn concept(code: &str, display: Option<&str>) -> Result<Node, CliError> {
    let (system, value) = code.split_once('|').filter(|(s, c)| !s.is_empty() && !c.is_empty()).ok_or_else(|| {
        CliError::usage(
            "--code must be SYSTEM|CODE",
            "e.g. --code 'loinc|4548-4' or --code 'http://snomed.info/sct|44054006'",
        )
    })?;
    let system = emr_core::codes::KnownSystem::from_short_name(system).map_or(system, |s| s.uri());
    let mut coding = vec![("system", s(system)), ("code", s(value))];
    let mut cc = Vec::new();
    if let Some(d) = display {
        coding.push(("display", s(d)));
        cc.push(("coding", Node::Arr(vec![Node::Obj(coding)])));
        cc.push(("text", s(d)));
    } else {
        cc.push(("coding", Node::Arr(vec![Node::Obj(coding)])));
    }
    Ok(Node::Obj(cc))
}

/// A status CodeableConcept from one of HL7's terminology code systems.
fn status(system: &str, code: &str) -> Node {
    let uri = format!("http://terminology.hl7.org/CodeSystem/{system}");
    Node::Obj(vec![("coding", Node::Arr(vec![Node::Obj(vec![("system", Node::Str(uri)), ("code", s(code))])]))])
}

/// A date flag, checked as a FHIR date/dateTime.
fn date(flag: &str, value: Option<&str>) -> Result<Option<Node>, CliError> {
    value
        .map(|v| {
            v.parse::<PartialDate>().map(|_| s(v)).map_err(|e| {
                CliError::usage(format!("{flag}: {e}"), "e.g. 2019, 2019-05, 2019-05-17 or 2019-05-17T09:30:00+02:00")
            })
        })
        .transpose()
}

/// Build the resource described by the flags of `args`, with `id`, about patient `patient_id`.
///
/// # Errors
/// A flag value is malformed (code, date, value), or a flag does not apply to the kind.
pub fn build(kind: EntryKindArg, args: &AddArgs, id: &str, patient_id: Option<&str>) -> Result<Resource, CliError> {
    let code = concept(args.code.as_deref().unwrap_or_default(), args.display.as_deref())?;
    let when = date("--date", args.date.as_deref())?;
    let subject = patient_id.map(|p| Node::Obj(vec![("reference", Node::Str(format!("Patient/{p}")))]));
    let not_for = |flag: &str, present: bool| -> Result<(), CliError> {
        if present {
            return Err(CliError::usage(
                format!("{flag} does not apply to --kind {}", kind_name(kind)),
                "see `emr add --help` for the flags of each kind",
            ));
        }
        Ok(())
    };
    if kind != EntryKindArg::Condition {
        not_for("--abatement", args.abatement.is_some())?;
    }
    if kind != EntryKindArg::Allergy {
        not_for("--criticality", args.criticality.is_some())?;
    }
    if kind != EntryKindArg::Observation {
        not_for("--value", args.value.is_some())?;
    }
    let mut m: Vec<(&'static str, Node)> = Vec::new();
    let subject_key = match kind {
        EntryKindArg::Allergy | EntryKindArg::Immunization => "patient",
        _ => "subject",
    };
    match kind {
        EntryKindArg::Condition => {
            let abatement = date("--abatement", args.abatement.as_deref())?;
            let default = if abatement.is_some() { "resolved" } else { "active" };
            m.push(("clinicalStatus", status("condition-clinical", args.status.as_deref().unwrap_or(default))));
            m.push(("verificationStatus", status("condition-ver-status", "confirmed")));
            m.push(("code", code));
            m.extend(subject.map(|r| (subject_key, r)));
            m.extend(when.map(|d| ("onsetDateTime", d)));
            m.extend(abatement.map(|d| ("abatementDateTime", d)));
        }
        EntryKindArg::Allergy => {
            let clinical = args.status.as_deref().unwrap_or("active");
            m.push(("clinicalStatus", status("allergyintolerance-clinical", clinical)));
            m.push(("verificationStatus", status("allergyintolerance-verification", "confirmed")));
            m.extend(args.criticality.as_deref().map(|c| ("criticality", s(c))));
            m.push(("code", code));
            m.extend(subject.map(|r| (subject_key, r)));
            m.extend(when.map(|d| ("onsetDateTime", d)));
        }
        EntryKindArg::Observation => {
            m.push(("status", s(args.status.as_deref().unwrap_or("final"))));
            m.push(("code", code));
            m.extend(subject.map(|r| (subject_key, r)));
            m.extend(when.map(|d| ("effectiveDateTime", d)));
            if let Some(v) = args.value.as_deref() {
                if !emr_core::json::is_valid_number(v) {
                    return Err(CliError::usage("--value must be a decimal number", "e.g. --value 6.3 --unit %"));
                }
                let mut q = vec![("value", Node::Number(v.to_owned()))];
                if let Some(u) = args.unit.as_deref() {
                    q.extend([("unit", s(u)), ("system", s("http://unitsofmeasure.org")), ("code", s(u))]);
                }
                m.push(("valueQuantity", Node::Obj(q)));
            }
        }
        EntryKindArg::Immunization => {
            m.push(("status", s(args.status.as_deref().unwrap_or("completed"))));
            m.push(("vaccineCode", code));
            m.extend(subject.map(|r| (subject_key, r)));
            m.extend(when.map(|d| ("occurrenceDateTime", d)));
        }
        EntryKindArg::Medication => {
            m.push(("status", s(args.status.as_deref().unwrap_or("active"))));
            m.push(("medicationCodeableConcept", code));
            m.extend(subject.map(|r| (subject_key, r)));
            m.extend(when.map(|d| ("effectiveDateTime", d)));
        }
    }
    let mut members = vec![("resourceType", s(resource_type(kind))), ("id", s(id))];
    members.extend(m);
    let mut text = String::new();
    Node::Obj(members).write(&mut text);
    Resource::parse(&text).map_err(|e| CliError::Internal(format!("built resource does not parse: {e}")))
}

fn resource_type(kind: EntryKindArg) -> &'static str {
    match kind {
        EntryKindArg::Condition => "Condition",
        EntryKindArg::Allergy => "AllergyIntolerance",
        EntryKindArg::Observation => "Observation",
        EntryKindArg::Immunization => "Immunization",
        EntryKindArg::Medication => "MedicationStatement",
    }
}

fn kind_name(kind: EntryKindArg) -> &'static str {
    match kind {
        EntryKindArg::Condition => "condition",
        EntryKindArg::Allergy => "allergy",
        EntryKindArg::Observation => "observation",
        EntryKindArg::Immunization => "immunization",
        EntryKindArg::Medication => "medication",
    }
}
