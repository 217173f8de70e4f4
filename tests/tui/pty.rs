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
