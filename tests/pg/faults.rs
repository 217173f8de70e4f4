//! Faults of a station or of the server: a save is all or nothing, and a station whose
//! server went away saves again once it is back.

use crate::contract::{ballot, Place};
use std::process::{Command, Stdio};
use std::time::Duration;
use tallyclerk::store::Source;
use tallyclerk::Meeting;

/// How many of the ballots that count carry `serial`, and how many audit entries added it.
fn stored_and_audited(meeting: &Meeting, serial: u64) -> (usize, usize) {
    let stored = meeting
        .store
        .ballots()
        .unwrap()
        .iter()
        .filter(|b| b.ballot.serial == serial)
        .count();
    let detail = format!("serial {serial} ");
    let audited = meeting
        .store
        .audit_log()
        .unwrap()
        .iter()
        .filter(|(_, action, d)| action == "add" && d.starts_with(&detail))
        .count();
    (stored, audited)
}

#[test]
fn a_station_killed_mid_save_loses_and_doubles_nothing() {
    let place = Place::database();
    let url = place.location().to_str().unwrap().to_string();
    let binary = assert_cmd::cargo::cargo_bin("tallyclerk");
    let (mut before, mut after) = (0, 0);
    for round in 0..20u64 {
        let serial = 100 + round;
        let mut station = Command::new(&binary)
            .args([
                "--station",
                "killed",
                "add",
                &url,
                &serial.to_string(),
                "ABC",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // From before it connects to after it commits, a few milliseconds apart.
        std::thread::sleep(Duration::from_millis(round * 4));
        let _ = station.kill(); // SIGKILL
        let status = station.wait().unwrap();
        let meeting = Meeting::open(place.location()).unwrap();
        let (stored, audited) = stored_and_audited(&meeting, serial);
        assert!(
            stored <= 1,
            "round {round}: serial {serial} stored {stored} times"
        );
        assert_eq!(stored, audited, "round {round}: the audit log disagrees");
        if status.success() {
            assert_eq!(stored, 1, "round {round}: reported saved, not stored");
        }
        if stored == 1 {
            after += 1;
        } else {
            before += 1;
            // Nothing of it is left: the form is keyed again, once.
            let mut again = place.open("again");
            let form = ballot(&again, serial, "ABC");
            again.add(&form, Source::Typed).unwrap();
        }
        let problems = meeting.check().unwrap();
        assert!(problems.is_empty(), "round {round}: {problems:?}");
    }
    let meeting = Meeting::open(place.location()).unwrap();
    assert_eq!(meeting.store.ballots().unwrap().len(), 20);
    assert!(meeting.check().unwrap().is_empty());
    eprintln!("killed before its commit: {before} rounds; after: {after}");
}

#[test]
fn a_station_saves_the_form_it_kept_once_the_server_is_back() {
    let place = Place::database();
    let mut station = place.open("east");
    let first = ballot(&station, 1, "ABC");
    station.add(&first, Source::Typed).unwrap();
    let typed = ballot(&station, 2, "CBA");
    place.server().stop();
    let refused = station.add(&typed, Source::Typed).unwrap_err();
    assert!(refused.is_offline(), "{refused:?}");
    // Still away: said again, nothing changed.
    assert!(station.add(&typed, Source::Typed).unwrap_err().is_offline());
    place.server().restart();
    // The same station, the form as it was kept: the connection is made again.
    station.add(&typed, Source::Typed).unwrap();
    let reader = place.open("reader");
    assert_eq!(stored_and_audited(&reader, 1), (1, 1));
    assert_eq!(stored_and_audited(&reader, 2), (1, 1));
    assert!(reader.check().unwrap().is_empty());
}
