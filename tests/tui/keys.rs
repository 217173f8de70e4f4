//! Small keys that must not bite: the forms-issued prompt replaces its value, and Esc on a
//! half-typed form asks before discarding it.

use crate::harness::*;
use crossterm::event::KeyCode;
use tallyclerk::tui::{Overlay, Question};

fn issued(app: &tallyclerk::tui::App) -> Option<u64> {
    app.meeting().store.summary().unwrap().issued
}

#[test]
fn the_forms_issued_prompt_starts_selected_so_typing_replaces_it() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    keys(&mut app, "i");
    keys(&mut app, "45");
    key(&mut app, KeyCode::Enter);
    assert_eq!(issued(&app), Some(45));
    // Open again: 45 is shown selected, and 39 typed replaces it (not 4539).
    keys(&mut app, "i");
    let text = screen(&app, 80, 24);
    assert!(text.contains("> 45"), "{text}");
    keys(&mut app, "39");
    key(&mut app, KeyCode::Enter);
    assert_eq!(issued(&app), Some(39));
    // Once typing has begun, keys append; Backspace on the selection erases it whole.
    keys(&mut app, "i");
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "4");
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    assert_eq!(issued(&app), Some(41));
}

#[test]
fn esc_on_a_half_typed_form_asks_before_discarding_it() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "12");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), &Overlay::Confirm(Question::Discard));
    let text = screen(&app, 80, 24);
    assert!(text.contains("Discard them?"), "{text}");
    // No: the form stays as typed, the keyboard on its rows.
    keys(&mut app, "n");
    assert!(app.entry().on_rows);
    assert_eq!(app.entry().form.cursor, 2);
    keys(&mut app, "3");
    // Yes: the rows are discarded and the serial field has the keyboard.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "y");
    assert!(!app.entry().on_rows);
    assert!(!app.entry().form.touched());
    assert!(!app.half_typed());
    // An untouched form is left at once, as before.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), &Overlay::None);
    assert!(!app.entry().on_rows);
    assert_eq!(app.meeting().store.summary().unwrap().collected, 0);
}

#[test]
fn esc_on_a_half_typed_second_keying_or_edit_asks_too() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["ABCDAB"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(2));
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter); // no clerk name
    keys(&mut app, "ab");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), &Overlay::Confirm(Question::Discard));
    keys(&mut app, "n");
    assert!(app.half_typed());
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "y");
    assert!(!app.half_typed());
    assert!(screen(&app, 80, 24).contains("(next unverified)"));

    // An edit in the Ballots tab: a changed mark asks, an unchanged edit leaves at once.
    key(&mut app, KeyCode::F(3));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "e");
    keys(&mut app, "d");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay(), &Overlay::Confirm(Question::Discard));
    keys(&mut app, "y");
    assert!(!app.half_typed());
    assert!(matches!(
        app.ballots().view,
        tallyclerk::tui::BallotsView::Detail { .. }
    ));
}

#[test]
fn the_language_chosen_with_l_is_remembered_in_the_meeting_folder() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    assert_eq!(app.lang(), tallyclerk::Lang::En);
    keys(&mut app, "L");
    assert_eq!(app.lang(), tallyclerk::Lang::Zh);
    let file = dir.path().join("ui-language");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), "zh");
    keys(&mut app, "L");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), "en");
}
