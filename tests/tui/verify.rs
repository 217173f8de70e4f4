//! The second keying and the settling of disputes on the Verify tab.

use crate::harness::*;
use crossterm::event::KeyCode;
use tallyclerk::ballot_state::State;
use tallyclerk::model::marks_string;

/// Goes to the Verify tab and starts keying `serial` (skipping the clerk's name, asked once).
fn start_keying(app: &mut tallyclerk::tui::App, serial: &str) {
    key(app, KeyCode::F(2));
    key(app, KeyCode::Backspace);
    keys(app, serial);
    key(app, KeyCode::Enter);
    if screen(app, 80, 24).contains("Your name as clerk") {
        key(app, KeyCode::Enter);
    }
}

fn state(app: &tallyclerk::tui::App, serial: u64) -> State {
    app.meeting().ballot_state(serial).unwrap().unwrap().1
}

fn marks(app: &tallyclerk::tui::App, serial: u64) -> String {
    let stored = app.meeting().store.ballot(serial).unwrap().unwrap();
    marks_string(&stored.ballot.marks, &app.meeting().config.scale)
}

#[test]
fn a_second_keying_that_agrees_marks_the_ballot_verified() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB", "AAAAAA"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    // The next unverified form is suggested, and what is left is listed.
    let text = screen(&app, 80, 24);
    assert!(text.contains("Serial:  1      (next unverified)"), "{text}");
    assert!(text.contains("unverified (2): 1-2"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("Your name as clerk"));
    keys(&mut app, "Li");
    key(&mut app, KeyCode::Enter);
    // The first keying is not shown while keying again.
    let text = screen(&app, 80, 24);
    assert!(!text.contains("B Good"), "{text}");
    keys(&mut app, "abcdab");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("form 1 verified: both keyings agree"),
        "{text}"
    );
    assert!(text.contains("verified 1/2"), "{text}");
    assert!(text.contains("Serial:  2      (next unverified)"), "{text}");
    assert_eq!(state(&app, 1), State::Verified);
    let log = app.meeting().store.audit_log().unwrap();
    assert!(
        log.iter().any(|(_, a, d)| a == "verify"
            && d.contains("serial 1 agreed")
            && d.contains("clerk Li")),
        "{log:?}"
    );
}

#[test]
fn a_differing_keying_disputes_the_form_without_showing_either_reading() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    start_keying(&mut app, "1");
    keys(&mut app, "abcdaa");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("form 1 DISPUTED: row O06 differs"), "{text}");
    assert!(text.contains("verified 0/1, disputed 1"), "{text}");
    // Only the disputed row is listed, and with no reading.
    assert!(text.contains("O06"), "{text}");
    assert!(!text.contains("O05"), "{text}");
    assert!(
        !text.contains("Good") && !text.contains("Excellent"),
        "{text}"
    );
    assert!(matches!(state(&app, 1), State::Disputed(_)));
    // A key typed ahead (a serial, Enter) settles nothing.
    keys(&mut app, "12");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(state(&app, 1), State::Disputed(_)));
    assert_eq!(marks(&app, 1), "ABCDAB");
}

#[test]
fn a_dispute_survives_esc_and_quitting() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB", "AAAAAA"]);
    let mut app = app(meeting);
    start_keying(&mut app, "1");
    keys(&mut app, "dbcdab");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert!(matches!(state(&app, 1), State::Disputed(_)));
    let text = screen(&app, 80, 24);
    assert!(text.contains("disputed (1): 1"), "{text}");
    keys(&mut app, "q");
    assert!(app.quitting());
    drop(app);
    // Opened again: the dispute is still there, listed and counted.
    let mut app = crate::harness::app(tallyclerk::Meeting::open(dir.path()).unwrap());
    key(&mut app, KeyCode::F(2));
    let text = screen(&app, 80, 24);
    assert!(text.contains("verified 0/2, disputed 1"), "{text}");
    assert!(text.contains("disputed (1): 1"), "{text}");
    // Asking for it again goes to the dispute, not to a new second keying.
    start_keying(&mut app, "1");
    assert!(screen(&app, 80, 24).contains("form 1 DISPUTED: row O01 differs"));
}

