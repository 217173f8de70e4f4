//! The start screen shown outside a meeting folder: the demo, a meeting folder, or a new
//! meeting from an organization list.

use crate::harness::*;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use tallyclerk::tui::{Chosen, StartOutcome, StartScreen, StartStage};
use tallyclerk::Lang;

fn press(start: &mut StartScreen, code: KeyCode) -> StartOutcome {
    start.update(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn type_text(start: &mut StartScreen, text: &str) {
    for c in text.chars() {
        assert!(matches!(press(start, KeyCode::Char(c)), StartOutcome::Stay));
    }
}

fn text_of(start: &StartScreen, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| start.render(frame)).unwrap();
    let buffer = terminal.backend().buffer().clone();
    (0..height)
        .map(|y| line(&buffer, y))
        .collect::<Vec<_>>()
        .join("\n")
}

fn opened(outcome: StartOutcome) -> Chosen {
    match outcome {
        StartOutcome::Open(chosen) => *chosen,
        StartOutcome::Stay => panic!("still on the start screen"),
        StartOutcome::Quit => panic!("quit"),
    }
}

#[test]
fn the_start_screen_offers_the_demo_a_folder_and_a_new_meeting() {
    let start = StartScreen::new(Lang::En, None);
    let text = text_of(&start, 80, 24);
    assert!(text.contains("No meeting in this folder"), "{text}");
    assert!(text.contains("1  Open the demo"), "{text}");
    assert!(text.contains("2  Open a meeting folder"), "{text}");
    assert!(
        text.contains("3  Create a meeting from an organization list"),
        "{text}"
    );
    let mut start = StartScreen::new(Lang::En, None);
    press(&mut start, KeyCode::Char('L'));
    assert!(text_of(&start, 80, 24).contains("根据组织名单新建会议"));
    assert!(matches!(
        press(&mut start, KeyCode::Char('q')),
        StartOutcome::Quit
    ));
}

#[test]
fn the_demo_is_a_practice_copy_removed_when_it_is_dropped() {
    let mut start = StartScreen::new(Lang::En, None);
    let chosen = opened(press(&mut start, KeyCode::Char('1')));
    let dir = chosen.meeting.config.dir.clone();
    assert!(dir.join("meeting.toml").exists());
    assert!(chosen.practice_copy.is_some());
    drop(chosen);
    assert!(!dir.exists(), "{} left behind", dir.display());
}

#[test]
fn a_meeting_folder_is_opened_by_its_path_and_a_wrong_one_is_refused() {
    let (dir, meeting) = meeting(6, 2, 1, 6);
    drop(meeting);
    let mut start = StartScreen::new(Lang::En, Some("Li".into()));
    press(&mut start, KeyCode::Char('2'));
    type_text(&mut start, "/no/such/folder");
    assert!(matches!(
        press(&mut start, KeyCode::Enter),
        StartOutcome::Stay
    ));
    assert!(matches!(start.stage(), StartStage::Open(_)));
    // Tab completes a path; Backspace edits it.
    for _ in 0.."/no/such/folder".len() {
        press(&mut start, KeyCode::Backspace);
    }
    type_text(&mut start, &dir.path().display().to_string());
    let chosen = opened(press(&mut start, KeyCode::Enter));
    assert_eq!(chosen.meeting.config.dir, dir.path());
    assert_eq!(chosen.meeting.store.clerk(), Some("Li"));
    assert!(chosen.practice_copy.is_none());
}

#[test]
fn a_meeting_is_created_from_a_chinese_list_with_tiers_and_the_first_tiers_limit() {
    let work = tempfile::tempdir().unwrap();
    let list = work.path().join("名单.csv");
    std::fs::write(
        &list,
        "序号,单位名称,类别\n1,长兴村党支部,村\n2,新华村党支部,村\n3,东山社区党支部,社区\n",
    )
    .unwrap();
    let folder = work.path().join("meeting2022");
    let mut start = StartScreen::new(Lang::En, None);
    press(&mut start, KeyCode::Char('3'));
    type_text(&mut start, &list.display().to_string());
    press(&mut start, KeyCode::Enter);
    let text = text_of(&start, 100, 24);
    assert!(text.contains("3 organizations read"), "{text}");
    type_text(&mut start, &folder.display().to_string());
    press(&mut start, KeyCode::Enter);
    type_text(&mut start, "Test meeting");
    press(&mut start, KeyCode::Enter);
    type_text(&mut start, "excellent=1 better=1");
    let text = text_of(&start, 100, 24);
    assert!(
        text.contains("A form giving more than 1 \"Excellent\" (A) will be invalid"),
        "{text}"
    );
    press(&mut start, KeyCode::Enter);
    // Letters are not a number of forms.
    type_text(&mut start, "x12");
    let chosen = opened(press(&mut start, KeyCode::Enter));
    let config = &chosen.meeting.config;
    assert_eq!(config.dir, folder);
    assert_eq!(config.title, "Test meeting");
    assert_eq!(config.organizations.len(), 3);
    assert_eq!(config.organizations[1].name, "新华村党支部");
    let tiers: Vec<(&str, usize)> = config
        .tiers
        .iter()
        .map(|t| (t.name.as_str(), t.quota))
        .collect();
    assert_eq!(tiers, [("excellent", 1), ("better", 1)]);
    // max_marks as `new` sets it: the first (approving) option at the first tier's quota.
    assert_eq!(config.rules.max_marks[0], Some(1));
    assert_eq!(chosen.meeting.store.issued().unwrap(), Some(12));
    // The meeting opens in the start screen's language.
    assert_eq!(
        std::fs::read_to_string(folder.join("ui-language"))
            .unwrap()
            .trim(),
        "en"
    );
}

#[test]
fn a_refused_new_meeting_says_why_and_writes_nothing() {
    let work = tempfile::tempdir().unwrap();
    let list = work.path().join("orgs.csv");
    std::fs::write(&list, "id,name\nO1,One\nO2,Two\n").unwrap();
    let folder = work.path().join("m");
    let mut start = StartScreen::new(Lang::En, None);
    press(&mut start, KeyCode::Char('3'));
    // A list that is not there is said at once, and the form waits on that field.
    type_text(&mut start, "nowhere.csv");
    press(&mut start, KeyCode::Enter);
    assert!(matches!(start.stage(), StartStage::Create { at: 0, .. }));
    for _ in 0.."nowhere.csv".len() {
        press(&mut start, KeyCode::Backspace);
    }
    type_text(&mut start, &list.display().to_string());
    press(&mut start, KeyCode::Enter);
    type_text(&mut start, &folder.display().to_string());
    press(&mut start, KeyCode::Enter);
    press(&mut start, KeyCode::Enter);
    type_text(&mut start, "excellent");
    press(&mut start, KeyCode::Enter);
    assert!(matches!(
        press(&mut start, KeyCode::Enter),
        StartOutcome::Stay
    ));
    let text = text_of(&start, 100, 24);
    assert!(text.contains("is not NAME=QUOTA"), "{text}");
    assert!(!folder.exists());
    // Esc goes back to the menu.
    press(&mut start, KeyCode::Esc);
    assert_eq!(start.stage(), &StartStage::Menu);
}
