//! The Ballots and Import/Export tabs.

use crate::harness::*;
use crossterm::event::KeyCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[test]
fn ballots_are_searched_edited_set_aside_and_withdrawn_with_reasons() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AAAAAA", "BBBBBB", "CCCCCC", "DDDDDD"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(3));
    keys(&mut app, "/2");
    key(&mut app, KeyCode::Enter);
    // Edit ballot 2: first row to D, with a reason.
    keys(&mut app, "ed");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("Change ballot 2: why?"));
    keys(&mut app, "misread row 1");
    key(&mut app, KeyCode::Enter);
    let stored = app.meeting().store.ballot(2).unwrap().unwrap();
    assert_eq!(stored.ballot.marks[0], tallyclerk::model::Mark::Option(3));
    assert!(screen(&app, 80, 24).contains("ballot 2 changed"));
    // Set ballot 3 aside from the list: still collected, no longer counted.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Down);
    keys(&mut app, "x");
    assert!(screen(&app, 80, 24).contains("Set ballot 3 aside (the paper form is void): why?"));
    keys(&mut app, "duplicate form");
    key(&mut app, KeyCode::Enter);
    assert!(app.meeting().store.ballot(3).unwrap().is_none());
    let text = screen(&app, 80, 24);
    assert!(text.contains("ballot 3 set aside"), "{text}");
    assert!(screen(&app, 160, 24).contains("valid 3 invalid 0 total 3"));
    assert!(text.contains("forms 4/40"), "{text}");
    // Withdraw ballot 4 (an imported keying mistake): no longer collected either.
    key(&mut app, KeyCode::End);
    keys(&mut app, "w");
    keys(&mut app, "scanned twice");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("ballot 4 withdrawn"), "{text}");
    assert!(screen(&app, 160, 24).contains("valid 2 invalid 0 total 2"));
    assert!(text.contains("forms 3/40"), "{text}");
    assert_eq!(app.tally(), &app.meeting().results().unwrap().tally);
    let log = app.meeting().store.audit_log().unwrap();
    assert!(log
        .iter()
        .any(|(_, a, d)| a == "edit" && d.contains("misread row 1")));
    assert!(log
        .iter()
        .any(|(_, a, d)| a == "set-aside" && d.contains("duplicate form")));
    assert!(log
        .iter()
        .any(|(_, a, d)| a == "withdraw" && d.contains("scanned twice")));
}

#[test]
fn an_import_is_previewed_with_every_problem_then_confirmed() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let bad = dir.path().join("scan-bad.csv");
    std::fs::write(
        &bad,
        "serial,group,O01,O02,O03,O04,O05,O06\n1,,A,B,X,A,A,A\n2,,A,A,A,A,A,Q\n",
    )
    .unwrap();
    let good = dir.path().join("scan-good.csv");
    std::fs::write(
        &good,
        "serial,group,O01,O02,O03,O04,O05,O06\n1,,A,B,C,D,A,A\n2,,A,A,A,A,A,\n",
    )
    .unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "p");
    // Tab completes the common part of the two names, then one of them.
    keys(&mut app, &format!("{}/scan-", dir.path().display()));
    key(&mut app, KeyCode::Tab);
    let text = screen(&app, 120, 30);
    assert!(text.contains("scan-bad.csv  scan-good.csv"), "{text}");
    keys(&mut app, "b");
    key(&mut app, KeyCode::Tab);
    assert!(app.files().path.ends_with("scan-bad.csv"));
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    let text = screen(&app, 120, 30);
    assert!(text.contains("2 problems, nothing imported"), "{text}");
    assert!(text.contains("value \"X\""), "{text}");
    assert!(text.contains("value \"Q\""), "{text}");

    keys(&mut app, "p");
    for _ in 0.."bad.csv".len() {
        key(&mut app, KeyCode::Backspace);
    }
    keys(&mut app, "good.csv");
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    let text = screen(&app, 120, 30);
    assert!(text.contains("2 forms, 2 valid, 0 invalid"), "{text}");
    assert_eq!(app.meeting().store.summary().unwrap().collected, 0);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    app.wait_for_jobs();
    assert_eq!(app.meeting().store.summary().unwrap().collected, 2);
    let text = screen(&app, 120, 30);
    assert!(text.contains("imported 2 forms"), "{text}");
    assert!(screen(&app, 160, 24).contains("valid 2 invalid 0 total 2"));
}

