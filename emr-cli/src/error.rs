//! The errors `emr` reports, their exit codes, and what to do about each.
//!
//! Every message names a file, a flag or a rule; none contains a patient's data.
//!
//! Over 400 lines for a reason: the tests beside the exit table check it against `emr --help`,
//! `docs/cli.md` and every emr-core error code, and belong next to what they check.

use std::path::PathBuf;

use crate::store::StoreError;

/// Defines [`Exit`] and [`EXIT_TABLE`] from one list, so that the two cannot disagree.
macro_rules! exit_table {
    ($( $(#[$doc:meta])* $name:ident = $status:literal, $meaning:literal, [$($code:literal),* $(,)?]; )*) => {
        /// An exit status of `emr`. Its number and meaning are in [`EXIT_TABLE`], the one place
        /// they are written.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        #[repr(u8)]
        pub enum Exit {
            $( $(#[$doc])* $name = $status, )*
        }

        /// Every exit status, in order: its meaning (as `emr --help` shows it) and the stable
        /// error codes that end with it. `emr`'s exit status, the help's exit-status table and
        /// the `exit` of a `--json` error all derive from this table.
        pub const EXIT_TABLE: &[ExitRow] = &[
            $( ExitRow { exit: Exit::$name, name: stringify!($name), meaning: $meaning, codes: &[$($code),*] }, )*
        ];
    };
}

/// One row of [`EXIT_TABLE`].
#[derive(Debug, Clone, Copy)]
pub struct ExitRow {
    /// The status.
    pub exit: Exit,
    /// Its name in [`Exit`], as help texts refer to it (`{exit:DifferentPatients}`).
    pub name: &'static str,
    /// What it means, as `emr --help` shows it.
    pub meaning: &'static str,
    /// The stable error codes (emr-core's `code()`s and the CLI's own) that end with this status.
    pub codes: &'static [&'static str],
}

exit_table! {
    /// The command did what was asked.
    Success = 0, "success", [];
    /// `validate` found errors, `verify` found integrity problems (and reported them).
    Findings = 1, "findings: `validate` found errors, `verify` found integrity problems", [];
    /// Bad arguments or unusable input.
    Usage = 2,
        "usage: bad arguments or unusable input (not a record, not a FHIR resource or C-CDA document, bad key, link or date)",
        [
            "usage", "passphrase.none", "output.input", "output.terminal", "key.recipient", "record.syntax", "record.shape",
            "fhir.syntax", "fhir.shape", "ccda.syntax", "ccda.doctype", "ccda.shape", "ccda.size",
            "record.patient.missing",
            "draft.code", "draft.date", "draft.abatement", "draft.value", "draft.unit", "draft.field",
            "add.patient", "add.exists", "add.invalid", "add.source",
            "reconcile.settles", "reconcile.entry", "reconcile.clinician", "bundle.key", "bundle.work",
            "shl.link", "shl.key", "shl.label", "shl.url", "shl.flags", "shl.version", "shl.expired", "shl.file",
            "shl.decrypt", "shl.size", "shl.manifest", "shl.request",
        ];
    /// A file does not exist.
    Missing = 3, "a file does not exist", ["file.missing"];
    /// The .emr file has no bytes.
    Empty = 4, "the .emr file is empty", ["file.empty"];
    /// Not age-encrypted.
    NotAge = 5, "not an emr file or patient bundle (not age-encrypted)", ["file.format", "bundle.format"];
    /// The .emr file ends too early.
    Truncated = 6, "the .emr file is truncated", ["file.truncated"];
    /// The file fails its integrity check.
    Damaged = 7,
        "the .emr file or patient bundle is damaged (fails its integrity check, or holds no bundle)",
        ["file.corrupt", "bundle.corrupt"];
    /// No given key opens the file.
    WrongKey = 8,
        "wrong passphrase or identity (for a .emr file and a patient bundle alike)",
        ["file.passphrase", "file.identity", "file.key", "bundle.passphrase"];
    /// It decrypts, but to something else.
    NotEmr = 9, "decrypts, but is not an emr database", ["file.content"];
    /// Written by a newer emr.
    Newer = 10, "written by a newer emr (newer file format)", ["file.version"];
    /// Cannot write there.
    ReadOnly = 11, "cannot write: read-only directory or no permission", ["io.readonly"];
    /// The device is full.
    DiskFull = 12, "no space left on the device", ["io.full"];
    /// Another writer holds the lock.
    Locked = 13, "another emr process holds the file's lock (timed out)", ["file.locked"];
    /// The output exists.
    OutputExists = 14, "the output exists (use --force to overwrite)", ["output.exists"];
    /// Any other I/O error.
    Io = 15, "other input/output error", ["io"];
    /// A bug, or a database that breaks its own rules.
    Internal = 16, "internal error or inconsistent database", ["internal", "file.inconsistent"];
    /// The records may describe different patients.
    DifferentPatients = 17,
        "refused: the records may describe different patients (merge, import; use --force)",
        ["merge.identity"];
}

impl Exit {
    /// The status as the process returns it.
    pub fn status(self) -> u8 {
        self as u8
    }

    /// The status that a failure with this stable code ends with. A code missing from
    /// [`EXIT_TABLE`] (a test checks that none is) is bad input: [`Exit::Usage`].
    pub fn of_code(code: &str) -> Exit {
        EXIT_TABLE.iter().find(|row| row.codes.contains(&code)).map_or(Exit::Usage, |row| row.exit)
    }
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> std::process::ExitCode {
        std::process::ExitCode::from(e.status())
    }
}

/// The exit-status table of `emr --help`, written from [`EXIT_TABLE`].
pub fn exit_status_help() -> String {
    let mut text = String::from("Exit status:\n");
    for row in EXIT_TABLE {
        text.push_str(&format!("{:>4}  {}\n", row.status(), row.meaning));
    }
    text.push_str("On every error the original file is left byte-for-byte unchanged.\n");
    text.push_str("With --json, an error is one line of JSON on standard error,\n");
    text.push_str("  {\"error\":{\"code\":\"…\",\"message\":\"…\",\"hint\":\"…\",\"exit\":N}}\n");
    text.push_str("with a stable code (the codes of each status: docs/cli.md).");
    text
}

/// `text` with each `{exit:NAME}` (`NAME` an [`Exit`] variant) replaced by that status's number:
/// how a command's help names a status without writing the number twice.
pub fn fill_exit_statuses(text: &str) -> String {
    let mut text = text.to_owned();
    for row in EXIT_TABLE {
        text = text.replace(&format!("{{exit:{}}}", row.name), &row.status().to_string());
    }
    text
}

impl ExitRow {
    /// The row's status number.
    pub fn status(&self) -> u8 {
        self.exit.status()
    }
}

/// An error of an `emr` command.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A `.emr` file could not be opened, read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Bad input or arguments, with what to do.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// What to do.
        hint: String,
    },
    /// An input file (JSON, key, passphrase file) could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The output exists and `--force` was not given.
    #[error("{}: already exists", .0.display())]
    OutputExists(PathBuf),
    /// The output is one of the command's inputs.
    #[error("{}: the output is the same file as an input", .0.display())]
    OutputIsInput(PathBuf),
    /// Binary output (an encrypted file, a PNG…) would go to a terminal.
    #[error("refusing to write {0} to the terminal")]
    BinaryToTerminal(&'static str),
    /// No passphrase source is available.
    #[error("a passphrase is needed, but there is no terminal to ask on")]
    NoPassphrase,
    /// `emr merge` refused: the records may describe different patients.
    #[error("the records may describe different patients ({0}); nothing was written")]
    DifferentPatients(String),
    /// An emr-core error, with its stable `code()` (the code the npm package uses too).
    #[error("{message}")]
    Core {
        /// The core error's `code()`.
        code: &'static str,
        /// What is wrong (emr-core's message: a rule and a position, never a value).
        message: String,
        /// What to do.
        hint: String,
    },
    /// Something that should not happen.
    #[error("internal error: {0}")]
    Internal(String),
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Usage { message: message.into(), hint: hint.into() }
    }

    /// An emr-core error with its stable code, a message and what to do.
    pub fn core(code: &'static str, message: impl Into<String>, hint: impl Into<String>) -> CliError {
        CliError::Core { code, message: message.into(), hint: hint.into() }
    }

    /// The stable code: emr-core's `code()` for a core error (the code `@emr/wasm` throws), else
    /// the CLI's own (`usage`, `file.passphrase`, `output.exists`…). Every code is in
    /// [`EXIT_TABLE`].
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Store(e) => e.code(),
            CliError::Usage { .. } => "usage",
            CliError::Input { source, .. } if source.kind() == std::io::ErrorKind::NotFound => "file.missing",
            CliError::Input { .. } => "io",
            CliError::OutputExists(_) => "output.exists",
            CliError::OutputIsInput(_) => "output.input",
            CliError::BinaryToTerminal(_) => "output.terminal",
            CliError::NoPassphrase => "passphrase.none",
            CliError::DifferentPatients(_) => "merge.identity",
            CliError::Core { code, .. } => code,
            CliError::Internal(_) => "internal",
        }
    }

    /// The process exit status, from [`EXIT_TABLE`] by [`CliError::code`].
    pub fn exit(&self) -> Exit {
        Exit::of_code(self.code())
    }

    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            CliError::Store(e) => e.hint(),
            CliError::Usage { hint, .. } | CliError::Core { hint, .. } => hint.clone(),
            CliError::Input { .. } => "check the path and its permissions".into(),
            CliError::OutputExists(_) => "choose another path, or add --force to overwrite it".into(),
            CliError::OutputIsInput(_) => "write the output to another path".into(),
            CliError::BinaryToTerminal(_) => "give -o FILE, or redirect standard output to a file".into(),
            CliError::NoPassphrase => {
                "run emr in a terminal, or give the passphrase with --passphrase-file FILE or EMR_PASSPHRASE (see `emr init --help` for their risks)".into()
            }
            CliError::DifferentPatients(_) => {
                "check that the files belong to the same person; if they do, add --force to merge them anyway".into()
            }
            CliError::Internal(_) => "please report this as a bug".into(),
        }
    }

    /// The full report for standard error: the error, then the hint.
    pub fn report(&self) -> String {
        format!("error: {self}\n  hint: {}", self.hint())
    }

    /// The report for standard error of a command run with `--json`: one line,
    /// `{"error":{"code":"…","message":"…","hint":"…","exit":N}}`.
    pub fn json_report(&self) -> String {
        /// The `--json` error object (documented in docs/cli.md).
        #[derive(serde::Serialize)]
        struct Report<'a> {
            error: Body<'a>,
        }
        #[derive(serde::Serialize)]
        struct Body<'a> {
            code: &'a str,
            message: String,
            hint: String,
            exit: u8,
        }
        let report = Report {
            error: Body { code: self.code(), message: self.to_string(), hint: self.hint(), exit: self.exit().status() },
        };
        // Strings and a number always serialize; the fallback keeps the code and status.
        serde_json::to_string(&report).unwrap_or_else(|_| {
            format!(
                r#"{{"error":{{"code":"{}","message":"","hint":"","exit":{}}}}}"#,
                self.code(),
                self.exit().status()
            )
        })
    }
}

