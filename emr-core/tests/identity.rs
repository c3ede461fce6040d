//! Patient identity matching: one test per kind of corruption, and precision and recall on the
//! Febrl linkage data sets (`../shared/data/linkage`, skipped with a message when absent).
//!
//! - `cargo test -p emr-core --test identity` asserts the targets (precision ≥ 0.995 and recall
//!   ≥ 0.95 on dataset1 and dataset2, without `soc_sec_id`).
//! - `cargo test --release -p emr-core --test identity -- --ignored --nocapture report` prints the
//!   full table of `docs/identity-matching.md` (every data set, with and without `soc_sec_id`).
//! - `cargo test --release -p emr-core --test identity -- --ignored --nocapture derive_weights`
//!   re-derives the weight table from dataset1 and checks it against the one in the code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::print_stdout)]

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use emr_core::merge::identity::{
    compare, compare_with, Agreement, DifferentPeopleBy, IdentifierUse, IdentityDecision, IdentityField, IdentityFlag,
    MatchLevel, SamePersonBy, UncertainBecause, MATCH_THRESHOLD, NON_MATCH_THRESHOLD,
};
use emr_core::model::{Address, Demographics, HumanName, Identifier, Patient};

// ---------------------------------------------------------------- corruption kinds, one by one

fn patient(json: &str) -> Demographics {
    Patient::parse(json).unwrap().demographics().clone()
}

/// A fully recorded patient; `edit` changes one thing.
fn base(edit: impl FnOnce(&mut serde_json::Value)) -> Demographics {
    let mut v = serde_json::json!({
        "resourceType": "Patient",
        "name": [{"family": "Harrington", "given": ["Katherine"]}],
        "birthDate": "1965-08-29",
        "gender": "female",
        "telecom": [{"system": "phone", "value": "+61 2 9876 5432"}],
        "address": [{"line": ["38 Maltby Circuit", "Coaling"], "city": "Coolaroo", "state": "NSW", "postalCode": "3465"}]
    });
    edit(&mut v);
    patient(&v.to_string())
}

fn level(result: &emr_core::merge::identity::IdentityScore, field: IdentityField) -> MatchLevel {
    result.evidence.iter().find(|e| e.field == field).unwrap().level
}

fn same_by_score(a: &Demographics, b: &Demographics) -> emr_core::merge::identity::IdentityScore {
    let r = compare(a, b);
    assert_eq!(r.decision, IdentityDecision::SamePerson { by: SamePersonBy::Score }, "{}", r.summary());
    r
}

#[test]
fn identical_records_are_the_same_person() {
    let a = base(|_| {});
    let r = same_by_score(&a, &a);
    assert!(r.evidence.iter().all(|e| matches!(e.outcome, Agreement::Agree | Agreement::Missing)));
    assert_eq!(r.evidence.len(), IdentityField::ALL.len());
}

#[test]
fn typo_in_family_name() {
    let r = same_by_score(&base(|_| {}), &base(|v| v["name"][0]["family"] = "Harringtno".into()));
    assert_eq!(level(&r, IdentityField::FamilyName), MatchLevel::Typo);
}

#[test]
fn transposed_day_and_month() {
    let r = same_by_score(&base(|_| {}), &base(|v| v["birthDate"] = "1965-08-02".into()));
    assert_eq!(level(&r, IdentityField::BirthDate), MatchLevel::Different);
    let a = base(|v| v["birthDate"] = "1965-08-02".into());
    let r = same_by_score(&a, &base(|v| v["birthDate"] = "1965-02-08".into()));
    assert_eq!(level(&r, IdentityField::BirthDate), MatchLevel::DayMonthSwapped);
}

#[test]
fn one_digit_wrong_in_birth_date_and_missing_birth_date() {
    let r = same_by_score(&base(|_| {}), &base(|v| v["birthDate"] = "1965-08-26".into()));
    assert_eq!(level(&r, IdentityField::BirthDate), MatchLevel::OneDigit);
    let r = same_by_score(
        &base(|_| {}),
        &base(|v| {
            v.as_object_mut().unwrap().remove("birthDate");
        }),
    );
    let e = r.evidence.iter().find(|e| e.field == IdentityField::BirthDate).unwrap();
    assert_eq!((e.outcome, e.weight), (Agreement::Missing, 0.0));
}

