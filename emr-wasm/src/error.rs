//! The one error type of the bindings, thrown to JS as an `Error` named `EmrError` with a stable
//! `code` (see [`ErrorCode`]) and a message that names the argument and the rule, never a value
//! taken from the input.

use std::fmt;

/// The stable code of an [`Error`], as `error.code` in JS.
///
/// Codes are never reused for another meaning; new ones may be added (the TS union grows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// An argument has the wrong JS type (e.g. a number where a record or a string is expected).
    InputType,
    /// The record text is not JSON.
    RecordSyntax,
    /// The record is JSON but not an emr record (see `schemas/record.schema.json`).
    RecordShape,
    /// `now` is not an RFC 3339 date-time or a valid `Date`.
    NowSyntax,
    /// `options.timestamp` of an export is not an RFC 3339 date-time or a valid `Date`.
    TimestampSyntax,
    /// The FHIR input is not JSON.
    FhirSyntax,
    /// The FHIR input is JSON but not a FHIR resource (no string `resourceType`).
    FhirShape,
    /// The record has no patient, and the operation needs one (IPS, patient bundle).
    RecordPatientMissing,
    /// The records may describe different patients; merge them only with `force`.
    MergeIdentity,
    /// The bundle key is unusable: no passphrase nor recipients, a recipient that is not an age
    /// public key, an identity that is not an age secret key, or a bad work factor.
    BundleKey,
    /// The passphrase or identity does not open this bundle.
    BundlePassphrase,
    /// The bytes are not an age-encrypted file.
    BundleFormat,
    /// The bundle is truncated or altered, or its content is not a patient bundle.
    BundleCorrupt,
    /// The bundle asks for more passphrase work (scrypt) than is safe to spend.
    BundleWork,
    /// The text is not a SMART Health Link, or its payload is not valid.
    ShlLink,
    /// A SMART Health Link key is not 32 bytes (43 base64url characters).
    ShlKey,
    /// A SMART Health Link label is longer than 80 characters.
    ShlLabel,
    /// A SMART Health Link URL is not an absolute http(s) URL, or is longer than 128 characters.
    ShlUrl,
    /// SMART Health Link flags `U` and `P` together.
    ShlFlags,
    /// A SMART Health Link of a version this package does not read.
    ShlVersion,
    /// The SMART Health Link has expired.
    ShlExpired,
    /// A file is not a SMART Health Link JWE (`dir` + `A256GCM`), or is truncated.
    ShlFile,
    /// The file does not decrypt with the link's key: wrong key, or altered.
    ShlDecrypt,
    /// A file inflates beyond the size limit.
    ShlSize,
    /// The manifest is not a SMART Health Links manifest.
    ShlManifest,
    /// A manifest request without a recipient.
    ShlRequest,
    /// The C-CDA input is larger than the importer reads, or its elements nest too deep.
    CcdaSize,
    /// The C-CDA input is not UTF-8, or not well-formed XML (`line` and `column` say where).
    CcdaSyntax,
    /// The C-CDA input has a DOCTYPE: DTDs (and so external entities) are refused.
    CcdaDoctype,
    /// The input is XML but not a C-CDA document (an HL7 v3 `ClinicalDocument`).
    CcdaShape,
    /// A bug in emr: a result could not be handed to JS.
    Internal,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InputType,
        ErrorCode::RecordSyntax,
        ErrorCode::RecordShape,
        ErrorCode::NowSyntax,
        ErrorCode::TimestampSyntax,
        ErrorCode::FhirSyntax,
        ErrorCode::FhirShape,
        ErrorCode::RecordPatientMissing,
        ErrorCode::MergeIdentity,
        ErrorCode::BundleKey,
        ErrorCode::BundlePassphrase,
        ErrorCode::BundleFormat,
        ErrorCode::BundleCorrupt,
        ErrorCode::BundleWork,
        ErrorCode::ShlLink,
        ErrorCode::ShlKey,
        ErrorCode::ShlLabel,
        ErrorCode::ShlUrl,
        ErrorCode::ShlFlags,
        ErrorCode::ShlVersion,
        ErrorCode::ShlExpired,
        ErrorCode::ShlFile,
        ErrorCode::ShlDecrypt,
        ErrorCode::ShlSize,
        ErrorCode::ShlManifest,
        ErrorCode::ShlRequest,
        ErrorCode::CcdaSize,
        ErrorCode::CcdaSyntax,
        ErrorCode::CcdaDoctype,
        ErrorCode::CcdaShape,
        ErrorCode::Internal,
    ];

    /// The code of an emr-core error's `code()` (what core and package share), `Internal` for a
    /// code the package does not expose.
    pub fn of_core(code: &str) -> ErrorCode {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code).unwrap_or(ErrorCode::Internal)
    }

    /// The code as JS sees it.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InputType => "input.type",
            ErrorCode::RecordSyntax => "record.syntax",
            ErrorCode::RecordShape => "record.shape",
            ErrorCode::NowSyntax => "now.syntax",
            ErrorCode::TimestampSyntax => "timestamp.syntax",
            ErrorCode::FhirSyntax => "fhir.syntax",
            ErrorCode::FhirShape => "fhir.shape",
            ErrorCode::RecordPatientMissing => "record.patient.missing",
            ErrorCode::MergeIdentity => "merge.identity",
            ErrorCode::BundleKey => "bundle.key",
            ErrorCode::BundlePassphrase => "bundle.passphrase",
            ErrorCode::BundleFormat => "bundle.format",
            ErrorCode::BundleCorrupt => "bundle.corrupt",
            ErrorCode::BundleWork => "bundle.work",
            ErrorCode::ShlLink => "shl.link",
            ErrorCode::ShlKey => "shl.key",
            ErrorCode::ShlLabel => "shl.label",
            ErrorCode::ShlUrl => "shl.url",
            ErrorCode::ShlFlags => "shl.flags",
            ErrorCode::ShlVersion => "shl.version",
            ErrorCode::ShlExpired => "shl.expired",
            ErrorCode::ShlFile => "shl.file",
            ErrorCode::ShlDecrypt => "shl.decrypt",
            ErrorCode::ShlSize => "shl.size",
            ErrorCode::ShlManifest => "shl.manifest",
            ErrorCode::ShlRequest => "shl.request",
            ErrorCode::CcdaSize => "ccda.size",
            ErrorCode::CcdaSyntax => "ccda.syntax",
            ErrorCode::CcdaDoctype => "ccda.doctype",
            ErrorCode::CcdaShape => "ccda.shape",
            ErrorCode::Internal => "internal",
        }
    }
}

