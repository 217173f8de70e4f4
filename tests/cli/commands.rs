//! Every command doing its job.

use crate::harness::*;

#[test]
fn add_prints_the_stored_ballot_and_tally_counts_it() {
    let f = Fixture::new();
    let out = f.run("add", &["7", "ab-c*"]).success();
    assert_eq!(stdout_of(&out).trim(), "ballot 7 [-] AB-C* valid");
    let out = f.run("add", &["8", "AAA--"]).success();
    assert_eq!(
        stdout_of(&out).trim(),
        "ballot 8 [-] AAA-- INVALID: 3 marks A, at most 2 allowed"
    );
    // Ballot 8 is invalid: only ballot 7 counts. O1 gets A (100), O2 B (80), O3 blank,
    // O4 C (60), O5 spoiled.
    let csv = f.results_csv();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "rank,org_id,org_name,category,tier,score,rated,count_A,count_B,count_C,count_D,blank,top_rate,approval_rate,note"
    );
    assert_eq!(
        lines[1],
        "1,O1,长兴村党支部,village,excellent,100.00,1,1,0,0,0,0,1.0000,1.0000,"
    );
    assert_eq!(
        lines[2],
        "2,O2,东门社区党支部,community,excellent,80.00,1,0,1,0,0,0,0.0000,1.0000,"
    );
    assert_eq!(
        lines[3],
        "3,O4,南湖村党支部,village,better,60.00,1,0,0,1,0,0,0.0000,0.0000,"
    );
    // O3 and O5 nobody rated: both 0, tied at rank 4, past the last tier.
    assert_eq!(
        lines[4],
        "4,O3,兴华纺织有限公司党支部,enterprise,,0.00,0,0,0,0,0,1,0.0000,0.0000,"
    );
    assert_eq!(
        lines[5],
        "4,O5,西山村党支部,village,,0.00,0,0,0,0,0,1,0.0000,0.0000,"
    );

    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(
        table.contains(
            "forms issued unset, collected 2, valid 1, invalid 1, set aside 0, withdrawn 0"
        ),
        "{table}"
    );
    assert!(table.contains("长兴村党支部"));
    let json = stdout_of(&f.run("tally", &["--format", "json"]).success());
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["forms"]["invalid"], 1);
    assert_eq!(value["ranking"][0]["score"].as_f64(), Some(100.0));
    assert_eq!(value["ranking"][1]["org_id"], "O2");
}

#[test]
fn chinese_headers_and_tier_labels() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let out = tallyclerk_cmd()
        .args(["--lang", "zh", "tally"])
        .arg(&f.dir)
        .args(["--format", "csv"])
        .assert()
        .success();
    let csv = stdout_of(&out);
    assert!(csv.starts_with("名次,组织编号,组织名称,类别,等次,得分,有效评价,好,较好,一般,差,空白,\"\"\"好\"\"得票率\",认可率,备注"), "{csv}");
    assert!(
        csv.contains("1,O1,长兴村党支部,village,优秀,100.00"),
        "{csv}"
    );
    // A form over the limit names the option by the label on the paper, not its key.
    let out = tallyclerk_cmd()
        .args(["--lang", "zh", "add"])
        .arg(&f.dir)
        .args(["2", "AAA--"])
        .assert()
        .success();
    assert!(
        stdout_of(&out).ends_with("无效: \"好\" 3 票，最多允许 2 票\n"),
        "{}",
        stdout_of(&out)
    );
}

#[test]
fn export_writes_results_with_bom_and_ballots_that_import_back() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-", "--group", "x"]).code(1);
    f.run("add", &["1", "ABCD-"]).success();
    f.run("add", &["2", "BA*CD"]).success();
    f.run("add", &["3", "AAAAA"]).success(); // invalid, still exported
    let results = f.path("out.csv");
    let ballots = f.path("b.csv");
    f.run(
        "export",
        &[
            "--results",
            results.to_str().unwrap(),
            "--ballots",
            ballots.to_str().unwrap(),
        ],
    )
    .success();
    let bytes = std::fs::read(&results).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBFrank,org_id"));
    let ballots_text = read(&ballots);
    assert!(ballots_text.starts_with("\u{feff}serial,group,O1,O2,O3,O4,O5\r\n1,,A,B,C,D,\r\n2,,B,A,*,C,D\r\n3,,A,A,A,A,A\r\n"), "{ballots_text:?}");

    f.run(
        "export",
        &["--results", results.to_str().unwrap(), "--no-bom"],
    )
    .success();
    assert!(std::fs::read(&results).unwrap().starts_with(b"rank,org_id"));

    // The ballots file imports into a fresh meeting with the same results.
    let g = Fixture::new();
    let out = g.run("import", &[ballots.to_str().unwrap()]).success();
    assert!(
        stdout_of(&out).contains("imported 3 forms: 2 valid, 1 invalid, 1 spoiled mark"),
        "{}",
        stdout_of(&out)
    );
    assert_eq!(f.results_csv(), g.results_csv());
    assert_eq!(f.digest(), g.digest());
}

#[test]
fn export_defaults_to_both_files_in_the_meeting_folder() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("export", &[]).success();
    assert!(f.path("results.csv").is_file());
    assert!(f.path("ballots.csv").is_file());
}