#[test]
fn nickname_and_initial() {
    let r = same_by_score(&base(|_| {}), &base(|v| v["name"][0]["given"][0] = "Kate".into()));
    assert_eq!(level(&r, IdentityField::GivenName), MatchLevel::Nickname);
    let r = same_by_score(&base(|_| {}), &base(|v| v["name"][0]["given"][0] = "K.".into()));
    assert_eq!(level(&r, IdentityField::GivenName), MatchLevel::Initial);
}

#[test]
fn phonetic_variant() {
    let r = same_by_score(
        &base(|v| v["name"][0]["family"] = "Meyer".into()),
        &base(|v| v["name"][0]["family"] = "Maier".into()),
    );
    assert_eq!(level(&r, IdentityField::FamilyName), MatchLevel::Phonetic);
}

#[test]
fn swapped_given_and_family_names() {
    let r = same_by_score(
        &base(|_| {}),
        &base(|v| v["name"][0] = serde_json::json!({"family": "Katherine", "given": ["Harrington"]})),
    );
    assert_eq!(level(&r, IdentityField::GivenName), MatchLevel::Swapped);
    assert_eq!(level(&r, IdentityField::FamilyName), MatchLevel::Swapped);
}

#[test]
fn address_typos_and_phone_formatting() {
    let r = same_by_score(
        &base(|_| {}),
        &base(|v| {
            v["address"][0]["line"] = serde_json::json!(["83 Maltby Cct", "Coaling"]);
            v["address"][0]["postalCode"] = "3456".into();
            v["telecom"][0]["value"] = "(02) 9876-5432".into();
        }),
    );
    assert_eq!(level(&r, IdentityField::StreetNumber), MatchLevel::OneDigit);
    assert_eq!(level(&r, IdentityField::Street), MatchLevel::Exact);
    assert_eq!(level(&r, IdentityField::Postcode), MatchLevel::OneDigit);
    assert_eq!(level(&r, IdentityField::Phone), MatchLevel::Exact);
}

#[test]
fn different_people_at_one_address_are_not_merged() {
    // A sibling: same family name, address and phone; other given name, sex and birth date.
    let r = compare(
        &base(|_| {}),
        &base(|v| {
            v["name"][0]["given"][0] = "Thomas".into();
            v["birthDate"] = "1968-01-14".into();
            v["gender"] = "male".into();
        }),
    );
    assert!(!r.decision.is_same_person(), "{}", r.summary());
}

#[test]
fn twins_and_generations_are_flagged_for_review() {
    let twin = compare(&base(|_| {}), &base(|v| v["name"][0]["given"][0] = "Margot".into()));
    assert_eq!(twin.flags, vec![IdentityFlag::PossibleTwin], "{}", twin.summary());
    assert!(twin.summary().ends_with("; review: possible-twin"));
    let junior = compare(&base(|_| {}), &base(|v| v["birthDate"] = "1991-03-17".into()));
    assert_eq!(junior.flags, vec![IdentityFlag::DifferentGeneration], "{}", junior.summary());
    assert!(compare(&base(|_| {}), &base(|_| {})).flags.is_empty());
}

#[test]
fn conflicting_ssn_means_different_people() {
    let ssn = |value: &str, given: &str, born: &str| {
        base(|v| {
            v["identifier"] = serde_json::json!([{"system": "http://hl7.org/fhir/sid/us-ssn", "value": value}]);
            v["name"][0]["given"][0] = given.into();
            v["birthDate"] = born.into();
        })
    };
    // Two sisters at one address, each with her own SSN.
    let r = compare(&ssn("999-36-6866", "Katherine", "1965-08-29"), &ssn("999-41-2207", "Mary", "1971-04-12"));
    assert_eq!(r.decision, IdentityDecision::DifferentPeople { by: DifferentPeopleBy::ConflictingIdentifier });
    assert_eq!(level(&r, IdentityField::Identifier), MatchLevel::Different);
    // Everything else agrees: perhaps a mistyped SSN; a human decides.
    let r = compare(&ssn("999-36-6866", "Katherine", "1965-08-29"), &ssn("999-36-6886", "Katherine", "1965-08-29"));
    assert_eq!(r.decision, IdentityDecision::Uncertain { because: UncertainBecause::IdentifierConflictsWithScore });
}

