//! Short text kept in place: copying or comparing it reads the bytes beside it, with no pointer
//! to follow and no count to change. Entry ids and the codes and units merging compares use it.

/// UTF-8 text of up to `N` bytes (`N` below 256), kept in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct InlineStr<const N: usize> {
    len: u8,
    bytes: [u8; N],
}

impl<const N: usize> InlineStr<N> {
    /// `s` in place, if it fits.
    pub(crate) fn new(s: &str) -> Option<InlineStr<N>> {
        let mut bytes = [0u8; N];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(InlineStr { len: u8::try_from(s.len()).ok()?, bytes })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ever made from a `&str` of this length, so always valid UTF-8.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::InlineStr;

    #[test]
    fn text_that_fits_is_kept_and_longer_text_is_refused() {
        assert_eq!(InlineStr::<4>::new("2345").map(|s| s.as_str().to_owned()).as_deref(), Some("2345"));
        assert_eq!(InlineStr::<4>::new("").map(|s| s.as_bytes().len()), Some(0));
        assert!(InlineStr::<4>::new("23456").is_none());
        // Multi-byte characters count in bytes.
        assert!(InlineStr::<4>::new("µµµ").is_none());
        assert_eq!(InlineStr::<4>::new("µg").map(|s| s.as_str().to_owned()).as_deref(), Some("µg"));
        // Equal text, equal values, whatever was there before.
        assert_eq!(InlineStr::<8>::new("mg/dL"), InlineStr::<8>::new("mg/dL"));
        assert_ne!(InlineStr::<8>::new("mg/dL"), InlineStr::<8>::new("mg/d"));
    }
}
