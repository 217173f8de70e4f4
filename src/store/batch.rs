//! One import batch: a whole file goes into the store in one transaction or not at all.
//!
//! The importer reads and checks the file on the calling thread and hands each ballot to a
//! [`BatchSink`]; a second thread writes them into SQLite meanwhile, in chunks through a
//! short queue, so reading the file and writing the store overlap and memory stays bounded.
//! What the batch adds to the set hash and the kept count is summed by the sink as ballots
//! come, and the ballot-set digest (for a meeting without ballots, in serial order whatever
//! the file's order) by the writer, splitting the work about evenly between the two threads;
//! none of them needs another pass over the ballots afterwards.

use super::count::{self, Count};
use super::db::{args, Db, Param, ToParam};
use super::serials::SerialSet;
use super::set_hash::{digest_line, SetHash};
use super::{append_audit, set_meta, Source, Store, NOW};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{validity, Ballot, Mark};
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Ballots per chunk handed to the writer.
const CHUNK_ROWS: usize = 4096;
/// Chunks queued between reader and writer (so at most this many are in memory).
const QUEUED_CHUNKS: usize = 4;
/// Ballots per INSERT statement: one statement for many rows spares SQLite most of its
/// per-statement work.
const ROWS_PER_INSERT: usize = 32;

/// Ballots on their way to the writer, ready to bind.
#[derive(Default)]
struct Chunk {
    serials: Vec<i64>,
    groups: Vec<Option<u16>>,
    /// The marks text of all ballots of the chunk, one after the other.
    marks: Vec<u8>,
    valid: Vec<bool>,
    /// Why a ballot is invalid, for the invalid ones only: (index in the chunk, reason).
    reasons: Vec<(usize, String)>,
}

/// Takes the ballots of one import batch: counts them, and unless the batch is a dry run
/// hands them to the writer.
pub struct BatchSink<'a> {
    config: &'a Config,
    taken: SerialSet,
    keys: Vec<u8>,
    count: Count,
    /// The set hash terms of the ballots given.
    set: SetHash,
    chunk: Chunk,
    sender: Option<SyncSender<Chunk>>,
}

impl BatchSink<'_> {
    /// Whether a ballot with this serial already counts in the meeting (serials of this
    /// batch are the importer's to check: it sees them twice in the file first).
    pub fn serial_taken(&self, serial: u64) -> bool {
        self.taken.contains(serial)
    }

    /// What the ballots given so far add up to.
    pub fn count(&self) -> &Count {
        &self.count
    }

    /// Takes one ballot (already checked against the file and the meeting's serials,
    /// organizations and groups).
    pub fn insert(&mut self, ballot: &Ballot) -> Result<()> {
        let config = self.config;
        if ballot.marks.len() != config.organizations.len() {
            return Err(Error::Internal(format!(
                "ballot {} has {} marks for {} organizations",
                ballot.serial,
                ballot.marks.len(),
                config.organizations.len()
            )));
        }
        let group =
            match ballot.group.as_deref() {
                None => None,
                Some(id) => Some(config.groups.iter().position(|g| g.id == id).ok_or_else(
                    || Error::Internal(format!("ballot {} has an unknown group", ballot.serial)),
                )?),
            };
        let serial = ballot.serial as i64;
        let chunk = &mut self.chunk;
        let start = chunk.marks.len();
        chunk
            .marks
            .extend(ballot.marks.iter().map(|&mark| match mark {
                Mark::Option(k) => self.keys[k as usize],
                Mark::Blank => b'-',
                Mark::Spoiled => b'*',
            }));
        let group_id = group.map(|g| config.groups[g].id.as_str());
        let verdict = validity(&ballot.marks, &config.scale, &config.rules);
        self.count
            .add_judged(config, group_id, &ballot.marks, verdict.is_ok())?;
        if self.sender.is_none() {
            chunk.marks.truncate(start);
            return Ok(());
        }
        // Option keys are ASCII letters, so the text is ASCII.
        let text = std::str::from_utf8(&chunk.marks[start..])
            .map_err(|_| Error::Internal("marks text is not ASCII".into()))?;
        self.set.add(serial, group_id, text);
        if let Err(reason) = &verdict {
            chunk.reasons.push((chunk.serials.len(), reason.code()));
        }
        chunk.valid.push(verdict.is_ok());
        chunk.serials.push(serial);
        chunk.groups.push(group.map(|g| g as u16));
        if chunk.serials.len() == CHUNK_ROWS {
            self.send()?;
        }
        Ok(())
    }

    fn send(&mut self) -> Result<()> {
        let chunk = std::mem::take(&mut self.chunk);
        if chunk.serials.is_empty() {
            return Ok(());
        }
        let sent = self.sender.as_ref().map(|sender| sender.send(chunk));
        match sent {
            Some(Ok(())) | None => Ok(()),
            // The writer stopped on an error of its own, reported when it is joined.
            Some(Err(_)) => Err(Error::Internal("the store's writer stopped".into())),
        }
    }

    /// Sends what is left and tells the writer the batch is over.
    fn finish(&mut self) -> Result<()> {
        let sent = self.send();
        self.sender = None;
        sent
    }
}

