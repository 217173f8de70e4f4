//! Bad input: exit 1, a message naming the place, the store unchanged.

use crate::harness::*;
use tallyclerk::store::SCHEMA_VERSION;

#[test]
fn duplicate_serial_is_refused() {
    let f = Fixture::new();
    f.run("add", &["5", "ABCD-"]).success();
    let before = f.digest();
    let out = f.run("add", &["5", "DDDD-"]).code(1);
    assert!(stderr_of(&out).contains("serial 5 is already in the meeting"));
    assert_eq!(f.digest(), before);
}

#[test]
fn marks_of_the_wrong_length_or_letters_are_refused() {
    let f = Fixture::new();
    let before = f.digest();
    let out = f.run("add", &["1", "ABC"]).code(1);
    assert!(stderr_of(&out).contains("3 marks given, the meeting has 5 organizations"));
    let out = f.run("add", &["1", "ABXD-"]).code(1);
    assert!(
        stderr_of(&out).contains("character 3 \"X\""),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(f.digest(), before);
}

#[test]
fn unknown_org_id_in_a_csv_names_line_and_column() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let before = f.digest();
    let file = f.file("bad.csv", "serial,group,O1,O2,O3,O4,O9\n2,,A,B,C,D,A\n");
    let out = f.run("import", &[file.to_str().unwrap()]).code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("bad.csv:1: column \"O9\": unknown organization id"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:1: organization O5 (西山村党支部) has no column in the file"),
        "{err}"
    );
    assert_eq!(f.digest(), before);
}

#[test]
fn every_bad_row_is_reported_and_nothing_is_imported() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let before = f.digest();
    let file = f.file(
        "rows.csv",
        "serial,group,O1,O2,O3,O4,O5\n2,,A,B,C,D,\n1,,A,B,C,D,\n3,,A,Q,C,D,\n2,,A,B,C,D,\nx,,A,B,C,D,\n4,nobody,A,B,C,D,\n",
    );
    let out = f.run("import", &[file.to_str().unwrap()]).code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("rows.csv:3: column \"serial\": value \"1\": serial already in the meeting"),
        "{err}"
    );
    assert!(
        err.contains("rows.csv:4: column \"O2\": value \"Q\": not a rating"),
        "{err}"
    );
    assert!(
        err.contains("rows.csv:5: column \"serial\": value \"2\": serial twice in the file"),
        "{err}"
    );
    assert!(
        err.contains(
            "rows.csv:6: column \"serial\": value \"x\": a serial must be a whole number from 1 to 999999999999999"
        ),
        "{err}"
    );
    assert!(
        err.contains("rows.csv:7: column \"group\": value \"nobody\": unknown voter group"),
        "{err}"
    );
    assert_eq!(f.digest(), before);
    // The good row 2 was not imported either.
    assert!(!f.results_csv().contains(",2,"));
}

#[test]
fn the_same_file_twice_is_refused_unless_allowed() {
    let f = Fixture::new();
    let file = f.file("b.csv", "serial,group,O1,O2,O3,O4,O5\n1,,A,B,C,D,\n");
    f.run("import", &[file.to_str().unwrap()]).success();
    let before = f.digest();
    let out = f.run("import", &[file.to_str().unwrap()]).code(1);
    assert!(
        stderr_of(&out).contains("this file content was imported before"),
        "{}",
        stderr_of(&out)
    );
    assert_eq!(f.digest(), before);
    // Allowed, and its serial skipped: nothing to add, and nothing changes.
    let out = f
        .run(
            "import",
            &[
                file.to_str().unwrap(),
                "--allow-same-file",
                "--skip-existing",
            ],
        )
        .success();
    assert!(stdout_of(&out).contains("skipped, already in the meeting: 1"));
    assert_eq!(f.digest(), before);
}

#[test]
fn dry_run_changes_nothing() {
    let f = Fixture::new();
    let before = f.digest();
    let file = f.file(
        "b.csv",
        "serial,group,O1,O2,O3,O4,O5\n1,,A,B,C,D,\n2,,A,A,A,B,*\n",
    );
    let out = f
        .run("import", &[file.to_str().unwrap(), "--dry-run"])
        .success();
    let text = stdout_of(&out);
    assert!(
        text.contains(
            "would import (dry run, nothing changed) 2 forms: 1 valid, 1 invalid, 1 spoiled mark"
        ),
        "{text}"
    );
    assert!(
        text.contains("O1 长兴村党支部 A=1 B=0 C=0 D=0 blank=0"),
        "{text}"
    );
    assert_eq!(f.digest(), before);
    // And a real import afterwards is not refused as "imported before".
    f.run("import", &[file.to_str().unwrap()]).success();
}