impl From<rusqlite::Error> for CliError {
    fn from(e: rusqlite::Error) -> CliError {
        CliError::Internal(format!("database: {e}"))
    }
}

impl From<serde_json::Error> for CliError {
    fn from(e: serde_json::Error) -> CliError {
        // serde_json's message may quote input; keep only its category and position.
        CliError::Internal(format!("JSON output: {:?} error at line {}, column {}", e.classify(), e.line(), e.column()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_codes() -> Vec<&'static str> {
        EXIT_TABLE.iter().flat_map(|row| row.codes.iter().copied()).collect()
    }

    #[test]
    fn statuses_are_distinct_in_order_from_zero() {
        for (i, row) in EXIT_TABLE.iter().enumerate() {
            assert_eq!(usize::from(row.status()), i, "{:?}", row.exit);
            assert!(!row.meaning.is_empty() && !row.meaning.contains('\n'), "{:?}", row.exit);
        }
    }

    #[test]
    fn each_code_ends_with_one_status() {
        let mut seen = std::collections::BTreeSet::new();
        for code in all_codes() {
            assert!(seen.insert(code), "{code} is in two rows");
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '.'), "{code}");
        }
        // Success and findings are outcomes, not errors.
        assert!(EXIT_TABLE.iter().filter(|r| r.codes.is_empty()).all(|r| r.exit <= Exit::Findings));
    }

