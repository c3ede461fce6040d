//! `emr recipients list|add|remove`: the public keys a file is encrypted to.

use crate::cli::{ReadArgs, RecipientsAction, RecipientsArgs, RecipientsChange};
use crate::error::CliError;
use crate::output::{print, print_json};
use crate::store::{Protection, RecipientKey};
use crate::unlock::{open, open_for_write, recipients, stamp};

use super::Outcome;

/// Run `emr recipients`.
///
/// # Errors
/// Bad keys, a passphrase-protected file, removing the last key, and file errors.
pub fn run(args: &RecipientsArgs) -> Result<Outcome, CliError> {
    match &args.action {
        RecipientsAction::List(a) => list(a),
        RecipientsAction::Add(a) => change(a, true),
        RecipientsAction::Remove(a) => change(a, false),
    }
}

fn list(args: &ReadArgs) -> Result<Outcome, CliError> {
    let store = open(&args.file, &args.unlock)?;
    let keys: &[RecipientKey] = match store.protection() {
        Protection::Passphrase(_) => &[],
        Protection::Recipients(keys) => keys,
    };
    let encryption = if keys.is_empty() { "passphrase" } else { "recipients" };
    if args.json {
        // Members in alphabetical order, as printed before.
        #[derive(serde::Serialize)]
        struct Key<'a> {
            comment: Option<&'a str>,
            recipient: &'a str,
        }
        #[derive(serde::Serialize)]
        struct List<'a> {
            encryption: &'a str,
            recipients: Vec<Key<'a>>,
        }
        let recipients = keys.iter().map(|k| Key { comment: k.comment(), recipient: k.as_str() }).collect();
        print_json(&List { encryption, recipients })?;
    } else if keys.is_empty() {
        print("protected by a passphrase (no recipients)\n")?;
    } else {
        print(&keys.iter().map(|k| format!("{k}\n")).collect::<String>())?;
    }
    Ok(Outcome::Success)
}

fn change(args: &RecipientsChange, add: bool) -> Result<Outcome, CliError> {
    let given = recipients(&args.recipients, &[])?;
    let (lock, mut store) = open_for_write(&args.file, &args.unlock, &args.write)?;
    let Protection::Recipients(current) = store.protection().clone() else {
        return Err(CliError::usage(
            format!("{}: this file is protected by a passphrase, not recipients' keys", args.file.display()),
            "a file uses either a passphrase or recipients; change the passphrase with `emr passwd`",
        ));
    };
    let mut next = current.clone();
    if add {
        next.extend(given.iter().cloned());
        next.sort();
        next.dedup();
    } else {
        for g in &given {
            if !current.contains(g) {
                return Err(CliError::usage(
                    format!("{} is not a recipient of this file", g.as_str()),
                    "see the recipients with `emr recipients list`",
                ));
            }
        }
        next.retain(|k| !given.contains(k));
        if next.is_empty() {
            return Err(CliError::usage(
                "the file would have no recipient left, and nobody could open it",
                "add the new recipient first, then remove the old one",
            ));
        }
    }
    if next == current {
        print("no change: every key given is already a recipient\n")?;
        return Ok(Outcome::Success);
    }
    let action = if add { "recipients.add" } else { "recipients.remove" };
    store.set_protection(Protection::Recipients(next.clone()), &stamp(&args.write), action)?;
    store.save(&lock)?;
    drop(lock);
    print(&format!("{} is now encrypted to {} recipient(s)\n", args.file.display(), next.len()))?;
    Ok(Outcome::Success)
}
