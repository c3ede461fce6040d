//! SMART Health Links (HL7 *SMART Health Cards and Links* IG, STU1): share files as a
//! `shlink:/…` link or QR code holding a URL and a 256-bit key.
//!
//! - [`ShlPayload`]: the link's content (`url`, `key`, `exp`, `flag`, `label`, `v`), written
//!   to and read from `shlink:/…` ([`ShlPayload::to_link`], [`ShlPayload::from_link`]), bare
//!   or behind a viewer URL.
//! - [`jwe`]: the files, JWE compact serialization with `dir` + `A256GCM`, optionally
//!   `zip: DEF`.
//! - [`ManifestRequest`], [`Manifest`], [`PasscodeRejected`]: the manifest exchange.
//! - [`ShlError`]: why an input was refused.
//!
//! As everywhere in the core, there is no I/O, no clock and no randomness: the key's bytes,
//! each file's IV and the current time come from the caller.
//!
//! # Example
//! ```
//! use emr_core::shl::{jwe, Flags, ShlKey, ShlPayload};
//! // The sharer: random key and IV from the platform's secure generator.
//! let key = ShlKey::from_bytes([42; 32]);
//! let file = jwe::encrypt(br#"{"resourceType":"Bundle","type":"document"}"#, &key, [9; 12], jwe::EncryptOptions::default())?;
//! let link = ShlPayload::new("https://shl.example.org/m/Y9xw", key)?
//!     .with_flags(Flags { passcode: true, ..Flags::default() })?
//!     .with_label("My summary")?
//!     .to_link();
//!
//! // The receiver: read the link, check it at the current time, decrypt the file.
//! let payload = ShlPayload::from_link(&link)?;
//! payload.check_usable(1_767_225_600)?;
//! assert!(payload.flags().passcode);
//! let opened = jwe::decrypt(&file, payload.key())?;
//! assert!(opened.plaintext.starts_with(br#"{"resourceType":"Bundle""#));
//! # Ok::<(), emr_core::shl::ShlError>(())
//! ```

mod b64;
mod error;
mod flags;
pub mod jwe;
mod key;
mod link;
mod manifest;
mod payload;

pub use error::ShlError;
pub use flags::Flags;
pub use key::ShlKey;
pub use link::{viewer_prefix, SCHEME};
pub use manifest::{Manifest, ManifestFile, ManifestRequest, PasscodeRejected};
pub use payload::{ShlPayload, MAX_LABEL_CHARS, MAX_URL_CHARS};
