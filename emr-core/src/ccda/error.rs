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
    /// The error's stable code: `ccda.size` (too large), `ccda.syntax` (not UTF-8, a DOCTYPE, not
    /// well-formed, nested too deep), `ccda.shape` (not a `ClinicalDocument`), or the code of the
    /// FHIR import error.
    ///
    /// # Example
    /// ```
    /// let e = emr_core::ccda::to_fhir("<ClinicalDocument").unwrap_err();
    /// assert_eq!(e.code(), "ccda.syntax");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            CcdaError::TooLarge { .. } => "ccda.size",
            CcdaError::NotUtf8 { .. }
            | CcdaError::Doctype { .. }
            | CcdaError::Xml { .. }
            | CcdaError::TooDeep { .. } => "ccda.syntax",
            CcdaError::NotClinicalDocument => "ccda.shape",
            CcdaError::Fhir(e) => e.code(),
        }
    }
}
