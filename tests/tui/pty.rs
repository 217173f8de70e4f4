//! The real binary in a pseudo-terminal: two forms typed, quit, and both found by
//! `tallyclerk tally`.

use expectrl::{Eof, Expect, Session};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tallyclerk");

#[test]
fn two_forms_typed_in_the_real_terminal_ui_are_in_the_store() {
    let (dir, meeting) = crate::harness::meeting(6, 2, 1, 6);
    drop(meeting);
    let mut command = Command::new(BIN);
    command
        .arg("open")
        .arg(dir.path())
        .env("TERM", "xterm-256color");
    let mut session = Session::spawn(command).expect("spawn in a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(80, 24)
        .expect("window size");
    session.set_expect_timeout(Some(std::time::Duration::from_secs(20)));
    // The first frame is up once the serial field is drawn: raw mode is on.
    session.expect("(next free)").expect("the entry tab");

    // Form 1: serial 1 accepted, six rows by number and by key.
    session.send("\r12cd0a\r").unwrap();
    session.expect("saved form 1").expect("form 1 saved");
    // Form 2: serial 2 accepted, every row B by the fill key; then quit.
    session.send("\rfb\r").unwrap();
    session.send("q").unwrap();
    let rest = session.expect(Eof).expect("the UI ends");
    // The terminal is given back: the alternate screen is left and the cursor shown.
    let rest = String::from_utf8_lossy(&rest[0]).into_owned();
    assert!(rest.contains("\x1b[?1049l"), "alternate screen left");
    assert!(rest.contains("\x1b[?25h"), "cursor shown");
    let status = session.get_process().wait().expect("exit status");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );

    let output = Command::new(BIN)
        .args(["tally", "--format", "csv", "--lang", "en"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let csv = String::from_utf8(output.stdout).unwrap();
    // O01: A then B; O05: blank then B; O03: C then B.
    let row = |id: &str| {
        csv.lines()
            .find(|l| l.contains(&format!(",{id},")))
            .unwrap_or_else(|| panic!("{id} in {csv}"))
            .to_string()
    };
    assert!(row("O01").contains(",90.00,2,1,1,0,0,0,"), "{csv}");
    assert!(row("O03").contains(",70.00,2,0,1,1,0,0,"), "{csv}");
    assert!(row("O05").contains(",80.00,1,0,1,0,0,1,"), "{csv}");
}

/// Reads what the UI drew into a terminal emulator until its screen shows `text` or `limit`
/// has passed; the UI draws only the cells that changed, so the stream itself need not hold
/// `text` in one piece.
fn wait_for_screen(
    session: &mut expectrl::session::OsSession,
    screen: &mut vt100::Parser,
    text: &str,
    limit: std::time::Duration,
) -> bool {
    let deadline = std::time::Instant::now() + limit;
    let mut buf = [0u8; 4096];
    loop {
        if screen.screen().contents().contains(text) {
            return true;
        }
        if std::time::Instant::now() > deadline {
            return false;
        }
        match session.try_read(&mut buf) {
            Ok(0) => return screen.screen().contents().contains(text),
            Ok(n) => screen.process(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(std::time::Duration::from_millis(20))
            }
            Err(e) => panic!("reading the terminal: {e}"),
        }
    }
}

/// Starts `command` in a pseudo-terminal of 100x30, with a terminal emulator of that size to
/// read its screen through ([`wait_for_screen`]).
fn spawn_100x30(command: Command) -> (expectrl::session::OsSession, vt100::Parser) {
    let mut session = Session::spawn(command).expect("spawn in a pseudo-terminal");
    session
        .get_process_mut()
        .set_window_size(100, 30)
        .expect("window size");
    (session, vt100::Parser::new(30, 100, 0))
}

#[test]
fn an_import_from_another_terminal_shows_in_the_open_ui_within_a_second() {
    let (dir, meeting) = crate::harness::meeting(6, 2, 1, 6);
    drop(meeting);
    let mut command = Command::new(BIN);
    command
        .arg("open")
        .arg(dir.path())
        .env("TERM", "xterm-256color");
    let (mut session, mut screen) = spawn_100x30(command);
    let long = std::time::Duration::from_secs(20);
    assert!(
        wait_for_screen(&mut session, &mut screen, "valid 0/0", long),
        "first frame:\n{}",
        screen.screen().contents()
    );

    let file = dir.path().join("scanned.csv");
    std::fs::write(
        &file,
        "serial,O01,O02,O03,O04,O05,O06\n7,A,B,C,D,A,B\n8,A,A,A,A,A,A\n9,B,B,B,B,B,B\n",
    )
    .unwrap();
    let import = Command::new(BIN)
        .args(["import", "--lang", "en"])
        .arg(dir.path())
        .arg(&file)
        .output()
        .unwrap();
    assert!(import.status.success(), "{import:?}");

    // The UI looks at the store twice a second: within a second, plus slack for a loaded
    // machine, the status bar (short, beside the whole title) has the imported forms and
    // the message line says why.
    let soon = std::time::Duration::from_millis(2500);
    assert!(
        wait_for_screen(&mut session, &mut screen, "valid 3/3", soon),
        "after the import:\n{}",
        screen.screen().contents()
    );
    assert!(
        screen.screen().contents().contains("figures reloaded"),
        "{}",
        screen.screen().contents()
    );
    // The next free serial follows the imported ones.
    assert!(
        wait_for_screen(&mut session, &mut screen, "10", long),
        "{}",
        screen.screen().contents()
    );
    session.send("q").unwrap();
    session.set_expect_timeout(Some(long));
    session.expect(Eof).expect("the UI ends");
}

#[test]
fn outside_a_meeting_the_start_screen_opens_the_demo_and_leaves_no_folder_behind() {
    let cwd = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut command = Command::new(BIN);
    command
        .current_dir(cwd.path())
        .env("TMPDIR", tmp.path())
        .env("TERM", "xterm-256color")
        .args(["--lang", "en"]);
    let (mut session, mut screen) = spawn_100x30(command);
    let long = std::time::Duration::from_secs(20);
    assert!(
        wait_for_screen(&mut session, &mut screen, "Open the demo", long),
        "start screen:\n{}",
        screen.screen().contents()
    );
    session.send("1").unwrap();
    assert!(
        wait_for_screen(&mut session, &mut screen, "[DEMO COPY]", long),
        "demo:\n{}",
        screen.screen().contents()
    );
    let copies = || {
        std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with("tallyclerk-demo-")
            })
            .count()
    };
    assert_eq!(copies(), 1, "the practice copy is in the temporary folder");
    session.send("q").unwrap();
    session.set_expect_timeout(Some(long));
    session.expect(Eof).expect("the UI ends");
    let status = session.get_process().wait().expect("exit status");
    assert!(
        matches!(status, expectrl::process::unix::WaitStatus::Exited(_, 0)),
        "{status:?}"
    );
    assert_eq!(copies(), 0, "the practice copy is removed on quitting");
    // Nothing was written where the UI was started.
    assert_eq!(std::fs::read_dir(cwd.path()).unwrap().count(), 0);
}

