//! The value of a unit term in base units: factor, dimension, arbitrary units
//! and the special (non-ratio) unit it uses, if any.

use super::dimension::Dimension;

/// How a special unit converts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum SpecialKind {
    /// `base = value × factor + offset` (temperature scales).
    Affine {
        /// The base-unit value of the scale's zero.
        offset: f64,
    },
    /// A logarithm or another non-linear function: not convertible.
    NonLinear,
}

/// A special atom as used in a term.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct SpecialUse {
    /// The atom's code, which identifies it.
    pub atom: &'static str,
    /// How it converts.
    pub kind: SpecialKind,
    /// The prefix factor it carries (1 without a prefix).
    pub prefix: f64,
    /// The power it is raised to in the term (1 when used plainly).
    pub exponent: i32,
}

/// A unit term reduced to base units.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Canonical {
    /// Magnitude in base units (for a special unit: the size of one degree).
    pub factor: f64,
    /// Exponents of the base units.
    pub dim: Dimension,
    /// Arbitrary units and their exponents, sorted by code, no zero exponent.
    pub arbitrary: Vec<(&'static str, i32)>,
    /// The first special unit in the term.
    pub special: Option<SpecialUse>,
    /// How many special units the term uses.
    pub specials: u32,
    /// How many atoms and numbers the term has (annotations not counted).
    pub components: u32,
    /// True when the term mentions an amount of substance (mol and the atoms
    /// defined from it).
    pub substance: bool,
}

impl Canonical {
    /// The unity `1`, with no component.
    pub(crate) fn one() -> Self {
        Canonical {
            factor: 1.0,
            dim: Dimension::NONE,
            arbitrary: Vec::new(),
            special: None,
            specials: 0,
            components: 0,
            substance: false,
        }
    }

    /// A pure number as a component.
    pub(crate) fn number(value: f64) -> Self {
        Canonical { factor: value, components: 1, ..Canonical::one() }
    }

    /// The product of two terms.
    pub(crate) fn times(mut self, other: Canonical) -> Self {
        self.factor *= other.factor;
        self.dim = self.dim.plus(other.dim);
        for (code, exponent) in other.arbitrary {
            add_arbitrary(&mut self.arbitrary, code, exponent);
        }
        if self.special.is_none() {
            self.special = other.special;
        }
        self.specials = self.specials.saturating_add(other.specials);
        self.components = self.components.saturating_add(other.components);
        self.substance |= other.substance;
        self
    }

    /// The term raised to an integer power.
    pub(crate) fn pow(mut self, exponent: i32) -> Self {
        if exponent == 1 {
            return self;
        }
        self.factor = self.factor.powi(exponent);
        self.dim = self.dim.times(exponent);
        for (_, e) in self.arbitrary.iter_mut() {
            *e = e.saturating_mul(exponent);
        }
        self.arbitrary.retain(|(_, e)| *e != 0);
        if let Some(special) = self.special.as_mut() {
            special.exponent = special.exponent.saturating_mul(exponent);
        }
        self
    }

    /// `1 / term`.
    pub(crate) fn inverse(self) -> Self {
        self.pow(-1)
    }
}

/// Adds `exponent` to the arbitrary unit `code`, keeping the list sorted and
/// free of zero exponents.
fn add_arbitrary(list: &mut Vec<(&'static str, i32)>, code: &'static str, exponent: i32) {
    match list.binary_search_by(|(c, _)| c.cmp(&code)) {
        Ok(at) => {
            if let Some((_, e)) = list.get_mut(at) {
                *e = e.saturating_add(exponent);
                if *e == 0 {
                    list.remove(at);
                }
            }
        }
        Err(at) => {
            if exponent != 0 {
                list.insert(at, (code, exponent));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arbitrary_units_cancel() {
        let iu = Canonical { arbitrary: vec![("[iU]", 1)], components: 1, ..Canonical::one() };
        let per_iu = iu.clone().inverse();
        assert_eq!(per_iu.arbitrary, vec![("[iU]", -1)]);
        assert!(iu.times(per_iu).arbitrary.is_empty());
    }
}
