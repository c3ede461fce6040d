//! People related to the patient in the header (C-CDA on FHIR, *Participation*: "if the
//! relatedPerson element is present, or Participant/@typeCode indicates a non-clinical person,
//! create a RelatedPerson"): a `participant` with an `associatedEntity/associatedPerson` (next
//! of kin, emergency contact, guardian, caregiver…) and an `informant` with a
//! `relatedEntity/relatedPerson` → a RelatedPerson of the patient: its relationships (the
//! entity's `classCode` as a V3 RoleClass coding and its `code`), name, telecom, address and the
//! participation's time as period. One per identity (its `id`, else its name and address) and
//! document: a person who is both next of kin and emergency contact is one RelatedPerson with
//! both relationships.

use std::borrow::Cow;

use super::build::{lit, obj, s, uuid_url, Ctx};
use super::header::{address, name, telecom};
use super::participants::{identity, party};
use super::value::{concept, period};
use super::xml::{attr, child, children, Node};
use crate::fhir::stable_id;
use crate::json::Json;

const ROLE_CLASS: &str = "http://terminology.hl7.org/CodeSystem/v3-RoleClass";

/// Map a header `participant` or `informant` who is a person related to the patient; `false`
/// when it is not one (the caller reports it).
pub(crate) fn related_person(ctx: &mut Ctx<'_, '_>, participation: Node<'_, '_>) -> bool {
    let Some((entity, person)) = child(participation, "associatedEntity")
        .and_then(|e| Some((e, child(e, "associatedPerson")?)))
        .or_else(|| child(participation, "relatedEntity").and_then(|e| Some((e, child(e, "relatedPerson")?))))
    else {
        return false;
    };
    let mut relationships = Vec::new();
    if let Some(class) = attr(entity, "classCode") {
        let coding = obj(vec![("system", lit(ROLE_CLASS)), ("code", s(class))]);
        relationships.push(obj(vec![("coding", Json::Array(vec![coding]))]));
    }
    if let Some(c) = child(entity, "code").and_then(|c| concept(ctx, c, "code")) {
        relationships.push(c);
    }
    let when = child(participation, "time").and_then(|t| period(ctx, t, "time"));
    let person_name = child(person, "name");
    let key = identity("RelatedPerson", entity, person_name);
    let known = key.as_ref().and_then(|k| ctx.parties.get(k)).cloned();
    let Some(url) = known else {
        // Its id is its identity, not its place in this document (the same person in two
        // documents is one resource, as a Practitioner is).
        let fixed = key.as_ref().map(|k| uuid_url(&stable_id(k)));
        party(ctx, "RelatedPerson", entity, key, |ctx, d| {
            if let Some(u) = &fixed {
                d.set_url(u);
            }
            d.add("patient", ctx.subject());
            d.list("relationship", relationships);
            d.list("name", children(person, "name").filter_map(name).collect());
            d.list("telecom", children(entity, "telecom").filter_map(telecom).collect());
            d.list("address", children(entity, "addr").filter_map(address).collect());
            d.opt("period", when);
        });
        return true;
    };
    // The same person in another role: the relationships it adds.
    if let Some((_, Json::Object(fields))) = ctx.resources.iter_mut().find(|(u, _)| *u == url) {
        match fields.iter_mut().find(|(k, _)| k == "relationship") {
            Some((_, Json::Array(known))) => {
                for r in relationships {
                    if !known.contains(&r) {
                        known.push(r);
                    }
                }
            }
            _ if !relationships.is_empty() => fields.push((Cow::Borrowed("relationship"), Json::Array(relationships))),
            _ => {}
        }
    }
    true
}
