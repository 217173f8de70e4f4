//! Narrow and wide screens: names stay (shortened with "…"), the title is cut only when it
//! must be, and every footer hint is whole with `? help` kept.

use crate::harness::*;
use crossterm::event::KeyCode;

const TITLE: &str = "长兴镇2021年度基层党组织书记抓党建述职评议";

fn status_line(app: &tallyclerk::tui::App, width: u16, height: u16) -> String {
    let buffer = draw(app, width, height);
    line(&buffer, height - 1)
}

fn footer_line(app: &tallyclerk::tui::App, width: u16, height: u16) -> String {
    let buffer = draw(app, width, height);
    line(&buffer, height - 2)
}

#[test]
fn at_60x20_every_tab_keeps_the_organizations_names() {
    let (_dir, mut meeting) = meeting(30, 11, 5, 11);
    add_ballots(&mut meeting, &["AAAAAAAAAABBBBBBBBBBCCCCCCCCCC"]);
    let mut app = app(meeting);
    // Entry, Tally, Ranking: the first organizations' names, whole or shortened.
    let text = screen(&app, 60, 20);
    assert!(text.contains("长兴村党支部"), "{text}");
    key(&mut app, KeyCode::F(4));
    let text = screen(&app, 60, 20);
    assert!(text.contains("长兴村党支部"), "{text}");
    key(&mut app, KeyCode::F(5));
    let text = screen(&app, 60, 20);
    assert!(text.contains("新华村党支部"), "{text}");
    // A long name is shortened with "…", not dropped.
    for _ in 0..24 {
        key(&mut app, KeyCode::Down);
    }
    let text = screen(&app, 60, 20);
    assert!(text.contains("…"), "{text}");
}

/// The line of the screen that holds the tab bar.
fn tab_bar(app: &tallyclerk::tui::App, width: u16, height: u16) -> String {
    let text = screen(app, width, height);
    text.lines()
        .find(|line| line.contains("F1"))
        .unwrap_or_else(|| panic!("no tab bar at {width} columns:\n{text}"))
        .to_string()
}

#[test]
fn every_tab_is_on_the_tab_bar_at_80_and_at_60_columns() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    let titles = [
        "F1 Entry",
        "F2 Verify",
        "F3 Ballots",
        "F4 Tally",
        "F5 Ranking",
        "F6 Import/Export",
    ];
    // 80 columns: every title whole.
    let bar = tab_bar(&app, 80, 24);
    for title in titles {
        assert!(bar.contains(title), "{title} at 80 columns: {bar}");
    }
    // 60 columns: every tab's key, and the tab shown with its name, whichever it is.
    for (i, title) in titles.iter().enumerate() {
        key(&mut app, KeyCode::F(i as u8 + 1));
        let bar = tab_bar(&app, 60, 20);
        assert!(bar.contains(title), "{title} at 60 columns: {bar}");
        for n in 1..=6 {
            assert!(bar.contains(&format!("F{n}")), "F{n} at 60 columns: {bar}");
        }
    }
}

#[test]
fn the_title_is_whole_when_it_can_be_and_shortened_with_an_ellipsis_when_not() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let app = app(meeting);
    // Wide: the whole title and the counts in words.
    let wide = status_line(&app, 160, 24);
    assert!(wide.contains(TITLE), "{wide}");
    assert!(wide.contains("valid 0 invalid 0 total 0"), "{wide}");
    // 80 columns: the whole title, the counts said short.
    let normal = status_line(&app, 80, 24);
    assert!(normal.contains(TITLE), "{normal}");
    assert!(normal.contains("valid 0/0"), "{normal}");
    assert!(normal.contains("forms 0/40"), "{normal}");
    // 60 columns: the title shortened with "…", its start kept.
    let narrow = status_line(&app, 60, 20);
    assert!(!narrow.contains(TITLE), "{narrow}");
    assert!(narrow.contains("长兴镇2021年度"), "{narrow}");
    assert!(narrow.contains('…'), "{narrow}");
    assert!(narrow.contains("valid 0/0"), "{narrow}");
}

#[test]
fn footer_hints_are_whole_and_keep_help_at_80_and_60_columns() {
    let (_dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABBCC"]);
    let mut app = app(meeting);
    for tab in 1..=6 {
        key(&mut app, KeyCode::F(tab));
        for (width, height) in [(80, 24), (60, 20)] {
            let footer = footer_line(&app, width, height);
            assert!(footer.contains("? help"), "F{tab} at {width}: {footer}");
            // Every hint shown is one the full-width footer shows too: none is cut.
            let full = footer_line(&app, 250, 24);
            for hint in footer.split("  ").filter(|h| !h.trim().is_empty()) {
                assert!(
                    full.contains(hint.trim()),
                    "F{tab} at {width}: {hint:?} cut"
                );
            }
        }
    }
}
