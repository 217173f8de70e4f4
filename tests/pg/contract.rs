//! The store's behaviour is one contract with two implementations: every case here runs on a
//! meeting in a folder (SQLite) and on the same meeting copied into a PostgreSQL database,
//! through the use cases, and must behave the same on both.

use crate::server::Server;
use std::path::{Path, PathBuf};
use tallyclerk::ballot_state::{Reading, State};
use tallyclerk::meeting::ballots::Verification;
use tallyclerk::meeting::files::{ExportKind, ExportRequest};
use tallyclerk::model::{parse_marks, Ballot};
use tallyclerk::ranking::Placement;
use tallyclerk::store::Source;
use tallyclerk::{Lang, Meeting};

/// Three organizations, one tier of one place: a form rating O1 and O2 alike ties them at
/// the cutoff.
const MEETING_TOML: &str = r#"
title = "contract"
tiers = [{ name = "top", quota = 1 }]
"#;
const ORGANIZATIONS: &str = "id,name\nO1,甲\nO2,乙\nO3,丙\n";

/// Where a case's meeting lives: a folder, or a database on a server of the case's own.
pub struct Place {
    _temp: tempfile::TempDir,
    /// The folder or the URL, as a command takes it.
    location: PathBuf,
    _server: Option<Server>,
}

impl Place {
    /// A fresh meeting in a folder.
    pub fn folder() -> Place {
        Place::folder_with(MEETING_TOML)
    }

    /// A fresh meeting with this meeting.toml in a folder.
    pub fn folder_with(toml: &str) -> Place {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("meeting");
        write_meeting(&dir, toml);
        Place {
            _temp: temp,
            location: dir,
            _server: None,
        }
    }

    /// A fresh meeting (the same) copied into a new database.
    pub fn database() -> Place {
        Place::database_with(MEETING_TOML)
    }

    /// A fresh meeting with this meeting.toml copied into a new database.
    pub fn database_with(toml: &str) -> Place {
        let server = Server::start();
        let url = server.database("meeting");
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().join("meeting");
        write_meeting(&dir, toml);
        Meeting::open(&dir).unwrap().copy_to_database(&url).unwrap();
        Place {
            _temp: temp,
            location: PathBuf::from(url),
            _server: Some(server),
        }
    }

    /// The meeting opened for work by a station named `station`.
    pub fn open(&self, station: &str) -> Meeting {
        let mut meeting = Meeting::open(&self.location).unwrap();
        meeting.set_clerk(Some(station));
        meeting
    }

    /// The folder or URL.
    pub fn location(&self) -> &Path {
        &self.location
    }

    /// The server of a meeting in a database.
    pub fn server(&self) -> &Server {
        self._server.as_ref().expect("a meeting in a database")
    }
}

fn write_meeting(dir: &Path, toml: &str) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("meeting.toml"), toml).unwrap();
    std::fs::write(dir.join("organizations.csv"), ORGANIZATIONS).unwrap();
    Meeting::create_store(dir).unwrap();
}

pub fn ballot(meeting: &Meeting, serial: u64, marks: &str) -> Ballot {
    Ballot {
        serial,
        group: None,
        marks: parse_marks(marks, &meeting.config.scale).unwrap(),
    }
}

fn reading(meeting: &Meeting, marks: &str) -> Reading {
    Reading {
        group: None,
        marks: parse_marks(marks, &meeting.config.scale).unwrap(),
    }
}

fn add(meeting: &mut Meeting, serial: u64, marks: &str) {
    let b = ballot(meeting, serial, marks);
    meeting.add(&b, Source::Typed).unwrap();
}

fn refusal(result: tallyclerk::error::Result<impl std::fmt::Debug>) -> String {
    result.unwrap_err().message(Lang::En)
}

/// Makes a fresh meeting from a meeting.toml: in a folder, or in a database.
type Make = fn(&str) -> Place;

/// Each case, as a test on a folder and as a test on a database.
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod on_sqlite {
            $(#[test] fn $case() { super::$case(super::Place::folder_with) })*
        }
        mod on_postgresql {
            $(#[test] fn $case() { super::$case(super::Place::database_with) })*
        }
    };
}

