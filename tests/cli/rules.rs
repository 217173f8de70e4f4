//! Rules of docs/RULES.md seen from the command line: decisions, the void round, finalising.

use crate::harness::*;

/// Two ballots that tie O2 and O3 across the excellent/better cutoff (places 2 and 3).
fn tied() -> Fixture {
    let f = Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    f.run("add", &["2", "ABBCD"]).success();
    f
}

#[test]
fn decide_resolves_a_tie_at_the_cutoff_and_refuses_otherwise() {
    let f = tied();
    let csv = f.results_csv();
    assert!(csv.contains("2,O2,东门社区党支部,community,undecided,80.00,2,0,2,0,0,0,0.0000,1.0000,tie at cutoff: excellent or better"), "{csv}");
    assert!(
        csv.contains("2,O3,兴华纺织有限公司党支部,enterprise,undecided,"),
        "{csv}"
    );

    // Refusals: O1 is not tied; two named for one place; better's cutoff is not crossed;
    // unknown tier and organization.
    let err = stderr_of(
        &f.run("decide", &["--tier", "excellent", "O1", "--reason", "r"])
            .code(1),
    );
    assert!(
        err.contains("decision refused: the organizations named are not tied"),
        "{err}"
    );
    let err = stderr_of(
        &f.run(
            "decide",
            &["--tier", "excellent", "O2", "O3", "--reason", "r"],
        )
        .code(1),
    );
    assert!(
        err.contains("more organizations named than the 1 places of tier excellent"),
        "{err}"
    );
    let err = stderr_of(
        &f.run("decide", &["--tier", "better", "O3", "--reason", "r"])
            .code(1),
    );
    assert!(
        err.contains("also spans the places of a tier before better: decide that tier first"),
        "{err}"
    );
    f.run("decide", &["--tier", "gold", "O3", "--reason", "r"])
        .code(1);
    f.run("decide", &["--tier", "excellent", "O9", "--reason", "r"])
        .code(1);

    let out = f
        .run(
            "decide",
            &["--tier", "excellent", "O3", "--reason", "drawn by lot"],
        )
        .success();
    assert_eq!(
        stdout_of(&out),
        "decided excellent: O3 (tie O2, O3, places 2-3)\n"
    );
    let csv = f.results_csv();
    let lines: Vec<&str> = csv.lines().collect();
    // Rank numbers stay; O3 is listed first of the tie and gets excellent.
    assert!(
        lines[2].starts_with("2,O3,兴华纺织有限公司党支部,enterprise,excellent,80.00"),
        "{csv}"
    );
    assert!(lines[2].ends_with(",decided"));
    assert!(
        lines[3].starts_with("2,O2,东门社区党支部,community,better,80.00"),
        "{csv}"
    );
    assert!(lines[3].ends_with(",decided"));
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("decide    tier excellent orgs O3 tie O2,O3 places 2-3 reason drawn by lot"),
        "{log}"
    );

    // A new ballot breaking the tie: the decision lapses, the votes place O3 and O2, and the
    // rows say the decision lapsed.
    f.run("add", &["3", "ABACD"]).success();
    let csv = f.results_csv();
    assert!(
        csv.contains(
            "2,O3,兴华纺织有限公司党支部,enterprise,excellent,86.67,3,1,2,0,0,0,0.3333,1.0000,decision lapsed\r\n"
        ),
        "{csv}"
    );
}

/// The meeting of the fixture with tiers excellent 1 and better 1, and one ballot that ties
/// O1, O2 and O3 (B each: 80) at places 1-3; O4 60, O5 0.
fn three_tied_for_two_tiers() -> Fixture {
    let f = Fixture::new();
    let toml = f.path("meeting.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let one = text.replace("quota = 2", "quota = 1");
    assert_ne!(one, text);
    std::fs::write(&toml, one).unwrap();
    f.run("add", &["1", "BBBCD"]).success();
    f
}

/// The CSV line of organization `id` in `csv`.
fn line_of<'a>(csv: &'a str, id: &str) -> &'a str {
    csv.lines()
        .find(|l| l.split(',').nth(1) == Some(id))
        .unwrap_or_else(|| panic!("{id} not in {csv}"))
}