#[test]
fn malformed_meeting_toml_names_file_line_and_field() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let toml = f.path("meeting.toml");
    let good = read(&toml);
    let cases = [
        (
            good.replace("max_marks = { A = 2 }", "max_marks = { Z = 2 }"),
            "field \"rules.max_marks\": \"Z\" is not an option key",
        ),
        (
            good.replace("quota = 2", "quota = 9"),
            "field \"tiers\": quota sum",
        ),
        (
            good.replace("key = \"B\"", "key = \"A\""),
            "field \"scale.key\": duplicate option key \"A\"",
        ),
        (
            good.replace("rank_by = \"score\"", "rank_by = \"votes\""),
            "field \"rules.rank_by\"",
        ),
        (
            good.replace("name = \"better\"", "name = \"none\""),
            "field \"tiers.name\": tier name \"none\" is reserved",
        ),
        (
            good.replace("label = \"优秀\"", "label = \"较好\""),
            "field \"tiers.label\": tier label \"较好\" is empty, reserved (待定, 无等次) or used twice",
        ),
        (good.replace("title = ", "title = = "), "meeting.toml:1"),
        (good.clone() + "\nunknown_key = 1\n", "unknown field"),
    ];
    for (text, expected) in cases {
        std::fs::write(&toml, &text).unwrap();
        let out = f.run("tally", &[]).code(1);
        let err = stderr_of(&out);
        let expected = expected.replace("quota sum", "quotas add up to");
        assert!(err.contains("meeting.toml"), "{err}");
        assert!(err.contains(&expected), "expected {expected:?} in {err}");
    }
    std::fs::write(&toml, &good).unwrap();
    let out = f.run("tally", &[]).success();
    assert!(stdout_of(&out).contains("collected 1"));
}

#[test]
fn duplicate_organization_ids_are_refused_with_their_line() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = temp.path().join("orgs.csv");
    std::fs::write(&orgs, "id,name\nO1,甲\nO2,乙\nO1,丙\n").unwrap();
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "new"])
        .arg(temp.path().join("m"))
        .arg("--orgs")
        .arg(&orgs)
        .assert()
        .code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("orgs.csv:4: column \"id\": value \"O1\": duplicate id, first on line 2"),
        "{err}"
    );
    assert!(!temp.path().join("m").exists());
}

#[test]
fn changing_the_organizations_after_ballots_is_refused() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let orgs = f.path("organizations.csv");
    std::fs::write(&orgs, ORGS.replace("O5,西山村党支部,village\n", "")).unwrap();
    let out = f.run("tally", &[]).code(1);
    assert!(
        stderr_of(&out).contains("changed since ballots were entered"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn bad_arguments_exit_1() {
    tallyclerk_cmd().args(["tally"]).assert().code(1);
    tallyclerk_cmd().args(["frobnicate"]).assert().code(1);
    tallyclerk_cmd()
        .args(["--lang", "fr", "check", "."])
        .assert()
        .code(1);
}

#[test]
fn a_folder_without_meeting_toml_is_not_a_meeting() {
    let temp = tempfile::tempdir().unwrap();
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "tally"])
        .arg(temp.path())
        .assert()
        .code(1);
    assert!(stderr_of(&out).contains("is not a meeting: it has no meeting.toml"));
    assert!(!temp.path().join("meeting.db").exists());
}

#[test]
fn a_hand_written_meeting_gets_its_store_from_new_and_from_nothing_else() {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("meeting.toml"), "title = \"手写\"\n").unwrap();
    std::fs::write(
        temp.path().join("organizations.csv"),
        "id,name\nA1,甲\nA2,乙\n",
    )
    .unwrap();
    let add = || {
        tallyclerk_cmd()
            .args(["--lang", "en", "add"])
            .arg(temp.path())
            .args(["1", "AB"])
            .assert()
    };
    let err = stderr_of(&add().code(1));
    assert!(err.contains("has no store: "), "{err}");
    assert!(err.contains("`tallyclerk new "), "{err}");
    assert!(!temp.path().join("meeting.db").exists());
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "new"])
        .arg(temp.path())
        .assert()
        .success();
    assert!(stdout_of(&out).starts_with("store created for the meeting in"));
    add().success();
    // A second `new` leaves the store alone.
    let err = stderr_of(
        &tallyclerk_cmd()
            .args(["--lang", "en", "new"])
            .arg(temp.path())
            .assert()
            .code(1),
    );
    assert!(err.contains("already has a store"), "{err}");
    let tally = stdout_of(
        &tallyclerk_cmd()
            .args(["--lang", "en", "tally"])
            .arg(temp.path())
            .assert()
            .success(),
    );
    assert!(tally.contains("collected 1"), "{tally}");
}

