//! What comparing entries reads of an entry, extracted once when the entry is made and kept beside it.
//!
//! The clinical fields of an entry spread over the heap (a code is a vector of codings, each of
//! strings); clustering a million entries by following those pointers costs a cache miss per
//! step. These keys hold, in a few cache lines inside the entry, what merging compares: the
//! interval, "latest wins" time, retraction, absence, what tells its time rule apart, the codes
//! of well-known systems that fit in place, and a numeric observation value. They are facts of
//! the entry, derived here in the model; the rules that compare them (time windows, value
//! tolerance) are merge's. Anything that does not fit is read from the clinical fields as before,
//! so the keys decide nothing the fields would not.

use super::absence::{absence, Absence};
use super::clinical::{Clinical, ObservationValue};
use super::provenance::Provenance;
use super::EntryKind;
use crate::codes::KnownSystem;

/// What, beyond its kind, tells apart the rules that match an entry's time with another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Subkind {
    /// Nothing beyond the kind.
    Other,
    /// A laboratory result: an observation with category `laboratory`.
    Laboratory,
    /// A `Medication` resource: the definition of a drug, not an event.
    MedicationDefinition,
}

fn subkind(c: &Clinical) -> Subkind {
    let lab = || c.category.iter().any(|cc| cc.codings.iter().any(|k| k.code.as_deref() == Some("laboratory")));
    match (c.kind, c.resource_type.as_str()) {
        (EntryKind::Medication, "Medication") => Subkind::MedicationDefinition,
        (EntryKind::Observation, _) if lab() => Subkind::Laboratory,
        _ => Subkind::Other,
    }
}

/// The interval an entry covers: onset/effective start to abatement/end (seconds).
fn interval(c: &Clinical) -> Option<(i64, i64)> {
    let start = c.time?;
    let end = c.end.map_or(start.latest(), |end| end.latest().max(start.latest()));
    Some((start.earliest(), end))
}

/// A code or unit kept in place: LOINC, SNOMED CT (at most 18 digits), RxNorm, CVX and
/// ICD-10-CM codes and UCUM units of laboratory results fit in 22 bytes.
pub(crate) type Short = crate::inline::InlineStr<22>;

/// A code of a known system that fits in place, with the kind of the entry it codes: equal
/// exactly when (kind, system URI, code) are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Concept {
    kind: EntryKind,
    system: KnownSystem,
    code: Short,
}

impl Concept {
    /// The concept of a coding, when its system is known and its code fits; `None` sends the
    /// coding to the keyed-by-text path, always (it depends on the coding alone).
    pub(crate) fn of(kind: EntryKind, system: &str, code: &str) -> Option<Concept> {
        Some(Concept { kind, system: KnownSystem::from_uri(system)?, code: Short::new(code)? })
    }

    pub(crate) fn code_in(&self, system: KnownSystem) -> Option<&str> {
        (self.system == system).then(|| self.code.as_str())
    }
}

/// How many codes are kept in place: a condition coded in SNOMED CT and ICD-10-CM fits.
const CONCEPTS: usize = 2;

/// A numeric observation value: the number, the half-width of its last reported digit, and
/// its unit (UCUM code, else unit text) when it has one.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Measure {
    pub value: f64,
    pub half_ulp: f64,
    pub unit: Option<Short>,
}

fn measure(c: &Clinical) -> Option<Measure> {
    match c.value.as_ref()? {
        ObservationValue::Quantity(q) => {
            let (value, half_ulp) = q.value.as_ref()?.reported()?;
            let unit = match q.unit_key() {
                Some(u) => Some(Short::new(u)?),
                None => None,
            };
            Some(Measure { value, half_ulp, unit })
        }
        ObservationValue::Integer(t) => Some(Measure { value: t.parse().ok()?, half_ulp: 0.5, unit: None }),
        _ => None,
    }
}

/// The keys of one entry. Derived from its provenance and clinical fields, which stay the truth.
#[derive(Debug, Clone)]
pub(crate) struct Keys {
    pub kind: EntryKind,
    pub subkind: Subkind,
    pub interval: Option<(i64, i64)>,
    /// When the assertion was made, for "latest wins": the source's recording time, else the
    /// resource's own recorded date, else its clinical time.
    pub recorded: i64,
    pub absence: Absence,
    /// Marked `entered-in-error`.
    pub retracted: bool,
    /// Its codes with a system and a code, when all fit in place ([`Concept::of`]).
    concepts: [Option<Concept>; CONCEPTS],
    /// Whether `concepts` holds every code.
    complete: bool,
    /// A numeric observation value whose unit fits in place.
    pub measure: Option<Measure>,
}

impl Keys {
    pub(crate) fn of(provenance: &Provenance, c: &Clinical) -> Keys {
        let mut concepts = [None; CONCEPTS];
        let mut complete = true;
        let codings = c.code.iter().flat_map(|cc| cc.codings.iter());
        let mut slots = concepts.iter_mut();
        for (system, code) in codings.filter_map(|k| Some((k.system.as_deref()?, k.code.as_deref()?))) {
            match (Concept::of(c.kind, system, code), slots.next()) {
                (Some(concept), Some(slot)) => *slot = Some(concept),
                _ => complete = false,
            }
        }
        Keys {
            kind: c.kind,
            subkind: subkind(c),
            interval: interval(c),
            recorded: provenance.recorded.or(c.recorded).or(c.time).map_or(i64::MIN, |t| t.latest()),
            absence: absence(c),
            retracted: c.is_retracted(),
            concepts,
            complete,
            measure: measure(c),
        }
    }

    /// Every code of the entry as a [`Concept`], when all fit in place; `None`: read the
    /// clinical fields.
    pub(crate) fn concepts(&self) -> Option<impl Iterator<Item = &Concept>> {
        self.complete.then(|| self.concepts.iter().flatten())
    }
}