    fn assert_listed(code: &str, what: &str) {
        assert!(all_codes().contains(&code), "{what}: code {code} is not in EXIT_TABLE");
    }

    #[test]
    fn every_cli_error_code_is_in_the_table() {
        let p = || PathBuf::from("f.emr");
        let io = || std::io::Error::other("x");
        let store = [
            StoreError::Missing(p()),
            StoreError::Empty(p()),
            StoreError::NotAge(p()),
            StoreError::Truncated(p()),
            StoreError::Corrupted(p()),
            StoreError::WrongIdentity(p()),
            StoreError::WrongPassphrase(p()),
            StoreError::WrongKeyKind { path: p(), needs: "a passphrase", given: "an identity (-i)" },
            StoreError::NotEmrDatabase(p()),
            StoreError::NewerFormat { path: p(), found: 9, supported: 1 },
            StoreError::ReadOnly(p()),
            StoreError::DiskFull(p()),
            StoreError::LockTimeout { path: p(), waited_secs: 1 },
            StoreError::Io { path: p(), source: io() },
            StoreError::Database { path: p(), detail: String::new() },
            StoreError::Encrypt(String::new()),
        ];
        for e in store {
            assert_listed(e.code(), &e.to_string());
        }
        let cli = [
            CliError::usage("m", "h"),
            CliError::Input { path: p(), source: io() },
            CliError::Input { path: p(), source: std::io::ErrorKind::NotFound.into() },
            CliError::OutputExists(p()),
            CliError::OutputIsInput(p()),
            CliError::BinaryToTerminal("a patient bundle"),
            CliError::NoPassphrase,
            CliError::DifferentPatients(String::new()),
            CliError::Internal(String::new()),
        ];
        for e in cli {
            assert_listed(e.code(), &e.to_string());
        }
    }

