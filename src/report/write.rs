//! The only place that writes files: each one whole or not at all.
//!
//! Each file is written to a temporary name in the target directory, flushed to disk, then
//! renamed over its final name, which is atomic on one file system: a reader sees the old
//! file or the new one, never a partial one. A failure removes the temporary file.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writing a report failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// The directory could not be created or a file could not be written or renamed:
    /// check that the path is writable and the disk is not full. The operating system's
    /// reason is the error's `source()`, not repeated in its message.
    #[error("writing '{path}'")]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
}

/// `name` (a scenario's file stem) made safe as one directory name: characters other than
/// letters, digits, `-`, `_` and `.` become `_`, and leading dots go, so that a file called
/// `...toml` or `..toml` can never name the current directory, `reports/` itself, a
/// parent or a hidden directory.
pub fn safe_dir_name(name: &str) -> String {
    let kept: String = name
        .chars()
        .map(|c| match c {
            '-' | '_' | '.' => c,
            c if c.is_alphanumeric() => c,
            _ => '_',
        })
        .collect();
    match kept.trim_start_matches('.') {
        "" => "scenario".to_string(),
        safe => safe.to_string(),
    }
}

/// Writes every `(file name, bytes)` into `dir`, creating it if needed.
pub fn write_files(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<(), ReportError> {
    fs::create_dir_all(dir).map_err(|source| ReportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    for (name, bytes) in files {
        write_atomic(&dir.join(name), bytes)?;
    }
    Ok(())
}

/// Writes one file through a temporary sibling and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
    let result = fs::File::create(&temp)
        .and_then(|mut f| f.write_all(bytes).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&temp, path));
    result.map_err(|source| {
        let _ = fs::remove_file(&temp);
        ReportError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}
