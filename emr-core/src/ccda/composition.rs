//! The document as a FHIR Composition (C-CDA on FHIR, *US Realm Header* → Composition): what a
//! reader of the imported record sees of the document itself, its sections' narrative above all.
//!
//! `status` final; `type` ← `code`; `title` ← `title`; `date` ← `effectiveTime`; `author` and
//! `attester` (legal) ← the people and devices the header's participants became (the
//! DocumentReference's `author` and `authenticator`), else the source organization by name;
//! `attester` (professional) ← each `authenticator`, `relatesTo` ← `relatedDocument`, each
//! section's `author`, and extensions for the data enterer, provider informants and information
//! recipients ([`super::composition_parts`]); `custodian` ← the source
//! organization, by name (as on the DocumentReference: a reference would make the importer
//! attribute the document to it even when the caller names another source); `confidentiality`
//! ← `confidentialityCode`; `encounter` ← the DocumentReference's; `event` ← each
//! `documentationOf/serviceEvent` (its code and period). One `section` per C-CDA
//! section, nested as in the document: `title`, `code`, `text` (the narrative block as XHTML,
//! status `additional`: authored text, more than the entries say), `entry` (references to the
//! resources made from the section's own entries; practitioners, organizations and locations
//! they name are not entries), and for a section with neither narrative, entries nor
//! subsections an `emptyReason` with a generated text (FHIR's cmp-1 asks for text, entries or
//! subsections).
//!
//! `status` is always `final`: FHIR R4 Composition's CDA mapping (which C-CDA on FHIR's US
//! Realm Header profile carries) gives "n/a" for it, as C-CDA R2.1 has no document status: a
//! document as exchanged is complete, and a correction is a new document that `relatedDocument`
//! links (`relatesTo` replaces), not a status of this one. `sdtc:statusCode` is not read (none of
//! the shared documents has one, and the IG maps none). `identifier` is the document's `id`, not
//! its `setId` (the mapping's version-independent identifier): emr's merge folds resources with
//! the same identifier, so two versions of one document (same `setId`) would fold into one
//! Composition; `setId` stays in the original document. `versionNumber` is the R5
//! Composition.version extension.
//!
//! No Composition is made for a document without an `effectiveTime` (FHIR requires `date`);
//! its sections' narrative stays in the original document only, and the finding
//! `ccda.document.date.missing` says so (and `ccda.participant.unmapped` for the authenticators,
//! data enterer, provider informants, information recipients and section authors only the
//! Composition would hold).

use super::build::{lit, obj, s, Ctx};
use super::value::{concept, period, ts};
use super::xml::{attr, child, children, is, path, text_of, Node};
use crate::json::Json;
use crate::validate::rules;

/// Resource types made from a section's entries that are parties to them, not entries.
const PARTIES: &[&str] = &["Practitioner", "PractitionerRole", "Organization", "Location"];

/// HL7 v3 Confidentiality codes (the value set of Composition.confidentiality).
const CONFIDENTIALITY: &[&str] = &["U", "L", "M", "N", "R", "V"];

/// Make the document's Composition (see the module documentation); after the body and the
/// header's participants, whose resources it references.
pub(crate) fn composition(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>, source_name: Option<&str>) {
    let Some(date) = child(doc, "effectiveTime").and_then(|e| ts(ctx, e, "effectiveTime")) else {
        ctx.finding(&rules::CCDA_DOCUMENT_DATE, doc, "effectiveTime");
        super::composition_parts::report_unheld(ctx, doc);
        return;
    };
    let document = document_members(ctx);
    let member = |key: &str| document.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone());
    let mut d = ctx.draft("Composition", doc);
    let mut extensions: Vec<Json<'static>> = super::composition_parts::version(ctx, doc).into_iter().collect();
    extensions.extend(super::composition_parts::participations(ctx, doc));
    d.extend("extension", extensions);
    // Composition.identifier is one Identifier: the document's `id`.
    if let Some(Json::Array(ids)) = d.take("identifier") {
        d.opt("identifier", ids.into_iter().next());
    }
    d.add("status", lit("final"));
    let title = child(doc, "title").map(text_of).filter(|t| !t.is_empty());
    let kind = child(doc, "code").and_then(|c| concept(ctx, c, "code"));
    d.add(
        "type",
        kind.unwrap_or_else(|| obj([("text", s(title.clone().unwrap_or_else(|| "Clinical document".to_owned())))])),
    );
    d.add("subject", ctx.subject());
    if let Some(encounter) = member("context").and_then(|c| c.get("encounter")?.as_array()?.first().cloned()) {
        d.add("encounter", encounter);
    }
    d.add("date", s(date));
    let by_name = || obj([("display", s(source_name.unwrap_or("Unknown author")))]);
    let authors = match member("author") {
        Some(Json::Array(a)) if !a.is_empty() => a,
        _ => vec![by_name()],
    };
    d.add("author", Json::Array(authors));
    d.add("title", s(title.unwrap_or_else(|| "Clinical document".to_owned())));
    if let Some(code) = child(doc, "confidentialityCode").and_then(|c| attr(c, "code")) {
        if let Some(known) = CONFIDENTIALITY.iter().find(|k| **k == code) {
            d.add("confidentiality", lit(known));
        }
    }
    let mut attesters = Vec::new();
    if let Some(party) = member("authenticator") {
        let mut attester = vec![("mode", lit("legal"))];
        let time = path(doc, &["legalAuthenticator", "time"]).and_then(|t| ts(ctx, t, "legalAuthenticator/time"));
        if let Some(t) = time {
            attester.push(("time", s(t)));
        }
        attester.push(("party", party));
        attesters.push(obj(attester));
    }
    attesters.extend(super::composition_parts::professional_attesters(ctx, doc));
    d.list("attester", attesters);
    if let Some(name) = source_name {
        d.add("custodian", obj([("display", s(name))]));
    }
    d.list("relatesTo", super::composition_parts::relates_to(ctx, doc));
    d.list("event", events(ctx, doc));
    if let Some(body) = path(doc, &["component", "structuredBody"]) {
        d.list("section", sections(ctx, body, 0));
    }
    ctx.push(d);
}

