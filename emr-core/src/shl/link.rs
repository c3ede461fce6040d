//! The text form of a SMART Health Link: `shlink:/` and the base64url of the payload's JSON,
//! bare or after a viewer URL's `#`.

use super::{b64, ShlError, ShlPayload};

/// The scheme and slash that start a bare link.
pub const SCHEME: &str = "shlink:/";

impl ShlPayload {
    /// The bare link, `shlink:/…`.
    ///
    /// # Example
    /// ```
    /// use emr_core::shl::{ShlKey, ShlPayload};
    /// let p = ShlPayload::new("https://shl.example.org/m/abc", ShlKey::from_bytes([7; 32]))?;
    /// let link = p.to_link();
    /// assert!(link.starts_with("shlink:/eyJ1cmwiOiJodHRwczovL3NobC5leGFtcGxlLm9yZy9tL2FiYyIs"));
    /// assert_eq!(ShlPayload::from_link(&link)?, p);
    /// # Ok::<(), emr_core::shl::ShlError>(())
    /// ```
    pub fn to_link(&self) -> String {
        format!("{SCHEME}{}", b64::encode(self.to_json().as_bytes()))
    }

    /// The link behind a viewer URL: `viewer#shlink:/…` (a `#` is added unless `viewer` ends
    /// with one). Browsers do not send the fragment to the viewer's server.
    ///
    /// # Example
    /// ```
    /// use emr_core::shl::{ShlKey, ShlPayload};
    /// let p = ShlPayload::new("https://shl.example.org/m/abc", ShlKey::from_bytes([7; 32]))?;
    /// let link = p.to_viewer_link("https://viewer.example.org/");
    /// assert!(link.starts_with("https://viewer.example.org/#shlink:/"));
    /// assert_eq!(ShlPayload::from_link(&link)?, p);
    /// # Ok::<(), emr_core::shl::ShlError>(())
    /// ```
    pub fn to_viewer_link(&self, viewer: &str) -> String {
        let hash = if viewer.ends_with('#') { "" } else { "#" };
        format!("{viewer}{hash}{}", self.to_link())
    }

    /// Read a link: bare `shlink:/…`, or a viewer URL `…#shlink:/…`. Surrounding whitespace is
    /// ignored. The link is not checked for expiry here: see [`ShlPayload::check_usable`].
    ///
    /// # Errors
    /// [`ShlError::NotAShlink`] without `shlink:/`; [`ShlError::Base64`] when the payload is
    /// not base64url; the errors of [`ShlPayload::from_json`].
    pub fn from_link(text: &str) -> Result<Self, ShlError> {
        let text = text.trim();
        let encoded = match text.strip_prefix(SCHEME) {
            Some(rest) => rest,
            None => text.split_once(&format!("#{SCHEME}")).map(|(_, rest)| rest).ok_or(ShlError::NotAShlink)?,
        };
        let json = b64::decode_lenient(encoded).map_err(|_| ShlError::Base64 { part: "shlink payload" })?;
        ShlPayload::from_json(&json)
    }
}

/// The viewer URL in front of a link (up to and including the `#`), if there is one.
///
/// # Example
/// ```
/// use emr_core::shl::viewer_prefix;
/// assert_eq!(viewer_prefix("https://v.example/#shlink:/eyJ9"), Some("https://v.example/#"));
/// assert_eq!(viewer_prefix("shlink:/eyJ9"), None);
/// ```
pub fn viewer_prefix(text: &str) -> Option<&str> {
    let text = text.trim();
    let at = text.find(&format!("#{SCHEME}"))?;
    text.get(..=at)
}
