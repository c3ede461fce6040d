//! The `flag` letters of a SMART Health Link payload.

use super::ShlError;

/// The flags of a link: `L` long-term, `P` passcode, `U` direct file.
///
/// Written as the letters in alphabetical order (`"LP"`, `"LU"`). Letters this library does
/// not know are ignored when reading, as the specification requires.
///
/// # Example
/// ```
/// use emr_core::shl::Flags;
/// let flags = Flags::parse("PL")?;
/// assert!(flags.long_term && flags.passcode && !flags.direct);
/// assert_eq!(flags.to_string(), "LP");
/// assert!(Flags::parse("PU").is_err());
/// # Ok::<(), emr_core::shl::ShlError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// `L`: the link is meant for long-term use; its files may change over time.
    pub long_term: bool,
    /// `P`: the manifest request needs a passcode.
    pub passcode: bool,
    /// `U`: the URL is the single encrypted file itself, fetched with `GET` (no manifest).
    pub direct: bool,
}

impl Flags {
    /// Parse the `flag` string.
    ///
    /// # Errors
    /// [`ShlError::FlagConflict`] when both `U` and `P` are set.
    pub fn parse(text: &str) -> Result<Self, ShlError> {
        let flags = Flags { long_term: text.contains('L'), passcode: text.contains('P'), direct: text.contains('U') };
        flags.check()?;
        Ok(flags)
    }

    /// Check the combination.
    ///
    /// # Errors
    /// [`ShlError::FlagConflict`] when both `U` and `P` are set.
    pub fn check(self) -> Result<(), ShlError> {
        if self.direct && self.passcode {
            return Err(ShlError::FlagConflict);
        }
        Ok(())
    }

    /// Whether no flag is set (the payload then omits `flag`).
    pub fn is_empty(self) -> bool {
        self == Flags::default()
    }
}

impl std::fmt::Display for Flags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (set, letter) in [(self.long_term, "L"), (self.passcode, "P"), (self.direct, "U")] {
            if set {
                f.write_str(letter)?;
            }
        }
        Ok(())
    }
}
