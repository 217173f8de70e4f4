//! The durable store of a meeting: `meeting.db` (SQLite, WAL, `synchronous = FULL`).
//!
//! Ballots are never deleted: an edit keeps the old version in `ballot_history`, a withdrawal
//! or setting aside sets `voided_at` (with `void_kind`). Where each ballot stands in its
//! lifecycle, and the keyings that brought it there, are kept as [`states`] says. Every change
//! appends to the `audit` log, whose entries are chained by SHA-256 and which triggers keep
//! append-only; each entry records the ballot set it leaves behind (`set_hash`) and the rest of
//! the meeting's state (`state`: the decisions, the ballot history, the import batches, the
//! forms issued, the final flag and what finalising stored), so `check` finds either changed
//! behind tallyclerk's back. Each change is one transaction, so a kill at any moment leaves
//! the store as it was before or after it, never between.
//!
//! Only [`Store::create`] makes a store file; every other open refuses a folder whose store is
//! missing or empty, and [`Store::open_read_only`] writes nothing at all.

use crate::config::Config;
use crate::effective::{self, EffectiveRules, RuleChange};
use crate::error::{Error, Result, Text};
use crate::model::{marks_string, parse_marks, validity, Ballot, InvalidReason, Mark};
use crate::ranking::{Decision, Tie};
use db::{args, Cell, Db};
use rusqlite::{Connection, OpenFlags};
use sha2::{Digest, Sha256};
use std::path::Path;
use std::time::Duration;

mod batch;
mod consistency;
mod count;
mod covered;
mod database;
pub(crate) mod db;
mod listing;
pub mod postgres_copy;
mod radix;
mod serials;
mod set_hash;
mod states;
mod write_back;

pub use batch::{BatchSink, Batched, Filled};
pub use count::Count;
pub use listing::{AuditEntry, AuditFilter, BallotKey, Direction, KeptKind, KeptRow};
pub use serials::SerialSet;
use set_hash::SetHash;
pub use states::{Keying, Step};

/// The schema this build reads and writes.
pub const SCHEMA_VERSION: i64 = 8;

/// Schema 1, as first written; [`MIGRATIONS`] bring it to [`SCHEMA_VERSION`], for new stores
/// and old ones alike.
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE TABLE ballots (
    id INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL,
    grp TEXT,
    marks TEXT NOT NULL,
    valid INTEGER NOT NULL,
    invalid_reason TEXT,
    source TEXT NOT NULL,
    batch_id INTEGER REFERENCES import_batches(id),
    created_at TEXT NOT NULL,
    updated_at TEXT,
    verified_at TEXT,
    voided_at TEXT,
    void_reason TEXT
);
CREATE UNIQUE INDEX ballots_active_serial ON ballots(serial) WHERE voided_at IS NULL;
CREATE TABLE ballot_history (
    id INTEGER PRIMARY KEY,
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    grp TEXT,
    marks TEXT NOT NULL,
    replaced_at TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    tier TEXT NOT NULL,
    orgs TEXT NOT NULL,
    made_at TEXT NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL,
    set_hash TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER ballots_never_deleted BEFORE DELETE ON ballots
BEGIN SELECT RAISE(ABORT, 'ballots are voided, never deleted'); END;
";

/// How long a change waits for another process's change to the same meeting.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The page size of a store created here (SQLite's default is 4 KiB; a store keeps the size
/// it was created with). Bigger pages make a big import's rows and serial index take a
/// quarter of the pages, so fewer page splits and writes: 5 to 9 % less CPU for a million
/// forms. A typed form then writes its few changed pages at 16 KiB each, which its save
/// (well under a millisecond) hardly shows.
pub(crate) const PAGE_SIZE: i64 = 16384;

/// Migrations, by the version they lead to.
///
/// 2: an imported ballot's `created_at` is NULL, meaning its batch's `imported_at`, instead
/// of the same 24 bytes a million times over (SQLite cannot drop a NOT NULL, hence the
/// table is rebuilt, foreign keys off); and the few voided and verified ballots are indexed,
/// so counting them does not read the whole table.
///
/// 3: a decision records the tie it settles (`tie`: the ids of the whole tie group,
/// `first_place`..`last_place`: the places it occupied) and its `reason`; it is withdrawn
/// (`withdrawn_at`, `withdraw_reason`), never deleted. Decisions recorded before are bound to
/// the tie they settle in the ballots as they are when migrated ([`bind_unbound_decisions`]).
///
/// 4: a ballot's lifecycle (see [`states`]): `void_kind` tells a withdrawn keying mistake from
/// a paper form set aside (an earlier `undo` was a withdrawal, any other void a setting
/// aside), `verified_by` how a verified ballot was verified (earlier ones: agreed), `dispute`
/// the readings that disagree, and `keyings` every keying typed at a station. The new columns
/// are NULL for an imported ballot, so an import writes nothing more.
///
/// 5: each audit entry records the meeting's state besides the ballot set (`state`, see
/// [`state_of`]); entries written before have none, and the migration's own entry records the
/// state found then.
///
/// 6: the state every audit entry records covers the ballot history and the import batches
/// too (see [`STATE_TABLES`]); no table changes, and the migration's own entry records the
/// wider state found then.
///
/// 7: an import batch keeps the station that imported it (`import_batches.clerk`, NULL for
/// earlier batches and where no station was named).
///
/// 8: the state every audit entry records covers the keyings and the lifecycle of every
/// ballot typed or taken through a step too, by sums kept in `meta` (see [`covered`]); no
/// table changes: the migration adds the sums up from the rows found then, and its own
/// entry records them.
const MIGRATIONS: &[(i64, &str)] = &[
    (
        2,
        "
CREATE TABLE ballots_2 (
    id INTEGER PRIMARY KEY,
    serial INTEGER NOT NULL,
    grp TEXT,
    marks TEXT NOT NULL,
    valid INTEGER NOT NULL,
    invalid_reason TEXT,
    source TEXT NOT NULL,
    batch_id INTEGER REFERENCES import_batches(id),
    created_at TEXT CHECK (created_at IS NOT NULL OR batch_id IS NOT NULL),
    updated_at TEXT,
    verified_at TEXT,
    voided_at TEXT,
    void_reason TEXT
);
INSERT INTO ballots_2 SELECT * FROM ballots;
DROP TABLE ballots;
ALTER TABLE ballots_2 RENAME TO ballots;
CREATE UNIQUE INDEX ballots_active_serial ON ballots(serial) WHERE voided_at IS NULL;
CREATE INDEX ballots_voided ON ballots(id) WHERE voided_at IS NOT NULL;
CREATE INDEX ballots_verified ON ballots(id) WHERE verified_at IS NOT NULL AND voided_at IS NULL;
CREATE TRIGGER ballots_never_deleted BEFORE DELETE ON ballots
BEGIN SELECT RAISE(ABORT, 'ballots are voided, never deleted'); END;
",
    ),
    (
        3,
        "
ALTER TABLE decisions ADD COLUMN tie TEXT;
ALTER TABLE decisions ADD COLUMN first_place INTEGER;
ALTER TABLE decisions ADD COLUMN last_place INTEGER;
ALTER TABLE decisions ADD COLUMN reason TEXT;
ALTER TABLE decisions ADD COLUMN withdrawn_at TEXT;
ALTER TABLE decisions ADD COLUMN withdraw_reason TEXT;
CREATE TRIGGER decisions_never_deleted BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions are withdrawn, never deleted'); END;
",
    ),
    (
        4,
        "
ALTER TABLE ballots ADD COLUMN void_kind TEXT CHECK (void_kind IN ('withdrawn', 'set_aside'));
ALTER TABLE ballots ADD COLUMN verified_by TEXT CHECK (verified_by IN ('agreed', 'third_reading'));
ALTER TABLE ballots ADD COLUMN dispute TEXT;
UPDATE ballots SET void_kind = CASE WHEN void_reason = 'undo' THEN 'withdrawn' ELSE 'set_aside' END
    WHERE voided_at IS NOT NULL;
UPDATE ballots SET verified_by = 'agreed' WHERE verified_at IS NOT NULL AND voided_at IS NULL;
CREATE INDEX ballots_disputed ON ballots(id) WHERE dispute IS NOT NULL AND voided_at IS NULL;
CREATE TABLE keyings (
    id INTEGER PRIMARY KEY,
    ballot_id INTEGER NOT NULL REFERENCES ballots(id),
    reading INTEGER NOT NULL,
    group_keyed INTEGER NOT NULL,
    grp TEXT,
    marks TEXT NOT NULL,
    clerk TEXT,
    keyed_at TEXT NOT NULL
);
CREATE INDEX keyings_ballot ON keyings(ballot_id);
",
    ),
    (5, "ALTER TABLE audit ADD COLUMN state TEXT;"),
    (6, ""),
    // The station that imported a batch, as a keying names the station that typed it.
    (7, "ALTER TABLE import_batches ADD COLUMN clerk TEXT;"),
    (8, ""),
];

/// The keys of `meta` that belong to the meeting's state recorded by every audit entry.
const STATE_META: [&str; 5] = [
    "finalised",
    "forms_issued",
    "final_rules",
    "final_rules_sha256",
    "final_results_sha256",
];

const NOW: &str = db::SQLITE_NOW;

/// Where a ballot came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Typed on the command line or in the TUI.
    Typed,
    /// From an import batch.
    Import,
    /// The bundled demo.
    Demo,
}

impl Source {
    fn word(self) -> &'static str {
        match self {
            Source::Typed => "typed",
            Source::Import => "import",
            Source::Demo => "demo",
        }
    }
}

/// A ballot as stored, with its bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredBallot {
    /// Row id.
    pub id: i64,
    /// The ballot itself.
    pub ballot: Ballot,
    /// Whether it passes the validity rules.
    pub valid: bool,
    /// Why not, when invalid.
    pub invalid_reason: Option<InvalidReason>,
    /// `typed`, `import`, `demo`.
    pub source: String,
    /// When it was stored.
    pub created_at: String,
    /// When it was verified by a second keying (or resolved by further readings).
    pub verified_at: Option<String>,
    /// Whether its readings disagree (waiting for a further reading).
    pub disputed: bool,
}

/// How a ballot left the count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removed {
    /// A keying mistake withdrawn (no paper behind it); else a paper form set aside.
    pub withdrawn: bool,
    /// Why, as the clerk gave it.
    pub reason: String,
}

/// Counts of the ballot set, for status lines and exports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Forms handed out, when known (the store's figure, else meeting.toml's).
    pub issued: Option<u64>,
    /// Paper forms collected: the ballots that count, valid or not, and the forms set aside
    /// (a withdrawn keying mistake has no paper behind it).
    pub collected: u64,
    /// Valid ballots.
    pub valid: u64,
    /// Invalid ballots (that count, but not in the tally).
    pub invalid: u64,
    /// Keyings withdrawn as mistakes.
    pub withdrawn: u64,
    /// Paper forms set aside as void.
    pub set_aside: u64,
    /// Ballots confirmed by a second keying (agreed, or resolved by further readings).
    pub verified: u64,
    /// Ballots whose readings disagree, waiting for a further reading.
    pub disputed: u64,
    /// Ballots waiting for a second keying.
    pub unverified: u64,
    /// SHA-256 of the ballot set.
    pub digest: String,
    /// Whether the meeting is finalised.
    pub finalised: bool,
    /// The hash of the last audit entry: noted down outside the store, it anchors the store
    /// as it is now (see [`Store::has_audit_entry`]).
    pub audit_head: String,
}

/// How many ballots the store holds, by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BallotCounts {
    /// Paper forms collected: counted (valid or not) or set aside.
    pub collected: u64,
    /// Valid.
    pub valid: u64,
    /// Invalid.
    pub invalid: u64,
    /// Withdrawn as keying mistakes.
    pub withdrawn: u64,
    /// Set aside as void.
    pub set_aside: u64,
    /// Confirmed by a second keying.
    pub verified: u64,
    /// Readings disagree.
    pub disputed: u64,
    /// Waiting for a second keying.
    pub unverified: u64,
}

impl Summary {
    /// More forms collected than issued: the round is void.
    pub fn void_round(&self) -> bool {
        matches!(self.issued, Some(issued) if self.collected > issued)
    }
}

/// A change to the meeting, as a refusal names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Storing a typed ballot.
    Add,
    /// Importing a file of ballots.
    Import,
    /// Replacing the marks of a ballot.
    Edit,
    /// Withdrawing a ballot keyed by mistake.
    Withdraw,
    /// Setting a paper form aside as void.
    SetAside,
    /// Keying a form a second time to verify it.
    Verify,
    /// Keying the disputed fields of a form once more.
    FurtherReading,
    /// Recording a decision at a cutoff tie.
    Decide,
    /// Withdrawing a decision.
    Undecide,
    /// Setting the number of forms issued.
    Issued,
}

impl Change {
    /// The change as the object of "is refused" (English) and of "不能" (Chinese).
    pub fn text(self) -> Text {
        let (en, zh) = match self {
            Change::Add => ("adding a ballot", "录入评议表"),
            Change::Import => ("importing ballots", "导入评议表"),
            Change::Edit => ("editing a ballot", "修改评议表"),
            Change::Withdraw => ("withdrawing a ballot", "撤回评议表"),
            Change::SetAside => ("setting a form aside", "作废表格"),
            Change::Verify => ("verifying a ballot", "核对评议表"),
            Change::FurtherReading => ("reading a disputed form again", "重新读取有争议的表格"),
            Change::Decide => ("recording a decision", "记录裁定"),
            Change::Undecide => ("withdrawing a decision", "撤销裁定"),
            Change::Issued => ("setting the forms issued", "设置发出表格数"),
        };
        Text::new(en, zh)
    }
}

/// What finalising stores beside the flag: the effective rules and the results' digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalRecord {
    /// The effective rules' canonical text ([`EffectiveRules::text`]).
    pub rules: String,
    /// SHA-256 of the results, as [`crate::meeting`] computes it.
    pub results_sha256: String,
    /// The audit head the results were computed at: finalising is refused if the meeting
    /// changed since.
    pub audit_head: String,
}

/// What an open may do to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Work on the meeting: migrate the schema, keep stored validity current, and refuse a
    /// finalised meeting whose rules changed.
    Work,
    /// Reopen a finalised meeting, whatever its rules are now.
    Reopen,
    /// Read only (`check`): nothing migrated, refreshed or cached.
    ReadOnly,
}

/// The open store of one meeting.
pub struct Store {
    conn: Db,
    config: Config,
    /// The clerk of this station, when named: kept with each keying and in the audit log.
    clerk: Option<String>,
    /// For a meeting in a database: where it is (see [`database`]).
    database: Option<database::Database>,
}

impl Store {
    /// Creates the store of a meeting folder that has none yet (an empty file counts as
    /// none: it holds nothing), readable by its owner only.
    pub fn create(config: &Config) -> Result<Store> {
        let path = config.store_path();
        match std::fs::metadata(&path) {
            Ok(meta) if meta.len() > 0 => {
                return Err(Error::user(
                    format!(
                        "{} already has a store ({})",
                        config.dir.display(),
                        path.display()
                    ),
                    format!("{} 已有数据库（{}）", config.dir.display(), path.display()),
                ))
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                restrict_permissions_on_create(&path)?
            }
            Err(e) => return Err(Error::io(&path, e)),
        }
        let mut store = Store::connect(config, Access::Work)?;
        // Only takes effect before the first table, and before the switch to the log.
        store
            .sqlite()?
            .pragma_update(None, "page_size", PAGE_SIZE)?;
        store.make_durable()?;
        store.migrate()?;
        store.refresh_validity()?;
        Ok(store)
    }

    /// Opens the store of a meeting for work: refuses a folder without one, migrates an
    /// older schema, refuses a finalised meeting whose rules changed since, and keeps stored
    /// validity current with the rules.
    pub fn open(config: &Config) -> Result<Store> {
        let mut store = Store::open_existing(config, Access::Work)?;
        store.after_open(Access::Work)?;
        Ok(store)
    }

