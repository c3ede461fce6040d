//! The 256-bit key of a SMART Health Link.

use zeroize::{Zeroize, ZeroizeOnDrop};

use super::{b64, ShlError};

/// A SMART Health Link's file key: 32 bytes, written in the link as 43 base64url characters.
///
/// The bytes are wiped from memory when the key is dropped, and `Debug` does not show them.
///
/// # Example
/// ```
/// use emr_core::shl::ShlKey;
/// let key = ShlKey::parse("rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q")?;
/// assert_eq!(key.to_base64url(), "rxTgYlOaKJPFtcEd0qcceN8wEU4p94SqAwIWQe6uX7Q");
/// assert_eq!(format!("{key:?}"), "ShlKey(…)");
/// assert!(ShlKey::parse("too-short").is_err());
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct ShlKey([u8; 32]);

impl ShlKey {
    /// A key from 32 bytes the caller drew from a cryptographically secure generator.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        ShlKey(bytes)
    }

    /// Parse the 43-character base64url form used in links.
    ///
    /// # Errors
    /// [`ShlError::KeyLength`] unless the text is base64url decoding to exactly 32 bytes.
    pub fn parse(text: &str) -> Result<Self, ShlError> {
        let mut bytes = b64::decode_strict(text).map_err(|_| ShlError::KeyLength { bytes: 0 })?;
        let key = <[u8; 32]>::try_from(bytes.as_slice()).map(ShlKey);
        let len = bytes.len();
        bytes.zeroize();
        key.map_err(|_| ShlError::KeyLength { bytes: len })
    }

    /// The 43-character base64url form.
    pub fn to_base64url(&self) -> String {
        b64::encode(&self.0)
    }

    /// The raw 32 bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for ShlKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ShlKey(…)")
    }
}
