//! Reviewing the record on the Ballots tab: a ballot's history, the audit log, and the list
//! read a page at a time over a meeting of thousands of forms.

use crate::harness::*;
use crossterm::event::KeyCode;
use tallyclerk::ballot_state::Reading;
use tallyclerk::model::{parse_marks, Ballot};
use tallyclerk::store::Source;
use tallyclerk::tui::{App, Tab};
use tallyclerk::{Lang, Meeting};

/// The screen with every local time (`YYYY-MM-DD hh:mm:ss`) masked, as times change with
/// each run.
fn masked(app: &App, width: u16, height: u16) -> String {
    let text = screen(app, width, height);
    let chars: Vec<char> = text.chars().collect();
    let shape = "dddd-dd-dd dd:dd:dd";
    let fits = |at: usize| {
        shape
            .chars()
            .enumerate()
            .all(|(i, s)| match (s, chars.get(at + i)) {
                ('d', Some(c)) => c.is_ascii_digit(),
                (s, Some(c)) => s == *c,
                _ => false,
            })
    };
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if fits(i) {
            out.push_str("YYYY-MM-DD hh:mm:ss");
            i += shape.len();
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// Marks of 30 organizations: `a` A's, then B's.
fn marks(meeting: &Meeting, a: usize) -> Vec<tallyclerk::model::Mark> {
    let text: String = (0..30).map(|i| if i < a { 'A' } else { 'B' }).collect();
    parse_marks(&text, &meeting.config.scale).unwrap()
}

/// A meeting whose ballot 2 was typed by Li, edited by Wang, keyed again by Zhao (a
/// dispute) and settled by a further reading by Li; ballot 3 was set aside.
fn reviewed_meeting() -> (tempfile::TempDir, App) {
    let (dir, mut meeting) = meeting(30, 11, 5, 11);
    meeting.set_clerk(Some("Li"));
    for serial in 1..=3 {
        let ballot = Ballot {
            serial,
            group: None,
            marks: marks(&meeting, 3),
        };
        meeting.add(&ballot, Source::Typed).unwrap();
    }
    meeting.set_clerk(Some("Wang"));
    meeting
        .edit(2, &marks(&meeting, 5), None, "row 4 misread")
        .unwrap();
    meeting.set_clerk(Some("Zhao"));
    let second = Reading {
        group: None,
        marks: marks(&meeting, 6),
    };
    meeting.second_keying(2, &second).unwrap();
    meeting.set_clerk(Some("Li"));
    meeting.verify(2, &second).unwrap();
    meeting.set_aside(3, "torn in two").unwrap();
    (dir, App::new(meeting, Lang::En).unwrap())
}

#[test]
fn enter_on_an_open_ballot_shows_every_version_with_reason_source_time_and_clerk() {
    let (_dir, mut app) = reviewed_meeting();
    app.go_tab(Tab::Ballots);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    let text = masked(&app, 80, 24);
    insta::assert_snapshot!("ballot_history_80x24", text);
    assert!(text.contains("v1 typed  clerk Li"), "{text}");
    assert!(text.contains("v2 edited  clerk Wang"), "{text}");
    assert!(text.contains("reason: row 4 misread"), "{text}");
    assert!(text.contains("second keying  clerk Zhao"), "{text}");
    assert!(text.contains("v3 settled by reading 3  clerk Li"), "{text}");
    // Esc goes back to the list.
    key(&mut app, KeyCode::Esc);
    assert!(screen(&app, 80, 24).contains("Serial"));
}

#[test]
fn a_set_aside_ballot_shows_its_taking_out_in_chinese_too() {
    let (_dir, mut app) = reviewed_meeting();
    app.go_tab(Tab::Ballots);
    key(&mut app, KeyCode::End);
    keys(&mut app, "h");
    let text = masked(&app, 80, 24);
    assert!(text.contains("set aside"), "{text}");
    assert!(text.contains("reason: torn in two"), "{text}");
    keys(&mut app, "L");
    let text = masked(&app, 80, 24);
    assert!(text.contains("评议表 3 的修改记录"), "{text}");
    assert!(text.contains("作废搁置"), "{text}");
    assert!(text.contains("原因：torn in two"), "{text}");
}

#[test]
fn the_audit_log_lists_every_entry_filtered_by_action_and_serial_with_the_check() {
    let (_dir, mut app) = reviewed_meeting();
    app.go_tab(Tab::Ballots);
    keys(&mut app, "l");
    let text = masked(&app, 100, 24);
    insta::assert_snapshot!("audit_log_100x24", text);
    assert!(text.contains("the store and its chain are sound"), "{text}");
    assert!(text.contains("Wang"), "{text}");
    // By serial: only the entries about ballot 2.
    keys(&mut app, "/2");
    key(&mut app, KeyCode::Enter);
    let text = masked(&app, 100, 24);
    assert!(text.contains("serial: 2"), "{text}");
    assert!(
        text.contains("Wang     edit      serial 2 group -"),
        "{text}"
    );
    assert!(!text.contains("serial 1 "), "{text}");
    assert!(!text.contains("serial 3 "), "{text}");
    // By action too: the first action is the meeting's creation, then add ...
    let mut seen = Vec::new();
    for _ in 0..12 {
        keys(&mut app, "a");
        let shown = masked(&app, 100, 24);
        let line = shown
            .lines()
            .find(|l| l.contains("action: "))
            .unwrap()
            .to_string();
        seen.push(line);
    }
    assert!(seen.iter().any(|l| l.contains("action: edit")), "{seen:?}");
    assert!(seen.iter().any(|l| l.contains("action: all")), "{seen:?}");
    // Empty serial: every serial again.
    keys(&mut app, "/");
    key(&mut app, KeyCode::Enter);
    assert!(masked(&app, 100, 24).contains("serial: all"));
    key(&mut app, KeyCode::Esc);
    assert!(screen(&app, 80, 24).contains("Validity"));
}

#[test]
fn the_audit_log_shows_the_problems_check_finds() {
    let (dir, app) = reviewed_meeting();
    drop(app);
    // Written outside tallyclerk: the ballots no longer match the chain.
    let conn = rusqlite::Connection::open(dir.path().join("meeting.db")).unwrap();
    conn.execute(
        "UPDATE ballots SET marks = replace(marks, 'B', 'C') WHERE serial = 1",
        [],
    )
    .unwrap();
    drop(conn);
    let mut app = App::new(Meeting::open(dir.path()).unwrap(), Lang::En).unwrap();
    app.go_tab(Tab::Ballots);
    keys(&mut app, "l");
    let text = masked(&app, 100, 24);
    assert!(text.contains("check found"), "{text}");
    assert!(text.contains("changed outside tallyclerk"), "{text}");
}

/// A meeting of `forms` generated forms, imported.
fn imported(forms: u64) -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let ballots = tallyclerk::generate::write_meeting(
        dir.path(),
        tallyclerk::generate::Spec {
            forms,
            orgs: 30,
            seed: 3,
            shuffled: false,
        },
    )
    .unwrap();
    let mut meeting = Meeting::create_store(dir.path()).unwrap();
    tallyclerk::import::import_file(&mut meeting, &ballots, Default::default()).unwrap();
    (dir, App::new(meeting, Lang::En).unwrap())
}

fn current_serial(app: &App) -> u64 {
    app.ballots().current().unwrap().ballot.serial
}

#[test]
fn the_list_reads_pages_around_the_cursor_and_finds_any_serial() {
    let (_dir, mut app) = imported(3000);
    app.go_tab(Tab::Ballots);
    let read = app.ballots().list.rows.len();
    assert!(read < 3000 / 10, "the first page read {read} rows");
    key(&mut app, KeyCode::End);
    assert_eq!(current_serial(&app), 3000);
    assert!(screen(&app, 80, 24).contains("3000"));
    keys(&mut app, "/1500");
    key(&mut app, KeyCode::Enter);
    assert_eq!(current_serial(&app), 1500);
    for _ in 0..100 {
        key(&mut app, KeyCode::PageDown);
    }
    assert_eq!(current_serial(&app), 2500);
    for _ in 0..2600 {
        key(&mut app, KeyCode::Up);
    }
    assert_eq!(current_serial(&app), 1);
    assert!(app.ballots().list.rows.len() < 1000);
    key(&mut app, KeyCode::Home);
    assert_eq!(current_serial(&app), 1);
    keys(&mut app, "/9999");
    key(&mut app, KeyCode::Enter);
    assert!(
        screen(&app, 80, 24).contains("9999"),
        "no such serial is said"
    );
}

#[test]
fn after_a_change_the_page_is_read_again_around_the_cursor() {
    let (_dir, mut app) = imported(2000);
    app.go_tab(Tab::Ballots);
    keys(&mut app, "/1200");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "w");
    keys(&mut app, "keyed twice");
    key(&mut app, KeyCode::Enter);
    assert_eq!(current_serial(&app), 1200);
    let text = screen(&app, 80, 24);
    assert!(text.contains("withdrawn"), "{text}");
    // Another station stores a ballot under the serial withdrawn: it follows, in order.
    let mut other = Meeting::open(app.meeting().config.dir.as_path()).unwrap();
    let ballot = Ballot {
        serial: 1200,
        group: None,
        marks: marks(&other, 2),
    };
    other.add(&ballot, Source::Typed).unwrap();
    app.follow_store();
    key(&mut app, KeyCode::Down);
    assert_eq!(current_serial(&app), 1200);
    assert!(app.ballots().current().unwrap().id > 2000);
}
