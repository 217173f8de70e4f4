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
use super::db::{args, Db};
use super::radix;
use super::serials::SerialSet;
use super::set_hash::{digest_line, SetHash};
use super::write_back::WriteBack;
use super::{append_audit, set_meta, Source, Store, NOW};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{validity, Ballot, Mark};
use ::postgres::error::SqlState;
use ::postgres::types::Type;
use rusqlite::Connection;
use sha2::{Digest, Sha256};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

/// Ballots per chunk handed to the writer.
const CHUNK_ROWS: usize = 4096;
/// Chunks queued between reader and writer (so at most this many are in memory).
const QUEUED_CHUNKS: usize = 4;
/// Ballots stored between two requests to write the store to disk (about 5 MB of pages).
const WRITE_BACK_ROWS: u64 = 1 << 16;
/// Ballots per INSERT statement: one statement for many rows spares SQLite most of its
/// per-statement work.
const ROWS_PER_INSERT: usize = 32;

/// Ballots on their way to the writer, ready to bind.
#[derive(Default)]
struct Chunk {
    serials: Vec<i64>,
    groups: Vec<Option<u16>>,
    /// The marks text of all ballots of the chunk, one after the other: one ASCII character
    /// per organization (option keys are ASCII letters), so ballot `i`'s are at
    /// `i * orgs..(i + 1) * orgs`.
    marks: String,
    valid: Vec<bool>,
    /// Why a ballot is invalid, for the invalid ones only: (index in the chunk, reason).
    reasons: Vec<(usize, String)>,
    /// About how many ballots are still to come after this chunk, when the reader can tell.
    to_come: Option<u64>,
}

