//! Merge benchmark: the clustering-and-view step (`view_ref()`, the view borrowed from its record),
//! `view()` (the same, copied into the owned, serializable `View`) and `merge()` on generated
//! records of 10k, 100k and 1M entries across 2 and 10 sources, in one run, on one core.
//!
//! Run it with `bash scripts/bench-merge.sh` (or `cargo bench -p emr-core --bench merge`).
//! Options (after `--`): `--sizes 10000,100000,1000000`, `--sources 2,10`, `--rounds N` (rounds below
//! 100k entries; at most 5 from 100k, 3 from 1M), `--markdown FILE`, `--seed N`,
//! `--only-view` (skip `merge()`, for profiling), `--dump DIR` (write each view, merge report and
//! merged record as JSON, to compare two implementations byte for byte).
//!
//! # The generator
//! A record is a stream of clinical *facts* (a lab result, a vital sign, a condition episode, a
//! prescription, a vaccine dose, an allergy), each reported by 1–4 of the sources (45 % one, 35 %
//! two, 15 % three, 5 % four), every report under the source's own id, with what real
//! aggregation sees:
//! - near-equal times inside each kind's tolerance (vitals ± 20 min, labs ± 6 h, conditions
//!   ± 10 days, medications ± 3 days, vaccines the same day), some as date-only, some with a local
//!   offset (`-05:00`) instead of `Z`;
//! - labs and vitals in other units (glucose and cholesterol in mmol/L, creatinine in µmol/L,
//!   HbA1c in mmol/mol, hemoglobin in g/L, weight in lb, height in inches, temperature in °F),
//!   rounded as a lab would report them;
//! - conflicts: 2 % of repeated observations with another value, 3 % of repeated conditions
//!   resolved instead of active, 3 % of repeated prescriptions with another dose, 10 % of
//!   repeated allergies with another criticality; conditions sometimes also coded in ICD-10-CM;
//! - versions: 6 % of reports get a version 2 (amended, resolved, completed…), 1 % a later
//!   `entered-in-error` version (a retraction); every version counts as an entry;
//! - one "no known allergies" statement per source.
//!
//! Kinds: 45 % labs, 20 % vitals, 12 % medication requests, 10 % conditions, 10 %
//! immunizations, 3 % allergies. Each concept (LOINC, SNOMED CT, RxNorm, CVX code) has its own
//! time series, facts spaced beyond the kind's tolerance; the pool of concepts grows with the
//! record (real codes first, then synthetic ones) so that no concept carries more than about
//! 2,000 facts — e.g. 16 years of a lab every 3 days. Allergies are one substance per fact.
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap
)]

use std::fmt::Write as _;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use emr_core::merge::{merge, view, view_ref, MergeOptions};
use emr_core::model::{Entry, PartialDate, Patient, Provenance, Record, Source};

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // SplitMix64.
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (self.next() >> 11) as f64 / (1u64 << 53) as f64 * (hi - lo)
    }
    fn jitter(&mut self, max: i64) -> i64 {
        self.below(2 * max as u64 + 1) as i64 - max
    }
}

// ---------------------------------------------------------------------------------------------
// Concepts.

const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";
const ICD10: &str = "http://hl7.org/fhir/sid/icd-10-cm";
const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
const CVX: &str = "http://hl7.org/fhir/sid/cvx";
const UCUM: &str = "http://unitsofmeasure.org";

const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;

/// A measured quantity: LOINC code, unit, normal range, decimals; another unit, if any, as
/// (unit, conversion from the main unit, decimals).
struct Measure {
    code: &'static str,
    display: &'static str,
    unit: &'static str,
    lo: f64,
    hi: f64,
    decimals: usize,
    alt: Option<Alt>,
}

