//! Reviewing the record: the ballots list a page at a time, one ballot's history (every
//! version with its reason, source, local time and clerk) and the audit log a page at a
//! time. The screens over a meeting of 100,000 forms read only what they show.

use super::Meeting;
use crate::error::Result;
use crate::store::{
    AuditEntry, AuditFilter, BallotKey, Direction, KeptKind, KeptRow, Removed, StoredBallot,
};

/// What happened to a ballot at one point of its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Typed at a station (or on the command line).
    Typed,
    /// Imported from this file.
    Imported(Option<String>),
    /// Stored by the bundled demo.
    Demo,
    /// Its marks (or group) replaced by an edit.
    Edited,
    /// Its marks settled by this further reading of the paper form.
    Settled(u32),
    /// Keyed a second time, without seeing the first keying.
    SecondKeying,
    /// Its disputed fields keyed again from the paper: this reading.
    FurtherReading(u32),
    /// Withdrawn as a keying mistake.
    Withdrawn,
    /// Set aside as a void paper form.
    SetAside,
}

/// One line of a ballot's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// Local time, to the second.
    pub at: String,
    /// What happened.
    pub event: Event,
    /// The version it made (stored, edited, settled), else the reading keyed.
    pub version: Option<usize>,
    /// The group of that version or reading (`None`: no group, or not keyed).
    pub group: Option<String>,
    /// The marks of that version, or of that reading (`.` for a row it did not key).
    pub marks: String,
    /// The clerk named at the station, when one was.
    pub clerk: Option<String>,
    /// The reason given.
    pub reason: Option<String>,
}

