//! One import batch: a whole file goes into the store in one transaction or not at all.
//!
//! The importer reads and checks the file on the calling thread and hands each ballot to a
//! [`BatchSink`]; a second thread writes them into SQLite meanwhile, in chunks through a
//! short queue, so reading the file and writing the store overlap and memory stays bounded.
//! The writer also sums what the batch adds to the set hash, the cached count and (for a
//! meeting without ballots, fed in serial order) the ballot-set digest, so none of them needs
//! another pass over the ballots afterwards.

use super::count::{self, Count};
use super::serials::SerialSet;
use super::set_hash::{decimal, SetHash};
use super::{append_audit, set_meta, validity_columns, Source, Store, NOW};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Ballot, Mark};
use rusqlite::{params, Connection};
use sha2::{Digest, Sha256};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Ballots per chunk handed to the writer.
const CHUNK_ROWS: usize = 4096;
/// Chunks queued between reader and writer (so at most this many are in memory).
const QUEUED_CHUNKS: usize = 4;

/// Ballots on their way to the writer.
#[derive(Default)]
struct Chunk {
    serials: Vec<i64>,
    groups: Vec<Option<u16>>,
    /// The marks of all ballots of the chunk, one organization after the other.
    marks: Vec<Mark>,
}

/// What the writer stored.
struct Written {
    rows: u64,
    set: SetHash,
    count: Count,
    /// The digest of the ballots in the order stored, while that was serial order.
    digest: Option<Sha256>,
}

/// Hands the ballots of one import batch to the store.
pub struct BatchSink<'a> {
    config: &'a Config,
    taken: SerialSet,
    chunk: Chunk,
    sender: Option<SyncSender<Chunk>>,
}

impl BatchSink<'_> {
    /// Whether a ballot with this serial already counts in the meeting (serials of this
    /// batch are the importer's to check: it sees them twice in the file first).
    pub fn serial_taken(&self, serial: u64) -> bool {
        self.taken.contains(serial)
    }

    /// Queues one ballot (already checked against the file and the meeting's serials,
    /// organizations and groups) for storing.
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
        let group = match ballot.group.as_deref() {
            None => None,
            Some(id) => Some(
                config
                    .groups
                    .iter()
                    .position(|g| g.id == id)
                    .ok_or_else(|| {
                        Error::Internal(format!("ballot {} has an unknown group", ballot.serial))
                    })? as u16,
            ),
        };
        self.chunk.serials.push(ballot.serial as i64);
        self.chunk.groups.push(group);
        self.chunk.marks.extend_from_slice(&ballot.marks);
        if self.chunk.serials.len() == CHUNK_ROWS {
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
            Some(Ok(())) => Ok(()),
            // The writer stopped on an error of its own, reported when it is joined.
            _ => Err(Error::Internal("the store's writer stopped".into())),
        }
    }

    /// Sends what is left and tells the writer the batch is over.
    fn finish(&mut self) -> Result<()> {
        let sent = self.send();
        self.sender = None;
        sent
    }
}

impl Store {
    /// Imports a batch in one transaction: `fill` is handed a sink to insert ballots into and
    /// decides whether the batch is kept (`Ok(true)`), dropped (`Ok(false)`, a dry run or a
    /// file with problems) or fails. Nothing of the batch remains unless it is kept.
    pub fn import_batch<F>(
        &mut self,
        file_name: &str,
        sha256: &str,
        source: Source,
        fill: F,
    ) -> Result<bool>
    where
        F: FnOnce(&mut BatchSink<'_>) -> Result<bool>,
    {
        let Store { conn, config } = self;
        let mut tx = Immediate::begin(conn)?;
        Store::refuse_if_final(tx.conn(), "import")?;
        let now: String = tx
            .conn()
            .query_row(&format!("SELECT {NOW}"), [], |r| r.get(0))?;
        tx.conn().execute(
            "INSERT INTO import_batches (file_name, sha256, rows, imported_at)
             VALUES (?1, ?2, 0, ?3)",
            params![file_name, sha256, now],
        )?;
        let batch = BatchRow {
            id: tx.conn().last_insert_rowid(),
            source,
            now,
        };
        let before = SetHash::load(tx.conn())?;
        let taken = counting_serials(tx.conn())?;
        let meeting_empty = taken.is_empty();
        let config: &Config = config;
        let (keep, written) = std::thread::scope(|scope| {
            let (sender, chunks) = sync_channel(QUEUED_CHUNKS);
            let conn = tx.conn_mut();
            let batch = &batch;
            let writer = scope.spawn(move || write(conn, config, batch, meeting_empty, chunks));
            let mut sink = BatchSink {
                config,
                taken,
                chunk: Chunk::default(),
                sender: Some(sender),
            };
            let keep = fill(&mut sink).and_then(|keep| sink.finish().map(|()| keep));
            drop(sink);
            let written = writer
                .join()
                .unwrap_or_else(|_| Err(Error::Internal("the store's writer panicked".into())));
            // The writer's own error explains a sink that could no longer send.
            match (keep, written) {
                (_, Err(e)) | (Err(e), _) => Err(e),
                (Ok(keep), Ok(written)) => Ok((keep, written)),
            }
        })?;
        if !keep {
            return Ok(false);
        }
        let conn = tx.conn();
        conn.execute(
            "UPDATE import_batches SET rows = ?1 WHERE id = ?2",
            params![written.rows as i64, batch.id],
        )?;
        let mut after = before;
        after.merge(&written.set);
        after.save(conn)?;
        if meeting_empty {
            count::save(conn, config, &after, &written.count)?;
            if let Some(digest) = written.digest {
                set_meta(conn, "digest", &super::hex(&digest.finalize()))?;
                set_meta(conn, "digest_for", &after.hex())?;
            }
        } else {
            count::carry(conn, config, &before, &after, |count| {
                count.merge(&written.count);
                Ok(())
            })?;
        }
        append_audit(
            conn,
            "import",
            &format!("file {file_name} sha256 {sha256} ballots {}", written.rows),
        )?;
        tx.commit()?;
        Ok(true)
    }
}

/// The import batch the ballots are stored under.
struct BatchRow {
    id: i64,
    source: Source,
    now: String,
}

/// The serials of the ballots that count in the meeting.
fn counting_serials(conn: &Connection) -> Result<SerialSet> {
    let mut serials = SerialSet::new();
    let mut stmt = conn.prepare("SELECT serial FROM ballots WHERE voided_at IS NULL")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        serials.insert(row.get::<_, i64>(0)? as u64);
    }
    Ok(serials)
}

