//! Use cases of single ballots: add, edit, withdraw, set aside, verify — the steps of a
//! ballot's lifecycle ([`crate::ballot_state`], drawn in docs/ballot-states.md).
//!
//! Each step is decided here from the ballot as it stands inside the store's transaction
//! ([`crate::store::Store::step`]), so two stations keying the same form cannot both act on
//! a state that one of them already left.

use super::Meeting;
use crate::ballot_state::{Dispute, Fields, Reading, Refusal, State};
use crate::error::{Error, Result, Text};
use crate::model::{marks_string, Ballot, Mark};
use crate::store::{Change, Keying, Source, Step, StoredBallot};

/// What a keying for verification did to the form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// The second keying agreed with the first, group included: the form is verified.
    Verified,
    /// The readings differ over these fields: the form is disputed until they are keyed again
    /// from the paper.
    Disputed(Dispute),
    /// A further reading settled every disputed field: the form is verified. `changed` when a
    /// field settled on another value than the first keying's (the ballot was corrected).
    Resolved {
        /// The ballot's group or marks changed.
        changed: bool,
    },
}

/// What is left to verify: the progress line and the lists of the Verify tab and of
/// `verify --list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// Ballots that count (neither withdrawn nor set aside).
    pub counted: u64,
    /// Of them, verified (agreed or resolved).
    pub verified: u64,
    /// The disputed ones, with what is disputed.
    pub disputed: Vec<(u64, Dispute)>,
    /// How many wait for a second keying.
    pub unverified: u64,
    /// The first of them, ascending.
    pub unverified_serials: Vec<u64>,
    /// How many are invalid.
    pub invalid: u64,
    /// The first of them, ascending.
    pub invalid_serials: Vec<u64>,
}

impl Meeting {
    /// Names the clerk of this station (`--clerk`, or asked once in the UI): kept with every
    /// keying and in the audit log.
    pub fn set_clerk(&mut self, clerk: Option<&str>) {
        self.store.set_clerk(clerk);
    }

    /// Stores one ballot durably and returns it as stored: edge `add`, the form is entered.
    pub fn add(&mut self, ballot: &Ballot, source: Source) -> Result<StoredBallot> {
        self.store.add(ballot, source)
    }

    /// Replaces the marks and group of a ballot, keeping its old version in its history:
    /// edge `edit`, the form is unverified again (a new first keying).
    pub fn edit(
        &mut self,
        serial: u64,
        marks: &[Mark],
        group: Option<&str>,
        reason: &str,
    ) -> Result<StoredBallot> {
        require_reason(reason)?;
        let reading = Reading {
            group: group.map(str::to_string),
            marks: marks.to_vec(),
        };
        let detail = format!(
            "serial {serial} group {} marks {} reason {reason}",
            group.unwrap_or("-"),
            marks_string(marks, &self.config.scale)
        );
        let (stored, _) = self.store.step(serial, |_, state| {
            Ok(Step {
                state: state.edit().map_err(|r| refused(r, serial))?,
                keying: Some(Keying::whole(1, &reading)),
                replaced: Some((reading.clone(), reason.to_string())),
                void_reason: None,
                change: Change::Edit,
                action: "edit",
                detail,
            })
        })?;
        Ok(stored)
    }

    /// Withdraws a ballot keyed by mistake (no paper behind it): it is kept in the store but
    /// no longer collected nor counted, and its serial is free again. Typed or imported.
    pub fn withdraw(&mut self, serial: u64, reason: &str) -> Result<StoredBallot> {
        require_reason(reason)?;
        let (stored, _) = self.store.step(serial, |_, state| {
            Ok(Step {
                state: state.withdraw().map_err(|r| refused(r, serial))?,
                replaced: None,
                keying: None,
                void_reason: Some(reason.to_string()),
                change: Change::Withdraw,
                action: "withdraw",
                detail: format!("serial {serial} reason {reason}"),
            })
        })?;
        Ok(stored)
    }

