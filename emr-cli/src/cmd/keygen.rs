//! `emr keygen`: a new age X25519 identity.

use age::secrecy::ExposeSecret;
use zeroize::Zeroizing;

use crate::cli::KeygenArgs;
use crate::error::CliError;
use crate::output::{print, write_output, Rules};

use super::Outcome;

/// Run `emr keygen`: write the identity file (0600) and print the public key.
///
/// With `-o -` the identity goes to standard output and the public key to standard error.
///
/// # Errors
/// The output exists (without `--force`) or cannot be written.
#[allow(clippy::print_stderr)]
pub fn run(args: &KeygenArgs) -> Result<Outcome, CliError> {
    let identity = age::x25519::Identity::generate();
    let public = identity.to_public().to_string();
    let created = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let text = Zeroizing::new(format!(
        "# created: {created}\n# public key: {public}\n{}\n",
        identity.to_string().expose_secret()
    ));
    write_output(&args.output, text.as_bytes(), &Rules::new(args.force))?;
    if args.output.as_os_str() == "-" {
        eprintln!("public key: {public}");
    } else {
        print(&format!("{public}\n"))?;
    }
    Ok(Outcome::Success)
}