/// Takes the ballots of one import batch: counts them, and unless the batch is a dry run
/// hands them to the writer.
pub struct BatchSink<'a> {
    config: &'a Config,
    taken: SerialSet,
    /// The option keys, ASCII letters (the meeting's rules refuse others).
    keys: Vec<u8>,
    /// One ballot's marks text, made here before it joins the chunk's.
    line: Vec<u8>,
    count: Count,
    /// The set hash terms of the ballots given.
    set: SetHash,
    chunk: Chunk,
    sender: Option<SyncSender<Chunk>>,
    /// Ballots given so far.
    given: u64,
    /// The bytes of the file read so far and its length, as last noted by the reader.
    read: Option<(u64, u64)>,
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
        let group_id = group.map(|g| config.groups[g].id.as_str());
        let verdict = validity(&ballot.marks, &config.scale, &config.rules);
        self.count
            .add_judged(config, group_id, &ballot.marks, verdict.is_ok())?;
        if self.sender.is_none() {
            return Ok(());
        }
        self.line.clear();
        self.line
            .extend(ballot.marks.iter().map(|&mark| match mark {
                Mark::Option(k) => self.keys[k as usize],
                Mark::Blank => b'-',
                Mark::Spoiled => b'*',
            }));
        let text = std::str::from_utf8(&self.line)
            .map_err(|_| Error::Internal("marks text is not ASCII".into()))?;
        self.set.add(serial, group_id, text);
        let chunk = &mut self.chunk;
        chunk.marks.push_str(text);
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

    /// Notes how much of the file the ballots come from was read: `read` of `len` bytes.
    pub fn note_read(&mut self, read: u64, len: u64) {
        self.read = Some((read, len));
    }

    fn send(&mut self) -> Result<()> {
        let mut chunk = std::mem::take(&mut self.chunk);
        if chunk.serials.is_empty() {
            return Ok(());
        }
        self.given += chunk.serials.len() as u64;
        // As many more as came per byte so far.
        chunk.to_come = match self.read {
            Some((read, len)) if read > 0 => {
                let to_come = u128::from(self.given) * u128::from(len.saturating_sub(read))
                    / u128::from(read);
                Some(u64::try_from(to_come).unwrap_or(u64::MAX))
            }
            _ => None,
        };
        let sent = self
            .sender
            .as_ref()
            .map(|sender| sender.send(chunk).is_ok());
        match sent {
            Some(true) | None => Ok(()),
            // The writer stopped on an error of its own, reported when it is joined.
            Some(false) => Err(Error::Internal("the store's writer stopped".into())),
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
        // The station is kept with the batch and in its audit entry.
        let clerk_suffix = self.clerk_suffix();
        let Store {
            conn,
            config,
            clerk,
            ..
        } = self;
        let mut tx = Immediate::begin(conn, !dry_run)?;
        Store::refuse_if_final(tx.conn(), super::Change::Import)?;
        // The row's SHA-256 is set once the content is read: it is of the bytes read.
        let batch = BatchRow {
            id: if dry_run {
                0
            } else {
                tx.conn().insert(
                    &format!(
                        "INSERT INTO import_batches (file_name, sha256, rows, imported_at, clerk)
                         VALUES (?1, '', 0, {NOW}, ?2)"
                    ),
                    args![file_name, clerk.as_deref()],
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
            line: Vec::new(),
            count: Count::empty(config),
            set: SetHash::default(),
            chunk: Chunk::default(),
            sender: None,
            given: 0,
            read: None,
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
            &format!(
                "file {file_name} sha256 {sha256} ballots {}{clerk_suffix}",
                written.rows
            ),
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

/// A SQLite INSERT of `rows` ballots: the batch's source and id are parameters 1 and 2, then
/// five per ballot. `created_at` is left NULL: an imported ballot was created when its batch
/// was. A serial stored twice rolls the whole batch back (`OR ROLLBACK`), which it would be
/// anyway: SQLite then keeps no journal of each statement's changes to undo that statement
/// alone.
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
        "INSERT OR ROLLBACK INTO ballots (serial, grp, marks, valid, invalid_reason, source, batch_id) VALUES {}",
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
    /// Some did not: every line of the batch so far in runs each in serial order (those
    /// stored before the first that did not, then each window), to be merged.
    Runs(Vec<KeptLines>),
}

impl BatchDigest {
    /// The SHA-256 once every line is in, if it was built.
    fn finish(self, config: &Config) -> Option<Sha256> {
        match self {
            BatchDigest::Skipped => None,
            BatchDigest::InOrder { hasher, .. } => Some(hasher),
            BatchDigest::Kept(kept) => Some(digest_of_runs(&[kept.sorted(config)], config)),
            BatchDigest::Runs(runs) => Some(digest_of_runs(&runs, config)),
        }
    }
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
            // Stored in serial order, hence in the order of their row ids.
            "SELECT serial, grp, marks FROM ballots WHERE batch_id = ?1 ORDER BY id",
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
                &chunk.marks.as_bytes()[i * orgs..(i + 1) * orgs],
            );
        }
        Ok(kept)
    }

    /// The lines of a sorted window (see [`Window::sort`]: its marks are in its order too).
    fn of_window(window: &Window) -> KeptLines {
        KeptLines {
            serials: window.rows.iter().map(|row| row.serial).collect(),
            groups: window.rows.iter().map(|row| row.group).collect(),
            marks: window.marks.as_bytes().to_vec(),
        }
    }

    /// The same lines in serial order.
    fn sorted(self, config: &Config) -> KeptLines {
        let orgs = config.organizations.len();
        let mut order: Vec<(i64, u32)> = self.serials.iter().copied().zip(0u32..).collect();
        order.sort_unstable();
        let mut sorted = KeptLines {
            serials: Vec::with_capacity(order.len()),
            groups: Vec::with_capacity(order.len()),
            marks: Vec::with_capacity(self.marks.len()),
        };
        for (serial, i) in order {
            let i = i as usize;
            sorted.push(
                serial,
                self.groups[i],
                &self.marks[i * orgs..(i + 1) * orgs],
            );
        }
        sorted
    }
}

/// The SHA-256 of the lines of `runs`, each in serial order, merged into one serial order
/// (a serial is in one run at most: the importer refuses a file that has one twice).
fn digest_of_runs(runs: &[KeptLines], config: &Config) -> Sha256 {
    use std::cmp::Reverse;
    let orgs = config.organizations.len();
    // The next line of each run not yet hashed, smallest serial first: (serial, run, index).
    let mut next: std::collections::BinaryHeap<Reverse<(i64, usize, usize)>> = runs
        .iter()
        .enumerate()
        .filter_map(|(run, lines)| Some(Reverse((*lines.serials.first()?, run, 0))))
        .collect();
    let mut hasher = Sha256::new();
    while let Some(mut top) = next.peek_mut() {
        let Reverse((serial, run, i)) = *top;
        let lines = &runs[run];
        let group = lines.groups[i].map(|g| config.groups[g as usize].id.as_bytes());
        digest_line(
            &mut hasher,
            serial,
            group.unwrap_or_default(),
            &lines.marks[i * orgs..(i + 1) * orgs],
        );
        match lines.serials.get(i + 1) {
            Some(&following) => *top = Reverse((following, run, i + 1)),
            None => {
                std::collections::binary_heap::PeekMut::pop(top);
            }
        }
    }
    hasher
}

/// Ballots a window holds before they go into the store sorted by serial (see [`write`]).
/// With 30 organizations a ballot takes about 60 bytes in a window (serial, group, marks,
/// validity and its place in the sort); two windows are in memory at once, one filled while
/// the other is stored, so they peak at about 16 MB whatever the file's size. Windows of
/// 131,072 ballots imported a shuffled million about 7 % faster than windows twice as big
/// (1.38 s against 1.48 s, 4 runs each on the quiet 2-core VM; 65,536 and 32,768 did as well
/// as 131,072): a window sorts and is read back within the processor's cache.
/// Tests use windows of three chunks at most, so that a file of several windows stays small.
const WINDOW_ROWS: usize = if cfg!(test) { 3 * CHUNK_ROWS } else { 1 << 17 };

/// Ballots of a sorted window stored between two looks at the queue.
const ROWS_PER_SLICE: usize = 32 * ROWS_PER_INSERT;

/// Ballots received out of serial order, waiting to be stored in serial order. Each is
/// kept in one place (its row, then its marks), not spread over a chunk's columns: stored
/// in serial order, the ballots of a window are read in any order of their coming.
#[derive(Default)]
struct Window {
    /// Every ballot of the window; sorted by serial once the window is full.
    rows: Vec<WindowRow>,
    /// The ballots' marks in the order they came (in serial order once the window is sorted),
    /// one ASCII character per organization.
    marks: String,
    /// Why the invalid ballots are invalid.
    reasons: Vec<String>,
}

/// A ballot in a window.
#[derive(Clone, Copy)]
struct WindowRow {
    serial: i64,
    /// Where its marks are: the how-manieth ballot of the window to come (once the window is
    /// sorted, in serial order).
    at: u32,
    group: Option<u16>,
    valid: bool,
    /// Where its reason is in the window's reasons, if it is invalid.
    reason: Option<u32>,
}

impl Window {
    /// Takes the ballots of `chunk` from index `from` on.
    fn take(&mut self, config: &Config, chunk: Chunk, from: usize) {
        let orgs = config.organizations.len();
        let mut reasons = chunk.reasons.into_iter().peekable();
        for i in from..chunk.serials.len() {
            let mut reason = None;
            while let Some((index, _)) = reasons.peek() {
                if *index > i {
                    break;
                }
                if let Some((index, text)) = reasons.next() {
                    if index == i {
                        reason = Some(self.reasons.len() as u32);
                        self.reasons.push(text);
                    }
                }
            }
            self.rows.push(WindowRow {
                serial: chunk.serials[i],
                at: (self.marks.len() / orgs) as u32,
                group: chunk.groups[i],
                valid: chunk.valid[i],
                reason,
            });
            self.marks.push_str(&chunk.marks[i * orgs..(i + 1) * orgs]);
        }
    }

    /// Sorts the ballots by serial, their marks too: storing them, and keeping their lines for
    /// the digest, then read the marks one after the other instead of all over the window.
    fn sort(&mut self, config: &Config) {
        let orgs = config.organizations.len();
        radix::sort_by_key(&mut self.rows, |row| radix::signed_key(row.serial));
        let mut marks = String::with_capacity(self.marks.len());
        for (i, row) in self.rows.iter_mut().enumerate() {
            let at = row.at as usize;
            marks.push_str(&self.marks[at * orgs..(at + 1) * orgs]);
            row.at = i as u32;
        }
        self.marks = marks;
    }

    fn line<'a>(&'a self, config: &'a Config, row: &WindowRow) -> Line<'a> {
        let orgs = config.organizations.len();
        let at = row.at as usize;
        Line {
            serial: row.serial,
            group: row.group.map(|g| config.groups[g as usize].id.as_str()),
            marks: &self.marks[at * orgs..(at + 1) * orgs],
            valid: row.valid,
            reason: row.reason.map(|r| self.reasons[r as usize].as_str()),
        }
    }

    /// Stores the ballots at these places of the sorted rows.
    fn store(&self, inserts: &mut Inserts<'_>, range: std::ops::Range<usize>) -> Result<()> {
        let config = inserts.config;
        inserts.rows(self.rows[range].iter().map(|row| self.line(config, row)))
    }
}

/// Ballots out of serial order on their way into the store: one window is filled from the
/// queue while the one before, sorted, is stored a slice at a time in between, so that the
/// reader does not wait while a whole window is stored.
///
/// The first windows are small, each holding as many ballots as those before it together
/// (a chunk at least, [`WINDOW_ROWS`] at most): the writer starts storing soon after the
/// first serial out of order, and each window still walks an index not much bigger than
/// itself.
#[derive(Default)]
struct Windows {
    filling: Window,
    /// Sorted; its rows before `stored` are in the store.
    storing: Window,
    stored: usize,
    /// The ballots of the windows before the one being filled.
    before: usize,
}

impl Windows {
    /// Whether the window being filled is full, `to_come` ballots (about) being still to come.
    /// Near the end of the file windows get smaller, each half of what is still to come, so
    /// that little is left to store once the last ballot came.
    fn filling_full(&self, to_come: Option<u64>) -> bool {
        let mut size = self.before.clamp(CHUNK_ROWS, WINDOW_ROWS);
        if let Some(to_come) = to_come {
            let half = usize::try_from(to_come / 2).unwrap_or(usize::MAX);
            size = size.min(half.max(CHUNK_ROWS));
        }
        self.filling.rows.len() >= size
    }

    fn storing_left(&self) -> bool {
        self.stored < self.storing.rows.len()
    }

    /// Stores the next slice of the sorted window.
    fn store_slice(&mut self, inserts: &mut Inserts<'_>) -> Result<()> {
        let end = (self.stored + ROWS_PER_SLICE).min(self.storing.rows.len());
        self.storing.store(inserts, self.stored..end)?;
        self.stored = end;
        Ok(())
    }

    /// Sorts the window being filled, to be stored next (the one stored before is done).
    fn turn(&mut self, config: &Config) {
        self.before += self.filling.rows.len();
        self.storing = std::mem::take(&mut self.filling);
        self.storing.sort(config);
        self.stored = 0;
    }

    /// Sorts the last window, once no more ballots come.
    fn sort_last(&mut self, config: &Config) {
        self.filling.sort(config);
    }

    /// Stores every ballot left, in serial order window by window (the last one sorted).
    fn store_all(self, inserts: &mut Inserts<'_>) -> Result<()> {
        let left = self.stored..self.storing.rows.len();
        self.storing.store(inserts, left)?;
        self.filling.store(inserts, 0..self.filling.rows.len())
    }
}

/// The prepared INSERTs of the batch's ballots.
struct Inserts<'c> {
    config: &'c Config,
    many: rusqlite::Statement<'c>,
    one: rusqlite::Statement<'c>,
    /// Ballots stored so far.
    stored: u64,
    /// Asks for the pages written so far to go to disk every [`WRITE_BACK_ROWS`] ballots
    /// (none: a store in memory, or a system without the sync it needs).
    write_back: Option<WriteBack>,
}

