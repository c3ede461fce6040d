//! What one field contributed to an identity score: the field, how its values compared, and the weight.

use serde::{Deserialize, Serialize};

/// A demographic field compared by [`compare`](super::compare).
///
/// Listed in the order evidence is reported.
///
/// # Example
/// ```
/// use emr_core::merge::identity::IdentityField;
/// assert_eq!(serde_json::to_string(&IdentityField::BirthDate)?, r#""birth-date""#);
/// assert_eq!(IdentityField::BirthDate.as_str(), "birth-date");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum IdentityField {
    /// Given names (first and middle names).
    GivenName,
    /// Family name (surname).
    FamilyName,
    /// Date of birth.
    BirthDate,
    /// Administrative gender.
    Sex,
    /// The house number at the start of the first address line.
    StreetNumber,
    /// The rest of the first address line: the street name.
    Street,
    /// Further address lines (unit, building, property name).
    AddressLine,
    /// City, town or suburb.
    City,
    /// State or province.
    State,
    /// Postal code.
    Postcode,
    /// Phone number (digits only).
    Phone,
    /// Identifiers with a system (MRN, national id): decide, or are scored, see [`IdentifierUse`](super::IdentifierUse).
    Identifier,
}

impl IdentityField {
    /// Every field, in report order.
    pub const ALL: [IdentityField; 12] = [
        IdentityField::GivenName,
        IdentityField::FamilyName,
        IdentityField::BirthDate,
        IdentityField::Sex,
        IdentityField::StreetNumber,
        IdentityField::Street,
        IdentityField::AddressLine,
        IdentityField::City,
        IdentityField::State,
        IdentityField::Postcode,
        IdentityField::Phone,
        IdentityField::Identifier,
    ];

    /// The field's name as serialized (`given-name`, `birth-date`…).
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityField::GivenName => "given-name",
            IdentityField::FamilyName => "family-name",
            IdentityField::BirthDate => "birth-date",
            IdentityField::Sex => "sex",
            IdentityField::StreetNumber => "street-number",
            IdentityField::Street => "street",
            IdentityField::AddressLine => "address-line",
            IdentityField::City => "city",
            IdentityField::State => "state",
            IdentityField::Postcode => "postcode",
            IdentityField::Phone => "phone",
            IdentityField::Identifier => "identifier",
        }
    }
}

/// The coarse outcome of comparing one field: agree, partial, disagree, or missing on either side.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{Agreement, MatchLevel};
/// assert_eq!(MatchLevel::Nickname.agreement(), Agreement::Partial);
/// assert_eq!(serde_json::to_string(&Agreement::Partial)?, r#""partial""#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Agreement {
    /// The values are the same (after normalization).
    Agree,
    /// The values are close: a typo, a nickname, swapped fields, a transposed date…
    Partial,
    /// The values differ.
    Disagree,
    /// At least one side has no value: contributes nothing.
    Missing,
}

impl Agreement {
    /// The outcome's name as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Agree => "agree",
            Agreement::Partial => "partial",
            Agreement::Disagree => "disagree",
            Agreement::Missing => "missing",
        }
    }
}

/// How exactly two values of a field compared; each level has its own weight (see [`WEIGHTS`](super::WEIGHTS)).
///
/// # Example
/// ```
/// use emr_core::merge::identity::{Agreement, MatchLevel};
/// assert_eq!(MatchLevel::DayMonthSwapped.agreement(), Agreement::Partial);
/// assert_eq!(MatchLevel::Exact.as_str(), "exact");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum MatchLevel {
    /// Equal after normalization (case, accents, spacing and punctuation ignored).
    Exact,
    /// Given names: a known nickname (`bill` / `william`), or another of the given names used first.
    Nickname,
    /// Close spelling: a typo or transposition (Jaro–Winkler ≥ 0.9), or one part of a compound value.
    Typo,
    /// Names that sound alike (same Soundex or NYSIIS code) but are spelled differently.
    Phonetic,
    /// Given names: an initial that matches the other side's first letter.
    Initial,
    /// The values agree across two fields that were swapped (given ↔ family, street ↔ other line).
    Swapped,
    /// Birth dates: the same year with day and month transposed.
    DayMonthSwapped,
    /// Digits: one digit differs, or two adjacent digits are transposed.
    OneDigit,
    /// Birth dates: one side is partial (a year, or a year and month) and agrees as far as it goes.
    Compatible,
    /// The values differ.
    Different,
    /// A side has no value.
    Missing,
}

