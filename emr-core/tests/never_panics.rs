#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
//! Property tests: nothing in emr-core panics, whatever the input, and the findings of
//! `validate` are well-formed.
//!
//! * (a) arbitrary strings and bytes through every parser and code check;
//! * (b) arbitrary JSON trees with FHIR-ish keys and values, embedded as resources of a record;
//! * (c) structurally valid records of clinical entries with valid-or-invalid codes, dates,
//!   statuses, references, versions and retractions.
//!
//! For every record that validates, the findings are deterministic, sorted and unique, their codes
//! are in `rules::ALL` and their paths are JSON pointers that resolve in the serialized record.

use chrono::{DateTime, TimeZone, Utc};
use emr_core::codes::{self, ucum::Unit, KnownSystem};
use emr_core::json;
use emr_core::model::{Entry, PartialDate, Patient, Provenance, Record, Resource, Source};
use emr_core::validate::{rules, validate, Finding};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

// ---------------------------------------------------------------- invariants

/// The validation time of most properties.
fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
}

/// Validation times from the ends of chrono's range to far in the future.
fn any_now() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        6 => (0i64..4_102_444_800).prop_map(|s| DateTime::from_timestamp(s, 0).unwrap()),
        1 => Just(DateTime::<Utc>::MIN_UTC),
        1 => Just(DateTime::<Utc>::MAX_UTC),
        2 => Just(fixed_now()),
    ]
}

/// `validate` twice (must agree), then the invariants of its findings.
fn check_findings(record: &Record, now: DateTime<Utc>) -> Vec<Finding> {
    let findings = validate(record, now);
    assert_eq!(findings, validate(record, now), "validate is not deterministic");
    assert!(findings.windows(2).all(|w| w[0] < w[1]), "findings are not sorted and unique: {findings:#?}");
    let text = serde_json::to_string(record).unwrap();
    let tree = json::parse(&text).unwrap();
    for f in &findings {
        let rule = rules::ALL.iter().find(|r| r.code == f.code);
        assert!(rule.is_some_and(|r| r.severity == f.severity), "finding code not in rules::ALL: {f:?}");
        assert!(resolves(&tree, &f.path, &findings), "path of {f:?} does not resolve in {text}");
    }
    findings
}

/// Whether a finding path resolves in the serialized record. Paths name members by key and a
/// pointer picks the *first* member of a name, so a path through the second member of a
/// duplicated key (itself reported as `json.key.duplicate`) cannot resolve: that is accepted.
fn resolves(tree: &json::Json<'_>, path: &str, findings: &[Finding]) -> bool {
    tree.pointer(path).is_some()
        || findings.iter().any(|d| {
            d.code == rules::JSON_KEY_DUPLICATE.code
                && path.strip_prefix(d.path.as_str()).is_some_and(|rest| rest.starts_with('/'))
        })
}

/// Deserialize a record text; when it is one, check the findings and the serde round trip.
fn check_record_text(text: &str, now: DateTime<Utc>) -> Option<Record> {
    let record = serde_json::from_str::<Record>(text).ok()?;
    check_findings(&record, now);
    let again = serde_json::to_string(&record).unwrap();
    let back: Record = serde_json::from_str(&again).unwrap();
    assert_eq!(back, record, "record changes in a serde round trip");
    Some(record)
}

// ---------------------------------------------------------------- (a) strings and bytes

/// One text through every parser and code check.
fn everything_on(s: &str) {
    let _ = json::parse(s).map(|t| t.to_compact_string());
    let _ = Resource::parse(s);
    let _ = Patient::parse(s);
    let _ = Entry::from_text(Provenance::new("a", "1"), s).map(|e| e.is_retracted());
    if let Ok(d) = s.parse::<PartialDate>() {
        assert_eq!(d.to_string().parse::<PartialDate>(), Ok(d), "date does not survive Display and parse");
        assert!(d.earliest() <= d.latest());
        assert!(d.may_overlap(&d));
    }
    let unit = Unit::parse(s);
    assert_eq!(codes::check(KnownSystem::Ucum, s).is_ok(), unit.is_ok());
    for system in KnownSystem::ALL {
        if let Err(p) = codes::check(system, s) {
            assert_eq!(p.system(), system);
            let _ = (p.code(), p.describe(), p.to_string());
        }
    }
    let _ = KnownSystem::from_uri(s);
    if let Ok(record) = serde_json::from_str::<Record>(s) {
        check_findings(&record, fixed_now());
    }
}