    #[test]
    fn the_same_failure_ends_with_the_same_status() {
        use emr_core::bundle::BundleError;
        let bundle = CliError::core(BundleError::WrongKey.code(), "m", "h");
        let file = CliError::Store(StoreError::WrongPassphrase(PathBuf::from("f.emr")));
        assert_eq!(bundle.exit(), Exit::WrongKey);
        assert_eq!(file.exit(), Exit::WrongKey);
        assert_eq!(bundle.code(), "bundle.passphrase", "the code @emr/wasm throws");
        let missing = CliError::Input { path: PathBuf::from("in.json"), source: std::io::ErrorKind::NotFound.into() };
        assert_eq!(missing.exit(), CliError::Store(StoreError::Missing(PathBuf::from("f.emr"))).exit());
        assert_eq!(CliError::DifferentPatients(String::new()).exit(), Exit::DifferentPatients);
    }

    #[test]
    fn every_core_error_code_is_in_the_table() {
        use emr_core::bundle::BundleError as B;
        use emr_core::fhir::ImportError;
        use emr_core::merge::ReconcileError as R;
        use emr_core::shl::ShlError as S;
        let mut codes = Vec::new();
        for e in [
            B::NoKey,
            B::BadRecipient(0),
            B::BadIdentity,
            B::NoPatient,
            B::NotAge,
            B::WrongKey,
            B::Corrupted,
            B::TooMuchWork,
            B::NotABundle,
            B::TooLarge,
            B::Encrypt,
            B::Import(ImportError::NotAResource),
        ] {
            codes.push(e.code());
        }
        codes.push(ImportError::NotAResource.code());
        codes.extend(emr_core::fhir::import("{", &Default::default(), chrono::Utc::now()).err().map(|e| e.code()));
        codes.push(emr_core::fhir::IpsError::NoPatient.code());
        for e in [R::NothingSettled, R::UnknownEntry(String::new()), R::NotAClinician] {
            codes.push(e.code());
        }
        codes.extend(S::CODES);
        for text in ["{", "[]", "{}"] {
            codes.extend(emr_core::model::Resource::parse(text).err().map(|e| e.code()));
        }
        for text in ["<a", "<a/>", "<!DOCTYPE a><a/>"] {
            codes.extend(emr_core::ccda::to_fhir(text).err().map(|e| e.code()));
        }
        for code in ["draft.code", "draft.date", "draft.abatement", "draft.value", "draft.unit", "draft.field"] {
            codes.push(code);
        }
        codes.push("merge.identity");
        for code in codes {
            assert_listed(code, "emr-core");
        }
    }

