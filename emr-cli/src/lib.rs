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

/// Parse the command line, run the command, report any error; the process exit status.
#[allow(clippy::print_stderr)]
pub fn run() -> ExitCode {
    let matches = cli::command().get_matches();
    let parsed = match cli::Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match cmd::run(&parsed.command) {
        Ok(cmd::Outcome::Success) => ExitCode::SUCCESS,
        Ok(cmd::Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{}", e.report());
            ExitCode::from(e.exit_code())
        }
    }
}
