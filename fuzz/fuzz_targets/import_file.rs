//! Any file imported for real, through the streaming path a file on disk takes (encoding
//! sniffing, the two-thread writer, the kept count and digest), is either stored whole or
//! refused with problems, never a panic; and what the store keeps between changes always
//! equals a full pass over its ballots.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::Mutex;
use tallyclerk::import::{import_file, ImportOptions};
use tallyclerk::Meeting;

struct State {
    dir: tempfile::TempDir,
    meeting: Meeting,
    runs: u64,
}

static STATE: Mutex<Option<State>> = Mutex::new(None);

fn fresh() -> State {
    let dir = tempfile::tempdir().unwrap();
    let meeting = tallyclerk::demo::install(dir.path()).unwrap();
    State {
        dir,
        meeting,
        runs: 0,
    }
}

fuzz_target!(|data: &[u8]| {
    let mut guard = STATE.lock().unwrap();
    // A new meeting now and then keeps the store, and so each run, small.
    if guard.as_ref().is_none_or(|s| s.runs >= 500) {
        *guard = Some(fresh());
    }
    let state = guard.as_mut().unwrap();
    state.runs += 1;
    let path = state.dir.path().join("fuzz.csv");
    std::fs::write(&path, data).unwrap();
    let options = ImportOptions {
        allow_same_file: true,
        skip_existing: true,
        ..ImportOptions::default()
    };
    let before = state.meeting.store.count().unwrap();
    match import_file(&mut state.meeting, &path, options) {
        Ok(report) => assert_eq!(
            state.meeting.store.count().unwrap().counted,
            before.counted + report.forms
        ),
        // A refused file changes nothing.
        Err(_) => assert_eq!(state.meeting.store.count().unwrap(), before),
    }
    assert_eq!(
        state.meeting.store.count().unwrap(),
        state.meeting.store.count_by_scan().unwrap()
    );
    if state.runs % 100 == 0 {
        assert!(state.meeting.store.check().unwrap().is_empty());
    }
});