/// Texts shaped like the inputs of the parsers: dates, codes, units, JSON fragments.
fn shaped_text() -> impl Strategy<Value = String> {
    prop_oneof![
        date_text(),
        code_text(),
        unit_text(),
        "[\\[\\]{}\":,0-9a-zA-Z\\\\ .eE+\\-]{0,48}",
        "[0-9]{0,40}",
        any::<String>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in any::<String>()) {
        everything_on(&s);
    }

    #[test]
    fn shaped_strings_never_panic(s in shaped_text()) {
        everything_on(&s);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        if let Ok(tree) = json::parse_bytes(&bytes) {
            let compact = tree.to_compact_string();
            prop_assert_eq!(json::parse(&compact).ok(), Some(tree));
        }
        if let Ok(s) = std::str::from_utf8(&bytes) {
            everything_on(s);
        }
        if let Ok(record) = serde_json::from_slice::<Record>(&bytes) {
            check_findings(&record, fixed_now());
        }
    }
}

// ---------------------------------------------------------------- FHIR-ish leaves

/// Dates: valid at every precision, and near misses of every kind.
fn date_text() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u32..=9999).prop_map(|y| format!("{y:04}")),
        (1u32..=9999, 1u32..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (1900u32..=2100, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (1900u32..=2100, 1u32..=12, 1u32..=28, 0u32..24, 0u32..60, 0u32..=60, prop::sample::select(ZONES))
            .prop_map(|(y, mo, d, h, mi, s, z)| format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{z}")),
        "[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,12})?(Z|[+-][0-9]{2}:[0-9]{2})?)?)?)?",
        prop::sample::select(ODD_DATES).prop_map(str::to_owned),
    ]
}

const ZONES: &[&str] = &["Z", "+00:00", "-00:00", "+14:00", "-14:00", "+05:30", ".5Z", ".123456789-03:00", ""];

const ODD_DATES: &[&str] = &[
    "0000",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:60-14:00",
    "9999-12-31",
    "9999-12",
    "9999",
    "2016-12-31T23:59:60Z",
    "2019-02-29",
    "2020-02-29",
    "2019-13",
    "2019-00",
    "2019-05-17T24:00:00Z",
    "2019-05-17T10:20:30.Z",
    "2019-05-17T10:20:30.9999999999999Z",
    "2019-05-17T10:20:30+14:01",
    "2019-05-17 10:20:30Z",
    "2019-05-17T10:20Z",
    "2019-05-17T10:20:30",
    "2019é",
    "٢٠١٩",
    "",
];

/// Codes of the known systems, valid and invalid.
fn code_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(CODES).prop_map(str::to_owned),
        "[0-9]{1,7}-[0-9]",
        "[1-9][0-9]{5,17}",
        "[0-9]{15,40}",
        "L[ALPG][0-9]{1,6}-[0-9]",
        "[A-Z][0-9][0-9A-Z](\\.[0-9A-Z]{0,5})?",
        "[1-9][0-9]{5,9}(:[1-9][0-9]{5,9}=[1-9][0-9]{5,9})?",
        "[ -~]{0,10}",
    ]
}

const CODES: &[&str] = &[
    "2345-7",
    "2345-8",
    "4548-4",
    "12345",
    "LA6576-8",
    "LP",
    "73211009",
    "38341003",
    "138875006",
    "34552-0",
    "71341001:272741003=7771000",
    "012345",
    "1234567890123456789012",
    "E11.9",
    "S72.001A",
    "E11.99999",
    "860975",
    "140",
    "1400",
    "MR",
    "mr",
    " 2345-7",
    "",
];

/// UCUM units, valid and invalid.
fn unit_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(UNITS).prop_map(str::to_owned),
        "[a-zA-Z0-9\\[\\]{}()./*^+\\-_%']{0,24}",
        "(10[*^][+-]?[0-9]{1,4}|[mkuµnpdc]?(g|L|mol|m|s|Cel|\\[IU\\]|\\[in_i\\]|\\{x\\}))([./][0-9]{0,3}(g|L|m|h|min|\\{beats\\}))*",
    ]
}

