//! The table of UCUM unit atoms, as defined in the UCUM specification
//! (`ucum-essence`, case-sensitive codes).
//!
//! Each atom is defined the way the specification defines it: a base unit, or
//! a value times a UCUM expression in other atoms (`[lb_av]` = 7000 `[gr]`).
//! The definitions are resolved to a factor and a dimension by the parser
//! itself, once ([`super::table`]), so the table cannot drift from the
//! grammar.
//!
//! Split by subject: [`si`] (base, SI, ISO 1000, constants, CGS), [`customary`]
//! (international, US and British customary, avoirdupois, troy, apothecaries',
//! typesetting) and [`clinical`] (heat, clinical, chemical, arbitrary units,
//! levels, information technology, miscellaneous).

mod clinical;
mod customary;
mod si;

use super::dimension::BaseUnit;

/// How an atom is defined.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Def {
    /// One of the seven base units.
    Base(BaseUnit),
    /// `value` times the UCUM expression `unit`.
    Ratio(f64, &'static str),
    /// An arbitrary unit (`[iU]`, `[CFU]`): dimensionless, but commensurable
    /// only with itself.
    Arbitrary,
    /// A unit on an interval scale: `base = value × scale × unit + offset`, the
    /// offset in the base unit of `unit` (kelvin for the temperatures).
    Affine {
        /// Size of one degree in `unit`.
        scale: f64,
        /// The ratio unit of the scale (`K`).
        unit: &'static str,
        /// The value in `unit` of the scale's zero.
        offset: f64,
    },
    /// A unit defined by a non-linear function (logarithm, tangent) of
    /// `unit`: it has the dimension of `unit` but converts to nothing else.
    NonLinear(&'static str),
}

/// One unit atom.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AtomDef {
    /// The case-sensitive code, e.g. `[lb_av]`.
    pub code: &'static str,
    /// Whether the atom takes prefixes.
    pub metric: bool,
    /// The definition.
    pub def: Def,
    /// True for the mole: it marks amounts of substance, which UCUM counts as
    /// pure numbers.
    pub substance: bool,
    /// The name, as in the specification.
    pub name: &'static str,
}

/// A base unit.
const fn base(code: &'static str, unit: BaseUnit, name: &'static str) -> AtomDef {
    AtomDef { code, metric: true, def: Def::Base(unit), substance: false, name }
}

/// A metric atom defined as `value` × `unit`.
const fn metric(code: &'static str, value: f64, unit: &'static str, name: &'static str) -> AtomDef {
    AtomDef { code, metric: true, def: Def::Ratio(value, unit), substance: false, name }
}

/// A non-metric atom defined as `value` × `unit`.
const fn plain(code: &'static str, value: f64, unit: &'static str, name: &'static str) -> AtomDef {
    AtomDef { code, metric: false, def: Def::Ratio(value, unit), substance: false, name }
}

/// An arbitrary unit.
const fn arbitrary(code: &'static str, metric: bool, name: &'static str) -> AtomDef {
    AtomDef { code, metric, def: Def::Arbitrary, substance: false, name }
}

/// A special unit with an offset (temperature scales).
const fn affine(code: &'static str, metric: bool, scale: f64, offset: f64, name: &'static str) -> AtomDef {
    AtomDef { code, metric, def: Def::Affine { scale, unit: "K", offset }, substance: false, name }
}

/// A special unit defined by a non-linear function of `unit`.
const fn nonlinear(code: &'static str, metric: bool, unit: &'static str, name: &'static str) -> AtomDef {
    AtomDef { code, metric, def: Def::NonLinear(unit), substance: false, name }
}

/// The mole: a metric atom marked as an amount of substance.
const fn substance(code: &'static str, value: f64, unit: &'static str, name: &'static str) -> AtomDef {
    AtomDef { code, metric: true, def: Def::Ratio(value, unit), substance: true, name }
}

/// Every atom, table by table.
pub(crate) fn all() -> impl Iterator<Item = &'static AtomDef> {
    si::ATOMS.iter().chain(customary::ATOMS.iter()).chain(clinical::ATOMS.iter())
}
