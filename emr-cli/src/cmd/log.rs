//! `emr log`: the audit log.

use crate::cli::ReadArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::render;
use crate::unlock::open;

use super::Outcome;

/// Run `emr log`.
///
/// # Errors
/// File errors.
pub fn run(args: &ReadArgs) -> Result<Outcome, CliError> {
    let store = open(&args.file, &args.unlock)?;
    let rows = store.audit_log()?;
    if args.json {
        print_json(&rows)?;
    } else {
        print(&render::audit::log_table(&rows))?;
    }
    Ok(Outcome::Success)
}
