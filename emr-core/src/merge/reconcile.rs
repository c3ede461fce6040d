//! Clinician reconciliation (the ONC 170.315(b)(2) workflow): the clinician sees each source's
//! version side by side, then accepts, rejects or edits; the decision is recorded as a new
//! assertion of the clinician, whose provenance points at the entries it settles. The view
//! honours it, and because it is one more assertion, the merge laws still hold.

use crate::model::{
    Decision, DecisionAction, Entry, EntryRef, PartialDate, Provenance, Record, Resource, Source, SourceKind,
};

/// What the clinician decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// This version is right.
    Accept(EntryRef),
    /// This version is wrong.
    Reject(EntryRef),
    /// This edited resource replaces the settled versions.
    Edit(Resource),
}

/// One reconciliation decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    /// The reconciling clinician, as a source of kind `clinician`.
    pub clinician: Source,
    /// The versions the decision settles (e.g. every entry of a conflict).
    pub settles: Vec<EntryRef>,
    /// The decision.
    pub choice: Choice,
    /// When it was made.
    pub recorded: PartialDate,
}

/// Why a decision cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// The decision settles nothing.
    #[error("a reconciliation decision must settle at least one entry")]
    NothingSettled,
    /// A referenced entry is not in the record.
    #[error("entry {0} is not in the record")]
    UnknownEntry(String),
    /// The deciding source is not a clinician.
    #[error("a reconciliation decision must come from a source of kind `clinician`")]
    NotAClinician,
    /// No conflict of the record's view has this id.
    #[error("no conflict with this id in the record's view")]
    UnknownConflict,
    /// The conflict is already settled by a clinician's decision.
    #[error("the conflict is already settled by a clinician's decision")]
    AlreadySettled,
    /// The conflict has no side with this number.
    #[error("the conflict has no side {side} (its sides are numbered from 1 to {sides})")]
    UnknownSide {
        /// The number given.
        side: usize,
        /// How many sides the conflict has.
        sides: usize,
    },
    /// An edited resource of another type than the disputed one.
    #[error("the edited resource is of type {edited}; the conflict is about type {disputed}")]
    EditType {
        /// The edited resource's type.
        edited: String,
        /// The disputed resources' type.
        disputed: String,
    },
}

impl ReconcileError {
    /// The error's stable code: `reconcile.settles`, `reconcile.entry`, `reconcile.clinician`,
    /// `reconcile.conflict`, `reconcile.settled`, `reconcile.side` or `reconcile.type`.
    pub fn code(&self) -> &'static str {
        match self {
            ReconcileError::NothingSettled => "reconcile.settles",
            ReconcileError::UnknownEntry(_) => "reconcile.entry",
            ReconcileError::NotAClinician => "reconcile.clinician",
            ReconcileError::UnknownConflict => "reconcile.conflict",
            ReconcileError::AlreadySettled => "reconcile.settled",
            ReconcileError::UnknownSide { .. } => "reconcile.side",
            ReconcileError::EditType { .. } => "reconcile.type",
        }
    }
}

/// One side of a conflict, for showing the versions side by side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version<'r> {
    /// The entry.
    pub entry: &'r Entry,
    /// Its source, when the record lists it.
    pub source: Option<&'r Source>,
    /// When the source last recorded it.
    pub last_modified: Option<PartialDate>,
}

/// The versions a conflict (or any list of entry references) names, with their sources and
/// last-modified dates, in the given order.
///
/// # Errors
/// [`ReconcileError::UnknownEntry`] when a reference is not in the record.
pub fn versions<'r>(record: &'r Record, refs: &[EntryRef]) -> Result<Vec<Version<'r>>, ReconcileError> {
    refs.iter()
        .map(|r| {
            let entry = find(record, r)?;
            Ok(Version { entry, source: record.source(&r.source), last_modified: super::side::last_modified(entry) })
        })
        .collect()
}

fn find<'r>(record: &'r Record, r: &EntryRef) -> Result<&'r Entry, ReconcileError> {
    record.entry(r).ok_or_else(|| ReconcileError::UnknownEntry(format!("{}/{} version {}", r.source, r.id, r.version)))
}

