//! `emr list`: entries, filtered.

use emr_core::model::{EntryKind, PartialDate};

use crate::cli::ListArgs;
use crate::error::CliError;
use crate::output::print;
use crate::render;
use crate::store::Filter;
use crate::unlock::open;

use super::Outcome;

/// Run `emr list`.
///
/// # Errors
/// Bad filter values, and file errors.
pub fn run(args: &ListArgs) -> Result<Outcome, CliError> {
    let filter = filter(args)?;
    let store = open(&args.file, &args.unlock)?;
    if args.json {
        print(&store.entries_json(&filter)?)?;
    } else {
        print(&render::entry::table(&store.entries(&filter)?))?;
    }
    Ok(Outcome::Success)
}

/// The store filter of the command-line flags.
///
/// # Errors
/// An unknown kind or a malformed date.
pub fn filter(args: &ListArgs) -> Result<Filter, CliError> {
    let kind = args
        .kind
        .as_deref()
        .map(|k| {
            k.parse::<EntryKind>()
                .map(|k| k.as_str().to_owned())
                .map_err(|e| CliError::usage(format!("--kind: {e}"), "e.g. --kind condition"))
        })
        .transpose()?;
    let date = |flag: &str, v: Option<&str>| -> Result<Option<PartialDate>, CliError> {
        v.map(|v| {
            v.parse::<PartialDate>()
                .map_err(|e| CliError::usage(format!("{flag}: {e}"), "e.g. 2019, 2019-05 or 2019-05-17"))
        })
        .transpose()
    };
    let code = args.code.as_deref().map(|c| emr_core::codes::expand_code(c).into_owned());
    Ok(Filter {
        kind,
        code,
        source: args.source.clone(),
        status: args.status.clone(),
        since: date("--since", args.since.as_deref())?,
        until: date("--until", args.until.as_deref())?,
    })
}
