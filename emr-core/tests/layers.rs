//! Layers that point one way: each emr-core module uses only modules of lower layers.
//!
//! The order is written here once ([`LAYERS`]) and in `docs/architecture.md` (checked below).
//! The test reads every source file under `emr-core/src`, drops comments and string literals,
//! and collects the modules each one names: `crate::x` (also inside `use crate::{x, y}`) and
//! `super::` chains that climb to the crate root. A module naming one of its own layer or a
//! higher one fails the test, with the file and line.
#![allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// emr-core's modules, lowest layer first. A module may use modules of lower layers only; the
/// modules of one layer do not use each other. `inline` is a private helper (short text kept
/// in place); `shl` uses no other module.
const LAYERS: &[&[&str]] = &[
    &["json", "codes", "shl", "inline", "xml"],
    &["model"],
    &["clinical"],
    &["validate", "merge"],
    &["fhir"],
    &["query", "bundle", "ccda"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The layer order as `docs/architecture.md` writes it.
fn rendered() -> String {
    let layer = |l: &&[&str]| l.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    LAYERS.iter().map(layer).collect::<Vec<_>>().join(" → ")
}

/// Source text with comments removed and string and char literals emptied, lines kept.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    while i < chars.len() {
        let c = chars[i];
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if chars[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r' && (at(i + 1) == '"' || at(i + 1) == '#') && !is_ident(at(i.wrapping_sub(1))) {
            // A raw string r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while at(j) == '#' {
                hashes += 1;
                j += 1;
            }
            if at(j) != '"' {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
            while j < chars.len() && !chars[j..].iter().take(close.len()).copied().eq(close.chars()) {
                if chars[j] == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j + close.len();
        } else if c == '"' {
            let mut j = i + 1;
            while j < chars.len() && chars[j] != '"' {
                if chars[j] == '\\' {
                    j += 1;
                }
                if at(j) == '\n' {
                    out.push('\n');
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j + 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{1F600}') or a lifetime ('a).
            let end = if at(i + 1) == '\\' {
                (i + 2..chars.len()).find(|&j| chars[j] == '\'')
            } else if at(i + 2) == '\'' {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(end) => {
                    out.push_str("' '");
                    i = end + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The identifier starting at byte `i` of `s`.
fn ident_at(s: &str, i: usize) -> &str {
    let rest = s.get(i..).unwrap_or_default();
    let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
    &rest[..end]
}

/// The top-level modules `code` names through `crate::` (also `use crate::{a, b::c}`) or a
/// `super::` chain reaching the crate root, with their byte offsets, for a file whose module
/// path is `path` (`["merge", "identity", "name"]`).
fn named_modules(code: &str, path: &[String]) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let preceded = |i: usize| code[..i].ends_with(|c: char| is_ident(c) || c == '$' || c == ':');
    for (i, _) in code.match_indices("crate::") {
        if preceded(i) {
            continue;
        }
        let after = i + "crate::".len();
        if !code[after..].starts_with('{') {
            found.push((i, ident_at(code, after).to_owned()));
            continue;
        }
        // The names at depth 1 of the braces.
        let (mut depth, mut expect_name, mut k) = (0, true, after);
        while let Some(c) = code[k..].chars().next() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 1 => expect_name = true,
                c if is_ident(c) && expect_name && depth == 1 => {
                    let name = ident_at(code, k);
                    found.push((k, name.to_owned()));
                    k += name.len();
                    expect_name = false;
                    continue;
                }
                _ => {}
            }
            k += c.len_utf8();
            if depth == 0 {
                break;
            }
        }
    }
    for (i, _) in code.match_indices("super::") {
        if preceded(i) {
            continue;
        }
        let mut rest = &code[i..];
        let mut ups = 0;
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        if ups >= path.len() {
            found.push((i, ident_at(rest, 0).to_owned()));
        }
    }
    found.retain(|(_, m)| !m.is_empty() && m != "self");
    found
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).expect("read src").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file: `merge/identity/name.rs` → merge, identity, name;
/// `merge/mod.rs` → merge.
fn module_path(src: &Path, file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(src).expect("under src");
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if let Some(last) = parts.last_mut() {
        *last = last.trim_end_matches(".rs").to_owned();
    }
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// Each use of a module of the same or a higher layer: (file, line, module, used module).
fn violations(src: &Path) -> Vec<String> {
    let mut files = Vec::new();
    sources(src, &mut files);
    let mut found = Vec::new();
    for file in files {
        let path = module_path(src, &file);
        let Some(own) = path.first() else { continue };
        let own_layer = layer_of(own).unwrap_or_else(|| panic!("module `{own}` is in no layer: add it to LAYERS"));
        let code = code_only(&std::fs::read_to_string(&file).expect("read source"));
        for (at, used) in named_modules(&code, &path) {
            if &used == own {
                continue;
            }
            let Some(layer) = layer_of(&used) else { continue };
            if layer >= own_layer {
                let rel = file.strip_prefix(src).unwrap_or(&file).display().to_string();
                let line = code[..at].matches('\n').count() + 1;
                found.push(format!("src/{rel}:{line}: `{own}` uses `{used}`, a module of its own or a higher layer"));
            }
        }
    }
    found
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn no_module_uses_a_module_of_its_own_or_a_higher_layer() {
    let found = violations(&src());
    assert!(found.is_empty(), "layering violations (order: {}):\n{}", rendered(), found.join("\n"));
}

#[test]
fn every_module_has_a_layer() {
    let lib = std::fs::read_to_string(src().join("lib.rs")).expect("lib.rs");
    let modules: BTreeSet<String> = code_only(&lib)
        .lines()
        .filter_map(|l| l.trim().trim_start_matches("pub ").strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned))
        .collect();
    assert!(modules.len() >= 10, "{modules:?}");
    for m in &modules {
        assert!(layer_of(m).is_some(), "module `{m}` is in no layer: add it to LAYERS and docs/architecture.md");
    }
    let listed: BTreeSet<String> = LAYERS.iter().flat_map(|l| l.iter().map(|m| (*m).to_owned())).collect();
    assert_eq!(listed, modules, "LAYERS lists modules lib.rs does not have, or misses some");
}

#[test]
fn the_architecture_doc_states_the_same_order() {
    let doc = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/architecture.md");
    let doc = std::fs::read_to_string(doc).expect("docs/architecture.md");
    let line = rendered();
    assert!(doc.contains(&line), "docs/architecture.md should state the layers as:\n{line}");
}

#[test]
fn the_checker_finds_uses_of_higher_layers() {
    let dir = std::env::temp_dir().join(format!("emr-layers-{}", std::process::id()));
    let model = dir.join("model");
    std::fs::create_dir_all(&model).expect("temp dir");
    let files = [
        ("lib.rs", "pub mod model;\n"),
        ("model/mod.rs", "mod entry;\nuse crate::json::Json; // crate::merge in a comment\n"),
        (
            "model/entry.rs",
            "use crate::{codes::X,\n    merge::keys::Keys};\nfn f() { let s = \"crate::fhir\"; crate::query::x(); }\n\
             mod tests { use super::super::super::bundle; }\n",
        ),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    let found = violations(&dir);
    std::fs::remove_dir_all(&dir).ok();
    let used: Vec<&str> = found.iter().filter_map(|f| f.split('`').nth(3)).collect();
    assert_eq!(used, ["merge", "query", "bundle"], "{found:#?}");
}

#[test]
fn comments_and_strings_are_not_code() {
    let code = code_only(
        "let a = '\"'; let b = \"x // y\"; // crate::fhir\n/* crate::merge */ let r = r#\"crate::q\"#; 'a: loop {}",
    );
    assert!(!code.contains("crate::"), "{code}");
    assert!(code.contains("'a: loop"), "{code}");
}
