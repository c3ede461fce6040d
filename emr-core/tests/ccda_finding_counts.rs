//! What the complete shared C-CDA documents still report, counted by rule, field and where
//! (header, section or entry); run with `--nocapture` to see the table (on stderr). The header's
//! device authors are Devices; its authenticators, data enterers, provider informants and
//! information recipients the Composition's (attesters, participation extensions), reported
//! only in documents without a Composition.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use std::collections::BTreeMap;

#[test]
fn finding_counts_on_the_shared_documents() {
    let Some(docs) = common::ccda_documents() else { return };
    assert!(docs.len() >= 30, "{} documents", docs.len());
    let mut counts: BTreeMap<(String, String, &str), usize> = BTreeMap::new();
    for (path, text) in &docs {
        let converted =
            emr_core::ccda::to_fhir(&common::declared(text)).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let composition = !converted.findings.iter().any(|f| f.code == "ccda.document.date.missing");
        for f in converted.findings {
            let field = f.message.split(": ").next().unwrap_or_default().to_owned();
            let place = if f.path.contains("/entry") {
                "entry"
            } else if f.path.contains("/section") {
                "section"
            } else {
                "header"
            };
            if f.code == "ccda.participant.unmapped" && place == "header" {
                // Mapped (a Device; the Composition's attesters and participation extensions),
                // or, without a Composition to hold them, reported.
                let mapped = matches!(field.as_str(), "assignedAuthoringDevice")
                    || composition
                        && matches!(
                            field.as_str(),
                            "authenticator" | "dataEnterer" | "informant" | "informationRecipient"
                        );
                assert!(!mapped, "{}: {field} at {} is mapped, not reported", path.display(), f.path);
            }
            *counts.entry((f.code, field, place)).or_default() += 1;
        }
    }
    for ((code, field, place), n) in &counts {
        eprintln!("{n:5} {code} {field} ({place})");
    }
    eprintln!("{} documents, {} findings", docs.len(), counts.values().sum::<usize>());
}
