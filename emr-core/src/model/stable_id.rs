//! Ids derived from text: the same text always gives the same id, so generated resources,
//! decisions and replacement URLs are stable across runs and machines.

/// A deterministic `urn:uuid:` from text (FNV-1a, 128 bits; version nibble 8 = custom, RFC 9562).
pub(crate) fn urn_uuid(seed: &str) -> String {
    let mut h: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
    for b in seed.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000_0000_0100_0000_0000_0000_0000_013b);
    }
    let h = (h & !(0xf << 76) | (0x8 << 76)) & !(0x3 << 62) | (0x2 << 62);
    let x = format!("{h:032x}");
    let part = |a: usize, b: usize| x.get(a..b).unwrap_or_default().to_owned();
    format!("urn:uuid:{}-{}-{}-{}-{}", part(0, 8), part(8, 12), part(12, 16), part(16, 20), part(20, 32))
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
    urn_uuid(seed).trim_start_matches("urn:uuid:").replace('-', "")
}