#[test]
fn exports_write_into_the_meeting_folder_and_show_the_paths() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABBCC"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "rbx");
    let results = dir.path().join("results.csv");
    let ballots = dir.path().join("ballots.csv");
    let workbook = dir.path().join("results.xlsx");
    assert!(results.is_file() && ballots.is_file() && workbook.is_file());
    assert!(std::fs::read(&workbook).unwrap().starts_with(b"PK"));
    let text = screen(&app, 120, 30);
    assert!(
        text.contains(&format!("results CSV: {}", results.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("ballots CSV: {}", ballots.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!("results workbook: {}", workbook.display())),
        "{text}"
    );
    let csv = std::fs::read_to_string(&ballots).unwrap();
    assert!(csv.contains("1,,A,A,B,B,C,C"), "{csv}");

    // The results CSV has its companion, as from the command line, and it checks out.
    let companion = dir.path().join("results.csv.sha256");
    let text = std::fs::read_to_string(&companion).unwrap();
    assert!(text.contains("results.csv"), "{text}");
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "results.csv.sha256"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

#[test]
fn a_results_export_from_the_ui_replaces_an_older_companion() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABBCC"]);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "r");
    let first = std::fs::read_to_string(dir.path().join("results.csv.sha256")).unwrap();
    // Another ballot, another export: the companion names the new ballot set and file.
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "DDDDDD");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "r");
    let second = std::fs::read_to_string(dir.path().join("results.csv.sha256")).unwrap();
    assert_ne!(first, second);
    let check = std::process::Command::new("sha256sum")
        .args(["-c", "results.csv.sha256"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
}

#[test]
fn in_a_void_round_the_ui_asks_before_every_export_as_the_command_line_refuses() {
    // 40 forms issued by the test meeting; 41 collected makes the round void.
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    let forms: Vec<&str> = std::iter::repeat_n("AABBCC", 41).collect();
    add_ballots(&mut meeting, &forms);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "b");
    assert!(
        matches!(app.overlay(), tallyclerk::tui::Overlay::Confirm(_)),
        "the ballots export asks first in a void round"
    );
    keys(&mut app, "n");
    assert!(!dir.path().join("ballots.csv").exists());
    keys(&mut app, "b");
    keys(&mut app, "y");
    assert!(dir.path().join("ballots.csv").is_file());
}

#[test]
fn the_ui_follows_a_change_made_by_another_process() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    assert_eq!(app.counts().collected, 0);
    // Another process (here: another connection) stores two forms.
    let mut other = tallyclerk::Meeting::open(dir.path()).unwrap();
    add_ballots(&mut other, &["AAAAAA", "BBBBBB"]);
    other.set_issued(1).unwrap();
    app.poll_jobs();
    assert_eq!(app.counts().collected, 2);
    assert_eq!(app.tally().ballots, 2);
    assert!(app.counts().void_round());
    let text = screen(&app, 120, 30);
    assert!(text.contains("figures reloaded"), "{text}");
    assert!(text.contains("VOID ROUND"), "{text}");
    assert!(text.contains("Serial:  3"), "{text}");
    // Nothing changed since: no second reload, the message stays the last one.
    app.inform(tallyclerk::error::Text::new("x", "x"));
    app.poll_jobs();
    assert!(screen(&app, 120, 30).contains('x'));
    assert!(!screen(&app, 120, 30).contains("figures reloaded"));
}