/// Record a clinician's decision: the record plus the clinician (as a source, if new) and one
/// decision entry. Nothing is removed; the view sets the settled entries aside.
///
/// # Errors
/// [`ReconcileError`] when the decision settles nothing, names an entry the record lacks, does
/// not come from a clinician, or edits a resource into another type than the settled entries'.
///
/// # Example
/// ```
/// use emr_core::merge::{reconcile, view, Choice, Reconciliation};
/// use emr_core::model::{Entry, EntryRef, Provenance, Record, Source, SourceKind};
/// let allergy = |s: &str, c: &str| Entry::from_text(Provenance::new(s, "a1"), &format!(
///     r#"{{"resourceType":"AllergyIntolerance","criticality":"{c}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"91936005"}}]}}}}"#)).unwrap();
/// let mut record = Record::default();
/// record.sources = vec![Source::new("a", "A"), Source::new("b", "B")];
/// record.entries = vec![allergy("a", "low"), allergy("b", "high")];
/// let settles: Vec<EntryRef> = record.entries.iter().map(EntryRef::of).collect();
/// let clinician = Source { kind: SourceKind::Clinician, ..Source::new("dr-lee", "Dr. Lee") };
/// let decided = reconcile(&record, &Reconciliation {
///     clinician, settles: settles.clone(), choice: Choice::Accept(settles[0].clone()),
///     recorded: "2026-01-02T10:00:00Z".parse().unwrap(),
/// })?;
/// let v = view(&decided);
/// assert_eq!(v.items.len(), 1);
/// assert_eq!(v.items[0].representative.source.as_str(), "dr-lee");
/// assert!(v.items[0].resource.as_str().contains(r#""criticality":"low""#));
/// # Ok::<(), emr_core::merge::ReconcileError>(())
/// ```
pub fn reconcile(record: &Record, decision: &Reconciliation) -> Result<Record, ReconcileError> {
    if decision.settles.is_empty() {
        return Err(ReconcileError::NothingSettled);
    }
    if decision.clinician.kind != SourceKind::Clinician {
        return Err(ReconcileError::NotAClinician);
    }
    for r in &decision.settles {
        find(record, r)?;
    }
    if let (Choice::Edit(edited), Some(settled)) = (&decision.choice, decision.settles.first()) {
        let disputed = find(record, settled)?.resource().resource_type();
        if disputed != edited.resource_type() {
            return Err(ReconcileError::EditType {
                edited: edited.resource_type().to_owned(),
                disputed: disputed.to_owned(),
            });
        }
    }
    let mut settles = decision.settles.clone();
    let (action, resource) = match &decision.choice {
        Choice::Accept(r) => (DecisionAction::Accept, find(record, r)?.resource().clone()),
        Choice::Reject(r) => {
            settles.push(r.clone());
            (DecisionAction::Reject, find(record, r)?.resource().clone())
        }
        Choice::Edit(resource) => (DecisionAction::Edit, resource.clone()),
    };
    settles.sort();
    settles.dedup();
    // A stable id: the same decision recorded twice is one assertion.
    let seed = format!("{action:?}\u{0}{settles:?}\u{0}{}\u{0}{}", resource.as_str(), decision.recorded);
    let id = format!("decision-{}", crate::model::stable_id(&seed));
    let mut provenance = Provenance::new(decision.clinician.id.as_str(), id).with_recorded(decision.recorded);
    provenance.decision = Some(Decision { action, settles });
    let entry = Entry::new(provenance, resource).map_err(|_| ReconcileError::NothingSettled)?;
    let mut out = record.clone();
    if out.source(&decision.clinician.id).is_none() {
        out.sources.push(decision.clinician.clone());
        out.sources.sort();
    }
    out.entries.push(entry);
    Ok(out)
}

/// What a clinician decides about one conflict, naming a side by its number (from 1, in the order
/// of [`conflict_sides`](super::conflict_sides)): what `emr resolve` and the npm package's
/// `reconcile` take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideChoice {
    /// This side is right.
    Accept(usize),
    /// This side is wrong.
    Reject(usize),
    /// This edited resource replaces every side.
    Edit(Resource),
}

/// Settle the open conflict `conflict_id` of the record's view: the decision settles every side
/// of the conflict, and is recorded by [`reconcile`] as the clinician's assertion.
///
/// # Errors
/// [`ReconcileError::UnknownConflict`] when the view has no such conflict,
/// [`ReconcileError::AlreadySettled`] when a clinician already settled it,
/// [`ReconcileError::UnknownSide`] for a side number out of range, and [`reconcile`]'s errors
/// (among them [`ReconcileError::EditType`], an edited resource not of the disputed type).
///
/// # Example
/// ```
/// use emr_core::merge::{conflict_sides, resolve, SideChoice};
/// use emr_core::model::{Entry, Provenance, Record, Source};
/// let allergy = |s: &str, c: &str| Entry::from_text(Provenance::new(s, "a1"), &format!(
///     r#"{{"resourceType":"AllergyIntolerance","criticality":"{c}","code":{{"coding":[{{"system":"http://snomed.info/sct","code":"91936005"}}]}}}}"#)).unwrap();
/// let mut record = Record::default();
/// record.sources = vec![Source::new("a", "A"), Source::new("b", "B")];
/// record.entries = vec![allergy("a", "low"), allergy("b", "high")];
/// let id = conflict_sides(&record)[0].conflict.id.clone();
/// let decided = resolve(&record, &id, &SideChoice::Accept(1), &Source::clinician("Dr. Ana Lee"), "2026-01-02".parse().unwrap())?;
/// assert!(conflict_sides(&decided)[0].settled);
/// assert!(resolve(&decided, &id, &SideChoice::Accept(1), &Source::clinician("Dr. Lee"), "2026-01-03".parse().unwrap()).is_err());
/// let patient = emr_core::model::Resource::parse(r#"{"resourceType":"Patient"}"#).unwrap();
/// let wrong = resolve(&record, &id, &SideChoice::Edit(patient), &Source::clinician("Dr. Lee"), "2026-01-03".parse().unwrap());
/// assert_eq!(wrong.unwrap_err().code(), "reconcile.type");
/// # Ok::<(), emr_core::merge::ReconcileError>(())
/// ```
pub fn resolve(
    record: &Record,
    conflict_id: &str,
    choice: &SideChoice,
    clinician: &Source,
    recorded: PartialDate,
) -> Result<Record, ReconcileError> {
    let listed = super::conflict_sides(record);
    let conflict = listed.iter().find(|c| c.conflict.id == conflict_id).ok_or(ReconcileError::UnknownConflict)?;
    if conflict.settled {
        return Err(ReconcileError::AlreadySettled);
    }
    let side = |n: usize| {
        n.checked_sub(1)
            .and_then(|i| conflict.sides.get(i))
            .map(|s| s.entry.clone())
            .ok_or(ReconcileError::UnknownSide { side: n, sides: conflict.sides.len() })
    };
    let choice = match choice {
        SideChoice::Accept(n) => Choice::Accept(side(*n)?),
        SideChoice::Reject(n) => Choice::Reject(side(*n)?),
        SideChoice::Edit(resource) => Choice::Edit(resource.clone()),
    };
    let decision =
        Reconciliation { clinician: clinician.clone(), settles: conflict.conflict.entries.clone(), choice, recorded };
    reconcile(record, &decision)
}
