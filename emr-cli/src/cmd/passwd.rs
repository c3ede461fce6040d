//! `emr passwd`: change the passphrase of a passphrase-protected file.

use std::time::Duration;

use crate::cli::{PasswdArgs, UnlockArgs};
use crate::error::CliError;
use crate::output::print;
use crate::store::{inspect, read_all, KeyKind, Protection, WriteLock};
use crate::unlock::{new_passphrase, open, stamp, NEW_PASSPHRASE_ENV};

use super::Outcome;

/// Run `emr passwd`.
///
/// # Errors
/// The file uses recipients, wrong passphrase, no new passphrase, and file errors.
pub fn run(args: &PasswdArgs) -> Result<Outcome, CliError> {
    if !args.file.exists() {
        return Err(crate::store::StoreError::Missing(args.file.clone()).into());
    }
    let lock = WriteLock::acquire(&args.file, Duration::from_secs(args.write.lock_timeout))?;
    if inspect(&args.file, &read_all(&args.file)?)? == KeyKind::Recipients {
        return Err(CliError::usage(
            format!("{}: this file is encrypted to recipients' keys, not a passphrase", args.file.display()),
            "manage its keys with `emr recipients add|remove`",
        ));
    }
    let unlock = UnlockArgs { identities: Vec::new(), passphrase_file: args.passphrase_file.clone() };
    let mut store = open(&args.file, &unlock)?;
    let new = new_passphrase(args.new_passphrase_file.as_deref(), NEW_PASSPHRASE_ENV)?;
    store.set_protection(Protection::Passphrase(new), &stamp(&args.write), "passwd")?;
    store.save(&lock)?;
    drop(lock);
    print(&format!("changed the passphrase of {}\n", args.file.display()))?;
    Ok(Outcome::Success)
}
