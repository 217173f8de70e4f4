//! Typing forms on the Entry tab.

use crate::harness::*;
use crossterm::event::KeyCode;

#[test]
fn smoke_prints_screen() {
    let (_dir, meeting) = meeting(6, 2, 1, 3);
    let mut app = app(meeting);
    println!("{}", screen(&app, 80, 24));
    keys(&mut app, "\n");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "12ab");
    println!("{}", screen(&app, 80, 24));
}
