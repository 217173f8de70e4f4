//! Reading the store a page at a time, for screens over meetings of any size: the ballots by
//! serial and the audit log by entry, each page found from a key (keyset pagination, so a
//! page costs the same at the start and at the end of 100,000 ballots), and one ballot's
//! history. Times are given in the computer's local time, converted by SQLite (`localtime`),
//! as the clerk reads them off the wall clock; the store keeps UTC.

use super::db::{args, Db};
use super::{Removed, Store, StoredBallot, STORED_COLUMNS};
use crate::error::Result;

/// A ballot's place in the list: serial, then row id (a withdrawn or set-aside ballot comes
/// before a later one of the same serial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct BallotKey {
    /// The serial.
    pub serial: u64,
    /// The row id.
    pub id: i64,
}

impl StoredBallot {
    /// Its place in the list.
    pub fn key(&self) -> BallotKey {
        BallotKey {
            serial: self.ballot.serial,
            id: self.id,
        }
    }
}

/// Which way a page runs from its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The ballots after the key (from the first, without a key), in list order.
    After,
    /// The ballots before the key (from the last, without a key), nearest first.
    Before,
}

/// One row of a ballot's history as kept: a version replaced, a keying, or the row itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptRow {
    /// Local time, to the second.
    pub at: String,
    /// The time as stored (UTC, to the millisecond), to put rows in order.
    pub utc: String,
    /// What the row is.
    pub kind: KeptKind,
    /// The group, where the row holds one.
    pub group: Option<String>,
    /// The marks as stored (`.` for a row a further reading did not key).
    pub marks: String,
    /// The clerk named at the station, for a keying, and for the row of an imported ballot
    /// the station that imported it.
    pub clerk: Option<String>,
    /// The reason given, for a version replaced or a ballot taken out.
    pub reason: Option<String>,
}

/// What a [`KeptRow`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeptKind {
    /// The ballot as first stored: typed, imported from this file, or the demo.
    Stored {
        /// `typed`, `import` or `demo`.
        source: String,
        /// The import file's name.
        file: Option<String>,
    },
    /// A version replaced at this time (the row holds the old group and marks).
    Replaced,
    /// A keying typed at a station: 1 the first (or an edit), 2 the second, 3 and on further
    /// readings.
    Keying(u32),
    /// The ballot left the count: withdrawn (else set aside).
    TakenOut {
        /// A keying mistake withdrawn; else a paper form set aside.
        withdrawn: bool,
    },
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its number in the chain.
    pub id: i64,
    /// Local time.
    pub at: String,
    /// The action word (`add`, `edit`, `import` ...).
    pub action: String,
    /// The detail, as recorded.
    pub detail: String,
}

/// Which audit entries a page shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only entries of this action.
    pub action: Option<String>,
    /// Only entries about the ballot with this serial.
    pub serial: Option<u64>,
}

/// A stored UTC time (`2022-02-16T09:30:00.000Z`) in this station's local time,
/// `2022-02-16 17:30:00`: SQLite converts it with the system's zone rules; PostgreSQL with
/// the zone the connection was given, this station's (see [`super::db`]).
pub(super) fn local(db: &Db, column: &str) -> String {
    if db.is_postgres() {
        format!("to_char(({column})::timestamptz, 'YYYY-MM-DD HH24:MI:SS')")
    } else {
        format!("strftime('%Y-%m-%d %H:%M:%S', {column}, 'localtime')")
    }
}

impl Store {
    /// At most `limit` ballots (withdrawn and set-aside ones included, with how they left the
    /// count) next to `key` in `direction`, from one end of the list without a key. Reads
    /// only those rows: the ballots that count through the serial index, the few withdrawn or
    /// set aside through theirs (no index over every ballot, which every import would have to
    /// keep up).
    pub fn ballots_page(
        &self,
        key: Option<BallotKey>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<(StoredBallot, Option<Removed>)>> {
        let (compare, order, (serial, id)) = match direction {
            Direction::After => (">", "ASC", key.map_or((-1, 0), |k| (k.serial as i64, k.id))),
            Direction::Before => (
                "<",
                "DESC",
                key.map_or((i64::MAX, 0), |k| (k.serial as i64, k.id)),
            ),
        };
        let columns = format!("{STORED_COLUMNS}, void_kind, void_reason, voided_at IS NOT NULL");
        let rows = self.conn.query_map(&format!(
            "SELECT * FROM (SELECT {columns} FROM ballots
                 WHERE voided_at IS NULL AND serial {compare}= ?1 AND (serial {compare} ?1 OR id {compare} ?2)
                 ORDER BY serial {order} LIMIT ?3)
             UNION ALL
             SELECT * FROM (SELECT {columns} FROM ballots
                 WHERE voided_at IS NOT NULL AND (serial {compare} ?1 OR (serial = ?1 AND id {compare} ?2))
                 ORDER BY serial {order}, id {order} LIMIT ?3)
             ORDER BY 2 {order}, 1 {order} LIMIT ?3"
        ), args![serial, id, limit as i64], |r| {
            let kind: Option<String> = r.get(10)?;
            let reason: Option<String> = r.get(11)?;
            let voided: bool = r.get(12)?;
            Ok((super::stored_row(r)?, voided, kind, reason))
        })?;
        rows.into_iter()
            .map(|(row, voided, kind, reason)| {
                let removed = voided.then(|| Removed {
                    withdrawn: kind.as_deref() == Some("withdrawn"),
                    reason: reason.unwrap_or_default(),
                });
                Ok((self.stored_ballot(row)?, removed))
            })
            .collect()
    }

