//! A list read from the store a page at a time (the ballots list, the audit log): the rows
//! around the cursor, read by key (see [`crate::store::Direction`]), a few screens' worth on
//! each side, so a key press answers as fast over 100,000 rows as over ten. Moving near an
//! edge of what was read reads the next page; rows far from the cursor are let go.

use crate::error::Result;
use crate::store::Direction;

/// Rows read at a time.
const PAGE: usize = 128;
/// Rows kept read on each side of the cursor, when there are that many: more than half the
/// tallest screen, so the cursor can sit mid-screen.
const MARGIN: usize = 72;
/// Rows kept on each side of the cursor at most.
const KEEP: usize = 3 * PAGE;

/// What a paged list reads its rows with: at most `limit` rows next to a key in a direction
/// (from one end of the list without a key).
pub type Fetch<'a, K, T> = dyn FnMut(Option<K>, Direction, usize) -> Result<Vec<T>> + 'a;

/// The rows of a long list around its cursor.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    /// The rows read, in list order.
    pub rows: Vec<T>,
    /// The row under the cursor, an index into `rows`.
    pub cursor: usize,
    /// Whether `rows` starts with the list's first row.
    at_start: bool,
    /// Whether `rows` ends with the list's last row.
    at_end: bool,
}

impl<T> Default for Paged<T> {
    fn default() -> Self {
        Paged {
            rows: Vec::new(),
            cursor: 0,
            at_start: true,
            at_end: true,
        }
    }
}

impl<T> Paged<T> {
    /// The row under the cursor.
    pub fn current(&self) -> Option<&T> {
        self.rows.get(self.cursor)
    }

    /// The list from its first row, the cursor on it.
    pub fn first<K>(&mut self, fetch: &mut Fetch<K, T>) -> Result<()> {
        self.rows = fetch(None, Direction::After, PAGE)?;
        self.at_start = true;
        self.at_end = self.rows.len() < PAGE;
        self.cursor = 0;
        Ok(())
    }

    /// The list to its last row, the cursor on it.
    pub fn last<K>(&mut self, fetch: &mut Fetch<K, T>) -> Result<()> {
        self.rows = fetch(None, Direction::Before, PAGE)?;
        self.rows.reverse();
        self.at_end = true;
        self.at_start = self.rows.len() < PAGE;
        self.cursor = self.rows.len().saturating_sub(1);
        Ok(())
    }

    /// The rows around the row with `key`, the cursor on it (on the next one when it is
    /// gone, as after a filter changed).
    pub fn around<K: Copy>(
        &mut self,
        key: K,
        key_of: impl Fn(&T) -> K,
        fetch: &mut Fetch<K, T>,
    ) -> Result<()> {
        let before = fetch(Some(key), Direction::Before, PAGE)?;
        // From the row just before `key`, so the row with `key` comes first.
        let after = fetch(before.first().map(&key_of), Direction::After, PAGE)?;
        self.at_start = before.len() < PAGE;
        self.at_end = after.len() < PAGE;
        self.cursor = before.len();
        self.rows = before.into_iter().rev().chain(after).collect();
        if self.cursor >= self.rows.len() {
            self.cursor = self.rows.len().saturating_sub(1);
        }
        Ok(())
    }

    /// The rows read again around the row under the cursor (after a change), else from the
    /// first row.
    pub fn reread<K: Copy>(
        &mut self,
        key_of: impl Fn(&T) -> K,
        fetch: &mut Fetch<K, T>,
    ) -> Result<()> {
        match self.current().map(&key_of) {
            Some(key) => self.around(key, key_of, fetch),
            None => self.first(fetch),
        }
    }

