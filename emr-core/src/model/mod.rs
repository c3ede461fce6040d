//! The record model: a patient, sources, and entries that are FHIR resources with provenance.
//!
//! An entry's content *is* its FHIR R4 resource, kept as received; the typed
//! [`Clinical`] view is derived from it once.

mod absence;
mod arrival;
mod clinical;
mod coding;
mod date;
mod entry;
mod id;
mod keys;
mod kind;
mod names;
mod patient;
mod provenance;
mod record;
mod resource;
mod stable_id;

pub(crate) use absence::Absence;
pub use arrival::{arrival, Arrival};
pub use clinical::{Clinical, ObservationValue, ReferenceRange};
pub use coding::{CodeableConcept, Coding, Decimal, Identifier, Quantity, Reference};
pub use date::{DateError, PartialDate};
pub(crate) use entry::derived_meta;
pub use entry::Entry;
pub use id::{EntryId, SourceId};
pub(crate) use keys::{Concept, Keys, Subkind};
pub use kind::{is_r4_resource_type, EntryKind, UnknownKind, R4_RESOURCE_TYPES};
pub(crate) use names::{r4_type_index, NameMap};
pub use patient::{Address, Deceased, Demographics, HumanName, Patient, Telecom};
pub use provenance::{Decision, DecisionAction, EntryRef, Provenance, Source, SourceKind};
pub use record::{Record, RECORD_FORMAT};
pub use resource::{Resource, ResourceError};
pub use stable_id::stable_id;
pub(crate) use stable_id::{urn_uuid, urn_uuid_of, uuid_bits};