    /// The key of the ballot with this serial that counts, else of the last one withdrawn or
    /// set aside under it; `None` when the serial was never stored.
    pub fn key_of_serial(&self, serial: u64) -> Result<Option<BallotKey>> {
        Ok(super::states::row_of_serial(&self.conn, serial)?.map(|id| BallotKey { serial, id }))
    }

    /// What the store keeps of the ballot in row `id`, oldest first: the row as first stored
    /// (its group and marks are those of the current version), each version replaced, each
    /// keying, and its taking out. The caller puts them together (see
    /// [`crate::meeting::history`]).
    pub fn kept_rows(&self, id: i64) -> Result<Vec<KeptRow>> {
        let mut out = Vec::new();
        let created_utc =
            "COALESCE(b.created_at, (SELECT imported_at FROM import_batches WHERE id = b.batch_id))";
        let created = local(&self.conn, created_utc);
        let voided = local(&self.conn, "b.voided_at");
        let (source, file, (at, utc), group, marks, void_at, void_kind, void_reason, importer) =
            self.conn.query_row(
                &format!(
                    "SELECT b.source, (SELECT file_name FROM import_batches WHERE id = b.batch_id),
                     {created}, {created_utc}, b.grp, b.marks, {voided}, b.voided_at,
                     b.void_kind, b.void_reason,
                     (SELECT clerk FROM import_batches WHERE id = b.batch_id)
                     FROM ballots b WHERE b.id = ?1"
                ),
                args![id],
                |r| {
                    let void_at: Option<String> = r.get(6)?;
                    let void_utc: Option<String> = r.get(7)?;
                    Ok((
                        r.get::<String>(0)?,
                        r.get::<Option<String>>(1)?,
                        (r.get::<String>(2)?, r.get::<String>(3)?),
                        r.get::<Option<String>>(4)?,
                        r.get::<String>(5)?,
                        void_at.zip(void_utc),
                        r.get::<Option<String>>(8)?,
                        r.get::<Option<String>>(9)?,
                        r.get::<Option<String>>(10)?,
                    ))
                },
            )?;
        out.push(KeptRow {
            at,
            utc,
            kind: KeptKind::Stored { source, file },
            group: group.clone(),
            marks: marks.clone(),
            // The station that imported it; a typed ballot's is that of its first keying.
            clerk: importer,
            reason: None,
        });
        let replaced_at = local(&self.conn, "replaced_at");
        let replaced = self.conn.query_map(
            &format!(
                "SELECT {replaced_at}, replaced_at, grp, marks, reason FROM ballot_history
             WHERE ballot_id = ?1 ORDER BY id"
            ),
            args![id],
            |r| {
                Ok(KeptRow {
                    at: r.get(0)?,
                    utc: r.get(1)?,
                    kind: KeptKind::Replaced,
                    group: r.get(2)?,
                    marks: r.get(3)?,
                    clerk: None,
                    reason: Some(r.get(4)?),
                })
            },
        )?;
        out.extend(replaced);
        let keyed_at = local(&self.conn, "keyed_at");
        let keyings = self.conn.query_map(
            &format!(
                "SELECT {keyed_at}, keyed_at, reading, group_keyed, grp, marks, clerk FROM keyings
             WHERE ballot_id = ?1 ORDER BY id"
            ),
            args![id],
            |r| {
                let keyed_group: bool = r.get(3)?;
                Ok(KeptRow {
                    at: r.get(0)?,
                    utc: r.get(1)?,
                    kind: KeptKind::Keying(r.get(2)?),
                    group: if keyed_group { r.get(4)? } else { None },
                    marks: r.get(5)?,
                    clerk: r.get(6)?,
                    reason: None,
                })
            },
        )?;
        out.extend(keyings);
        if let Some((at, utc)) = void_at {
            out.push(KeptRow {
                at,
                utc,
                kind: KeptKind::TakenOut {
                    withdrawn: void_kind.as_deref() == Some("withdrawn"),
                },
                group,
                marks,
                clerk: None,
                reason: void_reason,
            });
        }
        Ok(out)
    }

