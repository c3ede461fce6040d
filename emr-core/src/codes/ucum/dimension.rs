//! The dimension of a unit: exponents of the seven UCUM base units.

use core::fmt;

/// One of the seven base units of UCUM, in the order of [`Dimension`].
///
/// UCUM's base differs from the SI's: the gram (not the kilogram), the radian
/// (plane angle is a base quantity) and the coulomb (not the ampère); the mole
/// is *not* a base unit but the number 6.0221367 × 10²³, so amounts of
/// substance are dimensionless.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::{BaseUnit, Unit};
///
/// let per_second = Unit::parse("Hz").unwrap();
/// assert_eq!(per_second.dimension().exponent(BaseUnit::Second), -1);
/// assert_eq!(BaseUnit::Gram.symbol(), "g");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum BaseUnit {
    /// Meter (`m`), length.
    Meter,
    /// Second (`s`), time.
    Second,
    /// Gram (`g`), mass.
    Gram,
    /// Radian (`rad`), plane angle.
    Radian,
    /// Kelvin (`K`), temperature.
    Kelvin,
    /// Coulomb (`C`), electric charge.
    Coulomb,
    /// Candela (`cd`), luminous intensity.
    Candela,
}

impl BaseUnit {
    /// The seven base units in dimension order.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::BaseUnit;
    ///
    /// assert_eq!(BaseUnit::ALL[2], BaseUnit::Gram);
    /// ```
    pub const ALL: [BaseUnit; 7] = [
        BaseUnit::Meter,
        BaseUnit::Second,
        BaseUnit::Gram,
        BaseUnit::Radian,
        BaseUnit::Kelvin,
        BaseUnit::Coulomb,
        BaseUnit::Candela,
    ];

    /// The UCUM symbol (case-sensitive form).
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::BaseUnit;
    ///
    /// assert_eq!(BaseUnit::Candela.symbol(), "cd");
    /// ```
    pub fn symbol(self) -> &'static str {
        match self {
            BaseUnit::Meter => "m",
            BaseUnit::Second => "s",
            BaseUnit::Gram => "g",
            BaseUnit::Radian => "rad",
            BaseUnit::Kelvin => "K",
            BaseUnit::Coulomb => "C",
            BaseUnit::Candela => "cd",
        }
    }

    /// The position of this base unit in [`Dimension::exponents`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// The dimension of a unit: the exponents of the seven base units
/// `m s g rad K C cd`, in that order ([`BaseUnit::ALL`]).
///
/// Two units are commensurable (a value in one can be converted to the other)
/// only if their dimensions are equal.
///
/// # Example
///
/// ```
/// use emr_core::codes::ucum::{Dimension, Unit};
///
/// let force = Unit::parse("kg.m/s2").unwrap().dimension();
/// assert_eq!(force.exponents(), [1, -2, 1, 0, 0, 0, 0]);
/// assert_eq!(force, Unit::parse("N").unwrap().dimension());
/// assert!(Unit::parse("%").unwrap().dimension().is_dimensionless());
/// assert_eq!(force.to_string(), "m.s-2.g");
/// assert_eq!(Dimension::NONE.to_string(), "1");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Dimension([i32; 7]);

impl Dimension {
    /// The dimension of a pure number.
    pub const NONE: Dimension = Dimension([0; 7]);

    /// A dimension from its seven exponents, in [`BaseUnit::ALL`] order.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::{Dimension, Unit};
    ///
    /// let volume = Dimension::new([3, 0, 0, 0, 0, 0, 0]);
    /// assert_eq!(Unit::parse("L").unwrap().dimension(), volume);
    /// ```
    pub const fn new(exponents: [i32; 7]) -> Self {
        Dimension(exponents)
    }

    /// The seven exponents, in [`BaseUnit::ALL`] order.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert_eq!(Unit::parse("mg/dL").unwrap().dimension().exponents(), [-3, 0, 1, 0, 0, 0, 0]);
    /// ```
    pub const fn exponents(self) -> [i32; 7] {
        self.0
    }

    /// The exponent of one base unit.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::{BaseUnit, Unit};
    ///
    /// assert_eq!(Unit::parse("kg/m2").unwrap().dimension().exponent(BaseUnit::Meter), -2);
    /// ```
    pub fn exponent(self, base: BaseUnit) -> i32 {
        self.0.get(base.index()).copied().unwrap_or(0)
    }

    /// True when every exponent is zero.
    ///
    /// # Example
    ///
    /// ```
    /// use emr_core::codes::ucum::Unit;
    ///
    /// assert!(Unit::parse("mmol/mol").unwrap().dimension().is_dimensionless());
    /// ```
    pub fn is_dimensionless(self) -> bool {
        self.0.iter().all(|&e| e == 0)
    }

    /// The exponents of a product of units.
    pub(crate) fn plus(self, other: Dimension) -> Dimension {
        let mut out = self.0;
        for (a, b) in out.iter_mut().zip(other.0) {
            *a = a.saturating_add(b);
        }
        Dimension(out)
    }

    /// The exponents of a unit raised to `power`.
    pub(crate) fn times(self, power: i32) -> Dimension {
        let mut out = self.0;
        for a in out.iter_mut() {
            *a = a.saturating_mul(power);
        }
        Dimension(out)
    }

    /// The dimension of one base unit.
    pub(crate) fn of(base: BaseUnit) -> Dimension {
        let mut out = [0; 7];
        if let Some(slot) = out.get_mut(base.index()) {
            *slot = 1;
        }
        Dimension(out)
    }
}

impl fmt::Display for Dimension {
    /// Writes the dimension as a UCUM term of base units, e.g. `m.s-2.g`, or
    /// `1` for a pure number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (base, &e) in BaseUnit::ALL.iter().zip(self.0.iter()) {
            if e == 0 {
                continue;
            }
            if !first {
                f.write_str(".")?;
            }
            first = false;
            f.write_str(base.symbol())?;
            if e != 1 {
                write!(f, "{e}")?;
            }
        }
        if first {
            f.write_str("1")?;
        }
        Ok(())
    }
}
