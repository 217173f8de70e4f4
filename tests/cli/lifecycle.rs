//! The meeting's lifecycle on the command line: finalise refused or warned by name, the rules
//! kept while final, the audit chain over the meeting's state, `check` writing nothing, and
//! no store made by any command but `new` and `demo`.

use crate::harness::*;
use sha2::{Digest, Sha256};
use std::path::Path;

/// O1 100, O2 80, O3 70, O4 60, O5 0 (excellent 2, better 1): no tie at a cutoff.
fn settled() -> Fixture {
    let f = Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    f.run("add", &["2", "ABCCD"]).success();
    f
}

/// O2 and O3 tied at 80 for places 2-3, across the cutoff after excellent's 2 places.
fn tied() -> Fixture {
    let f = Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    f.run("add", &["2", "ABBCD"]).success();
    f
}

/// Every file of a folder with its size and SHA-256, by name.
fn listing(dir: &Path) -> Vec<(String, u64, String)> {
    let mut files: Vec<(String, u64, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            let bytes = std::fs::read(entry.path()).unwrap_or_default();
            let hash = Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (
                entry.file_name().to_string_lossy().into_owned(),
                bytes.len() as u64,
                hash,
            )
        })
        .collect();
    files.sort();
    files
}

fn edit_toml(f: &Fixture, from: &str, to: &str) {
    let path = f.path("meeting.toml");
    let text = read(&path);
    assert!(text.contains(from), "{text}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

fn tamper(f: &Fixture, sql: &str) {
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    conn.execute_batch(sql).unwrap();
}

#[test]
fn finalise_is_refused_while_a_tie_at_a_cutoff_is_undecided_naming_it() {
    let f = tied();
    let err = stderr_of(&f.run("finalise", &[]).code(1));
    assert!(
        err.contains(
            "finalise refused:\n  a tie at a cutoff is undecided: O2, O3 (excellent or better)"
        ),
        "{err}"
    );
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(!log.contains("finalise"), "{log}");
    // A third form breaks the tie (O2 80, O3 73.33): nothing is left undecided.
    f.run("add", &["3", "ABCCD"]).success();
    f.run("finalise", &[]).success();
}

#[test]
fn finalise_is_refused_in_a_void_round_naming_the_figures() {
    let f = settled();
    f.run("issued", &["1"]).success();
    let err = stderr_of(&f.run("finalise", &[]).code(1));
    assert!(
        err.contains("VOID ROUND: 2 forms collected, only 1 issued: the round must be re-voted; if the number issued is wrong"),
        "{err}"
    );
    f.run("issued", &["2"]).success();
    f.run("finalise", &[]).success();
}

#[test]
fn finalise_names_every_reason_at_once() {
    let f = tied();
    f.run("issued", &["1"]).success();
    let err = stderr_of(&f.run("finalise", &[]).code(1));
    assert!(err.contains("VOID ROUND"), "{err}");
    assert!(err.contains("a tie at a cutoff is undecided"), "{err}");
}

#[test]
fn finalise_warns_about_unverified_forms_and_prints_the_digests_it_stores() {
    let f = settled();
    let out = f.run("finalise", &[]).success();
    assert!(
        stderr_of(&out).contains("warning: not verified: 2 forms (keyed once only)"),
        "{}",
        stderr_of(&out)
    );
    let text = stdout_of(&out);
    assert!(text.starts_with("meeting finalised\n"), "{text}");
    assert!(text.contains("\nrules: sha256:"), "{text}");
    assert!(text.contains("\nresults: sha256:"), "{text}");
    let digest = |name: &str| {
        let line = text.lines().find(|l| l.starts_with(name)).unwrap();
        line.trim_start_matches(name).to_string()
    };
    let (rules, results) = (digest("rules: sha256:"), digest("results: sha256:"));
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains(&format!(
            "meeting finalised; rules sha256:{rules} results sha256:{results}"
        )),
        "{log}"
    );
    let check = stdout_of(&f.run("check", &[]).success());
    assert!(
        check.contains(&format!(
            "final: rules sha256:{rules}, results sha256:{results}"
        )),
        "{check}"
    );
}

#[test]
fn require_verified_refuses_finalising_unverified_forms() {
    let f = settled();
    edit_toml(&f, "[rules]\n", "[rules]\nrequire_verified = true\n");
    let err = stderr_of(&f.run("finalise", &[]).code(1));
    assert!(
        err.contains("2 forms not verified and 0 forms disputed, and meeting.toml sets require_verified = true"),
        "{err}"
    );
    assert!(!stdout_of(&f.run("tally", &[]).success()).contains("FINAL"));
}

#[test]
fn meeting_toml_changed_after_finalising_is_refused_naming_the_key() {
    let f = settled();
    f.run("finalise", &[]).success();
    edit_toml(&f, "quota = 2", "quota = 1");
    let named = "meeting.toml changed after finalising: tiers[0].quota 2 → 1";
    for (command, args) in [
        ("tally", vec![]),
        ("export", vec![]),
        ("check", vec![]),
        ("log", vec![]),
        ("add", vec!["3", "ABCD-"]),
    ] {
        let err = stderr_of(&f.run(command, &args).code(1));
        assert!(err.contains(named), "{command}: {err}");
    }
    assert!(!f.path("results.csv").exists());
    // Put back, the meeting is whole and final again.
    edit_toml(&f, "quota = 1", "quota = 2");
    assert!(stdout_of(&f.run("tally", &[]).success()).contains("FINAL"));
    f.run("check", &[]).success();
    // Reopening is the way to change the rules of a finalised meeting.
    edit_toml(&f, "rank_by = \"score\"", "rank_by = \"top_rate\"");
    let err = stderr_of(&f.run("tally", &[]).code(1));
    assert!(
        err.contains("rules.rank_by \"score\" → \"top_rate\""),
        "{err}"
    );
    f.run("reopen", &["--reason", "ranked by the wrong figure"])
        .success();
    assert!(!stdout_of(&f.run("tally", &[]).success()).contains("FINAL"));
    f.run("check", &[]).success();
}

#[test]
fn organizations_changed_after_finalising_are_named_too() {
    let f = settled();
    f.run("finalise", &[]).success();
    let orgs = f.path("organizations.csv");
    let text = read(&orgs).replace("东门社区党支部", "东门社区第一党支部");
    std::fs::write(&orgs, text).unwrap();
    let err = stderr_of(&f.run("tally", &[]).code(1));
    assert!(
        err.contains("the organizations file changed after finalising: organizations[1].name \"东门社区党支部\" → \"东门社区第一党支部\""),
        "{err}"
    );
}

#[test]
fn check_finds_a_changed_or_deleted_decision() {
    let f = tied();
    f.run(
        "decide",
        &["--tier", "excellent", "O2", "--reason", "drawn by lot"],
    )
    .success();
    f.run("check", &[]).success();
    tamper(&f, "UPDATE decisions SET orgs = 'O3'");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the store's decisions (") && err.contains("does not match audit log entry"),
        "{err}"
    );
    tamper(&f, "UPDATE decisions SET orgs = 'O2'");
    f.run("check", &[]).success();
    // Decisions are withdrawn, never deleted: a forger drops the trigger first.
    tamper(
        &f,
        "DROP TRIGGER decisions_never_deleted; DELETE FROM decisions",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's decisions ("), "{err}");
}

#[test]
fn check_finds_a_deleted_or_changed_ballot_history_row() {
    let f = settled();
    f.run("edit", &["1", "BBCD-", "--reason", "typo"]).success();
    f.run("check", &[]).success();
    tamper(&f, "UPDATE ballot_history SET reason = 'nothing'");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the store's ballot_history (")
            && err.contains("does not match audit log entry"),
        "{err}"
    );
    tamper(&f, "DELETE FROM ballot_history");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's ballot_history ("), "{err}");
}

