//! Why a SMART Health Link, a manifest or an encrypted file was refused.

/// Why a SMART Health Link, its manifest or one of its files could not be made or opened.
///
/// Messages name the part and the rule that failed, never a value: a link's label or URL, a
/// passcode or a file's content may identify a patient.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShlError {
    /// The text holds no `shlink:/` (bare, or after a viewer URL's `#`).
    #[error("not a SMART Health Link: expected `shlink:/…` or a viewer URL ending in `#shlink:/…`")]
    NotAShlink,
    /// A part that must be base64url (RFC 4648 §5, no padding) is not.
    #[error("{part} is not valid base64url")]
    Base64 {
        /// Which part: `shlink payload`, `JWE protected header`, `JWE initialization vector`, …
        part: &'static str,
    },
    /// A part that must be a JSON object is not, or lacks a required member, or has a member
    /// of the wrong type.
    #[error("{part} is not valid: {reason}")]
    Json {
        /// Which part: `shlink payload`, `JWE protected header`, `manifest`, …
        part: &'static str,
        /// What is wrong, without the offending value.
        reason: String,
    },
    /// The key is not 43 base64url characters encoding 32 bytes.
    #[error("shlink key must be 43 base64url characters (32 bytes); this one decodes to {bytes} bytes")]
    KeyLength {
        /// The number of bytes the key decodes to (0 when it is not base64url at all).
        bytes: usize,
    },
    /// The label is longer than 80 characters.
    #[error("shlink label has {chars} characters; at most 80 are allowed")]
    LabelTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// The manifest URL is longer than 128 characters (a rule for links this library creates).
    #[error("shlink url has {chars} characters; at most 128 are allowed")]
    UrlTooLong {
        /// Its length in characters.
        chars: usize,
    },
    /// The manifest URL is not an absolute `https://` or `http://` URL.
    #[error("shlink url must be an absolute https:// (or http://) URL")]
    BadUrl,
    /// The `U` and `P` flags are both set, which the specification forbids.
    #[error("shlink flags `U` and `P` cannot be combined (a direct file has no passcode check)")]
    FlagConflict,
    /// The payload's `v` is newer than this library understands.
    #[error("shlink version {v} is not supported (this library reads version 1)")]
    UnsupportedVersion {
        /// The payload's `v`.
        v: u64,
    },
    /// The link's `exp` lies in the past.
    #[error("shlink expired at {exp} (epoch seconds); ask the sender for a new link")]
    Expired {
        /// The payload's `exp`, epoch seconds.
        exp: i64,
    },
    /// A JWE compact serialization does not have five dot-separated parts.
    #[error("JWE must have 5 dot-separated parts, found {found} (truncated or not a JWE?)")]
    JweParts {
        /// The number of parts found.
        found: usize,
    },
    /// The JWE's `alg` is not `dir`.
    #[error("JWE `alg` must be `dir` (SMART Health Links use a shared key)")]
    UnsupportedAlg,
    /// The JWE's `enc` is not `A256GCM`.
    #[error("JWE `enc` must be `A256GCM`")]
    UnsupportedEnc,
    /// The JWE's `zip` is something other than `DEF`.
    #[error("JWE `zip` must be `DEF` (raw DEFLATE) when present")]
    UnsupportedZip,
    /// The JWE names critical header parameters (`crit`), none of which this library implements.
    #[error("JWE has critical header parameters (`crit`) this library does not implement")]
    CriticalHeader,
    /// A `dir` JWE carries an encrypted key.
    #[error("JWE encrypted key must be empty with `alg: dir`")]
    EncryptedKeyPresent,
    /// The initialization vector is not 96 bits.
    #[error("JWE initialization vector must be 12 bytes, found {bytes}")]
    IvLength {
        /// Its length in bytes.
        bytes: usize,
    },
    /// The authentication tag is not 128 bits.
    #[error("JWE authentication tag must be 16 bytes, found {bytes}")]
    TagLength {
        /// Its length in bytes.
        bytes: usize,
    },
    /// AES-GCM authentication failed: the key is not this link's, or the file was altered.
    #[error("file does not decrypt: wrong key, or the file was altered after encryption")]
    Decrypt,
    /// The decrypted content is not valid raw DEFLATE data.
    #[error("decrypted content is not valid raw DEFLATE data (`zip: DEF`)")]
    Inflate,
    /// The content is larger than the limit.
    #[error("content exceeds the size limit of {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// A manifest request has an empty `recipient`.
    #[error("manifest request needs a non-empty `recipient`")]
    MissingRecipient,
    /// A manifest file entry has neither `embedded` nor `location`.
    #[error("manifest file {index} has neither `embedded` nor `location`")]
    ManifestFileEmpty {
        /// The entry's index in `files`.
        index: usize,
    },
}

