//! `copy DIR URL` and `copy URL DIR`: the meeting that comes back is the meeting that went.

use crate::server::Server;
use crate::tallyclerk;
use std::path::{Path, PathBuf};

fn run_ok(args: &[&str]) -> String {
    let out = tallyclerk()
        .args(args)
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

fn run_refused(args: &[&str]) -> String {
    let out = tallyclerk()
        .args(args)
        .assert()
        .code(1)
        .get_output()
        .clone();
    String::from_utf8(out.stderr).unwrap()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The demo meeting with keyings by two stations, a withdrawal and a decision on top, so
/// every table of the store has rows.
/// A busy meeting in a folder of `temp`, copied into the database `name` of `server`: the
/// folder and the database's URL.
fn busy_meeting_copied(temp: &tempfile::TempDir, server: &Server, name: &str) -> (PathBuf, String) {
    let dir = temp.path().join("meeting");
    busy_meeting(&dir);
    let url = server.database(name);
    run_ok(&["copy", path(&dir), &url]);
    (dir, url)
}

fn busy_meeting(dir: &Path) {
    run_ok(&["demo", path(dir)]);
    let d = path(dir);
    let marks = "A".to_string() + &"B".repeat(29);
    run_ok(&[
        "--station",
        "east",
        "add",
        d,
        "9001",
        &marks,
        "--group",
        "leaders",
    ]);
    run_ok(&[
        "--station",
        "west",
        "verify",
        d,
        "9001",
        &marks,
        "--group",
        "leaders",
    ]);
    run_ok(&["--clerk", "east", "add", d, "9002", &marks]);
    run_ok(&["withdraw", d, "9002", "--reason", "keyed twice"]);
    run_ok(&["issued", d, "90"]);
}

fn last_audit_hash_in_folder(dir: &Path) -> (i64, String) {
    let conn = rusqlite::Connection::open(dir.join("meeting.db")).unwrap();
    conn.query_row(
        "SELECT COUNT(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn a_meeting_copied_into_a_database_and_back_is_the_same_meeting() {
    let server = Server::start();
    let url = server.database("county");
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("meeting");
    busy_meeting(&dir);

    let said = run_ok(&["copy", path(&dir), &url]);
    assert!(said.contains("meeting copied to"), "{said}");

    // The database holds the meeting itself: its rules, ballots and audit chain.
    let mut db = server.client("county");
    let (entries, head) = last_audit_hash_in_folder(&dir);
    let row = db
        .query_one(
            "SELECT COUNT(*), (SELECT hash FROM audit ORDER BY id DESC LIMIT 1) FROM audit",
            &[],
        )
        .unwrap();
    assert_eq!(
        (row.get::<_, i64>(0), row.get::<_, String>(1)),
        (entries, head)
    );
    let toml: Vec<u8> = db
        .query_one(
            "SELECT content FROM tallyclerk_files WHERE name = 'meeting.toml'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(toml, std::fs::read(dir.join("meeting.toml")).unwrap());
    let keyed_by: String = db
        .query_one(
            "SELECT k.clerk FROM keyings k JOIN ballots b ON b.id = k.ballot_id
             WHERE b.serial = 9001 ORDER BY k.id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(keyed_by, "west");
    // The store's guards hold there too: the audit log is append-only, ballots are never
    // deleted.
    for (sql, refusal) in [
        (
            "UPDATE audit SET detail = 'x'",
            "the audit log is append-only",
        ),
        ("DELETE FROM audit", "the audit log is append-only"),
        ("DELETE FROM ballots", "ballots are voided, never deleted"),
        (
            "TRUNCATE ballots CASCADE",
            "ballots are voided, never deleted",
        ),
        (
            "TRUNCATE decisions",
            "decisions are withdrawn, never deleted",
        ),
    ] {
        let error = match db.batch_execute(sql) {
            Ok(()) => panic!("{sql} was not refused"),
            Err(error) => error,
        };
        assert!(format!("{error:?}").contains(refusal), "{sql}: {error:?}");
    }

    let back = temp.path().join("back");
    run_ok(&["copy", &url, path(&back)]);
    // check passes on both, with the same digest and audit head; results and log are equal.
    let check_there = run_ok(&["check", path(&dir)]);
    let check_back = run_ok(&["check", path(&back)]);
    assert_eq!(check_there, check_back);
    assert!(check_back.contains("digest"), "{check_back}");
    assert_eq!(
        last_audit_hash_in_folder(&back),
        (entries, last_audit_hash_in_folder(&dir).1)
    );
    assert_eq!(
        run_ok(&["tally", path(&dir), "--format", "csv"]),
        run_ok(&["tally", path(&back), "--format", "csv"])
    );
    assert_eq!(run_ok(&["log", path(&dir)]), run_ok(&["log", path(&back)]));
    // The copy is a meeting to work on: a ballot added there is audited on its chain.
    let marks = "B".repeat(30);
    run_ok(&["add", path(&back), "9003", &marks]);
    run_ok(&["check", path(&back)]);
}

#[test]
fn copy_refuses_a_database_that_is_not_empty_and_changes_nothing() {
    let server = Server::start();
    let temp = tempfile::tempdir().unwrap();
    let (dir, url) = busy_meeting_copied(&temp, &server, "taken");
    let count = |db: &mut postgres::Client| -> i64 {
        db.query_one("SELECT COUNT(*) FROM ballots", &[])
            .unwrap()
            .get(0)
    };
    let before = count(&mut server.client("taken"));
    let said = run_refused(&["copy", path(&dir), &url]);
    assert!(said.contains("is not empty"), "{said}");
    assert_eq!(count(&mut server.client("taken")), before);
}

#[test]
fn copy_from_a_database_without_a_meeting_is_refused_and_leaves_no_folder() {
    let server = Server::start();
    let url = server.database("empty");
    let temp = tempfile::tempdir().unwrap();
    let back = temp.path().join("back");
    let said = run_refused(&["copy", &url, path(&back)]);
    assert!(said.contains("holds no meeting"), "{said}");
    assert!(!back.exists());
}

#[test]
fn copy_refuses_a_folder_that_is_not_empty() {
    let server = Server::start();
    let temp = tempfile::tempdir().unwrap();
    let (dir, url) = busy_meeting_copied(&temp, &server, "county");
    let said = run_refused(&["copy", &url, path(&dir)]);
    assert!(said.contains("is not empty"), "{said}");
    run_ok(&["check", path(&dir)]);
}

#[test]
fn copy_says_when_the_server_cannot_be_reached() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("meeting");
    run_ok(&["demo", path(&dir)]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("postgres://nobody:secret@127.0.0.1:{port}/meeting");
    let said = run_refused(&["copy", path(&dir), &url]);
    assert!(said.contains("cannot connect to"), "{said}");
    assert!(
        !said.contains("secret"),
        "the password is not shown: {said}"
    );
}

#[test]
fn copy_takes_one_folder_and_one_url() {
    let said = run_refused(&["copy", "a", "b"]);
    assert!(
        said.contains("copy takes a folder and a database URL"),
        "{said}"
    );
}

#[test]
fn a_command_that_makes_a_folder_says_so_for_a_url() {
    let url = "postgres://tally:secret@127.0.0.1:5432/meeting";
    let said = run_refused(&["demo", url]);
    assert!(
        said.contains("this command makes a meeting folder") && said.contains("copy DIR"),
        "{said}"
    );
    assert!(!said.contains("secret"), "{said}");
}

/// A database that holds a meeting of an older schema (here schema 6, before an import kept
/// its station, made by undoing migration 7 in the database) is refused by every command,
/// saying which schema it holds, which this build works on and what to do, and nothing in it
/// changes; what it says to do, `copy URL DIR`, brings the meeting back whole.
#[test]
fn a_database_of_an_older_schema_is_refused_saying_what_to_do() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start();
    let (dir, url) = busy_meeting_copied(&temp, &server, "meeting");
    let mut client = server.client("meeting");
    client
        .batch_execute(
            "ALTER TABLE import_batches DROP COLUMN clerk;
             UPDATE tallyclerk_sqlite_schema SET sql = replace(sql, ', clerk TEXT', '')
                 WHERE name = 'import_batches';
             UPDATE tallyclerk_image SET value = '6' WHERE key = 'sqlite_user_version';",
        )
        .unwrap();
    let rows = |client: &mut postgres::Client| -> Vec<i64> {
        ["audit", "ballots", "keyings", "tallyclerk_stations"]
            .iter()
            .map(|table| {
                client
                    .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                    .unwrap()
                    .get(0)
            })
            .collect()
    };
    let before = rows(&mut client);
    let marks = "A".repeat(30);
    for args in [
        vec!["tally", url.as_str()],
        vec!["check", url.as_str()],
        vec![
            "--station",
            "east",
            "add",
            url.as_str(),
            "900",
            marks.as_str(),
        ],
    ] {
        let said = run_refused(&args);
        assert!(
            said.contains(&format!(
                "holds a meeting of schema 6, and this tallyclerk works on schema {}",
                tallyclerk::store::SCHEMA_VERSION
            )),
            "{said}"
        );
        assert!(said.contains("is not migrated in place"), "{said}");
        assert!(said.contains("`copy postgres://"), "{said}");
    }
    assert_eq!(rows(&mut client), before);
    let version: String = client
        .query_one(
            "SELECT value FROM tallyclerk_image WHERE key = 'sqlite_user_version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(version, "6");

    // What the refusal says to do: into a folder, which is migrated, audited.
    let back = temp.path().join("back");
    run_ok(&["copy", &url, path(&back)]);
    let log = run_ok(&["log", path(&back)]);
    assert!(
        log.contains(&format!(
            "schema 6 to {}",
            tallyclerk::store::SCHEMA_VERSION
        )),
        "{log}"
    );
    assert!(run_ok(&["check", path(&back)]).contains("store ok"));
    assert_eq!(
        run_ok(&["tally", path(&back), "--format", "csv"]),
        run_ok(&["tally", path(&dir), "--format", "csv"])
    );
}

/// The audit chain covers the keyings and the ballots' lifecycle in a database as in a
/// folder: a second keying said to come from the first keying's station, or a ballot said to
/// be verified, by SQL on the server, fails `check`, naming what changed.
#[test]
fn a_keying_or_a_verification_forged_in_the_database_fails_check() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start();
    let (_dir, url) = busy_meeting_copied(&temp, &server, "meeting");
    assert!(run_ok(&["check", &url]).contains("store ok"));
    let mut db = server.client("meeting");
    for (forgery, undo, named) in [
        (
            "UPDATE keyings SET clerk = 'east' WHERE reading = 2",
            "UPDATE keyings SET clerk = 'west' WHERE reading = 2",
            "the store's keyings (",
        ),
        (
            "UPDATE ballots SET verified_at = '2026-01-01T09:00:00.000Z', verified_by = 'agreed'
             WHERE serial = 9",
            "UPDATE ballots SET verified_at = NULL, verified_by = NULL WHERE serial = 9",
            "the store's ballot_states (",
        ),
    ] {
        db.batch_execute(forgery).unwrap();
        let said = run_refused(&["check", &url]);
        assert!(
            said.contains(named) && said.contains("does not match audit log entry"),
            "{forgery}: {said}"
        );
        db.batch_execute(undo).unwrap();
        assert!(run_ok(&["check", &url]).contains("store ok"));
    }
}