impl<'c> Inserts<'c> {
    fn prepare(conn: &'c Connection, config: &'c Config, batch: &BatchRow) -> Result<Self> {
        let mut many = conn.prepare(&insert_statement(ROWS_PER_INSERT))?;
        let mut one = conn.prepare(&insert_statement(1))?;
        // Bound once: SQLite keeps bindings from one execution to the next.
        for insert in [&mut many, &mut one] {
            insert.raw_bind_parameter(1, batch.source.word())?;
            insert.raw_bind_parameter(2, batch.id)?;
        }
        Ok(Inserts {
            config,
            many,
            one,
            stored: 0,
            write_back: conn
                .path()
                .and_then(|path| WriteBack::of(std::path::Path::new(path))),
        })
    }

    /// Stores these ballots in this order.
    fn rows<'a>(&mut self, lines: impl Iterator<Item = Line<'a>>) -> Result<()> {
        let mut statement: Vec<Line<'a>> = Vec::with_capacity(ROWS_PER_INSERT);
        for line in lines {
            statement.push(line);
            if statement.len() == ROWS_PER_INSERT {
                self.execute(&statement, true)?;
                statement.clear();
            }
        }
        for line in statement.chunks(1) {
            self.execute(line, false)?;
        }
        Ok(())
    }

    fn execute(&mut self, lines: &[Line<'_>], many: bool) -> Result<()> {
        let insert = if many { &mut self.many } else { &mut self.one };
        for (r, line) in lines.iter().enumerate() {
            let p = 3 + 5 * r;
            insert.raw_bind_parameter(p, line.serial)?;
            insert.raw_bind_parameter(p + 1, line.group)?;
            insert.raw_bind_parameter(p + 2, line.marks)?;
            insert.raw_bind_parameter(p + 3, line.valid)?;
            insert.raw_bind_parameter(p + 4, line.reason)?;
        }
        insert.raw_execute().map_err(|e| {
            if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                let serials: Vec<i64> = lines.iter().map(|line| line.serial).collect();
                Error::Internal(format!("a serial among {serials:?} was stored twice"))
            } else {
                e.into()
            }
        })?;
        let before = self.stored;
        self.stored += lines.len() as u64;
        if before / WRITE_BACK_ROWS != self.stored / WRITE_BACK_ROWS {
            if let Some(write_back) = &self.write_back {
                write_back.request();
            }
        }
        Ok(())
    }
}

