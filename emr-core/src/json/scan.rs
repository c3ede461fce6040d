//! Byte-level scanners shared by the parser and the writers.
//!
//! Everything here works on `&[u8]` with `get`, never indexing, so it cannot
//! panic; callers only slice `str`s at the ASCII positions these return.

/// `0x01` in every byte of a `u64`.
const ONES: u64 = 0x0101_0101_0101_0101;
/// `0x80` in every byte of a `u64`.
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Returns the index of the first byte at or after `i` that ends a plain run
/// inside a JSON string: `"`, `\`, or a control byte (< 0x20). Returns
/// `bytes.len()` when there is none.
///
/// Looks at 8 bytes at a time (SWAR): for each word it sets the high bit of
/// every byte that equals `"` or `\` or is below 0x20. Those "has zero byte /
/// has byte less than" tricks can give false positives only *above* a true
/// hit, so the lowest set bit is always exact.
#[inline]
pub(crate) fn scan_plain(bytes: &[u8], mut i: usize) -> usize {
    // Long plain runs (the base64 of attachments, narrative): 64 bytes at a time, blocks of a
    // length known at compile time so that the test becomes a few vector compares; the word loop
    // below finds the exact byte.
    for block in bytes.get(i..).unwrap_or_default().chunks_exact(64) {
        let Ok(block) = <&[u8; 64]>::try_from(block) else { break };
        if block.iter().fold(false, |hit, &b| hit | is_special(b)) {
            break;
        }
        i += 64;
    }
    while let Some(chunk) = bytes.get(i..i.saturating_add(8)) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        let quote = x ^ (ONES * u64::from(b'"'));
        let backslash = x ^ (ONES * u64::from(b'\\'));
        let hits = (quote.wrapping_sub(ONES) & !quote)
            | (backslash.wrapping_sub(ONES) & !backslash)
            | (x.wrapping_sub(ONES * 0x20) & !x);
        let hits = hits & HIGHS;
        if hits != 0 {
            return i + (hits.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = bytes.get(i) {
        if is_special(b) {
            return i;
        }
        i += 1;
    }
    i.min(bytes.len())
}

/// `"`, `\` or a control byte: the bytes that end a plain string run.
#[inline]
pub(crate) fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// Scans an RFC 8259 number starting at `start`.
///
/// ```text
/// number = [ "-" ] int [ frac ] [ exp ]
/// int    = "0" / ( digit1-9 *DIGIT )
/// frac   = "." 1*DIGIT
/// exp    = ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT
/// ```
///
/// Returns the end index of the longest valid number, or the index of the
/// first byte that breaks the grammar (a leading zero followed by a digit, or
/// a missing digit).
#[inline]
pub(crate) fn scan_number(bytes: &[u8], start: usize) -> Result<usize, usize> {
    let mut i = start;
    if bytes.get(i) == Some(&b'-') {
        i += 1;
    }
    match bytes.get(i) {
        Some(b'0') => {
            i += 1;
            if bytes.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(i);
            }
        }
        Some(b'1'..=b'9') => i = skip_digits(bytes, i + 1),
        _ => return Err(i),
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(i);
        }
        i = skip_digits(bytes, i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !bytes.get(i).is_some_and(u8::is_ascii_digit) {
            return Err(i);
        }
        i = skip_digits(bytes, i + 1);
    }
    Ok(i)
}

#[inline]
fn skip_digits(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

/// Whether `text` is exactly one number in RFC 8259 syntax (no whitespace).
///
/// Use it before building a [`Json::Number`](super::Json::Number) by hand:
/// the writers emit number text verbatim.
///
/// # Example
///
/// ```
/// use emr_core::json::is_valid_number;
///
/// assert!(is_valid_number("-0.0"));
/// assert!(is_valid_number("1E+2"));
/// assert!(!is_valid_number("01"));
/// assert!(!is_valid_number("1."));
/// assert!(!is_valid_number("NaN"));
/// ```
pub fn is_valid_number(text: &str) -> bool {
    scan_number(text.as_bytes(), 0) == Ok(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(bytes: &[u8], i: usize) -> usize {
        bytes.iter().skip(i).position(|&b| is_special(b)).map_or(bytes.len(), |p| p + i)
    }

    #[test]
    fn swar_matches_naive_scan() {
        // Every special byte at every position of a 20-byte window, with
        // high-bit bytes and near misses around it.
        let fillers: [u8; 6] = [b'a', 0xC3, 0xFF, 0x21, 0x5B, 0x7F];
        for &fill in &fillers {
            for special in [b'"', b'\\', 0x00, 0x1F, 0x0A] {
                for pos in 0..20 {
                    let mut bytes = vec![fill; 20];
                    if let Some(b) = bytes.get_mut(pos) {
                        *b = special;
                    }
                    for start in 0..=20 {
                        assert_eq!(scan_plain(&bytes, start), naive(&bytes, start));
                    }
                }
            }
            let plain = vec![fill; 19];
            assert_eq!(scan_plain(&plain, 0), 19);
            // Long runs, through the block loop: a special byte anywhere in or after blocks.
            for len in [63, 64, 65, 127, 128, 129, 200] {
                let plain = vec![fill; len];
                for start in [0, 1, 7, 63, 64, 65] {
                    assert_eq!(scan_plain(&plain, start), naive(&plain, start), "{len} {start}");
                }
                for pos in 0..len {
                    let mut bytes = plain.clone();
                    if let Some(b) = bytes.get_mut(pos) {
                        *b = b'"';
                    }
                    for start in [0, 1, 9, 64, pos] {
                        assert_eq!(scan_plain(&bytes, start), naive(&bytes, start), "{len} {pos} {start}");
                    }
                }
            }
        }
        assert_eq!(scan_plain(b"abc", 7), 3);
    }

    #[test]
    fn number_grammar() {
        for ok in ["0", "-0", "1.30", "1e2", "1E-2", "-0.0e+00", "123456789012345678901234567890"] {
            assert!(is_valid_number(ok), "{ok}");
        }
        for bad in ["", "-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "1.5.", "0x1", " 1", "Infinity"] {
            assert!(!is_valid_number(bad), "{bad}");
        }
        assert_eq!(scan_number(b"01", 0), Err(1));
        assert_eq!(scan_number(b"1.", 0), Err(2));
        assert_eq!(scan_number(b"12,", 0), Ok(2));
    }
}