#[test]
fn shared_mrn_means_same_person() {
    let mrn =
        |value: &str| Identifier { system: Some("http://hospital.example.org/mrn".into()), value: Some(value.into()) };
    let a = Demographics { identifiers: vec![mrn("A-1001")], ..base(|_| {}) };
    // Another name and birth date entirely (a later legal name change, say): the MRN decides.
    let mut b = base(|v| {
        v["name"][0]["family"] = "Chen".into();
        v["birthDate"] = "1966-09-29".into();
    });
    b.identifiers = vec![mrn(" A-1001 ")];
    let r = compare(&a, &b);
    assert_eq!(r.decision, IdentityDecision::SamePerson { by: SamePersonBy::Identifier });
    // The same value in another system is not shared.
    let other = Identifier { system: Some("http://other.example.org/mrn".into()), value: Some("A-1001".into()) };
    b.identifiers = vec![other];
    assert!(!compare(&a, &b).decision.is_same_person());
    // A shared MRN and a conflicting SSN contradict each other.
    let ssn =
        |value: &str| Identifier { system: Some("http://hl7.org/fhir/sid/us-ssn".into()), value: Some(value.into()) };
    b.identifiers = vec![mrn("A-1001"), ssn("999-00-0001")];
    let a2 = Demographics { identifiers: vec![mrn("A-1001"), ssn("999-00-0002")], ..a.clone() };
    assert_eq!(
        compare(&a2, &b).decision,
        IdentityDecision::Uncertain { because: UncertainBecause::IdentifiersDisagree }
    );
}

#[test]
fn evidence_never_contains_patient_values() {
    let a = base(|_| {});
    let b = base(|v| v["name"][0]["family"] = "Harringtno".into());
    let r = compare(&a, &b);
    let text = serde_json::to_string(&r).unwrap() + &r.summary();
    for value in ["arrington", "atherine", "1965", "3465", "altby", "oolaroo", "9876", "5432"] {
        assert!(!text.to_lowercase().contains(value), "{value} leaked into {text}");
    }
}

#[test]
fn empty_and_odd_input_does_not_panic() {
    let empty = Demographics::default();
    let r = compare(&empty, &empty);
    assert_eq!(r.score, 0.0);
    assert!(r.evidence.iter().all(|e| e.outcome == Agreement::Missing));
    let odd = Demographics {
        names: vec![HumanName { given: vec!["".into(), "—".into(), "x".repeat(10_000)], ..HumanName::default() }; 50],
        addresses: vec![Address { line: vec!["".into(), "9".repeat(5000)], ..Address::default() }; 50],
        identifiers: vec![Identifier { system: Some(" ".into()), value: Some(" ".into()) }],
        ..Demographics::default()
    };
    let _ = compare(&odd, &empty);
    let _ = compare_with(&odd, &odd, IdentifierUse::Score);
}

#[test]
fn compare_is_symmetric_on_single_valued_records() {
    let a = base(|_| {});
    let b = base(|v| {
        v["name"][0] = serde_json::json!({"family": "Katherine", "given": ["Harington"]});
        v["birthDate"] = "1965-09-28".into();
    });
    assert_eq!(compare(&a, &b), compare(&b, &a));
}

#[test]
fn result_round_trips_through_json_and_has_a_schema() {
    let r = compare(&base(|_| {}), &base(|v| v["name"][0]["given"][0] = "Kate".into()));
    let text = serde_json::to_string(&r).unwrap();
    let back: emr_core::merge::identity::IdentityScore = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
    assert!(text.contains(r#"{"field":"given-name","outcome":"partial","level":"nickname","weight":"#), "{text}");
    let schema = serde_json::to_value(schemars::schema_for!(emr_core::merge::identity::IdentityScore)).unwrap();
    for key in ["score", "decision", "evidence", "flags"] {
        assert!(schema["properties"].get(key).is_some(), "{key}");
    }
}

#[test]
fn weights_table_in_the_docs_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/identity-matching.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("<!-- BEGIN WEIGHTS: generated by weights_markdown() -->\n", "<!-- END WEIGHTS -->");
    let start = doc.find(begin).expect("begin marker") + begin.len();
    let stop = doc.find(end).expect("end marker");
    let table = emr_core::merge::identity::weights_markdown();
    if std::env::var_os("EMR_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, format!("{}{table}{}", &doc[..start], &doc[stop..])).unwrap();
        return;
    }
    assert!(
        doc[start..stop] == table,
        "docs/identity-matching.md: the weights table is out of date: rerun with EMR_UPDATE_GENERATED=1 cargo test -p emr-core --test identity"
    );
}

// ---------------------------------------------------------------- Febrl evaluation

/// System URI under which Febrl's `soc_sec_id` is mapped when used as an identifier.
const SSN_SYSTEM: &str = "urn:febrl:soc_sec_id";

fn linkage_dir() -> Option<PathBuf> {
    common::shared_data("linkage")
}

/// One Febrl row: its entity (the N of `rec-N-…`), its raw fields, and the mapped demographics.
struct Row {
    entity: u32,
    fields: Vec<String>,
}

const GIVEN: usize = 1;
const SURNAME: usize = 2;
const NUMBER: usize = 3;
const ADDRESS_1: usize = 4;
const ADDRESS_2: usize = 5;
const SUBURB: usize = 6;
const POSTCODE: usize = 7;
const STATE: usize = 8;
const DOB: usize = 9;
const SSN: usize = 10;

fn load(name: &str) -> Option<Vec<Row>> {
    let text = std::fs::read_to_string(linkage_dir()?.join(name)).unwrap();
    let mut rows = Vec::new();
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let fields: Vec<String> = line.split(',').map(|f| f.trim().to_owned()).collect();
        assert_eq!(fields.len(), 11, "{name}: a row without 11 columns");
        let entity = fields[0].split('-').nth(1).unwrap().parse().unwrap();
        rows.push(Row { entity, fields });
    }
    Some(rows)
}

