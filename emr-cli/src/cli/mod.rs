//! Command-line arguments: one type per subcommand, shared option groups, help texts.
//!
//! Help, completions and the man page are all generated from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

pub use entry::{AddArgs, EntryKindArg, ListArgs, ShowArgs};
pub use records::{DemoArgs, ExportArgs, ExportFormat, ImportArgs, MergeArgs, ResolveArgs, TimelineArgs, TrendArgs};
pub use share::{ShareArgs, ShareCommand, ShareServeArgs};

use crate::error::{exit_status_help, fill_exit_statuses};

/// The "Passphrases" help section, as a literal for `concat!`.
macro_rules! passphrase_help {
    () => {
        "\
Passphrases:
  A file protected by a passphrase needs it to open. emr asks on the terminal, unless
  --passphrase-file FILE (first line, trailing newline removed) or the EMR_PASSPHRASE
  environment variable gives it. Both are for scripts and carry risks: a passphrase file
  can be read by anyone who can read the file (keep it 0600, on an encrypted disk, and
  delete it after use); an environment variable can be read by other processes of the
  same user (/proc/PID/environ), and a command line that sets it may end up in shell
  history. Prefer the prompt, or public-key recipients (-r) with an identity file (-i).
  EMR_SCRYPT_WORK_FACTOR lowers the passphrase's key-derivation cost: for tests only,
  never for real records."
    };
}

/// How to give passphrases, and what each way risks. Shown in the help of every command that asks.
pub const PASSPHRASE_HELP: &str = passphrase_help!();

// After the macro, which `entry` and `records` use.
mod entry;
mod records;
mod share;

