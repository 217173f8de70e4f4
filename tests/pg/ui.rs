//! A station's UI on a meeting in a database: it follows what the other stations save, lists
//! the stations working, and says when the server cannot be reached.

use crate::contract::{ballot, Place};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tallyclerk::store::Source;
use tallyclerk::tui::{render, App};
use tallyclerk::Lang;

/// The screen's text, row by row.
fn screen(app: &App) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 24)).unwrap();
    terminal.draw(|frame| render(app, frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn message(app: &App) -> String {
    app.message()
        .map(|m| m.text.get(Lang::En).to_string())
        .unwrap_or_default()
}

#[test]
fn a_station_ui_follows_the_others_and_says_when_offline() {
    let place = Place::database();
    let mut west = place.open("west");
    west.store.stations_seen().unwrap();
    let mut east = App::new(place.open("east"), Lang::En).unwrap();
    east.follow_store();
    assert_eq!(east.stations(), ["east", "west"]);
    assert!(
        screen(&east).contains("stations: east, west"),
        "{}",
        screen(&east)
    );

    // West saves a form: east's next poll (the loop polls at least once a second) shows it.
    let form = ballot(&west, 1, "ABC");
    west.add(&form, Source::Typed).unwrap();
    assert_eq!(east.counts().collected, 0);
    east.follow_store();
    assert_eq!(east.counts().collected, 1);
    assert!(
        message(&east).contains("changed elsewhere"),
        "{}",
        message(&east)
    );

    // The server goes away: east says so, and says when it is back.
    place.server().stop();
    east.follow_store();
    assert!(east.offline());
    assert!(screen(&east).contains("OFFLINE"), "{}", screen(&east));
    assert!(
        message(&east).contains("cannot connect to"),
        "{}",
        message(&east)
    );
    // A form typed meanwhile is kept, and saved once the server answers.
    for key in [
        KeyCode::Enter,
        KeyCode::Char('A'),
        KeyCode::Char('B'),
        KeyCode::Char('C'),
    ] {
        east.update(Event::Key(KeyEvent::new(key, KeyModifiers::NONE)));
    }
    east.update(Event::Key(KeyEvent::new(
        KeyCode::Enter,
        KeyModifiers::NONE,
    )));
    assert!(
        message(&east).contains("cannot connect to"),
        "{}",
        message(&east)
    );
    assert!(east.entry().save_waiting);
    place.server().restart();
    east.follow_store();
    assert!(!east.offline());
    assert!(!screen(&east).contains("OFFLINE"));
    assert!(!east.entry().save_waiting);
    assert_eq!(east.counts().collected, 2);
    let stored = west.store.ballot(2).unwrap().expect("the kept form saved");
    assert_eq!(stored.ballot, ballot(&west, 2, "ABC"));
    assert!(west.check().unwrap().is_empty());
}
