//! `emr`: encrypted medical record files on the command line, on top of emr-core.
//!
//! - [`store`]: the `.emr` file, an age-encrypted SQLite image handled in memory,
//!   with atomic writes, a write lock and a hash-chained audit log.
//! - [`cli`]: the argument types; [`cmd`]: one module per subcommand;
//!   [`render`]: tables and JSON; [`unlock`]: identities, passphrases, recipients.
//! - [`error`]: the errors, their exit codes and hints.
//!
//! The binary is a thin `main` over [`run`].

pub mod cli;
pub mod cmd;
pub mod error;
pub mod output;
pub mod render;
pub mod store;
pub mod unlock;

use std::process::ExitCode;

use clap::FromArgMatches;

use crate::error::Exit;

/// Parse the command line, run the command, report any error; the process exit status.
///
/// An error is reported on standard error as text, or, when the command was given `--json`,
/// as one line of JSON ([`error::CliError::json_report`]).
#[allow(clippy::print_stderr)]
pub fn run() -> ExitCode {
    let matches = match cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => return clap_exit(&e),
    };
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return clap_exit(&e),
    };
    match cmd::run(&parsed.command) {
        Ok(cmd::Outcome::Success) => Exit::Success.into(),
        Ok(cmd::Outcome::Findings) => Exit::Findings.into(),
        Err(e) => {
            if json_output(&matches) {
                eprintln!("{}", e.json_report());
            } else {
                eprintln!("{}", e.report());
            }
            e.exit().into()
        }
    }
}

/// Print a clap error (or the help or version it stands for); its status from the table.
fn clap_exit(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    if e.use_stderr() {
        Exit::Usage.into()
    } else {
        Exit::Success.into()
    }
}

/// Whether the (sub)command that runs was given the `--json` output flag (`emr add --json FILE`
/// names an input instead, and is not a flag).
fn json_output(matches: &clap::ArgMatches) -> bool {
    let mut m = matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    matches!(m.try_get_one::<bool>("json"), Ok(Some(true)))
}
