//! `emr completions` and `emr man`: generated from the argument definitions.

use crate::cli::{command, CompletionsArgs, ManArgs};
use crate::error::CliError;
use crate::output::{write_output, Rules};

use super::Outcome;

/// Print a completion script for a shell.
///
/// # Errors
/// Standard output cannot be written.
pub fn completions(args: &CompletionsArgs) -> Result<Outcome, CliError> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut command(), "emr", &mut out);
    write_output(std::path::Path::new("-"), &out, &Rules::new(false))?;
    Ok(Outcome::Success)
}

/// Write the man page (`-` for standard output).
///
/// # Errors
/// The output exists (without `--force`) or cannot be written.
pub fn man(args: &ManArgs) -> Result<Outcome, CliError> {
    let mut out = Vec::new();
    clap_mangen::Man::new(command()).render(&mut out).map_err(|e| CliError::Internal(format!("man page: {e}")))?;
    write_output(&args.output, &out, &Rules::new(args.force))?;
    Ok(Outcome::Success)
}
