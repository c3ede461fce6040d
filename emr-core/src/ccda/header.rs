//! The document header: `recordTarget` → Patient, the author/custodian organization → the
//! source (an Organization), the document itself → a DocumentReference holding the XML.

use super::xml::Node;

use super::build::{identifier, lit, obj, s, Ctx};
use super::value::{concept, ts};
use super::xml::{attr, child, children, path, text_of};
use crate::fhir::stable_id;
use crate::json::Json;
use crate::validate::rules;

/// The organization the document's entries are attributed to: its FHIR id, name and resource.
pub(crate) struct Organization {
    pub id: String,
    pub name: Option<String>,
}

/// recordTarget/patientRole → Patient (at [`Ctx::patient_url`]).
pub(crate) fn patient(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) {
    let Some(role) = path(doc, &["recordTarget", "patientRole"]) else {
        ctx.finding(&rules::CCDA_PATIENT_MISSING, doc, "recordTarget");
        return;
    };
    let mut d = ctx.draft("Patient", role);
    d.set_url(&ctx.patient_url.clone());
    let p = child(role, "patient");
    d.list("name", p.map(|p| children(p, "name").filter_map(name).collect()).unwrap_or_default());
    d.list("telecom", children(role, "telecom").filter_map(telecom).collect());
    if let Some(g) = p.and_then(|p| child(p, "administrativeGenderCode")) {
        let gender = match attr(g, "code") {
            Some("M") => Some("male"),
            Some("F") => Some("female"),
            Some("UN") => Some("other"),
            _ => None,
        };
        match gender {
            Some(code) => d.add("gender", s(code)),
            None if attr(g, "nullFlavor").is_some() => d.add("gender", lit("unknown")),
            None => ctx.finding(&rules::CCDA_VALUE_UNREAD, g, "administrativeGenderCode"),
        }
    }
    if let Some(b) = p.and_then(|p| child(p, "birthTime")) {
        // birthDate is a date: the date part of the timestamp.
        if let Some(t) = ts(ctx, b, "birthTime") {
            d.add("birthDate", s(t.get(..10).unwrap_or(&t)));
        }
    }
    if let Some(dt) = p.and_then(|p| p.children().find(|c| c.tag_name().name() == "deceasedTime")) {
        if let Some(t) = ts(ctx, dt, "deceasedTime") {
            d.add("deceasedDateTime", s(t));
        }
    } else if let Some(di) = p.and_then(|p| p.children().find(|c| c.tag_name().name() == "deceasedInd")) {
        if let Some(v) = attr(di, "value") {
            d.add("deceasedBoolean", Json::Bool(v == "true"));
        }
    }
    d.list("address", children(role, "addr").filter_map(address).collect());
    if let Some(m) = p.and_then(|p| child(p, "maritalStatus").or(child(p, "maritalStatusCode"))) {
        d.opt("maritalStatus", concept(ctx, m, "maritalStatusCode"));
    }
    let languages: Vec<Json<'static>> = p
        .map(|p| children(p, "languageCommunication").collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|l| {
            let code = child(l, "languageCode").and_then(|c| attr(c, "code"))?;
            let lang = obj(vec![(
                "coding",
                Json::Array(vec![obj(vec![("system", lit("urn:ietf:bcp:47")), ("code", s(code))])]),
            )]);
            let mut m = vec![("language", lang)];
            if let Some(pref) = child(l, "preferenceInd").and_then(|x| attr(x, "value")) {
                m.push(("preferred", Json::Bool(pref == "true")));
            }
            Some(obj(m))
        })
        .collect();
    d.list("communication", languages);
    ctx.push(d);
}

/// The organization that asserts the document's content: the author's represented
/// organization, else the custodian. Adds it as an Organization resource.
pub(crate) fn organization(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>) -> Option<Organization> {
    let node = children(doc, "author")
        .find_map(|a| path(a, &["assignedAuthor", "representedOrganization"]))
        .filter(|o| child(*o, "name").is_some() || child(*o, "id").is_some_and(|i| attr(i, "root").is_some()))
        .or_else(|| path(doc, &["custodian", "assignedCustodian", "representedCustodianOrganization"]))?;
    let mut d = ctx.draft("Organization", node);
    let name = child(node, "name").map(text_of).filter(|n| !n.is_empty());
    d.opt("name", name.clone().map(s));
    d.list("telecom", children(node, "telecom").filter_map(telecom).collect());
    d.list("address", children(node, "addr").filter_map(address).collect());
    let id = d.url.trim_start_matches("urn:uuid:").to_owned();
    let url = ctx.push(d);
    super::roles::register_source(ctx, node, &url);
    Some(Organization { id, name })
}