impl MatchLevel {
    /// Every level, in order.
    pub const ALL: [MatchLevel; 11] = [
        MatchLevel::Exact,
        MatchLevel::Nickname,
        MatchLevel::Typo,
        MatchLevel::Phonetic,
        MatchLevel::Initial,
        MatchLevel::Swapped,
        MatchLevel::DayMonthSwapped,
        MatchLevel::OneDigit,
        MatchLevel::Compatible,
        MatchLevel::Different,
        MatchLevel::Missing,
    ];

    /// The coarse outcome of this level.
    pub fn agreement(self) -> Agreement {
        match self {
            MatchLevel::Exact => Agreement::Agree,
            MatchLevel::Different => Agreement::Disagree,
            MatchLevel::Missing => Agreement::Missing,
            MatchLevel::Nickname
            | MatchLevel::Typo
            | MatchLevel::Phonetic
            | MatchLevel::Initial
            | MatchLevel::Swapped
            | MatchLevel::DayMonthSwapped
            | MatchLevel::OneDigit
            | MatchLevel::Compatible => Agreement::Partial,
        }
    }

    /// The level's name as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchLevel::Exact => "exact",
            MatchLevel::Nickname => "nickname",
            MatchLevel::Typo => "typo",
            MatchLevel::Phonetic => "phonetic",
            MatchLevel::Initial => "initial",
            MatchLevel::Swapped => "swapped",
            MatchLevel::DayMonthSwapped => "day-month-swapped",
            MatchLevel::OneDigit => "one-digit",
            MatchLevel::Compatible => "compatible",
            MatchLevel::Different => "different",
            MatchLevel::Missing => "missing",
        }
    }
}

/// One field's contribution to an [`IdentityScore`](super::IdentityScore).
///
/// Names the field and how it compared, never the values compared.
///
/// # Example
/// ```
/// use emr_core::merge::identity::{Agreement, IdentityField};
/// use emr_core::model::{Demographics, HumanName};
/// let ana = Demographics {
///     names: vec![HumanName { family: Some("Rivera".into()), given: vec!["Ana".into()], ..HumanName::default() }],
///     ..Demographics::default()
/// };
/// let result = emr_core::merge::identity::compare(&ana, &ana);
/// let family = result.evidence.iter().find(|e| e.field == IdentityField::FamilyName).unwrap();
/// assert_eq!(family.outcome, Agreement::Agree);
/// assert!(family.weight > 0.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct IdentityEvidence {
    /// The field compared.
    pub field: IdentityField,
    /// Agree, partial, disagree or missing.
    pub outcome: Agreement,
    /// The finer comparison level behind the outcome.
    pub level: MatchLevel,
    /// The contribution to the score in bits: log2 of the likelihood ratio
    /// P(level | same person) / P(level | different people). Zero when missing.
    pub weight: f64,
}

impl IdentityEvidence {
    /// Evidence for `field` at `level`, weighted from [`WEIGHTS`](super::WEIGHTS).
    pub(crate) fn scored(field: IdentityField, level: MatchLevel) -> IdentityEvidence {
        IdentityEvidence { field, outcome: level.agreement(), level, weight: super::weights::weight(field, level) }
    }

    /// Evidence that is reported but not scored (identifiers that decide instead).
    pub(crate) fn unscored(field: IdentityField, level: MatchLevel) -> IdentityEvidence {
        IdentityEvidence { field, outcome: level.agreement(), level, weight: 0.0 }
    }
}
