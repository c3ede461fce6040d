//! The conversion's state: the resources made so far, their ids, the findings, and what every
//! derived resource carries (id, origin, identifiers, subject).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::xml::{attr, children, Document, Locations, Node};
use super::ORIGIN;
use crate::codes::system_for_oid;
use crate::fhir::stable_id;
use crate::json::Json;
use crate::model::{urn_uuid_of, uuid_bits};
use crate::validate::{Finding, Rule};

/// A JSON string.
pub(crate) fn s(text: impl Into<String>) -> Json<'static> {
    Json::String(Cow::Owned(text.into()))
}

/// A JSON string from a literal (no allocation).
pub(crate) fn lit(text: &'static str) -> Json<'static> {
    Json::String(Cow::Borrowed(text))
}

/// A JSON object from members in order (an array of them allocates once: the object's).
pub(crate) fn obj(members: impl IntoIterator<Item = (&'static str, Json<'static>)>) -> Json<'static> {
    Json::Object(members.into_iter().map(|(k, v)| (Cow::Borrowed(k), v)).collect())
}

/// A `Reference` to a full URL.
pub(crate) fn reference(url: &str) -> Json<'static> {
    obj([("reference", s(url))])
}

/// A CodeableConcept of one coding.
pub(crate) fn concept_of(system: &'static str, code: &'static str, display: &'static str) -> Json<'static> {
    obj([("coding", Json::Array(vec![obj([("system", lit(system)), ("code", lit(code)), ("display", lit(display))])]))])
}

/// The code of a "no known …" statement: the IPS absent/unknown code (which the merge engine
/// reads as known absent) and the SNOMED CT situation that says the same.
pub(crate) fn no_known(ips_code: &str, ips_display: &str, snomed: &str, snomed_display: &str) -> Json<'static> {
    let coding = |system: &str, code: &str, display: &str| {
        obj([("system", s(system)), ("code", s(code)), ("display", s(display))])
    };
    obj([(
        "coding",
        Json::Array(vec![
            coding(crate::fhir::ABSENT_UNKNOWN, ips_code, ips_display),
            coding(crate::codes::SNOMED_CT, snomed, snomed_display),
        ]),
    )])
}

/// The code of a "no information about …" statement (a clinical statement marked `nullFlavor`):
/// the IPS absent/unknown code, which the merge engine reads as no information, never as
/// evidence of absence.
pub(crate) fn no_information(ips_code: &str, ips_display: &str) -> Json<'static> {
    let coding = obj([("system", s(crate::fhir::ABSENT_UNKNOWN)), ("code", s(ips_code)), ("display", s(ips_display))]);
    obj([("coding", Json::Array(vec![coding]))])
}

/// Whether a clinical statement is itself marked `nullFlavor` (no information about it).
pub(crate) fn unknown_statement(ctx: &mut Ctx<'_, '_>, el: Node<'_, '_>) -> bool {
    let unknown = attr(el, "nullFlavor").is_some();
    if unknown {
        ctx.finding(&crate::validate::rules::CCDA_NULL_FLAVOR, el, el.tag_name().name());
    }
    unknown
}

/// A `urn:uuid:` full URL for a 32-hex-digit id.
pub(crate) fn uuid_url(hex: &str) -> String {
    let mut url = String::with_capacity(45);
    url.push_str(UUID_PREFIX);
    for (i, (a, b)) in [(0, 8), (8, 12), (12, 16), (16, 20), (20, 32)].into_iter().enumerate() {
        if i > 0 {
            url.push('-');
        }
        url.push_str(hex.get(a..b).unwrap_or_default());
    }
    url
}

/// What a `urn:uuid:` full URL starts with.
const UUID_PREFIX: &str = "urn:uuid:";

/// A resource being built: its members in order.
pub(crate) struct Draft {
    /// The full URL it gets in the Bundle.
    pub url: String,
    members: Vec<(Cow<'static, str>, Json<'static>)>,
}

impl Draft {
    /// Add a member.
    pub(crate) fn add(&mut self, key: &'static str, value: Json<'static>) {
        self.members.push((Cow::Borrowed(key), value));
    }