/// What the reader of an import batch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filled {
    /// The SHA-256 of the content the ballots were read from, when it is known (not when
    /// the file changed while it was read).
    pub sha256: Option<String>,
    /// Whether to keep the batch (false: a file with problems).
    pub keep: bool,
}

/// What became of an import batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Batched {
    /// Stored.
    Stored,
    /// A dry run found it could be stored; nothing was changed.
    Checked,
    /// Its reader dropped it (a file with problems); nothing was changed.
    Dropped,
    /// Content with the same SHA-256 was imported before, by these batches (file and time);
    /// nothing was changed.
    SameContent(Vec<String>),
}

impl Store {
    /// Imports a batch in one transaction: `fill` hands the ballots to the sink and says
    /// whether to keep the batch (or drop it: a file with problems) and the SHA-256 of the
    /// content they were read from, or fails. Content imported before is refused, problems
    /// or not, unless `allow_same_content`. A dry run only counts, and holds no write lock meanwhile, so
    /// others can store ballots while a file is checked. Nothing of the batch remains
    /// unless it is stored.
    pub fn import_batch<F>(
        &mut self,
        file_name: &str,
        source: Source,
        dry_run: bool,
        allow_same_content: bool,
        fill: F,
    ) -> Result<Batched>
    where
        F: FnOnce(&mut BatchSink<'_>) -> Result<Filled>,
    {
        let Store { conn, config, .. } = self;
        let mut tx = Immediate::begin(conn, !dry_run)?;
        Store::refuse_if_final(tx.conn(), super::Change::Import)?;
        // The row's SHA-256 is set once the content is read: it is of the bytes read.
        let batch = BatchRow {
            id: if dry_run {
                0
            } else {
                tx.conn().insert(
                    &format!(
                        "INSERT INTO import_batches (file_name, sha256, rows, imported_at)
                         VALUES (?1, '', 0, {NOW})"
                    ),
                    args![file_name],
                )?
            },
            source,
        };
        let before = SetHash::load(tx.conn())?;
        let taken = counting_serials(tx.conn())?;
        let meeting_empty = taken.is_empty();
        let config: &Config = config;
        let sink = BatchSink {
            config,
            taken,
            keys: config.scale.options.iter().map(|o| o.key as u8).collect(),
            count: Count::empty(config),
            set: SetHash::default(),
            chunk: Chunk::default(),
            sender: None,
        };
        let (keep, written, sink) = std::thread::scope(|scope| {
            // The sink lives in this closure: should `fill` panic, unwinding drops the sink's
            // sender, so the writer runs out of chunks and ends, and the scope (which joins
            // it before passing the panic on) does not wait for it forever.
            let mut sink = sink;
            let writer = (!dry_run).then(|| {
                let (sender, chunks) = sync_channel(QUEUED_CHUNKS);
                sink.sender = Some(sender);
                let conn = tx.conn_mut();
                let batch = &batch;
                scope.spawn(move || write(conn, config, batch, meeting_empty, chunks))
            });
            let keep = fill(&mut sink).and_then(|keep| sink.finish().map(|()| keep));
            // After an error (a cancelled import) too: the writer ends once no chunk can come.
            sink.sender = None;
            let written = match writer {
                None => Ok(Written::default()),
                Some(writer) => writer
                    .join()
                    .unwrap_or_else(|_| Err(Error::Internal("the store's writer panicked".into()))),
            };
            // The writer's own error explains a sink that could no longer send.
            match (keep, written) {
                (_, Err(e)) | (Err(e), _) => Err(e),
                (Ok(keep), Ok(written)) => Ok((keep, written, sink)),
            }
        })?;
        let conn = tx.conn();
        if let (Some(sha256), false) = (&keep.sha256, allow_same_content) {
            let earlier = batches_with_hash(conn, sha256, batch.id)?;
            if !earlier.is_empty() {
                return Ok(Batched::SameContent(earlier));
            }
        }
        let (Some(sha256), true) = (keep.sha256, keep.keep) else {
            return Ok(Batched::Dropped);
        };
        if dry_run {
            return Ok(Batched::Checked);
        }
        conn.execute(
            "UPDATE import_batches SET rows = ?1, sha256 = ?2 WHERE id = ?3",
            args![written.rows as i64, sha256, batch.id],
        )?;
        let mut after = before;
        after.merge(&sink.set);
        after.save(conn)?;
        if meeting_empty {
            count::save(conn, config, &after, &sink.count)?;
            if let Some(digest) = &written.digest {
                set_meta(conn, "digest", digest)?;
                set_meta(conn, "digest_for", &after.hex())?;
            }
        } else {
            count::carry(conn, config, &before, &after, |count| {
                count.merge(&sink.count)
            })?;
        }
        append_audit(
            conn,
            "import",
            &format!("file {file_name} sha256 {sha256} ballots {}", written.rows),
        )?;
        tx.commit()?;
        Ok(Batched::Stored)
    }
}

/// The earlier import batches (file and time) of content with this SHA-256, but `batch`.
fn batches_with_hash(conn: &Db, sha256: &str, batch: i64) -> Result<Vec<String>> {
    conn.query_map(
        "SELECT file_name || ' (' || imported_at || ')' FROM import_batches
         WHERE sha256 = ?1 AND id != ?2 ORDER BY id",
        args![sha256, batch],
        |r| r.get(0),
    )
}

/// The import batch the ballots are stored under.
struct BatchRow {
    id: i64,
    source: Source,
}

/// The serials of the ballots that count in the meeting.
fn counting_serials(conn: &Db) -> Result<SerialSet> {
    let mut serials = SerialSet::new();
    conn.query_each(
        "SELECT serial FROM ballots WHERE voided_at IS NULL",
        args![],
        |row| {
            serials.insert(row.get::<i64>(0)? as u64);
            Ok(())
        },
    )?;
    Ok(serials)
}

/// An INSERT of `rows` ballots: the batch's source and id are parameters 1 and 2, then five
/// per ballot. `created_at` is left NULL: an imported ballot was created when its batch was.
fn insert_statement(rows: usize) -> String {
    let values: Vec<String> = (0..rows)
        .map(|r| {
            let p = 3 + 5 * r;
            format!(
                "(?{}, ?{}, ?{}, ?{}, ?{}, ?1, ?2)",
                p,
                p + 1,
                p + 2,
                p + 3,
                p + 4
            )
        })
        .collect();
    format!(
        "INSERT INTO ballots (serial, grp, marks, valid, invalid_reason, source, batch_id) VALUES {}",
        values.join(", ")
    )
}

/// What the writer stored.
#[derive(Default)]
struct Written {
    rows: u64,
    /// The ballot-set digest after the batch, when the meeting held no ballots before (it is
    /// then the batch's own digest).
    digest: Option<String>,
}

/// The ballot-set digest of a batch into a meeting without ballots, built by the writer. It
/// is a SHA-256 over the ballots' lines in serial order: while they come in that order they
/// are hashed as they come; once one comes out of order (stacks scanned in any order) the
/// lines are kept and hashed in serial order once all are stored, so that the first tally
/// after an import never pays a sorted pass over the store.
enum BatchDigest {
    /// Not built: the meeting held ballots before, so the digest is not the batch's alone.
    Skipped,
    /// Every ballot so far came after the one before.
    InOrder { hasher: Sha256, last_serial: i64 },
    /// Some did not: every line of the batch so far, to be sorted.
    Kept(KeptLines),
}

/// Ballot lines kept for the digest: marks are fixed-width (one byte per organization) and
/// groups are indexes into the meeting's groups, so a million forms of 30 organizations take
/// about 42 MB.
#[derive(Default)]
struct KeptLines {
    serials: Vec<i64>,
    groups: Vec<Option<u16>>,
    marks: Vec<u8>,
}

impl KeptLines {
    fn push(&mut self, serial: i64, group: Option<u16>, marks: &[u8]) {
        self.serials.push(serial);
        self.groups.push(group);
        self.marks.extend_from_slice(marks);
    }

