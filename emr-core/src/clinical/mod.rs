//! The clinical rules every part of emr applies the same way: which problems are active, which
//! medications current, which allergies active, what is a lab result, how severe a criticality
//! is, whether a measurement is high or low, how a source is named to a reader, and how a new
//! entry a clinician describes is written as FHIR.
//!
//! Each rule lives here once. The clinical view ([`crate::merge`]), the current lists
//! ([`crate::query`]), the IPS sections ([`crate::fhir`]), validation, the `emr` command and
//! the npm package call these functions; none of them decides such a question on its own.

mod draft;
mod flag;
mod lists;
mod source;

pub use draft::{DraftError, DraftKind, EntryDraft};
pub use flag::{interpretation_flag, observation_flag, range_flag, Flag};
pub(crate) use lists::has_category;
pub use lists::{
    condition_activity, criticality_rank, is_active_allergy, is_active_problem, is_current_medication, is_lab,
    is_past_problem,
};
pub use source::source_display_name;
