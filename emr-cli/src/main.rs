//! `emr`: medical records on the command line. See `emr --help`.

fn main() -> std::process::ExitCode {
    emr_cli::run()
}
