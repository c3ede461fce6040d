//! emr's own extensions (`urn:emr:*`) and the identifier system of its `Provenance`
//! resources, each written and read here, with round-trip tests beside them: export writes them
//! on its `Provenance` resources and their targets, import reads them back. [`FOLDED`] and
//! [`KEPT`] are for other readers of an export; import does not need them.

use super::attribution::{extension as find_extension, value};
use super::export::{complex, extension, obj, positive, s};
use crate::json::Json;
use crate::model::{Decision, EntryRef, PartialDate, Provenance, Source, SourceId, SourceKind};

/// The extension on a `Provenance.target` that keeps the full URL a resource came with when the
/// export had to give it another one; import restores it. [`to_view_bundle`](super::to_view_bundle) writes it;
/// [`to_bundle`](super::to_bundle) did before it wrote [`ASSERTION`], and import still reads such bundles.
pub(crate) const ORIGINAL_FULL_URL: &str = "urn:emr:fullUrl";

/// The complex extension on a `Provenance.target` that declares the target entry's provenance,
/// all but the source (which the `Provenance` names): `id`, `version`, `recorded`, `fullUrl`
/// (each omitted when `None`) and `decision` (`action`, then a `settles` per entry settled).
/// [`to_bundle`](super::to_bundle) writes it for the entries whose provenance import would not derive from the
/// resource alone; import takes it as written.
pub(crate) const ASSERTION: &str = "urn:emr:assertion";

/// The complex extension on emr's `Provenance` that gives its source's `kind` and `name`; also
/// the identifier system of the source's id in its `entity` ([`source_entity`]).
pub(crate) const SOURCE: &str = "urn:emr:source";

/// The FHIR code of a unit variant of the model (`SourceKind`, `DecisionAction`): its serde name.
pub(crate) fn code_of(variant: &impl serde::Serialize) -> String {
    match serde_json::to_value(variant) {
        Ok(serde_json::Value::String(code)) => code,
        _ => String::new(),
    }
}

/// The [`SOURCE`] extension of emr's `Provenance`: its source's `kind` and `name`.
pub(crate) fn source_extension(source: &Source) -> Json<'static> {
    let mut about = vec![extension("kind", "valueCode", s(code_of(&source.kind)))];
    about.extend(source.name.as_ref().map(|n| extension("name", "valueString", s(n.clone()))));
    complex(SOURCE, about)
}

/// The `Provenance.entity` naming emr's source: its id, an identifier in the [`SOURCE`] system
/// ([`emr_source_of`] reads it).
pub(crate) fn source_entity(source: &Source) -> Json<'static> {
    obj(vec![
        ("role", s("source")),
        ("what", obj(vec![("identifier", obj(vec![("system", s(SOURCE)), ("value", s(source.id.to_string()))]))])),
    ])
}

/// The kind and name a [`SOURCE`] extension gives (each `None` when missing or malformed).
pub(crate) fn read_source<'t>(about: &'t Json<'_>) -> (Option<SourceKind>, Option<&'t str>) {
    let kind = value(about, "kind", "valueCode").and_then(from_code);
    (kind, value(about, "name", "valueString").and_then(Json::as_str))
}

/// The [`ORIGINAL_FULL_URL`] extension: the full URL a resource came with.
pub(crate) fn renamed(original: &str) -> Json<'static> {
    extension(ORIGINAL_FULL_URL, "valueUri", s(original.to_owned()))
}

/// The full URL an [`ORIGINAL_FULL_URL`] extension of `target` gives, if it has one.
pub(crate) fn read_renamed<'t>(target: &'t Json<'_>) -> Option<&'t str> {
    find_extension(target, ORIGINAL_FULL_URL).and_then(|x| x.get("valueUri")?.as_str())
}

/// The source id an emr-written `Provenance` names, if it is one.
pub(crate) fn emr_source_of<'t>(tree: &'t Json<'_>) -> Option<&'t str> {
    if tree.get("resourceType").and_then(Json::as_str) != Some("Provenance") {
        return None;
    }
    let what = tree.pointer("/entity/0/what/identifier")?;
    (what.get("system").and_then(Json::as_str) == Some(SOURCE))
        .then(|| what.get("value").and_then(Json::as_str))
        .flatten()
}