    /// Moves the cursor `delta` rows (within the list), reading on when it nears an edge of
    /// what was read.
    pub fn step<K: Copy>(
        &mut self,
        delta: isize,
        key_of: impl Fn(&T) -> K,
        fetch: &mut Fetch<K, T>,
    ) -> Result<()> {
        let mut target = self.cursor as isize + delta;
        if !self.at_end && self.rows.len() as isize - target <= MARGIN as isize {
            let more = fetch(self.rows.last().map(&key_of), Direction::After, PAGE)?;
            self.at_end = more.len() < PAGE;
            self.rows.extend(more);
        }
        if !self.at_start && target < MARGIN as isize {
            let more = fetch(self.rows.first().map(&key_of), Direction::Before, PAGE)?;
            self.at_start = more.len() < PAGE;
            target += more.len() as isize;
            self.rows.splice(0..0, more.into_iter().rev());
        }
        let last = self.rows.len().saturating_sub(1) as isize;
        self.cursor = target.clamp(0, last) as usize;
        if self.cursor > KEEP {
            self.rows.drain(..self.cursor - KEEP);
            self.cursor = KEEP;
            self.at_start = false;
        }
        if self.rows.len() > self.cursor + 1 + KEEP {
            self.rows.truncate(self.cursor + 1 + KEEP);
            self.at_end = false;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A list of `n` rows 0..n, keyed by themselves, counting the rows read.
    fn list(
        n: u32,
        read: &mut usize,
    ) -> impl FnMut(Option<u32>, Direction, usize) -> Result<Vec<u32>> + '_ {
        move |key, direction, limit| {
            let rows: Vec<u32> = match direction {
                Direction::After => (key.map_or(0, |k| k + 1)..n).take(limit).collect(),
                Direction::Before => (0..key.unwrap_or(n).min(n)).rev().take(limit).collect(),
            };
            *read += rows.len();
            Ok(rows)
        }
    }

    #[test]
    fn around_a_key_puts_the_cursor_on_it_with_rows_on_both_sides() {
        let mut read = 0;
        let mut fetch = list(1000, &mut read);
        let mut paged = Paged::default();
        paged.around(500, |&r| r, &mut fetch).unwrap();
        assert_eq!(paged.current(), Some(&500));
        assert_eq!(paged.rows.first(), Some(&(500 - PAGE as u32)));
        assert_eq!(paged.rows.last(), Some(&(500 + PAGE as u32 - 1)));
        paged.around(0, |&r| r, &mut fetch).unwrap();
        assert_eq!((paged.current(), paged.rows.len()), (Some(&0), PAGE));
    }

    #[test]
    fn the_last_row_and_back_to_the_first() {
        let mut read = 0;
        let mut fetch = list(1000, &mut read);
        let mut paged = Paged::default();
        paged.last(&mut fetch).unwrap();
        assert_eq!(paged.current(), Some(&999));
        paged.first(&mut fetch).unwrap();
        assert_eq!(paged.current(), Some(&0));
    }

    #[derive(Debug, Clone)]
    enum Move {
        Step(isize),
        First,
        Last,
        Around(u32),
    }

    fn moves() -> impl Strategy<Value = Move> {
        prop_oneof![
            (-12isize..=12).prop_map(Move::Step),
            Just(Move::First),
            Just(Move::Last),
            (0u32..1200).prop_map(Move::Around),
        ]
    }

    proptest! {
        /// Against a cursor over the whole list: the row under the cursor is the one the
        /// model points at, the rows read are the list's in order, and no move reads more
        /// than a few pages.
        #[test]
        fn a_paged_cursor_moves_as_one_over_the_whole_list(
            n in 0u32..1000,
            ops in proptest::collection::vec(moves(), 1..60),
        ) {
            let mut read = 0;
            // The tab reads the first page when it is shown.
            let mut paged = Paged::default();
            paged.first(&mut list(n, &mut read)).unwrap();
            let mut model: usize = 0;
            for op in ops {
                let before = read;
                let mut fetch = list(n, &mut read);
                match op {
                    Move::Step(d) => {
                        paged.step(d, |&r| r, &mut fetch).unwrap();
                        model = (model as isize + d).clamp(0, (n as isize - 1).max(0)) as usize;
                    }
                    Move::First => { paged.first(&mut fetch).unwrap(); model = 0; }
                    Move::Last => { paged.last(&mut fetch).unwrap(); model = (n as usize).saturating_sub(1); }
                    Move::Around(k) => {
                        paged.around(k, |&r| r, &mut fetch).unwrap();
                        model = (k as usize).min((n as usize).saturating_sub(1));
                    }
                }
                drop(fetch);
                prop_assert!(read - before <= 2 * PAGE);
                if n == 0 {
                    prop_assert_eq!(paged.current(), None);
                } else {
                    prop_assert_eq!(paged.current().copied(), Some(model as u32));
                }
                prop_assert!(paged.rows.windows(2).all(|w| w[1] == w[0] + 1));
                prop_assert!(paged.rows.len() <= 2 * KEEP + 1);
            }
        }
    }
}
