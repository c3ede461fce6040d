//! `emr trend`: one code's measurements over time, as a terminal chart (and optionally SVG).

use emr_core::query::trend;

use crate::cli::TrendArgs;
use crate::error::CliError;
use crate::output::{print, print_json, write_output, Rules};
use crate::render::chart;
use crate::unlock::open;

use super::Outcome;

/// Run `emr trend`.
///
/// # Errors
/// The file does not open; the SVG output exists (without `--force`).
pub fn run(args: &TrendArgs) -> Result<Outcome, CliError> {
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let t = trend(&record, &args.code);
    if let Some(path) = &args.svg {
        write_output(path, chart::svg(&t).as_bytes(), &Rules::new(args.force).inputs([args.file.as_path()]))?;
    }
    if args.json {
        print_json(&t)?;
    } else {
        print(&chart::text(&t))?;
    }
    Ok(Outcome::Success)
}