impl ShlError {
    /// Every code [`ShlError::code`] gives, once, in a stable order: what the `emr` command's
    /// exit table and the npm package's error codes must each know.
    ///
    /// # Example
    /// ```
    /// use emr_core::shl::ShlError;
    /// assert!(ShlError::CODES.contains(&ShlError::Decrypt.code()));
    /// ```
    pub const CODES: &'static [&'static str] = &[
        "shl.link",
        "shl.key",
        "shl.label",
        "shl.url",
        "shl.flags",
        "shl.version",
        "shl.expired",
        "shl.file",
        "shl.decrypt",
        "shl.size",
        "shl.manifest",
        "shl.request",
    ];

    /// The stable code of this error, shared with the npm package (`error.code`): `shl.link`,
    /// `shl.key`, `shl.label`, `shl.url`, `shl.flags`, `shl.version`, `shl.expired`,
    /// `shl.file`, `shl.decrypt`, `shl.size`, `shl.manifest` or `shl.request`.
    ///
    /// # Example
    /// ```
    /// use emr_core::shl::{ShlError, ShlPayload};
    /// assert_eq!(ShlPayload::from_link("https://example.org/").unwrap_err().code(), "shl.link");
    /// assert_eq!(ShlError::Expired { exp: 0 }.code(), "shl.expired");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            ShlError::NotAShlink => "shl.link",
            ShlError::Base64 { part } | ShlError::Json { part, .. } => part_code(part),
            ShlError::KeyLength { .. } => "shl.key",
            ShlError::LabelTooLong { .. } => "shl.label",
            ShlError::UrlTooLong { .. } | ShlError::BadUrl => "shl.url",
            ShlError::FlagConflict => "shl.flags",
            ShlError::UnsupportedVersion { .. } => "shl.version",
            ShlError::Expired { .. } => "shl.expired",
            ShlError::JweParts { .. }
            | ShlError::UnsupportedAlg
            | ShlError::UnsupportedEnc
            | ShlError::UnsupportedZip
            | ShlError::CriticalHeader
            | ShlError::EncryptedKeyPresent
            | ShlError::IvLength { .. }
            | ShlError::TagLength { .. }
            | ShlError::Inflate => "shl.file",
            ShlError::Decrypt => "shl.decrypt",
            ShlError::TooLarge { .. } => "shl.size",
            ShlError::MissingRecipient => "shl.request",
            ShlError::ManifestFileEmpty { .. } => "shl.manifest",
        }
    }

    /// A [`ShlError::Json`] from a serde_json error, keeping only its category and position
    /// (serde_json's own messages may quote the offending value).
    pub(crate) fn json(part: &'static str, e: &serde_json::Error) -> Self {
        use serde_json::error::Category;
        let reason = match e.classify() {
            Category::Io | Category::Syntax => format!("not JSON (column {})", e.column()),
            Category::Eof => "not JSON (ends early)".to_owned(),
            // "missing field `x`", "unknown variant", "duplicate field `x`", "invalid type: …":
            // keep the text up to the first colon, which names the field but not a value.
            Category::Data => {
                let text = e.to_string();
                let head = text.split([':', ',']).next().unwrap_or_default().trim();
                if head.starts_with("missing field") || head.starts_with("duplicate field") {
                    head.to_owned()
                } else {
                    format!("a member has the wrong type (column {})", e.column())
                }
            }
        };
        ShlError::Json { part, reason }
    }
}