contract!(
    a_serial_is_kept_once,
    withdrawn_and_set_aside_forms_leave_the_count,
    a_second_keying_verifies_or_disputes,
    an_edit_keeps_the_old_version,
    a_decision_settles_a_tie_until_withdrawn,
    a_finalised_meeting_refuses_changes_until_reopened,
    the_audit_chain_holds_and_check_passes,
    a_reopened_store_reads_what_was_written,
    a_second_keying_comes_from_another_station,
    an_import_records_its_station,
    every_change_a_station_makes_names_it_in_the_audit_log,
);

/// Whatever a named station changes, its audit entry names the station.
fn every_change_a_station_makes_names_it_in_the_audit_log(make: Make) {
    let place = &make(MEETING_TOML);
    let mut east = place.open("east");
    let before = east.store.audit_log().unwrap().len();
    // Two forms rating O1 and O2 alike tie them at the cutoff of the one place.
    add(&mut east, 1, "AAC");
    add(&mut east, 2, "AAC");
    add(&mut east, 3, "CCC");
    east.withdraw(3, "keyed twice").unwrap();
    east.set_aside(2, "torn").unwrap();
    add(&mut east, 4, "AAC");
    east.set_issued(4).unwrap();
    east.decide("top", &["O2".to_string()], "drawn by lot")
        .unwrap();
    east.undecide("top", "drawn again").unwrap();
    east.decide("top", &["O1".to_string()], "drawn again")
        .unwrap();
    east.finalise().unwrap();
    east.reopen("a form was found").unwrap();
    let log = east.store.audit_log().unwrap();
    let mut actions: Vec<&str> = Vec::new();
    for (_, action, detail) in &log[before..] {
        assert!(detail.ends_with(" clerk east"), "{action}: {detail}");
        actions.push(action);
    }
    actions.dedup();
    assert_eq!(
        actions,
        [
            "add",
            "withdraw",
            "set-aside",
            "add",
            "issued",
            "decide",
            "undecide",
            "decide",
            "finalise",
            "reopen"
        ]
    );
    assert!(east.check().unwrap().is_empty());
}

/// An import keeps the station with its batch, so each ballot's history names it, and in its
/// audit entry, as a keying does.
fn an_import_records_its_station(make: Make) {
    let place = &make(MEETING_TOML);
    let mut north = place.open("north");
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("scans.csv");
    std::fs::write(&file, "serial,O1,O2,O3\n1,A,B,C\n2,C,B,A\n").unwrap();
    north
        .import_files(&[file], &Default::default(), |_| None)
        .unwrap();
    let log = north.store.audit_log().unwrap();
    let (_, action, detail) = log.last().unwrap();
    assert_eq!(action, "import");
    assert!(detail.ends_with("ballots 2 clerk north"), "{detail}");
    let west = place.open("west");
    for serial in [1, 2] {
        let key = west.find_serial(serial).unwrap().unwrap();
        let history = west.ballot_history(key.id).unwrap();
        assert_eq!(history[0].clerk.as_deref(), Some("north"), "{history:?}");
    }
    assert!(west.check().unwrap().is_empty());
}

fn a_second_keying_comes_from_another_station(make: Make) {
    let place = &make(MEETING_TOML);
    let mut east = place.open("east");
    add(&mut east, 1, "ABC");
    let head = east.store.audit_head().unwrap();
    let said = refusal(east.verify(1, &reading(&east, "ABC")));
    assert!(
        said.contains(
            "ballot 1 was keyed by east: its second keying must come from another station"
        ),
        "{said}"
    );
    assert_eq!(east.store.audit_head().unwrap(), head);
    let mut west = place.open("west");
    west.verify(1, &reading(&west, "ABC")).unwrap();
    // The meeting may allow it.
    let relaxed = &make(&format!(
        "{MEETING_TOML}\n[rules]\nverify_own_keying = true\n"
    ));
    let mut east = relaxed.open("east");
    add(&mut east, 1, "ABC");
    assert!(matches!(
        east.verify(1, &reading(&east, "ABC")).unwrap(),
        Verification::Verified
    ));
}

