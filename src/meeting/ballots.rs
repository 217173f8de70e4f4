//! Use cases of single ballots: add, edit, withdraw, set aside, verify.

use super::Meeting;
use crate::error::Result;
use crate::model::{Ballot, Mark};
use crate::store::{Source, StoredBallot};

impl Meeting {
    /// Stores one ballot durably and returns it as stored.
    pub fn add(&mut self, ballot: &Ballot, source: Source) -> Result<StoredBallot> {
        self.store.add(ballot, source)
    }

    /// Replaces the marks (and group) of a ballot, keeping its old version in its history.
    pub fn edit(
        &mut self,
        serial: u64,
        marks: &[Mark],
        group: Option<&str>,
        reason: &str,
    ) -> Result<StoredBallot> {
        self.store.edit(serial, marks, group, reason)
    }

    /// Sets a ballot aside as void: it stays stored and shown, no longer counts.
    pub fn void(&mut self, serial: u64, reason: &str) -> Result<()> {
        self.store.void(serial, reason)
    }

    /// Withdraws the most recently stored ballot (the UI's undo) and returns it.
    pub fn undo_last(&mut self) -> Result<Option<StoredBallot>> {
        self.store.undo_last()
    }

    /// Records that a second, independent keying of a ballot agreed with the first.
    pub fn mark_verified(&mut self, serial: u64) -> Result<()> {
        self.store.mark_verified(serial)
    }
}
