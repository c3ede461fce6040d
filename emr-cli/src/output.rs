//! Where command output goes, and the rules every file a command writes follows.
//!
//! Every output file of every command (exports, keys, man page, charts, share folders, demo
//! files, NDJSON sets) goes through this module; new `.emr` files (`init`, `merge`) are
//! checked here and written by the store, whose saves go through
//! [`crate::store::write_atomic`] (the content is encrypted before it reaches the temporary file,
//! so no plaintext of a record is ever on disk). The rules:
//!
//! - `-` is standard output; binary content (a patient bundle) is refused when standard output
//!   is a terminal ([`CliError::BinaryToTerminal`]);
//! - an output that is the same file as one of the command's inputs (compared as canonical
//!   paths, so `./a.emr`, `dir/../a.emr` and symbolic links are caught) is refused, even with
//!   `--force` ([`CliError::OutputIsInput`]);
//! - a new file is created with `create_new` and mode 0600;
//! - an existing file is refused ([`CliError::OutputExists`]) unless `--force`, and then replaced
//!   atomically: written to a temporary file (0600) in the same directory, flushed, renamed over
//!   it. Readers see the old file or the new one, never a mixture.
//!
//! Output folders are created with mode 0700, or must be empty.

use std::fs::File;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::error::CliError;
use crate::store::{private_options, write_atomic, write_new_private, StoreError};

/// The rules for one output of a command: `--force`, its inputs, whether it is binary.
#[derive(Debug, Clone, Default)]
pub struct Rules<'a> {
    /// Replace an existing output (atomically).
    pub force: bool,
    /// The command's input files; the output must not be one of them.
    pub inputs: Vec<&'a Path>,
    /// Binary content, named for the error (`a binary patient bundle`): never to a terminal.
    pub binary: Option<&'static str>,
}

impl<'a> Rules<'a> {
    /// Text output with no inputs to protect, replaced only with `force`.
    pub fn new(force: bool) -> Rules<'a> {
        Rules { force, ..Rules::default() }
    }

    /// The same rules, with `inputs` that the output must not be.
    pub fn inputs(mut self, inputs: impl IntoIterator<Item = &'a Path>) -> Rules<'a> {
        self.inputs.extend(inputs);
        self
    }

    /// The same rules, for binary content named `what`.
    pub fn binary(mut self, what: &'static str) -> Rules<'a> {
        self.binary = Some(what);
        self
    }
}

/// Whether `path` means standard output.
pub fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// Check that `path` may be written under `rules`, before any work is done (the write checks
/// again).
///
/// # Errors
/// [`CliError::BinaryToTerminal`], [`CliError::OutputIsInput`], [`CliError::OutputExists`].
pub fn check(path: &Path, rules: &Rules<'_>) -> Result<(), CliError> {
    if is_stdout(path) {
        return refuse_binary_on_terminal(rules.binary, std::io::stdout().is_terminal());
    }
    if let Some(input) = rules.inputs.iter().find(|input| same_file(path, input)) {
        return Err(CliError::OutputIsInput(input.to_path_buf()));
    }
    if exists(path) && !rules.force {
        return Err(CliError::OutputExists(path.to_path_buf()));
    }
    Ok(())
}

/// Binary content named `binary` may not go to standard output when it is a terminal.
///
/// # Errors
/// [`CliError::BinaryToTerminal`].
pub fn refuse_binary_on_terminal(binary: Option<&'static str>, is_terminal: bool) -> Result<(), CliError> {
    match binary {
        Some(what) if is_terminal => Err(CliError::BinaryToTerminal(what)),
        _ => Ok(()),
    }
}

/// Whether `a` and `b` name the same existing file (canonical paths; `false` when either does
/// not exist).
pub fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether something (a file, a folder, a symbolic link, even a dangling one) is at `path`.
pub fn exists(path: &Path) -> bool {
    path.exists() || path.is_symlink()
}

/// Write `bytes` to `path` (`-` = standard output) under `rules`.
///
/// # Errors
/// As for [`check`], or the write error (read-only directory, disk full…).
pub fn write_output(path: &Path, bytes: &[u8], rules: &Rules<'_>) -> Result<(), CliError> {
    check(path, rules)?;
    if is_stdout(path) {
        let mut out = std::io::stdout().lock();
        return out
            .write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(|e| write_error(Path::new("standard output"), e));
    }
    if exists(path) {
        // `check` passed, so `rules.force`.
        return Ok(write_atomic(path, bytes)?);
    }
    write_new_private(path, bytes).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => CliError::OutputExists(path.to_path_buf()),
        _ => write_error(path, e),
    })
}