impl Meeting {
    /// At most `limit` ballots of the list (every ballot ever stored, by serial, withdrawn
    /// and set-aside ones marked) next to `key` in `direction`; reads only those rows.
    pub fn ballots_page(
        &self,
        key: Option<BallotKey>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<(StoredBallot, Option<Removed>)>> {
        self.store.ballots_page(key, direction, limit)
    }

    /// The place in the list of the ballot with this serial that counts, else of the last
    /// one withdrawn or set aside under it.
    pub fn find_serial(&self, serial: u64) -> Result<Option<BallotKey>> {
        self.store.key_of_serial(serial)
    }

    /// The history of the ballot in row `id` (see [`StoredBallot::id`]), oldest first.
    pub fn ballot_history(&self, id: i64) -> Result<Vec<HistoryEntry>> {
        Ok(history(self.store.kept_rows(id)?))
    }

    /// At most `limit` audit entries passing `filter`, next to entry `key` in `direction`.
    pub fn audit_page(
        &self,
        filter: &AuditFilter,
        key: Option<i64>,
        direction: Direction,
        limit: usize,
    ) -> Result<Vec<AuditEntry>> {
        self.store.audit_page(filter, key, direction, limit)
    }

    /// The actions the audit log holds, to filter by.
    pub fn audit_actions(&self) -> Result<Vec<String>> {
        self.store.audit_actions()
    }
}

/// The clerk named in an audit entry's detail (every change made at a station that named
/// its clerk ends ` clerk NAME`), and the detail without it.
pub fn audit_clerk(detail: &str) -> (&str, Option<&str>) {
    match detail.rfind(" clerk ") {
        Some(at) => (&detail[..at], Some(&detail[at + " clerk ".len()..])),
        None => (detail, None),
    }
}

/// Puts what the store keeps of one ballot (its row as first stored first) together as its
/// history, oldest first. A version replaced holds the old marks, so each version's marks
/// are those of the next row replaced, the last one's the ballot's own. A replacement is
/// made in the same step as a keying (an edit is keyed as reading 1, a settlement by a
/// further reading): the first keying at or after it is that step's, whose clerk it takes,
/// and it is listed just after that keying; an edit's keying is not listed twice.
pub fn history(rows: Vec<KeptRow>) -> Vec<HistoryEntry> {
    let mut rows = rows.into_iter();
    let Some(stored) = rows.next() else {
        return Vec::new();
    };
    let (mut replaced, mut keyings, mut taken_out) = (Vec::new(), Vec::new(), None);
    for row in rows {
        match row.kind {
            KeptKind::Replaced => replaced.push(row),
            KeptKind::Keying(_) => keyings.push(row),
            KeptKind::TakenOut { .. } | KeptKind::Stored { .. } => taken_out = Some(row),
        }
    }
    // Version n's group and marks: the old ones kept by replacement n, else the current.
    let version = |n: usize| -> (Option<String>, String) {
        match replaced.get(n) {
            Some(row) => (row.group.clone(), row.marks.clone()),
            None => (stored.group.clone(), stored.marks.clone()),
        }
    };
    // (sort time, keying it goes with, order within it, entry): times are to the
    // millisecond, so steps taken within one are put in order by their keyings (kept in the
    // order they were made), each replacement just after its own keying.
    let mut entries: Vec<(String, usize, u8, HistoryEntry)> = Vec::new();
    let mut first_keying = true;
    let mut paired = vec![false; keyings.len()];
    // The ballot's own first keying and second keyings replace nothing: a replacement is
    // made with an edit's keying (reading 1) or a further reading's.
    let first = keyings
        .iter()
        .position(|k| matches!(k.kind, KeptKind::Keying(1)));
    let replacing = |k: usize| Some(k) != first && !matches!(keyings[k].kind, KeptKind::Keying(2));
    for (n, row) in replaced.iter().enumerate() {
        let step =
            (0..keyings.len()).find(|&k| !paired[k] && replacing(k) && keyings[k].utc >= row.utc);
        if let Some(k) = step {
            paired[k] = true;
        }
        let keying = step.map(|k| &keyings[k]);
        let event = match keying.map(|k| &k.kind) {
            Some(KeptKind::Keying(reading)) if *reading >= 3 => Event::Settled(*reading),
            _ => Event::Edited,
        };
        let (group, marks) = version(n + 1);
        entries.push((
            keying.map_or(row.utc.clone(), |k| k.utc.clone()),
            step.unwrap_or(usize::MAX),
            1,
            HistoryEntry {
                at: row.at.clone(),
                event,
                version: Some(n + 2),
                group,
                marks,
                clerk: keying.and_then(|k| k.clerk.clone()),
                reason: row.reason.clone(),
            },
        ));
    }
    // An imported ballot's station is its import's; a typed one's, its first keying's.
    let mut stored_clerk = stored.clerk.clone();
    for (k, row) in keyings.iter().enumerate() {
        let KeptKind::Keying(reading) = row.kind else {
            continue;
        };
        if reading == 1 && first_keying {
            first_keying = false;
            stored_clerk = row.clerk.clone();
            continue;
        }
        // An edit's keying is the edit's line.
        if reading == 1 && paired[k] {
            continue;
        }
        let event = if reading == 2 {
            Event::SecondKeying
        } else {
            Event::FurtherReading(reading)
        };
        entries.push((
            row.utc.clone(),
            k,
            0,
            HistoryEntry {
                at: row.at.clone(),
                event,
                version: None,
                group: row.group.clone(),
                marks: row.marks.clone(),
                clerk: row.clerk.clone(),
                reason: None,
            },
        ));
    }
    if let Some(row) = taken_out {
        let withdrawn = matches!(row.kind, KeptKind::TakenOut { withdrawn: true });
        entries.push((
            row.utc.clone(),
            usize::MAX,
            2,
            HistoryEntry {
                at: row.at,
                event: if withdrawn {
                    Event::Withdrawn
                } else {
                    Event::SetAside
                },
                version: None,
                group: row.group,
                marks: row.marks,
                clerk: None,
                reason: row.reason,
            },
        ));
    }
    let (group, marks) = version(0);
    let event = match &stored.kind {
        KeptKind::Stored { source, file } => match source.as_str() {
            "import" => Event::Imported(file.clone()),
            "demo" => Event::Demo,
            _ => Event::Typed,
        },
        _ => Event::Typed,
    };
    entries.sort_by(|a, b| (&a.0, a.1, a.2).cmp(&(&b.0, b.1, b.2)));
    let mut out = vec![HistoryEntry {
        at: stored.at.clone(),
        event,
        version: Some(1),
        group,
        marks,
        clerk: stored_clerk,
        reason: None,
    }];
    out.extend(entries.into_iter().map(|(_, _, _, entry)| entry));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        utc: &str,
        kind: KeptKind,
        marks: &str,
        clerk: Option<&str>,
        reason: Option<&str>,
    ) -> KeptRow {
        KeptRow {
            at: format!("local {utc}"),
            utc: utc.to_string(),
            kind,
            group: None,
            marks: marks.to_string(),
            clerk: clerk.map(str::to_string),
            reason: reason.map(str::to_string),
        }
    }

    fn typed() -> KeptKind {
        KeptKind::Stored {
            source: "typed".into(),
            file: None,
        }
    }