const UNITS: &[&str] = &[
    "mg/dL",
    "%",
    "mmol/L",
    "kg/m2",
    "10*3/uL",
    "10^9/L",
    "{beats}/min",
    "/min",
    "[in_i]",
    "k[in_i]",
    "mcg",
    "mm[Hg]",
    "Cel",
    "[degF]",
    "1",
    "g.m-2",
    "m2",
    "m+99",
    "m100",
    "((((((((((m))))))))))",
    "mg/dl/xyz",
    "{",
    "}",
    "10*",
    "",
];

/// References in every shape the resolver distinguishes.
fn reference_text(patient_id: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        Just(format!("Patient/{patient_id}")),
        Just(format!("urn:uuid:{patient_id}")),
        "(Patient|Condition|Observation|Practitioner|Organization|Medication|Encounter|Foo)/[a-z0-9.\\-]{0,6}",
        "#[a-z0-9]{0,3}",
        "urn:(uuid|oid):[0-9a-f.\\-]{0,12}",
        "https?://[a-z.]{1,8}/(Patient|Observation|x)/[a-z0-9]{1,4}(/_history/[0-9])?",
        prop::sample::select(&["Patient?identifier=x", "", " ", "Patient/ x", "/", "Patient/", "#"][..])
            .prop_map(str::to_owned),
    ]
}

/// Coding systems: known, other URIs, and not URIs.
fn system_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(
            &[
                codes::LOINC,
                codes::SNOMED_CT,
                codes::ICD10_CM,
                codes::RXNORM,
                codes::CVX,
                codes::UCUM,
                codes::DICOM,
                "urn:oid:2.16.840.1.113883.6.1",
                "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "http://example.org",
                "loinc",
                "http:",
                ":x",
                "1http://x",
                "http://x y",
                "",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-z]{1,5}:[ -~]{0,8}",
    ]
}

/// FHIR-ish strings of every kind.
fn fhir_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => date_text(),
        2 => code_text(),
        1 => unit_text(),
        2 => system_text(),
        2 => reference_text("p1"),
        1 => prop::sample::select(STATUSES).prop_map(str::to_owned),
        1 => "[ -~]{0,12}",
        1 => any::<String>(),
    ]
}

const STATUSES: &[&str] = &[
    "final",
    "amended",
    "preliminary",
    "entered-in-error",
    "active",
    "inactive",
    "resolved",
    "completed",
    "not-done",
    "unknown",
    "confirmed",
    "refuted",
    "high",
    "low",
    "unable-to-assess",
    "male",
    "female",
    "order",
    "bogus",
    "",
];

/// Member names: the keys the validator classifies by, and awkward ones for JSON pointers.
const KEYS: &[&str] = &[
    "resourceType",
    "id",
    "status",
    "code",
    "coding",
    "system",
    "display",
    "text",
    "value",
    "unit",
    "comparator",
    "valueQuantity",
    "valueString",
    "valueInteger",
    "valueBoolean",
    "valueCodeableConcept",
    "valueRange",
    "valueDateTime",
    "valueFoo",
    "dataAbsentReason",
    "component",
    "referenceRange",
    "low",
    "high",
    "numerator",
    "denominator",
    "quantity",
    "doseQuantity",
    "onsetAge",
    "onsetDateTime",
    "onsetPeriod",
    "abatementDateTime",
    "abatementPeriod",
    "abatementString",
    "effectiveDateTime",
    "effectivePeriod",
    "occurrenceDateTime",
    "recordedDate",
    "authoredOn",
    "issued",
    "birthDate",
    "deceasedDateTime",
    "deceasedBoolean",
    "lockedDate",
    "expirationDate",
    "date",
    "meta",
    "lastUpdated",
    "period",
    "billablePeriod",
    "start",
    "end",
    "reference",
    "subject",
    "patient",
    "encounter",
    "identifier",
    "contained",
    "clinicalStatus",
    "verificationStatus",
    "criticality",
    "gender",
    "vaccineCode",
    "medicationCodeableConcept",
    "intent",
    "extension",
    "_given",
    "",
    "a/b",
    "~",
    "~0~1",
    "é",
];

fn fhir_key() -> impl Strategy<Value = String> {
    prop_oneof![8 => prop::sample::select(KEYS).prop_map(str::to_owned), 1 => "[a-zA-Z_~/]{1,10}"]
}

/// Marks a string leaf that the writer emits as raw JSON number text (not expressible in a
/// `serde_json::Value` without `arbitrary_precision`).
const RAW_NUMBER: &str = "\u{1}number:";
/// An object member with this key is written as a second member named like the object's first.
const DUPLICATE: &str = "\u{1}duplicate";

