//! Where each ballot stands in its lifecycle ([`crate::ballot_state`]), as the store keeps it,
//! and the keyings that brought it there.
//!
//! The state lives in nullable columns of `ballots`, so an import writes nothing more per
//! ballot (NULL means entered): `verified_at`/`verified_by` (`agreed` or `third_reading`),
//! `dispute` (the readings that disagree, as JSON) and `void_kind` (`withdrawn` or
//! `set_aside`, beside `voided_at`). Every keying typed at a station — a first keying, an edit,
//! a second keying, a further reading — is a row of `keyings` with the clerk's name when one
//! was given. The use cases decide each step ([`crate::meeting`]); the store applies it in one
//! transaction, with the ballot as it stands in that transaction.

use super::db::{args, Db};
use super::{
    append_audit, count, covered, decode_marks, group_text, no_such_serial, take_out,
    validity_columns, Change, SetHash, Store, StoredBallot, NOW, STORED_COLUMNS,
};
use crate::ballot_state::{Disagreement, Dispute, Reading, State};
use crate::error::{Error, Result};
use crate::model::{marks_string, Ballot, Mark, Scale};

/// One step of a ballot's lifecycle, as a use case decided it.
#[derive(Debug, Clone)]
pub struct Step {
    /// Where the ballot stands after the step.
    pub state: State,
    /// The group and marks the ballot takes, when they change, and why (kept in its history).
    pub replaced: Option<(Reading, String)>,
    /// The keying typed at this station, when the step is one.
    pub keying: Option<Keying>,
    /// The reason of a withdrawal or of setting aside.
    pub void_reason: Option<String>,
    /// The change it is, as a refusal names it.
    pub change: Change,
    /// The audit log's action word.
    pub action: &'static str,
    /// The audit log's detail.
    pub detail: String,
}

/// One keying of a form, kept in `keyings`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keying {
    /// 1 for a first keying (or an edit), 2 for the second, 3 and on for further readings.
    pub reading: u32,
    /// The group keyed, when the group was keyed.
    pub group: Option<Option<String>>,
    /// The marks keyed, `None` for a row not keyed in this reading.
    pub marks: Vec<Option<Mark>>,
}

impl Keying {
    /// A keying of the whole form.
    pub fn whole(reading: u32, form: &Reading) -> Keying {
        Keying {
            reading,
            group: Some(form.group.clone()),
            marks: form.marks.iter().copied().map(Some).collect(),
        }
    }
}

/// The state columns of a row: (void_kind, verified_by, dispute).
type StateColumns = (Option<String>, Option<String>, Option<String>);

impl Store {
    /// Names the clerk of this station: kept with every keying and in the audit log.
    pub fn set_clerk(&mut self, clerk: Option<&str>) {
        self.clerk = clerk
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
    }

    /// The clerk of this station, when named.
    pub fn clerk(&self) -> Option<&str> {
        self.clerk.as_deref()
    }

    /// " clerk NAME" for audit details, when the station named its clerk.
    pub(super) fn clerk_suffix(&self) -> String {
        self.clerk
            .as_deref()
            .map(|c| format!(" clerk {c}"))
            .unwrap_or_default()
    }

    /// The ballot with this serial and where it stands: the one that counts, else the last
    /// one withdrawn or set aside; `None` when the serial was never stored.
    pub fn ballot_state(&self, serial: u64) -> Result<Option<(StoredBallot, State)>> {
        match row_of_serial(&self.conn, serial)? {
            None => Ok(None),
            Some(id) => Ok(Some(self.state_by_id(&self.conn, id)?)),
        }
    }

    fn state_by_id(&self, conn: &Db, id: i64) -> Result<(StoredBallot, State)> {
        let (row, columns): (super::StoredRow, StateColumns) = conn.query_row(
            &format!(
                "SELECT {STORED_COLUMNS}, void_kind, verified_by, dispute FROM ballots WHERE id = ?1"
            ),
            args![id],
            |r| Ok((super::stored_row(r)?, (r.get(10)?, r.get(11)?, r.get(12)?))),
        )?;
        let stored = self.stored_ballot(row)?;
        let state = state_of(&self.config.scale, columns)?;
        Ok((stored, state))
    }