/// Waits (a minute at most) until the running import's counter shows `forms`. The importer
/// reports every 10000 forms and not at the end, so a file of 12000 forms leaves the counter
/// at exactly 10000 however fast the machine is.
fn wait_for_forms_read(app: &tallyclerk::tui::App, forms: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    let job = app.files().job.as_ref().expect("an import is running");
    while job.forms.load(Ordering::Relaxed) != forms {
        assert!(
            Instant::now() < deadline,
            "the import never reported {forms} forms read"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The number before `unit` on the import line, e.g. the 5000 of "5000 forms/s".
fn number_before(text: &str, unit: &str) -> u64 {
    let before = &text[..text
        .find(unit)
        .unwrap_or_else(|| panic!("no {unit:?} in {text}"))];
    let digits = before.trim_end().rsplit(' ').next().unwrap();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("{digits:?} before {unit:?}"))
}

#[test]
fn a_running_import_shows_the_forms_read_the_rate_and_the_time_taken() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let big = dir.path().join("big.csv");
    let mut csv = String::from("serial,group,O01,O02,O03,O04,O05,O06\n");
    for serial in 1..=12_000 {
        let marks = ["A,B,C,D,A,B", "B,A,A,C,D,A", "A,A,B,B,C,C"][serial % 3];
        csv.push_str(&format!("{serial},,{marks}\n"));
    }
    std::fs::write(&big, csv).unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "p");
    keys(&mut app, &big.display().to_string());
    key(&mut app, KeyCode::Enter);
    wait_for_forms_read(&app, 10_000);
    // Started two seconds ago as far as the screen knows, so the rate has a known size.
    app.files_mut().job.as_mut().unwrap().started =
        Instant::now().checked_sub(Duration::from_secs(2)).unwrap();
    let text = screen(&app, 160, 30);
    let line = text
        .lines()
        .find(|l| l.contains("(dry run): 10000 forms, "))
        .unwrap_or_else(|| panic!("{text}"));
    // 10000 forms in two seconds and the little more the test took to draw.
    assert!(
        (3_000..=5_000).contains(&number_before(line, " forms/s")),
        "{line}"
    );
    assert!((2..=3).contains(&number_before(line, " s")), "{line}");
    app.set_lang(tallyclerk::Lang::Zh);
    let text = screen(&app, 160, 30);
    assert!(text.contains("（试运行）：10000 份，每秒 "), "{text}");
    assert!(
        text.contains("已用 2 秒") || text.contains("已用 3 秒"),
        "{text}"
    );
    app.set_lang(tallyclerk::Lang::En);
    app.wait_for_jobs();
    assert!(screen(&app, 160, 30).contains("12000 forms"));

    // The import itself counts with a counter of its own, from zero again.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    wait_for_forms_read(&app, 10_000);
    let text = screen(&app, 160, 30);
    assert!(text.contains("big.csv: 10000 forms, "), "{text}");
    assert!(!text.contains("(dry run)"), "{text}");
    app.wait_for_jobs();
    assert!(app.files().job.is_none());
    assert_eq!(app.meeting().store.summary().unwrap().collected, 12_000);
}

#[test]
fn when_idle_the_ui_moves_saved_forms_into_meeting_db_itself() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    // Another connection stays open, as a second window would: SQLite then leaves the
    // forms in the -wal file until someone checkpoints.
    let _other = tallyclerk::Meeting::open(dir.path()).unwrap();
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "AABBCC");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.counts().collected, 1);
    std::thread::sleep(Duration::from_millis(2100));
    app.poll_jobs();
    // meeting.db alone, without its -wal file, now holds the form.
    let copy = dir.path().join("alone.db");
    std::fs::copy(dir.path().join("meeting.db"), &copy).unwrap();
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let ballots: i64 = conn
        .query_row("SELECT COUNT(*) FROM ballots", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ballots, 1);
}