const NUMBER_TEXTS: &[&str] =
    &["1.30", "-0", "0.0", "1e400", "-1e-400", "12345678901234567890123456789", "1E+2", "0e0", "-0.000", "7"];

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => any::<i64>().prop_map(Value::from),
        1 => any::<f64>().prop_map(Value::from),
        1 => prop::sample::select(NUMBER_TEXTS).prop_map(|n| Value::String(format!("{RAW_NUMBER}{n}"))),
        6 => fhir_string().prop_map(Value::String),
    ]
}

fn object(members: Vec<(String, Value)>) -> Value {
    Value::Object(members.into_iter().collect::<Map<String, Value>>())
}

/// Arbitrary JSON trees, with FHIR data types (Coding, CodeableConcept, Quantity, Period,
/// Reference, Identifier) mixed in.
fn fhir_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(5, 48, 6, |inner| {
        let opt = |s: BoxedStrategy<Value>| prop::option::weighted(0.7, s);
        let string = || fhir_string().prop_map(Value::String).boxed();
        let coding = (opt(system_text().prop_map(Value::String).boxed()), opt(code_text().prop_map(Value::String).boxed()))
            .prop_map(|(system, code)| {
                let mut m = Map::new();
                m.extend(system.map(|s| ("system".to_owned(), s)));
                m.extend(code.map(|c| ("code".to_owned(), c)));
                Value::Object(m)
            });
        prop_oneof![
            2 => prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            3 => prop::collection::vec((fhir_key(), inner.clone()), 0..6).prop_map(object),
            1 => (fhir_key(), inner.clone(), inner.clone()).prop_map(|(k, a, b)| json!({ k: a, DUPLICATE: b })),
            2 => (prop::collection::vec(coding.clone(), 0..3), opt(string()))
                .prop_map(|(coding, text)| json!({ "coding": coding, "text": text })),
            1 => coding,
            2 => (opt(json_leaf().boxed()), opt(string()), opt(system_text().prop_map(Value::String).boxed()), opt(unit_text().prop_map(Value::String).boxed()), opt(string()))
                .prop_map(|(value, comparator, system, code, unit)| {
                    let mut m = Map::new();
                    for (k, v) in [("value", value), ("comparator", comparator), ("system", system), ("code", code), ("unit", unit)] {
                        m.extend(v.map(|v| (k.to_owned(), v)));
                    }
                    Value::Object(m)
                }),
            1 => (opt(date_text().prop_map(Value::String).boxed()), opt(date_text().prop_map(Value::String).boxed()))
                .prop_map(|(start, end)| json!({ "start": start, "end": end })),
            2 => (reference_text("p1"), opt(string())).prop_map(|(r, d)| json!({ "reference": r, "display": d })),
            1 => (opt(system_text().prop_map(Value::String).boxed()), opt(string()))
                .prop_map(|(system, value)| json!({ "system": system, "value": value })),
        ]
    })
}

const RESOURCE_TYPES: &[&str] = &[
    "Condition",
    "Observation",
    "AllergyIntolerance",
    "Immunization",
    "MedicationRequest",
    "Patient",
    "Procedure",
    "Encounter",
    "Composition",
    "Appointment",
    "FamilyMemberHistory",
    "DiagnosticReport",
    "Claim",
    "Goal",
    "Bundle",
    "NotAType",
    "",
];

/// A resource: an object with a `resourceType`, arbitrary members, sometimes an id and
/// contained resources.
fn fhir_resource() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(RESOURCE_TYPES),
        prop::option::of(prop_oneof![Just("c1".to_owned()), "[A-Za-z0-9.\\-]{0,70}", any::<String>()]),
        prop::collection::vec((fhir_key(), fhir_value()), 0..10),
        prop::collection::vec(
            (
                prop::sample::select(RESOURCE_TYPES),
                prop::option::of("c[0-9]"),
                prop::collection::vec((fhir_key(), fhir_value()), 0..3),
            ),
            0..3,
        ),
    )
        .prop_map(|(ty, id, members, contained)| {
            let mut m = Map::new();
            m.insert("resourceType".to_owned(), Value::from(ty));
            m.extend(id.map(|id| ("id".to_owned(), Value::from(id))));
            m.extend(members.into_iter().filter(|(k, _)| k != "resourceType"));
            if !contained.is_empty() {
                let contained = contained
                    .into_iter()
                    .map(|(ty, id, members)| {
                        let mut c: Map<String, Value> = members.into_iter().collect();
                        c.insert("resourceType".to_owned(), Value::from(ty));
                        c.extend(id.map(|id| ("id".to_owned(), Value::from(id))));
                        Value::Object(c)
                    })
                    .collect();
                m.insert("contained".to_owned(), Value::Array(contained));
            }
            Value::Object(m)
        })
}

