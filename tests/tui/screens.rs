//! Whole screens: the help overlay, both languages, and an 80x24 snapshot of every tab.

use crate::harness::*;
use crossterm::event::KeyCode;
use tallyclerk::tui::App;
use tallyclerk::Lang;

/// A 30-organization meeting (tiers 11 and 5, at most 11 好) with a dozen valid ballots,
/// one invalid, nine organizations sharing rank 1 and a tie across the first cutoff
/// (places 11 and 12).
fn full_meeting() -> (tempfile::TempDir, App) {
    let (dir, mut meeting) = meeting(30, 11, 5, 11);
    let mut forms: Vec<String> = Vec::new();
    for i in 0..12 {
        // Organizations 1-9 mostly A, then B/C/D bands; ballot i varies a little.
        let form: String = (0..30)
            .map(|o| match (o, i % 3) {
                (0..=8, _) => 'A',
                (9, 0) => 'B',
                (9, _) => 'A',
                (10 | 11, 0) => 'A',
                (10 | 11, _) => 'B',
                (12..=15, _) => 'B',
                (16..=24, 0) => 'C',
                (16..=24, _) => 'B',
                (25, _) => '-',
                _ => 'D',
            })
            .collect();
        forms.push(form);
    }
    // One form with too many A: invalid, kept and listed.
    forms.push("A".repeat(30));
    let refs: Vec<&str> = forms.iter().map(String::as_str).collect();
    add_ballots(&mut meeting, &refs);
    (dir, App::new(meeting, Lang::En).unwrap())
}

#[test]
fn help_lists_every_key_of_the_current_tab_and_closes() {
    let (_dir, mut app) = full_meeting();
    keys(&mut app, "?");
    let text = screen(&app, 80, 24);
    assert!(text.contains("Keys: Entry"), "{text}");
    for expected in [
        "fill the rest",
        "n-th option",
        "A/B/C/D",
        "0 Space",
        "undo last typed here",
        "中文 / English",
        "F1-F6",
    ] {
        assert!(text.contains(expected), "{expected}\n{text}");
    }
    insta::assert_snapshot!("help_entry_80x24", text);
    keys(&mut app, "?");
    assert!(!screen(&app, 80, 24).contains("Keys: Entry"));

    key(&mut app, KeyCode::F(5));
    keys(&mut app, "?");
    let text = screen(&app, 80, 24);
    assert!(text.contains("decide tie at cutoff"), "{text}");
    assert!(text.contains("finalise"), "{text}");
    key(&mut app, KeyCode::Esc);
    assert!(!screen(&app, 80, 24).contains("Keys: Ranking"));
}

#[test]
fn l_switches_every_text_between_english_and_chinese() {
    let (_dir, mut app) = full_meeting();
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "f2");
    key(&mut app, KeyCode::Enter);
    let english = screen(&app, 80, 24);
    assert!(english.contains("F1 Entry"), "{english}");
    assert!(english.contains("saved form 14"), "{english}");
    keys(&mut app, "L");
    let chinese = screen(&app, 80, 24);
    assert!(chinese.contains("F1 录入"), "{chinese}");
    assert!(chinese.contains("表格 14 已保存（有效）"), "{chinese}");
    assert!(chinese.contains("中文"), "{chinese}");
    assert!(!chinese.contains("Entry"), "{chinese}");
    insta::assert_snapshot!("entry_zh_80x24", chinese);
    // The Tally tab names options by their labels and the top rate as a tally sheet does.
    key(&mut app, KeyCode::F(4));
    insta::assert_snapshot!("tally_zh_80x24", screen(&app, 80, 24));
    key(&mut app, KeyCode::F(5));
    insta::assert_snapshot!("ranking_zh_80x24", screen(&app, 80, 24));
    keys(&mut app, "L");
    assert!(screen(&app, 80, 24).contains("F5 Ranking"));
}