/// An error of a binding call: a code and a message free of patient data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    /// 1-based line and column in the input, for errors that have one.
    position: Option<(u32, u32)>,
}

impl Error {
    /// An error with this code and message; the message must not contain input values.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Error {
        Error { code, message: message.into(), position: None }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The 1-based (line, column) in the input, for errors that have a position (`line` and
    /// `column` in JS).
    pub fn position(&self) -> Option<(u32, u32)> {
        self.position
    }

    /// An argument of the wrong JS type: `what` names the argument and what it must be.
    pub fn input_type(what: &str) -> Error {
        Error::new(ErrorCode::InputType, what)
    }

    /// A record that `serde_json` rejected; `stringified` when the text came from
    /// `JSON.stringify` of a record object rather than from the caller. serde's own message is
    /// dropped: it can quote input values (`invalid type: string "…"`); the category and the
    /// position are enough to act on.
    pub fn record(argument: &str, e: &serde_json::Error, stringified: bool) -> Error {
        use serde_json::error::Category;
        let at = if stringified {
            format!("at character {} of JSON.stringify({argument})", e.column())
        } else {
            format!("at line {}, column {}", e.line(), e.column())
        };
        match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                Error::new(ErrorCode::RecordSyntax, format!("{argument} is not valid JSON ({at})"))
            }
            Category::Data => Error::new(
                ErrorCode::RecordShape,
                format!(
                    "{argument} is not an emr record ({at}): a member has the wrong type or a required one \
                     is missing (see the EmrRecord type)"
                ),
            ),
        }
    }

    /// A FHIR input that could not be imported; `argument` names it. emr-core's messages give
    /// the problem and its position, never the input's content.
    pub fn import(argument: &str, e: &emr_core::fhir::ImportError) -> Error {
        use emr_core::fhir::ImportError;
        let message = match e {
            ImportError::Json(json) => format!("{argument} is not valid JSON: {json}"),
            _ => format!("{argument}: {e}"),
        };
        Error::new(ErrorCode::of_core(e.code()), message)
    }

    /// An IPS that could not be made.
    pub fn ips(e: &emr_core::fhir::IpsError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), e.to_string())
    }

    /// Records that were not merged. emr-core's message gives the identity score and the fields
    /// that disagreed, never their values.
    pub fn merge(e: &emr_core::merge::MergeError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), format!("{e} (merge option force: true)"))
    }

    /// A bundle that could not be sealed or opened; emr-core's messages carry no record content.
    pub fn bundle(e: &emr_core::bundle::BundleError) -> Error {
        match ErrorCode::of_core(e.code()) {
            ErrorCode::Internal => Error::internal(&e.to_string()),
            code => Error::new(code, e.to_string()),
        }
    }

    /// A SMART Health Link, manifest or file that could not be made or opened; emr-core's
    /// messages name the part and the rule, never a value.
    pub fn shl(e: &emr_core::shl::ShlError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), e.to_string())
    }

    /// A C-CDA input that could not be imported; `argument` names it. emr-core's messages give
    /// the problem and its position, never the input's content.
    pub fn ccda(argument: &str, e: &emr_core::ccda::CcdaError) -> Error {
        match ErrorCode::of_core(e.code()) {
            ErrorCode::Internal => Error::internal(&format!("{argument}: {e}")),
            code => Error { code, message: format!("{argument}: {e}"), position: e.position() },
        }
    }

    /// A failure to hand a result to JS (a bug, never the input's fault).
    pub fn internal(what: &str) -> Error {
        Error::new(ErrorCode::Internal, format!("{what}; this is a bug in emr, please report it"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.code.as_str())
    }
}