/// JSON text of a generated tree: raw number leaves as numbers, duplicate markers as a repeat of
/// the object's first member name.
fn write_json(v: &Value, out: &mut String) {
    match v {
        Value::String(s) => match s.strip_prefix(RAW_NUMBER) {
            Some(number) => out.push_str(number),
            None => out.push_str(&serde_json::to_string(s).unwrap()),
        },
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(members) => {
            let first = members.keys().find(|k| *k != DUPLICATE).cloned().unwrap_or_else(|| "id".to_owned());
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let k = if k == DUPLICATE { &first } else { k };
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
        other => out.push_str(&other.to_string()),
    }
}

fn to_text(v: &Value) -> String {
    let mut out = String::new();
    write_json(v, &mut out);
    out
}

// ---------------------------------------------------------------- (b) arbitrary JSON as resources

/// One more than a `u32` holds: a format or version the envelope cannot load.
const TOO_BIG: u64 = 1 << 32;

/// A record envelope around generated resources, with awkward sources and provenance.
fn record_text_with(resources: Vec<Value>, patient: Option<Value>) -> impl Strategy<Value = String> {
    let n = resources.len();
    (
        prop_oneof![12 => Just(1u64), 1 => Just(0), 1 => Just(2), 1 => Just(TOO_BIG)],
        prop::collection::vec(prop::sample::select(&["a", "a", "b", "", " "][..]), 0..4),
        prop::collection::vec(
            (
                prop::sample::select(&["a", "b", "zz", ""][..]),
                prop::sample::select(&["e1", "e2", "urn:uuid:p1", " ", ""][..]),
                prop_oneof![12 => Just(1u64), 1 => Just(2), 1 => Just(0), 1 => Just(u64::from(u32::MAX)), 1 => Just(TOO_BIG)],
                prop::option::of(prop::sample::select(&["2020-01-01", "2030-05-05T10:00:00Z", "1900", "9999-12-31"][..])),
            ),
            n,
        ),
    )
        .prop_map(move |(format, sources, provenance)| {
            let sources: Vec<Value> = sources.iter().map(|id| json!({ "id": id, "kind": "organization" })).collect();
            let entries: Vec<Value> = resources
                .iter()
                .zip(provenance)
                .map(|(resource, (source, id, version, recorded))| {
                    json!({
                        "provenance": { "source": source, "id": id, "version": version, "recorded": recorded },
                        "resource": resource,
                    })
                })
                .collect();
            let mut record = json!({ "format": format, "sources": sources, "entries": entries });
            if let Some(patient) = &patient {
                record["patient"] = patient.clone();
            }
            to_text(&record)
        })
}

fn arbitrary_record_text() -> impl Strategy<Value = String> {
    (prop::collection::vec(fhir_resource(), 0..4), prop::option::of(fhir_resource()))
        .prop_flat_map(|(resources, patient)| record_text_with(resources, patient))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Generated trees parse with emr's parser, and as resources never panic the model.
    #[test]
    fn arbitrary_resources_never_panic(resource in fhir_resource()) {
        let text = to_text(&resource);
        let tree = json::parse(&text).unwrap();
        let _ = tree.duplicate_keys();
        let parsed = Resource::parse(&text).unwrap();
        prop_assert_eq!(json::parse(parsed.as_str()).unwrap(), tree);
        let entry = Entry::from_text(Provenance::new("a", "1"), &text).unwrap();
        let _ = (entry.kind(), entry.is_retracted());
        let _ = Patient::parse(&text).unwrap().demographics();
    }

    /// Arbitrary JSON embedded as the resources (and patient) of a record never panics validate.
    #[test]
    fn arbitrary_json_resources_never_panic_validate(text in arbitrary_record_text(), now in any_now()) {
        let record = check_record_text(&text, now);
        // Versions beyond u32 make the envelope invalid; every other generated record must load.
        prop_assert!(record.is_some() || text.contains(&TOO_BIG.to_string()),
            "generated record does not deserialize: {}", text);
    }
}

// ---------------------------------------------------------------- (c) structurally valid records

const PATIENT_ID: &str = "p1";

/// A generated record and what the generator meant by it.
#[derive(Debug, Clone)]
struct Generated {
    record: Record,
    /// Per entry: whether it was marked entered-in-error.
    retracted: Vec<bool>,
}

fn opt_date() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(0.8, prop_oneof![8 => valid_date(), 1 => date_text()])
}

