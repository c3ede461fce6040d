//! UCUM, the Unified Code for Units of Measure (case-sensitive form): a real
//! parser of the grammar, the table of unit atoms from the specification, and
//! conversion between commensurable units.
//!
//! * [`Unit::parse`] parses an expression such as `mg/dL`, `10*3/uL`,
//!   `mm[Hg]`, `/min`, `{beats}/min` or `mL/min/{1.73_m2}` and reduces it to
//!   a factor and a [`Dimension`] over the seven UCUM base units.
//! * [`convert`] converts a value between commensurable units, with the
//!   offsets of `Cel`, `[degF]` and `[degRe]`.
//! * [`convert_analyte`] adds the molar masses of a few analytes, to convert
//!   `mg/dL` ↔ `mmol/L`, and the HbA1c NGSP ↔ IFCC equation.
//!
//! Errors ([`UcumError`]) give a kind and a byte offset; their messages never
//! repeat the expression. Expressions longer than [`MAX_LEN`] bytes,
//! exponents beyond ±[`MAX_EXPONENT`] and parentheses nested deeper than
//! [`MAX_DEPTH`] are refused, so every input is parsed quickly and without
//! panicking.
//!
//! Not implemented: the case-insensitive form (`MG/DL`), and the special
//! units defined by a square root (`[m/s2/Hz^(1/2)]`).
//!
//! # Example
//!
//! ```
//! use emr_core::codes::ucum::{convert, Unit};
//!
//! let mg_dl = Unit::parse("mg/dL")?;
//! let g_l = Unit::parse("g/L")?;
//! assert_eq!(mg_dl.dimension(), g_l.dimension());
//! assert!((convert(180.0, &mg_dl, &g_l).unwrap() - 1.8).abs() < 1e-12);
//!
//! let err = Unit::parse("mcg").unwrap_err();
//! assert_eq!(err.to_string(), "unknown unit atom at byte 0");
//! # Ok::<(), emr_core::codes::ucum::UcumError>(())
//! ```

mod analyte;
mod atoms;
mod canonical;
mod convert;
mod dimension;
mod error;
mod parser;
mod prefix;
mod table;

use core::fmt;
use core::str::FromStr;

pub use analyte::convert_analyte;
pub use convert::{convert, ConvertError};
pub use dimension::{BaseUnit, Dimension};
pub use error::{UcumError, UcumErrorKind};
pub use parser::{MAX_DEPTH, MAX_EXPONENT, MAX_LEN};

use canonical::Canonical;

/// A parsed UCUM expression, reduced to base units.
///
/// Two units are commensurable when their dimensions agree (and, for
/// arbitrary units such as `[IU]`, the arbitrary units agree too). Equality
/// (`==`) compares the expression text and its reduction; to compare
/// meanings, compare dimensions and [`Unit::factor`], or convert.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::Unit;
///
/// let unit: Unit = "10*9/L".parse()?;
/// assert_eq!(unit.as_str(), "10*9/L");
/// assert_eq!(unit.dimension().exponents(), [-3, 0, 0, 0, 0, 0, 0]);
/// assert!((unit.factor() - 1e12).abs() < 1.0);
/// # Ok::<(), emr_core::codes::ucum::UcumError>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    expr: String,
    canonical: Canonical,
}

impl Unit {
    /// Parses a case-sensitive UCUM expression.
    ///
    /// # Errors
    ///
    /// A [`UcumError`] with the kind of problem and its byte offset: empty or
    /// too long input, an unexpected character, an unknown atom, a prefix on a
    /// non-metric atom, a bad or missing exponent, an unclosed annotation,
    /// bracket or parenthesis, or a magnitude out of range.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::{Unit, UcumErrorKind};
    ///
    /// assert!(Unit::parse("mL/min/{1.73_m2}").is_ok());
    /// assert!(Unit::parse("{score}").unwrap().dimension().is_dimensionless());
    /// assert_eq!(Unit::parse("k[in_i]").unwrap_err().kind, UcumErrorKind::PrefixOnNonMetric);
    /// assert_eq!(Unit::parse("kg//m").unwrap_err().kind, UcumErrorKind::MissingComponent);
    /// assert_eq!(Unit::parse("10*").unwrap_err().kind, UcumErrorKind::MissingExponent);
    /// ```
    pub fn parse(expr: &str) -> Result<Unit, UcumError> {
        let canonical = parser::parse(expr, table::table())?;
        Ok(Unit { expr: expr.to_owned(), canonical })
    }

