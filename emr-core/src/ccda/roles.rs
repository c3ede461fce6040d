//! Whom a practitioner acts for and as what (C-CDA on FHIR, *Participation*: "if there is both a
//! person element and either an organization or a person/code element, create a
//! PractitionerRole"): an `assignedAuthor`/`assignedEntity` with a person and a
//! `representedOrganization` → an Organization (one per identity and document; the document's
//! source organization is one of them) and a PractitionerRole naming the Practitioner, the
//! Organization and the role's code (`assignedEntity/code`, else the participation's
//! `functionCode`); with a `code` and no organization → a PractitionerRole with that code.
//!
//! Statements keep referencing the Practitioner, never the PractitionerRole or the
//! Organization: a reference to either would make the importer attribute the statement to that
//! organization instead of to the document's source. A PractitionerRole's own `organization` is
//! where the practitioner works, not who asserted it, so the importer attributes the role to the
//! document's source as well (see `fhir::attribution`).

use super::build::{reference, uuid_url, Ctx};
use super::header::{organization_addresses, organization_telecoms};
use super::participants::{identity, party};
use super::value::concept;
use super::xml::{attr, child, children, text_of, Node};
use crate::fhir::stable_id;
use crate::json::Json;

/// The Organization for a CDA organization (`representedOrganization`,
/// `representedCustodianOrganization`…), made the first time its identity is met; `None` when it
/// has neither a name nor an `id` with a root.
pub(crate) fn organization(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) -> Option<String> {
    let org_name = child(org, "name");
    let named = org_name.map(text_of).is_some_and(|n| !n.is_empty());
    if !named && !children(org, "id").any(|i| attr(i, "root").is_some()) {
        return None;
    }
    let key = identity("Organization", org, org_name);
    Some(party(ctx, "Organization", org, key, |ctx, d| {
        d.opt("name", org_name.map(text_of).filter(|n| !n.is_empty()).map(super::build::s));
        d.opt(
            "type",
            child(org, "standardIndustryClassCode")
                .and_then(|c| concept(ctx, c, "standardIndustryClassCode"))
                .map(|c| Json::Array(vec![c])),
        );
        d.list("telecom", organization_telecoms(ctx, org));
        d.list("address", organization_addresses(ctx, org));
    }))
}

/// Register the document's source organization (already made, at `url`) under its identity, so
/// the participants acting for it name the same Organization.
pub(crate) fn register_source(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>, url: &str) {
    if let Some(key) = identity("Organization", org, child(org, "name")) {
        ctx.parties.entry(key).or_insert_with(|| url.to_owned());
    }
}

/// The PractitionerRole of the Practitioner at `practitioner_url` (made from `assigned`): for
/// the organization `org` it represents, and with the role's code; made once per practitioner,
/// organization and code. None when there is neither an organization nor a code (C-CDA on FHIR:
/// a person and an organization or a role code make a PractitionerRole).
pub(crate) fn practitioner_role(
    ctx: &mut Ctx<'_, '_>,
    assigned: Node<'_, '_>,
    practitioner_url: &str,
    org: Option<Node<'_, '_>>,
) -> Option<String> {
    let org_url = org.and_then(|o| organization(ctx, o));
    // The participation (`author`, `performer`…): where the role is stated.
    let participation = assigned.parent().unwrap_or(assigned);
    // The role's own code; for an organization, else the participation's function.
    let function = || participation.children().find(|c| c.tag_name().name() == "functionCode");
    let code = child(assigned, "code")
        .map(|c| (c, "code"))
        .or_else(|| org_url.as_ref().and(function()).map(|c| (c, "functionCode")))
        .and_then(|(c, field)| concept(ctx, c, field));
    if org_url.is_none() && code.is_none() {
        return None;
    }
    let org_key = org_url.clone().unwrap_or_default();
    let key = format!(
        "PractitionerRole\u{0}{practitioner_url}\u{0}{org_key}\u{0}{}",
        code.as_ref().map(Json::to_compact_string).unwrap_or_default()
    );
    // Its id is its identity (the same role in two documents is one resource, as its
    // Practitioner is), not the location of the participation stating it.
    let url = uuid_url(&stable_id(&key));
    // No identifiers of its own: the participant's `id` identifies the person (C-CDA on FHIR).
    Some(party(ctx, "PractitionerRole", participation, Some(key), |_, d| {
        d.set_url(&url);
        d.add("practitioner", reference(practitioner_url));
        d.opt("organization", org_url.map(|u| reference(&u)));
        d.opt("code", code.map(|c| Json::Array(vec![c])));
    }))
}