#[test]
fn the_tally_tab_shows_each_voter_groups_counts_in_turn() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("organizations.csv"),
        "id,name\nO1,长兴村党支部\nO2,新华村党支部\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("meeting.toml"),
        r#"title = "t"
language = "en"
groups = [
  { id = "leaders", label = "镇领导班子成员", weight = 1.0 },
  { id = "members", label = "党员代表", weight = 0.5 },
]
tiers = [{ name = "excellent", label = "优秀", quota = 1 }]
"#,
    )
    .unwrap();
    let mut meeting = tallyclerk::Meeting::create_store(dir.path()).unwrap();
    for (serial, group, marks) in [
        (1, "leaders", "AB"),
        (2, "members", "CA"),
        (3, "members", "CA"),
    ] {
        let ballot = tallyclerk::model::Ballot {
            serial,
            group: Some(group.to_string()),
            marks: tallyclerk::model::parse_marks(marks, &meeting.config.scale).unwrap(),
        };
        meeting
            .add(&ballot, tallyclerk::store::Source::Typed)
            .unwrap();
    }
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(4));
    // All forms, weighted: O1 A 1, C 0.5 + 0.5 = 1 -> score (100 + 60) / 2 = 80.
    let text = screen(&app, 100, 20);
    assert!(text.contains("all forms, weighted"), "{text}");
    let row = |text: &str, id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_string();
    assert!(row(&text, "O1").contains("80.00"), "{text}");
    // The leaders alone: O1 A 1 -> 100; O2 B 1 -> 80.
    keys(&mut app, "g");
    let text = screen(&app, 100, 20);
    assert!(
        text.contains("voter group leaders: 镇领导班子成员"),
        "{text}"
    );
    assert!(row(&text, "O1").contains("100.00"), "{text}");
    assert!(row(&text, "O2").contains("80.00"), "{text}");
    // The members alone: O1 C 0.5 + 0.5 -> 60; O2 A -> 100.
    keys(&mut app, "g");
    let text = screen(&app, 100, 20);
    assert!(text.contains("voter group members"), "{text}");
    assert!(row(&text, "O1").contains("60.00"), "{text}");
    assert!(row(&text, "O2").contains("100.00"), "{text}");
    // And back to all forms.
    keys(&mut app, "g");
    assert!(screen(&app, 100, 20).contains("all forms, weighted"));
}

/// Two organizations, leaders (weight 1) and members (weight `members`), rates over
/// `rate_base`, 5 present; forms 1 leaders AB, 2 leaders -B, 3 members CA, 4 members BA.
fn rate_base_meeting(rate_base: &str, members: &str) -> (tempfile::TempDir, tallyclerk::tui::App) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("organizations.csv"),
        "id,name\nO1,长兴村党支部\nO2,新华村党支部\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("meeting.toml"),
        format!(
            "title = \"t\"\nlanguage = \"en\"\ngroups = [{{ id = \"leaders\", weight = 1 }}, {{ id = \"members\", weight = {members} }}]\n[attendance]\nexpected = 6\npresent = 5\n[rules]\nrate_base = \"{rate_base}\"\n"
        ),
    )
    .unwrap();
    let mut meeting = tallyclerk::Meeting::create_store(dir.path()).unwrap();
    for (serial, group, marks) in [
        (1, "leaders", "AB"),
        (2, "leaders", "-B"),
        (3, "members", "CA"),
        (4, "members", "BA"),
    ] {
        let ballot = tallyclerk::model::Ballot {
            serial,
            group: Some(group.to_string()),
            marks: tallyclerk::model::parse_marks(marks, &meeting.config.scale).unwrap(),
        };
        meeting
            .add(&ballot, tallyclerk::store::Source::Typed)
            .unwrap();
    }
    (dir, app(meeting))
}