    /// At most `limit` audit entries passing `filter` next to entry `key` in `direction`
    /// (from one end of the log without a key).
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        key: Option<i64>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        let (compare, order) = match direction {
            Direction::After => (">", "ASC"),
            Direction::Before => ("<", "DESC"),
        };
        let at = local(&self.conn, "at");
        // Every entry about one ballot starts `serial N` (add, edit, verify, withdraw ...).
        let serial = filter.serial.map(|s| format!("serial {s}"));
        self.conn.query_map(
            &format!(
                "SELECT id, {at}, action, detail FROM audit
             WHERE (?1 IS NULL OR id {compare} ?1) AND (?2 IS NULL OR action = ?2)
               AND (?3 IS NULL OR detail = ?3 OR detail LIKE ?3 || ' %')
             ORDER BY id {order} LIMIT ?4"
            ),
            args![key, filter.action, serial, limit as i64],
            |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    action: r.get(2)?,
                    detail: r.get(3)?,
                })
            },
        )
    }

    /// The actions the audit log holds, in the order each first appears.
    pub fn audit_actions(&self) -> Result<Vec<String>> {
        self.conn.query_map(
            "SELECT action FROM audit GROUP BY action ORDER BY MIN(id)",
            args![],
            |r| r.get(0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{parse_marks, Ballot};
    use crate::store::Source;

    fn store() -> (tempfile::TempDir, Store) {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("meeting.toml"), "").unwrap();
        std::fs::write(
            temp.path().join("organizations.csv"),
            "id,name\nO1,甲\nO2,乙\n",
        )
        .unwrap();
        let config = Config::load(temp.path()).unwrap();
        (temp, Store::create(&config).unwrap())
    }

    fn add(store: &mut Store, serial: u64) {
        let ballot = Ballot {
            serial,
            group: None,
            marks: parse_marks("AB", &store.config().scale).unwrap(),
        };
        store.add(&ballot, Source::Typed).unwrap();
    }

    fn serials(page: &[(StoredBallot, Option<Removed>)]) -> Vec<(u64, bool)> {
        page.iter()
            .map(|(b, removed)| (b.ballot.serial, removed.is_some()))
            .collect()
    }

    #[test]
    fn pages_run_by_serial_with_a_withdrawn_ballot_before_the_one_that_replaced_it() {
        let (_temp, mut store) = store();
        for serial in [5, 1, 3, 2, 4] {
            add(&mut store, serial);
        }
        store
            .conn
            .sqlite()
            .unwrap()
            .execute(
                "UPDATE ballots SET voided_at = 'x', void_kind = 'withdrawn', void_reason = 'r'
                 WHERE serial = 3",
                [],
            )
            .unwrap();
        add(&mut store, 3);
        let first = store.ballots_page(None, Direction::After, 3).unwrap();
        assert_eq!(serials(&first), [(1, false), (2, false), (3, true)]);
        let next = store
            .ballots_page(Some(first[2].0.key()), Direction::After, 3)
            .unwrap();
        assert_eq!(serials(&next), [(3, false), (4, false), (5, false)]);
        let back = store
            .ballots_page(Some(next[0].0.key()), Direction::Before, 2)
            .unwrap();
        assert_eq!(serials(&back), [(3, true), (2, false)]);
        let last = store.ballots_page(None, Direction::Before, 1).unwrap();
        assert_eq!(serials(&last), [(5, false)]);
        assert_eq!(store.key_of_serial(3).unwrap(), Some(next[0].0.key()));
        assert_eq!(store.key_of_serial(9).unwrap(), None);
    }

    #[test]
    fn a_page_reads_through_the_indexes_never_every_ballot() {
        let (_temp, store) = store();
        // The statement just run, planned: both halves search an index.
        let plan: Vec<String> = {
            let query = "SELECT * FROM (SELECT id, serial FROM ballots
                 WHERE voided_at IS NULL AND serial >= ?1 AND (serial > ?1 OR id > ?2)
                 ORDER BY serial ASC LIMIT ?3)
             UNION ALL
             SELECT * FROM (SELECT id, serial FROM ballots
                 WHERE voided_at IS NOT NULL AND (serial > ?1 OR (serial = ?1 AND id > ?2))
                 ORDER BY serial ASC, id ASC LIMIT ?3)
             ORDER BY 2 ASC, 1 ASC LIMIT ?3";
            let mut stmt = store
                .conn
                .sqlite()
                .unwrap()
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap();
            let rows = stmt
                .query_map(rusqlite::params![1, 0, 10], |r| r.get::<_, String>(3))
                .unwrap();
            rows.map(|r| r.unwrap()).collect()
        };
        assert!(
            plan.iter().any(|p| p.contains("ballots_active_serial")),
            "{plan:?}"
        );
        assert!(
            plan.iter().any(|p| p.contains("ballots_voided")),
            "{plan:?}"
        );
        assert!(!plan.iter().any(|p| p == "SCAN ballots"), "{plan:?}");
    }
}
