//! Why a C-CDA input could not be imported at all.

use crate::fhir::ImportError;

/// Why a C-CDA input could not be imported at all.
///
/// Messages name the problem and its position, never the input's content.
///
/// # Example
/// ```
/// use emr_core::ccda::{to_fhir, CcdaError};
/// let err = to_fhir("<ClinicalDocument xmlns=\"urn:hl7-org:v3\">").unwrap_err();
/// assert!(matches!(err, CcdaError::Xml { line: 1, .. }));
/// assert!(err.to_string().starts_with("input is not well-formed XML"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CcdaError {
    /// The input is larger than [`super::MAX_BYTES`].
    #[error("input is {size} bytes; C-CDA import reads at most {max} bytes")]
    TooLarge {
        /// The input's size in bytes.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The input is not UTF-8 text.
    #[error("input is not UTF-8 text (invalid byte at offset {offset})")]
    NotUtf8 {
        /// Byte offset of the first invalid sequence.
        offset: usize,
    },
    /// The input has a document type declaration: DTDs (and so entity definitions) are refused.
    #[error("input has a DOCTYPE declaration at line {line}, column {column}; C-CDA documents have none and DTDs are not processed")]
    Doctype {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// The input is not well-formed XML.
    #[error("input is not well-formed XML at line {line}, column {column}: {reason}")]
    Xml {
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong, in words (from the parser; never the input's text).
        reason: String,
    },
    /// Elements are nested deeper than [`super::MAX_DEPTH`].
    #[error("elements are nested more than {max} deep at line {line}, column {column}")]
    TooDeep {
        /// The limit.
        max: usize,
        /// 1-based line of the first element too deep.
        line: u32,
        /// 1-based column.
        column: u32,
    },
    /// The root element is not an HL7 v3 `ClinicalDocument`.
    #[error(
        "input is XML but not a C-CDA document: the root element must be ClinicalDocument in namespace urn:hl7-org:v3"
    )]
    NotClinicalDocument,
    /// The FHIR built from the document could not be imported (a bug: please report it).
    #[error("the FHIR built from the document did not import: {0}")]
    Fhir(#[from] ImportError),
}

impl CcdaError {
    /// The XML parser's refusal as a C-CDA import error.
    pub(crate) fn from_xml(e: crate::xml::XmlError) -> CcdaError {
        use crate::xml::XmlError;
        match e {
            XmlError::TooLarge { size, max } => CcdaError::TooLarge { size, max },
            XmlError::Doctype { line, column } => CcdaError::Doctype { line, column },
            XmlError::Malformed { line, column, reason } => CcdaError::Xml { line, column, reason: reason.to_owned() },
            XmlError::TooDeep { max, line, column } => CcdaError::TooDeep { max, line, column },
        }
    }

    /// A stable code for the error, shared with the npm package (`EmrError.code`): `ccda.size`
    /// (too large, nested too deep), `ccda.syntax` (not UTF-8, not well-formed XML), `ccda.doctype`
    /// (a DTD, refused), `ccda.shape` (XML but not a `ClinicalDocument`); `internal` for
    /// [`CcdaError::Fhir`], a bug.
    ///
    /// # Example
    /// ```
    /// use emr_core::ccda::{to_fhir, CcdaError};
    /// assert_eq!(to_fhir("<ClinicalDocument").unwrap_err().code(), "ccda.syntax");
    /// assert_eq!(to_fhir("<x/>").unwrap_err().code(), "ccda.shape");
    /// assert_eq!(CcdaError::TooLarge { size: 2, max: 1 }.code(), "ccda.size");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            CcdaError::TooLarge { .. } | CcdaError::TooDeep { .. } => "ccda.size",
            CcdaError::NotUtf8 { .. } | CcdaError::Xml { .. } => "ccda.syntax",
            CcdaError::Doctype { .. } => "ccda.doctype",
            CcdaError::NotClinicalDocument => "ccda.shape",
            CcdaError::Fhir(_) => "internal",
        }
    }

    /// Where in the input the error is, as 1-based (line, column), when it has a position.
    ///
    /// # Example
    /// ```
    /// let err = emr_core::ccda::to_fhir("<ClinicalDocument>\n  <a></b>").unwrap_err();
    /// assert_eq!(err.position(), Some((2, 6)));
    /// ```
    pub fn position(&self) -> Option<(u32, u32)> {
        match self {
            CcdaError::Doctype { line, column }
            | CcdaError::Xml { line, column, .. }
            | CcdaError::TooDeep { line, column, .. } => Some((*line, *column)),
            _ => None,
        }
    }
}
