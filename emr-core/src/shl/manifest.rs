//! The manifest exchange: the receiver `POST`s a [`ManifestRequest`] to the link's URL and gets
//! a [`Manifest`] listing the encrypted files (or a [`PasscodeRejected`] body with status 401).

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::ShlError;

/// The body of a manifest request.
///
/// # Example
/// ```
/// use emr_core::shl::ManifestRequest;
/// let req = ManifestRequest::parse(br#"{"recipient":"Dr. Lee, Clinic B","passcode":"1234"}"#)?;
/// assert_eq!(req.recipient, "Dr. Lee, Clinic B");
/// assert_eq!(req.to_json(), r#"{"recipient":"Dr. Lee, Clinic B","passcode":"1234"}"#);
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestRequest {
    /// Who is asking: an organisation or person, shown to the sharer.
    pub recipient: String,
    /// The passcode, when the link has the `P` flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passcode: Option<String>,
    /// The longest `embedded` file the receiver accepts; longer ones come as `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded_length_max: Option<u64>,
}

impl ManifestRequest {
    /// Read a request body.
    ///
    /// # Errors
    /// [`ShlError::Json`] when it is not a JSON object with a string `recipient`;
    /// [`ShlError::MissingRecipient`] when `recipient` is empty.
    pub fn parse(json: &[u8]) -> Result<Self, ShlError> {
        let req: ManifestRequest = serde_json::from_slice(json).map_err(|e| ShlError::json("manifest request", &e))?;
        if req.recipient.trim().is_empty() {
            return Err(ShlError::MissingRecipient);
        }
        Ok(req)
    }

    /// The request as minified JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A manifest: the files behind a link.
///
/// # Example
/// ```
/// use emr_core::shl::{Manifest, ManifestFile};
/// let m = Manifest { files: vec![ManifestFile::embedded("application/fhir+json", "eyJh..a.b.c")], list: None };
/// let json = m.to_json();
/// assert_eq!(json, r#"{"files":[{"contentType":"application/fhir+json","embedded":"eyJh..a.b.c"}]}"#);
/// assert_eq!(Manifest::parse(json.as_bytes())?, m);
/// assert!(Manifest::parse(br#"{"files":[{"contentType":"application/fhir+json"}]}"#).is_err());
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The files.
    #[serde(default)]
    pub files: Vec<ManifestFile>,
    /// A FHIR `List` with metadata about the files, kept as received.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<Box<RawValue>>,
}

impl PartialEq for Manifest {
    fn eq(&self, other: &Self) -> bool {
        self.files == other.files && self.list.as_ref().map(|l| l.get()) == other.list.as_ref().map(|l| l.get())
    }
}

/// One file of a manifest: its type and either the JWE itself or where to `GET` it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    /// `application/fhir+json`, `application/smart-health-card` or `application/smart-api-access`.
    pub content_type: String,
    /// A short-lived URL that answers `GET` with the JWE (`content-type: application/jose`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The JWE itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub embedded: Option<String>,
    /// When the content last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    /// `finalized`, `can-change` or `no-longer-valid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The FHIR version of FHIR content (absent means 4.0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fhir_version: Option<String>,
}

impl ManifestFile {
    /// A file given inline.
    pub fn embedded(content_type: impl Into<String>, jwe: impl Into<String>) -> Self {
        ManifestFile {
            content_type: content_type.into(),
            location: None,
            embedded: Some(jwe.into()),
            last_updated: None,
            status: None,
            fhir_version: None,
        }
    }

    /// A file to fetch from `url`.
    pub fn location(content_type: impl Into<String>, url: impl Into<String>) -> Self {
        ManifestFile {
            content_type: content_type.into(),
            location: Some(url.into()),
            embedded: None,
            last_updated: None,
            status: None,
            fhir_version: None,
        }
    }
}

impl Manifest {
    /// Read a manifest.
    ///
    /// # Errors
    /// [`ShlError::Json`] when it is not a manifest object; [`ShlError::ManifestFileEmpty`]
    /// when a file has neither `embedded` nor `location`.
    pub fn parse(json: &[u8]) -> Result<Self, ShlError> {
        let manifest: Manifest = serde_json::from_slice(json).map_err(|e| ShlError::json("manifest", &e))?;
        if let Some(index) = manifest.files.iter().position(|f| f.embedded.is_none() && f.location.is_none()) {
            return Err(ShlError::ManifestFileEmpty { index });
        }
        Ok(manifest)
    }

    /// The manifest as minified JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The body of a `401` answer to a wrong passcode.
///
/// # Example
/// ```
/// use emr_core::shl::PasscodeRejected;
/// let body = PasscodeRejected { remaining_attempts: 4 };
/// assert_eq!(body.to_json(), r#"{"remainingAttempts":4}"#);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PasscodeRejected {
    /// Wrong passcodes still allowed before the link is disabled.
    pub remaining_attempts: u64,
}

impl PasscodeRejected {
    /// The body as minified JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