impl std::error::Error for Error {}

/// The TypeScript declarations of the error, emitted into the package's `.d.ts`.
/// A unit test checks that the union lists exactly [`ErrorCode::ALL`].
// The `typescript_custom_section` in lib.rs embeds it in a way rustc does not count as a use.
#[allow(dead_code)]
pub const ERROR_TS: &str = r#"
/** The stable `code` of an {@link EmrError}. */
export type EmrErrorCode = "input.type" | "record.syntax" | "record.shape" | "now.syntax" | "timestamp.syntax" | "fhir.syntax" | "fhir.shape" | "record.patient.missing" | "merge.identity" | "bundle.key" | "bundle.passphrase" | "bundle.format" | "bundle.corrupt" | "bundle.work" | "shl.link" | "shl.key" | "shl.label" | "shl.url" | "shl.flags" | "shl.version" | "shl.expired" | "shl.file" | "shl.decrypt" | "shl.size" | "shl.manifest" | "shl.request" | "ccda.size" | "ccda.syntax" | "ccda.doctype" | "ccda.shape" | "internal";

/** What every function of this package throws: an `Error` with `name` "EmrError" and a stable `code`.
 * Messages name the argument and the rule, never a patient's values. */
export interface EmrError extends Error {
  name: "EmrError";
  code: EmrErrorCode;
  /** Where in the input text the error is (1-based), for errors that have a position (`ccda.syntax`, `ccda.doctype`, `ccda.size` of nesting). */
  line?: number;
  /** The column (1-based, in characters) of `line`. */
  column?: number;
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ts_union_lists_every_code() {
        let union: Vec<String> = ErrorCode::ALL.iter().map(|c| format!("\"{}\"", c.as_str())).collect();
        let expected = format!("export type EmrErrorCode = {};", union.join(" | "));
        assert!(ERROR_TS.contains(&expected), "ERROR_TS must declare: {expected}");
    }