#[test]
fn every_tab_at_80x24() {
    let (_dir, mut app) = full_meeting();
    // Entry with a form half-typed and the fill key armed.
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "1122334*0");
    insta::assert_snapshot!("entry_80x24", screen(&app, 80, 24));
    // Switching tabs keeps the half-typed form; only quitting asks.

    key(&mut app, KeyCode::F(2));
    insta::assert_snapshot!("verify_80x24", screen(&app, 80, 24));
    key(&mut app, KeyCode::F(3));
    insta::assert_snapshot!("ballots_80x24", screen(&app, 80, 24));
    key(&mut app, KeyCode::F(4));
    insta::assert_snapshot!("tally_80x24", screen(&app, 80, 24));
    key(&mut app, KeyCode::F(5));
    insta::assert_snapshot!("ranking_80x24", screen(&app, 80, 24));
    key(&mut app, KeyCode::F(6));
    insta::assert_snapshot!("files_80x24", screen(&app, 80, 24));
}

#[test]
fn tiny_and_resized_terminals_never_panic() {
    let (_dir, mut app) = full_meeting();
    for tab in 0..6 {
        key(&mut app, KeyCode::F(tab + 1));
        for (w, h) in [(1, 1), (20, 5), (40, 10), (80, 24), (120, 40), (200, 60)] {
            draw(&app, w, h);
        }
        keys(&mut app, "?");
        draw(&app, 10, 4);
        draw(&app, 80, 24);
        keys(&mut app, "?");
    }
    app.update(crossterm::event::Event::Resize(30, 8));
    draw(&app, 30, 8);
}

#[test]
fn the_ranking_at_100x30_shows_the_top_rate_too() {
    let (_dir, mut app) = full_meeting();
    key(&mut app, KeyCode::F(5));
    let text = screen(&app, 100, 30);
    assert!(text.contains("Top"), "{text}");
    insta::assert_snapshot!("ranking_100x30", text);
}

/// The scoring demo (data/demo-scoring: group shares, rates over the valid forms, a composite
/// of the meeting with daily.csv and annual.csv) in the UI.
fn scoring_demo() -> (tempfile::TempDir, App) {
    let dir = tempfile::tempdir().unwrap();
    let meeting =
        tallyclerk::demo::install_demo(&dir.path().join("demo"), tallyclerk::demo::SCORING)
            .unwrap();
    (dir, App::new(meeting, Lang::En).unwrap())
}

#[test]
fn the_tally_tab_shows_the_parts_and_the_composite_as_the_ranking_scores_them() {
    let (_dir, mut app) = scoring_demo();
    key(&mut app, KeyCode::F(4));
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    // The scope line says the groups weigh by their shares and what the rates are over.
    assert!(
        text.contains("all forms, each group by its share · rates over the valid forms"),
        "{text}"
    );
    assert!(
        line(&buffer, find(&buffer, "daily").unwrap().1).contains("Score  daily annual  Comp."),
        "{text}"
    );
    // V02: 28 A and 7 B of 35 marks; its score under the groups' shares is 97.09 (the forms
    // counted alike would give 96.00), daily 92, annual 90.5, composite 93.23.
    let (_, y) = find(&buffer, "V02").unwrap();
    assert!(
        line(&buffer, y).contains("28    7    0    0     1  97.09  92.00  90.50  93.23"),
        "{text}"
    );
    insta::assert_snapshot!("tally_scoring_80x24", text);
    // Wide enough, the rates too, as the ranking has them: V02 top 84.3%, approval 98.5%.
    let buffer = draw(&app, 120, 24);
    let (_, y) = find(&buffer, "V02").unwrap();
    assert!(
        line(&buffer, y).contains("93.23  84.3%  98.5%"),
        "{}",
        line(&buffer, y)
    );
    // In Chinese the parts go by their labels.
    keys(&mut app, "L");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("全部评议表（各组按比重）；比率分母：有效表数"),
        "{text}"
    );
    assert!(text.contains("得分 日常考核 年度考核   综合"), "{text}");
    keys(&mut app, "L");
    // A group's own view has no parts: they score organizations, not groups.
    keys(&mut app, "g");
    let text = screen(&app, 120, 24);
    assert!(text.contains("voter group leaders"), "{text}");
    assert!(!text.contains("Comp."), "{text}");
}