    /// The expression as given.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert_eq!(Unit::parse("mm[Hg]").unwrap().as_str(), "mm[Hg]");
    /// ```
    pub fn as_str(&self) -> &str {
        &self.expr
    }

    /// The exponents of the seven base units.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::{BaseUnit, Unit};
    ///
    /// let pressure = Unit::parse("mm[Hg]").unwrap().dimension();
    /// assert_eq!(pressure, Unit::parse("kPa").unwrap().dimension());
    /// assert_eq!(pressure.exponent(BaseUnit::Gram), 1);
    /// ```
    pub fn dimension(&self) -> Dimension {
        self.canonical.dim
    }

    /// The magnitude in base units (`m s g rad K C cd`): 1e-3 for `mg`,
    /// 0.01 for `%`, 6.0221367e23 for `mol`. For a special unit such as
    /// `Cel`, the size of one degree.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert!((Unit::parse("[in_i]").unwrap().factor() - 0.0254).abs() < 1e-15);
    /// ```
    pub fn factor(&self) -> f64 {
        self.canonical.factor
    }

    /// True when the expression uses a special (non-ratio) unit: `Cel`,
    /// `[degF]`, `[degRe]` (scales with an offset) or a logarithmic or other
    /// non-linear unit (`[pH]`, `B`, `Np`, `[p'diop]`).
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert!(Unit::parse("Cel").unwrap().is_special());
    /// assert!(Unit::parse("[pH]").unwrap().is_special());
    /// assert!(!Unit::parse("K").unwrap().is_special());
    /// ```
    pub fn is_special(&self) -> bool {
        self.canonical.specials > 0
    }

    /// True when the expression uses an arbitrary unit (`[IU]`, `[CFU]`,
    /// `[arb'U]`), which converts only to the same arbitrary unit.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert!(Unit::parse("[IU]/L").unwrap().is_arbitrary());
    /// assert!(!Unit::parse("U/L").unwrap().is_arbitrary());
    /// ```
    pub fn is_arbitrary(&self) -> bool {
        !self.canonical.arbitrary.is_empty()
    }

    /// True when a value in this unit can be converted to `other` with
    /// [`convert`].
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// let u = |s| Unit::parse(s).unwrap();
    /// assert!(u("[lb_av]").is_commensurable(&u("kg")));
    /// assert!(u("Cel").is_commensurable(&u("[degF]")));
    /// assert!(!u("mg/dL").is_commensurable(&u("mmol/L")));
    /// ```
    pub fn is_commensurable(&self, other: &Unit) -> bool {
        convert::convert_canonical(1.0, &self.canonical, &other.canonical).is_ok()
    }
}

impl FromStr for Unit {
    type Err = UcumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Unit::parse(s)
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.expr)
    }
}

/// The code of every unit atom in the table, in table order.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::atom_codes;
///
/// assert!(atom_codes().any(|code| code == "[lb_av]"));
/// assert!(atom_codes().count() > 250);
/// ```
pub fn atom_codes() -> impl Iterator<Item = &'static str> {
    atoms::all().map(|atom| atom.code)
}

/// The name of the unit atom `code` (exact, case-sensitive), as the UCUM
/// table gives it; `None` if `code` is not an atom. Prefixed atoms (`mg`) are
/// not atoms.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::atom_name;
///
/// assert_eq!(atom_name("[lb_av]"), Some("pound"));
/// assert_eq!(atom_name("Cel"), Some("degree Celsius"));
/// assert_eq!(atom_name("mg"), None);
/// ```
pub fn atom_name(code: &str) -> Option<&'static str> {
    use table::AtomSource;
    let table = table::table();
    table.find(code).and_then(|i| table.def(i)).map(|atom| atom.name)
}

#[cfg(test)]
mod tests;
