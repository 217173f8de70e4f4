//! The use-case layer: a meeting opened for work, and every use case of it.
//!
//! The command line and the terminal UI only parse input, call one of these functions and
//! render what it returns, so both follow the same rules. Each use case lives in the file of
//! its part of the meeting:
//! - this file: open (for work, read-only, to reopen), results;
//! - [`create`]: a new meeting folder from an organization list, or the store of one
//!   written by hand;
//! - [`ballots`]: add, edit, withdraw, set aside, verify;
//! - [`decisions`]: decide and withdraw a decision at a cutoff tie;
//! - [`lifecycle`]: forms issued, finalise, reopen, check;
//! - [`files`]: import files, export results;
//! - [`history`]: the ballots list and the audit log a page at a time, a ballot's history;
//! - [`copy`]: a meeting moved into a PostgreSQL database and back.
//!
//! The rules themselves are pure code elsewhere ([`crate::tally`], [`crate::ranking`],
//! [`crate::model`]); the store ([`crate::store`]) keeps, it does not decide.

pub mod ballots;
pub mod copy;
pub mod create;
pub mod decisions;
pub mod files;
pub mod history;
pub mod lifecycle;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::ranking::{self, Ranking};
use crate::store::{Access, Store, Summary};
use crate::tally::Tally;
use std::path::Path;

/// An open meeting.
pub struct Meeting {
    /// The rules.
    pub config: Config,
    /// The ballots, decisions and audit log.
    pub store: Store,
}

/// Everything the tally shows: counts, ranking and the state of the ballot set.
#[derive(Debug, Clone)]
pub struct Results {
    /// Weighted counts of the valid ballots.
    pub tally: Tally,
    /// The ranking with tiers and notes.
    pub ranking: Ranking,
    /// Counts, digest, final flag.
    pub summary: Summary,
}

impl Meeting {
    /// Opens the meeting in `dir` for work. Refused when the folder has no store (or an
    /// empty one): only [`Meeting::create`] and [`Meeting::create_store`] make one. Refused
    /// too when the meeting is finalised and its rules changed since.
    pub fn open(dir: &Path) -> Result<Meeting> {
        if let Some(url) = database_url(dir) {
            return Meeting::open_database(url, Access::Work);
        }
        let config = Config::load(dir)?;
        let store = Store::open(&config)?;
        Ok(Meeting { config, store })
    }

    /// Opens the meeting in `dir` to read it only (`check`): nothing in the folder is
    /// created or written, a finalised meeting whose rules changed included.
    pub fn open_read_only(dir: &Path) -> Result<Meeting> {
        if let Some(url) = database_url(dir) {
            return Meeting::open_database(url, Access::ReadOnly);
        }
        let config = Config::load(dir)?;
        let store = Store::open_read_only(&config)?;
        Ok(Meeting { config, store })
    }

    /// Opens the meeting in `dir` for a command that only reads it (tally, export, log, the
    /// projector view, backup): for work where its store can be written (an older schema is
    /// then migrated, audited), read only where it cannot — a meeting on read-only media (a
    /// locked USB stick, a CD) or on a full disk is still tallied and exported.
    pub fn open_to_read(dir: &Path) -> Result<Meeting> {
        if database_url(dir).is_some() {
            return Meeting::open(dir);
        }
        match Meeting::open(dir) {
            Err(e) if store_unwritable(&e) => Meeting::open_read_only(dir),
            opened => opened,
        }
    }

    /// Opens the meeting in `dir` to reopen it: unlike [`Meeting::open`], not refused when it
    /// is finalised and its rules changed since, as reopening is the way to change them.
    pub fn open_to_reopen(dir: &Path) -> Result<Meeting> {
        if let Some(url) = database_url(dir) {
            return Meeting::open_database(url, Access::Reopen);
        }
        let config = Config::load(dir)?;
        let store = Store::open_to_reopen(&config)?;
        Ok(Meeting { config, store })
    }

    /// Opens the meeting in the PostgreSQL database at `url`, its rules read from there.
    fn open_database(url: &str, access: Access) -> Result<Meeting> {
        let store = Store::open_database(url, access)?;
        Ok(Meeting {
            config: store.config().clone(),
            store,
        })
    }

    /// Where the meeting is, as a command takes it: its folder, or its database's URL (to
    /// open it again, from another thread).
    pub fn location(&self) -> std::path::PathBuf {
        self.store.location()
    }

    /// Where exports and their companions go by default: the meeting folder, or for a
    /// meeting in a database the station's working folder.
    pub fn files_dir(&self) -> std::path::PathBuf {
        if self.store.is_database() {
            std::path::PathBuf::from(".")
        } else {
            self.config.dir.clone()
        }
    }

    /// Counts the valid ballots (from the store's cached count when it is current).
    pub fn tally(&self) -> Result<Tally> {
        Ok(self.store.count()?.tally)
    }

    /// Tally, ranking and summary.
    pub fn results(&self) -> Result<Results> {
        let count = self.store.count()?;
        let figures = crate::scoring::figures(&self.config, &count.tally)?;
        let ranking = ranking::rank(&self.config, &figures, &self.store.decisions()?);
        Ok(Results {
            summary: self.store.summary_of(&count)?,
            tally: count.tally,
            ranking,
        })
    }

    /// The UI language: the command line's, else meeting.toml's, else the environment's.
    pub fn lang(&self, flag: Option<Lang>) -> Lang {
        flag.or(self.config.language).unwrap_or_else(Lang::from_env)
    }
}

/// The database URL that `dir` is, when it is one (`postgres://USER@HOST:PORT/DBNAME`)
/// rather than a folder.
pub fn database_url(dir: &Path) -> Option<&str> {
    dir.to_str()
        .filter(|text| crate::store::postgres_copy::is_database_url(text))
}

/// Whether an error opening a meeting for work says its store cannot be written there.
fn store_unwritable(e: &Error) -> bool {
    use rusqlite::ErrorCode::*;
    match e {
        Error::Store(e) => matches!(
            e.sqlite_error_code(),
            Some(CannotOpen | ReadOnly | SystemIoFailure | DiskFull | PermissionDenied)
        ),
        Error::Io { source, .. } => matches!(
            source.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        ),
        Error::DiskFull(_) => true,
        _ => false,
    }
}