#[test]
fn check_finds_a_renamed_or_changed_import_batch() {
    let f = Fixture::new();
    let file = f.file("b.csv", "serial,group,O1,O2,O3,O4,O5\n1,,A,B,C,D,\n");
    f.run("import", &[file.to_str().unwrap()]).success();
    f.run("check", &[]).success();
    tamper(&f, "UPDATE import_batches SET file_name = 'other.csv'");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the store's import_batches (")
            && err.contains("does not match audit log entry"),
        "{err}"
    );
    tamper(
        &f,
        "UPDATE import_batches SET file_name = 'b.csv', rows = 7",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's import_batches ("), "{err}");
}

#[test]
fn check_finds_a_changed_finalised_flag() {
    let f = settled();
    f.run("finalise", &[]).success();
    tamper(&f, "UPDATE meta SET value = '0' WHERE key = 'finalised'");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the store's finalised (0) does not match audit log entry"),
        "{err}"
    );
    assert!(err.contains("the last one (1)"), "{err}");
}

#[test]
fn check_finds_a_changed_or_deleted_forms_issued_figure() {
    let f = settled();
    f.run("issued", &["40"]).success();
    tamper(
        &f,
        "UPDATE meta SET value = '50' WHERE key = 'forms_issued'",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the store's forms_issued (50) does not match audit log entry"),
        "{err}"
    );
    assert!(err.contains("the last one (40)"), "{err}");
    tamper(&f, "DELETE FROM meta WHERE key = 'forms_issued'");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's forms_issued (-)"), "{err}");
}

