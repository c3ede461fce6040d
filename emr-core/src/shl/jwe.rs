//! A SMART Health Link file: JWE compact serialization (RFC 7516) with `alg: dir`,
//! `enc: A256GCM`, optionally `zip: DEF` (raw DEFLATE, RFC 1951) and a `cty`.
//!
//! The AES-GCM additional authenticated data is the ASCII of the protected header's base64url
//! text, as RFC 7516 §5.1 step 14 requires: the header cannot be changed without the tag
//! failing.

use std::io::{Read, Write};

use aes_gcm::aead::AeadInPlace;
use aes_gcm::{Aes256Gcm, KeyInit, Nonce, Tag};
use serde::{Deserialize, Serialize};

use super::{b64, ShlError, ShlKey};

/// The default limit on a decrypted (and inflated) file, 256 MiB: a guard against
/// compression bombs far above any one patient's summary.
pub const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;

/// The `cty` of a FHIR JSON file.
pub const FHIR_JSON: &str = "application/fhir+json";

/// How a file is encrypted, beyond the fixed `dir` + `A256GCM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncryptOptions<'a> {
    /// The `cty` header: the content's media type, e.g. [`FHIR_JSON`]. `None` omits it.
    pub content_type: Option<&'a str>,
    /// Compress with raw DEFLATE first (`zip: DEF`).
    pub deflate: bool,
}

impl Default for EncryptOptions<'_> {
    fn default() -> Self {
        EncryptOptions { content_type: Some(FHIR_JSON), deflate: true }
    }
}

/// A decrypted file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecryptedFile {
    /// The `cty` header, when present.
    pub content_type: Option<String>,
    /// Whether the file was compressed (`zip: DEF`).
    pub deflated: bool,
    /// The content, inflated.
    pub plaintext: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    enc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    zip: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cty: Option<String>,
    #[serde(default, skip_serializing)]
    crit: Option<serde::de::IgnoredAny>,
}

/// Encrypt a file for a link. `iv` must never repeat under one key: the caller draws it from a
/// cryptographically secure generator (the core has no randomness of its own).
///
/// The protected header is `{"alg":"dir","enc":"A256GCM"}`, then `"zip":"DEF"` and `"cty"`
/// when asked for, in that order. Same input, same output.
///
/// # Errors
/// [`ShlError::TooLarge`] beyond AES-GCM's limit of 64 GiB.
///
/// # Example
/// ```
/// use emr_core::shl::{jwe, ShlKey};
/// let key = ShlKey::from_bytes([1; 32]);
/// let file = jwe::encrypt(br#"{"resourceType":"Bundle"}"#, &key, [2; 12], jwe::EncryptOptions::default())?;
/// assert!(file.starts_with("eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiemlwIjoiREVGIiwiY3R5IjoiYXBwbGljYXRpb24vZmhpcitqc29uIn0.."));
/// let opened = jwe::decrypt(&file, &key)?;
/// assert_eq!(opened.plaintext, br#"{"resourceType":"Bundle"}"#);
/// assert_eq!(opened.content_type.as_deref(), Some("application/fhir+json"));
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
pub fn encrypt(plaintext: &[u8], key: &ShlKey, iv: [u8; 12], options: EncryptOptions<'_>) -> Result<String, ShlError> {
    let header = Header {
        alg: "dir".to_owned(),
        enc: "A256GCM".to_owned(),
        zip: options.deflate.then(|| "DEF".to_owned()),
        cty: options.content_type.map(str::to_owned),
        crit: None,
    };
    let header = b64::encode(serde_json::to_string(&header).unwrap_or_default().as_bytes());
    let mut buffer = if options.deflate {
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing into a Vec only fails when memory runs out.
        z.write_all(plaintext).and_then(|()| z.finish()).map_err(|_| ShlError::TooLarge { limit: u64::MAX })?
    } else {
        plaintext.to_vec()
    };
    let cipher = Aes256Gcm::new_from_slice(key.as_bytes()).map_err(|_| ShlError::KeyLength { bytes: 0 })?;
    let tag = cipher
        .encrypt_in_place_detached(&Nonce::from(iv), header.as_bytes(), &mut buffer)
        .map_err(|_| ShlError::TooLarge { limit: 1 << 36 })?;
    Ok(format!("{header}..{}.{}.{}", b64::encode(&iv), b64::encode(&buffer), b64::encode(&tag)))
}