/// One ballot as an INSERT binds it.
struct Line<'a> {
    serial: i64,
    group: Option<&'a str>,
    marks: &'a str,
    valid: bool,
    reason: Option<&'a str>,
}

impl Chunk {
    /// Ballot `i`.
    fn line<'a>(&'a self, config: &'a Config, i: usize) -> Line<'a> {
        let orgs = config.organizations.len();
        Line {
            serial: self.serials[i],
            group: self.groups[i].map(|g| config.groups[g as usize].id.as_str()),
            marks: &self.marks[i * orgs..(i + 1) * orgs],
            valid: self.valid[i],
            reason: self.reason(i),
        }
    }

    /// Why ballot `i` is invalid, if it is.
    fn reason(&self, i: usize) -> Option<&str> {
        self.reasons
            .binary_search_by_key(&i, |(index, _)| *index)
            .ok()
            .map(|at| self.reasons[at].1.as_str())
    }
}

/// Stores the chunks as they come, until the sink is done.
///
/// Ballots in serial order go into the store as they come: each is appended to the serial
/// index. Once a serial comes out of order (stacks scanned in any order), the ballots from
/// there on go through [`Windows`] of [`WINDOW_ROWS`], each stored sorted by serial: inserting
/// serials in any order into the index one by one changes index pages all over it for most
/// rows, while a sorted window walks its pages once, in order. The index stays in place all
/// along (a serial stored twice fails its insert; the importer refuses those before they come
/// here), so its upkeep is spread over the batch, while the file is still read, instead of a
/// sort of every serial after it was read.
///
/// Windows get smaller near the end of the file (the reader says about how many ballots are
/// still to come), so that little is left to store once the last one came.
///
/// Into a meeting without ballots the ballot-set digest is the batch's: a SHA-256 over its
/// lines in serial order, hashed as they come while they come in order; once one does not,
/// the lines are kept in runs already in serial order (those stored before, then each window
/// as it is sorted), merged and hashed at the end on a thread of its own while the last
/// windows are stored.
fn write(
    db: &mut Db,
    config: &Config,
    batch: &BatchRow,
    meeting_empty: bool,
    chunks: Receiver<Chunk>,
) -> Result<Written> {
    // Lent mutably only so the writer thread may take it; used through shared borrows.
    let db: &Db = db;
    let Some(conn) = db.sqlite() else {
        return write_portable(db, config, batch, meeting_empty, chunks);
    };
    let mut inserts = Inserts::prepare(conn, config, batch)?;
    let mut digest = if meeting_empty {
        BatchDigest::InOrder {
            hasher: Sha256::new(),
            last_serial: 0,
        }
    } else {
        BatchDigest::Skipped
    };
    let mut last_serial = 0;
    // Set once a serial came out of order.
    let mut windows: Option<Windows> = None;
    // Ballots still to come after the last chunk, when the reader could tell.
    let mut to_come = None;
    loop {
        let next = match &mut windows {
            None => chunks.recv().ok(),
            Some(windows) if windows.storing_left() && windows.filling_full(to_come) => {
                windows.store_slice(&mut inserts)?;
                continue;
            }
            Some(windows) if windows.storing_left() => match chunks.try_recv() {
                Ok(chunk) => Some(chunk),
                Err(TryRecvError::Empty) => {
                    windows.store_slice(&mut inserts)?;
                    continue;
                }
                Err(TryRecvError::Disconnected) => None,
            },
            Some(windows) if windows.filling_full(to_come) => {
                windows.turn(config);
                if let BatchDigest::Runs(runs) = &mut digest {
                    runs.push(KeptLines::of_window(&windows.storing));
                }
                continue;
            }
            Some(_) => chunks.recv().ok(),
        };
        // None: the sink is done.
        let Some(chunk) = next else { break };
        to_come = chunk.to_come;
        // How many ballots from the chunk's start come in serial order.
        let mut in_order = 0;
        while windows.is_none()
            && in_order < chunk.serials.len()
            && chunk.serials[in_order] > last_serial
        {
            last_serial = chunk.serials[in_order];
            in_order += 1;
        }
        if in_order > 0 {
            inserts.rows((0..in_order).map(|i| chunk.line(config, i)))?;
            if let BatchDigest::InOrder { hasher, .. } = &mut digest {
                for i in 0..in_order {
                    let line = chunk.line(config, i);
                    digest_line(
                        hasher,
                        line.serial,
                        line.group.unwrap_or_default().as_bytes(),
                        line.marks.as_bytes(),
                    );
                }
            }
        }
        if in_order == chunk.serials.len() {
            continue;
        }
        if let BatchDigest::InOrder { .. } = digest {
            let stored = KeptLines::of_stored(db, config, batch.id, (&chunk, 0..0))?;
            digest = BatchDigest::Runs(vec![stored]);
        }
        windows
            .get_or_insert_with(Windows::default)
            .filling
            .take(config, chunk, in_order);
    }
    if let Some(windows) = &mut windows {
        windows.sort_last(config);
        if let BatchDigest::Runs(runs) = &mut digest {
            runs.push(KeptLines::of_window(&windows.filling));
        }
    }
    // The last windows are stored while the runs are merged and hashed.
    let digest = std::thread::scope(|scope| {
        let hashing = scope.spawn(move || digest.finish(config));
        if let Some(windows) = windows {
            windows.store_all(&mut inserts)?;
        }
        hashing
            .join()
            .map_err(|_| Error::Internal("the digest's thread panicked".into()))
    })?;
    Ok(Written {
        rows: inserts.stored,
        digest: digest.map(|hasher| super::hex(&hasher.finalize())),
    })
}