#[test]
fn a_decision_lapses_when_a_new_ballot_changes_its_tie() {
    // The case of issue "One door to the meeting": excellent to O2, then better to O3; one
    // more ballot puts O1 first alone, and O2, O3 tie at places 2-3 — not the tie decided.
    let f = three_tied_for_two_tiers();
    f.run(
        "decide",
        &["--tier", "excellent", "O2", "--reason", "drawn by lot"],
    )
    .success();
    let out = f
        .run(
            "decide",
            &["--tier", "better", "O3", "--reason", "drawn by lot"],
        )
        .success();
    assert_eq!(
        stdout_of(&out),
        "decided better: O3 (tie O1, O2, O3, places 1-3)\n"
    );
    let csv = f.results_csv();
    assert!(line_of(&csv, "O2").starts_with("1,O2,东门社区党支部,community,excellent,80.00,"));
    assert!(line_of(&csv, "O3").starts_with("1,O3,兴华纺织有限公司党支部,enterprise,better,80.00,"));
    assert!(line_of(&csv, "O1").starts_with("1,O1,长兴村党支部,village,,80.00,"));
    for id in ["O1", "O2", "O3"] {
        assert!(line_of(&csv, id).ends_with(",decided"), "{csv}");
    }

    f.run("add", &["2", "ABBCD"]).success();
    let csv = f.results_csv();
    assert_eq!(
        line_of(&csv, "O1"),
        "1,O1,长兴村党支部,village,excellent,90.00,2,1,1,0,0,0,0.5000,1.0000,decision lapsed"
    );
    assert_eq!(
        line_of(&csv, "O2"),
        "2,O2,东门社区党支部,community,undecided,80.00,2,0,2,0,0,0,0.0000,1.0000,tie at cutoff: better or none (decision lapsed)"
    );
    assert_eq!(
        line_of(&csv, "O3"),
        "2,O3,兴华纺织有限公司党支部,enterprise,undecided,80.00,2,0,2,0,0,0,0.0000,1.0000,tie at cutoff: better or none (decision lapsed)"
    );
    // In Chinese too.
    let out = tallyclerk_cmd()
        .args(["--lang", "zh", "tally"])
        .arg(&f.dir)
        .args(["--format", "csv"])
        .assert()
        .success();
    let zh = stdout_of(&out);
    assert!(
        line_of(&zh, "O2").ends_with(
            ",待定,80.00,2,0,2,0,0,0,0.0000,1.0000,名额线并列：较好或无等次（裁定已失效）"
        ),
        "{zh}"
    );
    assert!(line_of(&zh, "O1").ends_with(",裁定已失效"), "{zh}");

    // Decided anew, on the tie that stands now.
    f.run(
        "decide",
        &["--tier", "better", "O2", "--reason", "second draw"],
    )
    .success();
    let csv = f.results_csv();
    assert!(
        line_of(&csv, "O2").contains(",better,") && line_of(&csv, "O2").ends_with(",decided"),
        "{csv}"
    );
    assert!(line_of(&csv, "O3").ends_with(",decided"), "{csv}");
}

#[test]
fn undecide_withdraws_a_decision_and_keeps_it_on_record() {
    let f = tied();
    f.run(
        "decide",
        &["--tier", "excellent", "O3", "--reason", "drawn by lot"],
    )
    .success();
    let out = f
        .run(
            "undecide",
            &[
                "--tier",
                "excellent",
                "--reason",
                "the lot was drawn wrongly",
            ],
        )
        .success();
    assert_eq!(
        stdout_of(&out),
        "withdrawn excellent: O3 (tie O2, O3, places 2-3)\n"
    );
    // Undecided again, with the plain note: withdrawn is not lapsed.
    let csv = f.results_csv();
    for id in ["O2", "O3"] {
        assert!(
            line_of(&csv, id).ends_with(
                ",undecided,80.00,2,0,2,0,0,0,0.0000,1.0000,tie at cutoff: excellent or better"
            ),
            "{csv}"
        );
    }
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("undecide  tier excellent orgs O3 tie O2,O3 places 2-3 reason the lot was drawn wrongly"),
        "{log}"
    );
    // The row stays, marked withdrawn, with both reasons.
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    let row: (String, String, String, i64, i64, String, Option<String>, String) = conn
        .query_row(
            "SELECT tier, orgs, tie, first_place, last_place, reason, withdrawn_at, withdraw_reason FROM decisions",
            [],
            |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    r.get(7)?,
                ))
            },
        )
        .unwrap();
    drop(conn);
    assert_eq!(
        (&*row.0, &*row.1, &*row.2, row.3, row.4, &*row.5, &*row.7),
        (
            "excellent",
            "O3",
            "O2,O3",
            2,
            3,
            "drawn by lot",
            "the lot was drawn wrongly"
        )
    );
    assert!(row.6.is_some());

    // Nothing left to withdraw: refused, nothing changes.
    let before = stdout_of(&f.run("log", &[]).success());
    let err = stderr_of(
        &f.run("undecide", &["--tier", "excellent", "--reason", "again"])
            .code(1),
    );
    assert!(
        err.contains("no decision of tier excellent to withdraw"),
        "{err}"
    );
    assert_eq!(stdout_of(&f.run("log", &[]).success()), before);
    // The other way round this time.
    f.run(
        "decide",
        &["--tier", "excellent", "O2", "--reason", "second draw"],
    )
    .success();
    assert!(line_of(&f.results_csv(), "O2").contains(",excellent,"));
}