/// Decrypt a file with the link's key, inflating it when `zip: DEF`, up to [`MAX_FILE_BYTES`].
///
/// # Errors
/// [`ShlError::JweParts`] when truncated; [`ShlError::Base64`], [`ShlError::Json`] for a
/// malformed part; [`ShlError::UnsupportedAlg`], [`ShlError::UnsupportedEnc`],
/// [`ShlError::UnsupportedZip`], [`ShlError::CriticalHeader`],
/// [`ShlError::EncryptedKeyPresent`], [`ShlError::IvLength`], [`ShlError::TagLength`] for a
/// JWE that is not a SMART Health Links file; [`ShlError::Decrypt`] for a wrong key or altered
/// file; [`ShlError::Inflate`], [`ShlError::TooLarge`] for bad or oversized compressed content.
pub fn decrypt(jwe: &str, key: &ShlKey) -> Result<DecryptedFile, ShlError> {
    decrypt_with_limit(jwe, key, MAX_FILE_BYTES)
}

/// [`decrypt`] with a caller's limit on the decrypted, inflated size.
///
/// # Errors
/// As [`decrypt`]; [`ShlError::TooLarge`] beyond `limit`.
///
/// # Example
/// ```
/// use emr_core::shl::{jwe, ShlError, ShlKey};
/// let key = ShlKey::from_bytes([1; 32]);
/// let bomb = jwe::encrypt(&vec![b' '; 1 << 20], &key, [2; 12], jwe::EncryptOptions::default())?;
/// assert!(bomb.len() < 2_000);
/// assert_eq!(jwe::decrypt_with_limit(&bomb, &key, 1000), Err(ShlError::TooLarge { limit: 1000 }));
/// # Ok::<(), ShlError>(())
/// ```
pub fn decrypt_with_limit(jwe: &str, key: &ShlKey, limit: u64) -> Result<DecryptedFile, ShlError> {
    let parts: Vec<&str> = jwe.trim().split('.').collect();
    let [header_b64, encrypted_key, iv, ciphertext, tag] = parts.as_slice() else {
        return Err(ShlError::JweParts { found: parts.len() });
    };
    const PART: &str = "JWE protected header";
    let header_json = b64::decode_strict(header_b64).map_err(|_| ShlError::Base64 { part: PART })?;
    let header: Header = serde_json::from_slice(&header_json).map_err(|e| ShlError::json(PART, &e))?;
    if header.alg != "dir" {
        return Err(ShlError::UnsupportedAlg);
    }
    if header.enc != "A256GCM" {
        return Err(ShlError::UnsupportedEnc);
    }
    let deflated = match header.zip.as_deref() {
        None => false,
        Some("DEF") => true,
        Some(_) => return Err(ShlError::UnsupportedZip),
    };
    if header.crit.is_some() {
        return Err(ShlError::CriticalHeader);
    }
    if !encrypted_key.is_empty() {
        return Err(ShlError::EncryptedKeyPresent);
    }
    let iv = b64::decode_strict(iv).map_err(|_| ShlError::Base64 { part: "JWE initialization vector" })?;
    let iv = <[u8; 12]>::try_from(iv.as_slice()).map_err(|_| ShlError::IvLength { bytes: iv.len() })?;
    let tag = b64::decode_strict(tag).map_err(|_| ShlError::Base64 { part: "JWE authentication tag" })?;
    let tag = <[u8; 16]>::try_from(tag.as_slice()).map_err(|_| ShlError::TagLength { bytes: tag.len() })?;
    let mut buffer = b64::decode_strict(ciphertext).map_err(|_| ShlError::Base64 { part: "JWE ciphertext" })?;
    if !deflated && buffer.len() as u64 > limit {
        return Err(ShlError::TooLarge { limit });
    }
    let cipher = Aes256Gcm::new_from_slice(key.as_bytes()).map_err(|_| ShlError::KeyLength { bytes: 0 })?;
    cipher
        .decrypt_in_place_detached(&Nonce::from(iv), header_b64.as_bytes(), &mut buffer, &Tag::from(tag))
        .map_err(|_| ShlError::Decrypt)?;
    let plaintext = if deflated { inflate(&buffer, limit)? } else { buffer };
    Ok(DecryptedFile { content_type: header.cty, deflated, plaintext })
}

/// Raw DEFLATE, reading at most `limit` bytes of output.
fn inflate(compressed: &[u8], limit: u64) -> Result<Vec<u8>, ShlError> {
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(compressed)
        .take(limit.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|_| ShlError::Inflate)?;
    if out.len() as u64 > limit {
        return Err(ShlError::TooLarge { limit });
    }
    Ok(out)
}
