//! An import into a meeting in PostgreSQL (its ballots go in by binary COPY) stores what the
//! same import stores in a folder's SQLite store, row for row, and fails as a whole when a
//! serial would be stored twice.

use crate::contract::{ballot, Place};
use std::path::Path;
use tallyclerk::model::Ballot;
use tallyclerk::store::{Batched, Filled, Source};
use tallyclerk::Meeting;

/// Two groups; a form with two A marks or without a mark that is neither blank nor spoiled is
/// invalid, each for its own reason.
const GROUPS_AND_RULES: &str = r#"
title = "import"
groups = [{ id = "g1", label = "一", weight = 1 }, { id = "g2", label = "二", weight = 0.5 }]
[rules]
max_marks = { A = 1 }
min_marked = 1
"#;

/// Every column of a ballot but its id (the two stores number rows in the order each wrote
/// them, which differs for serials out of order).
type RawRow = (
    i64,
    Option<String>,
    String,
    i64,
    Option<String>,
    String,
    Option<i64>,
    [Option<String>; 5],
);

const COLUMNS: &str = "serial, grp, marks, valid, invalid_reason, source, batch_id, \
                       created_at, updated_at, verified_at, voided_at, void_reason";

/// The ballots table as stored, by serial, read past the store's own code.
fn raw_ballots(place: &Place) -> Vec<RawRow> {
    let sql = format!("SELECT {COLUMNS} FROM ballots ORDER BY serial");
    let location = place.location().to_str().unwrap();
    if location.starts_with("postgres") {
        let mut client = postgres::Client::connect(location, postgres::NoTls).unwrap();
        client
            .query(&sql, &[])
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r.get(0),
                    r.get(1),
                    r.get(2),
                    r.get(3),
                    r.get(4),
                    r.get(5),
                    r.get(6),
                    [r.get(7), r.get(8), r.get(9), r.get(10), r.get(11)],
                )
            })
            .collect()
    } else {
        let conn = rusqlite::Connection::open(place.location().join("meeting.db")).unwrap();
        let mut stmt = conn.prepare(&sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                    [r.get(7)?, r.get(8)?, r.get(9)?, r.get(10)?, r.get(11)?],
                ))
            })
            .unwrap();
        rows.collect::<Result<_, _>>().unwrap()
    }
}

/// Runs statements on the store past its own code.
fn raw_execute(place: &Place, sql: &str) {
    let location = place.location().to_str().unwrap();
    if location.starts_with("postgres") {
        let mut client = postgres::Client::connect(location, postgres::NoTls).unwrap();
        client.batch_execute(sql).unwrap();
    } else {
        let conn = rusqlite::Connection::open(place.location().join("meeting.db")).unwrap();
        conn.execute_batch(sql).unwrap();
    }
}

/// A canonical ballots CSV of these serials: groups, both reasons of invalid forms, blank and
/// spoiled marks, each chosen by the serial.
/// Imports `ballots` as one batch of the file `name` whose content has the SHA-256 `sha256`.
fn import_ballots(
    m: &mut Meeting,
    name: &str,
    ballots: &[Ballot],
    sha256: &str,
) -> tallyclerk::Result<Batched> {
    m.store
        .import_batch(name, Source::Import, false, false, |sink| {
            for b in ballots {
                sink.insert(b)?;
            }
            Ok(Filled {
                sha256: Some(sha256.into()),
                keep: true,
            })
        })
}

fn write_file(path: &Path, serials: &[u64]) {
    let mut csv = String::from("serial,group,O1,O2,O3\n");
    for &serial in serials {
        let group = ["", "g1", "g2"][serial as usize % 3];
        // "A,A,C" breaks max_marks, "-,*," min_marked.
        let marks =
            ["A,B,C", "A,A,C", "-,B,*", "-,*,", "C,,A", "*,A,B", "D,D,D"][serial as usize % 7];
        csv.push_str(&format!("{serial},{group},{marks}\n"));
    }
    std::fs::write(path, csv).unwrap();
}