    /// Applies one step to the ballot with this serial, in one transaction: `decide` sees the
    /// ballot and its state as they stand in it and says what changes.
    pub fn step(
        &mut self,
        serial: u64,
        decide: impl FnOnce(&StoredBallot, &State) -> Result<Step>,
    ) -> Result<(StoredBallot, State)> {
        // Through a shared borrow, so the helpers of `self` can be called inside it.
        let tx = self.conn.write()?;
        let id = row_of_serial(&tx, serial)?.ok_or_else(|| no_such_serial(serial))?;
        let (before, state) = self.state_by_id(&tx, id)?;
        let step = decide(&before, &state)?;
        Store::refuse_if_final(&tx, step.change)?;
        let covered_before = covered::BALLOT_STATES.term(&tx, id)?;
        if let Some((reading, reason)) = &step.replaced {
            self.replace(&tx, id, serial, reading, reason)?;
        }
        if let Some(keying) = &step.keying {
            self.insert_keying(&tx, id, keying)?;
        }
        match &step.state {
            State::Withdrawn | State::SetAside => {
                let kind = if step.state == State::Withdrawn {
                    "withdrawn"
                } else {
                    "set_aside"
                };
                let reason = step.void_reason.as_deref().unwrap_or_default();
                take_out(&self.config, &tx, id)?;
                tx.execute(
                    &format!(
                        "UPDATE ballots SET voided_at = {NOW}, void_kind = ?1, void_reason = ?2
                         WHERE id = ?3 AND voided_at IS NULL"
                    ),
                    args![kind, reason, id],
                )?;
            }
            State::Entered => {
                tx.execute(
                    "UPDATE ballots SET verified_at = NULL, verified_by = NULL, dispute = NULL
                     WHERE id = ?1",
                    args![id],
                )?;
            }
            State::Verified | State::Resolved => {
                let by = if step.state == State::Verified {
                    "agreed"
                } else {
                    "third_reading"
                };
                tx.execute(
                    &format!(
                        "UPDATE ballots SET verified_at = {NOW}, verified_by = ?1, dispute = NULL
                         WHERE id = ?2"
                    ),
                    args![by, id],
                )?;
            }
            State::Disputed(dispute) => {
                tx.execute(
                    "UPDATE ballots SET verified_at = NULL, verified_by = NULL, dispute = ?1
                     WHERE id = ?2",
                    args![encode_dispute(dispute, &self.config.scale), id],
                )?;
            }
        }
        covered::BALLOT_STATES.changed(&tx, id, covered_before)?;
        append_audit(
            &tx,
            step.action,
            &format!("{}{}", step.detail, self.clerk_suffix()),
        )?;
        let after = self.state_by_id(&tx, id)?;
        tx.commit()?;
        Ok(after)
    }

    /// Replaces the group and marks of the row `id`, keeping the old ones in its history and
    /// the set hash and kept count in step.
    fn replace(
        &self,
        tx: &Db,
        id: i64,
        serial: u64,
        reading: &Reading,
        reason: &str,
    ) -> Result<()> {
        let config = &self.config;
        self.check_ballot(&Ballot {
            serial,
            group: reading.group.clone(),
            marks: reading.marks.clone(),
        })?;
        let group = reading.group.as_deref();
        let text = marks_string(&reading.marks, &config.scale);
        let before = SetHash::load(tx)?;
        let mut after = before;
        let (old_group, old_marks) = after.remove_stored(tx, id)?;
        after.add(serial as i64, group, &text);
        after.save(tx)?;
        count::carry(tx, config, &before, &after, |count| {
            let old_marks = decode_marks(config, &old_marks)?;
            count.remove(config, old_group.as_deref(), &old_marks)?;
            count.add(config, group, &reading.marks)
        })?;
        tx.execute(
            &format!(
                "INSERT INTO ballot_history (ballot_id, grp, marks, replaced_at, reason)
                 SELECT id, grp, marks, {NOW}, ?2 FROM ballots WHERE id = ?1"
            ),
            args![id, reason],
        )?;
        let (valid, invalid) = validity_columns(config, &reading.marks);
        tx.execute(
            &format!(
                "UPDATE ballots SET marks = ?1, grp = ?2, valid = ?3, invalid_reason = ?4,
                 updated_at = {NOW} WHERE id = ?5"
            ),
            args![text, group, valid, invalid, id],
        )?;
        Ok(())
    }

