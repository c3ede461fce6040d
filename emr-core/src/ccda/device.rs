//! Device authors (C-CDA on FHIR, *Participations*, "Mapping to different FHIR resource types":
//! "If the device element is populated (Author and Participation), create a Device resource").
//!
//! An `assignedAuthor` with an `assignedAuthoringDevice` (the software that wrote the document,
//! or a section) → a Device, one per distinct identity and document (its `id` root/extension,
//! else its model and software names and address, as people are told apart in
//! [`super::participants`]). The IG gives no field table for Device; the fields follow FHIR R4
//! Device's definitions: `id` → `identifier`; `manufacturerModelName` → `deviceName` of type
//! `model-name` (a name, which is what the CDA element is, rather than `modelNumber`);
//! `softwareName` → `deviceName` of type `other` (a name, often with a version in it, which
//! FHIR's `version.value` would misstate as a bare version); `code` → `type`; `telecom` →
//! `contact`; `representedOrganization` → `owner`, a reference to its Organization (one per
//! identity, the document's source organization when it is the same: see
//! [`super::roles::organization`]).
//!
//! The owner never takes the attribution: the importer does not read a Device's `owner`, nor
//! follow a reference to a Device to its owner (see `fhir::attribution`), so a device author
//! of another organization makes no second source for the document.
//!
//! Where the FHIR element that would reference the device does not allow a Device (an entry's
//! `recorder`, `asserter`, an Observation's `performer`…), the device author of an entry stays
//! reported (`ccda.participant.unmapped`).

use super::build::{lit, obj, s, Ctx};
use super::header::telecom;
use super::participants::{identity, party};
use super::value::concept;
use super::xml::{child, children, text_of, Node};

/// The FHIR device name types (`http://hl7.org/fhir/device-nametype`) of the CDA names.
const NAMES: &[(&str, &str)] = &[("manufacturerModelName", "model-name"), ("softwareName", "other")];

/// The Device of an `assignedAuthor` with an `assignedAuthoringDevice` (made the first time its
/// identity is met): its full URL; `None` when `assigned` is not a device.
pub(crate) fn device(ctx: &mut Ctx<'_, '_>, assigned: Node<'_, '_>) -> Option<String> {
    let dev = child(assigned, "assignedAuthoringDevice")?;
    let key = identity("Device", assigned, Some(dev));
    Some(party(ctx, "Device", assigned, key, |ctx, d| {
        let mut names = Vec::new();
        for (tag, kind) in NAMES {
            if let Some(name) = child(dev, tag).map(text_of).filter(|n| !n.is_empty()) {
                names.push(obj([("name", s(name)), ("type", lit(kind))]));
            }
        }
        d.list("deviceName", names);
        d.opt("type", child(dev, "code").and_then(|c| concept(ctx, c, "assignedAuthoringDevice/code")));
        d.list("contact", children(assigned, "telecom").filter_map(telecom).collect());
        let owner = child(assigned, "representedOrganization").and_then(|o| super::roles::organization(ctx, o));
        d.opt("owner", owner.map(|u| super::build::reference(&u)));
    }))
}