/// Each `documentationOf/serviceEvent` as an event: its code and its `effectiveTime` period.
fn events(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for event in children(doc, "documentationOf").filter_map(|d| child(d, "serviceEvent")) {
        let mut m = Vec::new();
        if let Some(code) = child(event, "code").and_then(|c| concept(ctx, c, "serviceEvent/code")) {
            m.push(("code", Json::Array(vec![code])));
        }
        if let Some(p) = child(event, "effectiveTime").and_then(|e| period(ctx, e, "serviceEvent/effectiveTime")) {
            m.push(("period", p));
        }
        if !m.is_empty() {
            out.push(obj(m));
        }
    }
    out
}

/// The DocumentReference's `author`, `authenticator` and `context` (made from the header; not
/// its attachment, the whole document).
fn document_members(ctx: &Ctx<'_, '_>) -> Vec<(String, Json<'static>)> {
    match ctx.resources.iter().find(|(u, _)| *u == ctx.document_url) {
        Some((_, Json::Object(members))) => members
            .iter()
            .filter(|(k, _)| matches!(&**k, "author" | "authenticator" | "context"))
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// The sections inside `parent` (the structured body or a section), as Composition sections.
fn sections(ctx: &mut Ctx<'_, '_>, parent: Node<'_, '_>, depth: usize) -> Vec<Json<'static>> {
    if depth > 16 {
        return Vec::new();
    }
    children(parent, "component").filter_map(|c| child(c, "section")).map(|sec| section(ctx, sec, depth)).collect()
}

fn section(ctx: &mut Ctx<'_, '_>, sec: Node<'_, '_>, depth: usize) -> Json<'static> {
    let mut m: Vec<(&'static str, Json<'static>)> = Vec::new();
    if let Some(title) = child(sec, "title").map(text_of).filter(|t| !t.is_empty()) {
        m.push(("title", s(title)));
    }
    if let Some(code) = child(sec, "code").and_then(section_code) {
        m.push(("code", code));
    }
    let authors = super::composition_parts::section_authors(ctx, sec);
    if !authors.is_empty() {
        m.push(("author", Json::Array(authors)));
    }
    let text = child(sec, "text").filter(|t| super::narrative::has_words(*t));
    if let Some(t) = text {
        m.push(("text", obj([("status", lit("additional")), ("div", s(super::narrative::to_xhtml(t)))])));
    }
    let entries: Vec<Json<'static>> = ctx
        .sections
        .get(&sec.index())
        .and_then(|r| ctx.resources.get(r.clone()))
        .unwrap_or_default()
        .iter()
        .filter(|(_, r)| r.get("resourceType").and_then(Json::as_str).is_some_and(|t| !PARTIES.contains(&t)))
        .map(|(url, _)| super::build::reference(url))
        .collect();
    let has_entries = !entries.is_empty();
    if has_entries {
        m.push(("entry", Json::Array(entries)));
    }
    let inner = sections(ctx, sec, depth + 1);
    let empty = text.is_none() && !has_entries && inner.is_empty();
    if !inner.is_empty() {
        m.push(("section", Json::Array(inner)));
    }
    if empty {
        // cmp-1: a section has text, entries or sections; an empty one says why it is.
        let (code, display) = match attr(sec, "nullFlavor") {
            Some("NASK") => ("notasked", "Not Asked"),
            Some("NAV" | "UNK" | "NI") => ("unavailable", "Unavailable"),
            _ if has_template_entries(sec) => ("unavailable", "Unavailable"),
            _ => ("nilknown", "Nil Known"),
        };
        m.push((
            "text",
            obj([
                ("status", lit("generated")),
                ("div", lit("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>No information.</p></div>")),
            ]),
        ));
        let coding = obj([
            ("system", lit("http://terminology.hl7.org/CodeSystem/list-empty-reason")),
            ("code", lit(code)),
            ("display", lit(display)),
        ]);
        m.push(("emptyReason", obj([("coding", Json::Array(vec![coding]))])));
    }
    obj(m)
}

/// Whether a section has entries (that mapped to nothing): "unavailable" here, not "nil known".
fn has_template_entries(sec: Node<'_, '_>) -> bool {
    sec.children().any(|c| is(c, "entry"))
}

/// A section's code as a CodeableConcept (no findings: the section's entries report theirs).
fn section_code(code: Node<'_, '_>) -> Option<Json<'static>> {
    let value = attr(code, "code")?;
    let system = attr(code, "codeSystem").map(crate::codes::system_for_oid)?;
    let mut coding = vec![("system", Json::String(system)), ("code", s(value))];
    if let Some(display) = attr(code, "displayName") {
        coding.push(("display", s(display)));
    }
    Some(obj([("coding", Json::Array(vec![obj(coding)]))]))
}