/// Valid dates only, at every precision, mostly within a human life.
fn valid_date() -> impl Strategy<Value = String> {
    prop_oneof![
        (1900u32..=2040).prop_map(|y| format!("{y:04}")),
        (1900u32..=2040, 1u32..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (1900u32..=2040, 1u32..=12, 1u32..=28).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}")),
        (1900u32..=2040, 1u32..=12, 1u32..=28, 0u32..24, prop::sample::select(&["Z", "+02:00", "-11:30"][..]))
            .prop_map(|(y, m, d, h, z)| format!("{y:04}-{m:02}-{d:02}T{h:02}:15:00{z}")),
    ]
}

fn coding_json(system: &str, code: String) -> Value {
    json!({ "coding": [{ "system": system, "code": code, "display": "x" }] })
}

/// A concept in `system` with a valid or invalid code (or an unknown system, or none).
fn concept(system: &'static str, valid: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(valid).prop_map(move |c| coding_json(system, c.to_owned())),
        2 => code_text().prop_map(move |c| coding_json(system, c)),
        1 => (system_text(), code_text()).prop_map(|(s, c)| json!({ "coding": [{ "system": s, "code": c }] })),
        1 => Just(json!({ "text": "free text" })),
    ]
}

fn status_concept(system: &'static str, allowed: &'static [&'static str]) -> impl Strategy<Value = Option<Value>> {
    prop::option::weighted(
        0.8,
        prop_oneof![
            6 => prop::sample::select(allowed).prop_map(move |c| coding_json(system, c.to_owned())),
            1 => Just(coding_json(system, "bogus".to_owned())),
        ],
    )
}

fn subject() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => Just(json!({ "reference": format!("Patient/{PATIENT_ID}") })),
        1 => reference_text(PATIENT_ID).prop_map(|r| json!({ "reference": r })),
        1 => Just(json!({ "display": "no reference" })),
    ]
}

fn quantity() -> impl Strategy<Value = Value> {
    (
        prop_oneof![any::<i32>().prop_map(Value::from), (-1e6f64..1e6).prop_map(Value::from), Just(json!("7"))],
        prop::option::weighted(0.2, prop::sample::select(&["<", ">=", "ad", "~"][..])),
        prop::option::weighted(0.9, prop::sample::select(&[codes::UCUM, "http://example.org/units"][..])),
        prop_oneof![4 => prop::sample::select(&["mg/dL", "mmol/L", "%", "kg", "/min"][..]).prop_map(str::to_owned), 1 => unit_text()],
    )
        .prop_map(|(value, comparator, system, code)| {
            json!({ "value": value, "comparator": comparator, "unit": code.clone(), "system": system, "code": code })
        })
}

/// Drops `null` members: the generator writes `None` as `null`, FHIR as absence.
fn prune(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k, prune(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(prune).collect()),
        other => other,
    }
}