/// Runs `tallyclerk --station STATION <command> DIR <rest>` with English messages.
fn run_at(f: &Fixture, station: &str, command: &str, rest: &[&str]) -> assert_cmd::assert::Assert {
    tallyclerk_cmd()
        .args(["--lang", "en", "--station", station, command])
        .arg(&f.dir)
        .args(rest)
        .assert()
}

#[test]
fn check_finds_a_keying_rewritten_deleted_or_added_outside_tallyclerk() {
    let f = Fixture::new();
    run_at(&f, "east", "add", &["1", "ABBCD"]).success();
    run_at(&f, "west", "verify", &["1", "ABBCD"]).success();
    f.run("check", &[]).success();
    let head = audit_head(&f);
    // The second keying said to come from the station of the first: the rule that a second
    // keying comes from another station would no longer hold, and nothing else tells.
    tamper(&f, "UPDATE keyings SET clerk = 'east' WHERE reading = 2");
    for expect in [&[][..], &["--expect", head.as_str()][..]] {
        let err = stderr_of(&f.run("check", expect).code(1));
        assert!(
            err.contains("the store's keyings (") && err.contains("does not match audit log entry"),
            "{err}"
        );
    }
    tamper(&f, "UPDATE keyings SET clerk = 'west' WHERE reading = 2");
    f.run("check", &["--expect", &head]).success();
    tamper(&f, "DELETE FROM keyings WHERE reading = 2");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's keyings ("), "{err}");
    tamper(
        &f,
        "INSERT INTO keyings (ballot_id, reading, group_keyed, grp, marks, clerk, keyed_at)
         SELECT ballot_id, 2, 1, NULL, marks, 'west', keyed_at FROM keyings",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(err.contains("the store's keyings ("), "{err}");
}

#[test]
fn check_finds_a_ballot_verified_or_its_void_kind_changed_outside_tallyclerk() {
    let f = settled();
    f.run("add", &["3", "ABBCD"]).success();
    f.run("withdraw", &["3", "--reason", "keyed twice"])
        .success();
    let file = f.file("b.csv", "serial,group,O1,O2,O3,O4,O5\n5,,A,B,C,D,\n");
    f.run("import", &[file.to_str().unwrap()]).success();
    f.run("check", &[]).success();
    let err_of = |sql: &str| {
        tamper(&f, sql);
        stderr_of(&f.run("check", &[]).code(1))
    };
    // Verified by a pair of columns set as a step sets them: only the chain tells.
    for serial in [2, 5] {
        let err = err_of(&format!(
            "UPDATE ballots SET verified_at = '2026-01-01T09:00:00.000Z', verified_by = 'agreed' WHERE serial = {serial}"
        ));
        assert!(
            err.contains("the store's ballot_states (")
                && err.contains("does not match audit log entry"),
            "ballot {serial}: {err}"
        );
        tamper(
            &f,
            &format!(
                "UPDATE ballots SET verified_at = NULL, verified_by = NULL WHERE serial = {serial}"
            ),
        );
        f.run("check", &[]).success();
    }
    // A keying mistake turned into a paper form set aside: it would count as collected.
    let err =
        err_of("UPDATE ballots SET void_kind = 'set_aside', void_reason = 'torn' WHERE serial = 3");
    assert!(err.contains("the store's ballot_states ("), "{err}");
}

#[test]
fn check_finds_an_imported_ballot_moved_to_another_batch_or_no_longer_marked_imported() {
    let f = Fixture::new();
    let header = "serial,group,O1,O2,O3,O4,O5\n";
    let first = f.file("b1.csv", &format!("{header}1,,A,B,C,D,\n2,,A,B,C,D,\n"));
    let second = f.file("b2.csv", &format!("{header}3,,A,B,C,D,\n"));
    f.run("import", &[first.to_str().unwrap()]).success();
    f.run("import", &[second.to_str().unwrap()]).success();
    f.run("check", &[]).success();
    // Neither changes the ballot set nor touches a column a step writes: the batches tell.
    tamper(&f, "UPDATE ballots SET batch_id = 2 WHERE serial = 1");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains(
            "b1.csv) wrote 2 ballots, and 1 refer to it: the store was changed outside tallyclerk"
        ),
        "{err}"
    );
    assert!(
        err.contains("import batch 1 (")
            && err.contains("b2.csv) wrote 1 ballot, and 2 refer to it"),
        "{err}"
    );
    tamper(&f, "UPDATE ballots SET batch_id = 1 WHERE serial = 1");
    f.run("check", &[]).success();
    tamper(&f, "UPDATE ballots SET source = 'typed' WHERE serial = 3");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("1 ballot of import batch 2 (")
            && err.contains("b2.csv) not marked as imported (source)"),
        "{err}"
    );
}

