//! Why a text is not accepted as XML.

/// Why a text is not accepted as XML: messages name the problem and its position, never the
/// input's content. The C-CDA import turns it into its own `ccda::CcdaError`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// The input is larger than [`super::MAX_BYTES`].
    TooLarge { size: usize, max: usize },
    /// The input has a document type declaration (refused).
    Doctype { line: u32, column: u32 },
    /// The input is not well-formed XML.
    Malformed { line: u32, column: u32, reason: &'static str },
    /// Elements are nested deeper than [`super::MAX_DEPTH`].
    TooDeep { max: usize, line: u32, column: u32 },
}