    /// The lines of the batch stored so far: the rows `conn` holds under `batch`, then
    /// `pending`, the rows bound to a statement not yet executed.
    fn of_stored(
        conn: &Db,
        config: &Config,
        batch: i64,
        pending: (&Chunk, std::ops::Range<usize>),
    ) -> Result<KeptLines> {
        let mut kept = KeptLines::default();
        conn.query_each(
            "SELECT serial, grp, marks FROM ballots WHERE batch_id = ?1",
            args![batch],
            |row| {
                let group = row.text_or_null(1)?;
                let group = group.and_then(|g| config.groups.iter().position(|c| c.id == g));
                kept.push(
                    row.get(0)?,
                    group.map(|g| g as u16),
                    row.text(2)?.as_bytes(),
                );
                Ok(())
            },
        )?;
        let (chunk, range) = pending;
        let orgs = config.organizations.len();
        for i in range {
            kept.push(
                chunk.serials[i],
                chunk.groups[i],
                &chunk.marks[i * orgs..(i + 1) * orgs],
            );
        }
        Ok(kept)
    }

    /// The SHA-256 of the lines in serial order.
    fn digest(self, config: &Config) -> Sha256 {
        let orgs = config.organizations.len();
        let mut order: Vec<(i64, u32)> = self.serials.iter().copied().zip(0u32..).collect();
        order.sort_unstable();
        let mut hasher = Sha256::new();
        for (serial, i) in order {
            let i = i as usize;
            let group = self.groups[i].map(|g| config.groups[g as usize].id.as_bytes());
            digest_line(
                &mut hasher,
                serial,
                group.unwrap_or_default(),
                &self.marks[i * orgs..(i + 1) * orgs],
            );
        }
        hasher
    }
}

/// The index that keeps the serials of the ballots that count unique, as the schema makes
/// it (migration 2).
const ACTIVE_SERIAL_INDEX: &str =
    "CREATE UNIQUE INDEX ballots_active_serial ON ballots(serial) WHERE voided_at IS NULL";

/// Stores the chunks as they come, until the sink is done.
///
/// Into a meeting without ballots, once a serial comes out of order the serial index is
/// dropped and built again over the stored ballots at the end, in the same transaction:
/// inserting serials that come in any order into it row by row changes index pages all
/// over it for most rows (an import of a shuffled file took twice as long as of the same
/// file in order), while building it sorts once. A serial stored twice then fails the
/// build, as it would have failed the insert; the importer refuses those before they come
/// here. Serials in order are appended to the index as they come (building it would only
/// hold a sort of every serial in memory).
fn write(
    db: &mut Db,
    config: &Config,
    batch: &BatchRow,
    meeting_empty: bool,
    chunks: Receiver<Chunk>,
) -> Result<Written> {
    // Lent mutably only so the writer thread may take it; used through shared borrows.
    let db: &Db = db;
    let conn = match db {
        Db::Sqlite(conn) => conn,
        Db::Postgres(_) => return write_portable(db, config, batch, meeting_empty, chunks),
    };
    let mut index_dropped = false;
    let mut many = conn.prepare(&insert_statement(ROWS_PER_INSERT))?;
    let mut one = conn.prepare(&insert_statement(1))?;
    // Bound once: SQLite keeps bindings from one execution to the next.
    for insert in [&mut many, &mut one] {
        insert.raw_bind_parameter(1, batch.source.word())?;
        insert.raw_bind_parameter(2, batch.id)?;
    }
    let orgs = config.organizations.len();
    let mut rows = 0;
    let mut digest = if meeting_empty {
        BatchDigest::InOrder {
            hasher: Sha256::new(),
            last_serial: 0,
        }
    } else {
        BatchDigest::Skipped
    };
    for chunk in chunks {
        let mut reasons = chunk.reasons.iter().peekable();
        let mut at = 0;
        while at < chunk.serials.len() {
            let take = if chunk.serials.len() - at >= ROWS_PER_INSERT {
                ROWS_PER_INSERT
            } else {
                1
            };
            let insert = if take == 1 { &mut one } else { &mut many };
            for r in 0..take {
                let i = at + r;
                let p = 3 + 5 * r;
                let group = chunk.groups[i].map(|g| config.groups[g as usize].id.as_str());
                let marks = std::str::from_utf8(&chunk.marks[i * orgs..(i + 1) * orgs])
                    .map_err(|_| Error::Internal("marks text is not ASCII".into()))?;
                let reason = match reasons.peek() {
                    Some((index, reason)) if *index == i => {
                        reasons.next();
                        Some(reason.as_str())
                    }
                    _ => None,
                };
                insert.raw_bind_parameter(p, chunk.serials[i])?;
                insert.raw_bind_parameter(p + 1, group)?;
                insert.raw_bind_parameter(p + 2, marks)?;
                insert.raw_bind_parameter(p + 3, chunk.valid[i])?;
                insert.raw_bind_parameter(p + 4, reason)?;
                let serial = chunk.serials[i];
                match &mut digest {
                    BatchDigest::InOrder {
                        hasher,
                        last_serial,
                    } if serial > *last_serial => {
                        *last_serial = serial;
                        digest_line(
                            hasher,
                            serial,
                            group.unwrap_or_default().as_bytes(),
                            marks.as_bytes(),
                        );
                    }
                    BatchDigest::InOrder { .. } => {
                        let stored = KeptLines::of_stored(db, config, batch.id, (&chunk, at..i))?;
                        digest = BatchDigest::Kept(stored);
                        // No statement is running: each is reset once executed, and SQLite
                        // prepares the inserts again for the schema without the index.
                        conn.execute_batch("DROP INDEX ballots_active_serial")?;
                        index_dropped = true;
                        if let BatchDigest::Kept(kept) = &mut digest {
                            kept.push(serial, chunk.groups[i], marks.as_bytes());
                        }
                    }
                    BatchDigest::Kept(kept) => kept.push(serial, chunk.groups[i], marks.as_bytes()),
                    BatchDigest::Skipped => {}
                }
                rows += 1;
            }
            insert.raw_execute().map_err(|e| {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    Error::Internal(format!(
                        "a serial among {:?} was stored twice",
                        &chunk.serials[at..at + take]
                    ))
                } else {
                    e.into()
                }
            })?;
            at += take;
        }
    }
    drop((many, one));
    if index_dropped {
        conn.execute_batch(ACTIVE_SERIAL_INDEX).map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                Error::Internal("a serial of the batch was stored twice".into())
            } else {
                e.into()
            }
        })?;
    }
    let digest = match digest {
        BatchDigest::Skipped => None,
        BatchDigest::InOrder { hasher, .. } => Some(hasher),
        BatchDigest::Kept(kept) => Some(kept.digest(config)),
    };
    Ok(Written {
        rows,
        digest: digest.map(|hasher| super::hex(&hasher.finalize())),
    })
}

