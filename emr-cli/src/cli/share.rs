//! Arguments of `emr share` (make a SMART Health Link) and `emr share serve` (host it).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::UnlockArgs;

/// `emr share`.
#[derive(Debug, Args)]
#[command(subcommand_negates_reqs = true, args_conflicts_with_subcommands = true)]
#[command(after_long_help = concat!(
    "Examples:\n",
    "  emr share chart.emr -i patient.key --url https://shl.example.org/s -o share/\n",
    "  emr share chart.emr -i patient.key --url https://shl.example.org/s --passcode-file pin.txt \\\n",
    "      --expires 2026-12-31 --label 'Summary for Dr. Lee' -o share/\n",
    "  emr share serve share/ --addr 127.0.0.1:8080\n\n",
    "Writes into DIR (created, mode 0700; files 0600): the encrypted file(s) (ips.jwe, with --all\n",
    "also bundle.jwe), manifest.json (the files embedded; not with --direct), link.txt (the\n",
    "shlink:/… link), qr.svg and qr.png (QR code, error correction level M as the SMART Health\n",
    "Links specification recommends), and share.json, what `emr share serve` needs: the URL,\n",
    "flags, expiry and a salted hash of the passcode, never the key. The key exists only in the\n",
    "link: whoever has link.txt or the QR code can read the shared files, so share it like the\n",
    "record itself. The link and its QR code are also printed.\n\n",
    "The manifest URL is --url followed by `/` and a random 43-character id; it must be where\n",
    "`emr share serve DIR` (or a proxy in front of it) answers. --url may be at most 84 characters.\n\n",
    passphrase_help!()
))]
pub struct ShareArgs {
    /// Host a share: `emr share serve DIR`.
    #[command(subcommand)]
    pub serve: Option<ShareCommand>,
    /// The .emr file to share from.
    #[arg(required = true)]
    pub file: Option<PathBuf>,
    /// Where the link's files will be served: the manifest URL is URL/ID (a random ID).
    #[arg(long, value_name = "URL", required = true)]
    pub url: Option<String>,
    /// Share the International Patient Summary (the default).
    #[arg(long, conflicts_with = "all")]
    pub ips: bool,
    /// Share the IPS and the whole patient bundle (every source's assertion, with provenance).
    #[arg(long)]
    pub all: bool,
    /// A short description shown before the link is opened (at most 80 characters; it travels
    /// in the link unencrypted, so leave out names if the link may be seen by others).
    #[arg(long, value_name = "TEXT")]
    pub label: Option<String>,
    /// When the link stops working: an RFC 3339 date-time, or a date (valid through that day, UTC).
    #[arg(long, value_name = "DATE")]
    pub expires: Option<String>,
    /// Require this passcode (first line of FILE) to open the link (flag P).
    #[arg(long, value_name = "FILE", conflicts_with = "direct")]
    pub passcode_file: Option<PathBuf>,
    /// Wrong passcodes allowed before the link is disabled for good.
    #[arg(long, value_name = "N", default_value_t = 5, requires = "passcode_file")]
    pub passcode_attempts: u32,
    /// The URL is the encrypted file itself, fetched with GET (flag U; one file, no passcode).
    #[arg(long, conflicts_with = "all")]
    pub direct: bool,
    /// Put the link behind this viewer URL (`VIEWER#shlink:/…`), so a phone camera opens it in a browser.
    #[arg(long, value_name = "URL")]
    pub viewer: Option<String>,
    /// The output folder (created; must be empty or missing).
    #[arg(short, long, value_name = "DIR", required = true)]
    pub output: Option<PathBuf>,
    /// Do not print the QR code to the terminal.
    #[arg(long)]
    pub no_qr: bool,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub unlock: UnlockArgs,
}

/// The subcommands of `emr share`.
#[derive(Debug, Subcommand)]
pub enum ShareCommand {
    /// Serve a share made by `emr share`: the manifest (POST, with passcode checks), the files,
    /// and the direct file of a --direct link (GET).
    #[command(after_long_help = concat!(
        "Example:\n  emr share serve share/ --addr 127.0.0.1:8080\n\n",
        "Answers the link's manifest URL path: POST with {\"recipient\": …, \"passcode\": …} returns\n",
        "the manifest (files embedded, or as one-time `location` URLs valid for an hour when the\n",
        "request's embeddedLengthMax is smaller); a wrong passcode returns 401 with\n",
        "remainingAttempts, and when none remain the link is disabled for good (404), also after a\n",
        "restart (state.json). After the link's expiry every request gets 404. Each request is\n",
        "logged to DIR/access.log and standard error with the time, the recipient and the outcome,\n",
        "never the passcode or clinical data. Plain HTTP: put it behind an HTTPS proxy for real use.\n",
        "Responses allow any origin (CORS), so browser viewers on other origins can fetch them."
    ))]
    Serve(ShareServeArgs),
}

/// `emr share serve`.
#[derive(Debug, Args)]
pub struct ShareServeArgs {
    /// The folder written by `emr share`.
    pub dir: PathBuf,
    /// The address to listen on (port 0: any free port; the chosen address is printed).
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Judge expiry at this instant (RFC 3339) instead of the current time (for tests).
    #[arg(long, value_name = "RFC3339", hide = true)]
    pub now: Option<String>,
}