/// The code of a [`ShlError::Base64`] or [`ShlError::Json`] by the part it names.
fn part_code(part: &str) -> &'static str {
    if part.starts_with("JWE") {
        "shl.file"
    } else if part == "manifest request" {
        "shl.request"
    } else if part.starts_with("manifest") {
        "shl.manifest"
    } else {
        "shl.link"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Which variant `e` is: a match without a catch-all, so a new variant fails to compile here
    /// until it has an example below.
    fn variant(e: &ShlError) -> usize {
        match e {
            ShlError::NotAShlink => 0,
            ShlError::Base64 { .. } => 1,
            ShlError::Json { .. } => 2,
            ShlError::KeyLength { .. } => 3,
            ShlError::LabelTooLong { .. } => 4,
            ShlError::UrlTooLong { .. } => 5,
            ShlError::BadUrl => 6,
            ShlError::FlagConflict => 7,
            ShlError::UnsupportedVersion { .. } => 8,
            ShlError::Expired { .. } => 9,
            ShlError::JweParts { .. } => 10,
            ShlError::UnsupportedAlg => 11,
            ShlError::UnsupportedEnc => 12,
            ShlError::UnsupportedZip => 13,
            ShlError::CriticalHeader => 14,
            ShlError::EncryptedKeyPresent => 15,
            ShlError::IvLength { .. } => 16,
            ShlError::TagLength { .. } => 17,
            ShlError::Decrypt => 18,
            ShlError::Inflate => 19,
            ShlError::TooLarge { .. } => 20,
            ShlError::MissingRecipient => 21,
            ShlError::ManifestFileEmpty { .. } => 22,
        }
    }

    #[test]
    fn codes_lists_every_code_once() {
        let examples = [
            ShlError::NotAShlink,
            ShlError::Base64 { part: "JWE ciphertext" },
            ShlError::Base64 { part: "shlink payload" },
            ShlError::Json { part: "manifest", reason: String::new() },
            ShlError::Json { part: "manifest request", reason: String::new() },
            ShlError::KeyLength { bytes: 0 },
            ShlError::LabelTooLong { chars: 81 },
            ShlError::UrlTooLong { chars: 200 },
            ShlError::BadUrl,
            ShlError::FlagConflict,
            ShlError::UnsupportedVersion { v: 2 },
            ShlError::Expired { exp: 0 },
            ShlError::JweParts { found: 1 },
            ShlError::UnsupportedAlg,
            ShlError::UnsupportedEnc,
            ShlError::UnsupportedZip,
            ShlError::CriticalHeader,
            ShlError::EncryptedKeyPresent,
            ShlError::IvLength { bytes: 0 },
            ShlError::TagLength { bytes: 0 },
            ShlError::Decrypt,
            ShlError::Inflate,
            ShlError::TooLarge { limit: 1 },
            ShlError::MissingRecipient,
            ShlError::ManifestFileEmpty { index: 0 },
        ];
        let mut variants: Vec<usize> = examples.iter().map(variant).collect();
        variants.dedup();
        assert_eq!(variants, (0..=22).collect::<Vec<_>>(), "one example of each variant, in order");
        let mut given: Vec<&str> = examples.iter().map(ShlError::code).collect();
        given.sort_unstable();
        given.dedup();
        let mut listed = ShlError::CODES.to_vec();
        listed.sort_unstable();
        assert_eq!(listed.len(), ShlError::CODES.len(), "no code twice");
        listed.dedup();
        assert_eq!(given, listed);
    }
}