#[test]
fn a_third_reading_settles_each_row_two_readings_of_three() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    start_keying(&mut app, "1");
    // Second keying: rows 1 and 6 differ.
    keys(&mut app, "bbcdaa");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "t");
    // The two disputed rows are keyed again from the paper: row 1 as the first keying, row 6
    // as the second.
    let text = screen(&app, 80, 24);
    assert!(text.contains("O01") && text.contains("O06"), "{text}");
    keys(&mut app, "aa");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("form 1 resolved: corrected by the readings"),
        "{text}"
    );
    assert_eq!(state(&app, 1), State::Resolved);
    assert_eq!(marks(&app, 1), "ABCDAA");
    assert!(text.contains("verified 1/1"), "{text}");
    // The live figures follow the correction.
    assert_eq!(app.tally(), &app.meeting().results().unwrap().tally);
    let log = app.meeting().store.audit_log().unwrap();
    assert!(
        log.iter().any(|(_, a, d)| a == "resolve"
            && d.contains("resolved by reading 3")
            && d.contains("O01 A|B read A")
            && d.contains("O06 B|A read A")),
        "{log:?}"
    );
}

#[test]
fn a_third_reading_differing_from_both_asks_again() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    start_keying(&mut app, "1");
    keys(&mut app, "cbcdab");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "t");
    keys(&mut app, "d");
    key(&mut app, KeyCode::Enter);
    // A, C, D: three readings, none twice: still disputed.
    assert!(screen(&app, 80, 24).contains("form 1 DISPUTED: row O01 differs"));
    assert!(matches!(state(&app, 1), State::Disputed(_)));
    keys(&mut app, "t");
    keys(&mut app, "c");
    key(&mut app, KeyCode::Enter);
    assert_eq!(state(&app, 1), State::Resolved);
    assert_eq!(marks(&app, 1), "CBCDAB");
}

#[test]
fn a_clerk_keying_a_form_of_their_own_again_is_warned() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "f1");
    key(&mut app, KeyCode::Enter);
    start_keying(&mut app, "1");
    let text = screen(&app, 80, 24);
    assert!(text.contains("form 1 was keyed by you"), "{text}");
}

#[test]
fn verifying_an_unknown_serial_says_so() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    start_keying(&mut app, "42");
    assert!(screen(&app, 80, 24).contains("no ballot with serial 42"));
}

#[test]
fn the_voter_group_is_keyed_and_compared_too() {
    let (dir, _meeting) = meeting(6, 2, 1, 6);
    let toml_path = dir.path().join("meeting.toml");
    let toml = std::fs::read_to_string(&toml_path).unwrap();
    std::fs::write(
        &toml_path,
        format!(
            "groups = [{{ id = \"leaders\", label = \"班子\", weight = 1 }}, {{ id = \"cadres\", label = \"干部\", weight = 1 }}]\n{toml}"
        ),
    )
    .unwrap();
    let mut meeting = tallyclerk::Meeting::open(dir.path()).unwrap();
    for serial in [1, 2] {
        let ballot = tallyclerk::model::Ballot {
            serial,
            group: Some("leaders".into()),
            marks: tallyclerk::model::parse_marks("ABCDAB", &meeting.config.scale).unwrap(),
        };
        meeting
            .add(&ballot, tallyclerk::store::Source::Import)
            .unwrap();
    }
    let mut app = app(meeting);
    start_keying(&mut app, "1");
    keys(&mut app, "abcdab");
    key(&mut app, KeyCode::Enter);
    // Not keyed yet: the group is asked for, not taken as none.
    assert!(screen(&app, 80, 24).contains("key the voter group first (g)"));
    keys(&mut app, "g");
    key(&mut app, KeyCode::Enter);
    assert_eq!(state(&app, 1), State::Verified);
    // Form 2: the marks agree, the group does not.
    start_keying(&mut app, "2");
    keys(&mut app, "abcdab");
    keys(&mut app, "gg");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("form 2 DISPUTED: the group differs"),
        "{text}"
    );
    assert!(!text.contains("班子") && !text.contains("干部"), "{text}");
    keys(&mut app, "t");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("key the voter group first (g)"));
    keys(&mut app, "g");
    key(&mut app, KeyCode::Enter);
    assert_eq!(state(&app, 2), State::Resolved);
    let stored = app.meeting().store.ballot(2).unwrap().unwrap();
    assert_eq!(stored.ballot.group.as_deref(), Some("leaders"));
}

#[test]
fn the_lists_follow_a_keying_made_at_another_station() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB", "AAAAAA"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    assert!(screen(&app, 80, 24).contains("Serial:  1      (next unverified)"));
    // Another station verifies form 1.
    let mut other = tallyclerk::Meeting::open(dir.path()).unwrap();
    let reading = tallyclerk::ballot_state::Reading {
        group: None,
        marks: tallyclerk::model::parse_marks("ABCDAB", &other.config.scale).unwrap(),
    };
    other.verify(1, &reading).unwrap();
    app.follow_store();
    let text = screen(&app, 80, 24);
    assert!(text.contains("Serial:  2      (next unverified)"), "{text}");
    assert!(text.contains("verified 1/2"), "{text}");
}