#[test]
fn results_cells_are_neutralised_against_formulas() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = temp.path().join("orgs.csv");
    std::fs::write(
        &orgs,
        "id,name,category\nO1,=HYPERLINK(\"x\"),+village\nO2,@SUM(1),-x\n",
    )
    .unwrap();
    let dir = temp.path().join("m");
    tallyclerk_cmd()
        .arg("new")
        .arg(&dir)
        .arg("--orgs")
        .arg(&orgs)
        .assert()
        .success();
    tallyclerk_cmd()
        .arg("add")
        .arg(&dir)
        .args(["1", "AB"])
        .assert()
        .success();
    let out = tallyclerk_cmd()
        .arg("tally")
        .arg(&dir)
        .args(["--format", "csv"])
        .assert()
        .success();
    let csv = stdout_of(&out);
    assert!(
        csv.contains("1,O1,\"'=HYPERLINK(\"\"x\"\")\",'+village,"),
        "{csv}"
    );
    assert!(csv.contains("2,O2,'@SUM(1),'-x,"), "{csv}");
}

#[test]
fn check_reports_integrity_and_digest() {
    let f = Fixture::new();
    let empty = f.digest();
    f.run("add", &["1", "ABCD-"]).success();
    let out = stdout_of(&f.run("check", &[]).success());
    assert!(out.contains("store ok"));
    assert!(out.contains("ballots: 1"));
    assert_ne!(f.digest(), empty);
}

#[test]
fn void_and_edit_keep_history_and_free_the_serial() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("edit", &["1", "BBCD-", "--reason", "typo"]).success();
    assert!(f
        .results_csv()
        .contains(",O1,长兴村党支部,village,excellent,80.00,"));
    f.run("void", &["1", "--reason", "not from this meeting"])
        .success();
    f.run("add", &["1", "CCCCC"]).success();
    let log = stdout_of(&f.run("log", &[]).success());
    for action in ["add", "edit", "set-aside"] {
        assert!(log.contains(action), "{log}");
    }
}

#[test]
fn demo_then_tally_prints_the_ranking_with_tiers() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    tallyclerk_cmd()
        .args(["--lang", "en", "demo"])
        .arg(&dir)
        .assert()
        .success();
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "tally"])
        .arg(&dir)
        .assert()
        .success();
    let table = stdout_of(&out);
    assert!(table.contains("excellent"), "{table}");
    assert!(table.contains("better"), "{table}");
    // The demo has invalid ballots and at least one shared rank.
    let json = stdout_of(
        &tallyclerk_cmd()
            .args(["--lang", "en", "tally"])
            .arg(&dir)
            .args(["--format", "json"])
            .assert()
            .success(),
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(value["forms"]["invalid"].as_u64().unwrap() > 0);
    let ranks: Vec<u64> = value["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_u64().unwrap())
        .collect();
    assert!(
        ranks.windows(2).any(|w| w[0] == w[1]),
        "no shared rank: {ranks:?}"
    );
}

#[test]
fn help_is_available_for_every_command() {
    for command in [
        "demo", "new", "add", "import", "tally", "export", "decide", "undecide", "check", "issued",
        "finalise", "reopen",
    ] {
        tallyclerk_cmd()
            .args([command, "--help"])
            .assert()
            .success();
    }
}

#[test]
fn export_names_the_ballot_set_in_a_companion_sha256_file() {
    use sha2::{Digest, Sha256};
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("export", &[]).success();
    let companion = read(&f.path("results.csv.sha256"));
    let digest = f.digest(); // "digest: sha256:<hex>"
    let set = digest.trim_start_matches("digest: ");
    assert!(
        companion.contains(&format!(
            "# computed from the ballot set {set} (1 form: 1 valid, 0 invalid, 0 verified)"
        )),
        "{companion}"
    );
    assert!(companion.contains("# status: not final"), "{companion}");
    let file_hash: String = Sha256::digest(std::fs::read(f.path("results.csv")).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(
        companion.ends_with(&format!("{file_hash}  results.csv\n")),
        "{companion}"
    );

    f.run("finalise", &[]).success();
    f.run("export", &[]).success();
    assert!(read(&f.path("results.csv.sha256")).contains("# status: FINAL"));
}

#[test]
fn backup_writes_one_consistent_file_that_check_accepts() {
    let f = Fixture::new();
    f.run("add", &["1", "AABCD"]).success();
    f.run("add", &["2", "BACDD"]).success();
    // A reader holds the store open, so the two forms stay in the -wal file: a copy of
    // meeting.db alone would miss them; the backup does not.
    let reader = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    reader
        .query_row("SELECT COUNT(*) FROM ballots", [], |r| r.get::<_, i64>(0))
        .unwrap();
    let copy = f.temp.path().join("copy.db");
    f.run("backup", &[copy.to_str().unwrap()]).success();
    // The copy, as meeting.db beside the meeting's two files, is the same meeting.
    let restored = f.temp.path().join("restored");
    std::fs::create_dir(&restored).unwrap();
    for name in ["meeting.toml", "organizations.csv"] {
        std::fs::copy(f.path(name), restored.join(name)).unwrap();
    }
    std::fs::copy(&copy, restored.join("meeting.db")).unwrap();
    let check = tallyclerk_cmd()
        .args(["--lang", "en", "check"])
        .arg(&restored)
        .assert()
        .success();
    let text = stdout_of(&check);
    assert!(text.contains("ballots: 2"), "{text}");
    assert_eq!(
        text.lines().find(|l| l.starts_with("digest")).unwrap(),
        f.digest()
    );
    // A backup never overwrites a file.
    let again = f.run("backup", &[copy.to_str().unwrap()]).code(1);
    assert!(
        stderr_of(&again).contains("already exists"),
        "{}",
        stderr_of(&again)
    );
    drop(reader);
}