    pub(super) fn insert_keying(&self, tx: &Db, id: i64, keying: &Keying) -> Result<()> {
        let marks: String = keying
            .marks
            .iter()
            .map(|m| m.map_or('.', |m| m.to_char(&self.config.scale)))
            .collect();
        let (group_keyed, group) = match &keying.group {
            Some(group) => (true, group.as_deref()),
            None => (false, None),
        };
        let keying_id = tx.insert(
            &format!(
                "INSERT INTO keyings (ballot_id, reading, group_keyed, grp, marks, clerk, keyed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
            ),
            args![id, keying.reading, group_keyed, group, marks, self.clerk],
        )?;
        covered::KEYINGS.changed(tx, keying_id, None)
    }

    /// The clerk who keyed the ballot with this serial as it stands (its first keying or its
    /// last edit), when the station named one; `None` also for imported ballots.
    pub fn keyed_by(&self, serial: u64) -> Result<Option<String>> {
        let Some(id) = super::active_id(&self.conn, serial)? else {
            return Ok(None);
        };
        Ok(self
            .conn
            .query_opt(
                "SELECT clerk FROM keyings WHERE ballot_id = ?1 AND reading = 1
                 ORDER BY id DESC LIMIT 1",
                args![id],
                |r| r.get::<Option<String>>(0),
            )?
            .flatten())
    }

    /// The keyings of the ballot with this serial as it stands, oldest first.
    pub fn keyings(&self, serial: u64) -> Result<Vec<(Keying, Option<String>)>> {
        let Some(id) = super::active_id(&self.conn, serial)? else {
            return Ok(Vec::new());
        };
        let rows = self.conn.query_map(
            "SELECT reading, group_keyed, grp, marks, clerk FROM keyings WHERE ballot_id = ?1
             ORDER BY id",
            args![id],
            |r| {
                Ok((
                    r.get::<u32>(0)?,
                    r.get::<bool>(1)?,
                    r.get::<Option<String>>(2)?,
                    r.get::<String>(3)?,
                    r.get::<Option<String>>(4)?,
                ))
            },
        )?;
        let scale = &self.config.scale;
        let mut out = Vec::new();
        for (reading, group_keyed, group, text, clerk) in rows {
            let marks = text
                .chars()
                .map(|c| match c {
                    '.' => Ok(None),
                    c => decode_mark(c, scale).map(Some),
                })
                .collect::<Result<Vec<_>>>()?;
            let keying = Keying {
                reading,
                group: group_keyed.then_some(group),
                marks,
            };
            out.push((keying, clerk));
        }
        Ok(out)
    }

    /// Serials of the ballots that count and wait for a second keying, ascending, at most
    /// `limit` of them from `from` on.
    pub fn unverified_serials(&self, from: u64, limit: usize) -> Result<Vec<u64>> {
        self.serials(
            "verified_at IS NULL AND dispute IS NULL AND serial >= ?1",
            from,
            limit,
        )
    }

    /// Serials of the invalid ballots that count, ascending, at most `limit` of them.
    pub fn invalid_serials(&self, limit: usize) -> Result<Vec<u64>> {
        self.serials("valid = 0 AND serial >= ?1", 0, limit)
    }

    fn serials(&self, condition: &str, from: u64, limit: usize) -> Result<Vec<u64>> {
        self.conn.query_map(
            &format!(
                "SELECT serial FROM ballots WHERE voided_at IS NULL AND {condition}
                 ORDER BY serial LIMIT ?2"
            ),
            args![from as i64, limit as i64],
            |r| Ok(r.get::<i64>(0)? as u64),
        )
    }

    /// The disputed ballots that count, by serial, with their disputes.
    pub fn disputes(&self) -> Result<Vec<(u64, Dispute)>> {
        let rows = self.conn.query_map(
            // The few disputed ones from their own index, not the serial index over all.
            "SELECT serial, dispute FROM ballots INDEXED BY ballots_disputed
             WHERE dispute IS NOT NULL AND voided_at IS NULL ORDER BY serial",
            args![],
            |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)),
        )?;
        let mut out = Vec::new();
        for (serial, text) in rows {
            out.push((serial as u64, decode_dispute(&text, &self.config.scale)?));
        }
        Ok(out)
    }

    /// The audit detail of a ballot as stored: `serial N group G marks M`.
    pub fn ballot_detail(&self, ballot: &Ballot) -> String {
        format!(
            "serial {} group {} marks {}",
            ballot.serial,
            group_text(ballot),
            marks_string(&ballot.marks, &self.config.scale)
        )
    }
}

