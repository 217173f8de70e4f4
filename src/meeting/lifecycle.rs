//! The meeting's lifecycle: forms issued, finalise, reopen, check.

use super::Meeting;
use crate::error::{Result, Text};

impl Meeting {
    /// Sets the number of forms handed out.
    pub fn set_issued(&mut self, issued: u64) -> Result<()> {
        self.store.set_issued(issued)
    }

    /// Locks the meeting once results are announced.
    pub fn finalise(&mut self) -> Result<()> {
        self.store.finalise()
    }

    /// Unlocks a finalised meeting, with the reason in the audit log.
    pub fn reopen(&mut self, reason: &str) -> Result<()> {
        self.store.reopen(reason)
    }

    /// Checks the store; returns the problems found (none: the store is whole).
    pub fn check(&self) -> Result<Vec<Text>> {
        self.store.check()
    }
}