/// The document as a DocumentReference whose attachment is the XML verbatim.
pub(crate) fn document_reference(ctx: &mut Ctx<'_, '_>, doc: Node<'_, '_>, xml: &[u8], org: Option<&Organization>) {
    let mut d = ctx.draft("DocumentReference", doc);
    d.set_url(&ctx.document_url.clone());
    d.add("status", lit("current"));
    d.opt("type", child(doc, "code").and_then(|c| concept(ctx, c, "code")));
    d.add("subject", ctx.subject());
    if let Some(t) = child(doc, "effectiveTime").and_then(|e| ts(ctx, e, "effectiveTime")) {
        // `date` is an instant: only a full timestamp fits.
        if t.len() > 10 {
            d.add("date", s(t));
        }
    }
    // By name only: a reference would make the importer attribute the document to this
    // organization even when the caller names another source.
    if let Some(name) = org.and_then(|o| o.name.clone()) {
        d.add("custodian", obj(vec![("display", s(name))]));
    }
    d.opt("description", child(doc, "title").map(text_of).filter(|t| !t.is_empty()).map(s));
    let mut attachment = vec![("contentType", lit("application/xml"))];
    if let Some(lang) = child(doc, "languageCode").and_then(|l| attr(l, "code")) {
        attachment.push(("language", s(lang)));
    }
    attachment.push(("data", s(base64(xml))));
    let format = obj(vec![
        ("system", lit("http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode")),
        ("code", s(format_code(doc))),
    ]);
    d.add("content", Json::Array(vec![obj(vec![("attachment", obj(attachment)), ("format", format)])]));
    ctx.push(d);
}

/// The HL7 format code of the document: C-CDA R2.1 structured body, else R1.1.
fn format_code(doc: Node<'_, '_>) -> &'static str {
    // R2.0 (2014-06-09) and R2.1 (2015-08-01) templates: C-CDA R2, which R2.1's format code covers.
    let r21 = children(doc, "templateId")
        .any(|t| attr(t, "extension").is_some_and(|e| e.starts_with("2015-08-01") || e.starts_with("2014-06-09")));
    match (r21, path(doc, &["component", "structuredBody"]).is_some()) {
        (true, true) => "urn:hl7-org:sdwg:ccda-structuredBody:2.1",
        (true, false) => "urn:hl7-org:sdwg:ccda-nonXMLBody:2.1",
        (false, true) => "urn:hl7-org:sdwg:ccda-structuredBody:1.1",
        (false, false) => "urn:hl7-org:sdwg:ccda-nonXMLBody:1.1",
    }
}

/// A stable seed for the document's resource ids: its `id`, else a hash of the whole text.
pub(crate) fn seed(doc: Node<'_, '_>, xml: &[u8]) -> String {
    match child(doc, "id").and_then(identifier) {
        Some(id) => id.to_compact_string(),
        None => stable_id(&String::from_utf8_lossy(xml)),
    }
}

/// A PN as a HumanName.
pub(crate) fn name(n: Node<'_, '_>) -> Option<Json<'static>> {
    let mut members = Vec::new();
    match attr(n, "use") {
        Some("L") => members.push(("use", lit("official"))),
        Some("P") => members.push(("use", lit("nickname"))),
        _ => {}
    }
    let part = |tag: &str| children(n, tag).map(text_of).filter(|t| !t.is_empty()).map(s).collect::<Vec<_>>();
    let family = part("family");
    let (given, prefix, suffix) = (part("given"), part("prefix"), part("suffix"));
    if family.is_empty() && given.is_empty() {
        let whole = text_of(n);
        if whole.is_empty() {
            return None;
        }
        members.push(("text", s(whole)));
    }
    if let Some(f) = family.into_iter().next() {
        members.push(("family", f));
    }
    for (key, list) in [("given", given), ("prefix", prefix), ("suffix", suffix)] {
        if !list.is_empty() {
            members.push((key, Json::Array(list)));
        }
    }
    Some(obj(members))
}

/// A TEL as a ContactPoint.
pub(crate) fn telecom(t: Node<'_, '_>) -> Option<Json<'static>> {
    let value = attr(t, "value")?;
    let (system, rest) = match value.split_once(':') {
        Some(("tel", r)) => ("phone", r),
        Some(("mailto", r)) => ("email", r),
        Some(("fax", r)) => ("fax", r),
        Some(("http" | "https", _)) => ("url", value),
        _ => ("other", value),
    };
    let mut members = vec![("system", s(system)), ("value", s(rest.trim()))];
    match attr(t, "use") {
        Some("HP" | "H") => members.push(("use", lit("home"))),
        Some("WP") => members.push(("use", lit("work"))),
        Some("MC") => members.push(("use", lit("mobile"))),
        _ => {}
    }
    Some(obj(members))
}

/// An AD as an Address.
pub(crate) fn address(a: Node<'_, '_>) -> Option<Json<'static>> {
    let lines: Vec<Json<'static>> =
        children(a, "streetAddressLine").map(text_of).filter(|t| !t.is_empty()).map(s).collect();
    let mut members = Vec::new();
    match attr(a, "use") {
        Some("HP" | "H") => members.push(("use", lit("home"))),
        Some("WP") => members.push(("use", lit("work"))),
        _ => {}
    }
    if !lines.is_empty() {
        members.push(("line", Json::Array(lines)));
    }
    for (tag, key) in [
        ("city", "city"),
        ("county", "district"),
        ("state", "state"),
        ("postalCode", "postalCode"),
        ("country", "country"),
    ] {
        if let Some(v) = child(a, tag).map(text_of).filter(|t| !t.is_empty()) {
            members.push((key, s(v)));
        }
    }
    (!members.is_empty()).then(|| obj(members))
}

/// Standard base64 (RFC 4648, padded).
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }
}