/// The row of the ballot with this serial: the one that counts, else the last one taken out.
pub(super) fn row_of_serial(conn: &Db, serial: u64) -> Result<Option<i64>> {
    if let Some(id) = super::active_id(conn, serial)? {
        return Ok(Some(id));
    }
    conn.query_opt(
        "SELECT id FROM ballots WHERE serial = ?1 ORDER BY id DESC LIMIT 1",
        args![serial as i64],
        |r| r.get(0),
    )
}

fn state_of(scale: &Scale, (void_kind, verified_by, dispute): StateColumns) -> Result<State> {
    Ok(
        match (void_kind.as_deref(), verified_by.as_deref(), dispute) {
            (Some("withdrawn"), _, _) => State::Withdrawn,
            (Some("set_aside"), _, _) => State::SetAside,
            (Some(other), _, _) => {
                return Err(Error::Internal(format!("unknown void kind \"{other}\"")));
            }
            (None, _, Some(text)) => State::Disputed(decode_dispute(&text, scale)?),
            (None, Some("agreed"), None) => State::Verified,
            (None, Some("third_reading"), None) => State::Resolved,
            (None, Some(other), None) => {
                return Err(Error::Internal(format!("unknown verification \"{other}\"")));
            }
            (None, None, None) => State::Entered,
        },
    )
}

fn decode_mark(c: char, scale: &Scale) -> Result<Mark> {
    crate::model::parse_marks(&c.to_string(), scale)
        .ok()
        .and_then(|m| m.first().copied())
        .ok_or_else(|| Error::Internal(format!("stored mark \"{c}\" does not fit the meeting")))
}

/// The dispute column: `{"group": [G1, G2, ...], "rows": [[ROW, "READINGS"], ...]}`, a
/// group reading `null` for no group, the readings of a row one mark character each.
fn encode_dispute(dispute: &Dispute, scale: &Scale) -> String {
    let mut value = serde_json::Map::new();
    if let Some(group) = &dispute.group {
        value.insert("group".into(), serde_json::json!(group.readings));
    }
    let rows: Vec<serde_json::Value> = dispute
        .rows
        .iter()
        .map(|(row, d)| serde_json::json!([row, marks_string(&d.readings, scale)]))
        .collect();
    value.insert("rows".into(), serde_json::Value::Array(rows));
    serde_json::Value::Object(value).to_string()
}

fn decode_dispute(text: &str, scale: &Scale) -> Result<Dispute> {
    let bad = || Error::Internal(format!("stored dispute \"{text}\" is unreadable"));
    let value: serde_json::Value = serde_json::from_str(text).map_err(|_| bad())?;
    let group = match value.get("group") {
        None => None,
        Some(readings) => {
            let readings: Vec<Option<String>> =
                serde_json::from_value(readings.clone()).map_err(|_| bad())?;
            Some(Disagreement { readings })
        }
    };
    let mut rows = Vec::new();
    for row in value
        .get("rows")
        .and_then(|r| r.as_array())
        .ok_or_else(bad)?
    {
        let (index, readings) = row
            .get(0)
            .and_then(|i| i.as_u64())
            .zip(row.get(1).and_then(|r| r.as_str()))
            .ok_or_else(bad)?;
        let readings = crate::model::parse_marks(readings, scale).map_err(|_| bad())?;
        rows.push((index as usize, Disagreement { readings }));
    }
    Ok(Dispute { group, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disputes_are_kept_as_written() {
        let scale = crate::config::default_scale();
        let dispute = Dispute {
            group: Some(Disagreement {
                readings: vec![Some("leaders".into()), None],
            }),
            rows: vec![
                (
                    2,
                    Disagreement {
                        readings: vec![Mark::Option(0), Mark::Blank, Mark::Spoiled],
                    },
                ),
                (
                    9,
                    Disagreement {
                        readings: vec![Mark::Option(3), Mark::Option(1)],
                    },
                ),
            ],
        };
        let text = encode_dispute(&dispute, &scale);
        assert_eq!(
            text,
            r#"{"group":["leaders",null],"rows":[[2,"A-*"],[9,"DB"]]}"#
        );
        assert_eq!(decode_dispute(&text, &scale).unwrap(), dispute);
        assert!(decode_dispute("{}", &scale).is_err());
    }
}