#[test]
fn the_tally_tabs_rates_follow_the_rate_base_in_every_view() {
    let row = |text: &str, id: &str| text.lines().find(|l| l.contains(id)).unwrap().to_string();
    // Over the valid forms. All forms: O1 has A from a leader (1) of 1 + 1 + 0.5 + 0.5 = 3
    // -> top 33.3%; approval (1 + members' B 0.5) / 3 = 50.0%.
    let (_dir, mut app) = rate_base_meeting("valid_forms", "0.5");
    key(&mut app, KeyCode::F(4));
    let text = screen(&app, 100, 20);
    assert!(
        text.contains("all forms, weighted · rates over the valid forms"),
        "{text}"
    );
    assert!(row(&text, "O1").contains("33.3%  50.0%"), "{text}");
    // The leaders' own: A of their 2 valid forms -> top 50.0%, approval 50.0% (over the
    // marks that rate it would be 100%).
    keys(&mut app, "g");
    let text = screen(&app, 100, 20);
    assert!(
        text.contains("voter group leaders: leaders (g: next group) · rates over the valid forms"),
        "{text}"
    );
    assert!(row(&text, "O1").contains("100.00  50.0%  50.0%"), "{text}");
    // The members' own: C and B (0.5 each) of their 2 forms (0.5 each): top 0.0%, approval
    // 0.5 / 1 = 50.0%.
    keys(&mut app, "g");
    let text = screen(&app, 100, 20);
    assert!(row(&text, "O1").contains("70.00   0.0%  50.0%"), "{text}");
    // Over the people present (every weight 1): all forms, O1 top 1 / 5 = 20.0%, approval
    // 2 / 5 = 40.0%; a group has no rates, the people present not being counted by group.
    let (_dir, mut app) = rate_base_meeting("present", "1");
    key(&mut app, KeyCode::F(4));
    let text = screen(&app, 100, 20);
    assert!(text.contains("rates over the people present"), "{text}");
    assert!(row(&text, "O1").contains("20.0%  40.0%"), "{text}");
    keys(&mut app, "g");
    let text = screen(&app, 100, 20);
    assert!(
        text.contains("(g: next group) · no rates per group over the people present"),
        "{text}"
    );
    assert!(row(&text, "O1").contains("100.00      —      —"), "{text}");
}

#[test]
fn withdrawn_and_set_aside_ballots_stay_listed_marked_and_unchangeable() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AAAAAA", "BBBBBB", "CCCCCC"]);
    meeting.set_aside(2, "torn form").unwrap();
    meeting.withdraw(3, "typed twice").unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(3));
    let text = screen(&app, 100, 24);
    let row = |serial: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(serial))
            .unwrap_or_else(|| panic!("ballot {serial} listed in\n{text}"))
            .to_string()
    };
    assert!(row("1 ").contains("valid"), "{text}");
    assert!(row("2 ").contains("set aside: torn form"), "{text}");
    assert!(row("3 ").contains("withdrawn: typed twice"), "{text}");
    // A set-aside form is kept for the record: no edit, no second removal.
    key(&mut app, KeyCode::Down);
    keys(&mut app, "e");
    assert!(screen(&app, 100, 24).contains("kept for the record"));
    keys(&mut app, "w");
    assert!(!matches!(
        app.overlay(),
        tallyclerk::tui::Overlay::Prompt(_)
    ));
    // A new form under a freed serial is listed beside the withdrawn one; search finds it.
    let mut other = tallyclerk::Meeting::open(dir.path()).unwrap();
    add_ballots_from(&mut other, 3, &["DDDDDD"]);
    app.poll_jobs();
    key(&mut app, KeyCode::F(3));
    keys(&mut app, "/3");
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "e");
    assert!(
        matches!(app.ballots().view, tallyclerk::tui::BallotsView::Edit(_)),
        "the ballot that counts is the one found and edited"
    );
}

