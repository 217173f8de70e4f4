//! The projector view: the results revealed tier by tier, in large type, at 80x24 and 160x48.

use crate::harness::*;
use crossterm::event::KeyCode;
use tallyclerk::tui::App;

/// 30 organizations, tiers excellent 11 and better 5, twelve forms: O01-O09 share rank 1,
/// O10-O12 follow, and a tie crosses the excellent/better cutoff.
fn meeting_with_forms() -> (tempfile::TempDir, App) {
    let (dir, mut meeting) = meeting(30, 11, 5, 11);
    let forms: Vec<String> = (0..12)
        .map(|i| {
            (0..30)
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
                .collect()
        })
        .collect();
    let refs: Vec<&str> = forms.iter().map(String::as_str).collect();
    add_ballots(&mut meeting, &refs);
    (dir, app(meeting))
}

fn open(app: &mut App) {
    keys(app, "P");
    assert!(app.projector().is_some(), "P opens the projector view");
}

#[test]
fn the_projector_view_reveals_tier_by_tier_at_80x24() {
    let (_dir, mut app) = meeting_with_forms();
    open(&mut app);
    insta::assert_snapshot!("projector_80x24_nothing_revealed", screen(&app, 80, 24));
    keys(&mut app, " ");
    insta::assert_snapshot!("projector_80x24_first_tier", screen(&app, 80, 24));
    keys(&mut app, " ");
    insta::assert_snapshot!("projector_80x24_the_tie", screen(&app, 80, 24));
    keys(&mut app, " ");
    insta::assert_snapshot!("projector_80x24_every_tier", screen(&app, 80, 24));
    keys(&mut app, "s");
    insta::assert_snapshot!("projector_80x24_with_scores", screen(&app, 80, 24));
}

#[test]
fn the_projector_view_uses_large_digits_where_there_is_room() {
    let (_dir, mut app) = meeting_with_forms();
    open(&mut app);
    keys(&mut app, " ");
    insta::assert_snapshot!("projector_160x48_first_tier", screen(&app, 160, 48));
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    insta::assert_snapshot!("projector_160x48_two_organizations", screen(&app, 160, 48));
    keys(&mut app, "   s");
    insta::assert_snapshot!(
        "projector_160x48_every_tier_with_scores",
        screen(&app, 160, 48)
    );
}

#[test]
fn the_projector_view_reveals_tier_by_tier_at_160x48() {
    let (_dir, mut app) = meeting_with_forms();
    open(&mut app);
    insta::assert_snapshot!("projector_160x48_nothing_revealed", screen(&app, 160, 48));
    keys(&mut app, " ");
    let first_tier = screen(&app, 160, 48);
    keys(&mut app, " ");
    insta::assert_snapshot!("projector_160x48_the_tie", screen(&app, 160, 48));
    keys(&mut app, " ");
    let every_tier = screen(&app, 160, 48);
    insta::assert_snapshot!("projector_160x48_every_tier", every_tier.clone());
    // Scores on (snapshot projector_160x48_every_tier_with_scores), then off again.
    keys(&mut app, "s");
    assert_ne!(screen(&app, 160, 48), every_tier);
    keys(&mut app, "s");
    assert_eq!(screen(&app, 160, 48), every_tier);
    // Hiding the last two tiers gives back the first tier's screen.
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(screen(&app, 160, 48), first_tier);
}

#[test]
fn the_projector_view_says_final_once_the_meeting_is_finalised() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABCDD", "ABBCDD", "AACCDD"]);
    meeting.finalise().unwrap();
    let mut app = app(meeting);
    open(&mut app);
    keys(&mut app, "  ");
    let text = screen(&app, 80, 24);
    assert!(text.contains("FINAL RESULTS"), "{text}");
    assert!(!text.contains("PROVISIONAL"), "{text}");
    insta::assert_snapshot!("projector_80x24_final", text);
    let large = screen(&app, 160, 48);
    assert!(large.contains("FINAL RESULTS"), "{large}");
    assert!(!large.contains("PROVISIONAL"), "{large}");
    insta::assert_snapshot!("projector_160x48_final", large);
    drop(dir);
}

#[test]
fn backspace_hides_exactly_what_was_revealed_last() {
    let (_dir, mut app) = meeting_with_forms();
    open(&mut app);
    let text = |app: &App| screen(app, 160, 48);
    let nothing = text(&app);
    keys(&mut app, " ");
    let first_tier = text(&app);
    key(&mut app, KeyCode::Enter);
    assert_ne!(text(&app), first_tier);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(text(&app), first_tier);
    key(&mut app, KeyCode::Backspace);
    assert_eq!(text(&app), nothing);
    // Hiding with nothing shown changes nothing.
    key(&mut app, KeyCode::Backspace);
    assert_eq!(text(&app), nothing);
    // Esc goes back to the tabs.
    key(&mut app, KeyCode::Esc);
    assert!(app.projector().is_none());
}

#[test]
fn the_projector_view_never_shows_groups_forms_or_hints() {
    let (_dir, mut app) = meeting_with_forms();
    open(&mut app);
    keys(&mut app, "   s");
    let text = screen(&app, 120, 40);
    for word in ["Serial", "serial", "group", "valid", "F1", "Entry", "help"] {
        assert!(!text.contains(word), "{word} in\n{text}");
    }
}

#[test]
fn the_projector_view_follows_a_ballot_added_elsewhere() {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABCDD"]);
    let mut app = app(meeting);
    open(&mut app);
    keys(&mut app, "  ");
    let before = screen(&app, 80, 24);
    // O01 and O02 share rank 1 (excellent); another process adds a form that puts O02 first.
    let mut other = tallyclerk::Meeting::open(dir.path()).unwrap();
    let marks = tallyclerk::model::parse_marks("BAACDD", &other.config.scale).unwrap();
    other
        .add(
            &tallyclerk::model::Ballot {
                serial: 2,
                group: None,
                marks,
            },
            tallyclerk::store::Source::Typed,
        )
        .unwrap();
    app.poll_jobs();
    let after = screen(&app, 80, 24);
    assert_ne!(before, after, "{after}");
    assert!(app.projector().is_some(), "the view stays open");
}

#[test]
fn the_projector_view_shows_the_composite_a_meeting_is_ranked_by() {
    let (_dir, meeting) = meeting_ranked_by_a_composite();
    let name = |org: usize| meeting.config.organizations[org].name.clone();
    let (o02, o03) = (name(1), name(2));
    let mut app = app(meeting);
    open(&mut app);
    // Both tiers (excellent 1, better 1) revealed, then the figures.
    keys(&mut app, "  s");
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    let (_, first) = find(&buffer, &o02).unwrap();
    assert!(
        line(&buffer, first).contains("Score 80.00   Comp. 90.00"),
        "{text}"
    );
    let (_, second) = find(&buffer, &o03).unwrap();
    assert!(
        line(&buffer, second).contains("Score 60.00   Comp. 60.00"),
        "{text}"
    );
}
