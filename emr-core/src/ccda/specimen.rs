//! A result's specimen (`specimen/specimenRole`, or a `participant typeCode="SPC"` with a
//! `participantRole`) → a Specimen (C-CDA on FHIR, *Results*: `specimen` → Observation.specimen /
//! DiagnosticReport.specimen) when the document identifies it (an `id`) or says what it is
//! (`specimenPlayingEntity/code`): its identifiers, its type and the patient. One per identity
//! and document, so the organizer and its observations naming one specimen share it; a specimen
//! known by neither is named by display.

use super::build::{obj, reference, s, Ctx};
use super::participants::{identity, party};
use super::value::concept;
use super::xml::{attr, child, children, Node};
use crate::json::Json;

/// The statement's specimen as a Reference: to its Specimen, else by display; the specimen
/// participation is marked as read.
pub(crate) fn specimen(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> Option<Json<'static>> {
    let p =
        child(el, "specimen").or_else(|| children(el, "participant").find(|p| attr(*p, "typeCode") == Some("SPC")))?;
    let role = child(p, "specimenRole").or_else(|| child(p, "participantRole"))?;
    ctx.consumed.insert(p.index());
    let entity = child(role, "specimenPlayingEntity").or_else(|| child(role, "playingEntity"));
    let code = entity.and_then(|e| child(e, "code")).and_then(|c| concept(ctx, c, "specimenPlayingEntity/code"));
    let identified = children(role, "id").any(|i| attr(i, "root").is_some());
    if !identified && code.is_none() {
        return Some(obj(vec![("display", s("specimen"))]));
    }
    let key = identity("Specimen", role, None);
    let url = party(ctx, "Specimen", role, key, |ctx, d| {
        d.opt("type", code);
        d.add("subject", ctx.subject());
    });
    Some(reference(&url))
}