fn a_serial_is_kept_once(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    add(&mut m, 1, "AAC");
    let head = m.store.audit_head().unwrap();
    let again = ballot(&m, 1, "BBB");
    let said = refusal(m.add(&again, Source::Typed));
    assert!(
        said.contains("serial 1 is already in the meeting"),
        "{said}"
    );
    // A refusal changes nothing.
    assert_eq!(m.store.audit_head().unwrap(), head);
    let stored = m.store.ballot(1).unwrap().unwrap();
    assert_eq!(stored.ballot, ballot(&m, 1, "AAC"));
    assert_eq!(m.results().unwrap().summary.collected, 1);
}

fn withdrawn_and_set_aside_forms_leave_the_count(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    for serial in 1..=3 {
        add(&mut m, serial, "ABC");
    }
    m.withdraw(1, "keyed twice").unwrap();
    m.set_aside(2, "torn").unwrap();
    let summary = m.results().unwrap().summary;
    assert_eq!(
        (
            summary.collected,
            summary.valid,
            summary.withdrawn,
            summary.set_aside
        ),
        (2, 1, 1, 1)
    );
    // A serial taken out is free again; one that counts is not.
    add(&mut m, 1, "CCC");
    assert!(refusal(m.add(&ballot(&m, 3, "CCC"), Source::Typed)).contains("already"));
    assert_eq!(m.tally().unwrap().ballots, 2);
}

fn a_second_keying_verifies_or_disputes(make: Make) {
    let place = &make(MEETING_TOML);
    let mut east = place.open("east");
    add(&mut east, 1, "ABC");
    add(&mut east, 2, "ABC");
    let mut west = place.open("west");
    assert!(matches!(
        west.verify(1, &reading(&west, "ABC")).unwrap(),
        Verification::Verified
    ));
    assert!(matches!(
        west.verify(2, &reading(&west, "ABD")).unwrap(),
        Verification::Disputed(_)
    ));
    // A third reading agreeing with the first settles it as keyed.
    assert!(matches!(
        west.verify(2, &reading(&west, "ABC")).unwrap(),
        Verification::Resolved { changed: false }
    ));
    let summary = east.results().unwrap().summary;
    assert_eq!((summary.verified, summary.disputed), (2, 0));
    let (_, state) = east.ballot_state(2).unwrap().unwrap();
    assert_eq!(state, State::Resolved);
    assert_eq!(east.store.keyed_by(1).unwrap().as_deref(), Some("east"));
}

fn an_edit_keeps_the_old_version(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    add(&mut m, 7, "ABC");
    let marks = parse_marks("CCC", &m.config.scale).unwrap();
    m.edit(7, &marks, None, "misread").unwrap();
    assert_eq!(m.store.ballot(7).unwrap().unwrap().ballot.marks, marks);
    let key = m.find_serial(7).unwrap().unwrap();
    let history = m.ballot_history(key.id).unwrap();
    assert_eq!(history.len(), 2, "{history:?}");
    assert_eq!(
        (history[0].marks.as_str(), history[1].marks.as_str()),
        ("ABC", "CCC")
    );
    assert_eq!(history[1].reason.as_deref(), Some("misread"));
    assert_eq!(m.tally().unwrap().ballots, 1);
}

fn a_decision_settles_a_tie_until_withdrawn(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    add(&mut m, 1, "AAC");
    add(&mut m, 2, "AAC");
    assert_eq!(undecided(&m), 2);
    m.decide("top", &["O2".to_string()], "drawn by lot")
        .unwrap();
    assert_eq!(m.store.decisions().unwrap().len(), 1);
    assert_eq!(undecided(&m), 0);
    let said = refusal(m.decide("top", &["O1".to_string()], "again"));
    assert!(said.contains("decision refused"), "{said}");
    assert_eq!(m.undecide("top", "drawn again").unwrap().len(), 1);
    assert!(m.store.decisions().unwrap().is_empty());
}

