//! base64url without padding (RFC 4648 §5), the encoding of links, keys and JWE parts.

use base64::alphabet::URL_SAFE;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, URL_SAFE_NO_PAD};
use base64::engine::DecodePaddingMode;
use base64::{DecodeError, Engine};

/// Accepts `=` padding (some link generators add it) but still rejects non-canonical trailing bits.
const LENIENT: GeneralPurpose = GeneralPurpose::new(
    &URL_SAFE,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Encode without padding.
pub(crate) fn encode(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decode unpadded base64url, as JWS/JWE require.
pub(crate) fn decode_strict(text: &str) -> Result<Vec<u8>, DecodeError> {
    URL_SAFE_NO_PAD.decode(text)
}

/// Decode base64url with or without padding (the link payload).
pub(crate) fn decode_lenient(text: &str) -> Result<Vec<u8>, DecodeError> {
    LENIENT.decode(text)
}
