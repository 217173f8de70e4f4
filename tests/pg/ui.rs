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

fn press(app: &mut App, key: KeyCode) {
    app.update(Event::Key(KeyEvent::new(key, KeyModifiers::NONE)));
}

/// An import from the Import/Export tab, which runs on a connection of its own, keeps the
/// station of the UI with its ballots and in the audit log, as a form typed there does.
#[test]
fn an_import_from_the_ui_records_the_station() {
    let place = Place::database();
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("scans.csv");
    std::fs::write(&file, "serial,O1,O2,O3\n1,A,B,C\n2,C,B,A\n").unwrap();
    let mut east = App::new(place.open("east"), Lang::En).unwrap();
    press(&mut east, KeyCode::F(6));
    press(&mut east, KeyCode::Char('p'));
    for c in file.display().to_string().chars() {
        press(&mut east, KeyCode::Char(c));
    }
    // Enter previews (a dry run), Enter and y import.
    press(&mut east, KeyCode::Enter);
    east.wait_for_jobs();
    press(&mut east, KeyCode::Enter);
    press(&mut east, KeyCode::Char('y'));
    east.wait_for_jobs();
    let west = place.open("west");
    assert_eq!(
        west.results().unwrap().summary.collected,
        2,
        "{}",
        screen(&east)
    );
    let log = west.store.audit_log().unwrap();
    let (_, action, detail) = log.last().unwrap();
    assert_eq!(action, "import");
    assert!(detail.ends_with("clerk east"), "{detail}");
    let key = west.find_serial(2).unwrap().unwrap();
    let history = west.ballot_history(key.id).unwrap();
    assert_eq!(history[0].clerk.as_deref(), Some("east"), "{history:?}");
}

#[test]
fn the_real_ui_opened_on_a_database_asks_the_station_and_saves_a_typed_form_there() {
    use expectrl::Expect;
    let place = Place::database();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_tallyclerk"));
    command
        .args(["--lang", "en", "open"])
        .arg(place.location())
        .env("TERM", "xterm-256color")
        .env_remove("TALLYCLERK_DB");
    let mut session = expectrl::Session::spawn(command).expect("spawn in a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(100, 30)
        .expect("window size");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(30)));
    // Asked once, before the screen: the station's name.
    session
        .expect("This station's name")
        .expect("the station is asked its name");
    session.send("north\r").unwrap();
    session.expect("(next free)").expect("the entry tab");
    // Form 1 (the next free serial), its three organizations by key; then quit.
    session.send("\rabc\r").unwrap();
    session.expect("saved form 1").expect("form 1 saved");
    session.send("q").unwrap();
    session.expect(expectrl::Eof).expect("the UI ends");
    let status = session.get_process().wait().expect("exit status");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    // The form is in the database, keyed by the station named.
    let meeting = place.open("south");
    let stored = meeting
        .store
        .ballot(1)
        .unwrap()
        .expect("form 1 in the database");
    assert_eq!(stored.ballot.marks, ballot(&meeting, 1, "ABC").marks);
    let log = crate::tallyclerk()
        .arg("log")
        .arg(place.location())
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&log.stdout).into_owned();
    assert!(
        log.lines()
            .any(|l| l.contains("serial 1") && l.contains("north")),
        "{log}"
    );
}
