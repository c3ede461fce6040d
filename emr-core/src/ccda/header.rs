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
    d.list("telecom", organization_telecoms(ctx, node));
    d.list("address", organization_addresses(ctx, node));
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
    attachment.push(("data", if ctx.data_stand_in { lit(super::DATA_STAND_IN) } else { s(base64(xml)) }));
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
pub(crate) fn seed(doc: Node<'_, '_>, xml: &str) -> String {
    match child(doc, "id").and_then(identifier) {
        Some(id) => id.to_compact_string(),
        None => stable_id(xml),
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

/// The TELs of an organization as ContactPoints: an organization's contact is never of use
/// `home` (FHIR's org-3), so a "home" use given to one is not kept and is reported.
pub(crate) fn organization_telecoms(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) -> Vec<Json<'static>> {
    organization_contacts(ctx, org, "telecom", telecom)
}

/// The ADs of an organization as Addresses: never of use `home` (FHIR's org-2), as for
/// [`organization_telecoms`].
pub(crate) fn organization_addresses(ctx: &mut Ctx<'_, '_>, org: Node<'_, '_>) -> Vec<Json<'static>> {
    organization_contacts(ctx, org, "addr", address)
}

fn organization_contacts(
    ctx: &mut Ctx<'_, '_>,
    org: Node<'_, '_>,
    tag: &str,
    map: fn(Node<'_, '_>) -> Option<Json<'static>>,
) -> Vec<Json<'static>> {
    let mut out = Vec::new();
    for el in children(org, tag) {
        let Some(Json::Object(mut members)) = map(el) else { continue };
        let before = members.len();
        members.retain(|(k, v)| !(k == "use" && v.as_str() == Some("home")));
        if members.len() < before {
            ctx.finding(&crate::validate::rules::CCDA_VALUE_UNREAD, el, "use");
        }
        if !members.is_empty() {
            out.push(Json::Object(members));
        }
    }
    out
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

/// The base64 alphabet (RFC 4648, standard).
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two base64 digits of every 12-bit value, as little-endian `u16`s.
static BASE64_PAIRS: [u16; 4096] = base64_pairs();

#[allow(clippy::indexing_slicing)] // evaluated at compile time, every index < 4096 or < 64
const fn base64_pairs() -> [u16; 4096] {
    let mut pairs = [0; 4096];
    let mut i = 0;
    while i < 4096 {
        pairs[i] = BASE64[i >> 6] as u16 | (BASE64[i & 63] as u16) << 8;
        i += 1;
    }
    pairs
}

/// The two base64 digits of the low 12 bits of `n`.
fn base64_pair(n: u64) -> u64 {
    u64::from(BASE64_PAIRS.get((n & 0xfff) as usize).copied().unwrap_or_default())
}

/// Standard base64 (RFC 4648, padded). The original document goes through here whole, so it
/// is made fast: 6 bytes (8 digits) at a time through a table of digit pairs, into a buffer
/// sized once.
pub(crate) fn base64(bytes: &[u8]) -> String {
    let mut out = Vec::new();
    push_base64(&mut out, bytes);
    // ASCII only, so this is never the empty default.
    String::from_utf8(out).unwrap_or_default()
}

/// Append the [`base64`] of `bytes` to `out`.
pub(crate) fn push_base64(out: &mut Vec<u8>, bytes: &[u8]) {
    let start = out.len();
    out.resize(start + bytes.len().div_ceil(3) * 4, b'=');
    let out = out.get_mut(start..).unwrap_or_default();
    // Blocks of 24 bytes (32 digits) read as three 8-byte words, split into four 6-byte groups:
    // no bounds checks in the loop.
    let blocks = bytes.len() / 24;
    let (wide, out) = out.split_at_mut(blocks * 32);
    for (chunk, digits) in bytes.chunks_exact(24).zip(wide.chunks_exact_mut(32)) {
        let word =
            |at: usize| chunk.get(at..at + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map_or(0, u64::from_be_bytes);
        let (w0, w1, w2) = (word(0), word(8), word(16));
        let groups =
            [w0 >> 16, (w0 & 0xffff) << 32 | w1 >> 32, (w1 & 0xffff_ffff) << 16 | w2 >> 48, w2 & 0xffff_ffff_ffff];
        for (n, digits) in groups.into_iter().zip(digits.chunks_exact_mut(8)) {
            let quad =
                base64_pair(n >> 36) | base64_pair(n >> 24) << 16 | base64_pair(n >> 12) << 32 | base64_pair(n) << 48;
            digits.copy_from_slice(&quad.to_le_bytes());
        }
    }
    let bytes = bytes.get(blocks * 24..).unwrap_or_default();
    // Groups of 6 bytes read as one 8-byte word: all those whose word is inside the input.
    let fast = if bytes.len() >= 8 { ((bytes.len() - 8) / 6 + 1).min(bytes.len() / 6) } else { 0 };
    let (body, tail) = out.split_at_mut(fast * 8);
    for (at, digits) in body.chunks_exact_mut(8).enumerate() {
        let Some(Ok(word)) = bytes.get(at * 6..at * 6 + 8).map(<[u8; 8]>::try_from) else { break };
        let n = u64::from_be_bytes(word) >> 16;
        let quad =
            base64_pair(n >> 36) | base64_pair(n >> 24) << 16 | base64_pair(n >> 12) << 32 | base64_pair(n) << 48;
        digits.copy_from_slice(&quad.to_le_bytes());
    }
    // The rest, 3 bytes (4 digits) at a time, the last group padded with `=`.
    let rest = bytes.get(fast * 6..).unwrap_or_default();
    for (chunk, digits) in rest.chunks(3).zip(tail.chunks_mut(4)) {
        let n = chunk.iter().enumerate().fold(0u64, |n, (i, &b)| n | u64::from(b) << (16 - 8 * i));
        let quad = (base64_pair(n >> 12) | base64_pair(n) << 16).to_le_bytes();
        for (slot, digit) in digits.iter_mut().zip(quad).take(chunk.len() + 1) {
            *slot = digit;
        }
    }
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

    #[test]
    fn base64_matches_the_base64_crate() {
        use base64::Engine as _;
        // Every length up to 64 (each remainder after the 6-byte blocks), every byte value.
        let bytes: Vec<u8> = (0..=255u8).cycle().take(300).map(|b| b.wrapping_mul(37)).collect();
        for len in (0..100).chain([255, 256, 300]) {
            let input = bytes.get(..len).unwrap_or_default();
            assert_eq!(base64(input), base64::engine::general_purpose::STANDARD.encode(input), "{len}");
        }
    }
}
