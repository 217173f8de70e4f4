//! The bundled demo meetings, embedded in the binary so `tallyclerk demo` works anywhere: the
//! town's review (data/demo) and the same kind of review scored by group shares into a
//! composite (data/demo-scoring).

use crate::config::MEETING_FILE;
use crate::error::{Error, Result};
use crate::import::{import_bytes, ImportOptions};
use crate::meeting::Meeting;
use crate::store::Source;
use std::path::Path;

/// A bundled demo meeting: the files of its folder and the ballots loaded into it.
#[derive(Debug, Clone, Copy)]
pub struct Demo {
    /// meeting.toml, the organization list and any part files, by file name.
    files: &'static [(&'static str, &'static [u8])],
    /// The ballots CSV loaded into the new store.
    ballots: &'static [u8],
}

/// The town's review of its 30 organizations: per-form weights, ties shared and at a cutoff.
pub const REVIEW: Demo = Demo {
    files: &[
        (
            "organizations.csv",
            include_bytes!("../data/demo/organizations.csv"),
        ),
        (MEETING_FILE, include_bytes!("../data/demo/meeting.toml")),
    ],
    ballots: include_bytes!("../data/demo/ballots.csv"),
};

/// A review of 12 organizations scored as written evaluation rules score it: the voter
/// groups by fixed shares, the rates over the valid forms, a composite with two assessment
/// files that ranks (docs/RULES.md section 6).
pub const SCORING: Demo = Demo {
    files: &[
        (
            "organizations.csv",
            include_bytes!("../data/demo-scoring/organizations.csv"),
        ),
        (
            "daily.csv",
            include_bytes!("../data/demo-scoring/daily.csv"),
        ),
        (
            "annual.csv",
            include_bytes!("../data/demo-scoring/annual.csv"),
        ),
        (
            MEETING_FILE,
            include_bytes!("../data/demo-scoring/meeting.toml"),
        ),
    ],
    ballots: include_bytes!("../data/demo-scoring/ballots.csv"),
};

/// Writes the review demo into `dir` (created if needed; it must not already be a meeting)
/// and loads its ballots.
pub fn install(dir: &Path) -> Result<Meeting> {
    install_demo(dir, REVIEW)
}

/// Writes `demo` into `dir` (created if needed; it must not already be a meeting) and loads
/// its ballots.
pub fn install_demo(dir: &Path, demo: Demo) -> Result<Meeting> {
    if dir.join(MEETING_FILE).exists() {
        return Err(Error::user(
            format!("{} is already a meeting", dir.display()),
            format!("{} 已经是会议文件夹", dir.display()),
        ));
    }
    crate::text::create_folder(dir).map_err(|e| Error::io(dir, e))?;
    for (name, content) in demo.files {
        let path = dir.join(name);
        crate::text::write_file(&path, content).map_err(|e| Error::io(&path, e))?;
    }
    let mut meeting = Meeting::create_store(dir)?;
    import_bytes(
        &mut meeting,
        "demo ballots.csv",
        demo.ballots,
        ImportOptions::default(),
        Source::Demo,
    )?;
    Ok(meeting)
}

/// Installs `demo` into a fresh folder under the system's temporary directory, kept after
/// the program ends so the clerk can come back to it.
pub fn install_fresh(demo: Demo) -> Result<Meeting> {
    let dir = tempfile::Builder::new()
        .prefix("tallyclerk-demo-")
        .tempdir()
        .map_err(|e| Error::io(&std::env::temp_dir(), e))?
        .keep();
    install_demo(&dir, demo)
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