/// The [`ASSERTION`] extension declaring `p`.
pub(crate) fn assertion(p: &Provenance) -> Json<'static> {
    let mut parts = vec![extension("id", "valueString", s(p.id.as_str())), positive("version", p.version)];
    parts.extend(p.recorded.map(|t| extension("recorded", "valueDateTime", s(t.to_string()))));
    // An empty URL is no valid `uri` (a record made before import dropped them may hold one).
    parts.extend(p.full_url.as_ref().filter(|u| !u.is_empty()).map(|u| extension("fullUrl", "valueUri", s(u.clone()))));
    if let Some(d) = &p.decision {
        let mut decision = vec![extension("action", "valueCode", s(code_of(&d.action)))];
        decision.extend(d.settles.iter().map(|r| {
            let settled = vec![
                extension("source", "valueString", s(r.source.as_str())),
                extension("id", "valueString", s(r.id.as_str())),
                positive("version", r.version),
            ];
            complex("settles", settled)
        }));
        parts.push(complex("decision", decision));
    }
    complex(ASSERTION, parts)
}

/// The variant of a unit enum of the model whose serde name is `code` (see [`code_of`]).
pub(crate) fn from_code<T: serde::de::DeserializeOwned>(code: &Json<'_>) -> Option<T> {
    let code = code.as_str()?;
    T::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(code)).ok()
}

/// A version: a `valuePositiveInt` that fits.
fn version(part: &Json<'_>) -> Option<u32> {
    part.get("valuePositiveInt")?.as_u64().and_then(|v| u32::try_from(v).ok()).filter(|&v| v > 0)
}