    /// Opens the store of a finalised meeting to reopen it: the one use of a meeting whose
    /// rules changed after finalising. Validity is brought up to date by the reopen.
    pub fn open_to_reopen(config: &Config) -> Result<Store> {
        let mut store = Store::open_existing(config, Access::Reopen)?;
        store.after_open(Access::Reopen)?;
        Ok(store)
    }

    /// What an open for `access` checks and brings up to date once the store is connected
    /// at the current schema: for work, a finalised meeting whose rules changed since is
    /// refused; a changed layout is refused; stored validity follows the rules.
    fn after_open(&mut self, access: Access) -> Result<()> {
        if access == Access::ReadOnly {
            return Ok(());
        }
        if access == Access::Work {
            let changes = self.final_rules_changes()?;
            if !changes.is_empty() {
                return Err(Error::User(effective::changed_after_finalising(
                    &self.config,
                    &changes,
                )));
            }
        }
        self.refuse_layout_change()?;
        if access == Access::Work || !self.is_final()? {
            self.refresh_validity()?;
        }
        Ok(())
    }

    /// Opens the store to read it only: nothing is migrated, refreshed or cached, and the
    /// store file is left byte for byte as it was (`check`).
    pub fn open_read_only(config: &Config) -> Result<Store> {
        Store::open_existing(config, Access::ReadOnly)
    }

