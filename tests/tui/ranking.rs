//! The Ranking tab: tiers, cutoff lines, shared ranks and a tie at a cutoff decided.

use crate::harness::*;
use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};

/// O01 alone first; O02 and O03 tied for place 2 across the cutoff after place 2
/// (excellent 2, better 1); O05 and O06 tied at the bottom, inside no tier.
fn tied_meeting() -> (tempfile::TempDir, tallyclerk::Meeting) {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AAACDD", "ABBCDD"]);
    (dir, meeting)
}

#[test]
fn a_tie_at_the_cutoff_is_highlighted_and_decided_with_d() {
    let (_dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("excellent ends at place 2"), "{text}");
    assert!(text.contains("tie: excellent/better? d decides"), "{text}");
    assert!(text.contains("■ tie at cutoff: d decides"), "{text}");

    // Shared ranks are marked; the tier colours carry the meaning.
    let (_, y1) = find(&buffer, "O01").unwrap();
    assert!(line(&buffer, y1).contains("excellent"));
    let (_, y2) = find(&buffer, "O02").unwrap();
    let (_, y3) = find(&buffer, "O03").unwrap();
    assert!(line(&buffer, y2).contains("=2"), "{}", line(&buffer, y2));
    assert!(line(&buffer, y3).contains("=2"));
    assert!(line(&buffer, y2).contains("undecided"));
    let (x_name, _) = find(&buffer, "长兴村党支部").unwrap();
    // Row 1 is under the cursor (reversed) and green; the tied rows magenta, underlined.
    assert_eq!(buffer[(x_name, y1)].fg, Color::Green);
    assert_eq!(buffer[(x_name, y2)].fg, Color::Magenta);
    assert!(buffer[(x_name, y2)].modifier.contains(Modifier::UNDERLINED));
    assert_eq!(buffer[(x_name, y3)].fg, Color::Magenta);
    let (_, y_bottom) = find(&buffer, "O05").unwrap();
    assert!(line(&buffer, y_bottom).contains("=5"));
    assert_eq!(buffer[(x_name, y_bottom)].fg, Color::Reset);

    // On a row outside the tie, d explains itself and records nothing.
    keys(&mut app, "d");
    assert!(screen(&app, 80, 24).contains("tied at a cutoff (highlighted)"));
    assert!(app.meeting().store.decisions().unwrap().is_empty());

    // Select O03 and decide: a reason is asked first; without one nothing is recorded.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    keys(&mut app, " d");
    let text = screen(&app, 80, 24);
    assert!(text.contains("O03 take excellent: why?"), "{text}");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("a reason is required"));
    assert!(app.meeting().store.decisions().unwrap().is_empty());
    // Esc leaves the prompt, recording nothing.
    keys(&mut app, "d");
    key(&mut app, KeyCode::Esc);
    assert!(app.meeting().store.decisions().unwrap().is_empty());
    // With a reason: O03 takes the excellent place, O02 falls to better.
    keys(&mut app, "d");
    keys(&mut app, "drawn by lot");
    key(&mut app, KeyCode::Enter);
    let decisions = app.meeting().store.decisions().unwrap();
    assert_eq!(decisions.len(), 1);
    let log = app.meeting().store.audit_log().unwrap();
    let (_, action, detail) = log.last().unwrap();
    assert_eq!(action, "decide");
    assert_eq!(
        detail,
        "tier excellent orgs O03 tie O02,O03 places 2-3 reason drawn by lot"
    );
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("decided: O03 take excellent"), "{text}");
    let (_, y3) = find(&buffer, "O03").unwrap();
    let (_, y2) = find(&buffer, "O02").unwrap();
    assert!(y3 < y2, "the decided organization is listed first");
    assert!(line(&buffer, y3).contains("excellent"));
    assert!(line(&buffer, y2).contains("better"));
    assert!(line(&buffer, y2).contains("decided"));
    assert_eq!(buffer[(x_name, y2)].fg, Color::Cyan);
    // Rank numbers never change by a decision.
    assert!(line(&buffer, y2).contains("=2") && line(&buffer, y3).contains("=2"));
}

