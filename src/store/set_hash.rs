//! The incremental hash of the ballot set that every audit entry records.

use super::db::{args, Db};
use crate::error::{Error, Result};
use sha2::{Digest, Sha256};

use super::{meta_in, set_meta};

/// An order-independent hash of the ballots that count: the sum, modulo 2^256, of the
/// SHA-256 of each ballot's `serial,group,marks`. It changes by one term per change, so every
/// audit entry can record the ballot set it leaves behind at no cost per typed form, and
/// `check` can tell ballots edited outside tallyclerk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct SetHash([u64; 4]);

impl SetHash {
    fn term(serial: i64, group: Option<&str>, marks: &str) -> [u64; 4] {
        let mut hasher = Sha256::new();
        feed_line(
            &mut hasher,
            serial,
            group.unwrap_or_default().as_bytes(),
            marks.as_bytes(),
            b"",
        );
        SetHash::of_digest(&hasher.finalize().into()).0
    }

    /// The sum of one term: a SHA-256 digest, read as a 256-bit number.
    pub(super) fn of_digest(digest: &[u8; 32]) -> SetHash {
        let mut limbs = [0u64; 4];
        for (limb, chunk) in limbs.iter_mut().zip(digest.chunks(8)) {
            *limb = u64::from_le_bytes(chunk.try_into().unwrap_or_default());
        }
        SetHash(limbs)
    }

    pub(super) fn add(&mut self, serial: i64, group: Option<&str>, marks: &str) {
        self.merge(&SetHash(SetHash::term(serial, group, marks)));
    }

    /// Adds the terms summed in `other`.
    pub(super) fn merge(&mut self, other: &SetHash) {
        let mut carry = false;
        for (limb, t) in self.0.iter_mut().zip(other.0) {
            let (sum, c1) = limb.overflowing_add(t);
            let (sum, c2) = sum.overflowing_add(carry as u64);
            *limb = sum;
            carry = c1 || c2;
        }
    }

    pub(super) fn remove(&mut self, serial: i64, group: Option<&str>, marks: &str) {
        self.subtract(&SetHash(SetHash::term(serial, group, marks)));
    }

    /// Takes out the terms summed in `other`.
    pub(super) fn subtract(&mut self, other: &SetHash) {
        let mut borrow = false;
        for (limb, t) in self.0.iter_mut().zip(other.0) {
            let (diff, b1) = limb.overflowing_sub(t);
            let (diff, b2) = diff.overflowing_sub(borrow as u64);
            *limb = diff;
            borrow = b1 || b2;
        }
    }