/// Stores the chunks as they come into a PostgreSQL meeting: many rows per INSERT, with the
/// serial index kept as it is (the server keeps it up as the rows come).
fn write_portable(
    db: &Db,
    config: &Config,
    batch: &BatchRow,
    meeting_empty: bool,
    chunks: Receiver<Chunk>,
) -> Result<Written> {
    let many = insert_statement(ROWS_PER_INSERT);
    let one = insert_statement(1);
    let orgs = config.organizations.len();
    let mut rows = 0;
    let mut digest = if meeting_empty {
        BatchDigest::InOrder {
            hasher: Sha256::new(),
            last_serial: 0,
        }
    } else {
        BatchDigest::Skipped
    };
    for chunk in chunks {
        let mut params: Vec<Param> = Vec::with_capacity(2 + 5 * ROWS_PER_INSERT);
        let mut reasons = chunk.reasons.iter().peekable();
        let mut at = 0;
        while at < chunk.serials.len() {
            let take = if chunk.serials.len() - at >= ROWS_PER_INSERT {
                ROWS_PER_INSERT
            } else {
                1
            };
            params.clear();
            params.push(Param::Text(batch.source.word()));
            params.push(Param::Int(batch.id));
            for i in at..at + take {
                let group = chunk.groups[i].map(|g| config.groups[g as usize].id.as_str());
                let marks = std::str::from_utf8(&chunk.marks[i * orgs..(i + 1) * orgs])
                    .map_err(|_| Error::Internal("marks text is not ASCII".into()))?;
                let reason = match reasons.peek() {
                    Some((index, reason)) if *index == i => {
                        reasons.next();
                        Some(reason.as_str())
                    }
                    _ => None,
                };
                let serial = chunk.serials[i];
                params.extend([
                    Param::Int(serial),
                    group.map_or(Param::Null, Param::Text),
                    Param::Text(marks),
                    Param::Int(chunk.valid[i].into()),
                    reason.map_or(Param::Null, Param::Text),
                ]);
                match &mut digest {
                    BatchDigest::InOrder {
                        hasher,
                        last_serial,
                    } if serial > *last_serial => {
                        *last_serial = serial;
                        digest_line(
                            hasher,
                            serial,
                            group.unwrap_or_default().as_bytes(),
                            marks.as_bytes(),
                        );
                    }
                    BatchDigest::InOrder { .. } => {
                        let mut kept = KeptLines::of_stored(db, config, batch.id, (&chunk, at..i))?;
                        kept.push(serial, chunk.groups[i], marks.as_bytes());
                        digest = BatchDigest::Kept(kept);
                    }
                    BatchDigest::Kept(kept) => kept.push(serial, chunk.groups[i], marks.as_bytes()),
                    BatchDigest::Skipped => {}
                }
                rows += 1;
            }
            let args: Vec<&dyn ToParam> = params.iter().map(|p| p as &dyn ToParam).collect();
            db.execute(if take == 1 { &one } else { &many }, &args)?;
            at += take;
        }
    }
    let digest = match digest {
        BatchDigest::Skipped => None,
        BatchDigest::InOrder { hasher, .. } => Some(hasher),
        BatchDigest::Kept(kept) => Some(kept.digest(config)),
    };
    Ok(Written {
        rows,
        digest: digest.map(|hasher| super::hex(&hasher.finalize())),
    })
}