#[test]
fn undecide_is_refused_while_final_and_allowed_after_reopen() {
    let f = tied();
    f.run(
        "decide",
        &["--tier", "excellent", "O3", "--reason", "drawn by lot"],
    )
    .success();
    f.run("finalise", &[]).success();
    let err = stderr_of(
        &f.run("undecide", &["--tier", "excellent", "--reason", "x"])
            .code(1),
    );
    assert!(err.contains("finalised"), "{err}");
    f.run("reopen", &["--reason", "the lot was drawn wrongly"])
        .success();
    f.run(
        "undecide",
        &[
            "--tier",
            "excellent",
            "--reason",
            "the lot was drawn wrongly",
        ],
    )
    .success();
    f.run(
        "decide",
        &["--tier", "excellent", "O2", "--reason", "drawn again"],
    )
    .success();
    let csv = f.results_csv();
    assert!(line_of(&csv, "O2").contains(",excellent,"), "{csv}");
    assert!(line_of(&csv, "O3").contains(",better,"), "{csv}");
}

#[test]
fn decide_and_undecide_require_a_reason() {
    let f = tied();
    let before = stdout_of(&f.run("log", &[]).success());
    f.run("decide", &["--tier", "excellent", "O3"]).code(1);
    let err = stderr_of(
        &f.run("decide", &["--tier", "excellent", "O3", "--reason", " "])
            .code(1),
    );
    assert!(err.contains("a reason is required"), "{err}");
    f.run(
        "decide",
        &["--tier", "excellent", "O3", "--reason", "drawn by lot"],
    )
    .success();
    f.run("undecide", &["--tier", "excellent"]).code(1);
    let err = stderr_of(
        &f.run("undecide", &["--tier", "excellent", "--reason", ""])
            .code(1),
    );
    assert!(err.contains("a reason is required"), "{err}");
    let log = stdout_of(&f.run("log", &[]).success());
    assert_eq!(log.lines().count(), before.lines().count() + 1, "{log}");
    assert!(line_of(&f.results_csv(), "O3").ends_with(",decided"));
}

#[test]
fn more_forms_than_issued_voids_the_round() {
    let f = tied();
    f.run("issued", &["1"]).success();
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(
        table.contains("VOID ROUND: 2 forms collected, only 1 issued"),
        "{table}"
    );
    let out = f.run("export", &[]).code(1);
    assert!(
        stderr_of(&out).contains("VOID ROUND"),
        "{}",
        stderr_of(&out)
    );
    assert!(!f.path("results.csv").exists());
    f.run("export", &["--force"]).success();
    let results = read(&f.path("results.csv"));
    assert!(
        results.lines().skip(1).all(|l| l.contains("VOID ROUND")),
        "{results}"
    );
    // Correcting the number issued lifts it; a form set aside still counts as collected, a
    // keying mistake withdrawn does not.
    f.run("issued", &["2"]).success();
    f.run("export", &[]).success();
    assert!(!read(&f.path("results.csv")).contains("VOID ROUND"));
    f.run("issued", &["1"]).success();
    f.run("void", &["2", "--reason", "duplicate form"])
        .success();
    let json = stdout_of(&f.run("tally", &["--format", "json"]).success());
    assert!(json.contains("\"void_round\": true"), "{json}");
    assert!(json.contains("\"set_aside\": 1"), "{json}");
    f.run("withdraw", &["1", "--reason", "typed twice"])
        .success();
    f.run("export", &[]).success();
    let json = stdout_of(&f.run("tally", &["--format", "json"]).success());
    assert!(json.contains("\"void_round\": false"), "{json}");
    assert!(json.contains("\"withdrawn\": 1"), "{json}");
}

#[test]
fn a_finalised_meeting_refuses_every_change_until_reopened() {
    // No tie at a cutoff: O1 100, O2 80, O3 70, O4 60, O5 0.
    let f = Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    f.run("add", &["2", "ABCCD"]).success();
    let file = f.file("more.csv", "serial,group,O1,O2,O3,O4,O5\n9,,A,B,C,D,\n");
    f.run("finalise", &[]).success();
    let before = f.digest();
    let attempts: Vec<(&str, Vec<&str>)> = vec![
        ("add", vec!["5", "ABCD-"]),
        ("import", vec![file.to_str().unwrap()]),
        ("edit", vec!["1", "DDDD-", "--reason", "x"]),
        ("void", vec!["1", "--reason", "x"]),
        ("decide", vec!["--tier", "excellent", "O2", "--reason", "x"]),
        ("undecide", vec!["--tier", "excellent", "--reason", "x"]),
        ("issued", vec!["9"]),
        ("finalise", vec![]),
    ];
    for (command, args) in &attempts {
        let out = f.run(command, args).code(1);
        let err = stderr_of(&out);
        assert!(err.contains("finalised"), "{command}: {err}");
    }
    assert_eq!(f.digest(), before);
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(table.contains("FINAL"), "{table}");
    let json = stdout_of(&f.run("tally", &["--format", "json"]).success());
    assert!(json.contains("\"final\": true"));
    // Exports still work on a final meeting and say so.
    let out = f.run("export", &[]).success();
    assert!(stderr_of(&out).contains("FINAL"));

    f.run("reopen", &[]).code(1); // --reason is required
    f.run("reopen", &["--reason", "wrong count announced"])
        .success();
    f.run("add", &["5", "ABCD-"]).success();
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("reopen") && log.contains("wrong count announced"),
        "{log}"
    );
}
