//! Double entry on the Verify tab.

use crate::harness::*;
use crossterm::event::KeyCode;
use ratatui::style::Color;
use tallyclerk::model::marks_string;

#[test]
fn a_second_entry_that_agrees_marks_the_ballot_verified() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    // The first entry is not shown while keying again.
    let text = screen(&app, 80, 24);
    assert!(!text.contains("B Good"), "{text}");
    keys(&mut app, "abcdab");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("form 1 verified: both entries agree"),
        "{text}"
    );
    assert!(text.contains("verified 1/1"), "{text}");
    let stored = app.meeting.store.ballot(1).unwrap().unwrap();
    assert!(stored.verified_at.is_some());
}

#[test]
fn a_mismatch_is_shown_side_by_side_and_resolved_by_keeping_the_second_entry() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "abcdaa");
    key(&mut app, KeyCode::Enter);

    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("1st entry"), "{text}");
    assert!(text.contains("2nd entry"), "{text}");
    assert!(text.contains("1 rows differ"), "{text}");
    // Only the differing organization is marked, in the mismatch colour.
    let (x, y) = find(&buffer, "O06").unwrap();
    assert!(line(&buffer, y).contains("B Good"));
    assert!(line(&buffer, y).contains("A Excellent"));
    assert!(line(&buffer, y).contains('≠'));
    let (x5, y5) = find(&buffer, "O05").unwrap();
    assert!(!line(&buffer, y5).contains('≠'));
    // The cursor sits on the differing row (reversed); the one above is plain magenta-free.
    assert_ne!(buffer[(x5, y5)].fg, Color::Magenta);
    let _ = x;

    keys(&mut app, "2");
    let stored = app.meeting.store.ballot(1).unwrap().unwrap();
    assert_eq!(
        marks_string(&stored.ballot.marks, &app.meeting.config.scale),
        "ABCDAA"
    );
    assert!(stored.verified_at.is_some());
    let log = app.meeting.store.audit_log().unwrap();
    assert!(log
        .iter()
        .any(|(_, action, detail)| action == "edit" && detail.contains("second entry kept")));
    assert!(log.iter().any(|(_, action, _)| action == "verify"));
    let text = screen(&app, 80, 24);
    assert!(text.contains("verified 1/1"), "{text}");
    // The live tally follows the correction.
    assert_eq!(app.tally, app.meeting.results().unwrap().tally);
}

#[test]
fn a_mismatch_can_keep_the_first_entry_or_be_corrected() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB", "AAAAAA"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "dbcdab");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "1");
    let stored = app.meeting.store.ballot(1).unwrap().unwrap();
    assert_eq!(
        marks_string(&stored.ballot.marks, &app.meeting.config.scale),
        "ABCDAB"
    );
    assert!(stored.verified_at.is_some());

    // Ballot 2: both entries wrong in the first row; the clerk corrects it to C.
    keys(&mut app, "2");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "baaaaa");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "e");
    keys(&mut app, "c");
    key(&mut app, KeyCode::Enter);
    let stored = app.meeting.store.ballot(2).unwrap().unwrap();
    assert_eq!(
        marks_string(&stored.ballot.marks, &app.meeting.config.scale),
        "CAAAAA"
    );
    assert!(stored.verified_at.is_some());
    assert!(screen(&app, 80, 24).contains("verified 2/2"));
}

#[test]
fn verifying_an_unknown_serial_says_so() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    keys(&mut app, "42");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("no ballot with serial 42"));
}
