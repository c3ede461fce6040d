//! The patient bundle: what a patient carries. A FHIR R4 `collection` Bundle whose first entry is
//! the IPS document, followed by the patient, every source assertion as received, and a
//! `Provenance` per source — gzip-compressed, then encrypted with age (passphrase or X25519
//! recipients). Standard on both layers: any age tool decrypts it, gunzip inflates it, any FHIR
//! tool reads it; `emr` and the WASM package open it back into a record.

use std::io::{Read, Write};

use age::secrecy::SecretString;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::fhir::{self, ExportOptions, ImportOptions};
use crate::json::{self, Json};
use crate::model::{PartialDate, Record};

/// Largest plaintext a bundle may inflate to (protects against compression bombs).
pub const MAX_PLAINTEXT: u64 = 512 * 1024 * 1024;

/// Highest scrypt work factor (log2 N) a passphrase bundle may ask for. age's own bound is the
/// work factor it calibrates on the opening machine plus 4, so a busy machine (calibrating low)
/// would refuse a bundle sealed at age's usual 18 — the fixed value of the WASM package, where
/// age cannot calibrate. 22 is age's bound in wasm (18 + 4): about 16 times one second's work.
pub const MAX_WORK_FACTOR: u8 = 22;

/// Why a bundle could not be sealed or opened. Messages never contain record content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// Neither a passphrase nor a recipient was given, or a recipient is not an age public key.
    #[error("no usable key: give a passphrase or age X25519 recipients (age1…)")]
    NoKey,
    /// A recipient string is not an age X25519 public key.
    #[error("recipient {0} is not an age X25519 public key (age1…)")]
    BadRecipient(usize),
    /// The identity is not an age X25519 secret key.
    #[error("identity is not an age X25519 secret key (AGE-SECRET-KEY-1…)")]
    BadIdentity,
    /// The record has no patient, so there is no IPS to put first.
    #[error("record has no patient; a patient bundle needs one")]
    NoPatient,
    /// The bytes are not an age file.
    #[error("not an age-encrypted file")]
    NotAge,
    /// The passphrase or identity does not open this bundle.
    #[error("wrong passphrase or identity for this bundle")]
    WrongKey,
    /// The file was cut short or altered after sealing.
    #[error("bundle is truncated or corrupted (authentication failed)")]
    Corrupted,
    /// The bundle asks for more scrypt work than allowed.
    #[error("bundle's passphrase work factor is too high to open safely")]
    TooMuchWork,
    /// Decrypted, but the content is not a gzip-compressed FHIR Bundle.
    #[error("decrypted content is not a gzip-compressed FHIR Bundle")]
    NotABundle,
    /// Decrypted content larger than [`MAX_PLAINTEXT`].
    #[error("decrypted content exceeds the size limit")]
    TooLarge,
    /// Encryption failed.
    #[error("encryption failed")]
    Encrypt,
    /// The FHIR inside does not import.
    #[error("bundle content does not import: {0}")]
    Import(#[from] fhir::ImportError),
}

impl BundleError {
    /// The error's stable code, shared by every front end (the npm package's `EmrError.code`):
    /// `bundle.key`, `bundle.passphrase`, `bundle.format`, `bundle.corrupt`, `bundle.work`,
    /// `record.patient.missing`, `internal`, or the import's code.
    ///
    /// # Example
    /// ```
    /// assert_eq!(emr_core::bundle::BundleError::WrongKey.code(), "bundle.passphrase");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            BundleError::NoKey | BundleError::BadRecipient(_) | BundleError::BadIdentity => "bundle.key",
            BundleError::NoPatient => "record.patient.missing",
            BundleError::NotAge => "bundle.format",
            BundleError::WrongKey => "bundle.passphrase",
            BundleError::Corrupted | BundleError::NotABundle | BundleError::TooLarge | BundleError::Import(_) => {
                "bundle.corrupt"
            }
            BundleError::TooMuchWork => "bundle.work",
            BundleError::Encrypt => "internal",
        }
    }
}