    #[test]
    fn codes_are_distinct_and_dotted_lower_case() {
        let mut seen = std::collections::BTreeSet::new();
        for code in ErrorCode::ALL {
            let s = code.as_str();
            assert!(seen.insert(s), "{s} twice");
            assert!(s.chars().all(|c| c.is_ascii_lowercase() || c == '.'), "{s}");
        }
    }

    #[test]
    fn core_error_codes_are_package_codes() {
        use emr_core::bundle::BundleError as B;
        for e in
            [B::NoKey, B::BadIdentity, B::NoPatient, B::NotAge, B::WrongKey, B::Corrupted, B::TooMuchWork, B::TooLarge]
        {
            assert_ne!(ErrorCode::of_core(e.code()), ErrorCode::Internal, "{e}");
        }
        assert_eq!(ErrorCode::of_core(B::WrongKey.code()), ErrorCode::BundlePassphrase);
        assert_eq!(ErrorCode::of_core(emr_core::fhir::ImportError::NotAResource.code()), ErrorCode::FhirShape);
        assert_eq!(ErrorCode::of_core(emr_core::fhir::IpsError::NoPatient.code()), ErrorCode::RecordPatientMissing);
        use emr_core::shl::ShlError as S;
        for e in [
            S::NotAShlink,
            S::Base64 { part: "JWE ciphertext" },
            S::Json { part: "manifest", reason: String::new() },
            S::Json { part: "manifest request", reason: String::new() },
            S::KeyLength { bytes: 0 },
            S::LabelTooLong { chars: 81 },
            S::BadUrl,
            S::FlagConflict,
            S::UnsupportedVersion { v: 2 },
            S::Expired { exp: 0 },
            S::JweParts { found: 1 },
            S::Decrypt,
            S::TooLarge { limit: 1 },
            S::MissingRecipient,
            S::ManifestFileEmpty { index: 0 },
        ] {
            assert_ne!(ErrorCode::of_core(e.code()), ErrorCode::Internal, "{e}");
        }
        assert_eq!(ErrorCode::of_core(S::Decrypt.code()), ErrorCode::ShlDecrypt);
        use emr_core::ccda::CcdaError as C;
        for e in [
            C::TooLarge { size: 2, max: 1 },
            C::NotUtf8 { offset: 0 },
            C::Doctype { line: 1, column: 1 },
            C::Xml { line: 1, column: 1, reason: String::new() },
            C::TooDeep { max: 1, line: 1, column: 1 },
            C::NotClinicalDocument,
        ] {
            assert_ne!(ErrorCode::of_core(e.code()), ErrorCode::Internal, "{e}");
        }
        let err = Error::ccda("ccda", &emr_core::ccda::to_fhir("<ClinicalDocument>\n <a></b>").unwrap_err());
        assert_eq!((err.code(), err.position()), (ErrorCode::CcdaSyntax, Some((2, 5))));
        assert_eq!(ErrorCode::of_core(S::Base64 { part: "shlink payload" }.code()), ErrorCode::ShlLink);
    }

    #[test]
    fn record_errors_never_quote_the_input() {
        let secret = "Alexis Toy";
        let text = format!(r#"{{"format":"{secret}"}}"#);
        let e = serde_json::from_str::<emr_core::model::Record>(&text).err().unwrap();
        let err = Error::record("recordJson", &e, false);
        assert_eq!(err.code(), ErrorCode::RecordShape);
        assert!(!err.message().contains("Alexis"), "{}", err.message());
        assert!(err.message().starts_with("recordJson is not an emr record (at line 1, column "), "{}", err.message());
        let err = Error::record("record", &e, true);
        assert!(err.message().starts_with("record is not an emr record (at character "), "{}", err.message());

        let e = serde_json::from_str::<emr_core::model::Record>(r#"{"format":1,"#).err().unwrap();
        assert_eq!(Error::record("recordJson", &e, false).code(), ErrorCode::RecordSyntax);
    }
}