    /// Add a member whose name is made at run time (`effectiveDateTime`, `onsetPeriod`…).
    pub(crate) fn add_owned(&mut self, key: impl Into<Cow<'static, str>>, value: Json<'static>) {
        self.members.push((key.into(), value));
    }

    /// Give the resource a fixed full URL (the Patient's, the document's) and the matching id.
    pub(crate) fn set_url(&mut self, url: &str) {
        self.url = url.to_owned();
        for (k, v) in &mut self.members {
            if k == "id" {
                *v = s(url.trim_start_matches(UUID_PREFIX));
            }
        }
    }

    /// Remove a member, returning its value (the first, if several).
    pub(crate) fn take(&mut self, key: &str) -> Option<Json<'static>> {
        let at = self.members.iter().position(|(k, _)| k == key)?;
        Some(self.members.remove(at).1)
    }

    /// Append `values` to the array member `key` (made when there is none yet).
    pub(crate) fn extend(&mut self, key: &'static str, values: Vec<Json<'static>>) {
        if values.is_empty() {
            return;
        }
        match self.members.iter_mut().find(|(k, _)| k == key) {
            Some((_, Json::Array(items))) => items.extend(values),
            _ => self.add(key, Json::Array(values)),
        }
    }

    /// Add a member when there is a value.
    pub(crate) fn opt(&mut self, key: &'static str, value: Option<Json<'static>>) {
        if let Some(v) = value {
            self.add(key, v);
        }
    }

    /// Add an array member when it is not empty.
    pub(crate) fn list(&mut self, key: &'static str, values: Vec<Json<'static>>) {
        if !values.is_empty() {
            self.add(key, Json::Array(values));
        }
    }
}

/// The state of one document's conversion.
pub(crate) struct Ctx<'a, 'i> {
    /// Elements with an `ID` attribute (narrative targets of `originalText/reference`).
    ids: BTreeMap<&'a str, Node<'a, 'i>>,
    locations: Locations,
    /// Full URL of the Patient.
    pub patient_url: String,
    /// Full URL of the DocumentReference holding the original XML.
    pub document_url: String,
    /// Resources made, in document order, with their full URLs.
    pub resources: Vec<(String, Json<'static>)>,
    /// What could not be mapped, with locations in the document.
    pub findings: Vec<Finding>,
    /// The ids given so far, as their bits (`model::uuid_bits`: same bits, same id).
    used: BTreeSet<u128>,
    /// Practitioners and locations made so far: identity key → full URL (one resource each).
    pub parties: BTreeMap<String, String>,
    /// `author`/`performer`/`participant` elements a mapping read (by document position).
    pub consumed: BTreeSet<usize>,
    /// Elements a resource was derived from (by document position).
    pub drafted: BTreeSet<usize>,
    /// Each section's own entries: section position → the range of [`Ctx::resources`] made
    /// from them (for the Composition's `section.entry`).
    pub sections: BTreeMap<usize, std::ops::Range<usize>>,
    /// The `assignedAuthor`/`assignedEntity` elements with a person, by identity key → position
    /// among the document's nodes (the first of each identity); made on first use.
    pub people: Option<BTreeMap<String, usize>>,
    /// Whether the document's base64 is left out of the DocumentReference (for `to_fhir`, which
    /// writes it straight into the text): `super::DATA_STAND_IN` holds its place.
    pub data_stand_in: bool,
}

impl<'a, 'i> Ctx<'a, 'i> {
    pub(crate) fn new(doc: &'a Document<'i>, seed: &str) -> Ctx<'a, 'i> {
        let ids = doc.with_id().filter_map(|n| Some((attr(n, "ID")?, n))).collect();
        Ctx {
            ids,
            locations: Locations::new(),
            patient_url: uuid_url(&stable_id(&format!("{seed}\u{0}Patient"))),
            document_url: uuid_url(&stable_id(&format!("{seed}\u{0}DocumentReference"))),
            resources: Vec::new(),
            findings: Vec::new(),
            used: BTreeSet::new(),
            parties: BTreeMap::new(),
            consumed: BTreeSet::new(),
            drafted: BTreeSet::new(),
            sections: BTreeMap::new(),
            people: None,
            data_stand_in: false,
        }
    }