    /// The `Exit status:` block of `emr --help`, as (status, meaning) rows.
    fn documented() -> Vec<(u8, String)> {
        let help = crate::cli::command().render_long_help().to_string();
        let block = help.split("Exit status:\n").nth(1).expect("emr --help has an exit-status table");
        block
            .lines()
            .map_while(|line| {
                let (n, meaning) = line.trim_start().split_once("  ")?;
                Some((n.parse().ok()?, meaning.to_owned()))
            })
            .collect()
    }

    #[test]
    fn the_help_documents_exactly_the_table() {
        let table: Vec<(u8, String)> = EXIT_TABLE.iter().map(|r| (r.status(), r.meaning.to_owned())).collect();
        assert_eq!(documented(), table, "emr --help's exit-status table and EXIT_TABLE differ");
    }

    #[test]
    fn statuses_named_in_command_help_are_in_the_table() {
        let mut root = crate::cli::command();
        let statuses: Vec<u8> = EXIT_TABLE.iter().map(ExitRow::status).collect();
        let mut named = Vec::new();
        for sub in root.get_subcommands_mut() {
            let help = sub.render_long_help().to_string().replace('\n', " ");
            assert!(!help.contains("{exit:"), "`emr {}`: a {{exit:NAME}} with an unknown NAME", sub.get_name());
            let lower = help.to_lowercase();
            for (i, _) in lower.match_indices("exit status ") {
                let rest = lower.get(i + "exit status ".len()..).unwrap_or_default();
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                if let Ok(n) = digits.parse::<u8>() {
                    assert!(statuses.contains(&n), "`emr {}` names exit status {n}", sub.get_name());
                    named.push((sub.get_name().to_owned(), n));
                }
            }
        }
        let refused = Exit::DifferentPatients.status();
        for cmd in ["import", "merge"] {
            assert!(named.contains(&(cmd.to_owned(), refused)), "`emr {cmd} --help` names status {refused}: {named:?}");
        }
    }

    #[test]
    fn docs_cli_md_lists_exactly_the_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md");
        let doc = std::fs::read_to_string(&path).expect("docs/cli.md");
        let rows: Vec<&str> = doc
            .lines()
            .filter(|l| l.strip_prefix("| ").is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())))
            .collect();
        let expected: Vec<String> = EXIT_TABLE
            .iter()
            .map(|r| {
                let codes: Vec<String> = r.codes.iter().map(|c| format!("`{c}`")).collect();
                format!("| {} | {} | {} |", r.status(), r.meaning, codes.join(", ")).replace("|  |", "| |")
            })
            .collect();
        let rows: Vec<String> = rows.iter().map(|r| r.replace("|  |", "| |")).collect();
        assert_eq!(rows, expected, "docs/cli.md's exit-status table and EXIT_TABLE differ");
    }

    #[test]
    fn json_report_is_one_object_with_code_and_exit() {
        let e = CliError::Store(StoreError::WrongPassphrase(PathBuf::from("c.emr")));
        assert_eq!(
            e.json_report(),
            r#"{"error":{"code":"file.passphrase","message":"c.emr: wrong passphrase","hint":"try again; if the passphrase is right, the file's key section may be damaged: restore it from a backup","exit":8}}"#
        );
    }
}
