//! The rows of the tables that grow with typed forms, covered by the audit chain through a
//! sum of their hashes kept in `meta` ([`SetHash`]'s sum modulo 2^256, one SHA-256 term per
//! row): every keying of `keyings` (whose clerks the rule that a second keying comes from
//! another station reads), and the lifecycle of every ballot a step or a station touched.
//!
//! Hashing such a table whole at every change, as [`super::STATE_TABLES`] are, would cost a
//! read of every typed form per typed form; the sum changes by a term or two per change
//! instead, and each audit entry records it in its state. `check` adds the terms up afresh
//! from the rows, so a row changed, deleted or added outside tallyclerk leaves the rows
//! disagreeing with the last entry.

use super::db::{args, Cell, Db, Row};
use super::SetHash;
use crate::error::Result;
use sha2::{Digest, Sha256};

/// A set of rows the audit chain covers by the sum of their hashes.
pub(super) struct Covered {
    /// Its name in the state an audit entry records.
    pub name: &'static str,
    /// The key of its sum in `meta`.
    pub meta_key: &'static str,
    table: &'static str,
    /// The columns hashed, in this order.
    columns: &'static str,
    /// Which rows of the table are covered.
    condition: &'static str,
}

/// Every keying typed at a station.
pub(super) const KEYINGS: Covered = Covered {
    name: "keyings",
    meta_key: "keyings_sum",
    table: "keyings",
    columns: "id, ballot_id, reading, group_keyed, grp, marks, clerk, keyed_at",
    condition: "id IS NOT NULL",
};

/// The ballots typed at a station or taken through a step (edited, verified, disputed,
/// withdrawn, set aside), with where each stands; an imported ballot no step has touched
/// leaves all these columns but its group and marks empty, so an import adds no term (its
/// group and marks, while it counts, are in the ballot set's hash), and setting any of them
/// on it outside tallyclerk adds one.
pub(super) const BALLOT_STATES: Covered = Covered {
    name: "ballot_states",
    meta_key: "ballot_states_sum",
    table: "ballots",
    columns: "id, serial, grp, marks, source, batch_id, created_at, updated_at, \
              verified_at, verified_by, dispute, voided_at, void_kind, void_reason",
    condition: "created_at IS NOT NULL OR updated_at IS NOT NULL OR verified_at IS NOT NULL \
                OR verified_by IS NOT NULL OR dispute IS NOT NULL OR voided_at IS NOT NULL \
                OR void_kind IS NOT NULL OR void_reason IS NOT NULL",
};

/// Both, in the order an audit entry's state names them.
pub(super) const COVERED: [&Covered; 2] = [&KEYINGS, &BALLOT_STATES];

impl Covered {
    /// The sum as kept, brought along by every change.
    pub(super) fn kept(&self, conn: &Db) -> Result<SetHash> {
        SetHash::load_meta(conn, self.meta_key)
    }

    /// The sum added up afresh from the rows.
    pub(super) fn fresh(&self, conn: &Db) -> Result<SetHash> {
        let mut sum = SetHash::default();
        conn.query_each(
            &format!(
                "SELECT {} FROM {} WHERE {}",
                self.columns, self.table, self.condition
            ),
            args![],
            |row| {
                sum.merge(&self.row_term(row)?);
                Ok(())
            },
        )?;
        Ok(sum)
    }

    /// The term of the row `id` as it is now, when it is covered.
    pub(super) fn term(&self, conn: &Db, id: i64) -> Result<Option<SetHash>> {
        conn.query_opt(
            &format!(
                "SELECT {} FROM {} WHERE id = ?1 AND ({})",
                self.columns, self.table, self.condition
            ),
            args![id],
            |row| self.row_term(row),
        )
    }

    /// Brings the kept sum along with a change to the row `id`, whose term was `before` the
    /// change (`None` for a new row, or one not covered before). The kept sum is read as the
    /// change read `meta` (once per change, see [`Db::meta`]): only the row is queried.
    pub(super) fn changed(&self, conn: &Db, id: i64, before: Option<SetHash>) -> Result<()> {
        let after = self.term(conn, id)?;
        if after == before {
            return Ok(());
        }
        let mut sum = self.kept(conn)?;
        if let Some(before) = before {
            sum.subtract(&before);
        }
        if let Some(after) = after {
            sum.merge(&after);
        }
        sum.save_meta(conn, self.meta_key)
    }

    /// Keeps the sum of the rows as they are (a store migrated to cover them).
    pub(super) fn keep_fresh(&self, conn: &Db) -> Result<()> {
        self.fresh(conn)?.save_meta(conn, self.meta_key)
    }

    /// The term of one row of [`Covered::columns`]: the SHA-256 of its cells, each typed and
    /// length-prefixed.
    fn row_term(&self, row: &Row) -> Result<SetHash> {
        let mut hasher = Sha256::new();
        for i in 0..self.columns.split(',').count() {
            feed_cell(&mut hasher, row.cell(i)?);
        }
        Ok(SetHash::of_digest(&hasher.finalize().into()))
    }
}

/// Feeds one cell to `hasher`, its type first, so that no two rows of different cells feed
/// the same bytes.
pub(super) fn feed_cell(hasher: &mut Sha256, cell: Cell) {
    let part = |hasher: &mut Sha256, bytes: &[u8]| {
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    };
    match cell {
        Cell::Null => hasher.update([0]),
        Cell::Int(n) => {
            hasher.update([1]);
            hasher.update(n.to_le_bytes());
        }
        Cell::Real(x) => {
            hasher.update([2]);
            hasher.update(x.to_bits().to_le_bytes());
        }
        Cell::Text(text) => {
            hasher.update([3]);
            part(hasher, text.as_bytes());
        }
        Cell::Blob(blob) => {
            hasher.update([4]);
            part(hasher, blob);
        }
    }
}