/// Stores the chunks as they come, until the sink is dropped.
fn write(
    conn: &mut Connection,
    config: &Config,
    batch: &BatchRow,
    meeting_empty: bool,
    chunks: Receiver<Chunk>,
) -> Result<Written> {
    let mut insert = conn.prepare(
        "INSERT INTO ballots (serial, grp, marks, valid, invalid_reason, source, batch_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    // Bound once: SQLite keeps bindings from one execution to the next.
    insert.raw_bind_parameter(6, batch.source.word())?;
    insert.raw_bind_parameter(7, batch.id)?;
    insert.raw_bind_parameter(8, batch.now.as_str())?;
    let keys: Vec<u8> = config.scale.options.iter().map(|o| o.key as u8).collect();
    let orgs = config.organizations.len();
    let mut written = Written {
        rows: 0,
        set: SetHash::default(),
        count: Count::empty(config),
        digest: meeting_empty.then(Sha256::new),
    };
    let mut last_serial = 0i64;
    let mut text = String::with_capacity(orgs);
    let mut digits = [0u8; 20];
    for chunk in chunks {
        for (i, (&serial, &group)) in chunk.serials.iter().zip(&chunk.groups).enumerate() {
            let marks = &chunk.marks[i * orgs..(i + 1) * orgs];
            text.clear();
            text.extend(marks.iter().map(|&mark| match mark {
                Mark::Option(k) => keys[k as usize] as char,
                Mark::Blank => '-',
                Mark::Spoiled => '*',
            }));
            let group = group.map(|g| config.groups[g as usize].id.as_str());
            let (valid, reason) = validity_columns(config, marks);
            insert.raw_bind_parameter(1, serial)?;
            insert.raw_bind_parameter(2, group)?;
            insert.raw_bind_parameter(3, text.as_str())?;
            insert.raw_bind_parameter(4, valid)?;
            insert.raw_bind_parameter(5, reason.as_deref())?;
            insert.raw_execute().map_err(|e| {
                if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
                    Error::Internal(format!("serial {serial} was stored twice"))
                } else {
                    e.into()
                }
            })?;
            written.rows += 1;
            written.set.add(serial, group, &text);
            written.count.add(config, group, marks)?;
            if serial <= last_serial {
                written.digest = None;
            }
            last_serial = serial;
            if let Some(digest) = &mut written.digest {
                digest.update(decimal(serial, &mut digits));
                digest.update(b",");
                digest.update(group.unwrap_or_default());
                digest.update(b",");
                digest.update(&text);
                digest.update(b"\n");
            }
        }
    }
    Ok(written)
}

/// A write transaction begun with `BEGIN IMMEDIATE` and rolled back unless committed. Unlike
/// rusqlite's `Transaction` it lends its connection out mutably, so the writer thread can
/// take it while the batch is read.
struct Immediate<'c> {
    conn: &'c mut Connection,
    open: bool,
}

impl<'c> Immediate<'c> {
    fn begin(conn: &'c mut Connection) -> Result<Immediate<'c>> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        Ok(Immediate { conn, open: true })
    }

    fn conn(&self) -> &Connection {
        self.conn
    }

    fn conn_mut(&mut self) -> &mut Connection {
        self.conn
    }

    fn commit(mut self) -> Result<()> {
        self.conn.execute_batch("COMMIT")?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Immediate<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
