//! Rules of section 4 seen from the command line: decisions, the void round, finalising.

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
    let err = stderr_of(&f.run("decide", &["--tier", "excellent", "O1"]).code(1));
    assert!(
        err.contains("decision refused: the organizations named are not tied"),
        "{err}"
    );
    let err = stderr_of(
        &f.run("decide", &["--tier", "excellent", "O2", "O3"])
            .code(1),
    );
    assert!(
        err.contains("more organizations named than the 1 places of tier excellent"),
        "{err}"
    );
    let err = stderr_of(&f.run("decide", &["--tier", "better", "O3"]).code(1));
    assert!(
        err.contains("also spans the places of a tier before better: decide that tier first"),
        "{err}"
    );
    f.run("decide", &["--tier", "gold", "O3"]).code(1);
    f.run("decide", &["--tier", "excellent", "O9"]).code(1);

    f.run("decide", &["--tier", "excellent", "O3"]).success();
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
    assert!(log.contains("decide"), "{log}");

    // A new ballot breaking the tie makes the decision moot.
    f.run("add", &["3", "ABACD"]).success();
    let csv = f.results_csv();
    assert!(
        csv.contains(
            "2,O3,兴华纺织有限公司党支部,enterprise,excellent,86.67,3,1,2,0,0,0,0.3333,1.0000,\r\n"
        ),
        "{csv}"
    );
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
    // Correcting the number issued lifts it; voids do not count as collected.
    f.run("issued", &["2"]).success();
    f.run("export", &[]).success();
    assert!(!read(&f.path("results.csv")).contains("VOID ROUND"));
    f.run("issued", &["1"]).success();
    f.run("void", &["2", "--reason", "duplicate form"])
        .success();
    f.run("export", &[]).success();
    let json = stdout_of(&f.run("tally", &["--format", "json"]).success());
    assert!(json.contains("\"void_round\": false"), "{json}");
}

#[test]
fn a_finalised_meeting_refuses_every_change_until_reopened() {
    let f = tied();
    let file = f.file("more.csv", "serial,group,O1,O2,O3,O4,O5\n9,,A,B,C,D,\n");
    f.run("finalise", &[]).success();
    let before = f.digest();
    let attempts: Vec<(&str, Vec<&str>)> = vec![
        ("add", vec!["5", "ABCD-"]),
        ("import", vec![file.to_str().unwrap()]),
        ("edit", vec!["1", "DDDD-", "--reason", "x"]),
        ("void", vec!["1", "--reason", "x"]),
        ("decide", vec!["--tier", "excellent", "O2"]),
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