    /// Takes out the stored ballot with row id `id`; returns its group and marks.
    pub(super) fn remove_stored(&mut self, conn: &Db, id: i64) -> Result<(Option<String>, String)> {
        let (serial, group, marks): (i64, Option<String>, String) = conn.query_row(
            "SELECT serial, grp, marks FROM ballots WHERE id = ?1",
            args![id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        self.remove(serial, group.as_deref(), &marks);
        Ok((group, marks))
    }

    pub(super) fn hex(&self) -> String {
        self.0.iter().map(|l| format!("{l:016x}")).collect()
    }

    pub(super) fn load(conn: &Db) -> Result<SetHash> {
        SetHash::load_meta(conn, "set_hash")
    }

    /// A sum kept in `meta` under `key`; none kept is the sum of no terms.
    pub(super) fn load_meta(conn: &Db, key: &str) -> Result<SetHash> {
        SetHash::parse(meta_in(conn, key)?.as_deref(), key)
    }

    /// A sum as `meta` keeps it under `key` (none kept: the sum of no terms).
    pub(super) fn parse(kept: Option<&str>, key: &str) -> Result<SetHash> {
        let Some(text) = kept else {
            return Ok(SetHash::default());
        };
        let mut limbs = [0u64; 4];
        for (i, limb) in limbs.iter_mut().enumerate() {
            *limb = text
                .get(i * 16..i * 16 + 16)
                .and_then(|h| u64::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::Internal(format!("stored {key} unreadable")))?;
        }
        Ok(SetHash(limbs))
    }

    pub(super) fn save(&self, conn: &Db) -> Result<()> {
        self.save_meta(conn, "set_hash")
    }

    /// Keeps the sum in `meta` under `key`.
    pub(super) fn save_meta(&self, conn: &Db, key: &str) -> Result<()> {
        set_meta(conn, key, &self.hex())
    }

    pub(super) fn of_ballots(conn: &Db) -> Result<SetHash> {
        let mut set = SetHash::default();
        conn.query_each(
            "SELECT serial, grp, marks FROM ballots WHERE voided_at IS NULL",
            args![],
            |row| {
                set.add(row.get(0)?, row.text_or_null(1)?, row.text(2)?);
                Ok(())
            },
        )?;
        Ok(set)
    }
}

/// Feeds one ballot's line of the ballot-set digest, `serial,group,marks\n`, to `hasher`.
pub(super) fn digest_line(hasher: &mut Sha256, serial: i64, group: &[u8], marks: &[u8]) {
    feed_line(hasher, serial, group, marks, b"\n");
}

/// Feeds `serial,group,marks` and then `end` to `hasher`.
fn feed_line(hasher: &mut Sha256, serial: i64, group: &[u8], marks: &[u8], end: &[u8]) {
    let mut digits = [0u8; 20];
    let serial = decimal(serial, &mut digits);
    // A line is hashed a million times for a big meeting (for the digest, and for the set
    // hash): one call for the whole line costs less than one per piece. Lines longer than the
    // buffer (hundreds of organizations) go piece by piece; the hash is the same.
    let mut line = [0u8; 256];
    let pieces = [serial, b",", group, b",", marks, end];
    let len: usize = pieces.iter().map(|piece| piece.len()).sum();
    if len > line.len() {
        for piece in pieces {
            hasher.update(piece);
        }
        return;
    }
    let mut at = 0;
    for piece in pieces {
        line[at..at + piece.len()].copy_from_slice(piece);
        at += piece.len();
    }
    hasher.update(&line[..len]);
}

/// The decimal digits of a non-negative `n`, written into `buffer` without allocating (the
/// hashes take one per ballot).
pub(super) fn decimal(n: i64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut n = n.unsigned_abs();
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buffer[at..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_and_a_set_hash_term_are_hashed_alike_short_or_longer_than_the_buffer() {
        for orgs in [2, 30, 300] {
            let marks = "AB-*".repeat(orgs).into_bytes();
            let mut hasher = Sha256::new();
            digest_line(&mut hasher, 1_234_567, b"leaders", &marks[..orgs]);
            let text = format!(
                "1234567,leaders,{}\n",
                std::str::from_utf8(&marks[..orgs]).unwrap()
            );
            assert_eq!(hasher.finalize(), Sha256::digest(text.as_bytes()), "{orgs}");
            // The set hash's term: the same line without its end.
            let term = SetHash::term(
                1_234_567,
                Some("leaders"),
                std::str::from_utf8(&marks[..orgs]).unwrap(),
            );
            let by_hand = Sha256::digest(text.trim_end().as_bytes());
            assert_eq!(term, SetHash::of_digest(&by_hand.into()).0, "{orgs}");
        }
    }

    #[test]
    fn decimal_digits_match_formatting() {
        let mut buffer = [0u8; 20];
        for n in [0, 7, 10, 99, 1_000_000, i64::MAX] {
            assert_eq!(decimal(n, &mut buffer), n.to_string().as_bytes());
        }
    }

    #[test]
    fn the_set_hash_is_a_sum_of_terms_in_any_order() {
        let mut forwards = SetHash::default();
        forwards.add(1, Some("leaders"), "AB-");
        forwards.add(2, None, "CC*");
        let mut backwards = SetHash::default();
        backwards.add(2, None, "CC*");
        backwards.add(1, Some("leaders"), "AB-");
        assert_eq!(forwards, backwards);
        backwards.remove(2, None, "CC*");
        let mut one = SetHash::default();
        one.add(1, Some("leaders"), "AB-");
        assert_eq!(backwards, one);
        // The term is the SHA-256 of the ballot's `serial,group,marks`.
        let expected = Sha256::digest(b"1,leaders,AB-");
        assert_eq!(
            one.0[0],
            u64::from_le_bytes(expected[..8].try_into().unwrap())
        );
    }
}