/// The COPY of a batch's ballots into a PostgreSQL meeting. `created_at` is left NULL, as
/// by the SQLite writer's INSERTs: an imported ballot was created when its batch was.
const COPY_BALLOTS: &str = "COPY ballots (serial, grp, marks, valid, invalid_reason, source, batch_id) FROM STDIN (FORMAT binary)";

/// The types of [`COPY_BALLOTS`]'s columns in the database: the store's INTEGER columns are
/// `bigint` there, its TEXT columns `text` (see `postgres_copy`). A binary COPY states every
/// value's type exactly.
const COPY_BALLOTS_TYPES: [Type; 7] = [
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
];

/// Stores the chunks as they come into a PostgreSQL meeting, by binary COPY on the batch's
/// transaction: one statement streams the rows, with the serial index kept as it is (the
/// server keeps it up as the rows come). Besides the lines the digest keeps (below), memory
/// holds the chunks in the queue and the COPY's buffer, whatever the file's size.
///
/// The digest is built as the SQLite writer's is, but that ballots out of order are not put
/// in windows: the lines are hashed as they come while they come in serial order; once one
/// does not, the COPY ends there (no other statement can run on the connection while it
/// lasts), the lines stored so far are read back and kept with every one that follows, which
/// a second COPY stores, and sorted at the end.
fn write_portable(
    db: &Db,
    config: &Config,
    batch: &BatchRow,
    meeting_empty: bool,
    chunks: Receiver<Chunk>,
) -> Result<Written> {
    let mut rows = 0;
    let mut digest = if meeting_empty {
        BatchDigest::InOrder {
            hasher: Sha256::new(),
            last_serial: 0,
        }
    } else {
        BatchDigest::Skipped
    };
    // The chunk the next COPY starts in, and the ballot of it it starts at.
    let mut resume: Option<(Chunk, usize)> = None;
    loop {
        // Where the first serial out of order came, which ended the COPY before it.
        let mut out_of_order: Option<(Chunk, usize)> = None;
        let copied = db.copy_in(COPY_BALLOTS, &COPY_BALLOTS_TYPES, |copy| {
            let source = batch.source.word();
            let mut next = resume.take();
            loop {
                // None: the sink is done.
                let Some((chunk, from)) = next.take().or_else(|| Some((chunks.recv().ok()?, 0)))
                else {
                    return Ok(());
                };
                for i in from..chunk.serials.len() {
                    let line = chunk.line(config, i);
                    match &mut digest {
                        BatchDigest::InOrder {
                            hasher,
                            last_serial,
                        } if line.serial > *last_serial => {
                            *last_serial = line.serial;
                            digest_line(
                                hasher,
                                line.serial,
                                line.group.unwrap_or_default().as_bytes(),
                                line.marks.as_bytes(),
                            );
                        }
                        BatchDigest::InOrder { .. } => {
                            out_of_order = Some((chunk, i));
                            return Ok(());
                        }
                        BatchDigest::Kept(kept) => {
                            kept.push(line.serial, chunk.groups[i], line.marks.as_bytes())
                        }
                        // Runs are kept by the SQLite writer only, its windows sorted.
                        BatchDigest::Skipped | BatchDigest::Runs(_) => {}
                    }
                    copy.write(&[
                        &line.serial,
                        &line.group,
                        &line.marks,
                        &i64::from(line.valid),
                        &line.reason,
                        &source,
                        &batch.id,
                    ])?;
                }
            }
        });
        rows += copied.map_err(stored_twice)?;
        let Some((chunk, at)) = out_of_order else {
            break;
        };
        // Every ballot before this one is stored now.
        let kept = KeptLines::of_stored(db, config, batch.id, (&chunk, 0..0))?;
        digest = BatchDigest::Kept(kept);
        resume = Some((chunk, at));
    }
    let digest = digest.finish(config);
    Ok(Written {
        rows,
        digest: digest.map(|hasher| super::hex(&hasher.finalize())),
    })
}

