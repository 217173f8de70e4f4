//! Typing forms on the Entry tab.

use crate::harness::*;
use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use tallyclerk::model::marks_string;

fn stored_marks(app: &tallyclerk::tui::App, serial: u64) -> Option<String> {
    let stored = app.meeting().store.ballot(serial).unwrap()?;
    Some(marks_string(
        &stored.ballot.marks,
        &app.meeting().config.scale,
    ))
}

#[test]
fn a_full_form_typed_and_saved_is_in_the_store_and_the_live_tally() {
    let (_dir, meeting) = meeting(6, 2, 1, 3);
    let mut app = app(meeting);
    // The serial field suggests 1; Enter accepts it.
    assert!(screen(&app, 80, 24).contains("Serial:  1      (next free)"));
    key(&mut app, KeyCode::Enter);
    // Numbers and option keys in either case, one key per organization.
    keys(&mut app, "12cd0*");
    let text = screen(&app, 80, 24);
    assert!(text.contains("Complete. Enter saves."), "{text}");
    assert!(text.contains("A: 1 / 3 allowed"), "{text}");
    key(&mut app, KeyCode::Enter);

    assert_eq!(stored_marks(&app, 1).as_deref(), Some("ABCD-*"));
    let text = screen(&app, 80, 24);
    assert!(text.contains("saved form 1 (valid)"), "{text}");
    assert!(screen(&app, 160, 24).contains("valid 1 invalid 0 total 1"));
    assert!(screen(&app, 160, 24).contains("saved #1"));
    // The next form opens on its serial field with the next serial.
    assert!(text.contains("Serial:  2      (next free)"), "{text}");
    // The incremental tally equals one recomputed from the store.
    assert_eq!(app.tally(), &app.meeting().results().unwrap().tally);
}

#[test]
fn too_many_excellent_marks_are_flagged_invalid_before_saving() {
    let (_dir, meeting) = meeting(6, 2, 1, 3);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "aaaa");
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("A: 4 / 3 allowed — invalid"), "{text}");
    assert!(text.contains("INVALID: 4 marks A, at most 3"), "{text}");
    // The over-limit count is red: colour carries the meaning here.
    let (x, y) = find(&buffer, "A: 4 / 3").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    // Saved anyway, it is stored and counted as invalid, not silently dropped.
    keys(&mut app, "bb");
    key(&mut app, KeyCode::Enter);
    let stored = app.meeting().store.ballot(1).unwrap().unwrap();
    assert!(!stored.valid);
    let text = screen(&app, 80, 24);
    assert!(screen(&app, 160, 24).contains("valid 0 invalid 1 total 1"));
    assert!(text.contains("saved form 1: INVALID"), "{text}");
}

#[test]
fn the_fill_key_fills_the_remaining_rows_with_one_option() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "2");
    keys(&mut app, "f");
    assert!(screen(&app, 80, 24).contains("Fill: press the option"));
    keys(&mut app, "1");
    assert!(screen(&app, 80, 24).contains("Complete. Enter saves."));
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored_marks(&app, 1).as_deref(), Some("BAAAAA"));
}

#[test]
fn undo_asks_then_withdraws_the_last_form_typed_here_and_offers_its_serial_again() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    // Ballot 1 was not typed at this station in this run (imported, another window): `u`
    // never offers it.
    add_ballots(&mut meeting, &["BBBBBB"]);
    let mut app = app(meeting);
    keys(&mut app, "u");
    assert!(screen(&app, 80, 24).contains("nothing typed here to undo"));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "f1");
    key(&mut app, KeyCode::Enter);
    assert!(stored_marks(&app, 2).is_some());
    // `u` asks first; no keeps the form.
    keys(&mut app, "u");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Withdraw form 2, typed here, as a keying mistake?"),
        "{text}"
    );
    keys(&mut app, "n");
    assert!(stored_marks(&app, 2).is_some());
    keys(&mut app, "u");
    keys(&mut app, "y");
    assert_eq!(stored_marks(&app, 2), None);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("form 2 withdrawn as a keying mistake"),
        "{text}"
    );
    assert!(screen(&app, 160, 24).contains("valid 1 invalid 0 total 1"));
    assert!(text.contains("Serial:  2      (next free)"), "{text}");
    assert_eq!(app.tally(), &app.meeting().results().unwrap().tally);
    // Withdrawn, so not collected; audited with its reason.
    assert_eq!(app.meeting().store.summary().unwrap().collected, 1);
    let log = app.meeting().store.audit_log().unwrap();
    assert!(log
        .iter()
        .any(|(_, action, detail)| action == "withdraw" && detail.contains("keying mistake")));
    // Nothing more typed here: ballot 1 is still not offered.
    keys(&mut app, "u");
    assert!(screen(&app, 80, 24).contains("nothing typed here to undo"));
}

