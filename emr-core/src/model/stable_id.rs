//! Ids derived from text: the same text always gives the same id, so generated resources,
//! decisions and replacement URLs are stable across runs and machines.

/// A deterministic `urn:uuid:` from text (FNV-1a, 128 bits; version nibble 8 = custom, RFC 9562).
pub(crate) fn urn_uuid(seed: &str) -> String {
    urn_uuid_of(uuid_bits(seed))
}

/// The `urn:uuid:` of [`uuid_bits`] `bits`: `urn_uuid_of(uuid_bits(seed)) == urn_uuid(seed)`,
/// and its UUID without dashes is [`stable_id`]`(seed)`.
pub(crate) fn urn_uuid_of(bits: u128) -> String {
    let mut out = String::with_capacity(45);
    out.push_str("urn:uuid:");
    push_hex(&mut out, bits, true);
    out
}

/// A stable 32-hex-digit id derived from text (for generated resources and decisions).
///
/// # Example
/// ```
/// let id = emr_core::model::stable_id("clinic-a\u{0}decision");
/// assert_eq!(id.len(), 32);
/// assert_eq!(id, emr_core::model::stable_id("clinic-a\u{0}decision"));
/// ```
pub fn stable_id(seed: &str) -> String {
    let mut out = String::with_capacity(32);
    push_hex(&mut out, uuid_bits(seed), false);
    out
}

/// The 128 bits of [`urn_uuid`] and [`stable_id`] for `seed`: two seeds have the same bits
/// exactly when they have the same id.
pub(crate) fn uuid_bits(seed: &str) -> u128 {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in seed.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    (h & !(0xf << 76) | (0x8 << 76)) & !(0x3 << 62) | (0x2 << 62)
}

/// `h` as 32 lowercase hex digits, with the UUID's dashes (8-4-4-4-12) when `dashes`.
fn push_hex(out: &mut String, h: u128, dashes: bool) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    // Written into a buffer on the stack and appended once (not 32 pushes of a `char`).
    let mut buf = [b'-'; 36];
    let mut slots = buf.iter_mut();
    for (i, byte) in h.to_be_bytes().into_iter().enumerate() {
        if dashes && matches!(i, 4 | 6 | 8 | 10) {
            slots.next(); // the dash already there
        }
        for nibble in [byte >> 4, byte & 0xf] {
            if let Some(slot) = slots.next() {
                *slot = HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            }
        }
    }
    let len = if dashes { 36 } else { 32 };
    // ASCII only: never the empty default.
    out.push_str(buf.get(..len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default());
}

#[cfg(test)]
mod uuid_tests {
    use super::*;

    /// The formatting [`urn_uuid`] and [`stable_id`] had before they wrote their digits directly.
    fn formatted(seed: &str) -> String {
        let x = format!("{:032x}", uuid_bits(seed));
        let part = |a: usize, b: usize| x.get(a..b).unwrap_or_default().to_owned();
        format!("urn:uuid:{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
    }

    #[test]
    fn ids_are_written_as_before() {
        for seed in ["", "patient", "Observation\u{0}/ClinicalDocument/component[3]", "é\u{0}x", "a"] {
            assert_eq!(urn_uuid(seed), formatted(seed));
            assert_eq!(urn_uuid_of(uuid_bits(seed)), formatted(seed));
            assert_eq!(stable_id(seed), formatted(seed).trim_start_matches("urn:uuid:").replace('-', ""));
        }
        for n in 0..500 {
            let seed = format!("seed {n} {}", "x".repeat(n % 7));
            assert_eq!(urn_uuid(&seed), formatted(&seed));
            assert_eq!(stable_id(&seed), formatted(&seed).trim_start_matches("urn:uuid:").replace('-', ""));
        }
        assert_eq!(urn_uuid("patient").len(), 45);
    }
}