/// The digest a full pass over the ballots gives, with the one the imports kept set aside.
fn digest_by_full_pass(place: &Place) -> String {
    raw_execute(
        place,
        "DELETE FROM meta WHERE key IN ('digest', 'digest_for')",
    );
    place.open("reader").store.digest().unwrap()
}

#[test]
fn an_import_into_postgresql_stores_exactly_the_rows_sqlite_stores() {
    // In order up to the middle of the second chunk of the writer (4,096 forms each), then
    // shuffled: the first COPY ends at the first serial out of order and a second one takes
    // the rest, the digest built from the lines as they came and then from those kept.
    let n = 3 * 4096 + 123;
    let mut first: Vec<u64> = (1..=n).map(|s| 2 * s).collect();
    let mut seed = 7u64;
    let shuffled_from = 5000;
    for i in (shuffled_from + 1..first.len()).rev() {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
        let j = shuffled_from + (seed >> 33) as usize % (i + 1 - shuffled_from);
        first.swap(i, j);
    }
    // Then into the meeting holding those, with no digest of the batch's own: odd serials,
    // backwards.
    let second: Vec<u64> = (1..=5000).rev().map(|s| 2 * s + 1).collect();
    let files = tempfile::tempdir().unwrap();
    let (first_file, second_file) = (files.path().join("a.csv"), files.path().join("b.csv"));
    write_file(&first_file, &first);
    write_file(&second_file, &second);

    let places = [
        Place::folder_with(GROUPS_AND_RULES),
        Place::database_with(GROUPS_AND_RULES),
    ];
    let mut seen = Vec::new();
    for place in &places {
        let mut m = place.open("east");
        let mut states = Vec::new();
        for file in [&first_file, &second_file] {
            let reports = m
                .import_files(std::slice::from_ref(file), &Default::default(), |_| None)
                .unwrap();
            assert_eq!(reports.len(), 1);
            let problems = m.check().unwrap();
            assert!(problems.is_empty(), "{problems:?}");
            let kept = m.store.digest().unwrap();
            let results = m.results().unwrap();
            assert_eq!(results.summary.digest, kept);
            states.push((
                raw_ballots(place),
                kept,
                digest_by_full_pass(place),
                m.store.count().unwrap(),
            ));
        }
        seen.push(states);
    }
    let [sqlite, postgres] = [&seen[0], &seen[1]];
    for (step, (on_sqlite, on_postgres)) in sqlite.iter().zip(postgres.iter()).enumerate() {
        let (rows, kept, full_pass, count) = on_sqlite;
        // The rows hold what was meant to be tested.
        let expected = if step == 0 { n } else { n + 5000 };
        assert_eq!(rows.len() as u64, expected);
        assert!(rows.iter().any(|r| r.1.is_none()) && rows.iter().any(|r| r.1.is_some()));
        let reasons: std::collections::BTreeSet<&str> =
            rows.iter().filter_map(|r| r.4.as_deref()).collect();
        assert_eq!(reasons.len(), 2, "{reasons:?}");
        assert!(rows.iter().all(|r| (r.3 == 0) == r.4.is_some()));
        assert!(rows.iter().any(|r| r.2.contains('-')) && rows.iter().any(|r| r.2.contains('*')));
        assert!(rows
            .iter()
            .all(|r| r.5 == "import" && r.7 == [None, None, None, None, None]));
        assert_eq!(kept, full_pass, "SQLite, import {step}");
        assert_eq!(&on_postgres.1, &on_postgres.2, "PostgreSQL, import {step}");
        for (i, (a, b)) in rows.iter().zip(on_postgres.0.iter()).enumerate() {
            assert_eq!(a, b, "import {step}, row {i}");
        }
        assert_eq!(rows.len(), on_postgres.0.len());
        assert_eq!((kept, count), (&on_postgres.1, &on_postgres.3));
    }
}

