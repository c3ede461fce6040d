//! `emr conflicts`: where sources disagree, each source's version side by side (the review step of
//! the ONC 170.315(b)(2) reconciliation workflow; `emr resolve` records the decision).

use emr_core::merge::{conflict_sides, Conflict, Resolution};
use emr_core::model::{EntryRef, Record};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::cli::ReadArgs;
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::unlock::open;

use super::{Outcome, SourceNames};

/// Run `emr conflicts`.
///
/// # Errors
/// The file does not open.
pub fn run(args: &ReadArgs) -> Result<Outcome, CliError> {
    let record = open(&args.file, &args.unlock)?.to_record()?;
    let listed = list(&record)?;
    if args.json {
        print_json(&listed)?;
    } else {
        print(&text(&listed, &SourceNames::of(&record)))?;
    }
    Ok(Outcome::Success)
}

/// One conflict as `emr conflicts` shows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listed {
    /// Short reference for `emr resolve` (`c` and 8 hex digits of the SHA-256 of `id`).
    #[serde(rename = "ref")]
    pub short: String,
    /// The conflict as the merge engine reports it (`id`, `kind`, `field`, `entries`, `sources`,
    /// `resolution`).
    #[serde(flatten)]
    pub conflict: Conflict,
    /// Whether a clinician's decision settles it.
    pub settled: bool,
    /// Each version, numbered from 1.
    pub versions: Vec<Side>,
    /// What the conflict is about: the first version's concept (for the text output).
    #[serde(skip)]
    pub label: String,
}

/// One source's version of a disputed fact.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// Its number within the conflict, from 1.
    pub n: usize,
    /// The entry.
    pub entry: EntryRef,
    /// The source's display name, when the record has one.
    pub source_name: Option<String>,
    /// When the source last recorded it.
    pub last_modified: Option<String>,
    /// The disputed field, in short (e.g. `high`, `7.2 %`); `null` when the version does not state it.
    pub value: Option<String>,
    /// The whole FHIR resource as the source sent it.
    pub resource: Box<serde_json::value::RawValue>,
}

/// The record's conflicts, open ones first (in the view's order), then those settled by clinicians
/// (emr-core's [`conflict_sides`]).
///
/// # Errors
/// [`CliError::Internal`] when a resource cannot be written as JSON (a bug).
pub fn list(record: &Record) -> Result<Vec<Listed>, CliError> {
    let mut out = Vec::new();
    for listed in conflict_sides(record) {
        let versions = listed
            .sides
            .into_iter()
            .enumerate()
            .map(|(i, side)| {
                let resource = serde_json::value::RawValue::from_string(side.resource.as_str().to_owned())?;
                Ok(Side {
                    n: i + 1,
                    entry: side.entry,
                    source_name: side.source_name,
                    last_modified: side.last_modified.map(|d| d.to_string()),
                    value: side.value,
                    resource,
                })
            })
            .collect::<Result<Vec<_>, serde_json::Error>>()?;
        let label = listed.label.as_deref().map(|t| clip(t, 48)).unwrap_or_default();
        let short = short_ref(&listed.conflict.id);
        out.push(Listed { short, conflict: listed.conflict, settled: listed.settled, versions, label });
    }
    Ok(out)
}

/// The short reference of a conflict id.
pub fn short_ref(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
    format!("c{hex}")
}

/// The conflict `key` names: its short reference or its full id.
///
/// # Errors
/// A usage error when no conflict (or more than one) matches.
pub fn find<'l>(listed: &'l [Listed], key: &str) -> Result<&'l Listed, CliError> {
    let key = key.trim();
    let matches: Vec<&Listed> = listed.iter().filter(|l| l.short == key || l.conflict.id == key).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(CliError::usage(
            format!("no conflict {key:?} in this record"),
            "`emr conflicts FILE` lists them with their references (c…)",
        )),
        _ => Err(CliError::usage(format!("{key:?} names more than one conflict"), "give the conflict's full id")),
    }
}

/// The conflicts for people.
pub fn text(listed: &[Listed], names: &SourceNames) -> String {
    let open: Vec<&Listed> = listed.iter().filter(|l| !l.settled).collect();
    let settled: Vec<&Listed> = listed.iter().filter(|l| l.settled).collect();
    let mut out =
        if open.is_empty() { "No open conflicts.\n".to_owned() } else { format!("{} open conflict(s):\n", open.len()) };
    for l in &open {
        let c = &l.conflict;
        let shows = match c.resolution {
            Resolution::MostSevere => "the most severe value",
            Resolution::Latest => "the latest assertion",
            Resolution::BothShown => "every version, flagged",
            Resolution::Clinician => "the clinician's decision",
        };
        out.push_str(&format!("\n{}  {} {}: sources disagree on {}\n", l.short, c.kind, l.label, c.field));
        out.push_str(&format!("  id: {}\n  the view shows {shows} until a clinician decides\n", c.id));
        out.push_str(&format!("  {:>3}  {:<36} {:<22} {}\n", "#", "SOURCE", "LAST MODIFIED", c.field.to_uppercase()));
        for s in &l.versions {
            out.push_str(&format!(
                "  {:>3}  {:<36} {:<22} {}\n",
                s.n,
                clip(&names.get(s.entry.source.as_str()), 36),
                s.last_modified.as_deref().unwrap_or("?"),
                s.value.as_deref().unwrap_or("(not stated)")
            ));
        }
    }
    if let Some(first) = open.first() {
        out.push_str(&format!(
            "\nTo settle one: emr resolve FILE {} --accept N (or --reject N, --edit RESOURCE.json) --clinician NAME\n",
            first.short
        ));
    }
    if !settled.is_empty() {
        out.push_str(&format!("\nSettled by clinicians ({}):\n", settled.len()));
        for l in &settled {
            let by: Vec<String> = l.conflict.sources.iter().map(|s| names.get(s.as_str())).collect();
            out.push_str(&format!(
                "  {}  {} {} ({} version(s); sources {})\n",
                l.short,
                l.conflict.kind,
                l.label,
                l.versions.len(),
                by.join(", ")
            ));
        }
    }
    out
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
    t.push('…');
    t
}
