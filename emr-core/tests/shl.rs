//! SMART Health Links: the IG's published examples decode and re-encode identically, the IG's
//! JWE (made by the `jose` library) decrypts and re-encrypts to the same bytes, every malformed
//! or tampered input is refused with its own error, and round trips hold for generated inputs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;

use emr_core::shl::{
    jwe, viewer_prefix, Flags, Manifest, ManifestRequest, ShlError, ShlKey, ShlPayload, MAX_LABEL_CHARS,
};
use proptest::prelude::*;

/// The key of every IG example.
const IG_KEY: &str = "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q";

fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/shl").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// The payload fields of an IG details JSON.
fn expect_fields(payload: &ShlPayload, details: &serde_json::Value) {
    assert_eq!(payload.url(), details["url"].as_str().unwrap());
    assert_eq!(payload.key().to_base64url(), details["key"].as_str().unwrap());
    assert_eq!(payload.flags().to_string(), details["flag"].as_str().unwrap());
    assert_eq!(payload.label(), details["label"].as_str());
    assert_eq!(payload.exp(), details["exp"].as_i64());
}

/// IG "Example SMART Health Link Generation": the payload, its bare link and its viewer link.
#[test]
fn ig_link_generation_example_decodes_and_reencodes_identically() {
    let details: serde_json::Value = serde_json::from_str(&data("ig-link-generation-payload.json")).unwrap();
    let bare = data("ig-link-generation-shlink.txt");
    let viewer = data("ig-link-generation-viewer.txt");
    let (bare, viewer) = (bare.trim(), viewer.trim());

    let from_bare = ShlPayload::from_link(bare).unwrap();
    expect_fields(&from_bare, &details);
    assert_eq!(from_bare.flags(), Flags { long_term: true, passcode: true, direct: false });
    assert_eq!(from_bare.to_link(), bare);

    let from_viewer = ShlPayload::from_link(viewer).unwrap();
    assert_eq!(from_viewer, from_bare);
    let prefix = viewer_prefix(viewer).unwrap();
    assert_eq!(prefix, "https://viewer.example.org#");
    assert_eq!(from_viewer.to_viewer_link(prefix), viewer);

    // Built from its fields, the same link comes out.
    let built = ShlPayload::new(details["url"].as_str().unwrap(), ShlKey::parse(IG_KEY).unwrap())
        .unwrap()
        .with_flags(Flags::parse("LP").unwrap())
        .unwrap()
        .with_label(details["label"].as_str().unwrap())
        .unwrap();
    assert_eq!(built.to_link(), bare);
}

/// IG "Use Case Examples": the IPS and CARIN insurance card links (U flag, viewer URL).
#[test]
fn ig_use_case_links_decode_and_reencode_identically() {
    for (link, details, pointer) in [
        ("ig-ips-bundle-01-shl.txt", "ig-ips-bundle-01-shl-details.json", "/shlinkJsonPayload"),
        ("ig-carin-ins-cd-bundle-01-shl.txt", "ig-carin-ins-cd-bundle-01-shl-details.json", ""),
    ] {
        let text = data(link);
        let text = text.trim();
        let all: serde_json::Value = serde_json::from_str(&data(details)).unwrap();
        let payload = ShlPayload::from_link(text).unwrap();
        expect_fields(&payload, all.pointer(pointer).unwrap());
        assert!(payload.flags().direct && payload.flags().long_term, "{link}");
        assert_eq!(payload.to_viewer_link(viewer_prefix(text).unwrap()), text, "{link}");
        if let Some(bare) = all.get("shlink").and_then(|s| s.as_str()) {
            assert_eq!(payload.to_link(), bare);
            assert_eq!(ShlPayload::from_link(bare).unwrap(), payload);
        }
        payload.check_usable(1_767_225_600).unwrap();
    }
}