/// A serial stored twice, as the database reports it (at the end of the COPY): the importer
/// refuses a serial given twice before the store sees it, so this is a fault of the program,
/// said as the SQLite writer says it; any other error as it is.
fn stored_twice(error: Error) -> Error {
    match &error {
        Error::Database(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
            let detail = e.as_db_error().and_then(|db| db.detail()).unwrap_or("");
            Error::Internal(format!("a serial was stored twice: {detail}"))
        }
        _ => error,
    }
}

/// A write transaction, rolled back unless committed. Unlike [`super::db::Tx`] it lends its
/// connection out mutably, so the writer thread can take it while the batch is read.
///
/// In SQLite, foreign keys are not enforced inside it: the only references it writes are the
/// ballots' to their own batch, inserted first in the same transaction, and checking each of
/// a million of them costs more than a tenth of a big import. `check` runs SQLite's foreign
/// key check over the whole store.
///
/// Nor, when no other connection has the store open, does it go through the write-ahead log:
/// a batch written to the log is written a second time when the log is moved into
/// `meeting.db` at the commit (for a million forms, 80 MB twice and two syncs: a sixth of the
/// import). With SQLite's rollback journal instead, new pages go straight into `meeting.db`
/// and the journal keeps only the old content of the few pages changed, so a crash still
/// rolls the batch back whole. The store returns to the log once the batch ends. Meanwhile
/// others opening the store wait for the batch, as they wait for any writer (up to
/// `BUSY_TIMEOUT`); when one has it open already, the switch fails at once and the batch goes
/// through the log.
struct Immediate<'c> {
    conn: &'c mut Db,
    open: bool,
    /// Whether the batch went through the rollback journal (to return to the log after it).
    rollback_journal: bool,
}

