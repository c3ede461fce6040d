//! SMART Health Links files against an implementation emr did not write: the `jose` library
//! (npm, 6.x) in Node. What emr encrypts, jose's `compactDecrypt` opens (and WebCrypto plus
//! Node's zlib `inflateRawSync` too, for `zip: DEF`); what jose's `CompactEncrypt` makes, with
//! and without `zip: DEF`, emr opens — on an HL7 IPS example and a whole Synthea patient.
//!
//! Needs `node` and `npm ci` in `emr-core/tests/shl-interop/`. Skipped (with a message) where
//! either is missing; `EMR_REQUIRE_SHL_INTEROP=1` turns that into a failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use emr_core::shl::{jwe, ShlKey};

fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/shl-interop")
}

/// Whether node and the installed `jose` are there; panics when required but missing.
fn node_with_jose() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let jose = interop_dir().join("node_modules/jose/package.json").is_file();
    if !(node && jose) {
        assert!(
            std::env::var_os("EMR_REQUIRE_SHL_INTEROP").is_none(),
            "EMR_REQUIRE_SHL_INTEROP is set, but node or jose is missing (cd emr-core/tests/shl-interop && npm ci)"
        );
        eprintln!("skipped: needs node and `npm ci` in emr-core/tests/shl-interop");
    }
    node && jose
}

fn fhir(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fhir").join(name)).unwrap()
}

#[test]
fn emr_and_jose_open_each_others_files() {
    if !node_with_jose() {
        return;
    }
    let key = ShlKey::from_bytes(core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11)));
    let contents: Vec<(&str, Vec<u8>, &str)> = vec![
        ("ips-example", fhir("Bundle-IPS-examples-Bundle-01.json"), jwe::FHIR_JSON),
        ("synthea-patient", fhir("Rufus_Kihn_6b950b05-7dbf-450f-bca9-f05acff7a452.json"), jwe::FHIR_JSON),
        ("empty", Vec::new(), "application/octet-stream"),
        ("unicode", "{\"text\":\"Müller – 张伟 – 🩺\"}".as_bytes().to_vec(), "application/json"),
        ("binary", (0..=255u8).cycle().take(5000).collect(), "application/octet-stream"),
    ];
    let mut files = Vec::new();
    for (i, (name, plaintext, cty)) in contents.iter().enumerate() {
        for deflate in [false, true] {
            let iv: [u8; 12] = core::array::from_fn(|j| (i * 2 + usize::from(deflate) + j) as u8);
            let text =
                jwe::encrypt(plaintext, &key, iv, jwe::EncryptOptions { content_type: Some(cty), deflate }).unwrap();
            files.push(serde_json::json!({
                "name": format!("{name}{}", if deflate { "-zip" } else { "" }),
                "jwe": text, "plaintext": URL_SAFE_NO_PAD.encode(plaintext), "cty": cty, "zip": deflate,
            }));
        }
    }
    let dir = tempfile_dir();
    let input = serde_json::json!({ "key": key.to_base64url(), "files": files });
    std::fs::write(dir.join("emr.json"), input.to_string()).unwrap();

    let out = Command::new("node").arg(interop_dir().join("interop.mjs")).arg(&dir).output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "node interop.mjs failed:\n{log}");
    assert_eq!(log.matches("jose opened emr's").count(), 10, "{log}");

    let made: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("jose.json")).unwrap()).unwrap();
    let made = made["files"].as_array().unwrap();
    assert_eq!(made.len(), 20);
    for file in made {
        let name = file["name"].as_str().unwrap();
        let opened = jwe::decrypt(file["jwe"].as_str().unwrap(), &key).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(URL_SAFE_NO_PAD.encode(&opened.plaintext), file["plaintext"].as_str().unwrap(), "{name}");
        assert_eq!(opened.content_type.as_deref(), file["cty"].as_str(), "{name}");
        assert_eq!(opened.deflated, file["zip"].as_bool().unwrap(), "{name}");
        // And not with another key.
        assert!(jwe::decrypt(file["jwe"].as_str().unwrap(), &ShlKey::from_bytes([0; 32])).is_err());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A fresh directory under the target dir (emr-core has no tempfile dependency).
fn tempfile_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("shl-interop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
