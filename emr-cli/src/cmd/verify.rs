//! `emr verify`: the audit chain and every row's hash.

use crate::cli::ReadArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::render;
use crate::unlock::open;

use super::Outcome;

/// Run `emr verify`: exit status 1 when a problem is found.
///
/// # Errors
/// File errors (a file that does not open at all).
pub fn run(args: &ReadArgs) -> Result<Outcome, CliError> {
    let store = open(&args.file, &args.unlock)?;
    let v = store.verify()?;
    if args.json {
        // Members in alphabetical order, as printed before (a stable shape for scripts).
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Report<'a> {
            audit_rows: usize,
            entries: usize,
            head: &'a str,
            ok: bool,
            problems: &'a [crate::store::Problem],
        }
        print_json(&Report {
            audit_rows: v.audit_rows,
            entries: v.entries,
            head: &v.head,
            ok: v.ok(),
            problems: &v.problems,
        })?;
    } else {
        print(&render::audit::verification(&v))?;
    }
    Ok(if v.ok() { Outcome::Success } else { Outcome::Findings })
}