fn opt(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// A Febrl row as FHIR-like demographics: one name, one address (`number address_1` and
/// `address_2` as lines, suburb as city), the birth date when it is a valid date (a FHIR
/// `birthDate` cannot hold `19371233`), and `soc_sec_id` as an identifier only if asked.
fn demographics(row: &Row, with_ssn: bool) -> Demographics {
    let f = |i: usize| row.fields[i].as_str();
    let line1 = format!("{} {}", f(NUMBER), f(ADDRESS_1)).trim().to_owned();
    let dob = f(DOB);
    let birth_date =
        (dob.len() == 8).then(|| format!("{}-{}-{}", &dob[..4], &dob[4..6], &dob[6..])).and_then(|d| d.parse().ok());
    Demographics {
        names: vec![HumanName {
            family: opt(f(SURNAME)),
            given: opt(f(GIVEN)).into_iter().collect(),
            ..HumanName::default()
        }],
        birth_date,
        addresses: vec![Address {
            line: [line1, f(ADDRESS_2).to_owned()].into_iter().filter(|l| !l.is_empty()).collect(),
            city: opt(f(SUBURB)),
            state: opt(f(STATE)),
            postal_code: opt(f(POSTCODE)),
            country: None,
        }],
        identifiers: if with_ssn && !f(SSN).is_empty() {
            vec![Identifier { system: Some(SSN_SYSTEM.into()), value: Some(f(SSN).into()) }]
        } else {
            Vec::new()
        },
        ..Demographics::default()
    }
}

fn squash(s: &str) -> String {
    s.chars().filter(char::is_ascii_alphanumeric).collect()
}

fn prefix(s: &str, n: usize) -> String {
    squash(s).chars().take(n).collect()
}

/// Candidate pairs: records that share at least one blocking key. Keys are deliberately simple and
/// overlapping, so that a duplicate is lost only if every key is corrupted.
fn candidate_pairs(rows: &[Row]) -> Vec<(usize, usize)> {
    let mut blocks: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let f = |k: usize| row.fields[k].as_str();
        let year = if f(DOB).len() == 8 { &f(DOB)[..4] } else { "" };
        let keys = [
            ("pc", vec![f(POSTCODE).to_owned()]),
            ("dob", vec![f(DOB).to_owned()]),
            ("sn-yr", vec![prefix(f(SURNAME), 3), year.to_owned()]),
            ("gn-yr", vec![prefix(f(GIVEN), 3), year.to_owned()]),
            ("gn-sn", vec![prefix(f(GIVEN), 2), prefix(f(SURNAME), 2)]),
            ("no-st", vec![f(NUMBER).to_owned(), prefix(f(ADDRESS_1), 3)]),
            ("sn-sub", vec![prefix(f(SURNAME), 2), prefix(f(SUBURB), 3)]),
        ];
        for (name, parts) in keys {
            if parts.iter().all(|p| !p.is_empty()) {
                blocks.entry(format!("{name}:{}", parts.join("|"))).or_default().push(i);
            }
        }
    }
    let mut pairs = Vec::new();
    for members in blocks.values() {
        for (k, &i) in members.iter().enumerate() {
            for &j in &members[k + 1..] {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

fn true_pair_count(rows: &[Row]) -> usize {
    let mut sizes: BTreeMap<u32, usize> = BTreeMap::new();
    for r in rows {
        *sizes.entry(r.entity).or_default() += 1;
    }
    sizes.values().map(|n| n * (n - 1) / 2).sum()
}

/// Counts at the library's thresholds over the candidate pairs.
#[derive(Debug, Default, Clone)]
struct Evaluation {
    records: usize,
    true_pairs: usize,
    candidates: usize,
    true_candidates: usize,
    /// Decided "same person": true and false.
    tp: usize,
    fp: usize,
    /// Left to a human: true and false pairs.
    uncertain_true: usize,
    uncertain_false: usize,
    /// "Same person" decisions with a review flag: true and false pairs.
    flagged_true: usize,
    flagged_false: usize,
    /// (score, is a true pair) for every candidate, to sweep thresholds.
    scores: Vec<(f64, bool)>,
    millis: u128,
}

impl Evaluation {
    fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }
    fn recall(&self) -> f64 {
        ratio(self.tp, self.true_pairs)
    }
    fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
    fn pairs_completeness(&self) -> f64 {
        ratio(self.true_candidates, self.true_pairs)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

fn evaluate(rows: &[Row], use_ssn: Option<IdentifierUse>) -> Evaluation {
    let start = Instant::now();
    let demo: Vec<Demographics> = rows.iter().map(|r| demographics(r, use_ssn.is_some())).collect();
    let pairs = candidate_pairs(rows);
    let mut e = Evaluation { records: rows.len(), true_pairs: true_pair_count(rows), ..Evaluation::default() };
    e.candidates = pairs.len();
    for (i, j) in pairs {
        let truth = rows[i].entity == rows[j].entity;
        let r = compare_with(&demo[i], &demo[j], use_ssn.unwrap_or_default());
        e.true_candidates += usize::from(truth);
        e.scores.push((r.score, truth));
        if r.decision.is_same_person() && !r.flags.is_empty() {
            if truth {
                e.flagged_true += 1;
            } else {
                e.flagged_false += 1;
            }
        }
        match (r.decision, truth) {
            (IdentityDecision::SamePerson { .. }, true) => e.tp += 1,
            (IdentityDecision::SamePerson { .. }, false) => e.fp += 1,
            (IdentityDecision::Uncertain { .. }, true) => e.uncertain_true += 1,
            (IdentityDecision::Uncertain { .. }, false) => e.uncertain_false += 1,
            (IdentityDecision::DifferentPeople { .. }, _) => {}
        }
    }
    e.millis = start.elapsed().as_millis();
    e
}

fn row_text(name: &str, variant: &str, e: &Evaluation) -> String {
    format!(
        "| {name} | {variant} | {} | {} | {} | {:.4} | {:.4} | {:.4} | {:.4} | {} | {} | {} + {} | {} + {} | {} ms |",
        e.records,
        e.true_pairs,
        e.candidates,
        e.pairs_completeness(),
        e.precision(),
        e.recall(),
        e.f1(),
        e.tp,
        e.fp,
        e.uncertain_true,
        e.uncertain_false,
        e.flagged_true,
        e.flagged_false,
        e.millis
    )
}

#[test]
fn febrl_precision_and_recall_meet_the_targets() {
    for name in ["dataset1.csv", "dataset2.csv"] {
        let Some(rows) = load(name) else { return };
        let e = evaluate(&rows, None);
        eprintln!("{}", row_text(name, "without soc_sec_id", &e));
        assert!(e.pairs_completeness() >= 0.97, "{name}: blocking keeps {:.4} of true pairs", e.pairs_completeness());
        assert!(e.precision() >= 0.995, "{name}: precision {:.4}", e.precision());
        assert!(e.recall() >= 0.95, "{name}: recall {:.4}", e.recall());
    }
}

/// The table of `docs/identity-matching.md`, plus a threshold sweep.
#[test]
#[ignore = "prints the report; run with --release --ignored --nocapture"]
fn report() {
    println!(
        "| data set | soc_sec_id | records | true pairs | candidate pairs | pairs completeness | precision | recall | F1 | TP | FP | uncertain (true + false) | flagged same (true + false) | time |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let mut sweeps = Vec::new();
    for name in ["dataset1.csv", "dataset2.csv", "dataset3.csv"] {
        let Some(rows) = load(name) else { return };
        for (variant, use_ssn) in [
            ("without", None),
            ("as identifier (decides)", Some(IdentifierUse::Decide)),
            ("as scored field", Some(IdentifierUse::Score)),
        ] {
            let e = evaluate(&rows, use_ssn);
            println!("{}", row_text(name, variant, &e));
            if use_ssn.is_none() {
                sweeps.push((name, e));
            }
        }
    }
    println!("\nscores of candidate pairs (without soc_sec_id): highest of a false pair, lowest of a true pair");
    for (name, e) in &sweeps {
        let top_false = e.scores.iter().filter(|s| !s.1).map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
        let low_true = e.scores.iter().filter(|s| s.1).map(|s| s.0).fold(f64::INFINITY, f64::min);
        println!("| {name} | {top_false:.2} | {low_true:.2} |");
    }
    println!("\nthreshold sweep (without soc_sec_id): threshold, then precision / recall per data set");
    for t in [5.0, 8.0, 10.0, 12.0, 14.0, 16.0, 18.0, 20.0, 22.0, 25.0, 30.0] {
        let mut line = format!("| {t:>4} |");
        for (_, e) in &sweeps {
            let tp = e.scores.iter().filter(|(s, truth)| *s >= t && *truth).count();
            let fp = e.scores.iter().filter(|(s, truth)| *s >= t && !*truth).count();
            line += &format!(" {:.4} / {:.4} |", ratio(tp, tp + fp), ratio(tp, e.true_pairs));
        }
        println!("{line}");
    }
    println!("\nthresholds in the code: match {MATCH_THRESHOLD}, non-match {NON_MATCH_THRESHOLD}");
}

/// Levels each field can take (besides missing), in table order.
fn field_levels(field: IdentityField) -> &'static [MatchLevel] {
    use MatchLevel::*;
    match field {
        IdentityField::GivenName => &[Exact, Nickname, Typo, Phonetic, Initial, Swapped, Different],
        IdentityField::FamilyName => &[Exact, Typo, Phonetic, Swapped, Different],
        IdentityField::BirthDate => &[Exact, DayMonthSwapped, OneDigit, Compatible, Different],
        IdentityField::Sex | IdentityField::State => &[Exact, Different],
        IdentityField::StreetNumber | IdentityField::Postcode | IdentityField::Phone | IdentityField::Identifier => {
            &[Exact, OneDigit, Different]
        }
        IdentityField::Street | IdentityField::AddressLine => &[Exact, Typo, Swapped, Different],
        IdentityField::City => &[Exact, Typo, Different],
        _ => &[],
    }
}

/// What is assumed where dataset1 has no evidence.
enum Assumption {
    /// m given, u counted.
    M(f64),
    /// m = this many times the counted u.
    TimesU(f64),
    /// m and u given.
    Both(f64, f64),
}

fn assumption(field: IdentityField, level: MatchLevel) -> Option<Assumption> {
    use Assumption::*;
    use IdentityField as F;
    use MatchLevel as L;
    Some(match (field, level) {
        // Febrl makes no nickname errors; say 2% of a person's records use a nickname.
        (F::GivenName, L::Nickname) => M(0.02),
        // An initial matches the right letter always, a random letter about one time in 15.
        (F::GivenName, L::Initial) => TimesU(15.0),
        // Febrl makes no day/month transpositions; say 1% of records (US vs day-first forms).
        (F::BirthDate, L::DayMonthSwapped) => M(0.01),
        // No partial dates in Febrl: 1% of pairs have one; a random pair agrees on the year ~1 in 80.
        (F::BirthDate, L::Compatible) => Both(0.01, 0.01 / 80.0),
        // No sex in Febrl: recorded sex agrees for 98% of one person's records, half of random pairs.
        (F::Sex, L::Exact) => Both(0.98, 0.5),
        (F::Sex, L::Different) => Both(0.02, 0.5),
        // No phone in Febrl: 80% of one person's records share a number (people move and change
        // numbers), 3% have a digit wrong; random people share one 1 in 10,000 (households).
        (F::Phone, L::Exact) => Both(0.80, 1e-4),
        (F::Phone, L::OneDigit) => Both(0.03, 1e-4),
        (F::Phone, L::Different) => Both(0.17, 1.0 - 2e-4),
        _ => return None,
    })
}

/// Four significant digits.
fn sig4(x: f64) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(3 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// Re-derive the weight table from dataset1: m over its true pairs, u over all its other pairs,
/// with half a count added to each level (an unseen level is rare, not impossible), and the
/// stated assumptions where Febrl has no evidence. Checks the table in `weights.rs`; with
/// `EMR_UPDATE_GENERATED=1` rewrites it.
#[test]
#[ignore = "499,500 comparisons; run with --release --ignored --nocapture"]
fn derive_weights() {
    let Some(rows) = load("dataset1.csv") else { return };
    let demo: Vec<Demographics> = rows.iter().map(|r| demographics(r, true)).collect();
    let mut counts: BTreeMap<(IdentityField, MatchLevel), (f64, f64)> = BTreeMap::new();
    for i in 0..demo.len() {
        for j in i + 1..demo.len() {
            let truth = rows[i].entity == rows[j].entity;
            for e in compare_with(&demo[i], &demo[j], IdentifierUse::Score).evidence {
                let c = counts.entry((e.field, e.level)).or_default();
                if truth {
                    c.0 += 1.0;
                } else {
                    c.1 += 1.0;
                }
            }
        }
    }
    let mut table = String::from("#[rustfmt::skip]\npub const WEIGHTS: &[FieldWeight] = &[\n");
    for field in IdentityField::ALL {
        let levels = field_levels(field);
        let get = |l: MatchLevel| counts.get(&(field, l)).copied().unwrap_or_default();
        let fixed_m: f64 = levels
            .iter()
            .map(|&l| match assumption(field, l) {
                Some(Assumption::M(m) | Assumption::Both(m, _)) => m,
                Some(Assumption::TimesU(_)) | None => 0.0,
            })
            .sum();
        let fixed_u: f64 =
            levels.iter().map(|&l| if let Some(Assumption::Both(_, u)) = assumption(field, l) { u } else { 0.0 }).sum();
        let counted_u: Vec<_> =
            levels.iter().filter(|&&l| !matches!(assumption(field, l), Some(Assumption::Both(..)))).collect();
        let nu: f64 = counted_u.iter().map(|&&l| get(l).1).sum();
        let u_of = |l: MatchLevel| (get(l).1 + 0.5) / (nu + 0.5 * counted_u.len() as f64) * (1.0 - fixed_u);
        // m of an initial follows its u; the other counted levels share what the assumptions leave.
        let times_u_m: f64 = levels
            .iter()
            .map(|&l| if let Some(Assumption::TimesU(k)) = assumption(field, l) { k * u_of(l) } else { 0.0 })
            .sum();
        let counted_m: Vec<_> = levels.iter().filter(|&&l| assumption(field, l).is_none()).collect();
        let nm: f64 = counted_m.iter().map(|&&l| get(l).0).sum();
        for &l in levels {
            let (cm, cu) = get(l);
            let (m, u, source) = match assumption(field, l) {
                Some(Assumption::Both(m, u)) => (m, u, "A"),
                Some(Assumption::M(m)) => (m, u_of(l), "AM"),
                Some(Assumption::TimesU(k)) => (k * u_of(l), u_of(l), "AM"),
                None => ((cm + 0.5) / (nm + 0.5 * counted_m.len() as f64) * (1.0 - fixed_m - times_u_m), u_of(l), "E"),
            };
            let (m, u) = (sig4(m), sig4(u));
            let w = (m / u).log2() / if l == MatchLevel::Swapped { 2.0 } else { 1.0 };
            let w = (w * 100.0).round() / 100.0;
            table += &format!(
                "    w(F::{field:?}, L::{l:?}, {m:?}, {u:?}, {w:?}, {source}), // dataset1: {cm} of true pairs, {cu} of others\n"
            );
        }
    }
    table += "];\n";
    println!("{table}");

    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/merge/identity/weights.rs");
    let code = std::fs::read_to_string(&path).unwrap();
    let (begin, end) = ("// BEGIN GENERATED WEIGHTS\n", "// END GENERATED WEIGHTS");
    let start = code.find(begin).unwrap() + begin.len();
    let stop = code.find(end).unwrap();
    if std::env::var_os("EMR_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, format!("{}{table}{}", &code[..start], &code[stop..])).unwrap();
        return;
    }
    assert!(
        code[start..stop] == table,
        "weights.rs differs from dataset1: rerun with EMR_UPDATE_GENERATED=1 and rerun the evaluation"
    );
}