/// A file of `forms` forms for the meeting of six organizations, serials from `first`.
fn big_file(dir: &std::path::Path, name: &str, first: u64, forms: u64) -> std::path::PathBuf {
    let path = dir.join(name);
    let mut csv = String::from("serial,group,O01,O02,O03,O04,O05,O06\n");
    for serial in first..first + forms {
        csv.push_str(&format!("{serial},,A,B,C,D,A,B\n"));
    }
    std::fs::write(&path, csv).unwrap();
    path
}

#[test]
fn a_preview_never_blocks_saving_and_esc_cancels_it() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let big = big_file(dir.path(), "big.csv", 1000, 100_000);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "p");
    keys(&mut app, &big.display().to_string());
    key(&mut app, KeyCode::Enter);
    wait_for_forms_read(&app, 10_000);
    // While the preview reads, a form is typed and saved at once.
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "123412");
    let saving = Instant::now();
    key(&mut app, KeyCode::Enter);
    assert!(saving.elapsed() < Duration::from_secs(2));
    assert!(
        app.busy(),
        "the preview was still reading when the form was saved"
    );
    let text = screen(&app, 120, 30);
    assert!(text.contains("saved form 1 (valid)"), "{text}");
    assert_eq!(app.meeting().store.summary().unwrap().collected, 1);
    // Esc on the Import/Export tab cancels the preview.
    key(&mut app, KeyCode::F(6));
    key(&mut app, KeyCode::Esc);
    app.wait_for_jobs();
    let text = screen(&app, 120, 30);
    assert!(
        text.contains("import cancelled: nothing of the file was imported"),
        "{text}"
    );
    assert!(app.files().preview.is_none());

    // The import itself: Esc cancels it too, and nothing of it is stored.
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    assert!(screen(&app, 120, 30).contains("100000 forms"));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    wait_for_forms_read(&app, 10_000);
    // Saving waits for no import: it is refused at once, saying how to cancel.
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "123412");
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 120, 30);
    assert!(text.contains("cancel it with Esc"), "{text}");
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::F(6));
    key(&mut app, KeyCode::Esc);
    app.wait_for_jobs();
    assert_eq!(app.meeting().store.summary().unwrap().collected, 1);
}

#[test]
fn quitting_cancels_a_running_import_without_waiting_for_it() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    let big = big_file(dir.path(), "big.csv", 1, 100_000);
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "p");
    keys(&mut app, &big.display().to_string());
    key(&mut app, KeyCode::Enter);
    wait_for_forms_read(&app, 10_000);
    // A preview changes nothing: q quits at once.
    keys(&mut app, "q");
    assert!(app.quitting());
    let stopping = Instant::now();
    assert!(app.stop_jobs(Duration::from_secs(10)));
    assert!(stopping.elapsed() < Duration::from_secs(5));

    // The UI opened again: the path typed anew, the preview, then the import itself.
    let mut app = crate::harness::app(tallyclerk::Meeting::open(dir.path()).unwrap());
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "p");
    keys(&mut app, &big.display().to_string());
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    wait_for_forms_read(&app, 10_000);
    // An import asks first, and Ctrl-C wants a second press.
    keys(&mut app, "q");
    assert!(!app.quitting());
    let text = screen(&app, 120, 30);
    assert!(text.contains("Quit and cancel it"), "{text}");
    keys(&mut app, "n");
    ctrl(&mut app, 'c');
    assert!(!app.quitting());
    assert!(screen(&app, 120, 30).contains("press Ctrl-C again"));
    ctrl(&mut app, 'c');
    assert!(app.quitting());
    assert!(app.stop_jobs(Duration::from_secs(10)));
    assert_eq!(app.meeting().store.summary().unwrap().collected, 0);
}