/// IG "Example Encryption"/"Example Decryption": a JWE made by the `jose` library (v4.7) from
/// the SMART Health Cards example file. emr decrypts it to what the IG's decryption example
/// prints, and encrypting the result with the same key and IV gives the same JWE, byte for byte.
#[test]
fn ig_encryption_example_decrypts_and_reencrypts_identically() {
    let jwe_text = data("ig-example-encryption.jwe");
    let jwe_text = jwe_text.trim();
    let key = ShlKey::parse(IG_KEY).unwrap();
    let opened = jwe::decrypt(jwe_text, &key).unwrap();
    assert_eq!(opened.content_type.as_deref(), Some("application/smart-health-card"));
    assert!(!opened.deflated);
    // The IG prints the start of the decrypted file's first credential (a signed SHC, whose
    // header says `zip: DEF`, `alg: ES256` and the example issuer's key id).
    let file: serde_json::Value = serde_json::from_slice(&opened.plaintext).unwrap();
    let credential = file["verifiableCredential"][0].as_str().unwrap();
    assert!(credential.starts_with(
        "eyJ6aXAiOiJERUYiLCJhbGciOiJFUzI1NiIsImtpZCI6IjNLZmRnLVh3UC03Z1h5eXd0VWZVQUR3QnVtRE9QS01ReC1pRUxMMTFX"
    ));
    assert_eq!(credential.split('.').count(), 3);

    let iv: [u8; 12] = unb64(jwe_text.split('.').nth(2).unwrap()).try_into().unwrap();
    let options = jwe::EncryptOptions { content_type: Some("application/smart-health-card"), deflate: false };
    assert_eq!(jwe::encrypt(&opened.plaintext, &key, iv, options).unwrap(), jwe_text);
}

/// IG manifest example (`input/resources/shl-manifest-1.json`).
#[test]
fn ig_manifest_example_parses() {
    let manifest = Manifest::parse(data("ig-shl-manifest-1.json").as_bytes()).unwrap();
    assert_eq!(manifest.files.len(), 3);
    assert!(manifest.files[0].location.is_some() && manifest.files[0].embedded.is_none());
    assert!(manifest.files[1].embedded.is_some());
    assert_eq!(manifest.files[2].content_type, "application/fhir+json");
    assert_eq!(manifest.files[2].status.as_deref(), Some("finalized"));
    assert_eq!(manifest.files[2].fhir_version.as_deref(), Some("4.0.1"));
    assert_eq!(Manifest::parse(manifest.to_json().as_bytes()).unwrap(), manifest);
}

// ---- malformed and tampered links ----

fn link_of(json: &str) -> String {
    format!("shlink:/{}", b64(json.as_bytes()))
}

