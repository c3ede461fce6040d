//! The atom table, indexed by code and resolved to base units once.
//!
//! Each atom's definition is a UCUM expression in other atoms; it is parsed
//! with the same parser as user input, recursively, when the table is first
//! used. The result is cached for the life of the program.

use std::sync::OnceLock;

use super::atoms::{self, AtomDef, Def};
use super::canonical::{Canonical, SpecialKind, SpecialUse};
use super::dimension::Dimension;
use super::parser;

/// How deep atom definitions may refer to other atoms (the deepest chain in
/// UCUM, `[min_us]` to `cm`, has 9 links).
const MAX_DEFINITION_DEPTH: usize = 24;

/// Where the parser finds atoms.
pub(crate) trait AtomSource {
    /// The index of the atom with this exact code.
    fn find(&self, code: &str) -> Option<usize>;
    /// The definition of atom `index`.
    fn def(&self, index: usize) -> Option<&'static AtomDef>;
    /// Atom `index` in base units, or `None` if its definition does not
    /// resolve.
    fn canonical(&self, index: usize) -> Option<Canonical>;
}

/// The resolved table.
pub(crate) struct Table {
    atoms: Vec<&'static AtomDef>,
    /// `(code, index into atoms)`, sorted by code.
    index: Vec<(&'static str, usize)>,
    resolved: Vec<Option<Canonical>>,
}

/// The table, built on first use.
pub(crate) fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(Table::build)
}

impl Table {
    fn build() -> Table {
        let atoms: Vec<&'static AtomDef> = atoms::all().collect();
        let mut index: Vec<(&'static str, usize)> = atoms.iter().enumerate().map(|(i, atom)| (atom.code, i)).collect();
        index.sort_unstable();
        let resolved = {
            let builder = Builder { atoms: &atoms, index: &index, depth: 0 };
            (0..atoms.len()).map(|i| builder.resolve(i)).collect()
        };
        Table { atoms, index, resolved }
    }

    /// Every atom with its resolution, for tests and listings.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> impl Iterator<Item = (&'static AtomDef, Option<&Canonical>)> {
        self.atoms.iter().zip(self.resolved.iter()).map(|(atom, resolved)| (*atom, resolved.as_ref()))
    }
}

impl AtomSource for Table {
    fn find(&self, code: &str) -> Option<usize> {
        find(&self.index, code)
    }

    fn def(&self, index: usize) -> Option<&'static AtomDef> {
        self.atoms.get(index).copied()
    }

    fn canonical(&self, index: usize) -> Option<Canonical> {
        self.resolved.get(index).cloned().flatten()
    }
}

fn find(index: &[(&'static str, usize)], code: &str) -> Option<usize> {
    let at = index.binary_search_by(|(c, _)| (*c).cmp(code)).ok()?;
    index.get(at).map(|(_, i)| *i)
}

/// Resolves definitions while the table is being built, without a cache.
struct Builder<'a> {
    atoms: &'a [&'static AtomDef],
    index: &'a [(&'static str, usize)],
    depth: usize,
}

impl Builder<'_> {
    /// Atom `index` in base units.
    fn resolve(&self, index: usize) -> Option<Canonical> {
        if self.depth > MAX_DEFINITION_DEPTH {
            return None;
        }
        let atom = self.atoms.get(index)?;
        let deeper = Builder { atoms: self.atoms, index: self.index, depth: self.depth + 1 };
        let mut canonical = match atom.def {
            Def::Base(base) => Canonical { dim: Dimension::of(base), ..Canonical::one() },
            Def::Ratio(value, unit) => {
                let mut c = parser::parse(unit, &deeper).ok()?;
                c.factor *= value;
                c
            }
            Def::Arbitrary => Canonical { arbitrary: vec![(atom.code, 1)], ..Canonical::one() },
            Def::Affine { scale, unit, offset } => {
                let mut c = parser::parse(unit, &deeper).ok()?;
                c.factor *= scale;
                c.special = Some(special(atom.code, SpecialKind::Affine { offset }));
                c.specials = 1;
                c
            }
            Def::NonLinear(unit) => {
                let mut c = parser::parse(unit, &deeper).ok()?;
                c.special = Some(special(atom.code, SpecialKind::NonLinear));
                c.specials = 1;
                c
            }
        };
        canonical.components = 1;
        canonical.substance |= atom.substance;
        Some(canonical)
    }
}

fn special(atom: &'static str, kind: SpecialKind) -> SpecialUse {
    SpecialUse { atom, kind, prefix: 1.0, exponent: 1 }
}

impl AtomSource for Builder<'_> {
    fn find(&self, code: &str) -> Option<usize> {
        find(self.index, code)
    }

    fn def(&self, index: usize) -> Option<&'static AtomDef> {
        self.atoms.get(index).copied()
    }

    fn canonical(&self, index: usize) -> Option<Canonical> {
        self.resolve(index)
    }
}
