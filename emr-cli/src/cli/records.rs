//! Arguments of the commands that work on whole records: import, merge, export, timeline,
//! trend and the demo.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::{UnlockArgs, WriteArgs, PASSPHRASE_HELP};

/// `emr import`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct ImportArgs {
    /// The .emr file to add to.
    pub file: PathBuf,
    /// FHIR R4 JSON: a resource, a Bundle, an IPS document; a C-CDA document (XML); an encrypted
    /// patient bundle (from `emr export --format bundle`; opened with the same -i / passphrase
    /// options); a directory of Bulk Data NDJSON (`TYPE.ndjson` files, e.g. from `emr export
    /// --format ndjson -o DIR`); or a SMART Health Link (`shlink:/…`, or a viewer URL ending in
    /// `#shlink:/…`).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Refuse the import (change nothing) when any input has validation errors.
    #[arg(long)]
    pub strict: bool,
    /// Import even when an input's patient may be someone other than the record's.
    #[arg(long)]
    pub force: bool,
    /// Print every validation finding, not only the summary.
    #[arg(long)]
    pub verbose: bool,
    /// For a SMART Health Link: who you are, shown to the sender
    /// [default: --actor, $EMR_ACTOR, else the login name].
    #[arg(long, value_name = "NAME")]
    pub recipient: Option<String>,
    /// For a SMART Health Link with a passcode: read it from the first line of FILE (else
    /// EMR_SHL_PASSCODE, else it is asked for).
    #[arg(long, value_name = "FILE")]
    pub passcode_file: Option<PathBuf>,
    /// For a SMART Health Link: read its manifest (with embedded files) or its JWE file from FILE
    /// instead of fetching it (offline).
    #[arg(long, value_name = "FILE")]
    pub shl_file: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}

/// `emr merge`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct MergeArgs {
    /// The merged .emr file to write.
    pub output: PathBuf,
    /// The .emr files to merge (all opened with the same -i / passphrase options).
    #[arg(required = true, value_name = "IN")]
    pub inputs: Vec<PathBuf>,
    /// Overwrite OUT if it exists, and merge even when the records may describe different patients.
    #[arg(long)]
    pub force: bool,
    /// Print the merge report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Encrypt OUT to this public key (default: encrypted like the first input). Repeatable.
    #[arg(short = 'r', long = "recipient", value_name = "RECIPIENT")]
    pub recipients: Vec<String>,
    /// Encrypt OUT to the public keys listed in FILE. Repeatable.
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE")]
    pub recipients_files: Vec<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}

/// What `emr export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// A FHIR R4 collection Bundle of the clinical view (`--all-assertions`: every assertion).
    Fhir,
    /// An International Patient Summary document Bundle.
    Ips,
    /// Bulk-data NDJSON: a directory with one TYPE.ndjson file per resource type.
    Ndjson,
    /// The encrypted patient bundle (age): IPS, every assertion and Provenance, gzip-compressed.
    Bundle,
}

/// `emr export`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Examples:\n",
    "  emr export chart.emr -i clinic.key --format ips -o ips.json\n",
    "  emr export chart.emr -i clinic.key --format ndjson -o bulk/\n",
    "  emr export a.emr b.emr c.emr -i clinic.key --format ndjson -o population/\n",
    "  emr export chart.emr -i clinic.key --format bundle -r age1… -o patient-bundle.age\n\n",
    "A patient bundle is always encrypted: give -r RECIPIENT (age or SSH public key) or a bundle passphrase\n",
    "(--bundle-passphrase-file FILE or EMR_BUNDLE_PASSPHRASE). Any age tool decrypts it; the result\n",
    "is gzip-compressed FHIR R4 JSON.\n\n",
    passphrase_help!()
))]
pub struct ExportArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// With `--format ndjson`: more .emr files, written as one NDJSON set (a population), ids
    /// unique across all of them.
    #[arg(value_name = "MORE")]
    pub more: Vec<PathBuf>,
    /// What to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Where to write (`-` for standard output; a directory for ndjson).
    #[arg(short, long, value_name = "OUT")]
    pub output: PathBuf,
    /// With `--format fhir`: every source's assertion, not only the clinical view.
    #[arg(long)]
    pub all_assertions: bool,
    /// With `--format bundle`: encrypt to this public key (age1…, ssh-ed25519 …, ssh-rsa …). Repeatable.
    #[arg(short = 'r', long = "recipient", value_name = "RECIPIENT")]
    pub recipients: Vec<String>,
    /// With `--format bundle`: read the bundle's passphrase from the first line of FILE
    /// (else EMR_BUNDLE_PASSPHRASE).
    #[arg(long, value_name = "FILE")]
    pub bundle_passphrase_file: Option<PathBuf>,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// `emr timeline`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct TimelineArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// Show only the last N events.
    #[arg(long, value_name = "N")]
    pub last: Option<usize>,
    /// Show only events of this kind (condition, allergy, medication, immunization, observation,
    /// procedure, encounter, note, diagnostic-report, claim…). Repeatable.
    #[arg(long, value_name = "KIND")]
    pub kind: Vec<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// `emr trend`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Examples:\n  emr trend chart.emr 4548-4 -i clinic.key            # HbA1c\n",
    "  emr trend chart.emr 'http://loinc.org|2339-0' -i clinic.key --json\n\n",
    passphrase_help!()
))]
pub struct TrendArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// The code: `system|code`, or a bare code in any system (e.g. LOINC 4548-4).
    pub code: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write the chart as an SVG image to FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Overwrite the SVG file if it exists.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// `emr demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The output folder (created; must be empty or missing).
    #[arg(long, value_name = "DIR", default_value = "emr-demo")]
    pub out: PathBuf,
    /// Use the folder even if it is not empty (files of an earlier demo are replaced).
    #[arg(long)]
    pub force: bool,
}

/// `emr resolve`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "The decision is recorded as a new entry of the reconciling clinician (a source of kind\n",
    "clinician) that points at the versions it settles; nothing is deleted, and the audit log\n",
    "names the clinician. The clinical view then shows the accepted version (or, after a\n",
    "rejection, the other ones).\n\n",
    "VERSION is the number `emr conflicts` shows, or a source id or name when only one version\n",
    "of the conflict comes from that source.\n\n",
    "Examples:\n",
    "  emr resolve ehr.emr c1f0e2a9b -i clinic.key --accept 2 --clinician 'Dr. Ana Lee'\n",
    "  emr resolve ehr.emr c1f0e2a9b -i clinic.key --reject clinic-b --clinician 'Dr. Ana Lee'\n",
    "  emr resolve ehr.emr c1f0e2a9b -i clinic.key --edit corrected.json --clinician 'Dr. Ana Lee'\n\n",
    passphrase_help!()
))]
#[command(group(clap::ArgGroup::new("choice").required(true).multiple(false)))]
pub struct ResolveArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// The conflict: its short reference (`c…`, from `emr conflicts`) or its full id.
    pub conflict: String,
    /// The version that is right.
    #[arg(long, value_name = "VERSION", group = "choice")]
    pub accept: Option<String>,
    /// The version that is wrong (the others stay in the view).
    #[arg(long, value_name = "VERSION", group = "choice")]
    pub reject: Option<String>,
    /// A corrected FHIR resource (JSON) that replaces every version.
    #[arg(long, value_name = "FILE", group = "choice")]
    pub edit: Option<PathBuf>,
    /// The reconciling clinician's name, recorded in the entry and the audit log
    /// [default: --actor, $EMR_ACTOR, else the login name].
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// Print the recorded decision as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}