#[test]
fn check_finds_a_kept_sum_changed_outside_tallyclerk() {
    let f = Fixture::new();
    run_at(&f, "east", "add", &["1", "ABBCD"]).success();
    f.run("check", &[]).success();
    // Each change brings the sums along and records them: one kept wrong would be recorded
    // by the next change, so check names it now.
    for key in ["keyings_sum", "ballot_states_sum", "set_hash"] {
        let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
        let kept: String = conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .unwrap();
        drop(conn);
        let zero = "0".repeat(64);
        tamper(
            &f,
            &format!("UPDATE meta SET value = '{zero}' WHERE key = '{key}'"),
        );
        let err = stderr_of(&f.run("check", &[]).code(1));
        let name = key.trim_end_matches("_sum");
        assert!(
            err.contains(&format!(
                "the store's kept sum of the {name} ({zero}) does not match the rows ({kept})"
            )),
            "{key}: {err}"
        );
        tamper(
            &f,
            &format!("UPDATE meta SET value = '{kept}' WHERE key = '{key}'"),
        );
        f.run("check", &[]).success();
    }
}

#[test]
fn check_names_the_serial_whose_stored_invalid_reason_disagrees_with_the_rules() {
    let f = settled();
    // Three excellent marks where at most two are allowed.
    f.run("add", &["3", "AAABD"]).success();
    f.run("check", &[]).success();
    tamper(
        &f,
        "UPDATE ballots SET invalid_reason = 'min_marked:0:1' WHERE serial = 3",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 3: its stored invalid_reason (\"min_marked:0:1\") disagrees with the rules (\"max_marks:A:3:2\"): the store was changed outside tallyclerk"),
        "{err}"
    );
    tamper(
        &f,
        "UPDATE ballots SET invalid_reason = 'max_marks:A:3:2' WHERE serial = 3",
    );
    f.run("check", &[]).success();
    tamper(
        &f,
        "UPDATE ballots SET invalid_reason = 'max_marks:A:3:2' WHERE serial = 1",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 1: its stored invalid_reason (\"max_marks:A:3:2\") disagrees with the rules (empty)"),
        "{err}"
    );
}