impl<'c> Immediate<'c> {
    /// Begins a transaction that writes (`write`), or only reads.
    fn begin(conn: &'c mut Db, write: bool) -> Result<Immediate<'c>> {
        // Only takes effect outside a transaction, hence before BEGIN.
        let sqlite: Option<&Connection> = conn.sqlite();
        let mut rollback_journal = false;
        if let Some(sqlite) = sqlite {
            sqlite.pragma_update(None, "foreign_keys", false)?;
            rollback_journal = write && leave_the_log(sqlite);
        }
        let mut immediate = Immediate {
            conn,
            open: false,
            rollback_journal,
        };
        // Dropped on an error: back to the log, foreign keys on.
        immediate.conn.begin_transaction(write)?;
        immediate.open = true;
        Ok(immediate)
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
            if self.rollback_journal {
                // Should another connection be reading the store at this moment, the switch
                // fails (at once, not waiting for it); the store then stays on the rollback
                // journal, as safe, until the next store opened returns it to the log.
                let _ = switch_journal_at_once(sqlite, "WAL");
            }
        }
    }
}

/// Moves the store from the write-ahead log to the rollback journal for one batch, if no other
/// connection has it open (see [`Immediate`]); true if it did.
fn leave_the_log(sqlite: &Connection) -> bool {
    // A store opened in memory (tests) or read-only stays as it is.
    matches!(
        switch_journal_at_once(sqlite, "DELETE").as_deref(),
        Ok("delete")
    )
}