    /// Sets a paper form aside as void: kept and shown, still collected (it counts towards
    /// forms collected against forms issued), no longer counted in the tally.
    pub fn set_aside(&mut self, serial: u64, reason: &str) -> Result<StoredBallot> {
        require_reason(reason)?;
        let (stored, _) = self.store.step(serial, |_, state| {
            Ok(Step {
                state: state.set_aside().map_err(|r| refused(r, serial))?,
                replaced: None,
                keying: None,
                void_reason: Some(reason.to_string()),
                change: Change::SetAside,
                action: "set-aside",
                detail: format!("serial {serial} reason {reason}"),
            })
        })?;
        Ok(stored)
    }

    /// The ballot with this serial and where it stands; `None` when never stored.
    pub fn ballot_state(&self, serial: u64) -> Result<Option<(StoredBallot, State)>> {
        self.store.ballot_state(serial)
    }

    /// The second keying of a form, typed without seeing the first, its group included:
    /// verified when both agree, else disputed over the fields that differ.
    pub fn second_keying(&mut self, serial: u64, second: &Reading) -> Result<Verification> {
        self.check_reading(serial, second)?;
        self.refuse_own_keying(serial)?;
        let config = &self.config;
        let (_, state) = self.store.step(serial, |stored, state| {
            let first = reading_of(stored);
            let next = state
                .second_keying(&first, second)
                .map_err(|r| refused(r, serial))?;
            let (action, detail) = match &next {
                State::Disputed(dispute) => (
                    "dispute",
                    format!(
                        "serial {serial} second reading differs: {}",
                        dispute_text(config, dispute)
                    ),
                ),
                _ => (
                    "verify",
                    format!(
                        "serial {serial} agreed: group {} marks {}",
                        second.group.as_deref().unwrap_or("-"),
                        marks_string(&second.marks, &config.scale)
                    ),
                ),
            };
            Ok(Step {
                state: next,
                replaced: None,
                keying: Some(Keying::whole(2, second)),
                void_reason: None,
                change: Change::Verify,
                action,
                detail,
            })
        })?;
        Ok(match state {
            State::Disputed(dispute) => Verification::Disputed(dispute),
            _ => Verification::Verified,
        })
    }

    /// A further reading of the disputed fields of a form, keyed from the paper with neither
    /// earlier reading shown: each field it reads as an earlier reading did is settled on
    /// that value (two readings of three); the form is resolved once every field is.
    pub fn further_reading(&mut self, serial: u64, answers: &Fields) -> Result<Verification> {
        self.check_fields(answers)?;
        let config = &self.config;
        let orgs = config.organizations.len();
        let (_, state, changed) = {
            let mut changed = false;
            let (stored, state) = self.store.step(serial, |stored, state| {
                let settlement = state
                    .further_reading(answers)
                    .map_err(|r| refused(r, serial))?;
                let State::Disputed(dispute) = state else {
                    return Err(refused(Refusal::NotDisputed, serial));
                };
                let first = reading_of(stored);
                let settled = settlement.settled.applied_to(&first);
                changed = settled != first;
                let reading = 1 + dispute
                    .rows
                    .iter()
                    .map(|(_, d)| d.readings.len())
                    .chain(dispute.group.iter().map(|d| d.readings.len()))
                    .max()
                    .unwrap_or(2);
                let mut marks = vec![None; orgs];
                for (row, _) in &dispute.rows {
                    marks[*row] = answers.rows.iter().find(|(r, _)| r == row).map(|(_, m)| *m);
                }
                let keying = Keying {
                    reading: reading as u32,
                    group: dispute.group.as_ref().and(answers.group.clone()),
                    marks,
                };
                let read = readings_text(config, dispute, answers);
                let (action, detail) = match &settlement.state {
                    State::Disputed(rest) => (
                        "dispute",
                        format!(
                            "serial {serial} reading {reading}: {read}; still differs: {}",
                            dispute_text(config, rest)
                        ),
                    ),
                    _ => (
                        "resolve",
                        format!("serial {serial} resolved by reading {reading}: {read}"),
                    ),
                };
                Ok(Step {
                    state: settlement.state,
                    replaced: changed.then(|| {
                        (
                            settled,
                            format!("settled by reading {reading} of the paper form"),
                        )
                    }),
                    keying: Some(keying),
                    void_reason: None,
                    change: Change::FurtherReading,
                    action,
                    detail,
                })
            })?;
            (stored, state, changed)
        };
        Ok(match state {
            State::Disputed(dispute) => Verification::Disputed(dispute),
            _ => Verification::Resolved { changed },
        })
    }