/// A file written piece by piece under [`Rules`] (an NDJSON file of an export): a new file
/// created 0600, or, with `--force` over an existing one, a temporary file (0600) in the same
/// directory renamed over it by [`Stream::finish`]. Dropped unfinished, the temporary file is
/// removed and the old file is left as it was.
#[derive(Debug)]
pub struct Stream {
    path: PathBuf,
    tmp: Option<PathBuf>,
    out: std::io::BufWriter<File>,
}

impl Stream {
    /// Start writing `path`.
    ///
    /// # Errors
    /// As for [`check`], or the file cannot be created.
    pub fn create(path: &Path, rules: &Rules<'_>) -> Result<Stream, CliError> {
        check(path, rules)?;
        let (tmp, file) = if exists(path) {
            let (tmp, file) = crate::store::create_temp(path)?;
            (Some(tmp), file)
        } else {
            let file = private_options().open(path).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => CliError::OutputExists(path.to_path_buf()),
                _ => write_error(path, e),
            })?;
            (None, file)
        };
        Ok(Stream { path: path.to_path_buf(), tmp, out: std::io::BufWriter::new(file) })
    }

    /// Append `bytes`.
    ///
    /// # Errors
    /// The write fails (disk full…).
    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        self.out.write_all(bytes).map_err(|e| write_error(&self.path, e))
    }

    /// Flush to disk and, when replacing, rename over the old file.
    ///
    /// # Errors
    /// The flush or the rename fails; the old file is then left as it was.
    pub fn finish(mut self) -> Result<(), CliError> {
        self.out.flush().and_then(|()| self.out.get_ref().sync_all()).map_err(|e| write_error(&self.path, e))?;
        if let Some(tmp) = self.tmp.take() {
            std::fs::rename(&tmp, &self.path).map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                write_error(&self.path, e)
            })?;
        }
        Ok(())
    }
}

impl Drop for Stream {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// An output folder: created with mode 0700 (and its parents), or an existing folder that is
/// empty (or, with `non_empty_ok`, any existing folder).
///
/// # Errors
/// [`CliError::OutputExists`] when a file, or a non-empty folder, is there; write errors.
pub fn make_dir(dir: &Path, non_empty_ok: bool) -> Result<(), CliError> {
    if exists(dir) {
        if !dir.is_dir() {
            return Err(CliError::OutputExists(dir.to_path_buf()));
        }
        let empty = std::fs::read_dir(dir).map(|mut d| d.next().is_none()).unwrap_or(false);
        if !empty && !non_empty_ok {
            return Err(CliError::OutputExists(dir.to_path_buf()));
        }
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| write_error(dir, e))
}

/// A log that a command appends to (a share's access log): created with mode 0600, or opened
/// for appending.
///
/// # Errors
/// The file cannot be created or opened for writing.
pub fn append_log(path: &Path) -> Result<File, CliError> {
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| write_error(path, e))
}

/// A write error on `path`, classified (read-only, disk full, other).
pub fn write_error(path: &Path, e: std::io::Error) -> CliError {
    CliError::Store(StoreError::from_write(path, e))
}

/// Print text to standard output.
///
/// # Errors
/// Standard output is closed or full.
pub fn print(text: &str) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    let r = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match r {
        // A closed pipe (`emr list … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r.map_err(|e| write_error(Path::new("standard output"), e)),
    }
}

