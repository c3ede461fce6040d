//! The record model: a patient, sources, and entries that are FHIR resources with provenance.
//!
//! An entry's content *is* its FHIR R4 resource, kept as received; the typed
//! [`Clinical`] view is derived from it once.

mod arrival;
mod coding;
mod date;
mod entry;
mod kind;
mod patient;
mod provenance;
mod record;
mod resource;
mod view;

pub use arrival::{arrival, Arrival};
pub use coding::{CodeableConcept, Coding, Decimal, Identifier, Quantity, Reference};
pub use date::{DateError, PartialDate};
pub use entry::Entry;
pub(crate) use entry::{derived_meta, Plain};
pub use kind::{is_r4_resource_type, EntryKind, UnknownKind, R4_RESOURCE_TYPES};
pub use patient::{Address, Deceased, Demographics, HumanName, Patient, Telecom};
pub use provenance::{Decision, DecisionAction, EntryId, EntryRef, Provenance, Source, SourceId, SourceKind};
pub use record::{Record, RECORD_FORMAT};
pub use resource::{Resource, ResourceError};
pub use view::{Clinical, ObservationValue, ReferenceRange};
