//! Participants of entries (C-CDA on FHIR): an `author` or `performer` who is a person →
//! Practitioner, one per distinct identity (its `id` root/extension, else its name and address)
//! and document; an encounter's `participant typeCode="LOC"` → Location; a result's specimen →
//! Specimen ([`super::specimen`]).
//!
//! A person's `representedOrganization` → an Organization and a PractitionerRole (see
//! [`super::roles`]) that the statement does not reference; an organization alone is named by
//! display (with its identifier) rather than referenced: a reference to an Organization would
//! make the importer attribute the entry to it instead of to the document's source.
//! Participants that no mapping read are reported by [`report_unmapped`]; the header's are
//! mapped or reported by [`super::header_participants`].

use super::build::{identifier, obj, reference, s, Ctx};
use super::header::{address, name, telecom};
use super::value::concept;
use super::xml::{attr, child, children, path, text_of, Node};
use crate::json::Json;
use crate::validate::rules;

/// Elements that carry participants.
const PARTICIPATIONS: &[&str] = &["author", "performer", "participant", "specimen"];

/// A distinct identity: the first `id` with a root, else the name and address text.
pub(crate) fn identity(kind: &str, node: Node<'_, '_>, named: Option<Node<'_, '_>>) -> Option<String> {
    let mut key = String::with_capacity(kind.len() + 64);
    key.push_str(kind);
    key.push('\u{0}');
    let id = children(node, "id").find_map(|i| Some((attr(i, "root")?, attr(i, "extension").unwrap_or(""))));
    if let Some((root, extension)) = id {
        key.push_str(root);
        key.push('|');
        key.push_str(extension);
    } else {
        let name = named.map(text_of).unwrap_or_default();
        let addr = child(node, "addr").map(text_of).unwrap_or_default();
        if name.is_empty() && addr.is_empty() {
            return None;
        }
        key.push_str(&name);
        key.push('\u{0}');
        key.push_str(&addr);
    }
    Some(key)
}

/// The full URL of the resource of `kind` for the identity `key`, made by `fill` the first time.
pub(crate) fn party(
    ctx: &mut Ctx<'_, '_>,
    kind: &str,
    node: Node<'_, '_>,
    key: Option<String>,
    fill: impl FnOnce(&mut Ctx<'_, '_>, &mut super::build::Draft),
) -> String {
    if let Some(url) = key.as_ref().and_then(|k| ctx.parties.get(k)) {
        return url.clone();
    }
    let mut d = ctx.draft(kind, node);
    fill(ctx, &mut d);
    let url = ctx.push(d);
    if let Some(k) = key {
        ctx.parties.insert(k, url.clone());
    }
    url
}

/// The actor of an `assignedAuthor`/`assignedEntity`: a reference to its Practitioner, else its
/// organization by display; `None` (and a finding) when it names neither.
pub(crate) fn actor(ctx: &mut Ctx<'_, '_>, assigned: Node<'_, '_>) -> Option<Json<'static>> {
    let person = child(assigned, "assignedPerson");
    let org = child(assigned, "representedOrganization");
    let org_name = org.and_then(|o| child(o, "name")).map(text_of).filter(|n| !n.is_empty());
    let has_id = children(assigned, "id").any(|i| attr(i, "root").is_some());
    if person.is_some() || (has_id && org.is_none()) {
        let person_name = person.and_then(|p| child(p, "name"));
        let key = identity("Practitioner", assigned, person_name);
        // Known only by `id`: the document names them where that id has a person (C-CDA's
        // convention for a participant given in full once, e.g. in the header).
        let lookup = key.clone();
        let url = party(ctx, "Practitioner", assigned, key, |ctx, d| {
            let full = if person.is_none() { described(ctx, assigned, lookup.as_deref()) } else { None };
            let source = full.unwrap_or(assigned);
            let person = person.or_else(|| full.and_then(|f| child(f, "assignedPerson")));
            d.list("name", person.map(|p| children(p, "name").filter_map(name).collect()).unwrap_or_default());
            d.list("telecom", children(source, "telecom").filter_map(telecom).collect());
            d.list("address", children(source, "addr").filter_map(address).collect());
        });
        // Whom the practitioner acts for and as what: a PractitionerRole, which the statement
        // does not reference (a reference to the organization would re-attribute the entry).
        super::roles::practitioner_role(ctx, assigned, &url, org);
        return Some(reference(&url));
    }
    if let Some(o) = org {
        let mut m = Vec::new();
        if let Some(i) = children(o, "id").find_map(identifier) {
            m.push(("identifier", i));
        }
        if let Some(n) = org_name {
            m.push(("display", s(n)));
        }
        if !m.is_empty() {
            return Some(obj(m));
        }
    }
    let what = if child(assigned, "assignedAuthoringDevice").is_some() { "assignedAuthoringDevice" } else { "actor" };
    ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, assigned, what);
    None
}