#[test]
fn x_withdraws_the_decision_of_the_rows_tier_after_asking_a_reason() {
    let (_dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    // Nothing decided yet: x on O01 (excellent) says so and asks nothing.
    keys(&mut app, "x");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("no decision of tier excellent to withdraw"),
        "{text}"
    );
    assert!(!text.contains("why?"), "{text}");

    // Decide O02 into excellent, then withdraw it from O03's row (better, by the decision).
    key(&mut app, KeyCode::Down);
    keys(&mut app, "d");
    keys(&mut app, "drawn by lot");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.meeting().store.decisions().unwrap().len(), 1);
    key(&mut app, KeyCode::Down);
    keys(&mut app, "x");
    // O03 is in better: better has no decision of its own.
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("no decision of tier better to withdraw"),
        "{text}"
    );
    key(&mut app, KeyCode::Up);
    keys(&mut app, "x");
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("Withdraw the decision of excellent: why?"),
        "{text}"
    );
    // A reason is required.
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("a reason is required"));
    assert_eq!(app.meeting().store.decisions().unwrap().len(), 1);
    keys(&mut app, "x");
    keys(&mut app, "wrong organization");
    key(&mut app, KeyCode::Enter);
    assert!(app.meeting().store.decisions().unwrap().is_empty());
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("decision of excellent withdrawn (audited)"),
        "{text}"
    );
    // Undecided again, O02 and O03 both.
    for id in ["O02", "O03"] {
        let (_, y) = find(&buffer, id).unwrap();
        assert!(
            line(&buffer, y).contains("undecided"),
            "{}",
            line(&buffer, y)
        );
    }
    let log = app.meeting().store.audit_log().unwrap();
    let (_, action, detail) = log.last().unwrap();
    assert_eq!(action, "undecide");
    assert_eq!(
        detail,
        "tier excellent orgs O02 tie O02,O03 places 2-3 reason wrong organization"
    );
}

#[test]
fn a_lapsed_decision_is_shown_on_the_tie_with_the_key_to_decide_anew() {
    let (dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    key(&mut app, KeyCode::Down);
    keys(&mut app, "d");
    keys(&mut app, "drawn by lot");
    key(&mut app, KeyCode::Enter);
    // A third ballot, B A A: O01 (A A B) drops to O02's and O03's score and top rate
    // (93.33, 2 of 3): all three tie at places 1-3, not the tie of O02 and O03 decided.
    // It is typed at another station; the UI follows the store.
    let mut other = tallyclerk::Meeting::open(dir.path()).unwrap();
    add_ballots_from(&mut other, 3, &["BAACDD"]);
    app.follow_store();
    let buffer = draw(&app, 100, 30);
    for id in ["O02", "O03"] {
        let (_, y) = find(&buffer, id).unwrap();
        assert!(
            line(&buffer, y).contains("undecided")
                && line(&buffer, y).contains("lapsed: excellent/better? d decides"),
            "{}",
            line(&buffer, y)
        );
    }
    // O01 was not in the decision: the plain note.
    let (_, y) = find(&buffer, "O01").unwrap();
    assert!(
        line(&buffer, y).contains("tie: excellent/better? d decides"),
        "{}",
        line(&buffer, y)
    );
}

#[test]
fn the_ranking_is_live_while_forms_are_entered() {
    let (_dir, meeting) = meeting(6, 2, 1, 6);
    let mut app = app(meeting);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "dddddd");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Enter);
    keys(&mut app, "ddddda");
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::F(5));
    let buffer = draw(&app, 80, 24);
    let (_, y) = find(&buffer, "O06").unwrap();
    assert!(
        line(&buffer, y).trim_start().starts_with("1 "),
        "{}",
        line(&buffer, y)
    );
}

/// O01 and O02 tied for places 1-2, inside tier excellent; O03 better; no tie at a cutoff.
fn settled_meeting() -> (tempfile::TempDir, tallyclerk::Meeting) {
    let (dir, mut meeting) = meeting(6, 2, 1, 6);
    add_ballots(&mut meeting, &["AABCDD", "AABCDD"]);
    (dir, meeting)
}

