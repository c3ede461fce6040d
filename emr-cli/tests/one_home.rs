//! The shells only render: no FHIR element that a clinical or FHIR decision would read appears in
//! the `emr` command's sources or the offline viewer's. Such decisions live in emr-core (its
//! `clinical` module, `query::summary`, `fhir`), which the shells call. A failure names the file
//! and line that grew its own rule: move the rule into emr-core.
#![allow(clippy::unwrap_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

/// FHIR JSON element names whose reading is a clinical or FHIR decision.
const ELEMENTS: &[&str] = &[
    "clinicalStatus",
    "verificationStatus",
    "valueQuantity",
    "medicationCodeableConcept",
    "dosageInstruction",
    "referenceRange",
    "manifestation",
    "onsetDateTime",
    "abatementDateTime",
    "effectiveDateTime",
    "occurrenceDateTime",
    "vaccineCode",
    "\"coding\"",
    ".coding",
    "\"interpretation\"",
    "serviceProvider",
];

fn files(dir: &Path, ext: &str, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            if !p.ends_with("node_modules") && !p.ends_with("test") && !p.ends_with("pkg") {
                files(&p, ext, out);
            }
        } else if p.extension().is_some_and(|x| x == ext) {
            out.push(p);
        }
    }
}

#[test]
fn the_shells_read_no_fhir_elements() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut sources = Vec::new();
    files(&root.join("emr-cli/src"), "rs", &mut sources);
    files(&root.join("examples/viewer"), "mjs", &mut sources);
    assert!(sources.len() > 20, "found only {} shell sources", sources.len());
    let mut found = Vec::new();
    for path in &sources {
        let text = std::fs::read_to_string(path).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") || code.starts_with("///") || code.starts_with('*') || code.starts_with("/*") {
                continue;
            }
            for e in ELEMENTS.iter().filter(|e| line.contains(*e)) {
                found.push(format!("{}:{}: {e}", path.strip_prefix(&root).unwrap_or(path).display(), n + 1));
            }
        }
    }
    assert!(found.is_empty(), "FHIR elements read in a shell (move the rule into emr-core):\n{}", found.join("\n"));
}