#[test]
fn check_names_the_serial_whose_void_kind_and_voided_at_disagree() {
    let f = settled();
    f.run("add", &["3", "ABBCD"]).success();
    f.run("withdraw", &["3", "--reason", "keyed twice"])
        .success();
    f.run("check", &[]).success();
    // Taken out of the count without saying how.
    tamper(&f, "UPDATE ballots SET void_kind = NULL WHERE serial = 3");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 3 was taken out of the count (voided_at) without a void_kind saying how (withdrawn or set_aside): the store was changed outside tallyclerk"),
        "{err}"
    );
    // A kind no step writes (SQLite's own check constraint switched off, as a forger can).
    tamper(
        &f,
        "PRAGMA ignore_check_constraints = 1; UPDATE ballots SET void_kind = 'lost' WHERE serial = 3",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 3: void_kind \"lost\" is neither withdrawn nor set_aside"),
        "{err}"
    );
    tamper(
        &f,
        "UPDATE ballots SET void_kind = 'withdrawn' WHERE serial = 3",
    );
    f.run("check", &[]).success();
    // A ballot that counts said to be set aside.
    tamper(
        &f,
        "UPDATE ballots SET void_kind = 'set_aside' WHERE serial = 1",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains(
            "ballot 1 counts (its voided_at is empty), yet its void_kind is \"set_aside\""
        ),
        "{err}"
    );
}

#[test]
fn check_names_the_serial_whose_verified_at_and_verified_by_disagree() {
    let f = settled();
    f.run("verify", &["1", "ABBCD"]).success();
    f.run("check", &[]).success();
    tamper(&f, "UPDATE ballots SET verified_by = NULL WHERE serial = 1");
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 1 has a verified_at without a verified_by"),
        "{err}"
    );
    tamper(
        &f,
        "UPDATE ballots SET verified_by = 'agreed' WHERE serial = 2",
    );
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballot 2 has a verified_by (\"agreed\") without a verified_at"),
        "{err}"
    );
}

#[test]
fn log_prints_each_time_in_local_time_as_the_ui_shows_it() {
    let f = settled();
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    // Each entry's stored UTC time as a clock at UTC shows it, and eight hours on.
    let clock = |shift: &str| -> Vec<String> {
        conn.prepare("SELECT strftime('%Y-%m-%d %H:%M:%S', at, ?1) FROM audit ORDER BY id")
            .unwrap()
            .query_map([shift], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let (utc, east) = (clock("+0 hours"), clock("+8 hours"));
    drop(conn);
    let log_at = |zone: &str| {
        let out = tallyclerk_cmd()
            .env("TZ", zone)
            .args(["--lang", "en", "log"])
            .arg(&f.dir)
            .assert()
            .success();
        stdout_of(&out)
    };
    let times = |log: &str| -> Vec<String> { log.lines().map(|l| l[..19].to_string()).collect() };
    let log = log_at("XST-8");
    assert_eq!(times(&log), east, "{log}");
    assert!(
        log.lines().nth(1).unwrap()[19..].starts_with("  add       serial 1 "),
        "{log}"
    );
    let log = log_at("UTC0");
    assert_eq!(times(&log), utc, "{log}");
}

#[test]
fn check_writes_nothing_and_reports_changed_validity_rules() {
    let f = settled();
    f.run("check", &[]).success();
    edit_toml(&f, "max_marks = { A = 2 }", "max_marks = { A = 0 }");
    let before = listing(&f.dir);
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("the validity rules of meeting.toml (max_marks, min_marked) changed since the ballots were judged: 2 ballots change validity"),
        "{err}"
    );
    assert_eq!(listing(&f.dir), before);
    // A command that works on the meeting recomputes validity (audited); then all agrees.
    f.run("tally", &[]).success();
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(
        log.contains("validity recomputed for changed rules"),
        "{log}"
    );
    f.run("check", &[]).success();
}

#[test]
fn check_on_a_finalised_meeting_with_changed_rules_reports_them_and_writes_nothing() {
    let f = settled();
    f.run("finalise", &[]).success();
    edit_toml(&f, "min_marked = 1", "min_marked = 5");
    let before = listing(&f.dir);
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("meeting.toml changed after finalising: rules.min_marked 1 → 5"),
        "{err}"
    );
    assert_eq!(listing(&f.dir), before);
}

