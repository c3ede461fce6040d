//! Why a UCUM expression does not parse, and where.

use core::fmt;

use super::parser::{MAX_DEPTH, MAX_EXPONENT, MAX_LEN};

/// A UCUM parse error: what went wrong and at which byte.
///
/// The message (`Display`) names the problem and the byte offset only; it
/// never quotes the expression.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::{Unit, UcumErrorKind};
///
/// let err = Unit::parse("mg/dl/xyz").unwrap_err();
/// assert_eq!(err.kind, UcumErrorKind::UnknownAtom);
/// assert_eq!(err.offset, 6);
/// assert_eq!(err.to_string(), "unknown unit atom at byte 6");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct UcumError {
    /// What went wrong.
    pub kind: UcumErrorKind,
    /// 0-based byte offset in the expression where the problem starts.
    pub offset: usize,
}

impl UcumError {
    pub(crate) fn new(kind: UcumErrorKind, offset: usize) -> Self {
        UcumError { kind, offset }
    }
}

/// The kind of a [`UcumError`].
///
/// `Display` gives a lower-case message without a final period;
/// [`UcumErrorKind::rule`] the rule as a sentence for findings.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UcumErrorKind {
    /// The expression is empty.
    Empty,
    /// The expression is longer than 1000 bytes.
    TooLong,
    /// A character that cannot appear here (white space, non-ASCII, a stray
    /// `}` or `{`, an exponent after a parenthesis, …).
    UnexpectedChar,
    /// A symbol that is not a unit atom, nor a prefix followed by a metric
    /// atom (`mcg`, `kilogram`, `TAB`).
    UnknownAtom,
    /// A prefix on a non-metric atom (`k[in_i]`, `kh`).
    PrefixOnNonMetric,
    /// An exponent that is malformed (a sign without digits) or beyond ±99.
    BadExponent,
    /// `10*` or `10^` without the exponent that gives the power of ten.
    MissingExponent,
    /// An operator (`.` or `/`) not followed by a unit, or an empty
    /// parenthesis (`kg//m`, `kg.`, `()`).
    MissingComponent,
    /// An annotation `{…` without its closing brace.
    UnclosedAnnotation,
    /// An annotation holding a character outside printable ASCII (33–126),
    /// such as a space or a letter with an accent, or a nested `{`.
    AnnotationChar,
    /// A square bracket `[…` without its closing bracket, or a bracket holding
    /// a character outside printable ASCII.
    UnclosedBracket,
    /// A `]` without an opening `[`.
    UnmatchedBracket,
    /// A parenthesis without its partner.
    UnmatchedParenthesis,
    /// Parentheses nested more than 32 deep.
    TooDeep,
    /// The unit's magnitude is zero (a factor `0`) or beyond the range of a
    /// 64-bit float (`10*99.10*99.10*99.10*99`).
    OutOfRange,
}

impl UcumErrorKind {
    /// The rule that was broken, as a sentence for a finding. Never contains
    /// the expression.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::UcumErrorKind;
    ///
    /// assert_eq!(
    ///     UcumErrorKind::UnknownAtom.rule(),
    ///     "unit code is not UCUM: a symbol is not a UCUM unit atom (with an optional metric prefix)"
    /// );
    /// ```
    pub fn rule(self) -> &'static str {
        match self {
            UcumErrorKind::Empty => "unit code is not UCUM: it is empty",
            UcumErrorKind::TooLong => "unit code is not UCUM here: it is longer than 1000 bytes",
            UcumErrorKind::UnexpectedChar => "unit code is not UCUM: it has a character that UCUM does not allow there",
            UcumErrorKind::UnknownAtom => {
                "unit code is not UCUM: a symbol is not a UCUM unit atom (with an optional metric prefix)"
            }
            UcumErrorKind::PrefixOnNonMetric => "unit code is not UCUM: a prefix is applied to a non-metric unit",
            UcumErrorKind::BadExponent => "unit code is not UCUM: an exponent is malformed or beyond +/-99",
            UcumErrorKind::MissingExponent => "unit code is not UCUM: 10* or 10^ must be followed by an exponent",
            UcumErrorKind::MissingComponent => "unit code is not UCUM: an operator or parenthesis has no unit after it",
            UcumErrorKind::UnclosedAnnotation => "unit code is not UCUM: an annotation is not closed",
            UcumErrorKind::AnnotationChar => {
                "unit code is not UCUM: an annotation may hold only printable ASCII without spaces or braces"
            }
            UcumErrorKind::UnclosedBracket => {
                "unit code is not UCUM: a square bracket is not closed or holds a character outside printable ASCII"
            }
            UcumErrorKind::UnmatchedBracket => "unit code is not UCUM: a closing square bracket has no opening one",
            UcumErrorKind::UnmatchedParenthesis => "unit code is not UCUM: parentheses are not balanced",
            UcumErrorKind::TooDeep => "unit code is not UCUM here: parentheses are nested too deep",
            UcumErrorKind::OutOfRange => {
                "unit code is not usable: its magnitude is zero or out of floating-point range"
            }
        }
    }
}

impl fmt::Display for UcumErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UcumErrorKind::Empty => f.write_str("empty unit expression"),
            UcumErrorKind::TooLong => write!(f, "unit expression longer than {MAX_LEN} bytes"),
            UcumErrorKind::UnexpectedChar => f.write_str("unexpected character"),
            UcumErrorKind::UnknownAtom => f.write_str("unknown unit atom"),
            UcumErrorKind::PrefixOnNonMetric => f.write_str("prefix on a non-metric unit"),
            UcumErrorKind::BadExponent => {
                write!(f, "malformed exponent or exponent beyond -{MAX_EXPONENT}..{MAX_EXPONENT}")
            }
            UcumErrorKind::MissingExponent => f.write_str("10* or 10^ without an exponent"),
            UcumErrorKind::MissingComponent => f.write_str("missing unit after operator"),
            UcumErrorKind::UnclosedAnnotation => f.write_str("unclosed annotation"),
            UcumErrorKind::AnnotationChar => f.write_str("annotation character outside printable ASCII 33-126"),
            UcumErrorKind::UnclosedBracket => f.write_str("unclosed or invalid square bracket"),
            UcumErrorKind::UnmatchedBracket => f.write_str("unmatched closing square bracket"),
            UcumErrorKind::UnmatchedParenthesis => f.write_str("unmatched parenthesis"),
            UcumErrorKind::TooDeep => write!(f, "parentheses nested deeper than {MAX_DEPTH}"),
            UcumErrorKind::OutOfRange => f.write_str("unit magnitude zero or out of range"),
        }
    }
}