/// A serial the importer let through twice (it refuses those itself, so the sink is filled by
/// hand): the database's unique index refuses it when the COPY ends, and the batch fails as a
/// whole, saying which serial, with nothing of it kept.
#[test]
fn a_serial_stored_twice_fails_the_import_into_postgresql_and_keeps_nothing() {
    let place = Place::database_with(GROUPS_AND_RULES);
    let mut m = place.open("east");
    // Into a meeting without ballots: 4097 twice in the second COPY, after one that ended at
    // the first serial out of order; then all in one COPY, out of order from the second.
    let cases: [Vec<u64>; 2] = [
        (1..=5000).chain([4097]).collect(),
        (1..=9000).rev().chain([4097]).collect(),
    ];
    for serials in cases {
        let before = (
            m.store.audit_head().unwrap(),
            m.store.count().unwrap(),
            raw_ballots(&place),
        );
        let ballots: Vec<_> = serials.iter().map(|&s| ballot(&m, s, "ABC")).collect();
        let imported = import_ballots(&mut m, "twice.csv", &ballots, "00");
        let error = imported.unwrap_err().to_string();
        assert!(
            error.contains("stored twice") && error.contains("4097"),
            "{error}"
        );
        let after = (
            m.store.audit_head().unwrap(),
            m.store.count().unwrap(),
            raw_ballots(&place),
        );
        assert_eq!(after, before);
        // The connection is still of use.
        assert!(m.check().unwrap().is_empty());
    }
    // Nothing of either batch was kept, and the meeting takes the ballots once.
    let reopened = Meeting::open(place.location()).unwrap();
    assert!(reopened.store.ballots().unwrap().is_empty());
    let once: Vec<_> = [3, 1, 2].iter().map(|&s| ballot(&m, s, "ABC")).collect();
    import_ballots(&mut m, "once.csv", &once, "01").unwrap();
    let serials: Vec<i64> = raw_ballots(&place).iter().map(|r| r.0).collect();
    assert_eq!(serials, [1, 2, 3]);
    assert!(m.check().unwrap().is_empty());
}

/// The connection lost while the COPY streams the batch (the server ends the station's
/// session): the import fails, and the database keeps none of the rows copied before.
#[test]
fn a_connection_lost_during_the_copy_keeps_nothing_of_the_batch() {
    let place = Place::database_with(GROUPS_AND_RULES);
    let mut m = place.open("east");
    let ballots: Vec<_> = (1..=20_000).map(|s| ballot(&m, s, "ABC")).collect();
    let url = place.location().to_str().unwrap().to_string();
    let imported = m
        .store
        .import_batch("lost.csv", Source::Import, false, false, |sink| {
            for (i, b) in ballots.iter().enumerate() {
                if i == 10_000 {
                    // Some chunks are in the COPY by now: its session is ended.
                    let mut other = postgres::Client::connect(&url, postgres::NoTls).unwrap();
                    let ended = other
                        .query(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                             WHERE datname = current_database() AND pid <> pg_backend_pid()",
                            &[],
                        )
                        .unwrap();
                    assert_eq!(ended.len(), 1);
                }
                sink.insert(b)?;
            }
            Ok(Filled {
                sha256: Some("00".into()),
                keep: true,
            })
        });
    // Said as any change the server's absence failed: nothing was changed, do it again.
    let lost = imported.unwrap_err();
    assert!(lost.is_offline(), "{lost:?}");
    assert!(raw_ballots(&place).is_empty());
    // The station goes on: a new connection, and nothing of the batch was kept.
    let reader = place.open("reader");
    assert!(reader.store.ballots().unwrap().is_empty());
    assert!(reader.check().unwrap().is_empty());
    let again: Vec<_> = [2, 1].iter().map(|&s| ballot(&m, s, "ABC")).collect();
    import_ballots(&mut m, "again.csv", &again, "01").unwrap();
    assert_eq!(raw_ballots(&place).len(), 2);
}