#[test]
fn commands_on_a_folder_without_a_store_exit_1_and_create_nothing() {
    let f = Fixture::new();
    std::fs::remove_file(f.path("meeting.db")).unwrap();
    let file = f.file("more.csv", "serial,O1,O2,O3,O4,O5\n9,A,B,C,D,\n");
    let before = listing(&f.dir);
    let attempts: Vec<(&str, Vec<&str>)> = vec![
        ("check", vec![]),
        ("tally", vec![]),
        ("export", vec![]),
        ("log", vec![]),
        ("add", vec!["1", "ABCD-"]),
        ("import", vec![file.to_str().unwrap()]),
        ("issued", vec!["40"]),
        ("finalise", vec![]),
        ("reopen", vec!["--reason", "x"]),
        ("void", vec!["1", "--reason", "x"]),
    ];
    for (command, args) in &attempts {
        let err = stderr_of(&f.run(command, args).code(1));
        assert!(
            err.contains("has no store: ") && err.contains("meeting.db is missing"),
            "{command}: {err}"
        );
        assert_eq!(listing(&f.dir), before, "{command}");
    }
}

#[test]
fn commands_on_an_empty_store_exit_1_and_change_nothing() {
    let f = Fixture::new();
    // Emptied to 0 bytes, and a database file with no tables in it.
    std::fs::write(f.path("meeting.db"), b"").unwrap();
    let conn = rusqlite::Connection::open(f.temp.path().join("blank.db")).unwrap();
    conn.execute_batch("CREATE TABLE t (x); DROP TABLE t;")
        .unwrap();
    drop(conn);
    let blank = std::fs::read(f.temp.path().join("blank.db")).unwrap();
    assert!(!blank.is_empty());
    for content in [Vec::new(), blank] {
        std::fs::write(f.path("meeting.db"), &content).unwrap();
        let before = listing(&f.dir);
        for command in ["check", "tally", "export", "add"] {
            let args: &[&str] = if command == "add" {
                &["1", "ABCD-"]
            } else {
                &[]
            };
            let err = stderr_of(&f.run(command, args).code(1));
            assert!(err.contains("has an empty store: "), "{command}: {err}");
            assert_eq!(listing(&f.dir), before, "{command}");
        }
    }
}

/// The audit head as `check` prints it.
fn audit_head(f: &Fixture) -> String {
    let out = stdout_of(&f.run("check", &[]).success());
    out.lines()
        .find_map(|l| l.strip_prefix("audit head: "))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string()
}

