//! Arguments of the entry commands: `add`, `list`, `show`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{UnlockArgs, WriteArgs};

/// Entry kinds `emr add` can build from flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EntryKindArg {
    /// A problem or diagnosis (FHIR Condition).
    Condition,
    /// An allergy or intolerance (FHIR AllergyIntolerance).
    Allergy,
    /// A lab result, vital sign or other measurement (FHIR Observation).
    Observation,
    /// A vaccination (FHIR Immunization).
    Immunization,
    /// A medication the patient takes (FHIR MedicationStatement).
    Medication,
}

/// `emr add`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Codes: SYSTEM|CODE, where SYSTEM is a URI or one of loinc, snomed, icd10cm, rxnorm, cvx, ucum.\n",
    "Dates: YYYY, YYYY-MM, YYYY-MM-DD, or YYYY-MM-DDThh:mm:ss with Z or ±hh:mm.\n\n",
    "The entry is validated with the rest of the record; findings about it are shown, and errors\n",
    "refuse the entry unless --allow-invalid is given.\n\n",
    "Examples:\n",
    "  emr add chart.emr -i clinic.key --json condition.json --source clinic-a\n",
    "  emr add chart.emr -i clinic.key --kind condition --code 'snomed|44054006' --display 'Type 2 diabetes' --date 2019-05\n",
    "  emr add chart.emr -i clinic.key --kind allergy --code 'snomed|91936005' --display 'Penicillin allergy' --criticality high\n",
    "  emr add chart.emr -i clinic.key --kind observation --code 'loinc|4548-4' --display HbA1c --value 6.3 --unit % --date 2024-03-01T09:30:00+01:00\n",
    "  emr add chart.emr -i clinic.key --kind immunization --code 'cvx|140' --date 2023-10-12\n",
    "  emr add chart.emr -i clinic.key --kind medication --code 'rxnorm|860975' --display 'Metformin 500 mg' --date 2019-06\n\n",
    "Passphrase-protected files: see `emr init --help`."
))]
pub struct AddArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// A FHIR R4 resource (JSON), kept exactly as given; `-` for standard input.
    #[arg(long, value_name = "FILE", conflicts_with = "kind", required_unless_present = "kind")]
    pub json: Option<PathBuf>,
    /// Build a resource of this kind from the flags below.
    #[arg(long, value_enum, requires = "code")]
    pub kind: Option<EntryKindArg>,
    /// The coded concept, SYSTEM|CODE (e.g. loinc|4548-4, snomed|44054006).
    #[arg(long, value_name = "SYSTEM|CODE")]
    pub code: Option<String>,
    /// Human-readable name of the concept.
    #[arg(long, value_name = "TEXT")]
    pub display: Option<String>,
    /// When: onset (condition, allergy), effective time (observation, medication), occurrence (immunization).
    #[arg(long, visible_alias = "onset", value_name = "DATE")]
    pub date: Option<String>,
    /// Condition: when it ended (abatement); the clinical status becomes resolved.
    #[arg(long, value_name = "DATE")]
    pub abatement: Option<String>,
    /// Status: clinical status (condition, allergy: active, inactive, resolved), else the resource status.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Allergy: low, high or unable-to-assess.
    #[arg(long, value_name = "LEVEL")]
    pub criticality: Option<String>,
    /// Observation: a decimal value, kept as written (6.30 stays 6.30).
    #[arg(long, value_name = "NUMBER")]
    pub value: Option<String>,
    /// Observation: the value's UCUM unit (e.g. %, mg/dL, `mm[Hg]`).
    #[arg(long, value_name = "UCUM", requires = "value")]
    pub unit: Option<String>,
    /// The source the entry comes from [default: the file's source, set by `emr init --source`].
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// The entry's id in its source [default: the resource's id, else one derived from the resource: the same
    /// resource gets the same id].
    #[arg(long, value_name = "ID")]
    pub id: Option<String>,
    /// Add as the next version when the source already has an entry with this id.
    #[arg(long)]
    pub new_version: bool,
    /// Add the entry even when validation finds errors in it.
    #[arg(long)]
    pub allow_invalid: bool,
    /// Judge dates against this instant (RFC 3339) instead of the current time.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
    /// Print the added entry as JSON.
    #[arg(long)]
    pub print_json: bool,
}

/// `emr list`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Dates filter on the entry's clinical time (a partial date such as 2019 matches when its\n",
    "interval overlaps); entries without a clinical time are left out when --since or --until is given.\n",
    "--json prints a JSON array of entries, each as in the record JSON (provenance and resource).\n\n",
    "Examples:\n",
    "  emr list chart.emr -i clinic.key --kind observation --code loinc|4548-4 --since 2020\n",
    "  emr list chart.emr -i clinic.key --status active --json\n\n",
    "Passphrase-protected files: see `emr init --help`."
))]
pub struct ListArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// Only entries of this kind (condition, allergy, medication, immunization, observation, procedure, …).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// Only entries whose main code is SYSTEM|CODE, or CODE in any system.
    #[arg(long, value_name = "CODE")]
    pub code: Option<String>,
    /// Only entries from this source.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// Only entries with this status (e.g. active, resolved, final, entered-in-error).
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// Only entries on or after this date.
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only entries on or before this date.
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Print a JSON array of entries.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// `emr show`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Examples:\n  emr show chart.emr c1 -i clinic.key\n  emr show chart.emr c1 -i clinic.key --source clinic-b --json\n\n",
    passphrase_help!()
))]
pub struct ShowArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// The entry's id in its source (as in `emr list`).
    pub id: String,
    /// The source, when several sources use the same id.
    #[arg(long, value_name = "ID")]
    pub source: Option<String>,
    /// A version of the entry other than the latest.
    #[arg(long, value_name = "N")]
    pub entry_version: Option<u32>,
    /// Print the entry as JSON (as in the record JSON).
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}