/// emr: encrypted medical record files on the command line.
///
/// Each .emr file holds one patient's chart: a SQLite database, encrypted with age
/// to a passphrase or to public keys, and an audit log of every change. The plaintext
/// never touches the disk, and every write replaces the file atomically.
#[derive(Debug, Parser)]
#[command(name = "emr", version, propagate_version = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make an age X25519 identity (a key pair) and print its public key.
    #[command(
        after_long_help = "Example:\n  emr keygen -o clinic.key\n  emr init chart.emr -r \"$(emr keygen -o patient.key)\""
    )]
    Keygen(KeygenArgs),
    /// Create a new, empty encrypted record file.
    #[command(after_long_help = concat!(
        "Examples:\n",
        "  emr init chart.emr                            # asks for a passphrase twice\n",
        "  emr init chart.emr -r age1… -r 'ssh-ed25519 AAAA… dr@clinic'\n",
        "  emr init chart.emr -R practice.pub --patient patient.json --source clinic-a\n\n",
        "Without --patient the record gets an empty Patient with a new id; `emr import` fills it in.\n\n",
        passphrase_help!()
    ))]
    Init(InitArgs),
    /// Add one entry: a FHIR resource from a file, or one built from flags.
    Add(AddArgs),
    /// List entries, with filters.
    List(ListArgs),
    /// The current problem, medication and allergy lists (the clinical view, duplicates folded).
    #[command(after_long_help = concat!(
        "Active problems, current medications and allergies, each once however many sources\n",
        "reported it; \"no known …\" statements only where nothing positive is recorded.\n\n",
        "Example:\n  emr lists ehr.emr -i clinic.key --json\n\n",
        passphrase_help!()
    ))]
    Lists(ReadArgs),
    /// The record's documents (C-CDA, IPS…) with each section's narrative, newest first.
    #[command(after_long_help = concat!(
        "Each document (a FHIR Composition: what a C-CDA import or an IPS brings) with its title,\n",
        "date, sources, type, status and authors, then each section's title and narrative as\n",
        "plain text: paragraphs apart, list items as \"- \", tables as \"cell | cell\" rows, links\n",
        "as \"text <address>\". Narrative-only sections (history of present illness, assessment,\n",
        "plan, hospital course) are shown here. The narrative is sanitized by emr-core; one that\n",
        "could not be read is said so, never shown as markup. Text wraps at --width, else the\n",
        "COLUMNS environment variable, else 100 characters. --json prints the documents with each\n",
        "narrative as emr-core's sanitized block tree.\n\n",
        "Examples:\n  emr documents chart.emr -i clinic.key\n  emr documents chart.emr -i clinic.key --width 72 | less\n  emr documents chart.emr -i clinic.key --json\n\n",
        passphrase_help!()
    ))]
    Documents(DocumentsArgs),
    /// Show one entry.
    Show(ShowArgs),
    /// Show the audit log: who changed what, when (never the clinical values).
    #[command(after_long_help = concat!("Example:\n  emr log chart.emr -i clinic.key --json\n\n", passphrase_help!()))]
    Log(ReadArgs),
    /// Check the audit chain and that every row matches its last logged hash.
    #[command(after_long_help = concat!(
        "Exit status {exit:Success} when intact, {exit:Findings} when a problem is found.\n\n",
        "The hash chain detects rows changed, added or removed outside emr. Someone able to\n",
        "decrypt the file could rebuild the whole chain: keep the printed head hash elsewhere\n",
        "to detect that too.\n\nExample:\n  emr verify chart.emr -i clinic.key --json\n\n",
        passphrase_help!()
    ))]
    Verify(ReadArgs),
    /// Change the passphrase of a passphrase-protected file.
    #[command(after_long_help = concat!(
        "Example:\n  emr passwd chart.emr                 # asks for the old one, then the new one twice\n",
        "  EMR_PASSPHRASE=old EMR_NEW_PASSPHRASE=new emr passwd chart.emr   # scripts (see the risks below)\n\n",
        "Copies of the file made before still open with the old passphrase.\n\n",
        passphrase_help!()
    ))]
    Passwd(PasswdArgs),
    /// List, add or remove the public keys a file is encrypted to.
    Recipients(RecipientsArgs),
    /// Validate a record: emr record JSON, a .emr file or a C-CDA document. Exit status {exit:Findings} when any finding is an error.
    #[command(after_long_help = concat!(
        "Examples:\n  emr validate record.json --json\n  emr validate chart.emr -i clinic.key\n  emr validate referral.xml\n\n",
        "A C-CDA document (XML, recognized by its content) is validated as it would be imported:\n",
        "the findings include what the C-CDA import could not map, with its location in the XML.\n\n",
        passphrase_help!()
    ))]
    Validate(ValidateArgs),
    /// Import FHIR R4 JSON (resources, Bundles, IPS), C-CDA documents, an encrypted patient bundle or a SMART Health Link into a record.
    #[command(after_long_help = concat!(
        "Examples:\n  emr import chart.emr -i clinic.key clinic-a.json\n",
        "  emr import chart.emr -i clinic.key referral.xml\n",
        "  emr import chart.emr -i clinic.key patient-bundle.age --strict\n",
        "  emr import chart.emr -i clinic.key 'shlink:/eyJ…' --passcode-file pin.txt --recipient 'Clinic B'\n\n",
        "A SMART Health Link input is fetched from its URL (the manifest, with the passcode when the\n",
        "link has one, then its FHIR files), or read from --shl-file (the manifest or JWE file) offline.\n\n",
        "A C-CDA document (R2.1 or R1.1 XML: CCD, Referral Note, Discharge Summary…, recognized by its\n",
        "content) becomes FHIR entries attributed to its author's organization; the XML itself is kept\n",
        "as a DocumentReference entry, and what could not be mapped is reported as findings.\n\n",
        "The record's patient is taken from the input when the record has none (or only the\n",
        "empty one `emr init` makes). Entries already in the record are skipped. An input whose\n",
        "patient may be someone else (by the identity check `emr merge` uses) is refused, with exit\n",
        "status {exit:DifferentPatients} and nothing written, unless --force.\n\n",
        passphrase_help!()
    ))]
    Import(ImportArgs),
    /// Merge records of one patient into a new file, and print the merge report.
    #[command(after_long_help = concat!(
        "Example:\n  emr merge ehr.emr clinic-a.emr clinic-b.emr -i clinic.key\n\n",
        "Records that may describe different patients are refused (exit status {exit:DifferentPatients}) unless --force.\n\n",
        passphrase_help!()
    ))]
    Merge(MergeArgs),
    /// Show where sources disagree, each source's version side by side.
    #[command(after_long_help = concat!(
        "Each conflict is shown with every source's version side by side: its number (for\n",
        "`emr resolve --accept N`), source, last-modified date and the disputed value. --json\n",
        "prints an array of conflicts, each with its versions and their FHIR resources.\n\n",
        "Example:\n  emr conflicts ehr.emr -i clinic.key\n  emr conflicts ehr.emr -i clinic.key --json\n\n",
        passphrase_help!()
    ))]
    Conflicts(ReadArgs),
    /// Settle a conflict: accept, reject or edit a version, as the reconciling clinician.
    Resolve(ResolveArgs),
    /// Export a record as FHIR R4: the clinical view, an IPS, NDJSON, or an encrypted patient bundle.
    Export(ExportArgs),
    /// Share a summary as a SMART Health Link (link, QR code, encrypted files), or serve one.
    Share(ShareArgs),
    /// The clinical view as a timeline, oldest first.
    Timeline(TimelineArgs),
    /// A lab or vital-sign trend as a terminal chart.
    Trend(TrendArgs),
    /// Run the demo: two clinics' records, merged, explored and exported, in a fresh folder.
    #[command(after_long_help = "Example:\n  emr demo --out /tmp/emr-demo")]
    Demo(DemoArgs),
    /// Print a shell completion script.
    #[command(after_long_help = "Example:\n  emr completions bash > /etc/bash_completion.d/emr")]
    Completions(CompletionsArgs),
    /// Write the man page (roff).
    #[command(after_long_help = "Example:\n  emr man -o emr.1 && man ./emr.1")]
    Man(ManArgs),
}

