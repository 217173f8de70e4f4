//! Moving a meeting between a folder and a PostgreSQL database (`copy DIR URL`,
//! `copy URL DIR`): its rules, organizations, ballots with their history, decisions and audit
//! log, as they are stored, so digests and the audit chain are equal on both sides.

use super::Meeting;
use crate::config::STORE_FILE;
use crate::error::{Error, Result};
use crate::store::postgres_copy;
use crate::store::{Store, SCHEMA_VERSION};
use std::path::Path;

impl Meeting {
    /// Copies this meeting into the empty PostgreSQL database at `url`: a consistent snapshot
    /// of the store, and every file of the folder besides the store (meeting.toml, the
    /// organizations file, import maps), in one transaction.
    pub fn copy_to_database(&self, url: &str) -> Result<()> {
        let files = folder_files(&self.config.dir)?;
        self.store.copy_to_database(&files, url)
    }

    /// Copies the meeting in the PostgreSQL database at `url` into the new folder `dir` (which
    /// must not exist, or be empty) and opens it read-only; a meeting of an older schema is
    /// opened for work instead, which migrates the copy (audited): a database is not
    /// migrated in place, so this is the way such a meeting is brought up to date. On failure
    /// the folder is removed again when this made it.
    pub fn copy_from_database(url: &str, dir: &Path) -> Result<Meeting> {
        let made = prepare_empty_folder(dir)?;
        let copied = write_folder(url, dir).and_then(|version| {
            if version < SCHEMA_VERSION {
                Meeting::open(dir)
            } else {
                Meeting::open_read_only(dir)
            }
        });
        if copied.is_err() {
            if made {
                let _ = std::fs::remove_dir_all(dir);
            } else if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
        copied
    }
}

/// Writes the meeting's files and store into `dir`; the store's schema version.
fn write_folder(url: &str, dir: &Path) -> Result<i64> {
    let image = postgres_copy::open_image(url)?;
    let version = image.version();
    for (name, content) in &image.files {
        if !is_plain_file_name(name) {
            return Err(Error::Internal(format!(
                "the database names a meeting file {name:?}, which is not a plain file name"
            )));
        }
        let path = dir.join(name);
        std::fs::write(&path, content).map_err(|e| Error::io(&path, e))?;
    }
    Store::create_from_image(image, &dir.join(STORE_FILE))?;
    Ok(version)
}

/// Whether `name` is a file name of the folder itself (no folder part, no `..`).
pub(crate) fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Makes `dir` if it is missing (true) or accepts it empty (false); refuses anything else.
fn prepare_empty_folder(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(Error::user(
                    format!(
                        "{} is not empty: a meeting is copied into a new folder",
                        dir.display()
                    ),
                    format!("{} 不是空文件夹：会议只能复制到新文件夹", dir.display()),
                ));
            }
            Ok(false)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            Ok(true)
        }
        Err(e) => Err(Error::io(dir, e)),
    }
}

/// The files of the meeting folder besides the store (name, content), by name.
fn folder_files(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let store_files = [
        STORE_FILE.to_string(),
        format!("{STORE_FILE}-wal"),
        format!("{STORE_FILE}-shm"),
        format!("{STORE_FILE}-journal"),
    ];
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))? {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else {
            continue;
        };
        if store_files.contains(&name) || !path.is_file() {
            continue;
        }
        let content = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        files.push((name, content));
    }
    files.sort();
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_names_are_written_into_the_folder() {
        assert!(is_plain_file_name("meeting.toml"));
        assert!(is_plain_file_name("名单.csv.map.toml"));
        for name in ["", ".", "..", "../x", "a/b", "a\\b", "/etc/passwd"] {
            assert!(!is_plain_file_name(name), "{name:?}");
        }
    }

    #[test]
    fn the_folder_files_leave_the_store_out() {
        let temp = tempfile::tempdir().unwrap();
        for name in [
            "meeting.toml",
            "organizations.csv",
            "meeting.db",
            "meeting.db-wal",
        ] {
            std::fs::write(temp.path().join(name), name).unwrap();
        }
        std::fs::create_dir(temp.path().join("exports")).unwrap();
        let names: Vec<String> = folder_files(temp.path())
            .unwrap()
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        assert_eq!(names, ["meeting.toml", "organizations.csv"]);
    }
}