#[test]
fn malformed_links_are_refused_with_their_own_error() {
    let ok = r#"{"url":"https://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"}"#;
    assert!(ShlPayload::from_link(&link_of(ok)).is_ok());
    type Expect = fn(&ShlError) -> bool;
    let cases: Vec<(String, Expect)> = vec![
        ("https://x.example/#nothing".into(), |e| *e == ShlError::NotAShlink),
        ("shc:/5676290952432060346029".into(), |e| *e == ShlError::NotAShlink),
        ("shlink:/eyJ1cmwi!!".into(), |e| matches!(e, ShlError::Base64 { .. })),
        ("shlink:/eyJ1cmwiOiJ".into(), |e| matches!(e, ShlError::Base64 { .. }) || matches!(e, ShlError::Json { .. })),
        (link_of("not json"), |e| matches!(e, ShlError::Json { .. })),
        (link_of("[1,2]"), |e| matches!(e, ShlError::Json { .. })),
        (
            link_of(r#"{"url":"https://x.example/m"}"#),
            |e| matches!(e, ShlError::Json { reason, .. } if reason.contains("key")),
        ),
        (link_of(r#"{"url":"https://x.example/m","key":"abc"}"#), |e| matches!(e, ShlError::KeyLength { .. })),
        (link_of(r#"{"url":"https://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7QAAA"}"#), |e| {
            matches!(e, ShlError::KeyLength { bytes: 34 })
        }),
        (link_of(r#"{"url":"ftp://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"}"#), |e| {
            *e == ShlError::BadUrl
        }),
        (
            link_of(r#"{"url":"https://x.example/m","flag":"PU","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"}"#),
            |e| *e == ShlError::FlagConflict,
        ),
        (
            link_of(&format!(
                r#"{{"url":"https://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q","label":"{}"}}"#,
                "é".repeat(81)
            )),
            |e| *e == ShlError::LabelTooLong { chars: 81 },
        ),
        (
            link_of(
                r#"{"url":"https://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q","exp":"soon"}"#,
            ),
            |e| matches!(e, ShlError::Json { .. }),
        ),
        (
            link_of(
                r#"{"url":"https://x.example/m","url":"https://y.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q"}"#,
            ),
            |e| matches!(e, ShlError::Json { reason, .. } if reason.contains("duplicate")),
        ),
    ];
    for (link, expected) in cases {
        let err = ShlPayload::from_link(&link).expect_err(&link);
        assert!(expected(&err), "{link}: unexpected {err:?}");
        // Messages never repeat the value: not the URL, not the label.
        let msg = err.to_string();
        assert!(!msg.contains("x.example") && !msg.contains('é') && !msg.contains("soon"), "{msg}");
    }
}

#[test]
fn lenient_where_the_spec_says_to_ignore() {
    // Unknown members and unknown flag letters are ignored; padding is tolerated; `exp` may be
    // a fraction (JavaScript); `v: 1` is kept.
    let json = r#"{"url":"https://x.example/m","flag":"LQ","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q","_ext":{"a":1},"exp":1.9e9,"v":1}"#;
    // One trailing space makes the base64 length not a multiple of 4, so padding is needed.
    let mut link = link_of(&format!("{json} "));
    while !(link.len() - "shlink:/".len()).is_multiple_of(4) {
        link.push('=');
    }
    assert!(link.ends_with('='));
    let p = ShlPayload::from_link(&format!("  {link}\n")).unwrap();
    assert_eq!(p.flags(), Flags { long_term: true, ..Flags::default() });
    assert_eq!(p.exp(), Some(1_900_000_000));
    assert_eq!(p.v(), Some(1));
    assert!(p.to_json().ends_with(r#""exp":1900000000,"v":1}"#));
}

#[test]
fn expiry_and_version_are_checked_against_the_callers_clock() {
    let key = ShlKey::parse(IG_KEY).unwrap();
    let p = ShlPayload::new("https://x.example/m", key.clone()).unwrap().with_exp(1_767_225_600);
    assert!(p.check_usable(1_767_225_599).is_ok());
    assert_eq!(p.check_usable(1_767_225_600), Err(ShlError::Expired { exp: 1_767_225_600 }));
    assert!(ShlPayload::new("https://x.example/m", key.clone()).unwrap().check_usable(i64::MAX).is_ok());
    let v2 = link_of(r#"{"url":"https://x.example/m","key":"rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q","v":2}"#);
    assert_eq!(ShlPayload::from_link(&v2).unwrap().check_usable(0), Err(ShlError::UnsupportedVersion { v: 2 }));
}

#[test]
fn creation_rules() {
    let key = ShlKey::from_bytes([3; 32]);
    assert_eq!(
        ShlPayload::new("https://x.example/m".to_owned() + &"a".repeat(120), key.clone()).unwrap_err(),
        ShlError::UrlTooLong { chars: 139 }
    );
    assert_eq!(ShlPayload::new("x.example/m", key.clone()).unwrap_err(), ShlError::BadUrl);
    assert_eq!(ShlPayload::new("https:///m", key.clone()).unwrap_err(), ShlError::BadUrl);
    let p = ShlPayload::new("https://x.example/m", key).unwrap();
    assert!(p.clone().with_label("a".repeat(MAX_LABEL_CHARS)).is_ok());
    assert_eq!(
        p.clone().with_label("a".repeat(MAX_LABEL_CHARS + 1)).unwrap_err(),
        ShlError::LabelTooLong { chars: 81 }
    );
    assert_eq!(
        p.with_flags(Flags { passcode: true, direct: true, long_term: false }).unwrap_err(),
        ShlError::FlagConflict
    );
    assert_eq!(ShlKey::parse(&"A".repeat(42)).unwrap_err(), ShlError::KeyLength { bytes: 31 });
    assert_eq!(
        ShlKey::parse("rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7R").unwrap_err(),
        ShlError::KeyLength { bytes: 0 }
    );
}

// ---- malformed and tampered files ----

fn sample_jwe(deflate: bool) -> (ShlKey, String) {
    let key = ShlKey::from_bytes([5; 32]);
    let options = jwe::EncryptOptions { content_type: Some(jwe::FHIR_JSON), deflate };
    let text =
        jwe::encrypt(br#"{"resourceType":"Bundle","type":"document","entry":[]}"#, &key, [6; 12], options).unwrap();
    (key, text)
}

/// A JWE with this header and the sample's other parts (so it fails on the header check or,
/// if the header passes, on the tag).
fn with_header(header: &str) -> String {
    let (_, text) = sample_jwe(false);
    let rest = text.split_once('.').unwrap().1;
    format!("{}.{rest}", b64(header.as_bytes()))
}

/// A valid JWE under `key` with this protected header, made with the AES-GCM crate directly.
fn sealed_with_header(key: &ShlKey, header: &str, content: &[u8]) -> String {
    use aes_gcm::aead::AeadInPlace;
    use aes_gcm::KeyInit;
    let h = b64(header.as_bytes());
    let mut buf = content.to_vec();
    let tag = aes_gcm::Aes256Gcm::new_from_slice(key.as_bytes())
        .unwrap()
        .encrypt_in_place_detached(&aes_gcm::Nonce::from([1; 12]), h.as_bytes(), &mut buf)
        .unwrap();
    format!("{h}..{}.{}.{}", b64(&[1; 12]), b64(&buf), b64(&tag))
}

fn replace_part(text: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = text.split('.').collect();
    parts[index] = part;
    parts.join(".")
}

#[test]
fn malformed_and_tampered_files_are_refused_with_their_own_error() {
    let (key, good) = sample_jwe(true);
    assert!(jwe::decrypt(&good, &key).unwrap().deflated);
    let wrong_key = ShlKey::from_bytes([9; 32]);
    assert_eq!(jwe::decrypt(&good, &wrong_key), Err(ShlError::Decrypt));

    let ct = good.split('.').nth(3).unwrap();
    let mut flipped = unb64(ct);
    flipped[0] ^= 1;
    let tag = unb64(good.split('.').nth(4).unwrap());
    let cases: Vec<(String, ShlError)> = vec![
        (good[..good.rfind('.').unwrap()].to_owned(), ShlError::JweParts { found: 4 }),
        (String::new(), ShlError::JweParts { found: 1 }),
        (format!("{good}.x"), ShlError::JweParts { found: 6 }),
        (replace_part(&good, 0, "e30!"), ShlError::Base64 { part: "JWE protected header" }),
        (replace_part(&good, 2, "AAAA"), ShlError::IvLength { bytes: 3 }),
        (replace_part(&good, 2, "A*"), ShlError::Base64 { part: "JWE initialization vector" }),
        (replace_part(&good, 4, &b64(&tag[..15])), ShlError::TagLength { bytes: 15 }),
        (replace_part(&good, 3, "@@"), ShlError::Base64 { part: "JWE ciphertext" }),
        (replace_part(&good, 3, &b64(&flipped)), ShlError::Decrypt),
        (replace_part(&good, 2, &b64(&[0; 12])), ShlError::Decrypt),
        (replace_part(&good, 1, "AAAA"), ShlError::EncryptedKeyPresent),
        // The header is authenticated: the same meaning in other bytes does not pass.
        (with_header(r#"{"enc":"A256GCM","alg":"dir","cty":"application/fhir+json"}"#), ShlError::Decrypt),
        (with_header(r#"{"alg":"A256KW","enc":"A256GCM"}"#), ShlError::UnsupportedAlg),
        (with_header(r#"{"alg":"dir","enc":"A128GCM"}"#), ShlError::UnsupportedEnc),
        (with_header(r#"{"alg":"dir","enc":"A256CBC-HS512"}"#), ShlError::UnsupportedEnc),
        (with_header(r#"{"alg":"dir","enc":"A256GCM","zip":"GZIP"}"#), ShlError::UnsupportedZip),
        (with_header(r#"{"alg":"dir","enc":"A256GCM","crit":["exp"],"exp":1}"#), ShlError::CriticalHeader),
    ];
    for (text, expected) in cases {
        assert_eq!(jwe::decrypt(&text, &key), Err(expected.clone()), "{text}");
    }
    for header in ["[]", "{", r#"{"enc":"A256GCM"}"#, r#"{"alg":1,"enc":"A256GCM"}"#] {
        assert!(matches!(jwe::decrypt(&with_header(header), &key), Err(ShlError::Json { .. })), "{header}");
    }
}

#[test]
fn bad_deflate_and_bombs_are_refused() {
    let key = ShlKey::from_bytes([5; 32]);
    // Authenticated, but the content is not raw DEFLATE.
    let not_deflate = sealed_with_header(&key, r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#, &[0xff; 40]);
    assert_eq!(jwe::decrypt(&not_deflate, &key), Err(ShlError::Inflate));
    // A zlib stream (with header) is not raw DEFLATE either.
    let zlib = {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&[b'a'; 1000]).unwrap();
        z.finish().unwrap()
    };
    let zlib = sealed_with_header(&key, r#"{"alg":"dir","enc":"A256GCM","zip":"DEF"}"#, &zlib);
    assert!(jwe::decrypt(&zlib, &key).is_err());
    // 64 MiB of zeros inflates from ~64 KiB; a 1 MiB limit stops it without allocating it all.
    let bomb = jwe::encrypt(&vec![0; 64 << 20], &key, [1; 12], jwe::EncryptOptions::default()).unwrap();
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    assert_eq!(jwe::decrypt_with_limit(&bomb, &key, 1 << 20), Err(ShlError::TooLarge { limit: 1 << 20 }));
    // Without compression, the limit applies to the ciphertext.
    let (key, plain) = sample_jwe(false);
    assert_eq!(jwe::decrypt_with_limit(&plain, &key, 10), Err(ShlError::TooLarge { limit: 10 }));
}

#[test]
fn other_writers_header_orders_and_extra_members_decrypt() {
    // As written by other implementations: `enc` first, a `kid`, no `cty`.
    let key = ShlKey::from_bytes([8; 32]);
    let text = sealed_with_header(&key, r#"{"enc":"A256GCM","alg":"dir","kid":"k1"}"#, b"hello");
    let opened = jwe::decrypt(&text, &key).unwrap();
    assert_eq!(opened.plaintext, b"hello");
    assert_eq!(opened.content_type, None);
}

#[test]
fn manifest_request_and_manifest_rules() {
    assert_eq!(ManifestRequest::parse(br#"{"recipient":"  "}"#), Err(ShlError::MissingRecipient));
    assert!(matches!(ManifestRequest::parse(br#"{"passcode":"1"}"#), Err(ShlError::Json { .. })));
    assert!(matches!(ManifestRequest::parse(br#"{"recipient":7}"#), Err(ShlError::Json { .. })));
    let req = ManifestRequest::parse(br#"{"recipient":"Clinic B","embeddedLengthMax":1000,"other":true}"#).unwrap();
    assert_eq!(req.embedded_length_max, Some(1000));
    assert_eq!(req.to_json(), r#"{"recipient":"Clinic B","embeddedLengthMax":1000}"#);
    assert_eq!(
        Manifest::parse(br#"{"files":[{"contentType":"a","embedded":"x"},{"contentType":"b"}]}"#),
        Err(ShlError::ManifestFileEmpty { index: 1 })
    );
    assert!(matches!(Manifest::parse(br#"{"files":{}}"#), Err(ShlError::Json { .. })));
    let with_list = br#"{"files":[],"list":{"resourceType":"List","status":"current","mode":"working","entry":[{"item":{"reference":"x"},"date":"2024-01-01T00:00:00.10Z"}]}}"#;
    let m = Manifest::parse(with_list).unwrap();
    assert_eq!(m.to_json().as_bytes(), with_list, "the FHIR List is kept as received");
}

// ---- round trips ----

fn arb_payload() -> impl Strategy<Value = ShlPayload> {
    (
        "https://[a-z0-9.-]{1,30}(/[A-Za-z0-9_~%?=&-]{0,40}){0,2}",
        any::<[u8; 32]>(),
        proptest::option::of(any::<i64>()),
        (any::<bool>(), any::<bool>(), any::<bool>()),
        proptest::option::of(
            proptest::collection::vec(any::<char>(), 0..=80).prop_map(|c| c.into_iter().collect::<String>()),
        ),
    )
        .prop_map(|(url, key, exp, (long_term, passcode, direct), label)| {
            let mut p = ShlPayload::new(url, ShlKey::from_bytes(key))
                .unwrap()
                .with_flags(Flags { long_term, passcode, direct: direct && !passcode })
                .unwrap();
            if let Some(exp) = exp {
                p = p.with_exp(exp);
            }
            if let Some(label) = label {
                p = p.with_label(label).unwrap();
            }
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn links_round_trip(p in arb_payload(), viewer in "https://[a-z]{1,10}\\.example/[a-z]{0,8}#?") {
        let link = p.to_link();
        prop_assert_eq!(ShlPayload::from_link(&link).unwrap(), p.clone());
        prop_assert_eq!(ShlPayload::from_link(&link).unwrap().to_link(), link);
        let behind = p.to_viewer_link(&viewer);
        prop_assert_eq!(&ShlPayload::from_link(&behind).unwrap(), &p);
        prop_assert_eq!(ShlPayload::from_link(&behind).unwrap().to_viewer_link(viewer_prefix(&behind).unwrap()), behind);
    }

    #[test]
    fn files_round_trip(
        content in proptest::collection::vec(any::<u8>(), 0..4096),
        key in any::<[u8; 32]>(),
        iv in any::<[u8; 12]>(),
        deflate in any::<bool>(),
        cty in proptest::option::of("[a-z]{1,12}/[a-z+.-]{1,20}"),
    ) {
        let key = ShlKey::from_bytes(key);
        let options = jwe::EncryptOptions { content_type: cty.as_deref(), deflate };
        let text = jwe::encrypt(&content, &key, iv, options).unwrap();
        prop_assert_eq!(&jwe::encrypt(&content, &key, iv, options).unwrap(), &text, "not deterministic");
        let opened = jwe::decrypt(&text, &key).unwrap();
        prop_assert_eq!(opened.plaintext, content);
        prop_assert_eq!(opened.content_type, cty);
        prop_assert_eq!(opened.deflated, deflate);
    }

    /// Any change to any character of a file is detected (or makes it unreadable).
    #[test]
    fn any_edit_of_a_file_is_refused(at in any::<prop::sample::Index>(), with in "[A-Za-z0-9_.-]") {
        let (key, text) = sample_jwe(true);
        let i = at.index(text.len());
        let mut edited = text.clone();
        edited.replace_range(i..=i, &with);
        prop_assume!(edited != text);
        prop_assert!(jwe::decrypt(&edited, &key).is_err());
    }

    #[test]
    fn arbitrary_text_never_panics(s in any::<String>()) {
        let _ = ShlPayload::from_link(&s);
        let _ = ShlPayload::from_link(&format!("shlink:/{s}"));
        let _ = ShlPayload::from_link(&link_of(&s));
        let _ = jwe::decrypt(&s, &ShlKey::from_bytes([0; 32]));
        let _ = Manifest::parse(s.as_bytes());
        let _ = ManifestRequest::parse(s.as_bytes());
    }
}

/// Files written by Python's `cryptography` AES-GCM (the seeds of fuzz target `shl`, under the
/// all-zero key): emr opens them, including a header in another order with a `kid`.
#[test]
fn files_from_python_cryptography_decrypt() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/data/fuzz-corpus/shl");
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap();
    let key = ShlKey::from_bytes([0; 32]);
    let deflated = jwe::decrypt(&read("jwe-zero-key-deflate.jwe"), &key).unwrap();
    let plain = jwe::decrypt(&read("jwe-zero-key-plain.jwe"), &key).unwrap();
    assert!(deflated.deflated && !plain.deflated);
    assert_eq!(deflated.plaintext, plain.plaintext);
    assert!(plain.plaintext.starts_with(br#"{"resourceType":"Bundle""#));
    assert_eq!(deflated.content_type.as_deref(), Some(jwe::FHIR_JSON));
    assert_eq!(jwe::decrypt(&read("jwe-zero-key-bad-deflate.jwe"), &key), Err(ShlError::Inflate));
}