    /// The element a narrative reference (`#id`) points at.
    pub(crate) fn narrative(&self, reference: &str) -> Option<Node<'a, 'i>> {
        self.ids.get(reference.strip_prefix('#').unwrap_or(reference)).copied()
    }

    /// Report `rule` at the element `node` about `field`.
    pub(crate) fn finding(&mut self, rule: &Rule, node: Node<'_, '_>, field: &str) {
        self.findings.push(Finding::new(rule, self.locations.of(node), field));
    }

    /// Start a resource of `kind` derived from the element `node`: a stable id (from the
    /// element's `id`, else its location), the origin extension, the identifiers.
    pub(crate) fn draft(&mut self, kind: &str, node: Node<'_, '_>) -> Draft {
        let at = self.locations.of(node);
        self.drafted.insert(node.index());
        // The seed: the kind and the first `id` with a root (`root|extension`), else the location.
        let mut seed = String::with_capacity(kind.len() + 80);
        seed.push_str(kind);
        seed.push('\u{0}');
        let mut identifiers = Vec::new();
        let mut first = false;
        for i in children(node, "id") {
            if let Some(j) = identifier(i) {
                identifiers.push(j);
            }
            if let Some(root) = attr(i, "root").filter(|_| !first) {
                first = true;
                seed.push_str(root);
                seed.push('|');
                seed.push_str(attr(i, "extension").unwrap_or(""));
            }
        }
        if !first {
            seed.push_str(&at);
        }
        let mut n = 0u32;
        let bits = loop {
            let bits = uuid_bits(&seed);
            if self.used.insert(bits) {
                break bits;
            }
            // The same element id twice (a document reusing ids): the location tells them apart.
            n += 1;
            seed = format!("{kind}\u{0}{at}\u{0}{n}");
        };
        let origin = obj([
            ("url", lit(ORIGIN)),
            (
                "extension",
                Json::Array(vec![
                    obj([("url", lit("document")), ("valueUri", s(self.document_url.clone()))]),
                    obj([("url", lit("location")), ("valueString", s(at))]),
                ]),
            ),
        ]);
        // The id is the UUID of the full URL, so `urn:uuid:` references resolve by id too
        // (`uuid_url(&stable_id(&seed))`, written once).
        let url = urn_uuid_of(bits);
        let mut d = Draft { url: url.clone(), members: Vec::with_capacity(16) };
        d.add("resourceType", s(kind));
        d.add("id", s(url.get(UUID_PREFIX.len()..).unwrap_or_default()));
        d.add("extension", Json::Array(vec![origin]));
        d.list("identifier", identifiers);
        d
    }

    /// Add a finished resource; returns its full URL.
    pub(crate) fn push(&mut self, d: Draft) -> String {
        self.resources.push((d.url.clone(), Json::Object(d.members)));
        d.url
    }

    /// A reference to the patient.
    pub(crate) fn subject(&self) -> Json<'static> {
        reference(&self.patient_url)
    }
}

/// An `II` as a FHIR Identifier (C-CDA on FHIR: root+extension → system+value; a root alone
/// → `urn:ietf:rfc:3986` and the root as a URI).
pub(crate) fn identifier(id: Node<'_, '_>) -> Option<Json<'static>> {
    let root = attr(id, "root")?;
    let root_uri = |r: &str| {
        let prefix = if is_uuid(r) {
            UUID_PREFIX
        } else if r.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            "urn:oid:"
        } else {
            return r.to_owned();
        };
        let mut uri = String::with_capacity(prefix.len() + r.len());
        uri.push_str(prefix);
        uri.push_str(r);
        uri.make_ascii_lowercase(); // a UUID's hex digits (an OID and the prefixes have no letters)
        uri
    };
    Some(match attr(id, "extension") {
        Some(ext) => {
            let system = if is_uuid(root) { Cow::Owned(root_uri(root)) } else { system_for_oid(root) };
            obj([("system", Json::String(system)), ("value", s(ext))])
        }
        None => obj([("system", lit("urn:ietf:rfc:3986")), ("value", s(root_uri(root)))]),
    })
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes()
            .enumerate()
            .all(|(i, b)| if matches!(i, 8 | 13 | 18 | 23) { b == b'-' } else { b.is_ascii_hexdigit() })
}
