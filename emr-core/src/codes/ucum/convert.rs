//! Converting a value between commensurable units.

use super::canonical::{Canonical, SpecialKind, SpecialUse};
use super::Unit;

/// Why a value cannot be converted between two units.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::{convert, ConvertError, Unit};
///
/// let kg = Unit::parse("kg").unwrap();
/// let m = Unit::parse("m").unwrap();
/// assert_eq!(convert(1.0, &kg, &m), Err(ConvertError::Incommensurable));
/// assert_eq!(ConvertError::Incommensurable.to_string(), "units have different dimensions");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum ConvertError {
    /// The units have different dimensions (`kg` and `m`; also `mg/dL` and
    /// `mmol/L`, which need the analyte's molar mass, see
    /// [`convert_analyte`](super::convert_analyte)).
    #[error("units have different dimensions")]
    Incommensurable,
    /// An arbitrary unit (`[IU]`, `[CFU]`) converts only to itself.
    #[error("arbitrary units convert only to the same arbitrary unit")]
    Arbitrary,
    /// A special unit (`Cel`, `[degF]`, `[pH]`, `B`) is raised to a power or
    /// combined with other units (`Cel/h`), where it has no ratio meaning.
    #[error("special unit used inside a larger term")]
    SpecialInTerm,
    /// A non-linear special unit (`[pH]`, `B[V]`, `Np`) converts only to
    /// itself, with another prefix.
    #[error("non-linear special unit converts only to itself")]
    NonLinear,
    /// The value, or the result, is not a finite number.
    #[error("value is not a finite number")]
    NotFinite,
}

/// Converts `value` from unit `from` to unit `to`.
///
/// Ratio units scale (`mg` to `g`); temperatures on the Celsius, Fahrenheit
/// and Réaumur scales also shift by their offset (`Cel` to `[degF]`);
/// annotations are ignored (`{beats}/min` is `/min`).
///
/// # Errors
///
/// [`ConvertError`] when the dimensions differ, an arbitrary unit meets
/// another unit, a special unit is used inside a term or is non-linear, or the
/// value or the result is not finite.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::{convert, Unit};
///
/// let u = |s| Unit::parse(s).unwrap();
/// let kg = convert(154.0, &u("[lb_av]"), &u("kg")).unwrap();
/// assert!((kg - 69.853_225).abs() < 1e-6);
/// let f = convert(37.0, &u("Cel"), &u("[degF]")).unwrap();
/// assert!((f - 98.6).abs() < 1e-9);
/// assert!((convert(14.2, &u("g/dL"), &u("g/L")).unwrap() - 142.0).abs() < 1e-9);
/// ```
pub fn convert(value: f64, from: &Unit, to: &Unit) -> Result<f64, ConvertError> {
    convert_canonical(value, &from.canonical, &to.canonical)
}

pub(crate) fn convert_canonical(value: f64, from: &Canonical, to: &Canonical) -> Result<f64, ConvertError> {
    if !value.is_finite() {
        return Err(ConvertError::NotFinite);
    }
    if from.dim != to.dim {
        return Err(ConvertError::Incommensurable);
    }
    if from.arbitrary != to.arbitrary {
        return Err(ConvertError::Arbitrary);
    }
    let from_special = plain_special(from)?;
    let to_special = plain_special(to)?;
    let nonlinear = |s: Option<SpecialUse>| s.is_some_and(|s| s.kind == SpecialKind::NonLinear);
    if nonlinear(from_special) || nonlinear(to_special) {
        return match (from_special, to_special) {
            // The prefix of a level unit scales the measured value: 10 dB = 1 B.
            (Some(f), Some(t)) if f.atom == t.atom => finite(value * f.prefix / t.prefix),
            _ => Err(ConvertError::NonLinear),
        };
    }
    let offset = |s: Option<SpecialUse>| match s.map(|s| s.kind) {
        Some(SpecialKind::Affine { offset }) => offset,
        _ => 0.0,
    };
    let base = value * from.factor + offset(from_special);
    finite((base - offset(to_special)) / to.factor)
}

/// The special unit of a term that is exactly one special atom (with a
/// prefix and annotations allowed), `None` for a term without special units.
fn plain_special(term: &Canonical) -> Result<Option<SpecialUse>, ConvertError> {
    match (term.specials, term.special) {
        (0, _) => Ok(None),
        (1, Some(special)) if term.components == 1 && special.exponent == 1 => Ok(Some(special)),
        _ => Err(ConvertError::SpecialInTerm),
    }
}

fn finite(value: f64) -> Result<f64, ConvertError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(ConvertError::NotFinite)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Unit {
        Unit::parse(s).unwrap()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn temperatures() {
        assert!(close(convert(0.0, &u("Cel"), &u("K")).unwrap(), 273.15));
        assert!(close(convert(212.0, &u("[degF]"), &u("Cel")).unwrap(), 100.0));
        assert!(close(convert(-40.0, &u("Cel"), &u("[degF]")).unwrap(), -40.0));
        assert!(close(convert(80.0, &u("[degRe]"), &u("Cel")).unwrap(), 100.0));
        assert!(close(convert(491.67, &u("[degR]"), &u("K")).unwrap(), 273.15));
        assert!(close(convert(1000.0, &u("mCel"), &u("Cel")).unwrap(), 1.0));
        assert!(close(convert(36.6, &u("Cel{body}"), &u("Cel")).unwrap(), 36.6));
        assert_eq!(convert(1.0, &u("Cel/h"), &u("K/h")), Err(ConvertError::SpecialInTerm));
        assert_eq!(convert(1.0, &u("Cel2"), &u("K2")), Err(ConvertError::SpecialInTerm));
        assert_eq!(convert(1.0, &u("/Cel"), &u("/K")), Err(ConvertError::SpecialInTerm));
    }

    #[test]
    fn nonlinear_units() {
        assert!(close(convert(20.0, &u("dB"), &u("B")).unwrap(), 2.0));
        assert_eq!(convert(7.4, &u("[pH]"), &u("mol/L")), Err(ConvertError::NonLinear));
        assert_eq!(convert(7.4, &u("[pH]"), &u("[pH]")), Ok(7.4));
        assert_eq!(convert(1.0, &u("B[V]"), &u("B[mV]")), Err(ConvertError::NonLinear));
    }

    #[test]
    fn arbitrary_and_dimensions() {
        assert_eq!(convert(1.0, &u("[IU]/L"), &u("U/L")), Err(ConvertError::Incommensurable));
        assert_eq!(convert(1.0, &u("[IU]"), &u("1")), Err(ConvertError::Arbitrary));
        assert_eq!(convert(1.0, &u("[IU]"), &u("[CFU]")), Err(ConvertError::Arbitrary));
        assert!(close(convert(1.0, &u("[IU]/mL"), &u("[iU]/L")).unwrap(), 1000.0));
        assert!(close(convert(5.0, &u("m[IU]/L"), &u("u[IU]/mL")).unwrap(), 5.0));
        assert_eq!(convert(f64::NAN, &u("g"), &u("kg")), Err(ConvertError::NotFinite));
        assert_eq!(convert(f64::MAX, &u("kg"), &u("ug")), Err(ConvertError::NotFinite));
    }
}