/// The hash of an audit entry as the store chains it: each field length-prefixed.
fn entry_hash(fields: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for field in fields {
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn tally_check_and_the_companion_file_carry_the_same_audit_head() {
    let f = settled();
    let head = audit_head(&f);
    assert_eq!(head.len(), 64, "{head}");
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(table.contains(&format!("audit head: {head}")), "{table}");
    let json: serde_json::Value =
        serde_json::from_str(&stdout_of(&f.run("tally", &["--format", "json"]).success())).unwrap();
    assert_eq!(json["audit_head"], head.as_str());
    f.run("export", &[]).success();
    let companion = read(&f.path("results.csv.sha256"));
    assert!(
        companion.contains(&format!("\n# audit head: {head}\n")),
        "{companion}"
    );
    f.run("check", &["--expect", &head]).success();
}

#[test]
fn check_expect_finds_trailing_audit_entries_cut_after_the_head_was_noted() {
    let f = settled();
    f.run("finalise", &[]).success();
    let head = audit_head(&f);
    // Erasing the finalise: its entry, and what it stored.
    tamper(
        &f,
        "DROP TRIGGER audit_append_only_delete;
         DELETE FROM audit WHERE id = (SELECT MAX(id) FROM audit);
         DELETE FROM meta WHERE key IN ('finalised', 'final_rules', 'final_rules_sha256', 'final_results_sha256');",
    );
    // The store alone is consistent again: only the head noted outside it tells.
    f.run("check", &[]).success();
    let err = stderr_of(&f.run("check", &["--expect", &head]).code(1));
    assert!(
        err.contains(&format!(
            "the audit chain does not hold the expected head {head}"
        )),
        "{err}"
    );
}

#[test]
fn check_expect_finds_an_audit_chain_written_anew() {
    let f = settled();
    let head = audit_head(&f);
    // Every entry's time rewritten (one more digit) and the chain computed afresh over it.
    let conn = rusqlite::Connection::open(f.path("meeting.db")).unwrap();
    conn.execute_batch("DROP TRIGGER audit_append_only_update")
        .unwrap();
    let entries: Vec<(i64, String, String, String, String, Option<String>)> = conn
        .prepare("SELECT id, at, action, detail, set_hash, state FROM audit ORDER BY id")
        .unwrap()
        .query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let mut prev = String::new();
    for (id, at, action, detail, set_hash, state) in entries {
        let at = at.replace('Z', "0Z");
        let mut fields = vec![prev.as_str(), &at, &action, &detail, &set_hash];
        fields.extend(state.as_deref());
        let hash = entry_hash(&fields);
        conn.execute(
            "UPDATE audit SET at = ?1, prev_hash = ?2, hash = ?3 WHERE id = ?4",
            rusqlite::params![at, prev, hash, id],
        )
        .unwrap();
        prev = hash;
    }
    drop(conn);
    f.run("check", &[]).success();
    assert_ne!(audit_head(&f), head);
    let err = stderr_of(&f.run("check", &["--expect", &head]).code(1));
    assert!(
        err.contains("entries were cut or the chain was written anew"),
        "{err}"
    );
}

#[test]
fn check_finds_a_companion_file_whose_audit_head_is_not_in_the_chain() {
    let f = settled();
    f.run("export", &[]).success();
    f.run("check", &[]).success();
    let path = f.path("results.csv.sha256");
    let text = read(&path);
    let head = text
        .lines()
        .find_map(|l| l.strip_prefix("# audit head: "))
        .unwrap()
        .to_string();
    std::fs::write(&path, text.replace(&head, &"0".repeat(64))).unwrap();
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("results.csv.sha256: the audit chain does not hold the expected head 0000"),
        "{err}"
    );
}

#[test]
fn the_ballots_csv_and_the_workbook_carry_the_audit_head_too() {
    use calamine::{Reader, Xlsx};
    let f = settled();
    let head = audit_head(&f);
    f.run("export", &[]).success();

    // ballots.csv keeps its clean import layout; its companion names it and the head.
    let companion = read(&f.path("ballots.csv.sha256"));
    assert!(
        companion.starts_with("# tallyclerk ballots: "),
        "{companion}"
    );
    assert!(
        companion.contains(&format!("\n# audit head: {head}\n")),
        "{companion}"
    );
    let line = companion.lines().find(|l| !l.starts_with('#')).unwrap();
    let (sha, name) = line.split_once("  ").unwrap();
    assert_eq!(name, "ballots.csv");
    let bytes = std::fs::read(f.path("ballots.csv")).unwrap();
    assert_eq!(tallyclerk::store::hex(&Sha256::digest(&bytes)), sha);

    // The workbook states the head among its summary lines.
    let mut workbook: Xlsx<_> = calamine::open_workbook(f.path("results.xlsx")).unwrap();
    let sheet = workbook.worksheet_range_at(0).unwrap().unwrap();
    let row = sheet
        .rows()
        .find(|row| row.iter().any(|c| *c == "Audit head"))
        .unwrap_or_else(|| panic!("no Audit head line in the workbook"));
    assert!(row.iter().any(|c| c.to_string() == head), "{row:?}");

    // A ballots companion whose head is not in the chain, or a ballots.csv changed after
    // the export, is named by check.
    f.run("check", &[]).success();
    std::fs::write(
        f.path("ballots.csv.sha256"),
        companion.replace(&head, &"0".repeat(64)),
    )
    .unwrap();
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballots.csv.sha256: the audit chain does not hold the expected head 0000"),
        "{err}"
    );
    std::fs::write(f.path("ballots.csv.sha256"), &companion).unwrap();
    let mut changed = bytes.clone();
    changed.extend_from_slice(b"99,,A\r\n");
    std::fs::write(f.path("ballots.csv"), changed).unwrap();
    let err = stderr_of(&f.run("check", &[]).code(1));
    assert!(
        err.contains("ballots.csv does not match the SHA-256 in"),
        "{err}"
    );
}
