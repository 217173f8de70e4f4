//! The bundled demo meeting, embedded in the binary so `tallyclerk demo` works anywhere.

use crate::config::MEETING_FILE;
use crate::error::{Error, Result};
use crate::import::{import_bytes, ImportOptions};
use crate::meeting::Meeting;
use crate::store::Source;
use std::path::Path;

const MEETING_TOML: &str = include_str!("../data/demo/meeting.toml");
const ORGANIZATIONS_CSV: &str = include_str!("../data/demo/organizations.csv");
const BALLOTS_CSV: &[u8] = include_bytes!("../data/demo/ballots.csv");

/// Writes the demo meeting into `dir` (created if needed; it must not already be a meeting)
/// and loads its ballots.
pub fn install(dir: &Path) -> Result<Meeting> {
    if dir.join(MEETING_FILE).exists() {
        return Err(Error::user(
            format!("{} is already a meeting", dir.display()),
            format!("{} 已经是会议文件夹", dir.display()),
        ));
    }
    crate::text::create_folder(dir).map_err(|e| Error::io(dir, e))?;
    for (name, content) in [
        ("organizations.csv", ORGANIZATIONS_CSV),
        (MEETING_FILE, MEETING_TOML),
    ] {
        let path = dir.join(name);
        crate::text::write_file(&path, content.as_ref()).map_err(|e| Error::io(&path, e))?;
    }
    let mut meeting = Meeting::create_store(dir)?;
    import_bytes(
        &mut meeting,
        "demo ballots.csv",
        BALLOTS_CSV,
        ImportOptions::default(),
        Source::Demo,
    )?;
    Ok(meeting)
}

/// Installs the demo into a fresh folder under the system's temporary directory, kept after
/// the program ends so the clerk can come back to it.
pub fn install_fresh() -> Result<Meeting> {
    let dir = tempfile::Builder::new()
        .prefix("tallyclerk-demo-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?
        .keep();
    install(&dir)
}

/// Installs the demo into a fresh folder under the system's temporary directory that is
/// removed when the returned folder is dropped: the practice copy the UI opens when started
/// outside a meeting leaves nothing behind (`demo DIR` keeps one where the clerk chooses).
pub fn install_temporary() -> Result<(tempfile::TempDir, Meeting)> {
    let dir = tempfile::Builder::new()
        .prefix("tallyclerk-demo-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?;
    let meeting = install(dir.path())?;
    Ok((dir, meeting))
}
