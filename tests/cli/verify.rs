//! A ballot's lifecycle from the command line: verify, withdraw, set aside.

use crate::harness::*;

/// A meeting with two voter groups, so the group is keyed and compared too.
fn with_groups() -> Fixture {
    let f = Fixture::new();
    std::fs::remove_dir_all(&f.dir).unwrap();
    let orgs = f.file("orgs-groups.csv", ORGS);
    tallyclerk_cmd()
        .args(["new"])
        .arg(&f.dir)
        .arg("--orgs")
        .arg(&orgs)
        .args([
            "--tier",
            "excellent=2",
            "--group",
            "leaders:班子=1",
            "--group",
            "cadres:干部=1",
        ])
        .assert()
        .success();
    f
}

#[test]
fn verify_answers_verified_or_disputed_naming_the_rows_never_the_readings() {
    let f = with_groups();
    f.run(
        "add",
        &["1", "ABCD-", "--group", "leaders", "--clerk", "Li"],
    )
    .success();
    f.run("add", &["2", "ABCD-", "--group", "leaders"])
        .success();
    let out = stdout_of(
        &f.run(
            "verify",
            &["1", "ABCD-", "--group", "leaders", "--clerk", "Wang"],
        )
        .success(),
    );
    assert!(
        out.contains("ballot 1 verified: both keyings agree"),
        "{out}"
    );
    // A second keying of a verified form is refused.
    let err = stderr_of(
        &f.run("verify", &["1", "ABCD-", "--group", "leaders"])
            .code(1),
    );
    assert!(err.contains("form 1 is already verified"), "{err}");
    // Row O4 and the group read differently: disputed, the rows named, no reading shown.
    let out = stdout_of(
        &f.run("verify", &["2", "ABCC-", "--group", "cadres"])
            .success(),
    );
    assert!(
        out.contains("ballot 2 DISPUTED: row O4 and the group differ"),
        "{out}"
    );
    assert!(
        !out.contains("cadres") && !out.contains("leaders") && !out.contains("ABC"),
        "{out}"
    );
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("serial 1 agreed") && log.contains("clerk Wang"),
        "{log}"
    );
    assert!(log.contains("clerk Li"), "{log}");
    assert!(
        log.contains("serial 2 second reading differs: O4 D|C, group leaders|cadres"),
        "{log}"
    );
}

#[test]
fn a_dispute_is_settled_by_two_readings_of_three_from_the_command_line() {
    let f = with_groups();
    f.run("add", &["2", "ABCD-", "--group", "leaders"])
        .success();
    f.run("verify", &["2", "ABCC-", "--group", "cadres"])
        .success();
    // Third reading: O4 as the second (C), the group as the first (leaders); the rows that
    // were not disputed are not used.
    let out = stdout_of(
        &f.run("verify", &["2", "DDDC*", "--group", "leaders"])
            .success(),
    );
    assert!(
        out.contains("ballot 2 resolved: corrected by the readings"),
        "{out}"
    );
    let csv = stdout_of(&f.run("export", &["--ballots", "-"]).success());
    assert!(csv.contains("2,leaders,A,B,C,C,"), "{csv}");
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains(
            "serial 2 resolved by reading 3: O4 D|C read C, group leaders|cadres read leaders"
        ),
        "{log}"
    );
    assert!(stdout_of(&f.run("check", &[]).success()).contains("store ok"));
}

#[test]
fn a_third_reading_differing_from_both_leaves_the_row_disputed() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("verify", &["1", "CBCD-"]).success();
    let out = stdout_of(&f.run("verify", &["1", "DBCD-"]).success());
    assert!(out.contains("ballot 1 DISPUTED: row O1 differs"), "{out}");
    let out = stdout_of(&f.run("verify", &["1", "ABCD-"]).success());
    assert!(
        out.contains("ballot 1 resolved: the first keying stands"),
        "{out}"
    );
}

#[test]
fn verify_list_shows_what_is_left_to_verify() {
    let f = Fixture::new();
    for (serial, marks) in [
        ("1", "ABCD-"),
        ("2", "ABCD-"),
        ("3", "AAAD-"),
        ("4", "BBBB-"),
    ] {
        f.run("add", &[serial, marks]).success();
    }
    f.run("verify", &["1", "ABCD-"]).success();
    f.run("verify", &["2", "BBCD-"]).success();
    let out = stdout_of(&f.run("verify", &["--list"]).success());
    assert!(
        out.contains("verified 1/4, disputed 1, unverified 2"),
        "{out}"
    );
    assert!(out.contains("unverified: 3-4"), "{out}");
    assert!(out.contains("disputed 2: row O1 differs"), "{out}");
    // Three A where at most two are allowed.
    assert!(out.contains("invalid: 3"), "{out}");
    assert!(out.contains("next to verify: 3"), "{out}");
    // An edit makes a verified ballot unverified again.
    f.run("edit", &["1", "ABCC-", "--reason", "misread"])
        .success();
    let out = stdout_of(&f.run("verify", &["--list"]).success());
    assert!(
        out.contains("verified 0/4, disputed 1, unverified 3"),
        "{out}"
    );
}

#[test]
fn withdrawing_a_keying_mistake_lifts_a_void_round_setting_a_form_aside_does_not() {
    // 40 forms back, 39 issued: a void round.
    let f = Fixture::new();
    let mut csv = String::from("serial,group,O1,O2,O3,O4,O5\n");
    for serial in 1..=40 {
        csv.push_str(&format!("{serial},,A,B,C,D,\n"));
    }
    let file = f.file("forms.csv", &csv);
    f.run("import", &[file.to_str().unwrap()]).success();
    f.run("issued", &["39"]).success();
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(
        table.contains("VOID ROUND: 40 forms collected, only 39 issued"),
        "{table}"
    );
    // A paper form declared void is still a form collected: the round stays void.
    let out = stdout_of(&f.run("set-aside", &["7", "--reason", "torn"]).success());
    assert!(
        out.contains("set aside (kept and collected, not counted)"),
        "{out}"
    );
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(
        table.contains("VOID ROUND: 40 forms collected, only 39 issued"),
        "{table}"
    );
    assert!(
        table.contains("collected 40, valid 39, invalid 0, set aside 1, withdrawn 0"),
        "{table}"
    );
    f.run("export", &[]).code(1);
    // A keying mistake withdrawn (an imported form keyed twice) has no paper behind it.
    let out = stdout_of(
        &f.run("withdraw", &["8", "--reason", "scanned twice"])
            .success(),
    );
    assert!(
        out.contains("withdrawn (not collected, not counted)"),
        "{out}"
    );
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(!table.contains("VOID ROUND"), "{table}");
    assert!(
        table.contains("collected 39, valid 38, invalid 0, set aside 1, withdrawn 1"),
        "{table}"
    );
    f.run("export", &[]).success();
    // Both are audited with their reasons; neither can be taken out twice.
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("set-aside") && log.contains("serial 7 reason torn"),
        "{log}"
    );
    assert!(
        log.contains("withdraw") && log.contains("serial 8 reason scanned twice"),
        "{log}"
    );
    let err = stderr_of(&f.run("withdraw", &["7", "--reason", "x"]).code(1));
    assert!(err.contains("form 7 was set aside"), "{err}");
    // A reason is required.
    f.run("withdraw", &["9", "--reason", " "]).code(1);
}