/// Print JSON text pretty, followed by a newline, exactly as written otherwise: numbers keep
/// their text (`6.30` stays `6.30`), members their order.
///
/// # Errors
/// As for [`print()`]; [`CliError::Internal`] if the text is not JSON (emr wrote it, so never).
pub fn print_json_text(text: &str) -> Result<(), CliError> {
    let tree = emr_core::json::parse(text).map_err(|e| CliError::Internal(e.to_string()))?;
    let mut text = tree.to_pretty_string();
    text.push('\n');
    print(&text)
}

/// Print a value as pretty JSON, followed by a newline.
///
/// # Errors
/// As for [`print()`].
pub fn print_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<(), CliError> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    print(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        write_output(&p, b"{}", &Rules::new(false)).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"{}");
        #[cfg(unix)]
        assert_eq!(mode(&p), 0o600);
    }

    #[test]
    fn an_existing_file_is_replaced_only_with_force_and_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.json");
        std::fs::write(&p, b"old").unwrap();
        let e = write_output(&p, b"new", &Rules::new(false)).unwrap_err();
        assert!(matches!(e, CliError::OutputExists(_)), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        write_output(&p, b"new", &Rules::new(true)).unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        #[cfg(unix)]
        assert_eq!(mode(&p), 0o600, "the replacement is the 0600 temporary file, renamed");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("out.json")], "no temporary file left");
    }

    #[test]
    fn the_output_may_not_be_an_input_even_with_force() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("chart.emr");
        std::fs::write(&input, b"encrypted").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let other_spelling = dir.path().join("sub/../chart.emr");
        let e = write_output(&other_spelling, b"plain", &Rules::new(true).inputs([input.as_path()])).unwrap_err();
        assert!(matches!(e, CliError::OutputIsInput(_)), "{e}");
        assert_eq!(e.code(), "output.input");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.json");
            std::os::unix::fs::symlink(&input, &link).unwrap();
            let e = write_output(&link, b"plain", &Rules::new(true).inputs([input.as_path()])).unwrap_err();
            assert!(matches!(e, CliError::OutputIsInput(_)), "{e}");
        }
        assert_eq!(std::fs::read(&input).unwrap(), b"encrypted");
        // Another file is fine.
        write_output(&dir.path().join("out.json"), b"plain", &Rules::new(false).inputs([input.as_path()])).unwrap();
    }

    #[test]
    fn binary_is_refused_on_a_terminal_only() {
        let e = refuse_binary_on_terminal(Some("a binary patient bundle"), true).unwrap_err();
        assert!(matches!(e, CliError::BinaryToTerminal(_)));
        assert_eq!(e.to_string(), "refusing to write a binary patient bundle to the terminal");
        assert!(refuse_binary_on_terminal(Some("a binary patient bundle"), false).is_ok());
        assert!(refuse_binary_on_terminal(None, true).is_ok());
    }

    #[test]
    fn a_stream_replaces_atomically_or_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("Patient.ndjson");
        let mut s = Stream::create(&p, &Rules::new(false)).unwrap();
        s.write_all(b"one\n").unwrap();
        s.finish().unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&p), 0o600);
        assert!(matches!(Stream::create(&p, &Rules::new(false)), Err(CliError::OutputExists(_))));
        // Dropped unfinished: the old file stays, no temporary file is left.
        let mut s = Stream::create(&p, &Rules::new(true)).unwrap();
        s.write_all(b"two\n").unwrap();
        drop(s);
        assert_eq!(std::fs::read(&p).unwrap(), b"one\n");
        let mut s = Stream::create(&p, &Rules::new(true)).unwrap();
        s.write_all(b"two\n").unwrap();
        s.finish().unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn an_output_folder_is_new_and_private_or_empty() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("a/b");
        make_dir(&out, false).unwrap();
        #[cfg(unix)]
        assert_eq!(mode(&out), 0o700);
        make_dir(&out, false).unwrap();
        std::fs::write(out.join("x"), b"x").unwrap();
        assert!(matches!(make_dir(&out, false), Err(CliError::OutputExists(_))));
        make_dir(&out, true).unwrap();
        assert!(matches!(make_dir(&out.join("x"), true), Err(CliError::OutputExists(_))));
    }
}