#[test]
fn finalise_is_refused_on_the_spot_while_a_tie_at_a_cutoff_is_undecided() {
    let (_dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    keys(&mut app, "F");
    let text = screen(&app, 120, 24);
    assert!(!text.contains("Finalise the meeting?"), "{text}");
    assert!(
        text.contains(
            "finalise refused: a tie at a cutoff is undecided: O02, O03 (excellent or better)"
        ),
        "{text}"
    );
    assert!(!app.meeting().store.is_final().unwrap());
}

#[test]
fn the_finalise_dialog_counts_the_unverified_forms() {
    let (_dir, mut meeting) = settled_meeting();
    let same = tallyclerk::ballot_state::Reading {
        group: None,
        marks: tallyclerk::model::parse_marks("AABCDD", &meeting.config.scale).unwrap(),
    };
    meeting.second_keying(1, &same).unwrap();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    keys(&mut app, "F");
    let text = screen(&app, 100, 24);
    assert!(text.contains("Finalise the meeting?"), "{text}");
    assert!(
        text.contains("not verified: 1 form (keyed once only)"),
        "{text}"
    );
    keys(&mut app, "n");
    assert!(!app.meeting().store.is_final().unwrap());
}

#[test]
fn finalise_refuses_changes_in_place_and_reopen_asks_a_reason() {
    let (_dir, meeting) = settled_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    keys(&mut app, "F");
    assert!(screen(&app, 80, 24).contains("Finalise the meeting?"));
    keys(&mut app, "y");
    let text = screen(&app, 80, 24);
    assert!(text.contains("FINAL"), "{text}");
    assert!(app.meeting().store.is_final().unwrap());

    // Entry refuses at the serial field, before a row is typed.
    key(&mut app, KeyCode::F(1));
    key(&mut app, KeyCode::Enter);
    let text = screen(&app, 80, 24);
    assert!(text.contains("the meeting is finalised"), "{text}");
    assert!(!app.entry().on_rows);

    key(&mut app, KeyCode::F(5));
    keys(&mut app, "R");
    key(&mut app, KeyCode::Enter);
    assert!(screen(&app, 80, 24).contains("a reason is required"));
    keys(&mut app, "R");
    keys(&mut app, "typo in form 2");
    key(&mut app, KeyCode::Enter);
    assert!(!app.meeting().store.is_final().unwrap());
    assert!(screen(&app, 80, 24).contains("meeting reopened"));
}

#[test]
fn a_void_round_shows_a_loud_banner() {
    let (_dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    keys(&mut app, "i");
    // The prompt holds the current number (40); erase it and type 1.
    key(&mut app, KeyCode::Backspace);
    key(&mut app, KeyCode::Backspace);
    keys(&mut app, "1");
    key(&mut app, KeyCode::Enter);
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(
        text.contains("VOID ROUND: 2 forms collected, only 1 issued"),
        "{text}"
    );
    let (x, y) = find(&buffer, "VOID ROUND").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
    assert_eq!(app.meeting().store.summary().unwrap().issued, Some(1));
}

#[test]
fn attendance_is_in_the_status_bar_and_a_quorum_not_met_is_a_loud_banner() {
    let (dir, meeting) = meeting(5, 2, 1, 2);
    drop(meeting);
    let toml = dir.path().join("meeting.toml");
    let original = std::fs::read_to_string(&toml).unwrap();
    let with = |present: u64| {
        let text = original.replace("[rules]\n", "[rules]\nquorum = \"half\"\n");
        std::fs::write(
            &toml,
            format!("{text}[attendance]\nexpected = 45\npresent = {present}\n"),
        )
        .unwrap();
        app(tallyclerk::Meeting::open(dir.path()).unwrap())
    };
    let met = with(23);
    let text = screen(&met, 100, 24);
    assert!(text.contains("present 23/45"), "{text}");
    assert!(!text.contains("QUORUM NOT MET"), "{text}");

    let not_met = with(22);
    let buffer = draw(&not_met, 100, 24);
    let text = screen(&not_met, 100, 24);
    assert!(text.contains("present 22/45"), "{text}");
    assert!(
        text.contains("QUORUM NOT MET: 22 present of 45 expected"),
        "{text}"
    );
    let (x, y) = find(&buffer, "QUORUM NOT MET").unwrap();
    assert_eq!(buffer[(x, y)].fg, Color::Red);
}

#[test]
fn p_on_the_ranking_tab_prints_the_tally_sheet_into_the_meeting_folder() {
    let (dir, meeting) = tied_meeting();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    keys(&mut app, "p");
    let pdf = dir.path().join("results.pdf");
    assert!(pdf.is_file(), "{}", screen(&app, 80, 24));
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    let text = screen(&app, 120, 24);
    assert!(text.contains("tally sheet"), "{text}");
    assert!(text.contains("results.pdf"), "{text}");
}

#[test]
fn a_meeting_ranked_by_a_composite_shows_it_beside_the_score() {
    let (_dir, meeting) = meeting_ranked_by_a_composite();
    let mut app = app(meeting);
    key(&mut app, KeyCode::F(5));
    let buffer = draw(&app, 80, 24);
    let text = screen(&app, 80, 24);
    assert!(text.contains("Comp."), "{text}");
    let (_, y2) = find(&buffer, "O02").unwrap();
    assert!(line(&buffer, y2).trim_start().starts_with("1 "), "{text}");
    assert!(line(&buffer, y2).contains("80.00  90.00"), "{text}");
    let (_, y1) = find(&buffer, "O01").unwrap();
    assert!(line(&buffer, y1).contains("100.00  50.00"), "{text}");
}