#[test]
fn a_serial_already_entered_is_refused_at_once() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "f1");
    key(&mut app, KeyCode::Enter);
    // Digits replace the suggestion; the duplicate shows while typing.
    keys(&mut app, "1");
    assert!(screen(&app, 80, 24).contains("already entered"));
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("serial 1 is already entered"), "{text}");
    // Still on the serial field: a digit edits it.
    keys(&mut app, "7");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "f2");
    key(&mut app, KeyCode::Enter);
    assert_eq!(stored_marks(&app, 17).as_deref(), Some("BBBBBB"));
}

#[test]
fn enter_on_an_incomplete_form_asks_to_save_the_rest_blank() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "12");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("4 rows are not typed. Save them as blank?"),
        "{text}"
    );
    keys(&mut app, "n");
    assert_eq!(stored_marks(&app, 1), None);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    assert_eq!(stored_marks(&app, 1).as_deref(), Some("AB----"));
}

#[test]
fn backspace_steps_back_and_arrows_move() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "123");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(app.entry().form.cursor, 2);
    assert_eq!(app.entry().form.marks[2], None);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up);
    keys(&mut app, "4");
    assert_eq!(
        app.entry().form.marks[0],
        Some(tallyclerk::model::Mark::Option(3))
    );
    // Backspace on the empty first row returns to the serial field.
    key(&mut app, KeyCode::Home);
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    assert!(!app.entry().on_rows);
}

#[test]
fn a_long_list_scrolls_with_the_cursor_and_marks_the_current_row() {
    let (_dir, meeting) = meeting(30, 11, 5, 11);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, &"3".repeat(25));
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("▶  26 O26"), "{text}");
    assert!(!text.contains("O01 "), "{text}");
    // The current row is reversed, the rest is not.
    let (x, y) = find(&buffer, "O26").unwrap();
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
    let (x, y) = find(&buffer, "O25").unwrap();
    assert!(!buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn quitting_asks_when_a_form_is_half_typed() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "12");
    keys(&mut app, "q");
    assert!(!app.quitting());
    assert!(screen(&app, 80, 24).contains("Quit anyway?"));
    keys(&mut app, "n");
    assert!(!app.quitting());
    // Ctrl-C asks once, the second one quits.
    ctrl(&mut app, 'c');
    assert!(!app.quitting());
    assert!(screen(&app, 80, 24).contains("press Ctrl-C again"));
    ctrl(&mut app, 'c');
    assert!(app.quitting());

    let (_dir2, fresh) = crate::harness::meeting(6, 2, 1, 6);
    let mut app = crate::harness::app(fresh);
    keys(&mut app, "q");
    assert!(app.quitting());
}

#[test]
fn keys_that_mean_nothing_change_nothing_on_any_tab() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABBCC"]);
    let mut app = app(meeting);
    for tab in 0..6 {
        key(&mut app, KeyCode::F(tab + 1));
        let before = screen(&app, 80, 24);
        for code in [
            KeyCode::Char('§'),
            KeyCode::Char('~'),
            KeyCode::Insert,
            KeyCode::F(12),
            KeyCode::Left,
            KeyCode::Right,
        ] {
            key(&mut app, code);
        }
        assert_eq!(screen(&app, 80, 24), before, "tab {tab}");
    }
    assert_eq!(app.meeting().store.summary().unwrap().collected, 1);
}
