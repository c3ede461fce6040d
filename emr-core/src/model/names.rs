//! Looking up fixed names (resource types, element names) in hash tables built once: these
//! lookups run for every resource and every member of one.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

use super::kind::R4_RESOURCE_TYPES;

/// A map from fixed names, for lookups only: its iteration order is arbitrary, so nothing
/// may be written out in that order.
pub(crate) type NameMap<V> = HashMap<&'static str, V, BuildHasherDefault<NameHasher>>;

/// The hash of the Rust compiler's own tables (FxHash): fast on short keys, fine for names
/// that are not chosen by an adversary (lookups of other names only miss).
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl NameHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        // The length first, so that zero padding cannot make two names one word.
        self.add(bytes.len() as u64);
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            self.add(u64::from_le_bytes(<[u8; 8]>::try_from(word).unwrap_or_default()));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            for (slot, &b) in w.iter_mut().zip(rest) {
                *slot = b;
            }
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The position of `name` in [`R4_RESOURCE_TYPES`], when it is an R4 resource type.
pub(crate) fn r4_type_index(name: &str) -> Option<usize> {
    static INDEX: OnceLock<NameMap<usize>> = OnceLock::new();
    INDEX.get_or_init(|| R4_RESOURCE_TYPES.iter().enumerate().map(|(i, &t)| (t, i)).collect()).get(name).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_index_finds_every_type_and_nothing_else() {
        for (i, t) in R4_RESOURCE_TYPES.iter().enumerate() {
            assert_eq!(r4_type_index(t), Some(i));
            assert_eq!(r4_type_index(&t.to_lowercase()), None);
            assert_eq!(r4_type_index(&format!("{t} ")), None);
        }
        for other in ["", "Permission", "Observatio", "Observations", "observation"] {
            assert_eq!(r4_type_index(other), None);
        }
    }

    #[test]
    fn hasher_tells_prefixes_apart() {
        let hash = |s: &str| {
            let mut h = NameHasher::default();
            std::hash::Hash::hash(s, &mut h);
            h.finish()
        };
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
        assert_ne!(hash("a"), hash("a\0"));
        assert_ne!(hash(""), hash("\0"));
    }
}
