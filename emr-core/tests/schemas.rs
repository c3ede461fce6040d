//! Generated files stay in sync with the code: JSON Schemas in `schemas/` and the rule table in
//! `docs/validation-rules.md`. Set `EMR_UPDATE_GENERATED=1` to rewrite them after a deliberate change.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::PathBuf;

use emr_core::model::{Entry, Record};
use emr_core::validate::{rules, rules_markdown, Finding};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn check_generated(relative: &str, expected: &str) {
    let path = root().join(relative);
    if std::env::var_os("EMR_UPDATE_GENERATED").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{relative} is out of date: rerun with EMR_UPDATE_GENERATED=1 cargo test -p emr-core --test schemas, and commit"
    );
}

fn schema_text<T: schemars::JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    serde_json::to_string_pretty(&schema).unwrap() + "\n"
}

#[test]
fn json_schemas_match_the_types() {
    check_generated("schemas/record.schema.json", &schema_text::<Record>());
    check_generated("schemas/entry.schema.json", &schema_text::<Entry>());
    check_generated("schemas/finding.schema.json", &schema_text::<Finding>());
    check_generated("schemas/merge-report.schema.json", &schema_text::<emr_core::merge::MergeReport>());
    check_generated("schemas/timeline-event.schema.json", &schema_text::<emr_core::query::TimelineEvent>());
    check_generated("schemas/trend.schema.json", &schema_text::<emr_core::query::Trend>());
    check_generated("schemas/current-lists.schema.json", &schema_text::<emr_core::query::CurrentLists>());
    check_generated("schemas/summary.schema.json", &schema_text::<emr_core::query::Summary>());
    check_generated("schemas/document-card.schema.json", &schema_text::<emr_core::query::DocumentCard>());
    check_generated("schemas/opened-bundle.schema.json", &schema_text::<emr_core::bundle::Opened>());
    check_generated("schemas/view.schema.json", &schema_text::<emr_core::merge::View>());
    check_generated("schemas/conflict-sides.schema.json", &schema_text::<emr_core::merge::ConflictSides>());
    check_generated("schemas/identity-check.schema.json", &schema_text::<emr_core::merge::IdentityCheck>());
    check_generated("schemas/demographics.schema.json", &schema_text::<emr_core::model::Demographics>());
    check_generated("schemas/entry-draft.schema.json", &schema_text::<emr_core::clinical::EntryDraft>());
    check_generated("schemas/code-check.schema.json", &schema_text::<emr_core::codes::CodeCheck>());
}

#[test]
fn rule_table_matches_the_code() {
    check_generated("docs/validation-rules.md", &rules_markdown());
}

#[test]
fn rule_codes_are_unique_and_dotted() {
    let mut codes: Vec<_> = rules::ALL.iter().map(|r| r.code).collect();
    assert!(codes.len() >= 30, "at least 30 rules");
    for c in &codes {
        assert!(c.contains('.') && c.bytes().all(|b| b.is_ascii_lowercase() || b"-.0123456789".contains(&b)), "{c}");
    }
    for (code, _) in emr_core::codes::CodeProblem::CATALOG {
        assert!(codes.contains(&code), "code problem {code} has no validation rule");
    }
    codes.sort_unstable();
    let before = codes.len();
    codes.dedup();
    assert_eq!(before, codes.len(), "duplicate rule code");
}

#[test]
fn a_record_validates_against_its_schema_shape() {
    // The schema names the envelope's members; a serialized record uses exactly those.
    let schema: serde_json::Value = serde_json::from_str(&schema_text::<Record>()).unwrap();
    let props = schema["properties"].as_object().unwrap();
    for key in ["format", "patient", "sources", "entries"] {
        assert!(props.contains_key(key), "{key}");
    }
}