    fn open_existing(config: &Config, access: Access) -> Result<Store> {
        let path = config.store_path();
        let dir = config.dir.display();
        let size = match std::fs::metadata(&path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::user(
                    format!("{dir} has no store: {} is missing. If the file was lost, restore it from a backup; a meeting written by hand gets its store from `tallyclerk new {dir}`", path.display()),
                    format!("{dir} 没有数据库：缺少 {}。若文件丢失，请从备份恢复；手写的会议由 `tallyclerk new {dir}` 创建数据库", path.display()),
                ))
            }
            Err(e) => return Err(Error::io(&path, e)),
        };
        let store = if size == 0 {
            None
        } else {
            Some(Store::connect(config, access)?)
        };
        let (mut store, version) = match store {
            Some(store) => match store.user_version()? {
                0 => return Err(store.refusal_without_schema()?),
                version => (store, version),
            },
            None => return Err(empty_store(config)),
        };
        match access {
            Access::ReadOnly if version < SCHEMA_VERSION => {
                return Err(Error::user(
                    format!("{} has schema {version}, older than this tallyclerk's {SCHEMA_VERSION}; reading it changes nothing, so it is not migrated here: any other command (e.g. `tallyclerk tally {dir}`) migrates it, audited", path.display()),
                    format!("{} 的结构版本为 {version}，低于本程序的 {SCHEMA_VERSION}；本命令只读，不做迁移：其他命令（如 `tallyclerk tally {dir}`）会迁移它并记入审计日志", path.display()),
                ))
            }
            Access::ReadOnly => store.refuse_newer(version)?,
            Access::Work | Access::Reopen => {
                store.make_durable()?;
                store.migrate()?;
            }
        }
        Ok(store)
    }

    /// Opens the SQLite connection of an existing store file, without creating one and
    /// without writing to it.
    fn connect(config: &Config, access: Access) -> Result<Store> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(config.store_path(), flags)?;
        let conn = match access {
            Access::ReadOnly => Store::readable(config, conn)?,
            Access::Work | Access::Reopen => conn,
        };
        conn.busy_timeout(BUSY_TIMEOUT)?;
        if access == Access::ReadOnly {
            // A read-write connection that refuses every write: unlike a read-only one, it
            // removes the -wal and -shm files it opened when it closes, so the folder is left
            // as it was.
            conn.pragma_update(None, "query_only", true)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // An import inserts many rows per statement. When their serials come in any order,
        // each statement changes index pages all over the serial index, and SQLite keeps
        // their old content in a statement journal (to undo that statement alone); past
        // 64 KiB it goes to a temporary file, a write per page for most rows. Kept in memory
        // it is a few hundred KiB at most (one statement's pages).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        Ok(Store {
            conn: Db::sqlite_file(conn),
            config: config.clone(),
            clerk: None,
            database: None,
        })
    }

    /// A connection that reads the store where the folder cannot be written (read-only
    /// media, a full disk): reading a store in write-ahead-log mode needs its `-shm` file,
    /// which is created or grown on the first read. Where that fails and the `-wal` file
    /// holds nothing (the UI and every command move it into meeting.db when they end), all
    /// of the store is in meeting.db, which is then read as a file that cannot change.
    fn readable(config: &Config, conn: Connection) -> Result<Connection> {
        let first_read = conn.query_row("SELECT COUNT(*) FROM sqlite_master", [], |r| {
            r.get::<_, i64>(0)
        });
        let Err(e) = first_read else {
            return Ok(conn);
        };
        use rusqlite::ErrorCode::*;
        let unwritable = matches!(
            e.sqlite_error_code(),
            Some(CannotOpen | ReadOnly | SystemIoFailure | DiskFull | PermissionDenied)
        );
        if !unwritable {
            return Err(e.into());
        }
        drop(conn);
        let path = config.store_path();
        // What meeting.db alone does not hold: changes not yet moved in from the log, or an
        // import cut off while it wrote through the rollback journal (see `batch::Immediate`),
        // part of which is in meeting.db until the journal is played back where it can be
        // written.
        let beside = |suffix: &str| {
            let mut file = path.clone().into_os_string();
            file.push(suffix);
            // A file that cannot be looked at may hold something.
            match std::fs::metadata(&file) {
                Ok(meta) => meta.len() > 0,
                Err(e) => e.kind() != std::io::ErrorKind::NotFound,
            }
        };
        let unread = if beside("-wal") {
            Some((
                "changes not yet moved into meeting.db wait in its -wal file",
                "尚未并入 meeting.db 的修改仍在 -wal 文件中",
            ))
        } else if beside("-journal") {
            Some((
                "an import cut off before it ended is still to be undone from its -journal file",
                "一次中断的导入尚待依其 -journal 文件撤销",
            ))
        } else {
            None
        };
        if let Some((en, zh)) = unread {
            return Err(Error::user(
                format!("{}: the store cannot be read here: its folder cannot be written (read-only media, or a full disk) and {en}; copy the folder to a writable place, or open it there once", path.display()),
                format!("{}：此处无法读取数据库：其文件夹不可写（只读介质或磁盘已满），且{zh}；请将文件夹复制到可写的位置，或在可写处打开一次", path.display()),
            ));
        }
        let uri = format!("file:{}?immutable=1", uri_path(&path));
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        Ok(Connection::open_with_flags(uri, flags)?)
    }

    /// Write-ahead logging, each commit on disk before it is reported: set once the file is
    /// known to be a tallyclerk store (or a new one), as switching the journal writes it.
    fn make_durable(&self) -> Result<()> {
        if let Some(conn) = self.conn.sqlite() {
            // While a big import writes the store through the rollback journal (see
            // `batch::Immediate`), switching to the log fails at once instead of waiting:
            // SQLite does not wait for a lock it must upgrade. Wait for the import here.
            let started = std::time::Instant::now();
            loop {
                match conn.pragma_update(None, "journal_mode", "WAL") {
                    Err(e)
                        if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy)
                            && started.elapsed() < BUSY_TIMEOUT =>
                    {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    other => break other?,
                }
            }
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(())
    }

    /// Why a store file whose schema version is 0 cannot be used: it is empty, or it is
    /// some other program's database.
    fn refusal_without_schema(&self) -> Result<Error> {
        let tables: i64 =
            self.conn
                .query_row("SELECT COUNT(*) FROM sqlite_master", args![], |r| r.get(0))?;
        if tables == 0 {
            return Ok(empty_store(&self.config));
        }
        let path = self.config.store_path();
        Ok(Error::user(
            format!("{} is not a tallyclerk store", path.display()),
            format!("{} 不是 tallyclerk 数据库", path.display()),
        ))
    }

    /// The config the store was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The SQLite connection, for what only a store file has (its schema migrations, its
    /// backup, its write-ahead log).
    fn sqlite(&self) -> Result<&Connection> {
        self.conn.sqlite().ok_or_else(|| {
            Error::Internal("a SQLite operation was asked of a PostgreSQL meeting".into())
        })
    }

    /// The rows that refer to a missing row: (table, row id, table referred to).
    fn foreign_key_check(&self) -> &'static str {
        if self.conn.is_postgres() {
            // The copy keeps no foreign keys, so they are looked for by hand: those of the
            // store's schema.
            "SELECT 'ballots', id, 'import_batches' FROM ballots
                WHERE batch_id IS NOT NULL AND batch_id NOT IN (SELECT id FROM import_batches)
             UNION ALL SELECT 'ballot_history', id, 'ballots' FROM ballot_history
                WHERE ballot_id NOT IN (SELECT id FROM ballots)
             UNION ALL SELECT 'keyings', id, 'ballots' FROM keyings
                WHERE ballot_id NOT IN (SELECT id FROM ballots)"
        } else {
            "SELECT \"table\", rowid, parent FROM pragma_foreign_key_check"
        }
    }

    fn user_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", args![], |r| r.get(0))
    }

    /// Whether the meeting is in a PostgreSQL database (else in a folder's SQLite file).
    pub fn is_database(&self) -> bool {
        self.database.is_some()
    }

    /// How many statements this store's connection has run (see [`Db::statements_run`]): on
    /// a database, the round trips to its server a change costs.
    pub fn statements_run(&self) -> u64 {
        self.conn.statements_run()
    }

    /// Where the meeting is, as a command takes it: its folder, or its database's URL.
    pub fn location(&self) -> std::path::PathBuf {
        match &self.database {
            Some(database) => database.url.clone().into(),
            None => self.config.dir.clone(),
        }
    }

    fn refuse_newer(&self, version: i64) -> Result<()> {
        if version > SCHEMA_VERSION {
            return Err(Error::user(
                format!(
                    "{} was written by a newer tallyclerk (schema {version}, this one reads {SCHEMA_VERSION})",
                    self.config.store_path().display()
                ),
                format!(
                    "{} 由更新版本的 tallyclerk 写入（结构版本 {version}，本程序支持 {SCHEMA_VERSION}）",
                    self.config.store_path().display()
                ),
            ));
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<()> {
        let version = self.user_version()?;
        self.refuse_newer(version)?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        // Rebuilding a table that others refer to needs foreign keys off, which only takes
        // effect outside a transaction; the migration checks them itself before committing.
        let conn = self.sqlite()?;
        conn.pragma_update(None, "foreign_keys", false)?;
        let migrated = self.migrate_from();
        self.sqlite()?.pragma_update(None, "foreign_keys", true)?;
        migrated
    }

    fn migrate_from(&mut self) -> Result<()> {
        let tx = self.conn.write()?;
        let version: i64 = tx.query_row("PRAGMA user_version", args![], |r| r.get(0))?;
        if version == 0 {
            tx.batch(SCHEMA)?;
            tx.execute(
                &format!("INSERT INTO meta (key, value) VALUES ('created_at', {NOW})"),
                args![],
            )?;
        }
        for &(to, migration) in MIGRATIONS {
            if version < to {
                tx.batch(migration)?;
            }
        }
        if version > 0 && version < 3 {
            bind_unbound_decisions(&tx, &self.config)?;
        }
        if version > 0 && version < 8 {
            for rows in covered::COVERED {
                rows.keep_fresh(&tx)?;
            }
        }
        let dangling: i64 = tx.query_row(
            "SELECT COUNT(*) FROM pragma_foreign_key_check",
            args![],
            |r| r.get(0),
        )?;
        if dangling > 0 {
            return Err(Error::Internal(format!(
                "the store has {dangling} rows referring to missing rows; it was not migrated"
            )));
        }
        // Audited once the schema is current, so the entry records the state it leaves.
        if version == 0 {
            append_audit(&tx, "create", "store created")?;
        } else {
            append_audit(
                &tx,
                "migrate",
                &format!("schema {version} to {SCHEMA_VERSION}"),
            )?;
        }
        tx.batch(&format!("PRAGMA user_version = {SCHEMA_VERSION}"))?;
        tx.commit()?;
        Ok(())
    }

    /// The keys of the effective rules that differ from those stored when the meeting was
    /// finalised; empty when it is not final (or was finalised before rules were stored).
    pub fn final_rules_changes(&self) -> Result<Vec<RuleChange>> {
        if !self.is_final()? {
            return Ok(Vec::new());
        }
        let Some(stored) = self.meta("final_rules")? else {
            return Ok(Vec::new());
        };
        Ok(EffectiveRules::parse(&stored).changes(&EffectiveRules::of(&self.config)))
    }

    /// Refuses a config that would reinterpret the stored marks: organizations or option
    /// keys changed since ballots were entered.
    fn refuse_layout_change(&self) -> Result<()> {
        if let Some(problem) = self.layout_problem()? {
            return Err(Error::User(problem));
        }
        Ok(())
    }

    fn layout_problem(&self) -> Result<Option<Text>> {
        let layout = self.config.layout_fingerprint();
        let Some(stored) = self.meta("layout")? else {
            return Ok(None);
        };
        let ballots: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM ballots", args![], |r| r.get(0))?;
        if stored == layout || ballots == 0 {
            return Ok(None);
        }
        let dir = self.config.dir.display();
        Ok(Some(Text::new(
            format!(
                "the organizations or option keys of {dir} changed since ballots were entered ({stored} before, {layout} now); restore them"
            ),
            format!(
                "{dir} 的组织或选项键在录入评议表后被修改（原为 {stored}，现为 {layout}）；请恢复原样"
            ),
        )))
    }

    /// Records the layout, and recomputes every ballot's stored validity when the validity
    /// rules changed since it was stored (audited when there are ballots).
    fn refresh_validity(&mut self) -> Result<()> {
        let layout = self.config.layout_fingerprint();
        let rules = self.config.rules_fingerprint();
        if self.meta("layout")?.as_deref() == Some(layout.as_str())
            && self.meta("rules")?.as_deref() == Some(rules.as_str())
        {
            return Ok(());
        }
        let tx = self.conn.write()?;
        set_meta(&tx, "layout", &layout)?;
        if meta_in(&tx, "rules")?.as_deref() != Some(rules.as_str()) {
            let ballots: i64 =
                tx.query_row("SELECT COUNT(*) FROM ballots", args![], |r| r.get(0))?;
            let rows: Vec<(i64, String)> =
                tx.query_map("SELECT id, marks FROM ballots", args![], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            for (id, marks) in rows {
                let marks = decode_marks(&self.config, &marks)?;
                let (valid, reason) = validity_columns(&self.config, &marks);
                tx.execute(
                    "UPDATE ballots SET valid = ?1, invalid_reason = ?2 WHERE id = ?3",
                    args![valid, reason, id],
                )?;
            }
            set_meta(&tx, "rules", &rules)?;
            if ballots > 0 {
                append_audit(&tx, "rules", "validity recomputed for changed rules")?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        meta_in(&self.conn, key)
    }

    fn decode_marks(&self, text: &str) -> Result<Vec<Mark>> {
        decode_marks(&self.config, text)
    }

    /// Checks a ballot against the meeting: marks count, group known, serial positive.
    pub fn check_ballot(&self, ballot: &Ballot) -> Result<()> {
        let orgs = self.config.organizations.len();
        if ballot.marks.len() != orgs {
            return Err(Error::user(
                format!(
                    "{} given, the meeting has {}",
                    crate::lang::count_en(ballot.marks.len(), "mark", "marks"),
                    crate::lang::count_en(orgs, "organization", "organizations")
                ),
                format!("给出 {} 个评价，会议有 {orgs} 个组织", ballot.marks.len()),
            ));
        }
        if !(1..=crate::limits::MAX_SERIAL).contains(&ballot.serial) {
            let max = crate::limits::MAX_SERIAL;
            return Err(Error::user(
                format!(
                    "serial {} is out of range: a serial is a whole number from 1 to {max}",
                    ballot.serial
                ),
                format!(
                    "编号 {} 超出范围：编号是 1 到 {max} 之间的整数",
                    ballot.serial
                ),
            ));
        }
        self.check_group(ballot.group.as_deref())
    }

    /// Checks that a voter group is one of the meeting's (or none, when it has none).
    pub fn check_group(&self, group: Option<&str>) -> Result<()> {
        if group.is_none() && self.config.weight_of(None).is_none() {
            return Err(Error::user(
                "this form has no voter group: under weighting = \"group_share\" every form needs its group (--group)",
                "此评议表没有组别：weighting = \"group_share\" 时每张评议表都需要组别（--group）",
            ));
        }
        if self.config.weight_of(group).is_none() {
            let known: Vec<&str> = self.config.groups.iter().map(|g| g.id.as_str()).collect();
            let group = crate::text::echo(group.unwrap_or_default());
            return Err(Error::user(
                format!(
                    "unknown voter group \"{group}\" (the meeting has: {})",
                    known.join(", ")
                ),
                format!(
                    "未知的投票人组别 \"{group}\"（会议的组别：{}）",
                    known.join("、")
                ),
            ));
        }
        Ok(())
    }

    fn refuse_if_final(conn: &Db, change: Change) -> Result<()> {
        if meta_in(conn, "finalised")?.as_deref() == Some("1") {
            let what = change.text();
            return Err(Error::user(
                format!(
                    "the meeting is finalised: {} is refused; `reopen DIR --reason TEXT` first",
                    what.en
                ),
                format!(
                    "会议已定稿：不能{}；请先执行 `reopen DIR --reason 原因`",
                    what.zh
                ),
            ));
        }
        Ok(())
    }

    /// Refuses `change` while the meeting is finalised (for a use case to say so before
    /// anything else; every change is refused by the store itself too).
    pub(crate) fn refuse_when_final(&self, change: Change) -> Result<()> {
        Store::refuse_if_final(&self.conn, change)
    }

    /// Stores one typed ballot durably and returns it as stored.
    pub fn add(&mut self, ballot: &Ballot, source: Source) -> Result<StoredBallot> {
        self.check_ballot(ballot)?;
        // Through a shared borrow, so the helpers of `self` can be called inside it.
        let tx = self.conn.write()?;
        Store::refuse_if_final(&tx, Change::Add)?;
        if active_id(&tx, ballot.serial)?.is_some() {
            return Err(serial_taken(ballot.serial));
        }
        let marks = marks_string(&ballot.marks, &self.config.scale);
        let invalid_reason = validity(&ballot.marks, &self.config.scale, &self.config.rules).err();
        let valid = invalid_reason.is_none();
        let reason = invalid_reason.as_ref().map(InvalidReason::code);
        // The row's id and time come back with it: the ballot as stored is not read again.
        let (id, created_at): (i64, String) = tx.query_row(
            &format!(
                "INSERT INTO ballots (serial, grp, marks, valid, invalid_reason, source, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW}) RETURNING id, created_at"
            ),
            args![
                ballot.serial as i64,
                ballot.group,
                marks,
                valid,
                reason,
                source.word()
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        covered::BALLOT_STATES.changed(&tx, id, None)?;
        let first = crate::ballot_state::Reading {
            group: ballot.group.clone(),
            marks: ballot.marks.clone(),
        };
        self.insert_keying(&tx, id, &Keying::whole(1, &first))?;
        let before = SetHash::load(&tx)?;
        let mut after = before;
        after.add(ballot.serial as i64, ballot.group.as_deref(), &marks);
        after.save(&tx)?;
        count::carry(&tx, &self.config, &before, &after, |count| {
            count.add(&self.config, ballot.group.as_deref(), &ballot.marks)
        })?;
        append_audit(
            &tx,
            "add",
            &format!(
                "serial {} group {} marks {marks}{}",
                ballot.serial,
                group_text(ballot),
                self.clerk_suffix()
            ),
        )?;
        tx.commit()?;
        Ok(StoredBallot {
            id,
            ballot: ballot.clone(),
            valid,
            invalid_reason,
            source: source.word().to_string(),
            created_at,
            verified_at: None,
            disputed: false,
        })
    }

    fn ballot_by_id(&self, id: i64) -> Result<StoredBallot> {
        let row = self.conn.query_row(
            &format!("SELECT {STORED_COLUMNS} FROM ballots WHERE id = ?1"),
            args![id],
            stored_row,
        )?;
        self.stored_ballot(row)
    }

    fn stored_ballot(&self, row: StoredRow) -> Result<StoredBallot> {
        let marks = self.decode_marks(&row.3)?;
        // Stores from before reason codes hold an English sentence: the marks say it again.
        let invalid_reason = row.5.and_then(|text| {
            InvalidReason::from_code(&text)
                .or_else(|| validity(&marks, &self.config.scale, &self.config.rules).err())
        });
        Ok(StoredBallot {
            id: row.0,
            ballot: Ballot {
                serial: row.1 as u64,
                group: row.2,
                marks,
            },
            valid: row.4,
            invalid_reason,
            source: row.6,
            created_at: row.7,
            verified_at: row.8,
            disputed: row.9,
        })
    }

    /// The ballot with this serial that counts, if any.
    pub fn ballot(&self, serial: u64) -> Result<Option<StoredBallot>> {
        match active_id(&self.conn, serial)? {
            Some(id) => Ok(Some(self.ballot_by_id(id)?)),
            None => Ok(None),
        }
    }

    /// Calls `visit` for every ballot that counts (not voided), in serial order, streaming.
    pub fn for_each_ballot(&self, visit: impl FnMut(&Ballot) -> Result<()>) -> Result<()> {
        self.scan(true, visit)
    }

    /// Calls `visit` for every ballot that counts, in storage order: the fastest full pass,
    /// for work that does not depend on order (the tally).
    pub fn scan_ballots(&self, visit: impl FnMut(&Ballot) -> Result<()>) -> Result<()> {
        self.scan(false, visit)
    }

    fn scan(&self, by_serial: bool, mut visit: impl FnMut(&Ballot) -> Result<()>) -> Result<()> {
        let order = if by_serial { " ORDER BY serial" } else { "" };
        let decoder = MarksDecoder::new(&self.config);
        let mut ballot = Ballot {
            serial: 0,
            group: None,
            marks: Vec::with_capacity(self.config.organizations.len()),
        };
        self.conn.query_each(
            &format!("SELECT serial, grp, marks FROM ballots WHERE voided_at IS NULL{order}"),
            args![],
            |row| {
                ballot.serial = row.get::<i64>(0)? as u64;
                ballot.group = row.get(1)?;
                decoder.decode_into(row.text(2)?.as_bytes(), &mut ballot.marks)?;
                visit(&ballot)
            },
        )
    }

    /// All ballots that count, with their bookkeeping, in serial order (one query).
    pub fn ballots(&self) -> Result<Vec<StoredBallot>> {
        let rows = self.conn.query_map(
            &format!(
                "SELECT {STORED_COLUMNS} FROM ballots WHERE voided_at IS NULL ORDER BY serial"
            ),
            args![],
            stored_row,
        )?;
        rows.into_iter()
            .map(|row| self.stored_ballot(row))
            .collect()
    }

    /// The highest serial ever stored (voided included), 0 when none.
    pub fn max_serial(&self) -> Result<u64> {
        let max: Option<i64> =
            self.conn
                .query_row("SELECT MAX(serial) FROM ballots", args![], |r| r.get(0))?;
        Ok(max.unwrap_or(0) as u64)
    }

    /// The decisions in force (not withdrawn) in the order they were made, as indexes into
    /// the config.
    pub fn decisions(&self) -> Result<Vec<Decision>> {
        Ok(self
            .active_decisions()?
            .into_iter()
            .map(|(_, decision)| decision)
            .collect())
    }

    /// [`Store::decisions`] with their row ids.
    pub fn active_decisions(&self) -> Result<Vec<(i64, Decision)>> {
        let rows = self.conn.query_map(
            "SELECT id, tier, orgs, tie, first_place, last_place FROM decisions \
             WHERE withdrawn_at IS NULL ORDER BY id",
            args![],
            |r| {
                Ok((
                    r.get::<i64>(0)?,
                    r.get::<String>(1)?,
                    r.get::<String>(2)?,
                    r.get::<Option<String>>(3)?,
                    r.get::<Option<i64>>(4)?,
                    r.get::<Option<i64>>(5)?,
                ))
            },
        )?;
        let mut decisions = Vec::new();
        for (id, tier, orgs, tie, first, last) in rows {
            // A decision about a tier or organization no longer in meeting.toml cannot apply.
            let Some((tier, orgs)) = resolve_decision(&self.config, &tier, &orgs) else {
                continue;
            };
            // One left unbound by the migration settles no tie: it shows as lapsed.
            let tie = match (tie, first, last) {
                (Some(tie), Some(first), Some(last)) => {
                    let Some(orgs) = org_indexes(&self.config, &tie) else {
                        continue;
                    };
                    Tie {
                        orgs,
                        first: first as usize,
                        last: last as usize,
                    }
                }
                _ => Tie {
                    orgs: Vec::new(),
                    first: 0,
                    last: 0,
                },
            };
            decisions.push((id, Decision { tier, tie, orgs }));
        }
        Ok(decisions)
    }

    /// The clerk's reason for each decision in force, by its row id (as
    /// [`Store::active_decisions`] gives them).
    pub fn decision_reasons(&self) -> Result<std::collections::HashMap<i64, String>> {
        let rows = self.conn.query_map(
            "SELECT id, reason FROM decisions WHERE withdrawn_at IS NULL",
            args![],
            |r| Ok((r.get::<i64>(0)?, r.get::<Option<String>>(1)?)),
        )?;
        let mut reasons = std::collections::HashMap::new();
        for (id, reason) in rows {
            reasons.insert(id, reason.unwrap_or_default());
        }
        Ok(reasons)
    }

    /// Records a decision (already checked by the caller against the ranking of the
    /// meeting as it stood at audit head `seen_head`), with the clerk's reason, audited.
    /// Refused when the meeting changed since (another station saved a form or decided
    /// meanwhile): the tie may be another now.
    pub fn add_decision(
        &mut self,
        decision: &Decision,
        reason: &str,
        seen_head: &str,
    ) -> Result<()> {
        require_reason(reason)?;
        let words = DecisionWords::of(&self.config, decision);
        let tx = self.conn.write()?;
        Store::refuse_if_final(&tx, Change::Decide)?;
        if audit_head(&tx)? != seen_head {
            return Err(Error::user(
                "the meeting changed while the decision was being made (another station?); nothing was recorded: decide again on the ranking as it is now",
                "作出裁定时会议被修改（其他工作站？）；未记录：请按当前排名重新裁定",
            ));
        }
        tx.execute(
            &format!(
                "INSERT INTO decisions (tier, orgs, tie, first_place, last_place, reason, made_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, {NOW})"
            ),
            args![
                words.tier,
                words.orgs,
                words.tie,
                decision.tie.first as i64,
                decision.tie.last as i64,
                reason
            ],
        )?;
        append_audit(
            &tx,
            "decide",
            &format!("{} reason {reason}{}", words.detail(), self.clerk_suffix()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Withdraws decisions (row ids from [`Store::active_decisions`]) with the clerk's
    /// reason, each audited; the rows stay, marked withdrawn. Refused, changing nothing, when
    /// one of them was withdrawn meanwhile.
    pub fn withdraw_decisions(
        &mut self,
        withdrawn: &[(i64, Decision)],
        reason: &str,
    ) -> Result<()> {
        require_reason(reason)?;
        let tx = self.conn.write()?;
        Store::refuse_if_final(&tx, Change::Undecide)?;
        for (id, decision) in withdrawn {
            let changed = tx.execute(
                &format!(
                    "UPDATE decisions SET withdrawn_at = {NOW}, withdraw_reason = ?1 \
                     WHERE id = ?2 AND withdrawn_at IS NULL"
                ),
                args![reason, *id],
            )?;
            if changed != 1 {
                return Err(Error::user(
                    "the decision was withdrawn meanwhile (by another station?); nothing changed",
                    "该裁定已被撤销（可能在另一台电脑上）；未作任何更改",
                ));
            }
            let words = DecisionWords::of(&self.config, decision);
            append_audit(
                &tx,
                "undecide",
                &format!("{} reason {reason}{}", words.detail(), self.clerk_suffix()),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Sets the number of forms handed out.
    pub fn set_issued(&mut self, issued: u64) -> Result<()> {
        let max = crate::limits::MAX_ISSUED;
        if issued > max {
            return Err(Error::user(
                format!("{issued} forms issued: the number is at most {max}"),
                format!("发出 {issued} 份：数量最多为 {max}"),
            ));
        }
        let tx = self.conn.write()?;
        Store::refuse_if_final(&tx, Change::Issued)?;
        set_meta(&tx, "forms_issued", &issued.to_string())?;
        append_audit(
            &tx,
            "issued",
            &format!("forms issued {issued}{}", self.clerk_suffix()),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Locks the meeting once results are announced, storing the effective rules with their
    /// digest and the results' digest. Refused when the meeting changed since
    /// `record.audit_head`, the state the caller checked and computed the results from.
    pub fn finalise(&mut self, record: &FinalRecord) -> Result<()> {
        let tx = self.conn.write()?;
        if meta_in(&tx, "finalised")?.as_deref() == Some("1") {
            return Err(Error::user(
                "the meeting is already finalised",
                "会议已经定稿",
            ));
        }
        if audit_head(&tx)? != record.audit_head {
            return Err(Error::user(
                "the meeting changed while it was being finalised (another station?); finalise again",
                "定稿过程中会议被修改（其他工作站？）；请重新定稿",
            ));
        }
        let rules_sha256 = hex(&Sha256::digest(record.rules.as_bytes()));
        set_meta(&tx, "finalised", "1")?;
        set_meta(&tx, "final_rules", &record.rules)?;
        set_meta(&tx, "final_rules_sha256", &rules_sha256)?;
        set_meta(&tx, "final_results_sha256", &record.results_sha256)?;
        append_audit(
            &tx,
            "finalise",
            &format!(
                "meeting finalised; rules sha256:{rules_sha256} results sha256:{}{}",
                record.results_sha256,
                self.clerk_suffix()
            ),
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Unlocks a finalised meeting, with the reason in the audit log; the rules and results
    /// stored by finalising are cleared, and stored validity brought up to date with the
    /// rules as they are now.
    pub fn reopen(&mut self, reason: &str) -> Result<()> {
        require_reason(reason)?;
        let tx = self.conn.write()?;
        if meta_in(&tx, "finalised")?.as_deref() != Some("1") {
            return Err(Error::user("the meeting is not finalised", "会议尚未定稿"));
        }
        set_meta(&tx, "finalised", "0")?;
        tx.execute(
            "DELETE FROM meta WHERE key IN ('final_rules', 'final_rules_sha256', 'final_results_sha256')",
            args![],
        )?;
        append_audit(
            &tx,
            "reopen",
            &format!("reason {reason}{}", self.clerk_suffix()),
        )?;
        tx.commit()?;
        self.refresh_validity()
    }

    /// The rules and results digests stored when the meeting was finalised, if it is.
    pub fn final_digests(&self) -> Result<Option<(String, String)>> {
        if !self.is_final()? {
            return Ok(None);
        }
        Ok(self
            .meta("final_rules_sha256")?
            .zip(self.meta("final_results_sha256")?))
    }

    /// The hash of the last audit entry: it moves with every change to the meeting.
    pub fn audit_head(&self) -> Result<String> {
        audit_head(&self.conn)
    }

    /// Whether the audit chain holds an entry of hash `head` (an audit head noted earlier).
    /// With the chain unbroken ([`Store::check`]), a store whose later entries were cut, or
    /// whose chain was written anew, holds no such entry.
    pub fn has_audit_entry(&self, head: &str) -> Result<bool> {
        Ok(self
            .conn
            .query_opt("SELECT 1 FROM audit WHERE hash = ?1", args![head], |_| {
                Ok(())
            })?
            .is_some())
    }

    /// Writes one consistent copy of the store into `file` (a new file): SQLite's
    /// `VACUUM INTO` reads the store in one transaction, changes that are still only in the
    /// `-wal` file included, while other connections go on working. The copy is a whole
    /// store on its own: put it as `meeting.db` beside the meeting's two files and `check`
    /// accepts it.
    pub fn backup_into(&self, file: &Path) -> Result<()> {
        if self.is_database() {
            return Err(Error::user(
                "a meeting in a database is backed up by `copy URL DIR` (a folder to keep), or by the server's own backup (pg_dump)",
                "数据库中的会议用 `copy URL DIR`（复制到文件夹保存）或服务器自己的备份（pg_dump）备份",
            ));
        }
        if file.exists() {
            return Err(Error::user(
                format!(
                    "{} already exists; a backup is written into a new file",
                    file.display()
                ),
                format!("{} 已存在；备份只写入新文件", file.display()),
            ));
        }
        let target = file.to_str().ok_or_else(|| {
            Error::user(
                format!("{}: the backup's path must be valid UTF-8", file.display()),
                format!("{}：备份路径必须是有效的 UTF-8", file.display()),
            )
        })?;
        self.sqlite()?.execute("VACUUM INTO ?1", [target])?;
        std::fs::File::open(file)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io(file, e))
    }

    /// Copies the store into the empty PostgreSQL database at `url`, with the meeting
    /// folder's `files`: from a consistent snapshot ([`Store::backup_into`]), so a station
    /// saving meanwhile neither blocks nor tears the copy.
    pub fn copy_to_database(&self, files: &[(String, Vec<u8>)], url: &str) -> Result<()> {
        let temp = tempfile::tempdir().map_err(|e| Error::io(&std::env::temp_dir(), e))?;
        let snapshot = temp.path().join(crate::config::STORE_FILE);
        self.backup_into(&snapshot)?;
        postgres_copy::put(&snapshot, files, url)
    }

    /// Writes the store copied into a database ([`postgres_copy::open_image`]) as the new
    /// store file `path`, readable by its owner only.
    pub fn create_from_image(image: postgres_copy::Image, path: &Path) -> Result<()> {
        restrict_permissions_on_create(path)?;
        image.write_store(path)
    }

    /// Moves what the `-wal` file holds into `meeting.db` itself, so that a copy of
    /// `meeting.db` alone is the whole meeting. Called by the UI when it is idle and on quit.
    /// PASSIVE never waits: while another process writes (a long import), the UI must not
    /// freeze for the busy timeout; SQLite copies what it can now and the rest next time.
    pub fn checkpoint(&self) -> Result<()> {
        if let Some(conn) = self.conn.sqlite() {
            conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))?;
        }
        Ok(())
    }

    /// SQLite's data version of this connection: it changes when another connection (another
    /// process, or the UI's import worker) commits a change to the store, and not for this
    /// connection's own changes. The UI polls it to follow the store.
    ///
    /// In a database shared by several stations, the number of the last audit entry stands
    /// for it: every change appends one (this station's own too, which only costs a reread).
    pub fn data_version(&self) -> Result<i64> {
        let sql = if self.conn.is_postgres() {
            "SELECT COALESCE(MAX(id), 0) FROM audit"
        } else {
            "PRAGMA data_version"
        };
        self.conn.query_row(sql, args![], |r| r.get(0))
    }

    /// A time the store wrote (UTC, `2022-02-16T09:30:00.000Z`) in this machine's local
    /// time, `2022-02-16 17:30:00`, as SQLite converts it with the system's zone rules (summer
    /// time included); the text itself when it is not such a time. Times are stored in UTC
    /// and shown in local time.
    pub fn local_time(&self, utc: &str) -> Result<String> {
        let sql = if self.conn.is_postgres() {
            // PostgreSQL refuses text that is no time (SQLite gives NULL): only a time as the
            // store writes it is converted.
            if !is_stored_time(utc) {
                return Ok(utc.to_string());
            }
            "SELECT to_char((?1)::timestamptz, 'YYYY-MM-DD HH24:MI:SS')"
        } else {
            "SELECT strftime('%Y-%m-%d %H:%M:%S', ?1, 'localtime')"
        };
        let local: Option<String> = self.conn.query_row(sql, args![utc], |row| row.get(0))?;
        Ok(local.unwrap_or_else(|| utc.to_string()))
    }

    /// Whether the meeting is finalised.
    pub fn is_final(&self) -> Result<bool> {
        Ok(self.meta("finalised")?.as_deref() == Some("1"))
    }

    /// Forms issued: the store's figure (set later), else meeting.toml's.
    pub fn issued(&self) -> Result<Option<u64>> {
        Ok(match self.meta("forms_issued")? {
            Some(n) => n.parse().ok(),
            None => self.config.forms_issued,
        })
    }

    /// SHA-256 over `serial,group,marks` lines of the ballots that count, in serial order.
    ///
    /// Computing it is a full pass, so it is cached in `meta` under the incremental set hash
    /// of the ballots it was computed from; any change moves the set hash and so leaves the
    /// cached digest unused.
    pub fn digest(&self) -> Result<String> {
        let cached = self.snapshot(|conn| {
            let set = SetHash::load(conn)?.hex();
            if meta_in(conn, "digest_for")?.as_deref() != Some(set.as_str()) {
                return Ok(None);
            }
            meta_in(conn, "digest")
        })?;
        if let Some(digest) = cached {
            return Ok(digest);
        }
        let (set, digest) =
            self.snapshot(|_| Ok((SetHash::load(&self.conn)?.hex(), self.compute_digest()?)))?;
        self.cache(|conn| {
            set_meta(conn, "digest", &digest)?;
            set_meta(conn, "digest_for", &set)
        });
        Ok(digest)
    }

    /// What the ballots that count add up to: the tally of the valid ones and how many there
    /// are. Read from the cache when it is current, else counted in one pass and cached.
    pub fn count(&self) -> Result<Count> {
        let cached =
            self.snapshot(|conn| count::load(conn, &self.config, &SetHash::load(conn)?))?;
        if let Some(count) = cached {
            return Ok(count);
        }
        let (set, count) =
            self.snapshot(|conn| Ok((SetHash::load(conn)?, self.count_by_scan()?)))?;
        self.cache(|conn| count::save(conn, &self.config, &set, &count));
        Ok(count)
    }

    /// [`Store::count`] without the cache: one pass over the ballots.
    pub fn count_by_scan(&self) -> Result<Count> {
        let mut count = Count::empty(&self.config);
        self.scan_ballots(|ballot| {
            count.add(&self.config, ballot.group.as_deref(), &ballot.marks)
        })?;
        count::fill_set_aside(&self.conn, &self.config, &mut count)?;
        Ok(count)
    }

    /// Runs `read` in one read transaction, so what it reads (a cache tag and the ballots, say)
    /// belongs to one state of the store even while another process writes.
    fn snapshot<T>(&self, read: impl FnOnce(&Db) -> Result<T>) -> Result<T> {
        let tx = self.conn.read()?;
        let value = read(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Writes a cache entry if the store can be written right away: a read-only store, or one
    /// another process is writing, still answers, only uncached.
    fn cache(&self, write: impl FnOnce(&Db) -> Result<()>) {
        if let Some(tx) = self.conn.try_write() {
            if write(&tx).is_ok() {
                let _ = tx.commit();
            }
        }
    }

    fn compute_digest(&self) -> Result<String> {
        let mut hasher = Sha256::new();
        self.conn.query_each(
            "SELECT serial, grp, marks FROM ballots WHERE voided_at IS NULL ORDER BY serial",
            args![],
            |row| {
                let group = row.text_or_null(1)?.unwrap_or_default();
                set_hash::digest_line(
                    &mut hasher,
                    row.get(0)?,
                    group.as_bytes(),
                    row.text(2)?.as_bytes(),
                );
                Ok(())
            },
        )?;
        Ok(hex(&hasher.finalize()))
    }

    /// Counts of the ballot set.
    pub fn summary(&self) -> Result<Summary> {
        self.summary_of(&self.count()?)
    }

    /// [`Store::summary`] of a count already read.
    pub fn summary_of(&self, count: &Count) -> Result<Summary> {
        let counts = self.ballot_counts_of(count)?;
        Ok(Summary {
            issued: self.issued()?,
            collected: counts.collected,
            valid: counts.valid,
            invalid: counts.invalid,
            withdrawn: counts.withdrawn,
            set_aside: counts.set_aside,
            verified: counts.verified,
            disputed: counts.disputed,
            unverified: counts.unverified,
            digest: self.digest()?,
            finalised: self.is_final()?,
            audit_head: self.audit_head()?,
        })
    }

    /// The counts of the ballot set alone, without the digest's sorted pass.
    pub fn ballot_counts(&self) -> Result<BallotCounts> {
        self.ballot_counts_of(&self.count()?)
    }

    /// [`Store::ballot_counts`] of a count already read.
    pub fn ballot_counts_of(&self, count: &Count) -> Result<BallotCounts> {
        // Each comes from a small partial index: few ballots are withdrawn, set aside,
        // verified (typed forms, not imports of thousands) or disputed. Named, because
        // SQLite's planner, without statistics, takes the serial index (every ballot that
        // counts) for the last two, and reads the table all over it when the serials were
        // imported in any order (6 s for a million forms).
        let (withdrawn, set_aside, verified, disputed): (i64, i64, i64, i64) =
            self.conn.query_row(
                "SELECT
                (SELECT COUNT(*) FROM ballots INDEXED BY ballots_voided
                    WHERE voided_at IS NOT NULL AND void_kind = 'withdrawn'),
                (SELECT COUNT(*) FROM ballots INDEXED BY ballots_voided
                    WHERE voided_at IS NOT NULL AND void_kind = 'set_aside'),
                (SELECT COUNT(*) FROM ballots INDEXED BY ballots_verified
                    WHERE verified_at IS NOT NULL AND voided_at IS NULL),
                (SELECT COUNT(*) FROM ballots INDEXED BY ballots_disputed
                    WHERE dispute IS NOT NULL AND voided_at IS NULL)",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let (verified, disputed) = (verified as u64, disputed as u64);
        Ok(BallotCounts {
            collected: count.counted + set_aside as u64,
            valid: count.tally.ballots,
            invalid: count.counted - count.tally.ballots,
            withdrawn: withdrawn as u64,
            set_aside: set_aside as u64,
            verified,
            disputed,
            unverified: count.counted.saturating_sub(verified + disputed),
        })
    }

    /// Checks the store: SQLite integrity, every stored ballot readable and its validity
    /// current, serials unique, each ballot's lifecycle columns set in the pairs the steps
    /// write ([`consistency`]), and the audit chain unbroken. Returns the problems found.
    pub fn check(&self) -> Result<Vec<Text>> {
        let mut problems = Vec::new();
        // PostgreSQL checks its own pages as it reads them; SQLite is asked.
        if let Some(conn) = self.conn.sqlite() {
            let integrity: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            if integrity != "ok" {
                problems.push(Text::new(
                    format!("SQLite integrity check: {integrity}"),
                    format!("SQLite 完整性检查：{integrity}"),
                ));
            }
        }
        let dangling: Vec<(String, i64, String)> =
            self.conn
                .query_map(self.foreign_key_check(), args![], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
                })?;
        for (table, row, parent) in dangling {
            problems.push(Text::new(
                format!("{table} row {row} refers to a missing {parent} row"),
                format!("{table} 第 {row} 行引用了不存在的 {parent} 记录"),
            ));
        }
        // Under changed validity rules every ballot they judge otherwise disagrees: that is
        // one problem, counted, not one per ballot.
        let rules_changed = self
            .meta("rules")?
            .is_some_and(|stored| stored != self.config.rules_fingerprint());
        let mut disagreeing = 0;
        // The same pass counts the ballots, for the kept count to be compared with; a ballot
        // that cannot be counted is a problem of its own, reported here.
        let mut counted = Some(Count::empty(&self.config));
        let mut batches = consistency::BatchReferences::default();
        let pass = format!(
            "SELECT serial, grp, marks, valid, void_kind, verified_at, verified_by, dispute, {},
             invalid_reason FROM ballots WHERE voided_at IS NULL",
            consistency::BatchReferences::COLUMNS
        );
        self.conn.query_each(&pass, args![], |row| {
            let serial: i64 = row.get(0)?;
            batches.count(row, 8)?;
            problems.extend(consistency::counted_problems(&consistency::CountedState {
                serial,
                void_kind: row.cell(4)?,
                verified_at: row.cell(5)?,
                verified_by: row.cell(6)?,
                dispute: row.cell(7)?,
            }));
            let group: Option<String> = row.get(1)?;
            let marks: String = row.get(2)?;
            let valid: bool = row.get(3)?;
            match self.decode_marks(&marks) {
                Err(_) => {
                    counted = None;
                    problems.push(Text::new(
                        format!("ballot {serial}: marks \"{marks}\" do not fit the meeting"),
                        format!("评议表 {serial}：评价 \"{marks}\" 与会议不符"),
                    ))
                }
                Ok(m) => {
                    if let Some(count) = &mut counted {
                        if count.add(&self.config, group.as_deref(), &m).is_err() {
                            counted = None;
                        }
                    }
                    let (judged, reason) = validity_columns(&self.config, &m);
                    if judged != valid {
                        disagreeing += 1;
                    }
                    if judged != valid && !rules_changed {
                        problems.push(Text::new(
                            format!("ballot {serial}: stored validity disagrees with the rules"),
                            format!("评议表 {serial}：保存的有效性与规则不符"),
                        ));
                    }
                    // Stores from before reason codes hold an English sentence, which the
                    // marks say again wherever it is shown: only a code is compared.
                    let stored = row.cell(10)?;
                    let legacy = matches!(stored, Cell::Text(text) if !valid && InvalidReason::from_code(text).is_none());
                    let same = match (&stored, &reason) {
                        (Cell::Null, None) => true,
                        (Cell::Text(stored), Some(reason)) => stored == reason,
                        _ => false,
                    };
                    if judged == valid && !rules_changed && !legacy && !same {
                        let stored = consistency::shown(&stored);
                        let now = consistency::shown(&reason.as_deref().map_or(Cell::Null, Cell::Text));
                        problems.push(Text::new(
                            format!("ballot {serial}: its stored invalid_reason ({stored}) disagrees with the rules ({now}): the store was changed outside tallyclerk"),
                            format!("评议表 {serial}：保存的 invalid_reason（{stored}）与规则（{now}）不符：数据库被 tallyclerk 以外的程序修改"),
                        ));
                    }
                }
            }
            if self.config.weight_of(group.as_deref()).is_none() {
                problems.push(Text::new(
                    format!(
                        "ballot {serial}: unknown group {}",
                        group.as_deref().unwrap_or_default()
                    ),
                    format!(
                        "评议表 {serial}：未知组别 {}",
                        group.as_deref().unwrap_or_default()
                    ),
                ));
            }
            Ok(())
        })?;
        problems.extend(consistency::voided_problems(&self.conn, &mut batches)?);
        problems.extend(consistency::batch_problems(&self.conn, batches)?);
        problems.extend(self.check_rules_fingerprints(disagreeing)?);
        problems.extend(self.check_audit_chain()?);
        problems.extend(self.check_kept_figures(counted.as_ref())?);
        Ok(problems)
    }

    /// The audit chain unbroken, and its last entry recording the ballot set and the state
    /// the store holds now.
    fn check_audit_chain(&self) -> Result<Vec<Text>> {
        let mut prev = String::new();
        let mut last: Option<(i64, String, Option<String>)> = None;
        let mut stated = false;
        let mut broken = None;
        self.conn.query_each(
            "SELECT id, at, action, detail, set_hash, state, prev_hash, hash FROM audit ORDER BY id",
            args![],
            |row| {
            if broken.is_some() {
                return Ok(());
            }
            let id: i64 = row.get(0)?;
            let (at, action, detail): (String, String, String) =
                (row.get(1)?, row.get(2)?, row.get(3)?);
            let set_hash: String = row.get(4)?;
            let state: Option<String> = row.get(5)?;
            let (prev_hash, hash): (String, String) = (row.get(6)?, row.get(7)?);
            // Once entries record the state, every later one does.
            let state_dropped = stated && state.is_none();
            stated |= state.is_some();
            if state_dropped
                || prev_hash != prev
                || hash
                    != audit_hash(
                        &prev_hash,
                        &at,
                        &action,
                        &detail,
                        &set_hash,
                        state.as_deref(),
                    )
            {
                broken = Some(Text::new(
                    format!("audit log entry {id} ({action}) does not match its chain: the store was changed outside tallyclerk"),
                    format!("审计日志第 {id} 条（{action}）与哈希链不符：数据库被 tallyclerk 以外的程序修改"),
                ));
                return Ok(());
            }
            prev = hash;
            last = Some((id, set_hash, state));
            Ok(())
        })?;
        if let Some(broken) = broken {
            return Ok(vec![broken]);
        }
        let Some((id, set_hash, state)) = last else {
            return Ok(vec![Text::new(
                "the audit log is empty: the store was changed outside tallyclerk",
                "审计日志为空：数据库被 tallyclerk 以外的程序修改",
            )]);
        };
        let mut problems = Vec::new();
        let ballots = SetHash::of_ballots(&self.conn)?;
        if ballots.hex() != set_hash {
            problems.push(Text::new(
                format!("the ballots do not match audit log entry {id}, the last one: the store was changed outside tallyclerk"),
                format!("评议表与审计日志最后一条（第 {id} 条）不符：数据库被 tallyclerk 以外的程序修改"),
            ));
        }
        // The sums each change brings along, against the rows: the next change would record
        // a sum kept wrong.
        let mut kept = vec![("set_hash", SetHash::load(&self.conn)?, ballots)];
        for rows in covered::COVERED {
            kept.push((rows.name, rows.kept(&self.conn)?, rows.fresh(&self.conn)?));
        }
        for (name, kept, rows) in &kept {
            if kept != rows {
                problems.push(Text::new(
                    format!("the store's kept sum of the {name} ({}) does not match the rows ({}): the store was changed outside tallyclerk", kept.hex(), rows.hex()),
                    format!("数据库保存的 {name} 总和（{}）与记录（{}）不符：数据库被 tallyclerk 以外的程序修改", kept.hex(), rows.hex()),
                ));
            }
        }
        if let Some(recorded) = state {
            let fresh: Vec<SetHash> = kept[1..].iter().map(|(_, _, rows)| *rows).collect();
            let now = state_of(&self.conn, Sums::Fresh(&fresh))?;
            for (key, before, after) in state_differences(&recorded, &now) {
                problems.push(Text::new(
                    format!("the store's {key} ({after}) does not match audit log entry {id}, the last one ({before}): the store was changed outside tallyclerk"),
                    format!("数据库的 {key}（{after}）与审计日志最后一条（第 {id} 条，{before}）不符：数据库被 tallyclerk 以外的程序修改"),
                ));
            }
        }
        Ok(problems)
    }

    /// The layout and validity rules of meeting.toml against those the stored ballots were
    /// entered and judged under (a store opened for work brings validity up to date itself;
    /// one opened read-only reports it).
    fn check_rules_fingerprints(&self, disagreeing: u64) -> Result<Vec<Text>> {
        let mut problems: Vec<Text> = self.layout_problem()?.into_iter().collect();
        let rules = self.config.rules_fingerprint();
        // Changed rules that judge every ballot as before leave nothing wrong.
        if disagreeing > 0 && self.meta("rules")?.is_some_and(|stored| stored != rules) {
            problems.push(Text::new(
                format!("the validity rules of meeting.toml (max_marks, min_marked) changed since the ballots were judged: {} validity; a command that opens the meeting for work (e.g. tally) recomputes it, audited", crate::lang::count_en(disagreeing, "ballot changes", "ballots change")),
                format!("meeting.toml 的有效性规则（max_marks、min_marked）在评议表判定后被修改：{disagreeing} 份评议表的有效性随之改变；打开会议进行工作的命令（如 tally）会重新判定并记入审计日志"),
            ));
        }
        Ok(problems)
    }

    /// The kept count and digest, when current, against `counted` (a full pass over the
    /// ballots, `None` when some could not be counted) and the digest computed afresh.
    fn check_kept_figures(&self, counted: Option<&Count>) -> Result<Vec<Text>> {
        let mut problems = Vec::new();
        let set = SetHash::load(&self.conn)?;
        if let (Some(kept), Some(counted)) = (count::load(&self.conn, &self.config, &set)?, counted)
        {
            let mut counted = counted.clone();
            count::fill_set_aside(&self.conn, &self.config, &mut counted)?;
            if kept != counted {
                problems.push(Text::new(
                    "the kept tally does not match the ballots: the store was changed outside tallyclerk",
                    "保存的计票结果与评议表不符：数据库被 tallyclerk 以外的程序修改",
                ));
            }
        }
        if meta_in(&self.conn, "digest_for")?.as_deref() == Some(set.hex().as_str())
            && meta_in(&self.conn, "digest")? != Some(self.compute_digest()?)
        {
            problems.push(Text::new(
                "the kept ballot-set digest does not match the ballots: the store was changed outside tallyclerk",
                "保存的评议表集摘要与评议表不符：数据库被 tallyclerk 以外的程序修改",
            ));
        }
        Ok(problems)
    }

    /// The audit log, oldest first: (time, action, detail), the time in this station's local
    /// time as the UI shows it (the store keeps UTC).
    pub fn audit_log(&self) -> Result<Vec<(String, String, String)>> {
        self.conn.query_map(
            &format!(
                "SELECT COALESCE({}, at), action, detail FROM audit ORDER BY id",
                listing::local(&self.conn, "at")
            ),
            args![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }
}

/// Decodes stored marks strings fast: one table lookup per byte, into a reused vector.
struct MarksDecoder {
    table: [Option<Mark>; 128],
    orgs: usize,
}

impl MarksDecoder {
    fn new(config: &Config) -> MarksDecoder {
        let mut table = [None; 128];
        table[b'-' as usize] = Some(Mark::Blank);
        table[b'*' as usize] = Some(Mark::Spoiled);
        for (i, option) in config.scale.options.iter().enumerate() {
            table[option.key as usize] = Some(Mark::Option(i as u8));
        }
        MarksDecoder {
            table,
            orgs: config.organizations.len(),
        }
    }

    fn decode_into(&self, text: &[u8], marks: &mut Vec<Mark>) -> Result<()> {
        marks.clear();
        for &byte in text {
            let mark = self
                .table
                .get(byte as usize)
                .copied()
                .flatten()
                .ok_or_else(|| {
                    Error::Internal(format!(
                        "stored marks \"{}\" do not fit the meeting",
                        String::from_utf8_lossy(text)
                    ))
                })?;
            marks.push(mark);
        }
        if marks.len() != self.orgs {
            return Err(Error::Internal(format!(
                "stored marks \"{}\" do not fit the meeting",
                String::from_utf8_lossy(text)
            )));
        }
        Ok(())
    }
}

/// The columns of a [`StoredBallot`], in the order [`stored_row`] reads them.
const STORED_COLUMNS: &str = "id, serial, grp, marks, valid, invalid_reason, source,
    COALESCE(created_at, (SELECT imported_at FROM import_batches WHERE id = batch_id)),
    verified_at, dispute IS NOT NULL";

/// One row of [`STORED_COLUMNS`], marks still encoded.
type StoredRow = (
    i64,
    i64,
    Option<String>,
    String,
    bool,
    Option<String>,
    String,
    String,
    Option<String>,
    bool,
);

fn stored_row(r: &db::Row) -> Result<StoredRow> {
    Ok((
        r.get(0)?,
        r.get(1)?,
        r.get(2)?,
        r.get(3)?,
        r.get(4)?,
        r.get(5)?,
        r.get(6)?,
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn decode_marks(config: &Config, text: &str) -> Result<Vec<Mark>> {
    parse_marks(text, &config.scale)
        .ok()
        .filter(|m| m.len() == config.organizations.len())
        .ok_or_else(|| Error::Internal(format!("stored marks \"{text}\" do not fit the meeting")))
}

/// The `valid` and `invalid_reason` columns for these marks; a reason is stored as its code.
fn validity_columns(config: &Config, marks: &[Mark]) -> (bool, Option<String>) {
    match validity(marks, &config.scale, &config.rules) {
        Ok(()) => (true, None),
        Err(reason) => (false, Some(reason.code())),
    }
}

/// The refusal of a store file that holds no tallyclerk data.
fn empty_store(config: &Config) -> Error {
    let dir = config.dir.display();
    let path = config.store_path();
    Error::user(
        format!("{dir} has an empty store: {} holds no tallyclerk data. If the file was lost, restore it from a backup; to start the meeting afresh, delete it and run `tallyclerk new {dir}`", path.display()),
        format!("{dir} 的数据库为空：{} 中没有 tallyclerk 数据。若文件丢失，请从备份恢复；若要重新开始，请删除该文件并执行 `tallyclerk new {dir}`", path.display()),
    )
}

fn restrict_permissions_on_create(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::io(path, e)),
    }
}

/// Takes the stored ballot `id` out of the ballot set (a void or an undo, in `tx`).
fn take_out(config: &Config, tx: &Db, id: i64) -> Result<()> {
    let before = SetHash::load(tx)?;
    let mut after = before;
    let (group, marks) = after.remove_stored(tx, id)?;
    after.save(tx)?;
    count::carry(tx, config, &before, &after, |count| {
        count.remove(config, group.as_deref(), &decode_marks(config, &marks)?)
    })
}

fn meta_in(conn: &Db, key: &str) -> Result<Option<String>> {
    let [value] = metas_in(conn, [key])?;
    Ok(value)
}

/// The values of `meta` under `keys` (`None` where unset), in their order, in one query: a
/// station on a database pays a round trip per statement (inside a change, none after the
/// first, see [`Db::meta`]).
fn metas_in<const N: usize>(conn: &Db, keys: [&str; N]) -> Result<[Option<String>; N]> {
    let mut values = conn.meta(&keys)?.into_iter();
    Ok(std::array::from_fn(|_| values.next().flatten()))
}

fn set_meta(conn: &Db, key: &str, value: &str) -> Result<()> {
    conn.set_meta(&[(key, value)])
}

fn active_id(conn: &Db, serial: u64) -> Result<Option<i64>> {
    conn.query_opt(
        "SELECT id FROM ballots WHERE serial = ?1 AND voided_at IS NULL",
        args![serial as i64],
        |r| r.get(0),
    )
}

fn group_text(ballot: &Ballot) -> &str {
    ballot.group.as_deref().unwrap_or("-")
}

fn serial_taken(serial: u64) -> Error {
    Error::user(
        format!("serial {serial} is already in the meeting"),
        format!("编号 {serial} 已在本次会议中"),
    )
}

fn no_such_serial(serial: u64) -> Error {
    Error::user(
        format!("no ballot with serial {serial} in the meeting"),
        format!("会议中没有编号为 {serial} 的评议表"),
    )
}

/// A decision in the words of the store and the audit log: tier name and organization ids.
struct DecisionWords {
    tier: String,
    orgs: String,
    tie: String,
    places: String,
}

impl DecisionWords {
    fn of(config: &Config, decision: &Decision) -> DecisionWords {
        let ids = |orgs: &[usize]| {
            orgs.iter()
                .map(|&i| config.organizations[i].id.as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        DecisionWords {
            tier: config.tiers[decision.tier].name.clone(),
            orgs: ids(&decision.orgs),
            tie: ids(&decision.tie.orgs),
            places: format!("{}-{}", decision.tie.first, decision.tie.last),
        }
    }

    /// `tier excellent orgs O2 tie O1,O2,O3 places 1-3`.
    fn detail(&self) -> String {
        format!(
            "tier {} orgs {} tie {} places {}",
            self.tier, self.orgs, self.tie, self.places
        )
    }
}

/// Organization indexes of comma-separated ids; `None` when one is not in the meeting.
fn org_indexes(config: &Config, ids: &str) -> Option<Vec<usize>> {
    ids.split(',').map(|id| config.org_index(id)).collect()
}

/// The tier and organizations of a stored decision as indexes into the config.
fn resolve_decision(config: &Config, tier: &str, orgs: &str) -> Option<(usize, Vec<usize>)> {
    Some((config.tier_index(tier)?, org_indexes(config, orgs)?))
}

/// Binds the decisions recorded before decisions kept their tie (schema 2 and before) to the
/// tie each settles in the ballots as they are now, replaying them in the order they were
/// made, as those versions did: the results shown before and after the migration are the
/// same. One that settles no tie now stays unbound, applies to none, and shows as lapsed.
fn bind_unbound_decisions(tx: &Db, config: &Config) -> Result<()> {
    let unbound: Vec<(i64, String, String)> = tx.query_map(
        "SELECT id, tier, orgs FROM decisions WHERE tie IS NULL ORDER BY id",
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    if unbound.is_empty() {
        return Ok(());
    }
    let mut count = Count::empty(config);
    tx.query_each(
        "SELECT grp, marks FROM ballots WHERE voided_at IS NULL",
        args![],
        |row| {
            let group: Option<String> = row.get(0)?;
            let marks = decode_marks(config, &row.get::<String>(1)?)?;
            count.add(config, group.as_deref(), &marks)
        },
    )?;
    let figures = crate::scoring::figures(config, &count.tally)?;
    let mut bound = Vec::new();
    for (id, tier, orgs) in unbound {
        let Some((tier, orgs)) = resolve_decision(config, &tier, &orgs) else {
            continue;
        };
        let Ok(decision) = crate::ranking::propose(config, &figures, &bound, tier, &orgs) else {
            continue;
        };
        let words = DecisionWords::of(config, &decision);
        tx.execute(
            "UPDATE decisions SET tie = ?1, first_place = ?2, last_place = ?3 WHERE id = ?4",
            args![
                words.tie,
                decision.tie.first as i64,
                decision.tie.last as i64,
                id
            ],
        )?;
        append_audit(tx, "bind", &words.detail())?;
        bound.push(decision);
    }
    Ok(())
}

/// Refuses an empty (or blank) reason.
pub(crate) fn require_reason(reason: &str) -> Result<()> {
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

/// The hash of an audit entry: its fields and the hash before it. Entries written before
/// schema 3 record no state and are hashed without one.
fn audit_hash(
    prev: &str,
    at: &str,
    action: &str,
    detail: &str,
    set_hash: &str,
    state: Option<&str>,
) -> String {
    let mut hasher = Sha256::new();
    for part in [prev, at, action, detail, set_hash]
        .into_iter()
        .chain(state)
    {
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    hex(&hasher.finalize())
}

fn audit_head(conn: &Db) -> Result<String> {
    Ok(conn
        .query_opt(
            "SELECT hash FROM audit ORDER BY id DESC LIMIT 1",
            args![],
            |r| r.get(0),
        )?
        .unwrap_or_default())
}

fn append_audit(conn: &Db, action: &str, detail: &str) -> Result<()> {
    // The last entry and the time now in one query: a round trip less per change.
    let (prev, prev_state, at): (Option<String>, Option<String>, String) = conn.query_row(
        &format!(
            "SELECT (SELECT hash FROM audit ORDER BY id DESC LIMIT 1),
                    (SELECT state FROM audit ORDER BY id DESC LIMIT 1), {NOW}"
        ),
        args![],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let prev = prev.unwrap_or_default();
    let set_hash = SetHash::load(conn)?.hex();
    let state = state_after(conn, prev_state.as_deref(), Sums::Kept)?;
    let hash = audit_hash(&prev, &at, action, detail, &set_hash, Some(&state));
    conn.execute(
        "INSERT INTO audit (at, action, detail, set_hash, state, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        args![at, action, detail, set_hash, state, prev, hash],
    )?;
    Ok(())
}

/// The tables whose every row belongs to the meeting's state recorded by every audit entry
/// (each hashed whole, see [`table_hash`]): the decisions, the versions an edit replaced and
/// the import batches the ballots refer to. None grows with the ballots of an import.
const STATE_TABLES: &[&str] = &["decisions", "ballot_history", "import_batches"];

/// Where [`state_of`] takes the sums of the rows [`covered`] from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sums<'a> {
    /// As kept in `meta`, brought along by each change: what an audit entry records.
    Kept,
    /// Added up afresh from the rows, one per [`covered::COVERED`]: what `check` compares
    /// with the last entry.
    Fresh(&'a [SetHash]),
}

/// The meeting's state besides the ballots, as every audit entry records it: each of
/// [`STATE_TABLES`] as `table=HASH`, each of [`covered::COVERED`] as `name=SUM`, then each of
/// [`STATE_META`] as `key=value` (`-` when unset; a value that is not a short word is written
/// as its SHA-256), separated by spaces.
fn state_of(conn: &Db, sums: Sums<'_>) -> Result<String> {
    state_after(conn, None, sums)
}

/// [`state_of`], for the entry that follows one that recorded `prev_state`: every change is
/// audited in its own transaction, so a table the transaction did not write still hashes as
/// the last entry recorded it, and is not read again (a round trip per table saved for
/// every change on a database). What was changed outside tallyclerk is then still told by
/// `check`, which hashes every table afresh.
fn state_after(conn: &Db, prev_state: Option<&str>, sums: Sums<'_>) -> Result<String> {
    let recorded = |table: &str| -> Option<String> {
        let prefix = format!("{table}=");
        prev_state?
            .split(' ')
            .find_map(|part| part.strip_prefix(prefix.as_str()))
            .map(str::to_string)
    };
    let mut parts = Vec::new();
    for table in STATE_TABLES {
        let hash = match recorded(table) {
            Some(hash) if !conn.may_have_written(table) => hash,
            _ => table_hash(conn, table)?,
        };
        parts.push(format!("{table}={hash}"));
    }
    // The kept sums read with the meta keys, in one query: a station on a database pays a
    // round trip per statement, and every change records its state.
    let [k0, k1, k2, k3, k4] = STATE_META;
    let [v0, v1, v2, v3, v4, keyings_sum, ballot_states_sum] = metas_in(
        conn,
        [
            k0,
            k1,
            k2,
            k3,
            k4,
            covered::KEYINGS.meta_key,
            covered::BALLOT_STATES.meta_key,
        ],
    )?;
    // In the order of [`covered::COVERED`].
    let kept = [keyings_sum, ballot_states_sum];
    for (i, rows) in covered::COVERED.iter().enumerate() {
        let sum = match sums {
            Sums::Kept => SetHash::parse(kept[i].as_deref(), rows.meta_key)?,
            Sums::Fresh(fresh) => fresh[i],
        };
        parts.push(format!("{}={}", rows.name, sum.hex()));
    }
    for (key, value) in STATE_META.iter().zip([v0, v1, v2, v3, v4]) {
        let value = match value {
            None => "-".to_string(),
            Some(v)
                if !v.is_empty()
                    && v.len() <= 64
                    && v.bytes().all(|b| b.is_ascii_alphanumeric()) =>
            {
                v
            }
            Some(v) => format!("sha256:{}", hex(&Sha256::digest(v.as_bytes()))),
        };
        parts.push(format!("{key}={value}"));
    }
    Ok(parts.join(" "))
}

/// SHA-256 over every column (name and typed value) of every row of `table` in id order, so
/// a row changed, deleted or added outside tallyclerk changes it.
fn table_hash(conn: &Db, table: &str) -> Result<String> {
    let mut hasher = Sha256::new();
    let mut names: Option<Vec<String>> = None;
    conn.query_each(
        &format!("SELECT * FROM {table} ORDER BY id"),
        args![],
        |row| {
            let names = names.get_or_insert_with(|| row.column_names());
            hasher.update(b"row");
            for (i, name) in names.iter().enumerate() {
                hasher.update((name.len() as u64).to_le_bytes());
                hasher.update(name.as_bytes());
                covered::feed_cell(&mut hasher, row.cell(i)?);
            }
            Ok(())
        },
    )?;
    Ok(hex(&hasher.finalize()))
}

/// The parts of two recorded states that differ: `(key, recorded, now)`.
fn state_differences<'a>(recorded: &'a str, now: &'a str) -> Vec<(&'a str, &'a str, &'a str)> {
    let parts = |state: &'a str| -> Vec<(&'a str, &'a str)> {
        state
            .split(' ')
            .map(|item| item.split_once('=').unwrap_or((item, "")))
            .collect()
    };
    let (recorded, now) = (parts(recorded), parts(now));
    let mut differences = Vec::new();
    for &(key, value) in &now {
        let before = recorded
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("(none)", |(_, v)| *v);
        if before != value {
            differences.push((key, before, value));
        }
    }
    differences
}

/// Whether `text` is a time as the store writes it: `2022-02-16T09:30:00.000Z`.
fn is_stored_time(text: &str) -> bool {
    let shape = b"dddd-dd-ddTdd:dd:dd.dddZ";
    text.len() == shape.len()
        && text.bytes().zip(shape).all(|(c, &s)| match s {
            b'd' => c.is_ascii_digit(),
            s => c == s,
        })
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A file path as the path of an SQLite URI: the characters a URI gives a meaning to
/// (`%`, `?`, `#`) and those that are not plain (spaces, controls, non-ASCII) percent-encoded.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for byte in path.as_os_str().as_encoded_bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(*byte))
            }
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot_state::{Reading, State};
    use crate::model::parse_marks;

    fn meeting(toml: &str) -> (tempfile::TempDir, Store) {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("meeting.toml"), toml).unwrap();
        std::fs::write(
            temp.path().join("organizations.csv"),
            "id,name\nO1,甲\nO2,乙\n",
        )
        .unwrap();
        let config = Config::load(temp.path()).unwrap();
        let store = Store::create(&config).unwrap();
        (temp, store)
    }

    /// Applies a step as a use case would (the store's tests do without the use cases).
    fn apply(store: &mut Store, serial: u64, state: State, marks: Option<&str>) -> Result<()> {
        let replaced = marks.map(|m| {
            let reading = Reading {
                group: None,
                marks: parse_marks(m, &store.config().scale).unwrap(),
            };
            (reading, "misread".to_string())
        });
        store
            .step(serial, |_, _| {
                Ok(Step {
                    state,
                    replaced,
                    keying: None,
                    void_reason: Some("torn".into()),
                    change: Change::Edit,
                    action: "step",
                    detail: format!("serial {serial}"),
                })
            })
            .map(|_| ())
    }

    /// What finalising `store` now stores, with a made-up results digest.
    fn final_record(store: &Store) -> FinalRecord {
        FinalRecord {
            rules: EffectiveRules::of(store.config()).text(),
            results_sha256: "ab".repeat(32),
            audit_head: store.audit_head().unwrap(),
        }
    }

    fn ballot(store: &Store, serial: u64, marks: &str) -> Ballot {
        Ballot {
            serial,
            group: None,
            marks: parse_marks(marks, &store.config().scale).unwrap(),
        }
    }

    #[test]
    fn only_create_makes_a_store_and_opens_refuse_a_missing_or_empty_one() {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("meeting.toml"), "").unwrap();
        std::fs::write(temp.path().join("organizations.csv"), "id,name\nO1,甲\n").unwrap();
        let config = Config::load(temp.path()).unwrap();
        let files = || {
            let mut names: Vec<String> = std::fs::read_dir(temp.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let before = files();
        let opens: [fn(&Config) -> Result<Store>; 3] =
            [Store::open, Store::open_read_only, Store::open_to_reopen];
        for open in opens {
            let e = open(&config).err().unwrap();
            assert!(
                e.message(crate::lang::Lang::En).contains("has no store: "),
                "{e}"
            );
            assert_eq!(files(), before);
        }
        std::fs::write(config.store_path(), b"").unwrap();
        for open in opens {
            let e = open(&config).err().unwrap();
            assert!(
                e.message(crate::lang::Lang::En)
                    .contains("has an empty store: "),
                "{e}"
            );
        }
        // An empty file holds nothing: create may use it.
        drop(Store::create(&config).unwrap());
        let e = Store::create(&config).err().unwrap();
        assert!(
            e.message(crate::lang::Lang::En)
                .contains("already has a store"),
            "{e}"
        );
        for open in opens {
            drop(open(&config).unwrap());
        }
    }

    #[test]
    fn a_store_opened_read_only_refuses_every_write_and_leaves_its_file_as_it_was() {
        let (temp, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        drop(store);
        let path = temp.path().join("meeting.db");
        let before = std::fs::read(&path).unwrap();
        let config = Config::load(temp.path()).unwrap();
        let mut store = Store::open_read_only(&config).unwrap();
        let e = store
            .add(&ballot(&store, 2, "AB"), Source::Typed)
            .unwrap_err();
        assert!(e.to_string().contains("readonly"), "{e}");
        // Reads answer, uncached.
        assert_eq!(store.summary().unwrap().collected, 1);
        assert!(store.check().unwrap().is_empty());
        drop(store);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!temp.path().join("meeting.db-wal").exists());
    }

    #[test]
    fn the_kept_sums_follow_each_change_and_a_term_is_the_sha256_of_the_typed_cells() {
        let (_temp, mut store) = meeting("");
        store.set_clerk(Some("east"));
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        // The one keying: id 1, ballot 1, reading 1, group keyed, no group, marks, clerk,
        // time; each cell its type byte (0 null, 1 integer, 3 text), a text its length first.
        let keyed_at: String = store
            .conn
            .query_row("SELECT keyed_at FROM keyings", args![], |r| r.get(0))
            .unwrap();
        let mut cells = Vec::new();
        for n in [1i64, 1, 1, 1] {
            cells.push(1u8);
            cells.extend(n.to_le_bytes());
        }
        cells.push(0);
        for text in ["AB", "east", keyed_at.as_str()] {
            cells.push(3);
            cells.extend((text.len() as u64).to_le_bytes());
            cells.extend(text.as_bytes());
        }
        let term = SetHash::of_digest(&Sha256::digest(&cells).into());
        assert_eq!(covered::KEYINGS.kept(&store.conn).unwrap(), term);
        assert_eq!(covered::KEYINGS.fresh(&store.conn).unwrap(), term);
        // A second form and a step on the first: each kept sum is what the rows add up to,
        // and the sum of the keyings is the sum of its rows' terms.
        store.add(&ballot(&store, 2, "BB"), Source::Typed).unwrap();
        apply(&mut store, 1, State::SetAside, Some("BA")).unwrap();
        for rows in covered::COVERED {
            assert_eq!(
                rows.kept(&store.conn).unwrap(),
                rows.fresh(&store.conn).unwrap(),
                "{}",
                rows.name
            );
        }
        let mut both = term;
        both.merge(&covered::KEYINGS.term(&store.conn, 2).unwrap().unwrap());
        assert_eq!(covered::KEYINGS.kept(&store.conn).unwrap(), both);
        // The ballot set aside is covered as it stands now: its term moved with the step.
        let (serial, kind): (i64, String) = store
            .conn
            .query_row(
                "SELECT serial, void_kind FROM ballots WHERE id = 1",
                args![],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((serial, kind.as_str()), (1, "set_aside"));
        let mut states = covered::BALLOT_STATES
            .term(&store.conn, 1)
            .unwrap()
            .unwrap();
        states.merge(
            &covered::BALLOT_STATES
                .term(&store.conn, 2)
                .unwrap()
                .unwrap(),
        );
        assert_eq!(covered::BALLOT_STATES.kept(&store.conn).unwrap(), states);
    }

    #[test]
    fn every_audit_entry_records_the_state_and_check_names_what_changed() {
        let (_temp, mut store) = meeting("forms_issued = 3\n");
        store.set_issued(2).unwrap();
        let state: String = store
            .conn
            .sqlite()
            .unwrap()
            .query_row(
                "SELECT state FROM audit ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(
            state.starts_with("decisions=") && state.ends_with(" finalised=- forms_issued=2 final_rules=- final_rules_sha256=- final_results_sha256=-"),
            "{state}"
        );
        assert!(store.check().unwrap().is_empty());
        set_meta(&store.conn, "forms_issued", "9").unwrap();
        let problems = store.check().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].en,
            "the store's forms_issued (9) does not match audit log entry 2, the last one (2): the store was changed outside tallyclerk"
        );
        // Erasing the state an entry recorded breaks the chain.
        set_meta(&store.conn, "forms_issued", "2").unwrap();
        store
            .conn
            .sqlite()
            .unwrap()
            .execute_batch(
                "DROP TRIGGER audit_append_only_update;
                 UPDATE audit SET state = NULL WHERE id = 2;",
            )
            .unwrap();
        let problems = store.check().unwrap();
        assert_eq!(
            problems[0].en,
            "audit log entry 2 (issued) does not match its chain: the store was changed outside tallyclerk"
        );
    }

    #[test]
    fn a_state_table_changed_outside_is_still_told_after_a_change_that_does_not_write_it() {
        // A change that writes no state table records them as the entry before did, so the
        // next change does not write what was changed outside into the chain.
        let (_temp, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        apply(&mut store, 1, State::Entered, Some("BA")).unwrap();
        assert!(store.check().unwrap().is_empty());
        store
            .conn
            .sqlite()
            .unwrap()
            .execute("UPDATE ballot_history SET reason = 'forged'", [])
            .unwrap();
        store.add(&ballot(&store, 2, "AA"), Source::Typed).unwrap();
        store.set_issued(5).unwrap();
        let problems = store.check().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].en.starts_with("the store's ballot_history ("),
            "{problems:?}"
        );
    }

    /// Writes the last audit entry of `store` back as schema `version` wrote it, chain and
    /// all: its state without the `narrower` parts a later schema added, and the sums that
    /// schema kept in `meta` gone.
    fn write_back_as_schema(store: Store, version: i64, narrower: &[&str]) {
        let conn = store.conn.sqlite().unwrap();
        let (id, prev, at, action, detail, set_hash, state): (
            i64,
            String,
            String,
            String,
            String,
            String,
            String,
        ) = conn
            .query_row(
                "SELECT id, prev_hash, at, action, detail, set_hash, state FROM audit
                 ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .unwrap();
        let older: String = state
            .split(' ')
            .filter(|part| {
                !narrower
                    .iter()
                    .any(|key| part.starts_with(&format!("{key}=")))
            })
            .collect::<Vec<_>>()
            .join(" ");
        assert_ne!(older, state);
        let hash = audit_hash(&prev, &at, &action, &detail, &set_hash, Some(&older));
        let clerk_of_batches = if version < 7 {
            "ALTER TABLE import_batches DROP COLUMN clerk;"
        } else {
            ""
        };
        conn.execute_batch(&format!(
            "DROP TRIGGER audit_append_only_update; PRAGMA user_version = {version};
             {clerk_of_batches}
             DELETE FROM meta WHERE key IN ('keyings_sum', 'ballot_states_sum');"
        ))
        .unwrap();
        conn.execute(
            "UPDATE audit SET state = ?1, hash = ?2 WHERE id = ?3",
            rusqlite::params![older, hash, id],
        )
        .unwrap();
    }

    #[test]
    fn a_store_of_schema_5_is_migrated_to_record_the_history_and_batches_in_its_state() {
        let (temp, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        // Schema 5 recorded the decisions and the meta keys only.
        let wider = [
            "ballot_history",
            "import_batches",
            "keyings",
            "ballot_states",
        ];
        write_back_as_schema(store, 5, &wider);
        let config = Config::load(temp.path()).unwrap();
        let store = Store::open(&config).unwrap();
        assert_eq!(
            last_audit_entry(&store),
            ("migrate".into(), format!("schema 5 to {SCHEMA_VERSION}"))
        );
        assert!(store.check().unwrap().is_empty());
    }

    /// The action and detail of the store's last audit entry.
    fn last_audit_entry(store: &Store) -> (String, String) {
        let (_, action, detail) = store.audit_log().unwrap().pop().unwrap();
        (action, detail)
    }

    #[test]
    fn a_store_of_schema_7_is_migrated_to_record_its_keyings_and_ballot_states() {
        let (temp, mut store) = meeting("");
        store.set_clerk(Some("east"));
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        store.add(&ballot(&store, 2, "BB"), Source::Typed).unwrap();
        apply(&mut store, 2, State::Withdrawn, None).unwrap();
        write_back_as_schema(store, 7, &["keyings", "ballot_states"]);
        let config = Config::load(temp.path()).unwrap();
        let store = Store::open(&config).unwrap();
        assert_eq!(
            last_audit_entry(&store),
            ("migrate".into(), "schema 7 to 8".into())
        );
        assert!(store.check().unwrap().is_empty());
        // The migration's entry records the sums of the rows found then: a keying changed
        // since is told.
        let state: String = store
            .conn
            .query_row(
                "SELECT state FROM audit ORDER BY id DESC LIMIT 1",
                args![],
                |r| r.get(0),
            )
            .unwrap();
        let kept = covered::KEYINGS.fresh(&store.conn).unwrap().hex();
        assert!(state.contains(&format!("keyings={kept}")), "{state}");
        store
            .conn
            .execute("UPDATE keyings SET clerk = 'west' WHERE id = 2", args![])
            .unwrap();
        let problems: Vec<String> = store.check().unwrap().into_iter().map(|t| t.en).collect();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("the store's kept sum of the keyings ("),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("the store's keyings ("),
            "{problems:?}"
        );
    }

    #[test]
    fn refusals_name_the_change_in_both_languages() {
        let (_temp, mut store) = meeting("");
        store.finalise(&final_record(&store)).unwrap();
        let e = store
            .add(&ballot(&store, 1, "AB"), Source::Typed)
            .unwrap_err();
        assert_eq!(
            e.message(crate::lang::Lang::Zh),
            "会议已定稿：不能录入评议表；请先执行 `reopen DIR --reason 原因`"
        );
        assert_eq!(
            e.message(crate::lang::Lang::En),
            "the meeting is finalised: adding a ballot is refused; `reopen DIR --reason TEXT` first"
        );
    }

    #[test]
    fn the_ballots_list_holds_every_counting_ballot_in_serial_order_as_stored() {
        // Read in one query: it must say what the look-up of each serial says, voided ones
        // left out, edits, validity and verification included.
        let (_temp, mut store) = meeting("[rules]\nmax_marks = { A = 1 }\n");
        for (serial, marks) in [(5, "AB"), (2, "AA"), (9, "B*"), (7, "--")] {
            store
                .add(&ballot(&store, serial, marks), Source::Typed)
                .unwrap();
        }
        apply(&mut store, 9, State::SetAside, None).unwrap();
        apply(&mut store, 5, State::Verified, None).unwrap();
        let marks = parse_marks("CA", &store.config().scale).unwrap();
        apply(&mut store, 7, State::Entered, Some("CA")).unwrap();
        let listed = store.ballots().unwrap();
        let serials: Vec<u64> = listed.iter().map(|b| b.ballot.serial).collect();
        assert_eq!(serials, [2, 5, 7]);
        for stored in &listed {
            assert_eq!(
                Some(stored),
                store.ballot(stored.ballot.serial).unwrap().as_ref()
            );
        }
        // Serial 2 (AA) breaks max_marks A = 1: its reason is kept as a code, not as prose.
        assert!(!listed[0].valid);
        assert_eq!(
            listed[0].invalid_reason,
            Some(InvalidReason::TooMany {
                key: 'A',
                count: 2,
                max: 1
            })
        );
        let column: String = store
            .conn
            .sqlite()
            .unwrap()
            .query_row(
                "SELECT invalid_reason FROM ballots WHERE serial = 2",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(column, "max_marks:A:2:1");
        assert!(listed[1].verified_at.is_some());
        assert_eq!(listed[2].ballot.marks, marks);
    }

    const ONE_TIER: &str = "tiers = [{ name = \"excellent\", label = \"优秀\", quota = 1 }]\n";

    #[test]
    fn voided_and_verified_ballots_of_schema_3_take_their_lifecycle_state_when_migrated() {
        // Schema 3 knew one kind of void: an undo (a keying mistake) becomes withdrawn, any
        // other void a paper form set aside; a verified ballot was verified by agreement.
        let (temp, mut store) = meeting("");
        for (serial, marks) in [(1, "AB"), (2, "BA"), (3, "CC"), (4, "AA")] {
            store
                .add(&ballot(&store, serial, marks), Source::Typed)
                .unwrap();
        }
        store
            .conn
            .sqlite()
            .unwrap()
            .execute_batch(
                "DROP INDEX ballots_disputed;
                 DROP TABLE keyings;
                 ALTER TABLE ballots DROP COLUMN void_kind;
                 ALTER TABLE ballots DROP COLUMN verified_by;
                 ALTER TABLE ballots DROP COLUMN dispute;
                 ALTER TABLE audit DROP COLUMN state;
                 ALTER TABLE import_batches DROP COLUMN clerk;
                 UPDATE ballots SET voided_at = '2025-01-01', void_reason = 'undo' WHERE serial = 1;
                 UPDATE ballots SET voided_at = '2025-01-01', void_reason = 'torn' WHERE serial = 2;
                 UPDATE ballots SET verified_at = '2025-01-01' WHERE serial = 3;
                 PRAGMA user_version = 3;",
            )
            .unwrap();
        drop(store);
        let config = Config::load(temp.path()).unwrap();
        let store = Store::open(&config).unwrap();
        let state = |serial| store.ballot_state(serial).unwrap().unwrap().1;
        assert_eq!(state(1), State::Withdrawn);
        assert_eq!(state(2), State::SetAside);
        assert_eq!(state(3), State::Verified);
        assert_eq!(state(4), State::Entered);
        let counts = store.ballot_counts().unwrap();
        assert_eq!(
            (
                counts.withdrawn,
                counts.set_aside,
                counts.verified,
                counts.unverified
            ),
            (1, 1, 1, 1)
        );
        // Set aside is collected, withdrawn is not: serials 2, 3 and 4.
        assert_eq!(counts.collected, 3);
        assert_eq!(
            last_audit_entry(&store).1,
            format!("schema 3 to {SCHEMA_VERSION}")
        );
    }

    #[test]
    fn decisions_of_schema_2_are_bound_to_the_tie_they_settle_when_migrated() {
        // O1 and O2 tied at places 1-2 across the excellent cutoff. Schema 2 kept only the
        // tier and the organizations named: O2, then O1 (which settled nothing by then).
        let (temp, mut store) = meeting(ONE_TIER);
        store.add(&ballot(&store, 1, "AA"), Source::Typed).unwrap();
        store
            .conn
            .sqlite()
            .unwrap()
            .execute_batch(
                "DROP TRIGGER decisions_never_deleted;
                 DROP INDEX ballots_disputed;
                 DROP TABLE keyings;
                 ALTER TABLE ballots DROP COLUMN void_kind;
                 ALTER TABLE ballots DROP COLUMN verified_by;
                 ALTER TABLE ballots DROP COLUMN dispute;
                 ALTER TABLE decisions DROP COLUMN tie;
                 ALTER TABLE decisions DROP COLUMN first_place;
                 ALTER TABLE decisions DROP COLUMN last_place;
                 ALTER TABLE decisions DROP COLUMN reason;
                 ALTER TABLE decisions DROP COLUMN withdrawn_at;
                 ALTER TABLE decisions DROP COLUMN withdraw_reason;
                 ALTER TABLE audit DROP COLUMN state;
                 ALTER TABLE import_batches DROP COLUMN clerk;
                 INSERT INTO decisions (tier, orgs, made_at) VALUES
                     ('excellent', 'O2', '2025-01-01T00:00:00Z'),
                     ('excellent', 'O1', '2025-01-01T00:00:01Z');
                 PRAGMA user_version = 2;",
            )
            .unwrap();
        drop(store);
        let config = Config::load(temp.path()).unwrap();
        let store = Store::open(&config).unwrap();
        let decisions = store.decisions().unwrap();
        assert_eq!(
            decisions,
            [
                Decision {
                    tier: 0,
                    tie: Tie {
                        orgs: vec![0, 1],
                        first: 1,
                        last: 2
                    },
                    orgs: vec![1],
                },
                // Unbound: it applies to no tie.
                Decision {
                    tier: 0,
                    tie: Tie {
                        orgs: vec![],
                        first: 0,
                        last: 0
                    },
                    orgs: vec![0],
                },
            ]
        );
        // The results are those schema 2 showed: O2 excellent, O1 none, both decided.
        let figures = crate::scoring::figures(&config, &store.count().unwrap().tally).unwrap();
        let ranking = crate::ranking::rank(&config, &figures, &decisions);
        let tiers: Vec<(usize, &crate::ranking::Note)> =
            ranking.rows.iter().map(|r| (r.org, &r.note)).collect();
        assert_eq!(
            tiers,
            [
                (1, &crate::ranking::Note::Decided),
                (0, &crate::ranking::Note::Decided)
            ]
        );
        let log = store.audit_log().unwrap();
        let details: Vec<String> = log
            .iter()
            .skip(2)
            .map(|(_, a, d)| format!("{a} {d}"))
            .collect();
        assert_eq!(
            details,
            [
                "bind tier excellent orgs O2 tie O1,O2 places 1-2".to_string(),
                format!("migrate schema 2 to {SCHEMA_VERSION}")
            ]
        );
        // Decisions are withdrawn, never deleted.
        assert!(store
            .conn
            .sqlite()
            .unwrap()
            .execute("DELETE FROM decisions", [])
            .is_err());
    }

    #[test]
    fn several_meta_values_are_read_in_their_order_in_one_query() {
        let (_temp, store) = meeting("");
        set_meta(&store.conn, "forms_issued", "12").unwrap();
        set_meta(&store.conn, "finalised", "0").unwrap();
        let [issued, unset, finalised] =
            metas_in(&store.conn, ["forms_issued", "no_such_key", "finalised"]).unwrap();
        assert_eq!(issued.as_deref(), Some("12"));
        assert_eq!(unset, None);
        assert_eq!(finalised.as_deref(), Some("0"));
    }

    #[test]
    fn a_decision_is_withdrawn_once_and_kept() {
        let (_temp, mut store) = meeting(ONE_TIER);
        store.add(&ballot(&store, 1, "AA"), Source::Typed).unwrap();
        let decision = Decision {
            tier: 0,
            tie: Tie {
                orgs: vec![0, 1],
                first: 1,
                last: 2,
            },
            orgs: vec![1],
        };
        let head = store.audit_head().unwrap();
        assert!(store.add_decision(&decision, " ", &head).is_err());
        store
            .add_decision(&decision, "drawn by lot", &head)
            .unwrap();
        // Decided on the meeting as it stood before a change: refused, nothing recorded.
        let stale = store
            .add_decision(&decision, "drawn again", &head)
            .unwrap_err()
            .message(crate::lang::Lang::En);
        assert!(stale.contains("the meeting changed while the decision was being made"));
        assert_eq!(store.decisions().unwrap().len(), 1);
        let active = store.active_decisions().unwrap();
        assert_eq!(active.len(), 1);
        store.withdraw_decisions(&active, "wrong lot").unwrap();
        assert!(store.decisions().unwrap().is_empty());
        // Withdrawn meanwhile (another station): refused, nothing audited.
        let entries = store.audit_log().unwrap().len();
        let err = store.withdraw_decisions(&active, "again").unwrap_err();
        assert!(err
            .message(crate::lang::Lang::En)
            .contains("withdrawn meanwhile"));
        assert_eq!(store.audit_log().unwrap().len(), entries);
        let kept: (String, String) = store
            .conn
            .sqlite()
            .unwrap()
            .query_row(
                "SELECT reason, withdraw_reason FROM decisions WHERE withdrawn_at IS NOT NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(kept, ("drawn by lot".into(), "wrong lot".into()));
    }

    #[test]
    fn more_forms_collected_than_issued_is_a_void_round() {
        // Issued 2 in meeting.toml: 2 forms are fine, a third (even invalid) voids the round,
        // setting it aside does not take it back, and a later figure from `issued` overrides
        // the file.
        let (_temp, mut store) = meeting("forms_issued = 2\n");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        store.add(&ballot(&store, 2, "--"), Source::Typed).unwrap();
        assert!(!store.summary().unwrap().void_round());
        store.add(&ballot(&store, 3, "BA"), Source::Typed).unwrap();
        let summary = store.summary().unwrap();
        assert_eq!((summary.collected, summary.issued), (3, Some(2)));
        assert!(summary.void_round());
        // A keying mistake withdrawn is not collected; a paper form set aside still is.
        apply(&mut store, 3, State::SetAside, None).unwrap();
        assert!(store.summary().unwrap().void_round());
        store.add(&ballot(&store, 4, "BA"), Source::Typed).unwrap();
        apply(&mut store, 4, State::Withdrawn, None).unwrap();
        let summary = store.summary().unwrap();
        assert_eq!(
            (summary.collected, summary.set_aside, summary.withdrawn),
            (3, 1, 1)
        );
        store.set_issued(3).unwrap();
        assert!(!store.summary().unwrap().void_round());
        store.set_issued(1).unwrap();
        assert!(store.summary().unwrap().void_round());
        store.set_issued(5).unwrap();
        assert!(!store.summary().unwrap().void_round());
    }

    #[cfg(unix)]
    #[test]
    fn the_store_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let (temp, _store) = meeting("");
        let mode = std::fs::metadata(temp.path().join("meeting.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn no_forms_issued_means_no_void_round() {
        let (_temp, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        assert_eq!(store.summary().unwrap().issued, None);
        assert!(!store.summary().unwrap().void_round());
    }

    #[test]
    fn a_finalised_meeting_refuses_every_change() {
        let (_temp, mut store) =
            meeting("tiers = [{ name = \"excellent\", label = \"优秀\", quota = 1 }]\n");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        let digest = store.digest().unwrap();
        store.finalise(&final_record(&store)).unwrap();
        let b2 = ballot(&store, 2, "AB");
        let refused = |r: Result<()>| {
            let e = r.unwrap_err();
            assert!(
                e.message(crate::lang::Lang::En).contains("finalised"),
                "{e}"
            );
        };
        refused(store.add(&b2, Source::Typed).map(|_| ()));
        for state in [
            State::Entered,
            State::Verified,
            State::SetAside,
            State::Withdrawn,
        ] {
            refused(apply(&mut store, 1, state, Some("BA")));
        }
        refused(store.set_issued(3));
        let decision = Decision {
            tier: 0,
            tie: Tie {
                orgs: vec![0, 1],
                first: 1,
                last: 2,
            },
            orgs: vec![0],
        };
        let head = store.audit_head().unwrap();
        refused(store.add_decision(&decision, "drawn by lot", &head));
        refused(
            store
                .import_batch("f.csv", Source::Import, false, false, |_| {
                    Ok(Filled {
                        sha256: Some("00".into()),
                        keep: true,
                    })
                })
                .map(|_| ()),
        );
        assert_eq!(store.digest().unwrap(), digest);
        store.reopen("announced too early").unwrap();
        store.add(&b2, Source::Typed).unwrap();
        let log = store.audit_log().unwrap();
        let actions: Vec<&str> = log.iter().map(|(_, a, _)| a.as_str()).collect();
        assert_eq!(actions, ["create", "add", "finalise", "reopen", "add"]);
    }

    #[test]
    fn the_count_is_kept_across_changes_and_a_forged_one_is_found() {
        let (_dir, mut store) = meeting("");
        let config = store.config().clone();
        let kept = |store: &Store| {
            count::load(&store.conn, &config, &SetHash::load(&store.conn).unwrap()).unwrap()
        };
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        // Nothing counted the empty meeting, so nothing was carried along yet.
        assert_eq!(kept(&store), None);
        let first = store.count().unwrap();
        assert_eq!(kept(&store), Some(first));
        store.add(&ballot(&store, 2, "AC"), Source::Typed).unwrap();
        apply(&mut store, 1, State::Entered, Some("BB")).unwrap();
        apply(&mut store, 2, State::SetAside, None).unwrap();
        // Carried along by each change, without a full count in between.
        let carried = kept(&store).expect("the count was carried along");
        assert_eq!(carried, store.count_by_scan().unwrap());
        assert_eq!(carried.tally.orgs[0].counts[1], crate::decimal::Milli(1000));
        assert!(store.check().unwrap().is_empty());
        // A count changed behind tallyclerk's back is found by `check`.
        let forged = meta_in(&store.conn, "count")
            .unwrap()
            .unwrap()
            .replacen("1 1 ", "1 2 ", 1);
        set_meta(&store.conn, "count", &forged).unwrap();
        let problems = store.check().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].en.contains("kept tally"), "{problems:?}");
    }

    #[test]
    fn an_import_in_any_order_keeps_the_digest_of_a_full_pass() {
        let n = 3 * 4096 + 50;
        let in_order: Vec<u64> = (1..=n).collect();
        // Out of order only after two chunks were written, in the middle of a many-row
        // statement: some rows of the batch are stored, some only bound, when it is seen.
        let mut late = in_order.clone();
        late.swap(2 * 4096 + 40, 2 * 4096 + 45);
        let mut shuffled = in_order.clone();
        let mut seed = 7u64;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        let with_gaps: Vec<u64> = shuffled.iter().map(|s| s * 3 + s % 2).collect();
        let reversed: Vec<u64> = in_order.iter().rev().copied().collect();
        for serials in [in_order, late, shuffled, with_gaps, reversed] {
            let (_dir, mut store) = meeting(
                "groups = [{ id = \"g1\", label = \"一\", weight = 1 }, { id = \"g2\", label = \"二\", weight = 0.5 }]\n",
            );
            let ballots: Vec<Ballot> = serials
                .iter()
                .map(|&serial| {
                    let mut b = ballot(
                        &store,
                        serial,
                        ["AB", "BA", "A-", "*B"][serial as usize % 4],
                    );
                    b.group = [None, Some("g1"), Some("g2")][serial as usize % 3].map(String::from);
                    b
                })
                .collect();
            store
                .import_batch("f.csv", Source::Import, false, false, |sink| {
                    for b in &ballots {
                        sink.insert(b)?;
                    }
                    Ok(Filled {
                        sha256: Some("00".into()),
                        keep: true,
                    })
                })
                .unwrap();
            let (stored, index): (i64, String) = store
                .conn
                .sqlite()
                .unwrap()
                .query_row(
                    "SELECT (SELECT COUNT(*) FROM ballots),
                            (SELECT sql FROM sqlite_master WHERE name = 'ballots_active_serial')",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!(stored as usize, serials.len());
            assert_eq!(
                index,
                "CREATE UNIQUE INDEX ballots_active_serial ON ballots(serial) WHERE voided_at IS NULL"
            );
            // The digest the import kept, not one computed on asking.
            let kept = meta_in(&store.conn, "digest").unwrap();
            assert_eq!(kept, Some(store.compute_digest().unwrap()));
            assert_eq!(
                meta_in(&store.conn, "digest_for").unwrap(),
                Some(SetHash::load(&store.conn).unwrap().hex())
            );
        }
    }

    #[test]
    fn a_shuffled_import_of_many_windows_stores_what_the_same_import_in_order_stores() {
        // Windows of one, one, two, then three chunks in tests (the most there): eight
        // windows, the last of a few dozen ballots, each stored in serial order by the
        // writer while the next one fills.
        let n = 16 * 4096 + 77;
        let toml = "groups = [{ id = \"g1\", label = \"一\", weight = 1 }, { id = \"g2\", label = \"二\", weight = 0.5 }]\n[rules]\nmax_marks = { A = 1 }\n";
        let in_order: Vec<u64> = (1..=n).map(|s| s * 3 + s % 2).collect();
        let mut shuffled = in_order.clone();
        let mut seed = 11u64;
        for i in (1..shuffled.len()).rev() {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            shuffled.swap(i, (seed >> 33) as usize % (i + 1));
        }
        // Into a meeting that already holds ballots (serials the file has not: the file's
        // leave 2 over when divided by 3) the batch's digest is not its own, and the rows go
        // through windows all the same.
        let earlier: Vec<u64> = vec![2, 5999, 3 * n + 2];
        // Serial, group, marks, validity and invalid reason.
        type StoredRow = (i64, Option<String>, String, bool, Option<String>);
        let import = |serials: &[u64], holding: bool, noting: bool| {
            let (dir, mut store) = meeting(toml);
            if holding {
                for &serial in &earlier {
                    store
                        .add(&ballot(&store, serial, "BA"), Source::Typed)
                        .unwrap();
                }
            }
            let ballots: Vec<Ballot> = serials
                .iter()
                .map(|&serial| {
                    // "AA" breaks max_marks and "--" min_marked: their reasons must stay
                    // with their rows through the sort.
                    let k = serial as usize / 3;
                    let marks = ["AB", "AA", "A-", "*B", "--", "BB"][k % 6];
                    let mut b = ballot(&store, serial, marks);
                    b.group = [None, Some("g1"), Some("g2")][k % 3].map(String::from);
                    b
                })
                .collect();
            let batched = store
                .import_batch("f.csv", Source::Import, false, false, |sink| {
                    for (i, b) in ballots.iter().enumerate() {
                        sink.insert(b)?;
                        // As a reader of a file of one byte per ballot tells: windows
                        // then get smaller towards its end.
                        if noting && i % 1000 == 999 {
                            sink.note_read(i as u64 + 1, ballots.len() as u64);
                        }
                    }
                    Ok(Filled {
                        sha256: Some("00".into()),
                        keep: true,
                    })
                })
                .unwrap();
            assert_eq!(batched, Batched::Stored);
            let rows: Vec<StoredRow> = store
                .conn
                .query_map(
                    "SELECT serial, grp, marks, valid, invalid_reason FROM ballots ORDER BY serial",
                    args![],
                    |r| {
                        Ok((
                            r.get(0)?,
                            r.text_or_null(1)?.map(String::from),
                            r.get(2)?,
                            r.get(3)?,
                            r.text_or_null(4)?.map(String::from),
                        ))
                    },
                )
                .unwrap();
            assert!(store.check().unwrap().is_empty());
            let kept = meta_in(&store.conn, "digest").unwrap();
            (dir, store, rows, kept)
        };
        for (holding, noting) in [(false, false), (true, false), (false, true), (true, true)] {
            let (_a, in_order_store, in_order_rows, in_order_kept) =
                import(&in_order, holding, noting);
            let (_b, shuffled_store, shuffled_rows, shuffled_kept) =
                import(&shuffled, holding, noting);
            assert_eq!(
                shuffled_rows.len(),
                n as usize + if holding { 3 } else { 0 }
            );
            assert!(shuffled_rows.iter().any(|r| r.4.is_some() && r.2 == "AA"));
            assert!(shuffled_rows.iter().any(|r| r.4.is_some() && r.2 == "--"));
            assert_eq!(
                shuffled_rows, in_order_rows,
                "holding ballots before: {holding}, read noted: {noting}"
            );
            let digest = in_order_store.compute_digest().unwrap();
            assert_eq!(shuffled_store.compute_digest().unwrap(), digest);
            if !holding {
                // The digests the imports kept, equal to a full pass's.
                assert_eq!(in_order_kept, Some(digest.clone()));
                assert_eq!(shuffled_kept, Some(digest));
            }
            assert_eq!(
                shuffled_store.count().unwrap(),
                in_order_store.count().unwrap()
            );
        }
    }

    #[test]
    fn a_serial_twice_in_different_windows_fails_the_import_and_stores_nothing() {
        // The importer refuses a serial given twice before the store sees it; the serial
        // index, kept in place while the windows are stored, refuses it as well.
        let (_dir, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        let before = (store.count().unwrap(), store.compute_digest().unwrap());
        // Out of order from the start; 4097 in the first window and again in the last.
        let mut serials: Vec<u64> = (2..=7 * 4096).rev().collect();
        serials.push(4097);
        let ballots: Vec<Ballot> = serials.iter().map(|&s| ballot(&store, s, "AB")).collect();
        let imported = store.import_batch("f.csv", Source::Import, false, false, |sink| {
            for b in &ballots {
                sink.insert(b)?;
            }
            Ok(Filled {
                sha256: Some("00".into()),
                keep: true,
            })
        });
        let error = imported.unwrap_err().to_string();
        assert!(
            error.contains("stored twice") && error.contains("4097"),
            "{error}"
        );
        assert_eq!(
            (store.count().unwrap(), store.compute_digest().unwrap()),
            before
        );
        let batches: i64 = store
            .conn
            .query_row("SELECT COUNT(*) FROM import_batches", args![], |r| r.get(0))
            .unwrap();
        assert_eq!(batches, 0);
    }

    #[test]
    fn imports_leave_foreign_keys_enforced_and_check_finds_dangling_references() {
        let (_dir, mut store) = meeting("");
        let ballot = ballot(&store, 7, "AB");
        store
            .import_batch("f.csv", Source::Import, false, false, |sink| {
                sink.insert(&ballot)?;
                Ok(Filled {
                    sha256: Some("00".into()),
                    keep: true,
                })
            })
            .unwrap();
        let enforced: bool = store
            .conn
            .sqlite()
            .unwrap()
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert!(enforced);
        // An imported ballot was created when its batch was imported.
        let imported_at: String = store
            .conn
            .sqlite()
            .unwrap()
            .query_row("SELECT imported_at FROM import_batches", [], |r| r.get(0))
            .unwrap();
        assert_eq!(store.ballots().unwrap()[0].created_at, imported_at);
        assert!(store.check().unwrap().is_empty());
        store
            .conn
            .sqlite()
            .unwrap()
            .execute_batch(
                "PRAGMA foreign_keys = OFF;
                 UPDATE ballots SET batch_id = 99 WHERE serial = 7;
                 PRAGMA foreign_keys = ON;",
            )
            .unwrap();
        let problems = store.check().unwrap();
        assert!(
            problems
                .iter()
                .any(|p| p.en == "ballots row 1 refers to a missing import_batches row"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_new_store_has_pages_of_16_kib_and_is_on_the_log() {
        let (_temp, store) = meeting("");
        let conn = store.conn.sqlite().unwrap();
        let page_size: i64 = conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(page_size, 16384);
        let journal: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(journal, "wal");
    }

    #[test]
    fn a_batch_goes_around_the_log_only_when_no_one_else_has_the_store_open() {
        let journal = |conn: &rusqlite::Connection| -> String {
            conn.query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap()
        };
        let (temp, mut store) = meeting("");
        let config = Config::load(temp.path()).unwrap();
        // Alone: the batch goes through the rollback journal, which it leaves behind it.
        // A station opening the store meanwhile waits for the batch, then saves its form.
        let (seen, journal_seen) = std::sync::mpsc::channel();
        let first = ballot(&store, 1, "AB");
        let typed = ballot(&store, 9, "AA");
        let mut station = None;
        store
            .import_batch("f.csv", Source::Import, false, false, |sink| {
                seen.send(std::fs::exists(temp.path().join("meeting.db-wal")).unwrap())
                    .unwrap();
                sink.insert(&first)?;
                let config = config.clone();
                let typed = typed.clone();
                let opening = std::thread::spawn(move || {
                    let mut other = Store::open(&config)?;
                    other.add(&typed, Source::Typed)
                });
                std::thread::sleep(std::time::Duration::from_millis(300));
                assert!(!opening.is_finished(), "the station waits for the batch");
                station = Some(opening);
                Ok(Filled {
                    sha256: Some("01".into()),
                    keep: true,
                })
            })
            .unwrap();
        assert!(
            !journal_seen.recv().unwrap(),
            "no -wal file during the batch"
        );
        station.unwrap().join().unwrap().unwrap();
        // Back on the log: switched by the batch as it ended, or (when the station held the
        // store open at that moment) by the station, whose opening makes it so.
        let fresh = rusqlite::Connection::open(config.store_path()).unwrap();
        assert_eq!(journal(&fresh), "wal");
        drop(fresh);
        // With another connection open (a station's screen), it goes through the log.
        let other = Store::open(&config).unwrap();
        let second = ballot(&store, 2, "BA");
        store
            .import_batch("g.csv", Source::Import, false, false, |sink| {
                seen.send(std::fs::exists(temp.path().join("meeting.db-wal")).unwrap())
                    .unwrap();
                sink.insert(&second)?;
                Ok(Filled {
                    sha256: Some("02".into()),
                    keep: true,
                })
            })
            .unwrap();
        assert!(
            journal_seen.recv().unwrap(),
            "the -wal file stays during the batch"
        );
        assert_eq!(journal(store.conn.sqlite().unwrap()), "wal");
        assert_eq!(other.ballots().unwrap().len(), 3);
        drop(other);
        // A batch given up leaves the store on the log too, and nothing of it.
        let third = ballot(&store, 3, "AA");
        let given_up = store.import_batch("h.csv", Source::Import, false, false, |sink| {
            sink.insert(&third)?;
            Err(Error::user("given up", "放弃"))
        });
        assert!(given_up.is_err());
        assert_eq!(journal(store.conn.sqlite().unwrap()), "wal");
        drop(store);
        let reopened = Store::open(&config).unwrap();
        assert_eq!(reopened.ballots().unwrap().len(), 3);
        assert!(reopened.check().unwrap().is_empty());
    }

    #[test]
    fn an_error_while_a_batch_is_filled_ends_the_import_and_keeps_nothing() {
        // As after a panic: an importer that gives up (a cancelled import) must let the
        // writer end, or the import would wait for it forever. Bounded here.
        let (temp, store) = meeting("");
        let (done, finished) = std::sync::mpsc::channel();
        let importer = std::thread::spawn(move || {
            let mut store = store;
            let ballot = ballot(&store, 7, "AB");
            let outcome = store.import_batch("f.csv", Source::Import, false, false, |sink| {
                sink.insert(&ballot)?;
                Err(Error::user("given up", "放弃"))
            });
            done.send(outcome.is_err()).unwrap();
        });
        let failed = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the import ends within a minute");
        assert!(failed);
        importer.join().unwrap();
        let config = Config::load(temp.path()).unwrap();
        assert!(Store::open(&config).unwrap().ballots().unwrap().is_empty());
    }

    #[test]
    fn a_panic_while_a_batch_is_filled_ends_the_import_and_keeps_nothing() {
        // The writer thread takes chunks until the sink is dropped: a panic in the importer
        // must drop it, or the import would wait for the writer forever. Bounded here, so a
        // broken import fails this test instead of hanging it.
        let (temp, store) = meeting("");
        let (done, finished) = std::sync::mpsc::channel();
        let importer = std::thread::spawn(move || {
            let mut store = store;
            let ballot = ballot(&store, 7, "AB");
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                store.import_batch("f.csv", Source::Import, false, false, |sink| {
                    sink.insert(&ballot)?;
                    panic!("the importer broke after one ballot");
                })
            }));
            done.send(outcome.is_err()).unwrap();
        });
        let panicked = finished
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the import ends within a minute");
        assert!(panicked);
        importer.join().unwrap();
        let config = Config::load(temp.path()).unwrap();
        assert!(Store::open(&config).unwrap().ballots().unwrap().is_empty());
    }

    #[test]
    fn edits_keep_history_and_a_withdrawal_frees_the_serial() {
        let (_temp, mut store) = meeting("");
        store.add(&ballot(&store, 1, "AB"), Source::Typed).unwrap();
        store.add(&ballot(&store, 2, "BB"), Source::Typed).unwrap();
        apply(&mut store, 1, State::Entered, Some("CC")).unwrap();
        let history: i64 = store
            .conn
            .sqlite()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM ballot_history", [], |r| r.get(0))
            .unwrap();
        assert_eq!(history, 1);
        apply(&mut store, 2, State::Withdrawn, None).unwrap();
        assert_eq!(store.summary().unwrap().collected, 1);
        assert_eq!(store.summary().unwrap().withdrawn, 1);
        assert_eq!(
            store.ballot_state(2).unwrap().map(|(_, state)| state),
            Some(State::Withdrawn)
        );
        // The serial is free again, and nothing was deleted.
        store.add(&ballot(&store, 2, "AA"), Source::Typed).unwrap();
        let rows: i64 = store
            .conn
            .sqlite()
            .unwrap()
            .query_row("SELECT COUNT(*) FROM ballots", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 3);
        assert!(store.check().unwrap().is_empty());
    }
}