/// How to open an encrypted file: identities or a passphrase.
#[derive(Debug, Clone, Default, Args)]
pub struct UnlockArgs {
    /// Identity file: age X25519 keys (AGE-SECRET-KEY-1…) or an unencrypted SSH private key. Repeatable.
    #[arg(short = 'i', long = "identity", value_name = "FILE")]
    pub identities: Vec<PathBuf>,
    /// Read the passphrase from the first line of FILE (see "Passphrases" in --help).
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
}

/// Options of commands that change a file.
#[derive(Debug, Clone, Args)]
pub struct WriteArgs {
    /// Seconds to wait while another emr process changes the same file.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub lock_timeout: u64,
    /// Who makes the change, for the audit log [default: $EMR_ACTOR, else the login name].
    #[arg(long, value_name = "NAME")]
    pub actor: Option<String>,
}

/// A read command on one file.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct ReadArgs {
    /// The .emr file.
    pub file: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `emr documents`.
#[derive(Debug, Args)]
pub struct DocumentsArgs {
    /// The .emr file.
    pub file: PathBuf,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    /// Wrap text at N characters (default: COLUMNS, else 100).
    #[arg(long, value_name = "N")]
    pub width: Option<usize>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// `emr keygen`.
#[derive(Debug, Args)]
pub struct KeygenArgs {
    /// Where to write the identity (mode 0600); `-` for standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// `emr init`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct InitArgs {
    /// The new .emr file.
    pub file: PathBuf,
    /// Encrypt to this public key (age1…, ssh-ed25519 …, ssh-rsa …) instead of a passphrase. Repeatable.
    #[arg(short = 'r', long = "recipient", value_name = "RECIPIENT")]
    pub recipients: Vec<String>,
    /// Encrypt to the public keys listed in FILE, one per line (# comments allowed). Repeatable.
    #[arg(short = 'R', long = "recipients-file", value_name = "FILE")]
    pub recipients_files: Vec<PathBuf>,
    /// Read the new passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["recipients", "recipients_files"])]
    pub passphrase_file: Option<PathBuf>,
    /// The patient: a FHIR R4 Patient resource (JSON).
    #[arg(long, value_name = "FILE")]
    pub patient: Option<PathBuf>,
    /// Id of the source that entries added with `emr add` come from.
    #[arg(long, value_name = "ID", default_value = "local")]
    pub source: String,
    /// Display name of that source (e.g. the practice's name).
    #[arg(long, value_name = "NAME")]
    pub source_name: Option<String>,
    /// Overwrite the file if it exists (its content is lost).
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}

/// `emr passwd`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct PasswdArgs {
    /// The .emr file.
    pub file: PathBuf,
    /// Read the current passphrase from the first line of FILE.
    #[arg(long, value_name = "FILE")]
    pub passphrase_file: Option<PathBuf>,
    /// Read the new passphrase from the first line of FILE (else EMR_NEW_PASSPHRASE, else the prompt).
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}