#[test]
fn a_scanner_file_that_does_not_match_is_imported_through_the_proposed_map() {
    // OMRChecker's Results.csv (q1..q11, file paths and a score) for a meeting of 11.
    let (dir, meeting) = meeting(11, 2, 1, 11);
    let file = dir.path().join("Results.csv");
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/data/scanners/omrchecker_sample4_Results.csv"
        ),
        &file,
    )
    .unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    let text = screen(&app, 100, 40);
    assert!(
        text.contains("Map: (m: a map file; none: one is proposed"),
        "{text}"
    );
    keys(&mut app, "p");
    keys(&mut app, &file.display().to_string());
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    let text = screen(&app, 100, 40);
    if std::env::var_os("TALLYCLERK_PRINT_SCREENS").is_some() {
        println!(
            "{}",
            text.replace(&dir.path().display().to_string(), "scans")
        );
    }
    // The first problems only, then the proposal and what the file reads with it.
    assert!(text.contains("22 problems, nothing imported"), "{text}");
    assert!(text.contains("... and 17 more problems"), "{text}");
    assert!(!text.contains("column \"q6\""), "{text}");
    assert!(
        text.contains("A map is proposed: Enter saves it as ")
            && text.contains("numbered columns q1..q11 are the 1st..11th organization")
            && text.contains("with it the file reads 3 forms: 3 valid, 0 invalid, 3 spoiled")
            && text.contains("numbered = \"q\""),
        "{text}"
    );
    assert_eq!(app.meeting().store.summary().unwrap().collected, 0);

    // Enter saves the map beside the file and previews the import with it.
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    let map = dir.path().join("Results.csv.map.toml");
    let saved = std::fs::read_to_string(&map).unwrap();
    assert!(saved.contains("ignore = [\"file_id\", \"input_path\", \"output_path\", \"score\"]"));
    assert_eq!(app.files().map, map.display().to_string());
    let text = screen(&app, 100, 40);
    assert!(
        text.contains("3 forms, 3 valid, 0 invalid, 3 spoiled marks"),
        "{text}"
    );

    // Confirmed, the import reads with the map.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "y");
    app.wait_for_jobs();
    assert_eq!(app.meeting().store.summary().unwrap().collected, 3);
    let text = screen(&app, 100, 40);
    assert!(text.contains("imported 3 forms"), "{text}");

    // A map already beside the file is the clerk's: a new proposal does not overwrite it.
    std::fs::write(&map, "# edited by the clerk\nserial = \"auto\"\nnumbered = \"q\"\nignore = [\"file_id\", \"input_path\", \"output_path\", \"score\"]\n").unwrap();
    keys(&mut app, "m");
    for _ in 0..app.files().map.chars().count() {
        key(&mut app, KeyCode::Backspace);
    }
    key(&mut app, KeyCode::Enter);
    app.wait_for_jobs();
    // Without the map the columns do not match; with the proposal only the content
    // imported before is left, and the proposal says so.
    let text = screen(&app, 100, 40);
    assert!(
        text.contains("A map is proposed (not yet enough)"),
        "{text}"
    );
    assert!(
        text.contains("this file content was imported before"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 100, 40);
    assert!(
        text.contains("exists already: kept (it may hold your edits)"),
        "{text}"
    );
    app.wait_for_jobs();
    assert!(std::fs::read_to_string(&map)
        .unwrap()
        .starts_with("# edited by the clerk"));
    assert_eq!(app.files().map, map.display().to_string());
    let text = screen(&app, 100, 40);
    assert!(text.contains("1 problem, nothing imported"), "{text}");
    assert_eq!(app.meeting().store.summary().unwrap().collected, 3);
}

#[test]
fn tab_completes_the_map_field() {
    let (dir, meeting) = meeting(3, 1, 1, 3);
    std::fs::write(dir.path().join("scan.map.toml"), "numbered = \"q\"\n").unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(6));
    keys(&mut app, "m");
    keys(&mut app, &format!("{}/scan.m", dir.path().display()));
    key(&mut app, KeyCode::Tab);
    assert!(
        app.files().map.ends_with("scan.map.toml"),
        "{}",
        app.files().map
    );
    assert!(app.files().path.is_empty());
}