/// How many organizations stand undecided at a cutoff.
fn undecided(m: &Meeting) -> usize {
    let ranking = m.results().unwrap().ranking;
    ranking
        .rows
        .iter()
        .filter(|r| matches!(r.placement, Placement::Undecided(_)))
        .count()
}

fn a_finalised_meeting_refuses_changes_until_reopened(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    add(&mut m, 1, "ABC");
    m.set_issued(1).unwrap();
    m.finalise().unwrap();
    let said = refusal(m.add(&ballot(&m, 2, "ABC"), Source::Typed));
    assert!(said.contains("the meeting is finalised"), "{said}");
    // Another station sees it finalised too.
    let mut west = place.open("west");
    assert!(refusal(west.withdraw(1, "no")).contains("finalised"));
    assert!(m.check().unwrap().is_empty());
    m.reopen("a form was found").unwrap();
    add(&mut west, 2, "ABC");
    assert_eq!(m.tally().unwrap().ballots, 2);
}

fn the_audit_chain_holds_and_check_passes(make: Make) {
    let place = &make(MEETING_TOML);
    let mut m = place.open("east");
    let mut west = place.open("west");
    add(&mut m, 1, "ABC");
    add(&mut west, 2, "CBA");
    west.verify(1, &reading(&west, "ABC")).unwrap();
    m.withdraw(2, "mistake").unwrap();
    m.set_issued(5).unwrap();
    let head = m.store.audit_head().unwrap();
    assert!(m.store.has_audit_entry(&head).unwrap());
    let problems = m.check().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    let log = m.store.audit_log().unwrap();
    let actions: Vec<&str> = log.iter().map(|(_, a, _)| a.as_str()).collect();
    assert_eq!(
        actions[actions.len() - 5..],
        ["add", "add", "verify", "withdraw", "issued"]
    );
    assert!(log[log.len() - 4].2.ends_with("clerk west"), "{log:?}");
    // Read-only, check sees the same.
    let read_only = Meeting::open_read_only(place.location()).unwrap();
    assert!(read_only.check().unwrap().is_empty());
    assert_eq!(read_only.store.audit_head().unwrap(), head);
}

fn a_reopened_store_reads_what_was_written(make: Make) {
    let place = &make(MEETING_TOML);
    let digest = {
        let mut m = place.open("east");
        add(&mut m, 3, "ABC");
        add(&mut m, 1, "BCA");
        m.results().unwrap().summary.digest
    };
    let m = place.open("west");
    let serials: Vec<u64> = m
        .store
        .ballots()
        .unwrap()
        .iter()
        .map(|b| b.ballot.serial)
        .collect();
    assert_eq!(serials, [1, 3]);
    assert_eq!(m.results().unwrap().summary.digest, digest);
    assert_eq!(m.store.max_serial().unwrap(), 3);
}

/// The same ballots on both stores: the results CSV is the same bytes, the digest the same.
#[test]
fn the_results_csv_is_byte_identical_on_both_stores() {
    let places = [Place::folder(), Place::database()];
    let mut outputs = Vec::new();
    for place in &places {
        let mut m = place.open("east");
        for (serial, marks) in [(4, "AAC"), (2, "ABB"), (9, "CAB"), (5, "AAA"), (1, "DCB")] {
            add(&mut m, serial, marks);
        }
        m.withdraw(9, "keyed by mistake").unwrap();
        m.set_aside(5, "torn").unwrap();
        m.decide("top", &["O1".to_string()], "drawn by lot").ok();
        let out = tempfile::tempdir().unwrap();
        m.export(&ExportRequest::one_into(
            out.path(),
            ExportKind::Results,
            Lang::En,
            false,
        ))
        .unwrap();
        let csv = std::fs::read(out.path().join(ExportKind::Results.default_file_name())).unwrap();
        outputs.push((csv, m.results().unwrap().summary.digest));
    }
    assert!(!outputs[0].0.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&outputs[0].0),
        String::from_utf8_lossy(&outputs[1].0)
    );
    assert_eq!(outputs[0], outputs[1]);
}