#[test]
fn a_ballots_time_is_shown_in_local_time() {
    let (dir, mut meeting) = crate::harness::meeting(6, 2, 1, 6);
    crate::harness::add_ballots(&mut meeting, &["ABCDAB"]);
    let created = meeting.store.ballot(1).unwrap().unwrap().created_at;
    drop(meeting);
    assert!(created.ends_with('Z'), "stored in UTC: {created}");
    // Eight hours east of UTC, as a POSIX zone (no zone files needed).
    let expected: String = rusqlite::Connection::open_in_memory()
        .unwrap()
        .query_row(
            "SELECT strftime('%Y-%m-%d %H:%M:%S', ?1, '+8 hours')",
            [&created],
            |row| row.get(0),
        )
        .unwrap();
    let mut command = Command::new(BIN);
    command
        .arg("open")
        .arg(dir.path())
        .env("TZ", "CST-8")
        .env("TERM", "xterm-256color");
    let (mut session, mut screen) = spawn_100x30(command);
    let long = std::time::Duration::from_secs(20);
    assert!(wait_for_screen(
        &mut session,
        &mut screen,
        "(next free)",
        long
    ));
    // The Ballots tab, the first ballot opened.
    session.send("\x1bOR").unwrap();
    assert!(wait_for_screen(&mut session, &mut screen, "Verified", long));
    session.send("\r").unwrap();
    assert!(
        wait_for_screen(&mut session, &mut screen, &expected, long),
        "{expected} on:\n{}",
        screen.screen().contents()
    );
    session.send("q").unwrap();
    session.set_expect_timeout(Some(long));
    session.expect(Eof).expect("the UI ends");
}

#[test]
fn a_form_added_from_another_terminal_shows_in_the_projector_view_within_a_second() {
    // Six organizations, excellent 2 and better 1; one form: O01 and O02 share rank 1.
    let (dir, mut meeting) = crate::harness::meeting(6, 2, 1, 6);
    crate::harness::add_ballots(&mut meeting, &["AABCDD"]);
    drop(meeting);
    let mut command = Command::new(BIN);
    command
        .arg("announce")
        .arg(dir.path())
        .env("TERM", "xterm-256color");
    let (mut session, mut screen) = spawn_100x30(command);
    let long = std::time::Duration::from_secs(20);
    assert!(
        wait_for_screen(&mut session, &mut screen, "PROVISIONAL", long),
        "first frame:\n{}",
        screen.screen().contents()
    );
    // Both tiers revealed.
    session.send("  ").unwrap();
    assert!(
        wait_for_screen(&mut session, &mut screen, "better · 1", long),
        "{}",
        screen.screen().contents()
    );
    assert!(!screen.screen().contents().contains("to be decided"));

    // Another terminal adds form 2: O02 100, O01 and O03 90 each, tied at the excellent
    // cutoff.
    let add = Command::new(BIN)
        .args(["add", "--lang", "en"])
        .arg(dir.path())
        .args(["2", "BAACDD"])
        .output()
        .unwrap();
    assert!(add.status.success(), "{add:?}");

    // The view looks at the store twice a second: within a second, plus slack for a loaded
    // machine, the tie is on the screen, and the view is still the projector view.
    let soon = std::time::Duration::from_millis(2500);
    assert!(
        wait_for_screen(&mut session, &mut screen, "to be decided", soon),
        "after the form was added:\n{}",
        screen.screen().contents()
    );
    let contents = screen.screen().contents();
    assert!(contents.contains("PROVISIONAL"), "{contents}");
    assert!(!contents.contains("Serial"), "{contents}");
    session.send("q").unwrap();
    session.set_expect_timeout(Some(long));
    session.expect(Eof).expect("the UI ends");
}