/// A write transaction, rolled back unless committed. Unlike [`super::db::Tx`] it lends its
/// connection out mutably, so the writer thread can take it while the batch is read.
///
/// In SQLite, foreign keys are not enforced inside it: the only references it writes are the
/// ballots' to their own batch, inserted first in the same transaction, and checking each of
/// a million of them costs more than a tenth of a big import. `check` runs SQLite's foreign
/// key check over the whole store.
struct Immediate<'c> {
    conn: &'c mut Db,
    open: bool,
}

impl<'c> Immediate<'c> {
    /// Begins a transaction that writes (`write`), or only reads.
    fn begin(conn: &'c mut Db, write: bool) -> Result<Immediate<'c>> {
        // Only takes effect outside a transaction, hence before BEGIN.
        let sqlite: Option<&Connection> = conn.sqlite();
        if let Some(sqlite) = sqlite {
            sqlite.pragma_update(None, "foreign_keys", false)?;
        }
        if let Err(e) = conn.begin_transaction(write) {
            if let Some(sqlite) = conn.sqlite() {
                let _ = sqlite.pragma_update(None, "foreign_keys", true);
            }
            return Err(e);
        }
        Ok(Immediate { conn, open: true })
    }

    fn conn(&self) -> &Db {
        self.conn
    }

    fn conn_mut(&mut self) -> &mut Db {
        self.conn
    }

    fn commit(mut self) -> Result<()> {
        self.conn.end_transaction(true)?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Immediate<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.end_transaction(false);
        }
        if let Some(sqlite) = self.conn.sqlite() {
            let _ = sqlite.pragma_update(None, "foreign_keys", true);
        }
    }
}