/// One clinical resource of kind Condition, Observation, AllergyIntolerance, Immunization or
/// MedicationRequest, with the given id; the bool says whether it is marked entered-in-error.
fn clinical_resource(id: String) -> impl Strategy<Value = (Value, bool)> {
    let id2 = id.clone();
    let id3 = id.clone();
    let id4 = id.clone();
    let id5 = id.clone();
    let condition = (
        concept(codes::SNOMED_CT, &["73211009", "38341003", "44054006"]),
        status_concept(
            "http://terminology.hl7.org/CodeSystem/condition-clinical",
            &["active", "resolved", "inactive", "remission"],
        ),
        status_concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            &["confirmed", "provisional", "entered-in-error", "refuted"],
        ),
        opt_date(),
        opt_date(),
        opt_date(),
        subject(),
    )
        .prop_map(move |(code, clinical, verification, onset, abatement, recorded, subject)| {
            let retracted = verification.as_ref().is_some_and(|v| v["coding"][0]["code"] == "entered-in-error");
            let r = json!({
                "resourceType": "Condition", "id": id, "clinicalStatus": clinical, "verificationStatus": verification,
                "code": code, "subject": subject, "onsetDateTime": onset, "abatementDateTime": abatement,
                "recordedDate": recorded,
            });
            (r, retracted)
        });
    let observation = (
        prop::sample::select(&["final", "amended", "preliminary", "entered-in-error", "bogus"][..]),
        concept(codes::LOINC, &["2345-7", "4548-4", "8867-4", "LA6576-8"]),
        prop_oneof![
            3 => quantity().prop_map(|q| json!({ "valueQuantity": q })),
            1 => Just(json!({ "valueString": "positive" })),
            1 => concept(codes::SNOMED_CT, &["260373001"]).prop_map(|c| json!({ "valueCodeableConcept": c })),
            1 => Just(json!({ "valueInteger": 1.5 })),
            1 => Just(json!({})),
            1 => Just(json!({ "dataAbsentReason": { "text": "x" } })),
            1 => quantity().prop_map(|q| json!({ "valueQuantity": q, "valueString": "both" })),
        ],
        prop::option::weighted(0.4, (quantity(), quantity())),
        opt_date(),
        opt_date(),
        subject(),
    )
        .prop_map(move |(status, code, value, range, effective, issued, subject)| {
            let mut r = json!({
                "resourceType": "Observation", "id": id2, "status": status, "code": code, "subject": subject,
                "effectiveDateTime": effective, "issued": issued,
            });
            if let (Value::Object(r), Value::Object(v)) = (&mut r, value) {
                r.extend(v);
            }
            if let Some((low, high)) = range {
                r["referenceRange"] = json!([{ "low": low, "high": high }]);
            }
            (r, status == "entered-in-error")
        });
    let allergy = (
        concept(codes::SNOMED_CT, &["91936005", "227493005", "34552-0"]),
        status_concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
            &["active", "inactive", "resolved"],
        ),
        status_concept(
            "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
            &["confirmed", "unconfirmed", "entered-in-error"],
        ),
        prop::option::of(prop::sample::select(&["low", "high", "unable-to-assess", "severe"][..])),
        opt_date(),
        subject(),
    )
        .prop_map(move |(code, clinical, verification, criticality, onset, patient)| {
            let retracted = verification.as_ref().is_some_and(|v| v["coding"][0]["code"] == "entered-in-error");
            let r = json!({
                "resourceType": "AllergyIntolerance", "id": id3, "clinicalStatus": clinical,
                "verificationStatus": verification, "criticality": criticality, "code": code, "patient": patient,
                "onsetDateTime": onset,
            });
            (r, retracted)
        });
    let immunization = (
        prop::sample::select(&["completed", "not-done", "entered-in-error", "done"][..]),
        concept(codes::CVX, &["140", "208", "03"]),
        opt_date(),
        subject(),
        prop::option::weighted(0.3, quantity()),
    )
        .prop_map(move |(status, code, occurrence, patient, dose)| {
            let r = json!({
                "resourceType": "Immunization", "id": id4, "status": status, "vaccineCode": code,
                "patient": patient, "occurrenceDateTime": occurrence, "doseQuantity": dose,
            });
            (r, status == "entered-in-error")
        });
    let medication = (
        prop::sample::select(&["active", "completed", "stopped", "entered-in-error", "taken"][..]),
        prop::option::of(prop::sample::select(&["order", "plan"][..])),
        concept(codes::RXNORM, &["860975", "197361", "314076"]),
        opt_date(),
        subject(),
        prop::option::weighted(0.5, (quantity(), opt_date(), opt_date())),
        prop::bool::weighted(0.2),
    )
        .prop_map(move |(status, intent, code, authored, subject, dosage, contained)| {
            let mut r = json!({
                "resourceType": "MedicationRequest", "id": id5, "status": status, "intent": intent,
                "medicationCodeableConcept": code, "subject": subject, "authoredOn": authored,
            });
            if let Some((dose, start, end)) = dosage {
                r["dosageInstruction"] = json!([{
                    "timing": { "repeat": { "boundsPeriod": { "start": start, "end": end } } },
                    "doseAndRate": [{ "doseQuantity": dose }],
                }]);
            }
            if contained {
                r["contained"] = json!([{ "resourceType": "Medication", "id": "med1" }]);
                r["medicationReference"] = json!({ "reference": "#med1" });
            }
            (r, status == "entered-in-error")
        });
    prop_oneof![condition.boxed(), observation.boxed(), allergy.boxed(), immunization.boxed(), medication.boxed()]
        .prop_map(|(r, retracted)| (prune(r), retracted))
}