/// Switches the store's journal to `mode`; the mode it is in after. Another connection in
/// the way makes the switch fail at once, not after waiting for it to close, which a
/// station's screen does not do.
fn switch_journal_at_once(sqlite: &Connection, mode: &str) -> rusqlite::Result<String> {
    sqlite.busy_timeout(std::time::Duration::ZERO)?;
    let now = sqlite.query_row(&format!("PRAGMA journal_mode = {mode}"), [], |row| {
        row.get(0)
    });
    sqlite.busy_timeout(super::BUSY_TIMEOUT)?;
    now
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("meeting.toml"),
            "groups = [{ id = \"g1\", label = \"一\", weight = 1 }]\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("organizations.csv"),
            "id,name\nO1,甲\nO2,乙\n",
        )
        .unwrap();
        Config::load(dir.path()).unwrap()
    }

    fn lines(rows: &[(i64, Option<u16>, &str)]) -> KeptLines {
        let mut kept = KeptLines::default();
        for &(serial, group, marks) in rows {
            kept.push(serial, group, marks.as_bytes());
        }
        kept
    }

    #[test]
    fn runs_merge_into_the_digest_of_every_line_in_serial_order() {
        let config = config();
        let all = [
            (9, None, "AB"),
            (1, Some(0), "B-"),
            (4, None, "*A"),
            (2, Some(0), "AA"),
            (3, None, "--"),
            (5, Some(0), "BB"),
        ];
        // By hand: each line in serial order.
        let mut by_hand = Sha256::new();
        let mut ordered = all.to_vec();
        ordered.sort_by_key(|line| line.0);
        for (serial, group, marks) in ordered {
            let group = group.map_or("", |_| "g1");
            digest_line(&mut by_hand, serial, group.as_bytes(), marks.as_bytes());
        }
        let by_hand = by_hand.finalize();
        let runs = [
            lines(&[(1, Some(0), "B-"), (4, None, "*A"), (9, None, "AB")]),
            lines(&[(2, Some(0), "AA"), (3, None, "--")]),
            KeptLines::default(),
            lines(&[(5, Some(0), "BB")]),
        ];
        assert_eq!(digest_of_runs(&runs, &config).finalize(), by_hand);
        let kept = BatchDigest::Kept(lines(&all));
        assert_eq!(kept.finish(&config).unwrap().finalize(), by_hand);
        assert_eq!(
            digest_of_runs(&[], &config).finalize(),
            Sha256::new().finalize()
        );
    }

    #[test]
    fn windows_get_smaller_as_the_end_of_the_file_comes_near() {
        let mut windows = Windows {
            before: 100_000,
            ..Windows::default()
        };
        let row = WindowRow {
            serial: 1,
            at: 0,
            group: None,
            valid: true,
            reason: None,
        };
        let full_at = |windows: &mut Windows, to_come: Option<u64>| {
            windows.filling.rows.clear();
            while !windows.filling_full(to_come) {
                windows.filling.rows.push(row);
            }
            windows.filling.rows.len()
        };
        // In tests a window holds three chunks at most.
        assert_eq!(full_at(&mut windows, None), 3 * 4096);
        assert_eq!(full_at(&mut windows, Some(1_000_000)), 3 * 4096);
        // Half of what is still to come, a chunk at least.
        assert_eq!(full_at(&mut windows, Some(10_000)), 5_000);
        assert_eq!(full_at(&mut windows, Some(1_000)), 4096);
        assert_eq!(full_at(&mut windows, Some(0)), 4096);
        // The first windows hold as many as those before them, a chunk at least.
        windows.before = 5_000;
        assert_eq!(full_at(&mut windows, None), 5_000);
        windows.before = 0;
        assert_eq!(full_at(&mut windows, Some(100)), 4096);
    }
}
