//! Any file given to `import` is either read or refused with problems, never a panic. The
//! import is a dry run, so the meeting stays the same across runs.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;
use tallyclerk::import::{import_bytes, ImportOptions};
use tallyclerk::store::Source;
use tallyclerk::Meeting;

static MEETING: Mutex<Option<(tempfile::TempDir, Meeting)>> = Mutex::new(None);

fuzz_target!(|data: &[u8]| {
    let mut guard = MEETING.lock().unwrap();
    let (_, meeting) = guard.get_or_insert_with(|| {
        let dir = tempfile::tempdir().unwrap();
        let meeting = tallyclerk::demo::install(dir.path()).unwrap();
        (dir, meeting)
    });
    let options = ImportOptions {
        dry_run: true,
        ..ImportOptions::default()
    };
    let _ = import_bytes(meeting, "fuzz.csv", data, options, Source::Import);
});