fn patient_resource() -> impl Strategy<Value = Value> {
    (
        opt_date(),
        prop_oneof![
            4 => Just(Value::Null),
            1 => any::<bool>().prop_map(|b| json!({ "deceasedBoolean": b })),
            2 => valid_date().prop_map(|d| json!({ "deceasedDateTime": d })),
            1 => date_text().prop_map(|d| json!({ "deceasedDateTime": d })),
        ],
        prop::option::of(prop::sample::select(&["male", "female", "other", "unknown", "f"][..])),
        prop::option::weighted(0.3, (prop::option::of(system_text()), prop::option::of("[0-9]{3,8}"))),
    )
        .prop_map(|(birth, deceased, gender, identifier)| {
            let mut p = json!({
                "resourceType": "Patient", "id": PATIENT_ID, "birthDate": birth, "gender": gender,
                "name": [{ "family": "Rivera", "given": ["Ana"] }],
            });
            if let (Value::Object(p), Value::Object(d)) = (&mut p, deceased) {
                p.extend(d);
            }
            if let Some((system, value)) = identifier {
                p["identifier"] = json!([{ "system": system, "value": value }]);
            }
            prune(p)
        })
}

/// Structurally valid records: a patient, 1–5 sources, up to 8 clinical entries.
fn generated_record() -> impl Strategy<Value = Generated> {
    let source_ids = prop::collection::vec(prop_oneof![8 => "src-[a-e]", 1 => Just(String::new())], 1..=5);
    let entries = prop::collection::vec(
        (
            "e[0-4]",
            prop::sample::select(&[1u32, 1, 1, 2, 3, 0][..]),
            prop::option::weighted(0.3, valid_date()),
            0usize..6,
        )
            .prop_flat_map(|(id, version, recorded, source)| {
                clinical_resource(id.clone())
                    .prop_map(move |(r, retracted)| (id.clone(), version, recorded.clone(), source, r, retracted))
            }),
        0..8,
    );
    (patient_resource(), source_ids, entries).prop_map(|(patient, source_ids, entries)| {
        let mut record = Record::new(Patient::parse(&patient.to_string()).unwrap());
        record.sources = source_ids.iter().map(|id| Source::new(id.clone(), "Source")).collect();
        let mut retracted = Vec::new();
        for (id, version, recorded, source, resource, is_retracted) in entries {
            // Index 5 names a source the record does not list.
            let source = source_ids.get(source).cloned().unwrap_or_else(|| "unlisted".to_owned());
            let mut provenance = Provenance::new(source, id).with_version(version);
            if let Some(recorded) = recorded {
                provenance = provenance.with_recorded(recorded.parse().unwrap());
            }
            record.entries.push(Entry::from_text(provenance, &resource.to_string()).unwrap());
            retracted.push(is_retracted);
        }
        Generated { record, retracted }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Generated records validate without panicking, with well-formed findings, the same after a
    /// serde round trip.
    #[test]
    fn generated_records_have_well_formed_findings(g in generated_record(), now in any_now()) {
        let findings = check_findings(&g.record, now);
        let text = serde_json::to_string(&g.record).unwrap();
        let back: Record = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&back, &g.record);
        prop_assert_eq!(validate(&back, now), findings);
        for (entry, retracted) in g.record.entries.iter().zip(&g.retracted) {
            prop_assert_eq!(entry.is_retracted(), *retracted, "retraction of {}", entry.resource().as_str());
        }
    }

    /// The same records without a patient, and with every entry's resource swapped in as the
    /// patient, never panic validate either.
    #[test]
    fn generated_records_with_odd_patients(g in generated_record(), pick in any::<prop::sample::Index>()) {
        let mut record = g.record.clone();
        record.patient = None;
        check_findings(&record, fixed_now());
        if !g.record.entries.is_empty() {
            let entry = &g.record.entries[pick.index(g.record.entries.len())];
            let mut record = g.record.clone();
            record.patient = Some(Patient::new(entry.resource().clone()));
            check_findings(&record, fixed_now());
        }
    }
}