/// The key a bundle is sealed with.
pub enum SealKey<'a> {
    /// A passphrase (age scrypt). `work_factor` is scrypt's log2 N; `None` lets age calibrate
    /// (about one second on this machine).
    Passphrase {
        /// The passphrase.
        passphrase: &'a str,
        /// scrypt log2 N.
        work_factor: Option<u8>,
    },
    /// age X25519 public keys (`age1…`); any of their identities opens the bundle.
    Recipients(&'a [String]),
    /// Any age recipients, already parsed: e.g. SSH public keys, which a caller parses with the
    /// `age` crate's `ssh` feature (left out of emr-core to keep the WASM package small).
    Age(&'a [Box<dyn age::Recipient + Send>]),
}

/// The key a bundle is opened with.
pub enum OpenKey<'a> {
    /// The passphrase.
    Passphrase(&'a str),
    /// An age X25519 identity (`AGE-SECRET-KEY-1…`).
    Identity(&'a str),
}

/// The FHIR content of a patient bundle, unencrypted: a `collection` Bundle with the IPS
/// document first, then the patient, every assertion and a `Provenance` per source.
///
/// # Errors
/// [`BundleError::NoPatient`] when the record has no patient.
pub fn bundle_json(record: &Record, timestamp: PartialDate) -> Result<String, BundleError> {
    let options = ExportOptions { timestamp };
    let ips = fhir::to_ips(record, &options).map_err(|_| BundleError::NoPatient)?;
    let all = fhir::to_bundle(record, &options);
    let (Ok(ips), Ok(all)) = (json::parse(&ips), json::parse(&all)) else { return Err(BundleError::NoPatient) };
    let Json::Object(mut members) = all else { return Err(BundleError::NoPatient) };
    let ips_id = ips.pointer("/identifier/value").and_then(Json::as_str).unwrap_or_default().to_owned();
    let cover = Json::Object(vec![("fullUrl".into(), Json::String(ips_id.into())), ("resource".into(), ips)]);
    if let Some((_, Json::Array(entries))) = members.iter_mut().find(|(k, _)| k == "entry") {
        entries.insert(0, cover);
    }
    Ok(Json::Object(members).to_compact_string())
}

/// Seal a record as an encrypted patient bundle.
///
/// # Errors
/// [`BundleError`] when the record has no patient or the key is unusable.
///
/// # Example
/// ```
/// use emr_core::bundle::{open, seal, OpenKey, SealKey};
/// use emr_core::model::{Patient, Record};
/// let record = Record::new(Patient::parse(r#"{"resourceType":"Patient","id":"p"}"#).unwrap());
/// let ts = "2026-01-01T00:00:00Z".parse().unwrap();
/// let sealed = seal(&record, &SealKey::Passphrase { passphrase: "correct horse", work_factor: Some(10) }, ts)?;
/// assert!(sealed.starts_with(b"age-encryption.org/v1"));
/// let opened = open(&sealed, &OpenKey::Passphrase("correct horse"), chrono::DateTime::UNIX_EPOCH)?;
/// assert!(opened.record.patient.is_some());
/// assert!(matches!(open(&sealed, &OpenKey::Passphrase("wrong"), chrono::DateTime::UNIX_EPOCH), Err(emr_core::bundle::BundleError::WrongKey)));
/// # Ok::<(), emr_core::bundle::BundleError>(())
/// ```
pub fn seal(record: &Record, key: &SealKey<'_>, timestamp: PartialDate) -> Result<Vec<u8>, BundleError> {
    let fhir = bundle_json(record, timestamp)?;
    let mut gz = GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(fhir.as_bytes()).map_err(|_| BundleError::Encrypt)?;
    let compressed = gz.finish().map_err(|_| BundleError::Encrypt)?;
    let encryptor = match key {
        SealKey::Passphrase { passphrase, work_factor } => {
            let mut r = age::scrypt::Recipient::new(SecretString::from((*passphrase).to_owned()));
            if let Some(n) = work_factor {
                r.set_work_factor(*n);
            }
            age::Encryptor::with_recipients(std::iter::once(&r as &dyn age::Recipient))
                .map_err(|_| BundleError::NoKey)?
        }
        SealKey::Recipients(keys) => {
            let parsed: Vec<age::x25519::Recipient> = keys
                .iter()
                .enumerate()
                .map(|(i, k)| k.trim().parse().map_err(|_| BundleError::BadRecipient(i)))
                .collect::<Result<_, _>>()?;
            age::Encryptor::with_recipients(parsed.iter().map(|r| r as &dyn age::Recipient))
                .map_err(|_| BundleError::NoKey)?
        }
        SealKey::Age(keys) => age::Encryptor::with_recipients(keys.iter().map(|r| &**r as &dyn age::Recipient))
            .map_err(|_| BundleError::NoKey)?,
    };
    let mut out = Vec::with_capacity(compressed.len() + 512);
    let mut w = encryptor.wrap_output(&mut out).map_err(|_| BundleError::Encrypt)?;
    w.write_all(&compressed).map_err(|_| BundleError::Encrypt)?;
    w.finish().map_err(|_| BundleError::Encrypt)?;
    Ok(out)
}

/// An opened bundle: its FHIR content and the record imported from it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename = "OpenedBundle")]
pub struct Opened {
    /// The decrypted, inflated FHIR Bundle.
    pub fhir: String,
    /// The record (sources restored from the bundle's `Provenance`).
    pub record: Record,
    /// Import findings.
    pub findings: Vec<crate::validate::Finding>,
}

/// Open a patient bundle.
///
/// # Errors
/// [`BundleError`]: not an age file, wrong key, truncated or altered, not a FHIR bundle.
pub fn open(bytes: &[u8], key: &OpenKey<'_>, now: chrono::DateTime<chrono::Utc>) -> Result<Opened, BundleError> {
    let decryptor = age::Decryptor::new_buffered(bytes).map_err(map_decrypt)?;
    let mut plain = Vec::new();
    let reader: Box<dyn Read> = match key {
        OpenKey::Passphrase(p) => {
            let mut identity = age::scrypt::Identity::new(SecretString::from((*p).to_owned()));
            identity.set_max_work_factor(MAX_WORK_FACTOR);
            Box::new(decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(map_decrypt)?)
        }
        OpenKey::Identity(s) => {
            let identity: age::x25519::Identity = s.trim().parse().map_err(|_| BundleError::BadIdentity)?;
            Box::new(decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity)).map_err(map_decrypt)?)
        }
    };
    reader.take(MAX_PLAINTEXT + 1).read_to_end(&mut plain).map_err(|_| BundleError::Corrupted)?;
    let mut fhir = Vec::new();
    GzDecoder::new(plain.as_slice())
        .take(MAX_PLAINTEXT + 1)
        .read_to_end(&mut fhir)
        .map_err(|_| BundleError::NotABundle)?;
    if fhir.len() as u64 > MAX_PLAINTEXT {
        return Err(BundleError::TooLarge);
    }
    let fhir = String::from_utf8(fhir).map_err(|_| BundleError::NotABundle)?;
    let tree = json::parse(&fhir).map_err(|_| BundleError::NotABundle)?;
    // The IPS document up front is a summary of the entries that follow: import those once.
    let Json::Object(mut members) = tree else { return Err(BundleError::NotABundle) };
    if let Some((_, Json::Array(entries))) = members.iter_mut().find(|(k, _)| k == "entry") {
        let is_ips =
            entries.first().and_then(|e| e.pointer("/resource/type")).and_then(Json::as_str) == Some("document");
        if is_ips {
            entries.remove(0);
        }
    }
    let imported = fhir::import_tree(&Json::Object(members), &ImportOptions::default(), now)?;
    Ok(Opened { fhir, record: imported.record, findings: imported.findings })
}

fn map_decrypt(e: age::DecryptError) -> BundleError {
    match e {
        age::DecryptError::NoMatchingKeys
        | age::DecryptError::KeyDecryptionFailed
        | age::DecryptError::DecryptionFailed => BundleError::WrongKey,
        age::DecryptError::ExcessiveWork { .. } => BundleError::TooMuchWork,
        age::DecryptError::InvalidHeader | age::DecryptError::UnknownFormat => BundleError::NotAge,
        _ => BundleError::Corrupted,
    }
}