/// The `assignedAuthor`/`assignedEntity` elsewhere in the document with the identity `key` and
/// a person (the first in document order; the document is indexed once, on first use).
fn described<'a, 'i>(ctx: &mut Ctx<'_, '_>, assigned: Node<'a, 'i>, key: Option<&str>) -> Option<Node<'a, 'i>> {
    let key = key?;
    let root = assigned.ancestors().last()?;
    let people = ctx.people.get_or_insert_with(|| {
        let mut people = std::collections::BTreeMap::new();
        for (at, n) in root.descendants().enumerate() {
            if matches!(n.tag_name().name(), "assignedAuthor" | "assignedEntity")
                && child(n, "assignedPerson").is_some()
            {
                if let Some(k) = identity("Practitioner", n, None) {
                    people.entry(k).or_insert(at);
                }
            }
        }
        people
    });
    root.descendants().nth(*people.get(key)?)
}

/// The actors of the statement's `tag` elements (`author` → `assignedAuthor`, `performer` →
/// `assignedEntity`), each marked as read.
fn actors(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>, tag: &'static str) -> Vec<Json<'static>> {
    let role = if tag == "author" { "assignedAuthor" } else { "assignedEntity" };
    let mut out = Vec::new();
    for p in children(el, tag) {
        ctx.consumed.insert(p.index());
        if let Some(a) = child(p, role).and_then(|r| actor(ctx, r)) {
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// The statement's first author, as a reference (recorder, requester, information source).
/// Further authors are reported.
pub(crate) fn author(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Option<Json<'static>> {
    let mut all = actors(ctx, el, "author").into_iter();
    let first = all.next();
    if all.next().is_some() {
        if let Some(second) = children(el, "author").nth(1) {
            ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, second, "author");
        }
    }
    first
}

/// The statement's performers, as references.
pub(crate) fn performers(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Vec<Json<'static>> {
    actors(ctx, el, "performer")
}

/// The statement's performers as `{"actor": …}` (Procedure, Immunization).
pub(crate) fn performer_actors(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Vec<Json<'static>> {
    performers(ctx, el).into_iter().map(|a| obj(vec![("actor", a)])).collect()
}

/// The statement's performers, then its authors (Observation.performer).
pub(crate) fn performers_and_authors(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut all = performers(ctx, el);
    for a in actors(ctx, el, "author") {
        if !all.contains(&a) {
            all.push(a);
        }
    }
    all
}

/// An encounter's service delivery locations (`participant typeCode="LOC"`) as
/// `Encounter.location` items.
pub(crate) fn locations(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for p in children(el, "participant").filter(|p| attr(*p, "typeCode") == Some("LOC")) {
        let Some(role) = child(p, "participantRole") else { continue };
        ctx.consumed.insert(p.index());
        let place_name = path(role, &["playingEntity", "name"]);
        let key = identity("Location", role, place_name);
        let url = party(ctx, "Location", role, key, |ctx, d| {
            d.opt("name", place_name.map(text_of).filter(|n| !n.is_empty()).map(s));
            d.opt(
                "type",
                child(role, "code").and_then(|c| concept(ctx, c, "participantRole/code")).map(|c| Json::Array(vec![c])),
            );
            d.list("telecom", children(role, "telecom").filter_map(telecom).collect());
            d.opt("address", children(role, "addr").find_map(address));
        });
        let item = obj(vec![("location", reference(&url))]);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

/// A statement's specimen as a Reference (see [`super::specimen`]).
pub(crate) fn specimen(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Option<Json<'static>> {
    super::specimen::specimen(ctx, el)
}

/// Report every `author`, `performer`, `participant` and `specimen` of a statement a resource was derived
/// from that no mapping read, except the consumable (`CSM`, the allergen) and product (`PRD`,
/// the device) participants the allergy and device mappings read as their code.
pub(crate) fn report_unmapped(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    let Some(body) = path(doc, &["component", "structuredBody"]) else { return };
    let unread: Vec<Node<'_, '_>> = body
        .descendants()
        .filter(|n| PARTICIPATIONS.contains(&n.tag_name().name()))
        .filter(|n| !matches!(attr(*n, "typeCode"), Some("CSM" | "PRD")))
        .filter(|n| !ctx.consumed.contains(&n.index()))
        .filter(|n| n.parent().is_some_and(|p| ctx.drafted.contains(&p.index())))
        .collect();
    for n in unread {
        ctx.finding(&rules::CCDA_PARTICIPANT_UNMAPPED, n, n.tag_name().name());
    }
}
