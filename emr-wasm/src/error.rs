//! The one error type of the bindings, thrown to JS as an `Error` named `EmrError` with a stable
//! `code` (see [`ErrorCode`]) and a message that names the argument and the rule, never a value
//! taken from the input.
//!
//! Just over 400 lines: the error table, the TypeScript it generates and the tests that check every
//! emr-core error code maps to a package code stay together.

use std::fmt;

/// The error table: each code's variant, its string as JS sees it, and its meaning. The enum,
/// [`ErrorCode::ALL`], [`ErrorCode::as_str`] and the TypeScript union `EmrErrorCode` in
/// [`ERROR_TS`] are all generated from it, so they cannot disagree.
macro_rules! error_table {
    ($($(#[doc = $doc:literal])+ $variant:ident => $code:literal,)+) => {
        /// The stable code of an [`Error`], as `error.code` in JS.
        ///
        /// Codes are never reused for another meaning; new ones may be added (the TS union grows).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorCode {
            $($(#[doc = $doc])+ $variant,)+
        }

        impl ErrorCode {
            /// Every code, in documentation order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),+];

            /// The code as JS sees it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $code,)+
                }
            }
        }

        /// The TypeScript declarations of the error, emitted into the package's `.d.ts`.
        // The `typescript_custom_section` in lib.rs embeds it in a way rustc does not count as a use.
        #[allow(dead_code)]
        pub const ERROR_TS: &str = concat!(
            "\n/** The stable `code` of an {@link EmrError}. */\nexport type EmrErrorCode =",
            $(" | \"", $code, "\"",)+
            ";\n\n/** What every function of this package throws: an `Error` with `name` \"EmrError\" and a stable `code`.\n",
            " * Messages name the argument and the rule, never a patient's values. */\n",
            "export interface EmrError extends Error {\n  name: \"EmrError\";\n  code: EmrErrorCode;\n",
            "  /** Where in the input text the error is (1-based), for errors that have a position (`ccda.syntax`, `ccda.doctype`, `ccda.size` of nesting). */\n",
            "  line?: number;\n  /** The column (1-based, in characters) of `line`. */\n  column?: number;\n}\n"
        );
    };
}

error_table! {
    /// An argument has the wrong JS type (e.g. a number where a record or a string is expected).
    InputType => "input.type",
    /// The record text is not JSON.
    RecordSyntax => "record.syntax",
    /// The record is JSON but not an emr record (see `schemas/record.schema.json`).
    RecordShape => "record.shape",
    /// `now` is not an RFC 3339 date-time or a valid `Date`.
    NowSyntax => "now.syntax",
    /// A time argument other than `now` (`options.timestamp` of an export, `recorded` of a
    /// decision or a new entry) is not an RFC 3339 date-time or a valid `Date`.
    TimestampSyntax => "timestamp.syntax",
    /// The FHIR input is not JSON.
    FhirSyntax => "fhir.syntax",
    /// The FHIR input is JSON but not a FHIR resource (no string `resourceType`).
    FhirShape => "fhir.shape",
    /// The record has no patient, and the operation needs one (IPS, patient bundle).
    RecordPatientMissing => "record.patient.missing",
    /// The records may describe different patients; merge them only with `force`.
    MergeIdentity => "merge.identity",
    /// The bundle key is unusable: no passphrase nor recipients, a recipient that is not an age
    /// public key, an identity that is not an age secret key, or a bad work factor.
    BundleKey => "bundle.key",
    /// The passphrase or identity does not open this bundle.
    BundlePassphrase => "bundle.passphrase",
    /// The bytes are not an age-encrypted file.
    BundleFormat => "bundle.format",
    /// The bundle is truncated or altered, or its content is not a patient bundle.
    BundleCorrupt => "bundle.corrupt",
    /// The bundle asks for more passphrase work (scrypt) than is safe to spend.
    BundleWork => "bundle.work",
    /// The text is not a SMART Health Link, or its payload is not valid.
    ShlLink => "shl.link",
    /// A SMART Health Link key is not 32 bytes (43 base64url characters).
    ShlKey => "shl.key",
    /// A SMART Health Link label is longer than 80 characters.
    ShlLabel => "shl.label",
    /// A SMART Health Link URL is not an absolute http(s) URL, or is longer than 128 characters.
    ShlUrl => "shl.url",
    /// SMART Health Link flags `U` and `P` together.
    ShlFlags => "shl.flags",
    /// A SMART Health Link of a version this package does not read.
    ShlVersion => "shl.version",
    /// The SMART Health Link has expired.
    ShlExpired => "shl.expired",
    /// A file is not a SMART Health Link JWE (`dir` + `A256GCM`), or is truncated.
    ShlFile => "shl.file",
    /// The file does not decrypt with the link's key: wrong key, or altered.
    ShlDecrypt => "shl.decrypt",
    /// A file inflates beyond the size limit.
    ShlSize => "shl.size",
    /// The manifest is not a SMART Health Links manifest.
    ShlManifest => "shl.manifest",
    /// A manifest request without a recipient.
    ShlRequest => "shl.request",
    /// The C-CDA input is larger than the importer reads, or its elements nest too deep.
    CcdaSize => "ccda.size",
    /// The C-CDA input is not UTF-8, or not well-formed XML (`line` and `column` say where).
    CcdaSyntax => "ccda.syntax",
    /// The C-CDA input has a DOCTYPE: DTDs (and so external entities) are refused.
    CcdaDoctype => "ccda.doctype",
    /// The input is XML but not a C-CDA document (an HL7 v3 `ClinicalDocument`).
    CcdaShape => "ccda.shape",
    /// A draft's `code` is not `SYSTEM|CODE`.
    DraftCode => "draft.code",
    /// A draft's `date` is not a FHIR date or dateTime.
    DraftDate => "draft.date",
    /// A draft's `abatement` is not a FHIR date or dateTime.
    DraftAbatement => "draft.abatement",
    /// A draft's `value` is not a decimal number.
    DraftValue => "draft.value",
    /// A draft has a `unit` without a `value`.
    DraftUnit => "draft.unit",
    /// A draft has a field its kind does not have (e.g. `criticality` of a condition).
    DraftField => "draft.field",
    /// A Patient resource given as an entry: it is the record's patient.
    AddPatient => "add.patient",
    /// The source already has an entry with this id; add it with `newVersion` as its next version.
    AddExists => "add.exists",
    /// The new entry has validation errors; add it anyway with `allowInvalid`.
    AddInvalid => "add.invalid",
    /// The source id of a new entry is empty.
    AddSource => "add.source",
    /// No conflict of the record's view has this id.
    ReconcileConflict => "reconcile.conflict",
    /// The conflict is already settled by a clinician's decision.
    ReconcileSettled => "reconcile.settled",
    /// The conflict has no side with this number.
    ReconcileSide => "reconcile.side",
    /// An edited resource of another type than the disputed one.
    ReconcileType => "reconcile.type",
    /// A decision that settles no entry.
    ReconcileSettles => "reconcile.settles",
    /// A decision names an entry the record lacks.
    ReconcileEntry => "reconcile.entry",
    /// A decision whose source is not a clinician.
    ReconcileClinician => "reconcile.clinician",
    /// A bug in emr: a result could not be handed to JS.
    Internal => "internal",
}

impl ErrorCode {
    /// The code of an emr-core error's `code()` (what core and package share), `Internal` for a
    /// code the package does not expose.
    pub fn of_core(code: &str) -> ErrorCode {
        ErrorCode::ALL.iter().copied().find(|c| c.as_str() == code).unwrap_or(ErrorCode::Internal)
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

    /// An entry that was not added (a draft that makes no resource, a taken id, validation
    /// errors); `argument` names what was given. emr-core's messages name the field and the rule.
    pub fn add(argument: &str, e: &emr_core::validate::AddError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), format!("{argument}: {e}"))
    }

    /// A clinician's decision that could not be recorded.
    pub fn reconcile(e: &emr_core::merge::ReconcileError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), format!("decision: {e}"))
    }

    /// A FHIR resource argument that is not one; `argument` names it. emr-core's messages give
    /// the problem and its position, never the input's content.
    pub fn resource(argument: &str, e: &emr_core::model::ResourceError) -> Error {
        Error::new(ErrorCode::of_core(e.code()), format!("{argument}: {e}"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ts_union_lists_every_code() {
        let union: Vec<String> = ErrorCode::ALL.iter().map(|c| format!("\"{}\"", c.as_str())).collect();
        let expected = format!("export type EmrErrorCode = | {};", union.join(" | "));
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
        for code in S::CODES {
            assert_ne!(ErrorCode::of_core(code), ErrorCode::Internal, "{code}");
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
        use emr_core::clinical::DraftError as D;
        use emr_core::validate::AddError as A;
        for e in [
            A::Draft(D::Code),
            A::Draft(D::Value),
            A::Draft(D::UnitWithoutValue),
            A::Draft(D::NotFor { field: "criticality", kind: "condition" }),
            A::Draft(D::Date { field: "date", source: emr_core::model::DateError::Syntax }),
            A::Draft(D::Date { field: "abatement", source: emr_core::model::DateError::Syntax }),
            A::Patient,
            A::Exists,
            A::Invalid { errors: 1 },
            A::Source,
        ] {
            assert_ne!(ErrorCode::of_core(e.code()), ErrorCode::Internal, "{e}");
        }
        use emr_core::merge::ReconcileError as R;
        for e in [
            R::NothingSettled,
            R::UnknownEntry(String::new()),
            R::NotAClinician,
            R::UnknownConflict,
            R::AlreadySettled,
            R::UnknownSide { side: 0, sides: 2 },
            R::EditType { edited: String::new(), disputed: String::new() },
        ] {
            assert_ne!(ErrorCode::of_core(e.code()), ErrorCode::Internal, "{e}");
        }
        assert_eq!(ErrorCode::of_core(emr_core::model::ResourceError::NotAnObject.code()), ErrorCode::FhirShape);
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
