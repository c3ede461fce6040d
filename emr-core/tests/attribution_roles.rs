//! Attribution through PractitionerRoles: a statement whose performer is a PractitionerRole is
//! asserted by the role's organization; the PractitionerRole itself (where a practitioner works)
//! is asserted by whoever sent it, never by the organization it names.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use chrono::{TimeZone, Utc};
use emr_core::fhir::{import, ImportOptions};
use emr_core::model::{Source, SourceId};

const BUNDLE: &str = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"00000000-0000-4000-8000-000000000001"}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000002","resource":{"resourceType":"Organization","id":"00000000-0000-4000-8000-000000000002","name":"Hospital B"}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000003","resource":{"resourceType":"Practitioner","id":"00000000-0000-4000-8000-000000000003"}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000004","resource":{"resourceType":"PractitionerRole","id":"00000000-0000-4000-8000-000000000004",
   "practitioner":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000003"},
   "organization":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000002"}}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000005","resource":{"resourceType":"Observation","id":"00000000-0000-4000-8000-000000000005","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
   "subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"},
   "performer":[{"reference":"urn:uuid:00000000-0000-4000-8000-000000000004"}]}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000006","resource":{"resourceType":"Observation","id":"00000000-0000-4000-8000-000000000006","status":"final",
   "code":{"coding":[{"system":"http://loinc.org","code":"8310-5"}]},
   "subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"},
   "performer":[{"reference":"urn:uuid:00000000-0000-4000-8000-000000000003"}]}}
]}"#;

#[test]
fn a_practitioner_role_is_not_attributed_to_the_organization_it_names() {
    let options = ImportOptions { default_source: Some(Source::new("clinic-a", "Clinic A")) };
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let imported = import(BUNDLE, &options, now).unwrap();
    let source_of = |id: &str| {
        let e = imported.record.entries.iter().find(|e| e.resource().as_str().contains(id)).unwrap();
        e.provenance().source.clone()
    };
    let hospital = SourceId::new("00000000-0000-4000-8000-000000000002");
    let clinic = SourceId::new("clinic-a");
    // The statement the role performed: the role's organization asserted it.
    assert_eq!(source_of(r#""id":"00000000-0000-4000-8000-000000000005""#), hospital);
    // The role itself, and a statement performed by the bare practitioner: the sender.
    assert_eq!(source_of(r#""id":"00000000-0000-4000-8000-000000000004""#), clinic);
    assert_eq!(source_of(r#""id":"00000000-0000-4000-8000-000000000006""#), clinic);
    assert_eq!(source_of(r#""id":"00000000-0000-4000-8000-000000000003""#), clinic);
}

/// A Device (the software that wrote a document) is kept by its `owner`; what it wrote and the
/// Device itself are asserted by whoever sent them, never by the owner: a device of another
/// organization makes no second source.
#[test]
fn a_device_is_not_attributed_to_its_owner() {
    let bundle = r#"{"resourceType":"Bundle","type":"collection","entry":[
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"00000000-0000-4000-8000-000000000001"}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000002","resource":{"resourceType":"Organization","id":"00000000-0000-4000-8000-000000000002","name":"Hospital B"}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000007","resource":{"resourceType":"Device","id":"00000000-0000-4000-8000-000000000007",
   "deviceName":[{"name":"Writer","type":"other"}],
   "owner":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000002"}}},
 {"fullUrl":"urn:uuid:00000000-0000-4000-8000-000000000008","resource":{"resourceType":"DocumentReference","id":"00000000-0000-4000-8000-000000000008","status":"current",
   "subject":{"reference":"urn:uuid:00000000-0000-4000-8000-000000000001"},
   "author":[{"reference":"urn:uuid:00000000-0000-4000-8000-000000000007"}],
   "content":[{"attachment":{"contentType":"text/plain","data":"eA=="}}]}}
]}"#;
    let options = ImportOptions { default_source: Some(Source::new("clinic-a", "Clinic A")) };
    let now = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let imported = import(bundle, &options, now).unwrap();
    let clinic = SourceId::new("clinic-a");
    let ids: Vec<&SourceId> = imported.record.sources.iter().map(|s| &s.id).collect();
    assert_eq!(ids, [&clinic]);
    for id in ["000000000007", "000000000008"] {
        let e = imported.record.entries.iter().find(|e| e.resource().as_str().contains(id)).unwrap();
        assert_eq!(e.provenance().source, clinic, "{id}");
    }
}