    /// A whole reading of a form keyed for verification (the command line's `verify`): the
    /// second keying, or, while the form is disputed, a further reading of its disputed
    /// fields (the other fields of `reading` are not used).
    pub fn verify(&mut self, serial: u64, reading: &Reading) -> Result<Verification> {
        self.check_reading(serial, reading)?;
        match self.store.ballot_state(serial)? {
            Some((_, State::Disputed(dispute))) => {
                self.further_reading(serial, &dispute.fields_of(reading))
            }
            _ => self.second_keying(serial, reading),
        }
    }

    /// Refuses the second keying of a form by the station (or clerk) that keyed it first,
    /// both named, unless meeting.toml sets `[rules] verify_own_keying = true`: double entry
    /// catches a misreading only when another person reads the paper again.
    fn refuse_own_keying(&self, serial: u64) -> Result<()> {
        if self.config.verify_own_keying || !self.keyed_by_this_clerk(serial)? {
            return Ok(());
        }
        let station = self.store.clerk().unwrap_or_default();
        Err(Error::user(
            format!("ballot {serial} was keyed by {station}: its second keying must come from another station or clerk (meeting.toml: [rules] verify_own_keying = true allows it)"),
            format!("评议表 {serial} 由 {station} 录入：第二次录入须由其他工作站或录入员完成（meeting.toml 中 [rules] verify_own_keying = true 可允许）"),
        ))
    }

    /// Whether the ballot with this serial was keyed (or last edited) by this station's
    /// clerk: a clerk should not verify their own keying.
    pub fn keyed_by_this_clerk(&self, serial: u64) -> Result<bool> {
        Ok(match self.store.clerk() {
            None => false,
            Some(clerk) => self.store.keyed_by(serial)?.as_deref() == Some(clerk),
        })
    }

    /// The next form to verify: the first unverified serial after `after`, else the first.
    pub fn next_unverified(&self, after: u64) -> Result<Option<u64>> {
        if let Some(&next) = self.store.unverified_serials(after + 1, 1)?.first() {
            return Ok(Some(next));
        }
        Ok(self.store.unverified_serials(0, 1)?.first().copied())
    }

    /// What is left to verify, each list cut at `limit` serials.
    pub fn progress(&self, limit: usize) -> Result<Progress> {
        let counts = self.store.ballot_counts()?;
        Ok(Progress {
            counted: counts.valid + counts.invalid,
            verified: counts.verified,
            disputed: self.store.disputes()?,
            unverified: counts.unverified,
            unverified_serials: self.store.unverified_serials(0, limit)?,
            invalid: counts.invalid,
            invalid_serials: self.store.invalid_serials(limit)?,
        })
    }

    fn check_reading(&self, serial: u64, reading: &Reading) -> Result<()> {
        self.store.check_ballot(&Ballot {
            serial,
            group: reading.group.clone(),
            marks: reading.marks.clone(),
        })
    }

    fn check_fields(&self, answers: &Fields) -> Result<()> {
        let orgs = self.config.organizations.len();
        if let Some((row, _)) = answers.rows.iter().find(|(row, _)| *row >= orgs) {
            return Err(Error::Internal(format!(
                "row {row} keyed, the meeting has {orgs} organizations"
            )));
        }
        if let Some(group) = &answers.group {
            self.store.check_group(group.as_deref())?;
        }
        Ok(())
    }
}

fn reading_of(stored: &StoredBallot) -> Reading {
    Reading {
        group: stored.ballot.group.clone(),
        marks: stored.ballot.marks.clone(),
    }
}