/// The provenance an [`ASSERTION`] extension declares for an entry of `source`; `None` when it
/// is malformed (a part missing or of the wrong type, a bad version, date or action), and import
/// then derives the provenance as for any resource.
pub(crate) fn read_assertion(source: &SourceId, x: &Json<'_>) -> Option<Provenance> {
    let id = value(x, "id", "valueString")?.as_str()?;
    let mut p = Provenance::new(source.clone(), id).with_version(version(find_extension(x, "version")?)?);
    // An optional part, when present, must be well formed.
    if let Some(part) = find_extension(x, "recorded") {
        p.recorded = Some(part.get("valueDateTime")?.as_str()?.parse::<PartialDate>().ok()?);
    }
    if let Some(part) = find_extension(x, "fullUrl") {
        p.full_url = Some(part.get("valueUri")?.as_str()?.to_owned());
    }
    if let Some(d) = find_extension(x, "decision") {
        let action = from_code(value(d, "action", "valueCode")?)?;
        let parts = d.get("extension").and_then(Json::as_array).unwrap_or_default();
        let settles = parts
            .iter()
            .filter(|part| part.get("url").and_then(Json::as_str) == Some("settles"))
            .map(|r| {
                Some(EntryRef {
                    source: SourceId::new(value(r, "source", "valueString")?.as_str()?),
                    id: value(r, "id", "valueString")?.as_str()?.into(),
                    version: version(find_extension(r, "version")?)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        p.decision = Some(Decision { action, settles });
    }
    Some(p)
}

/// The complex extension on a clinical-view `Provenance.target` naming one assertion (of that
/// Provenance's source) that the item at the target stands for: `id`, `version`, and `fullUrl`
/// when it came with one. Written for items that fold more than one assertion.
pub(crate) const FOLDED: &str = "urn:emr:folded";

/// The [`FOLDED`] extension for one assertion.
pub(crate) fn folded(id: &str, version: u32, full_url: Option<&str>) -> Json<'static> {
    let mut parts = vec![extension("id", "valueString", s(id)), positive("version", version)];
    parts.extend(full_url.filter(|u| !u.is_empty()).map(|u| extension("fullUrl", "valueUri", s(u))));
    complex(FOLDED, parts)
}

/// The complex extension on an NDJSON `Provenance.target` that says what the export changed in
/// the target's resource, so that import restores it as received: an `id` part (the id it
/// came with as `valueString`, or `valueBoolean` false when it had none), a `reference` part per
/// rewritten reference (`path`, a JSON pointer, and `original`, the text as received, omitted
/// when the Reference had none) and a `member` part per top-level element resolution changed
/// (`name`, and `json`, its value as received in compact JSON, omitted when it was absent).
pub(crate) const RECEIVED: &str = "urn:emr:received";

/// What an export changed in one resource ([`RECEIVED`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct AsReceived {
    /// The id as received (`Some(None)`: it had none), when the export gave it another.
    pub id: Option<Option<String>>,
    /// (JSON pointer of a Reference, its `reference` as received) for each one rewritten.
    pub references: Vec<(String, Option<String>)>,
    /// (top-level element, its value as received in compact JSON) for each one resolution changed.
    pub members: Vec<(String, Option<String>)>,
}

impl AsReceived {
    /// The [`RECEIVED`] extension, when anything changed.
    pub(crate) fn extension(&self) -> Option<Json<'static>> {
        let mut parts = Vec::new();
        match &self.id {
            None => {}
            Some(Some(id)) => parts.push(extension("id", "valueString", s(id.clone()))),
            Some(None) => parts.push(extension("id", "valueBoolean", Json::Bool(false))),
        }
        for (path, original) in &self.references {
            let mut r = vec![extension("path", "valueString", s(path.clone()))];
            r.extend(original.as_ref().map(|o| extension("original", "valueString", s(o.clone()))));
            parts.push(complex("reference", r));
        }
        for (name, json) in &self.members {
            let mut m = vec![extension("name", "valueString", s(name.clone()))];
            m.extend(json.as_ref().map(|j| extension("json", "valueString", s(j.clone()))));
            parts.push(complex("member", m));
        }
        (!parts.is_empty()).then(|| complex(RECEIVED, parts))
    }
}

/// Read a [`RECEIVED`] extension; malformed parts are ignored (the line then stays as written).
pub(crate) fn as_received(x: &Json<'_>) -> AsReceived {
    let mut out = AsReceived::default();
    let text = |part: &Json<'_>, url: &str| value(part, url, "valueString").and_then(Json::as_str).map(str::to_owned);
    for part in x.get("extension").and_then(Json::as_array).unwrap_or_default() {
        match part.get("url").and_then(Json::as_str) {
            Some("id") => {
                if let Some(id) = part.get("valueString").and_then(Json::as_str) {
                    out.id = Some(Some(id.to_owned()));
                } else if part.get("valueBoolean").and_then(Json::as_bool) == Some(false) {
                    out.id = Some(None);
                }
            }
            Some("reference") => {
                if let Some(path) = text(part, "path") {
                    out.references.push((path, text(part, "original")));
                }
            }
            Some("member") => {
                if let Some(name) = text(part, "name") {
                    out.members.push((name, text(part, "json")));
                }
            }
            _ => {}
        }
    }
    out
}

/// The extension on a reference an export kept as received because the record does not hold
/// (or the export leaves out) its target: `valueCode` `not-held` or `not-exported`.
pub(crate) const KEPT: &str = "urn:emr:unresolved";

/// The [`KEPT`] extension, `code` `not-held` or `not-exported`.
pub(crate) fn kept(code: &str) -> Json<'static> {
    obj(vec![("url", s(KEPT)), ("valueCode", s(code))])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DecisionAction;

    /// `x` written as import reads it: compact text, parsed again.
    fn text(x: &Json<'_>) -> String {
        let mut out = String::new();
        crate::json::push_compact(&mut out, x);
        out
    }

    fn parse(text: &str) -> Json<'_> {
        crate::json::parse(text).unwrap_or(Json::Null)
    }

    #[test]
    fn an_assertion_reads_back_as_written() {
        let mut full = Provenance::new("clinic-a", "Condition/c1").with_version(3);
        full.recorded = "2024-03-01T09:30:00+01:00".parse().ok();
        full.full_url = Some("urn:uuid:1b4e28ba-2fa1-41d2-883f-0016d3cca427".to_owned());
        full.decision = Some(Decision {
            action: DecisionAction::Edit,
            settles: vec![
                EntryRef { source: SourceId::new("b"), id: "Condition/x".into(), version: 2 },
                EntryRef { source: SourceId::new("c"), id: "y".into(), version: 1 },
            ],
        });
        for p in [Provenance::new("clinic-a", "c2"), Provenance::new("clinic-a", "c3").with_version(7), full] {
            let written = text(&assertion(&p));
            assert!(written.contains(ASSERTION), "{written}");
            assert_eq!(read_assertion(&SourceId::new("clinic-a"), &parse(&written)), Some(p));
        }
    }

    #[test]
    fn a_malformed_assertion_is_not_read() {
        let x = parse(
            r#"{"url":"urn:emr:assertion","extension":[{"url":"id","valueString":"c"},{"url":"version","valuePositiveInt":0}]}"#,
        );
        assert_eq!(read_assertion(&SourceId::new("a"), &x), None);
    }

    #[test]
    fn a_source_reads_back_as_written() {
        let kinds = [SourceKind::Organization, SourceKind::Clinician, SourceKind::Patient, SourceKind::System];
        for (kind, name) in kinds.into_iter().zip([Some("Clinic A"), None, Some("Me"), None]) {
            let source = Source { id: SourceId::new("s-1"), name: name.map(str::to_owned), kind, reference: None };
            let about = text(&source_extension(&source));
            assert_eq!(read_source(&parse(&about)), (Some(kind), name));
            let provenance =
                obj(vec![("resourceType", s("Provenance")), ("entity", Json::Array(vec![source_entity(&source)]))]);
            assert_eq!(emr_source_of(&parse(&text(&provenance))), Some("s-1"));
        }
    }

    #[test]
    fn a_renamed_url_reads_back_as_written() {
        let target =
            obj(vec![("extension", Json::Array(vec![renamed("urn:uuid:b-1")])), ("reference", s("urn:uuid:x"))]);
        assert_eq!(read_renamed(&parse(&text(&target))), Some("urn:uuid:b-1"));
        assert_eq!(read_renamed(&parse(r#"{"reference":"urn:uuid:x"}"#)), None);
    }

    #[test]
    fn what_an_export_changed_reads_back_as_written() {
        let changes = [
            AsReceived {
                id: Some(None),
                references: vec![
                    ("/subject".to_owned(), Some("Patient/1".to_owned())),
                    ("/performer/0".to_owned(), None),
                ],
                members: vec![("criticality".to_owned(), Some(r#""low""#.to_owned())), ("note".to_owned(), None)],
            },
            AsReceived { id: Some(Some("o-1".to_owned())), references: Vec::new(), members: Vec::new() },
        ];
        for c in changes {
            let written = c.extension().map(|x| text(&x)).unwrap_or_default();
            assert!(written.contains(RECEIVED), "{written}");
            assert_eq!(as_received(&parse(&written)), c);
        }
        assert_eq!(AsReceived::default().extension(), None);
    }

    #[test]
    fn codes_read_back_as_written() {
        let kinds = [SourceKind::Organization, SourceKind::Clinician, SourceKind::Patient, SourceKind::System];
        for k in kinds {
            assert_eq!(from_code::<SourceKind>(&Json::String(code_of(&k).into())), Some(k));
        }
        for a in [DecisionAction::Accept, DecisionAction::Reject, DecisionAction::Edit] {
            assert_eq!(from_code::<DecisionAction>(&Json::String(code_of(&a).into())), Some(a));
        }
    }

    #[test]
    fn every_url_is_emr_s_own() {
        for url in [ORIGINAL_FULL_URL, ASSERTION, SOURCE, FOLDED, RECEIVED, KEPT] {
            assert!(url.starts_with("urn:emr:"), "{url}");
        }
        let written = text(&folded("c1", 2, Some("urn:uuid:x")));
        assert!(written.contains(FOLDED) && written.contains(r#""valuePositiveInt":2"#), "{written}");
        assert!(text(&kept("not-held")).contains(KEPT));
    }
}