    #[test]
    fn a_typed_ballot_keyed_twice_is_one_version_and_a_second_keying() {
        let entries = history(vec![
            row("t1", typed(), "AB", None, None),
            row("t1", KeptKind::Keying(1), "AB", Some("li"), None),
            row("t2", KeptKind::Keying(2), "AB", Some("wang"), None),
        ]);
        let events: Vec<_> = entries
            .iter()
            .map(|e| (&e.event, e.version, e.clerk.as_deref()))
            .collect();
        assert_eq!(
            events,
            [
                (&Event::Typed, Some(1), Some("li")),
                (&Event::SecondKeying, None, Some("wang"))
            ]
        );
    }

    /// Typed AB by li, edited to AC by wang (history keeps AB), disputed by a second keying
    /// AD by zhao, settled by li's reading 3 to AD (history keeps AC), then set aside; each
    /// row stored at the time `at` gives for its step (typed, edited, second keying,
    /// reading 3, set aside).
    fn edited_disputed_settled_set_aside(at: [&str; 5]) -> Vec<KeptRow> {
        let [typed_at, edited, second, settled, set_aside] = at;
        vec![
            row(typed_at, typed(), "AD", None, None),
            row(edited, KeptKind::Replaced, "AB", None, Some("typo")),
            row(
                settled,
                KeptKind::Replaced,
                "AC",
                None,
                Some("settled by reading 3"),
            ),
            row(typed_at, KeptKind::Keying(1), "AB", Some("li"), None),
            row(edited, KeptKind::Keying(1), "AC", Some("wang"), None),
            row(second, KeptKind::Keying(2), "AD", Some("zhao"), None),
            row(settled, KeptKind::Keying(3), ".D", Some("li"), None),
            row(
                set_aside,
                KeptKind::TakenOut { withdrawn: false },
                "AD",
                None,
                Some("torn"),
            ),
        ]
    }

    #[test]
    fn versions_take_the_marks_each_replacement_kept_and_the_last_the_ballots_own() {
        let entries = history(edited_disputed_settled_set_aside([
            "t1", "t2", "t3", "t4", "t5",
        ]));
        let got: Vec<_> = entries
            .iter()
            .map(|e| {
                (
                    e.event.clone(),
                    e.version,
                    e.marks.as_str(),
                    e.clerk.as_deref(),
                    e.reason.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (Event::Typed, Some(1), "AB", Some("li"), None),
                (Event::Edited, Some(2), "AC", Some("wang"), Some("typo")),
                (Event::SecondKeying, None, "AD", Some("zhao"), None),
                (Event::FurtherReading(3), None, ".D", Some("li"), None),
                (
                    Event::Settled(3),
                    Some(3),
                    "AD",
                    Some("li"),
                    Some("settled by reading 3")
                ),
                (Event::SetAside, None, "AD", None, Some("torn")),
            ]
        );
    }

    #[test]
    fn steps_within_one_millisecond_keep_their_order_and_clerks() {
        // Every step stored within the same millisecond: the keyings' order and kinds, not
        // their times, tell which keying made each version.
        let entries = history(edited_disputed_settled_set_aside(["t1"; 5]));
        let got: Vec<_> = entries
            .iter()
            .map(|e| (e.event.clone(), e.version, e.clerk.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Event::Typed, Some(1), Some("li")),
                (Event::Edited, Some(2), Some("wang")),
                (Event::SecondKeying, None, Some("zhao")),
                (Event::FurtherReading(3), None, Some("li")),
                (Event::Settled(3), Some(3), Some("li")),
                (Event::SetAside, None, None),
            ]
        );
    }

    #[test]
    fn an_imported_ballot_names_its_file() {
        let entries = history(vec![row(
            "t1",
            KeptKind::Stored {
                source: "import".into(),
                file: Some("forms.csv".into()),
            },
            "AB",
            None,
            None,
        )]);
        assert_eq!(entries[0].event, Event::Imported(Some("forms.csv".into())));
        assert_eq!(entries.len(), 1);
    }

    #[test]
    fn the_clerk_is_the_last_clerk_suffix_of_a_detail() {
        assert_eq!(
            audit_clerk("serial 3 reason torn clerk Li Ming"),
            ("serial 3 reason torn", Some("Li Ming"))
        );
        assert_eq!(
            audit_clerk("serial 3 reason torn"),
            ("serial 3 reason torn", None)
        );
    }
}