fn refused(refusal: Refusal, serial: u64) -> Error {
    let text = refusal.text(serial);
    Error::user(text.en, text.zh)
}

fn require_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::user("a reason is required", "必须说明原因"));
    }
    if let Err(why) = crate::limits::one_line(reason, crate::limits::TEXT_CHARS) {
        return Err(Error::user(
            format!("the reason {}", why.en),
            format!("原因{}", why.zh),
        ));
    }
    Ok(())
}

fn group_word(group: &Option<String>) -> &str {
    group.as_deref().unwrap_or("-")
}

/// The disputed fields with their readings, for the audit log: `O03 B|C, group leaders|-`.
pub fn dispute_text(config: &crate::config::Config, dispute: &Dispute) -> String {
    let scale = &config.scale;
    let mut parts: Vec<String> = dispute
        .rows
        .iter()
        .map(|(row, d)| {
            let readings: Vec<String> = d
                .readings
                .iter()
                .map(|m| m.to_char(scale).to_string())
                .collect();
            format!("{} {}", config.organizations[*row].id, readings.join("|"))
        })
        .collect();
    if let Some(group) = &dispute.group {
        let readings: Vec<&str> = group.readings.iter().map(group_word).collect();
        parts.push(format!("group {}", readings.join("|")));
    }
    parts.join(", ")
}

/// The readings of a further reading, for the audit log: `O03 B|C read C`.
fn readings_text(config: &crate::config::Config, dispute: &Dispute, answers: &Fields) -> String {
    let scale = &config.scale;
    let mut parts: Vec<String> = dispute
        .rows
        .iter()
        .map(|(row, d)| {
            let before: Vec<String> = d
                .readings
                .iter()
                .map(|m| m.to_char(scale).to_string())
                .collect();
            let read = answers
                .rows
                .iter()
                .find(|(r, _)| r == row)
                .map_or('?', |(_, m)| m.to_char(scale));
            format!(
                "{} {} read {read}",
                config.organizations[*row].id,
                before.join("|")
            )
        })
        .collect();
    if let Some(group) = &dispute.group {
        let before: Vec<&str> = group.readings.iter().map(group_word).collect();
        let read = answers.group.as_ref().map_or("?", group_word);
        parts.push(format!("group {} read {read}", before.join("|")));
    }
    parts.join(", ")
}

/// The disputed fields, without any reading: `rows O03, O06 and the group differ`.
pub fn disputed_fields(config: &crate::config::Config, dispute: &Dispute) -> Text {
    let ids: Vec<&str> = dispute
        .rows
        .iter()
        .map(|(row, _)| config.organizations[*row].id.as_str())
        .collect();
    match (ids.is_empty(), dispute.group.is_some()) {
        (false, false) if ids.len() == 1 => Text::new(
            format!("row {} differs", ids[0]),
            format!("{} 行不一致", ids[0]),
        ),
        (false, false) => Text::new(
            format!("rows {} differ", ids.join(", ")),
            format!("{} 行不一致", ids.join("、")),
        ),
        (false, true) => Text::new(
            format!(
                "{} {} and the group differ",
                if ids.len() == 1 { "row" } else { "rows" },
                ids.join(", ")
            ),
            format!("{} 行及组别不一致", ids.join("、")),
        ),
        (true, _) => Text::new("the group differs", "组别不一致"),
    }
}

/// Serials as ascending runs: `1-3, 7, 9-10`.
pub fn serial_runs(serials: &[u64]) -> String {
    let mut runs: Vec<String> = Vec::new();
    let mut i = 0;
    while i < serials.len() {
        let start = serials[i];
        let mut end = start;
        while i + 1 < serials.len() && serials[i + 1] == end + 1 {
            i += 1;
            end = serials[i];
        }
        runs.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
        i += 1;
    }
    runs.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_are_written_as_runs() {
        assert_eq!(serial_runs(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
        assert_eq!(serial_runs(&[5]), "5");
        assert_eq!(serial_runs(&[]), "");
    }
}