#[test]
fn a_corrupt_store_is_a_clear_error() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    for side in ["meeting.db-wal", "meeting.db-shm"] {
        let _ = std::fs::remove_file(f.path(side));
    }
    std::fs::write(
        f.path("meeting.db"),
        b"this is not a database, it only has the name of one",
    )
    .unwrap();
    let err = stderr_of(&f.run("tally", &[]).code(1));
    assert!(
        err.contains("the meeting store cannot be used: file is not a database"),
        "{err}"
    );
}

#[test]
fn a_store_from_a_newer_tallyclerk_is_refused() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = stderr_of(&f.run("add", &["2", "ABCD-"]).code(1));
    assert!(
        err.contains(&format!(
            "was written by a newer tallyclerk (schema 99, this one reads {SCHEMA_VERSION})"
        )),
        "{err}"
    );
}

#[test]
fn a_store_of_schema_1_is_migrated_and_the_migration_audited() {
    // tests/data/schema1 was written by tallyclerk with schema 1 (the demo, a typed form, an
    // import, a void and an edit); tally.csv is what that tallyclerk printed for it.
    let temp = tempfile::tempdir().unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/schema1");
    for file in ["meeting.db", "meeting.toml", "organizations.csv"] {
        std::fs::copy(data.join(file), temp.path().join(file)).unwrap();
    }
    let run = |args: &[&str]| {
        tallyclerk_cmd()
            .args(args)
            .arg(temp.path())
            .args(["--lang", "en"])
            .assert()
    };
    let tally = stdout_of(&run(&["tally", "--format", "csv"]).success());
    assert_eq!(
        tally,
        std::fs::read_to_string(data.join("tally.csv")).unwrap()
    );
    let conn = rusqlite::Connection::open(temp.path().join("meeting.db")).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT COUNT(*) FROM ballots WHERE voided_at IS NOT NULL",
            [],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("ballots_voided"), "{plan}");
    drop(conn);
    let log = stdout_of(&run(&["log"]).success());
    assert!(
        log.contains(&format!("schema 1 to {SCHEMA_VERSION}")),
        "{log}"
    );
    assert!(stdout_of(&run(&["check"]).success()).contains("store ok"));
    tallyclerk_cmd()
        .args(["void"])
        .arg(temp.path())
        .args(["81", "--reason", "double"])
        .assert()
        .success();
    let json = stdout_of(&run(&["tally", "--format", "json"]).success());
    // The form voided under schema 1 ("torn") and the one just voided are set aside: both
    // still collected, neither counted.
    assert!(json.contains("\"set_aside\": 2"), "{json}");
    assert!(json.contains("\"withdrawn\": 0"), "{json}");
    assert!(json.contains("\"collected\": 83"), "{json}");
}

#[test]
fn check_names_the_first_audit_entry_changed_outside_tallyclerk() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("add", &["2", "ABCD-"]).success();
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    // The audit log refuses updates; a forger has to drop the trigger first.
    assert!(conn
        .execute("UPDATE audit SET detail = 'x' WHERE id = 2", [])
        .is_err());
    conn.execute_batch("DROP TRIGGER audit_append_only_update; UPDATE audit SET detail = 'serial 1 group - marks DDDD-' WHERE id = 2;").unwrap();
    drop(conn);
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("audit log entry 2 (add) does not match its chain"),
        "{err}"
    );
}

#[test]
fn check_finds_ballots_changed_outside_tallyclerk() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCD-"]).success();
    f.run("add", &["2", "ABCD-"]).success();
    f.run("edit", &["2", "BBCD-", "--reason", "typo"]).success();
    f.run("void", &["1", "--reason", "stray form"]).success();
    f.run("check", &[]).success();
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    conn.execute("UPDATE ballots SET marks = 'AACD-' WHERE serial = 2", [])
        .unwrap();
    drop(conn);
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the ballots do not match audit log entry"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn a_read_only_meeting_folder_is_a_clear_error() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("m");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("meeting.toml"), "title = \"只读\"\n").unwrap();
    std::fs::write(dir.join("organizations.csv"), "id,name\nA1,甲\n").unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Permissions do not bind the superuser: there is nothing to test then.
    let probe = dir.join("probe");
    if std::fs::write(&probe, b"").is_ok() {
        let _ = std::fs::remove_file(&probe);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        eprintln!("skipped: the folder stays writable for this user");
        return;
    }
    // Creating the store is the first write: it names the file and what the system said.
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "new"])
        .arg(&dir)
        .assert()
        .code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("meeting.db") && err.contains("Permission denied"),
        "{err}"
    );
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
}
