//! The SMART Health Link payload: what a `shlink:/…` link holds.

use serde::{Deserialize, Serialize};

use super::{Flags, ShlError, ShlKey};

/// Longest `label`, in characters.
pub const MAX_LABEL_CHARS: usize = 80;

/// Longest `url` of a link this library creates, in characters.
pub const MAX_URL_CHARS: usize = 128;

/// The payload of a SMART Health Link: where the files are, the key that opens them, and
/// optional expiry, flags and label.
///
/// Built with [`ShlPayload::new`] and the `with_*` methods (which check the specification's
/// rules), or read from a link with [`ShlPayload::from_link`]. Written as minified JSON with
/// members in the order of the specification's examples: `url`, `flag`, `key`, `label`,
/// `exp`, `v`. Unknown members are ignored when reading, as the specification requires.
///
/// # Example
/// ```
/// use emr_core::shl::{Flags, ShlKey, ShlPayload};
/// let key = ShlKey::from_bytes([7; 32]);
/// let payload = ShlPayload::new("https://shl.example.org/m/abc", key)?
///     .with_flags(Flags { passcode: true, ..Flags::default() })?
///     .with_label("Summary for Dr. Lee")?
///     .with_exp(1_900_000_000);
/// assert_eq!(
///     payload.to_json(),
///     r#"{"url":"https://shl.example.org/m/abc","flag":"P","key":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc","label":"Summary for Dr. Lee","exp":1900000000}"#
/// );
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShlPayload {
    url: String,
    key: ShlKey,
    exp: Option<i64>,
    flags: Flags,
    label: Option<String>,
    v: Option<u64>,
}

/// The payload as JSON, in the specification's member order.
#[derive(Serialize, Deserialize)]
struct Wire {
    url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flag: Option<String>,
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<serde_json::Number>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    v: Option<u64>,
}

impl ShlPayload {
    /// A payload for files at `url` (the manifest, or with the `U` flag the one file),
    /// encrypted with `key`.
    ///
    /// # Errors
    /// [`ShlError::BadUrl`] unless `url` is an absolute `https://` or `http://` URL;
    /// [`ShlError::UrlTooLong`] beyond 128 characters.
    pub fn new(url: impl Into<String>, key: ShlKey) -> Result<Self, ShlError> {
        let url = url.into();
        check_url(&url)?;
        let chars = url.chars().count();
        if chars > MAX_URL_CHARS {
            return Err(ShlError::UrlTooLong { chars });
        }
        Ok(ShlPayload { url, key, exp: None, flags: Flags::default(), label: None, v: None })
    }

    /// With these flags.
    ///
    /// # Errors
    /// [`ShlError::FlagConflict`] when both `U` and `P` are set.
    pub fn with_flags(mut self, flags: Flags) -> Result<Self, ShlError> {
        flags.check()?;
        self.flags = flags;
        Ok(self)
    }

    /// With a label shown to the recipient before opening.
    ///
    /// # Errors
    /// [`ShlError::LabelTooLong`] beyond 80 characters.
    pub fn with_label(mut self, label: impl Into<String>) -> Result<Self, ShlError> {
        let label = label.into();
        check_label(&label)?;
        self.label = Some(label);
        Ok(self)
    }

    /// With an expiry time, epoch seconds.
    pub fn with_exp(mut self, exp: i64) -> Self {
        self.exp = Some(exp);
        self
    }

    /// The manifest URL (or, with the `U` flag, the file's URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The key of the link's files.
    pub fn key(&self) -> &ShlKey {
        &self.key
    }

    /// The expiry time, epoch seconds.
    pub fn exp(&self) -> Option<i64> {
        self.exp
    }

    /// The flags.
    pub fn flags(&self) -> Flags {
        self.flags
    }

    /// The label.
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// The protocol version, when the payload states one (absent means 1).
    pub fn v(&self) -> Option<u64> {
        self.v
    }

    /// Whether the link may be used at `now` (epoch seconds): not expired, and of a version
    /// this library implements.
    ///
    /// # Errors
    /// [`ShlError::Expired`] when `exp` is at or before `now`; [`ShlError::UnsupportedVersion`]
    /// when `v` is above 1.
    ///
    /// # Example
    /// ```
    /// use emr_core::shl::{ShlError, ShlKey, ShlPayload};
    /// let p = ShlPayload::new("https://x.example/m", ShlKey::from_bytes([0; 32]))?.with_exp(1_000);
    /// assert!(p.check_usable(999).is_ok());
    /// assert_eq!(p.check_usable(1_000), Err(ShlError::Expired { exp: 1_000 }));
    /// # Ok::<(), ShlError>(())
    /// ```
    pub fn check_usable(&self, now: i64) -> Result<(), ShlError> {
        if let Some(v) = self.v.filter(|v| *v > 1) {
            return Err(ShlError::UnsupportedVersion { v });
        }
        match self.exp {
            Some(exp) if exp <= now => Err(ShlError::Expired { exp }),
            _ => Ok(()),
        }
    }

    /// The payload as minified JSON.
    pub fn to_json(&self) -> String {
        let wire = Wire {
            url: self.url.clone(),
            flag: (!self.flags.is_empty()).then(|| self.flags.to_string()),
            key: self.key.to_base64url(),
            label: self.label.clone(),
            exp: self.exp.map(serde_json::Number::from),
            v: self.v,
        };
        // A struct of strings and integers always serializes.
        serde_json::to_string(&wire).unwrap_or_default()
    }

    /// Read a payload from its JSON.
    ///
    /// # Errors
    /// [`ShlError::Json`] when it is not a JSON object with string `url` and `key`;
    /// [`ShlError::KeyLength`], [`ShlError::LabelTooLong`], [`ShlError::BadUrl`],
    /// [`ShlError::FlagConflict`] when a member breaks its rule.
    pub fn from_json(json: &[u8]) -> Result<Self, ShlError> {
        const PART: &str = "shlink payload";
        let wire: Wire = serde_json::from_slice(json).map_err(|e| ShlError::json(PART, &e))?;
        check_url(&wire.url)?;
        let key = ShlKey::parse(&wire.key)?;
        let flags = Flags::parse(wire.flag.as_deref().unwrap_or_default())?;
        if let Some(label) = &wire.label {
            check_label(label)?;
        }
        let exp = match wire.exp {
            None => None,
            Some(n) => Some(epoch_seconds(&n).ok_or_else(|| ShlError::Json {
                part: PART,
                reason: "`exp` is not a number of epoch seconds".to_owned(),
            })?),
        };
        Ok(ShlPayload { url: wire.url, key, exp, flags, label: wire.label, v: wire.v })
    }
}

/// `exp` as whole seconds: an integer, or a finite number rounded down (JavaScript writers may
/// produce `1.7e9` or a fraction).
fn epoch_seconds(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?.floor();
    // i64 bounds as f64: beyond them the cast would saturate silently.
    #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
    ((-9.2e18..9.2e18).contains(&f)).then_some(f as i64)
}

fn check_url(url: &str) -> Result<(), ShlError> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or(ShlError::BadUrl)?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ShlError::BadUrl);
    }
    Ok(())
}

fn check_label(label: &str) -> Result<(), ShlError> {
    let chars = label.chars().count();
    if chars > MAX_LABEL_CHARS {
        return Err(ShlError::LabelTooLong { chars });
    }
    Ok(())
}