/// Another unit: its code, the conversion from the main unit, and the decimals reported.
type Alt = (&'static str, fn(f64) -> f64, usize);

const LABS: &[Measure] = &[
    Measure {
        code: "2339-0",
        display: "Glucose",
        unit: "mg/dL",
        lo: 70.0,
        hi: 140.0,
        decimals: 0,
        alt: Some(("mmol/L", |v| v / 18.016, 1)),
    },
    Measure {
        code: "2093-3",
        display: "Cholesterol",
        unit: "mg/dL",
        lo: 150.0,
        hi: 260.0,
        decimals: 0,
        alt: Some(("mmol/L", |v| v / 38.67, 2)),
    },
    Measure {
        code: "2571-8",
        display: "Triglycerides",
        unit: "mg/dL",
        lo: 50.0,
        hi: 300.0,
        decimals: 0,
        alt: Some(("mmol/L", |v| v / 88.57, 2)),
    },
    Measure {
        code: "2160-0",
        display: "Creatinine",
        unit: "mg/dL",
        lo: 0.6,
        hi: 1.3,
        decimals: 2,
        alt: Some(("umol/L", |v| v * 88.42, 0)),
    },
    Measure {
        code: "4548-4",
        display: "Hemoglobin A1c",
        unit: "%",
        lo: 5.0,
        hi: 9.0,
        decimals: 1,
        alt: Some(("mmol/mol", |v| (v - 2.15) * 10.929, 0)),
    },
    Measure {
        code: "718-7",
        display: "Hemoglobin",
        unit: "g/dL",
        lo: 12.0,
        hi: 17.0,
        decimals: 1,
        alt: Some(("g/L", |v| v * 10.0, 0)),
    },
    Measure { code: "2823-3", display: "Potassium", unit: "mmol/L", lo: 3.5, hi: 5.0, decimals: 1, alt: None },
    Measure { code: "2951-2", display: "Sodium", unit: "mmol/L", lo: 135.0, hi: 145.0, decimals: 0, alt: None },
    Measure { code: "6690-2", display: "Leukocytes", unit: "10*3/uL", lo: 4.0, hi: 11.0, decimals: 1, alt: None },
    Measure { code: "777-3", display: "Platelets", unit: "10*3/uL", lo: 150.0, hi: 400.0, decimals: 0, alt: None },
];

const VITALS: &[Measure] = &[
    Measure {
        code: "29463-7",
        display: "Body weight",
        unit: "kg",
        lo: 50.0,
        hi: 120.0,
        decimals: 1,
        alt: Some(("[lb_av]", |v| v / 0.453_592_37, 1)),
    },
    Measure {
        code: "8302-2",
        display: "Body height",
        unit: "cm",
        lo: 150.0,
        hi: 195.0,
        decimals: 1,
        alt: Some(("[in_i]", |v| v / 2.54, 1)),
    },
    Measure {
        code: "8310-5",
        display: "Body temperature",
        unit: "Cel",
        lo: 36.1,
        hi: 38.0,
        decimals: 1,
        alt: Some(("[degF]", |v| v * 9.0 / 5.0 + 32.0, 1)),
    },
    Measure { code: "8867-4", display: "Heart rate", unit: "/min", lo: 55.0, hi: 100.0, decimals: 0, alt: None },
    Measure {
        code: "8480-6",
        display: "Systolic blood pressure",
        unit: "mm[Hg]",
        lo: 100.0,
        hi: 150.0,
        decimals: 0,
        alt: None,
    },
    Measure { code: "9279-1", display: "Respiratory rate", unit: "/min", lo: 12.0, hi: 20.0, decimals: 0, alt: None },
];

/// SNOMED CT condition and its ICD-10-CM code.
const CONDITIONS: &[(&str, &str, &str)] = &[
    ("44054006", "E11.9", "Diabetes mellitus type 2"),
    ("38341003", "I10", "Hypertension"),
    ("55822004", "E78.5", "Hyperlipidemia"),
    ("195662009", "J02.9", "Acute viral pharyngitis"),
    ("10509002", "J20.9", "Acute bronchitis"),
    ("444814009", "J01.90", "Viral sinusitis"),
    ("15777000", "R73.03", "Prediabetes"),
    ("162864005", "E66.9", "Body mass index 30+ - obesity"),
    ("271737000", "D64.9", "Anemia"),
    ("233604007", "J18.9", "Pneumonia"),
    ("65363002", "H66.90", "Otitis media"),
    ("43878008", "J02.0", "Streptococcal sore throat"),
    ("370143000", "F33.9", "Major depressive disorder"),
    ("195967001", "J45.909", "Asthma"),
    ("40055000", "J32.9", "Chronic sinusitis"),
    ("68496003", "K63.5", "Polyp of colon"),
];

/// RxNorm product and a typical dose (tablets).
const MEDICATIONS: &[(&str, &str)] = &[
    ("860975", "metformin 500 MG extended release tablet"),
    ("314076", "lisinopril 10 MG oral tablet"),
    ("197361", "amlodipine 5 MG oral tablet"),
    ("617314", "atorvastatin 10 MG oral tablet"),
    ("310798", "hydrochlorothiazide 25 MG oral tablet"),
    ("198211", "simvastatin 40 MG oral tablet"),
    ("834061", "penicillin V potassium 250 MG oral tablet"),
    ("308182", "amoxicillin 250 MG oral capsule"),
    ("313782", "acetaminophen 325 MG oral tablet"),
    ("895994", "fluticasone 0.05 MG/ACTUAT nasal spray"),
    ("745679", "albuterol 0.09 MG/ACTUAT inhaler"),
    ("310965", "ibuprofen 200 MG oral tablet"),
];

const VACCINES: &[(&str, &str)] = &[
    ("140", "Influenza, seasonal, injectable, preservative free"),
    ("08", "Hep B, adolescent or pediatric"),
    ("133", "Pneumococcal conjugate PCV 13"),
    ("115", "Tdap"),
    ("113", "Td (adult)"),
    ("62", "HPV, quadrivalent"),
    ("21", "varicella"),
    ("03", "MMR"),
    ("10", "IPV"),
    ("20", "DTaP"),
    ("208", "SARS-COV-2 (COVID-19) vaccine, mRNA, 30 mcg/0.3mL"),
    ("121", "zoster live"),
];

const ALLERGENS: &[(&str, &str)] = &[
    ("91936005", "Allergy to penicillin"),
    ("300916003", "Latex allergy"),
    ("417532002", "Allergy to fish"),
    ("91935009", "Allergy to peanuts"),
    ("232347008", "Dander (animal) allergy"),
    ("256277009", "Grass pollen"),
    ("419474003", "Allergy to mould"),
    ("714035009", "Allergy to soya"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Lab,
    Vital,
    Condition,
    Medication,
    Immunization,
    Allergy,
}

impl Kind {
    fn pick(rng: &mut Rng) -> Kind {
        match rng.below(100) {
            0..=44 => Kind::Lab,
            45..=64 => Kind::Vital,
            65..=76 => Kind::Medication,
            77..=86 => Kind::Condition,
            87..=96 => Kind::Immunization,
            _ => Kind::Allergy,
        }
    }
    fn index(self) -> usize {
        self as usize
    }
    /// Facts of one concept are this far apart (beyond the kind's tolerance).
    fn spacing(self) -> i64 {
        match self {
            Kind::Lab => 3 * DAY,
            Kind::Vital => 6 * HOUR,
            Kind::Condition => 90 * DAY,
            Kind::Medication => 30 * DAY,
            Kind::Immunization => 30 * DAY,
            Kind::Allergy => 0,
        }
    }
    /// How far apart two sources' times of one fact may be.
    fn jitter(self) -> i64 {
        match self {
            Kind::Lab => 6 * HOUR,
            Kind::Vital => 20 * 60,
            Kind::Condition => 10 * DAY,
            Kind::Medication => 3 * DAY,
            Kind::Immunization | Kind::Allergy => 0,
        }
    }
    fn real_concepts(self) -> usize {
        match self {
            Kind::Lab => LABS.len(),
            Kind::Vital => VITALS.len(),
            Kind::Condition => CONDITIONS.len(),
            Kind::Medication => MEDICATIONS.len(),
            Kind::Immunization => VACCINES.len(),
            Kind::Allergy => ALLERGENS.len(),
        }
    }
}

/// A concept: the real one it is modelled on and a variant number (0 = the real code).
#[derive(Clone, Copy)]
struct Concept {
    base: usize,
    variant: usize,
}

impl Concept {
    fn code(self, real: &str) -> String {
        if self.variant == 0 {
            real.to_owned()
        } else {
            format!("{real}-x{}", self.variant)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing resources.

/// 2000-01-01T00:00:00Z.
const EPOCH_2000: i64 = 946_684_800;

fn civil(secs: i64) -> (i64, u32, u32, u32, u32, u32) {
    // Days to civil date (H. Hinnant's algorithm), seconds to time of day.
    let days = secs.div_euclid(DAY);
    let tod = secs.rem_euclid(DAY);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (y, m, d, (tod / HOUR) as u32, ((tod % HOUR) / 60) as u32, (tod % 60) as u32)
}

/// How a source writes a time.
#[derive(Clone, Copy)]
enum TimeStyle {
    Utc,
    Offset,
    DateOnly,
}

fn when(secs: i64, style: TimeStyle) -> String {
    match style {
        TimeStyle::Utc => {
            let (y, m, d, h, mi, s) = civil(secs);
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
        }
        TimeStyle::Offset => {
            let (y, m, d, h, mi, s) = civil(secs - 5 * HOUR);
            format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}-05:00")
        }
        TimeStyle::DateOnly => {
            let (y, m, d, ..) = civil(secs);
            format!("{y:04}-{m:02}-{d:02}")
        }
    }
}

fn coding(system: &str, code: &str, display: &str) -> String {
    format!(r#"{{"system":"{system}","code":"{code}","display":"{display}"}}"#)
}

/// One fact, before a source reports it.
struct Fact {
    kind: Kind,
    concept: Concept,
    /// Value in the main unit (labs, vitals).
    value: f64,
    /// Second value for a conflicting report.
    other_value: f64,
    criticality: &'static str,
}

/// What one source makes of a fact (version 1), and what a later version changes.
#[derive(Clone, Copy)]
struct Report {
    time: i64,
    style: TimeStyle,
    alt_unit: bool,
    conflict: bool,
    dual_coded: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Revision {
    Original,
    Amended,
    Retracted,
}

fn quantity(value: f64, unit: &str, decimals: usize) -> String {
    format!(r#"{{"value":{value:.decimals$},"unit":"{unit}","system":"{UCUM}","code":"{unit}"}}"#)
}

fn resource(fact: &Fact, r: &Report, id: &str, rev: Revision) -> String {
    let subject = r#""subject":{"reference":"Patient/p1"}"#;
    let t = when(r.time, r.style);
    let recorded = when(r.time + 2 * HOUR, TimeStyle::Utc);
    match fact.kind {
        Kind::Lab | Kind::Vital => {
            let (list, category) = if fact.kind == Kind::Lab { (LABS, "laboratory") } else { (VITALS, "vital-signs") };
            let m = &list[fact.concept.base];
            let code = fact.concept.code(m.code);
            let v = if r.conflict { fact.other_value } else { fact.value };
            // Mass ↔ substance conversions need the real LOINC code (synthetic variants have none).
            let convertible = fact.concept.variant == 0 || !matches!(m.unit, "mg/dL" | "%");
            let q = match (r.alt_unit && convertible, m.alt) {
                (true, Some((unit, f, decimals))) => quantity(f(v), unit, decimals),
                _ => quantity(v, m.unit, m.decimals),
            };
            let status = match rev {
                Revision::Original => "final",
                Revision::Amended => "amended",
                Revision::Retracted => "entered-in-error",
            };
            format!(
                r#"{{"resourceType":"Observation","id":"{id}","status":"{status}","category":[{{"coding":[{}]}}],"code":{{"coding":[{}],"text":"{}"}},{subject},"effectiveDateTime":"{t}","issued":"{recorded}","valueQuantity":{q}}}"#,
                coding("http://terminology.hl7.org/CodeSystem/observation-category", category, category),
                coding(LOINC, &code, m.display),
                m.display
            )
        }
        Kind::Condition => {
            let (snomed, icd, display) = CONDITIONS[fact.concept.base];
            let mut codings = coding(SNOMED, &fact.concept.code(snomed), display);
            if r.dual_coded {
                codings.push(',');
                codings.push_str(&coding(ICD10, &fact.concept.code(icd), display));
            }
            let (clinical, abatement) = match (rev, r.conflict) {
                (Revision::Amended, _) | (_, true) => {
                    ("resolved", format!(r#","abatementDateTime":"{}""#, when(r.time + 20 * DAY, r.style)))
                }
                _ => ("active", String::new()),
            };
            let verification = if rev == Revision::Retracted { "entered-in-error" } else { "confirmed" };
            format!(
                r#"{{"resourceType":"Condition","id":"{id}","clinicalStatus":{{"coding":[{}]}},"verificationStatus":{{"coding":[{}]}},"category":[{{"coding":[{}]}}],"code":{{"coding":[{codings}],"text":"{display}"}},{subject},"onsetDateTime":"{t}"{abatement},"recordedDate":"{recorded}"}}"#,
                coding("http://terminology.hl7.org/CodeSystem/condition-clinical", clinical, clinical),
                coding("http://terminology.hl7.org/CodeSystem/condition-ver-status", verification, verification),
                coding(
                    "http://terminology.hl7.org/CodeSystem/condition-category",
                    "problem-list-item",
                    "Problem List Item"
                ),
            )
        }
        Kind::Medication => {
            let (rx, display) = MEDICATIONS[fact.concept.base];
            let status = match rev {
                Revision::Original => "active",
                Revision::Amended => "completed",
                Revision::Retracted => "entered-in-error",
            };
            let dose = if r.conflict { 2 } else { 1 };
            format!(
                r#"{{"resourceType":"MedicationRequest","id":"{id}","status":"{status}","intent":"order","medicationCodeableConcept":{{"coding":[{}],"text":"{display}"}},{subject},"authoredOn":"{t}","dosageInstruction":[{{"sequence":1,"text":"{dose} tablet daily","timing":{{"repeat":{{"frequency":1,"period":1,"periodUnit":"d"}}}},"doseAndRate":[{{"doseQuantity":{{"value":{dose},"unit":"tablet","system":"{UCUM}","code":"{{tbl}}"}}}}]}}]}}"#,
                coding(RXNORM, &fact.concept.code(rx), display)
            )
        }
        Kind::Immunization => {
            let (cvx, display) = VACCINES[fact.concept.base];
            let status = if rev == Revision::Retracted { "entered-in-error" } else { "completed" };
            let lot = if rev == Revision::Amended { r#","lotNumber":"A12B3""# } else { "" };
            format!(
                r#"{{"resourceType":"Immunization","id":"{id}","status":"{status}","vaccineCode":{{"coding":[{}],"text":"{display}"}},"patient":{{"reference":"Patient/p1"}},"occurrenceDateTime":"{t}","recorded":"{recorded}","primarySource":true{lot}}}"#,
                coding(CVX, &fact.concept.code(cvx), display)
            )
        }
        Kind::Allergy => {
            let (code, display) = ALLERGENS[fact.concept.base];
            let criticality = match (rev, r.conflict) {
                (Revision::Amended, _) | (_, true) => "high",
                _ => fact.criticality,
            };
            let verification = if rev == Revision::Retracted { "entered-in-error" } else { "confirmed" };
            format!(
                r#"{{"resourceType":"AllergyIntolerance","id":"{id}","clinicalStatus":{{"coding":[{}]}},"verificationStatus":{{"coding":[{}]}},"type":"allergy","category":["medication"],"criticality":"{criticality}","code":{{"coding":[{}],"text":"{display}"}},"patient":{{"reference":"Patient/p1"}},"recordedDate":"{recorded}"}}"#,
                coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
                coding(
                    "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification",
                    verification,
                    verification
                ),
                coding(SNOMED, &fact.concept.code(code), display)
            )
        }
    }
}

fn round_to(v: f64, decimals: usize) -> f64 {
    let p = 10f64.powi(decimals as i32);
    (v * p).round() / p
}

/// Generate `n` entries of one patient across `sources` sources: one `Record` per source.
fn generate(n: usize, sources: usize, seed: u64) -> Vec<Record> {
    let mut rng = Rng(seed ^ (n as u64).wrapping_mul(31) ^ sources as u64);
    let patient = |k: usize| {
        Patient::parse(&format!(
            r#"{{"resourceType":"Patient","id":"p{k}","identifier":[{{"system":"http://hospital.example/mrn","value":"MRN-000123"}}],"name":[{{"family":"Kozey","given":["Burton"]}}],"gender":"male","birthDate":"1961-04-12"}}"#
        ))
        .expect("patient")
    };
    let mut records: Vec<Record> = (0..sources)
        .map(|k| {
            let mut r = Record::new(patient(k));
            r.sources.push(Source::new(format!("clinic-{k}"), format!("Clinic {k}")));
            r
        })
        .collect();
    let mut count = 0usize;
    // Texts first (one random stream, so deterministic); entries are made from them after, on
    // every core (generation is not what is measured).
    let mut pending: Vec<(usize, Provenance, String)> = Vec::with_capacity(n + sources);
    let push =
        |pending: &mut Vec<(usize, Provenance, String)>, count: &mut usize, k: usize, p: Provenance, text: &str| {
            pending.push((k, p, text.to_owned()));
            *count += 1;
        };
    for k in 0..sources {
        let text = format!(
            r#"{{"resourceType":"AllergyIntolerance","id":"nka","clinicalStatus":{{"coding":[{}]}},"verificationStatus":{{"coding":[{}]}},"code":{{"coding":[{}]}},"patient":{{"reference":"Patient/p1"}},"recordedDate":"2000-01-01"}}"#,
            coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"),
            coding("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"),
            coding(SNOMED, "716186003", "No known allergy")
        );
        push(&mut pending, &mut count, k, Provenance::new(format!("clinic-{k}"), "nka"), &text);
    }

    // Concept pools grow with the record: about 2,000 facts per concept at most.
    let facts_estimate = n as f64 / 1.9;
    let shares = [0.45, 0.20, 0.10, 0.12, 0.10, 0.03]; // Lab, Vital, Condition, Medication, Immunization, Allergy
    let pool: Vec<usize> = [Kind::Lab, Kind::Vital, Kind::Condition, Kind::Medication, Kind::Immunization]
        .iter()
        .map(|k| k.real_concepts().max((facts_estimate * shares[k.index()] / 2000.0).ceil() as usize))
        .collect();
    // Next time per concept (its own series), per kind.
    let mut next: Vec<Vec<i64>> = pool.iter().map(|&p| vec![EPOCH_2000; p]).collect();
    let mut allergies = 0usize;
    let mut fact_no = 0usize;
    while count < n {
        fact_no += 1;
        let kind = Kind::pick(&mut rng);
        let concept = if kind == Kind::Allergy {
            allergies += 1;
            Concept { base: allergies % ALLERGENS.len(), variant: allergies / ALLERGENS.len() }
        } else {
            let i = rng.below(pool[kind.index()] as u64) as usize;
            let real = kind.real_concepts();
            Concept { base: i % real, variant: i / real }
        };
        let time = if kind == Kind::Allergy {
            EPOCH_2000 + rng.below(20 * 365) as i64 * DAY
        } else {
            let slot = &mut next[kind.index()][concept.base + concept.variant * kind.real_concepts()];
            let t = *slot + rng.below((kind.spacing() / 4) as u64) as i64;
            *slot += kind.spacing() + kind.spacing() / 2;
            t
        };
        let (value, other_value) = match kind {
            Kind::Lab | Kind::Vital => {
                let m = if kind == Kind::Lab { &LABS[concept.base] } else { &VITALS[concept.base] };
                let v = round_to(rng.range(m.lo, m.hi), m.decimals);
                (v, round_to(v * 1.25 + 1.0, m.decimals))
            }
            _ => (0.0, 0.0),
        };
        let criticality = if rng.chance(0.3) { "high" } else { "low" };
        let fact = Fact { kind, concept, value, other_value, criticality };

        let reporters = match rng.below(100) {
            0..=44 => 1,
            45..=79 => 2,
            80..=94 => 3,
            _ => 4,
        }
        .min(sources);
        let first = rng.below(sources as u64) as usize;
        let step = 1 + rng.below((sources - 1).max(1) as u64) as usize;
        for j in 0..reporters {
            if count >= n {
                break;
            }
            // Distinct sources: walk from `first` by a step (coprime or not, dedup below).
            let k = (first + j * step) % sources;
            if j > 0 && (0..j).any(|i| (first + i * step) % sources == k) {
                continue;
            }
            let repeated = j > 0;
            let style = match (kind, rng.below(10)) {
                (Kind::Vital, 0) | (Kind::Lab | Kind::Condition | Kind::Medication | Kind::Allergy, 0..=1) => {
                    TimeStyle::Offset
                }
                (Kind::Condition | Kind::Medication | Kind::Immunization, 2..=4) => TimeStyle::DateOnly,
                _ => TimeStyle::Utc,
            };
            let conflict = repeated
                && match kind {
                    Kind::Lab | Kind::Vital => rng.chance(0.02),
                    Kind::Condition | Kind::Medication => rng.chance(0.03),
                    Kind::Allergy => rng.chance(0.10),
                    Kind::Immunization => false,
                };
            let report = Report {
                time: time + if repeated { rng.jitter(kind.jitter()) } else { 0 },
                style,
                alt_unit: repeated && rng.chance(0.25),
                conflict,
                dual_coded: rng.chance(0.3),
            };
            let id = format!("f{fact_no}-{j}");
            let source = format!("clinic-{k}");
            let recorded = |secs: i64| when(secs, TimeStyle::Utc).parse::<PartialDate>().expect("date");
            let p = Provenance::new(source.as_str(), id.as_str()).with_recorded(recorded(report.time + 2 * HOUR));
            push(&mut pending, &mut count, k, p, &resource(&fact, &report, &id, Revision::Original));
            let later = match rng.below(100) {
                0..=5 => Some(Revision::Amended),
                6 => Some(Revision::Retracted),
                _ => None,
            };
            if let (Some(rev), true) = (later, count < n) {
                let p = Provenance::new(source.as_str(), id.as_str())
                    .with_version(2)
                    .with_recorded(recorded(report.time + 30 * DAY));
                push(&mut pending, &mut count, k, p, &resource(&fact, &report, &id, rev));
            }
        }
    }
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = pending.len().div_ceil(threads).max(1);
    let made: Vec<Vec<(usize, Entry)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = pending
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(k, p, text)| (*k, Entry::from_text(p.clone(), text).expect("generated resource")))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("generator thread")).collect()
    });
    drop(pending);
    for (k, e) in made.into_iter().flatten() {
        records[k].entries.push(e);
    }
    records
}

// ---------------------------------------------------------------------------------------------
// Measuring.

struct Args {
    sizes: Vec<usize>,
    sources: Vec<usize>,
    rounds: usize,
    seed: u64,
    only_view: bool,
    markdown: Option<PathBuf>,
    dump: Option<PathBuf>,
}

fn list(s: &str) -> Result<Vec<usize>, String> {
    s.split(',').map(|x| x.trim().replace('_', "").parse::<usize>().map_err(|_| format!("not a number: {x}"))).collect()
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        sizes: vec![10_000, 100_000, 1_000_000],
        sources: vec![2, 10],
        rounds: 9,
        seed: 42,
        only_view: false,
        markdown: None,
        dump: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--sizes" => a.sizes = list(&value("--sizes")?)?,
            "--sources" => a.sources = list(&value("--sources")?)?.into_iter().map(|s| s.max(1)).collect(),
            "--rounds" => a.rounds = value("--rounds")?.parse().map_err(|_| "--rounds: not a number")?,
            "--seed" => a.seed = value("--seed")?.parse().map_err(|_| "--seed: not a number")?,
            "--only-view" => a.only_view = true,
            "--markdown" => a.markdown = Some(PathBuf::from(value("--markdown")?)),
            "--dump" => a.dump = Some(PathBuf::from(value("--dump")?)),
            _ => {}
        }
    }
    Ok(a)
}

/// Seconds this thread has spent on a CPU (Linux), so that comparisons on a busy machine can
/// leave out the time spent waiting for one.
fn on_cpu() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    Some(stat.split_whitespace().next()?.parse::<f64>().ok()? / 1e9)
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

struct Row {
    /// Entries asked for (the size class).
    requested: usize,
    /// Entries of the merged record (plus one patient entry per source).
    n: usize,
    sources: usize,
    gen_secs: f64,
    rounds: usize,
    view_secs: Vec<f64>,
    merge_secs: Vec<f64>,
    view_ref_secs: Vec<f64>,
    items: usize,
    folded: usize,
    conflicts: usize,
    suppressed: usize,
    retracted: usize,
    superseded: usize,
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("bench merge: {e}");
            std::process::exit(2);
        }
    };
    let mut rows = Vec::new();
    for &sources in &a.sources {
        for &n in &a.sizes {
            let start = Instant::now();
            let records = generate(n, sources, a.seed);
            let gen_secs = start.elapsed().as_secs_f64();
            let entries: usize = records.iter().map(|r| r.entries.len()).sum();
            // Fewer rounds at larger sizes: 5 from 100k, 3 from 1M.
            let rounds = match n {
                1_000_000.. => a.rounds.min(3),
                100_000.. => a.rounds.min(5),
                _ => a.rounds,
            }
            .max(1);
            eprintln!(
                "bench merge: {entries} entries, {sources} sources generated in {gen_secs:.1} s; {rounds} rounds"
            );

            let options = MergeOptions::default();
            let (merged, _) = merge(&records, &options).unwrap_or_else(|e| panic!("merge refused: {e}"));
            let v = view(&merged);
            if let Some(dir) = &a.dump {
                let (_, report) = merge(&records, &options).unwrap_or_else(|e| panic!("merge refused: {e}"));
                let write = |name: String, json: String| {
                    std::fs::write(dir.join(name), json).unwrap_or_else(|e| panic!("--dump: {e}"));
                };
                write(format!("view-{n}-{sources}.json"), serde_json::to_string(&v).unwrap());
                write(format!("report-{n}-{sources}.json"), serde_json::to_string(&report).unwrap());
                write(format!("merged-{n}-{sources}.json"), serde_json::to_string(&merged).unwrap());
            }
            let mut row = Row {
                requested: n,
                n: merged.entries.len(),
                sources,
                gen_secs,
                rounds,
                view_secs: Vec::new(),
                merge_secs: Vec::new(),
                view_ref_secs: Vec::new(),
                items: v.items.len(),
                folded: v.folded.len(),
                conflicts: v.conflicts.len(),
                suppressed: v.suppressed.len(),
                retracted: v.retracted.len(),
                superseded: v.superseded.len(),
            };
            drop(v);
            let mut view_cpu = Vec::new();
            for _ in 0..rounds {
                let start = Instant::now();
                let v = black_box(view_ref(black_box(&merged)));
                row.view_ref_secs.push(start.elapsed().as_secs_f64());
                drop(v);
                let (start, cpu) = (Instant::now(), on_cpu());
                let v = black_box(view(black_box(&merged)));
                row.view_secs.push(start.elapsed().as_secs_f64());
                view_cpu.extend(cpu.zip(on_cpu()).map(|(a, b)| b - a));
                drop(v);
                if !a.only_view {
                    let start = Instant::now();
                    let m = black_box(merge(black_box(&records), &options));
                    row.merge_secs.push(start.elapsed().as_secs_f64());
                    drop(m);
                }
            }
            eprintln!(
                "bench merge: view_ref {:.1} ms, view {:.1} ms ({:.1} ms on CPU), merge {:.1} ms",
                median(&row.view_ref_secs) * 1e3,
                median(&row.view_secs) * 1e3,
                median(&view_cpu) * 1e3,
                median(&row.merge_secs) * 1e3
            );
            rows.push(row);
        }
    }
    let report = render(&a, &rows);
    println!("{report}");
    if let Some(md) = &a.markdown {
        if let Err(e) = std::fs::write(md, &report) {
            eprintln!("bench merge: {}: {e}", md.display());
        }
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "**missed**"
    }
}

/// Which of a row's timings.
type Times = fn(&Row) -> &[f64];

fn render(a: &Args, rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Generated records (seed {}), one thread; median of the rounds shown; entries/s = entries ÷ median time.\n",
        a.seed
    );
    let _ = writeln!(
        s,
        "| entries | sources | view items | folded | conflicts | suppressed | retracted | superseded | rounds | `view_ref()` ms (min) | `view_ref()` entries/s | `view()` ms (min) | `view()` entries/s | `merge()` ms (min) | `merge()` entries/s |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let min = |xs: &[f64]| xs.iter().copied().fold(f64::INFINITY, f64::min);
    for r in rows {
        let v = median(&r.view_secs);
        let b = median(&r.view_ref_secs);
        let m = median(&r.merge_secs);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {:.1} ({:.1}) | {:.0} | {:.1} ({:.1}) | {:.0} | {} | {} |",
            r.n,
            r.sources,
            r.items,
            r.folded,
            r.conflicts,
            r.suppressed,
            r.retracted,
            r.superseded,
            r.rounds,
            b * 1e3,
            min(&r.view_ref_secs) * 1e3,
            r.n as f64 / b,
            v * 1e3,
            min(&r.view_secs) * 1e3,
            r.n as f64 / v,
            if m.is_nan() { "—".to_owned() } else { format!("{:.1} ({:.1})", m * 1e3, min(&r.merge_secs) * 1e3) },
            if m.is_nan() { "—".to_owned() } else { format!("{:.0}", r.n as f64 / m) },
        );
    }
    let gen: f64 = rows.iter().map(|r| r.gen_secs).sum();
    let _ = writeln!(s, "\n(Generating the records took {gen:.1} s in all, not timed above.)\n");

    let _ = writeln!(s, "| Target | sources | measured: median (best round) | target | verdict (median) |");
    let _ = writeln!(s, "|---|---:|---:|---:|---|");
    for &src in &a.sources {
        let of = |n: usize| rows.iter().find(|r| r.sources == src && r.requested == n);
        let largest = rows.iter().filter(|r| r.sources == src).max_by_key(|r| r.n);
        // The target is for the clustering-and-view step (`view_ref()`); `view()` adds the owned
        // copy and is shown beside it.
        let steps: [(&str, Times); 2] = [("view_ref()", |r| &r.view_ref_secs), ("view()", |r| &r.view_secs)];
        if let Some(r) = largest {
            for (name, secs) in steps {
                let eps = r.n as f64 / median(secs(r));
                let _ = writeln!(
                    s,
                    "| `{name}` throughput at {} entries | {src} | {:.3} ({:.3}) M entries/s | ≥ 1 M entries/s | {} |",
                    r.n,
                    eps / 1e6,
                    r.n as f64 / min(secs(r)) / 1e6,
                    verdict(eps >= 1e6)
                );
            }
        }
        if let (Some(big), Some(small)) = (of(1_000_000), of(100_000)) {
            for (name, secs) in steps {
                let rv = median(secs(big)) / median(secs(small));
                let _ = writeln!(
                    s,
                    "| `{name}` time 1M ÷ 100k | {src} | {rv:.2} ({:.2}) | ≤ 12 | {} |",
                    min(secs(big)) / min(secs(small)),
                    verdict(rv <= 12.0)
                );
            }
            if !a.only_view {
                let rm = median(&big.merge_secs) / median(&small.merge_secs);
                let _ = writeln!(
                    s,
                    "| `merge()` time 1M ÷ 100k (no target; for scale) | {src} | {rm:.2} ({:.2}) | — | — |",
                    min(&big.merge_secs) / min(&small.merge_secs)
                );
            }
        }
    }
    s
}
