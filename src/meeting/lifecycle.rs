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

    /// Writes one consistent copy of the store into the new file `file`.
    pub fn backup(&self, file: &std::path::Path) -> Result<()> {
        self.store.backup_into(file)
    }

    /// Checks the store; returns the problems found (none: the store is whole).
    pub fn check(&self) -> Result<Vec<Text>> {
        self.store.check()
    }
}

/// What a void round is, said once for every face (the command line's banner and refusal,
/// the UI's banner): more forms collected than issued, so the round must be re-voted.
pub fn void_round_text(collected: u64, issued: u64) -> Text {
    Text::new(
        format!("VOID ROUND: {collected} forms collected, only {issued} issued: the round must be re-voted"),
        format!("本轮无效（VOID ROUND）：收回 {collected} 份，多于发出的 {issued} 份，应重新投票"),
    )
}