/// `emr recipients`.
#[derive(Debug, Args)]
#[command(after_long_help = concat!(
    "Examples:\n",
    "  emr recipients list chart.emr -i clinic.key\n",
    "  emr recipients add chart.emr -i clinic.key -r age1…   # e.g. the patient's key\n",
    "  emr recipients remove chart.emr -i clinic.key -r age1…\n\n",
    "Removing a key stops it from opening future versions of the file; copies made before\n",
    "still open with it."
))]
pub struct RecipientsArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: RecipientsAction,
}

/// `emr recipients list|add|remove`.
#[derive(Debug, Subcommand)]
pub enum RecipientsAction {
    /// List the public keys the file is encrypted to.
    List(ReadArgs),
    /// Encrypt the file to more public keys.
    Add(RecipientsChange),
    /// Stop encrypting the file to some public keys.
    Remove(RecipientsChange),
}

/// Arguments of `recipients add` and `recipients remove`.
#[derive(Debug, Args)]
pub struct RecipientsChange {
    /// The .emr file.
    pub file: PathBuf,
    /// A public key (age1…, ssh-ed25519 …, ssh-rsa …). Repeatable.
    #[arg(short = 'r', long = "recipient", value_name = "RECIPIENT", required = true)]
    pub recipients: Vec<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub write: WriteArgs,
}

/// `emr validate`.
#[derive(Debug, Args)]
#[command(after_long_help = PASSPHRASE_HELP)]
pub struct ValidateArgs {
    /// emr record JSON, a .emr file, or a C-CDA document (`-` for standard input).
    pub input: PathBuf,
    /// Print findings as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Judge dates against this instant (RFC 3339) instead of the current time.
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// `emr completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    pub shell: clap_complete::Shell,
}

/// `emr man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Where to write the page; `-` (the default) for standard output.
    #[arg(short, long, value_name = "FILE", default_value = "-")]
    pub output: PathBuf,
    /// Overwrite the output if it exists.
    #[arg(long)]
    pub force: bool,
}

/// Examples shown after the top-level help.
const EXAMPLES: &str = "\
Examples:
  emr demo --out /tmp/emr-demo             # two clinics merged, explored and exported
  emr keygen -o clinic.key                 # prints the public key (age1…)
  emr init chart.emr -r age1…              # encrypted to that key
  emr add chart.emr -i clinic.key --kind condition --code 'snomed|44054006' --display Diabetes --date 2019-05
  emr list chart.emr -i clinic.key --kind condition --json
  emr import chart.emr -i clinic.key clinic-a.json
  emr merge ehr.emr a.emr b.emr -i clinic.key
  emr verify chart.emr -i clinic.key";

/// The command-line interface as a clap `Command`, for parsing, help, completions and the man page.
pub fn command() -> clap::Command {
    use clap::CommandFactory;
    let root = Cli::command().after_help(format!("{EXAMPLES}\n\n{}", exit_status_help()));
    fill_statuses(root)
}

/// Help texts name exit statuses as `{exit:NAME}`; fill in the numbers from the exit table.
fn fill_statuses(mut cmd: clap::Command) -> clap::Command {
    let fill = |s: Option<&clap::builder::StyledStr>| s.map(|s| fill_exit_statuses(&s.to_string()));
    if let Some(t) = fill(cmd.get_about()) {
        cmd = cmd.about(t);
    }
    if let Some(t) = fill(cmd.get_long_about()) {
        cmd = cmd.long_about(t);
    }
    if let Some(t) = fill(cmd.get_after_help()) {
        cmd = cmd.after_help(t);
    }
    if let Some(t) = fill(cmd.get_after_long_help()) {
        cmd = cmd.after_long_help(t);
    }
    for sub in cmd.get_subcommands_mut() {
        *sub = fill_statuses(std::mem::take(sub));
    }
    cmd
}
