//! A set of serial numbers kept as runs of consecutive numbers.
//!
//! Forms are numbered in runs (a scanner batch 1..=50000, the next 50001..), so a meeting of a
//! million forms is a handful of runs: checking a file for serials twice, or against the
//! meeting, then takes memory for the runs, not for every serial.

use std::collections::BTreeMap;

/// Serials as runs: first serial of a run → its last serial.
#[derive(Debug, Default, Clone)]
pub struct SerialSet {
    runs: BTreeMap<u64, u64>,
    len: u64,
}

impl SerialSet {
    /// An empty set.
    pub fn new() -> SerialSet {
        SerialSet::default()
    }

    /// Whether `serial` is in the set.
    pub fn contains(&self, serial: u64) -> bool {
        self.run_at_or_before(serial)
            .is_some_and(|(_, last)| serial <= last)
    }

    /// Adds `serial`; false when it was already there.
    pub fn insert(&mut self, serial: u64) -> bool {
        let before = self.run_at_or_before(serial);
        if let Some((_, last)) = before {
            if serial <= last {
                return false;
            }
        }
        // `serial` is past the run before it, so `last + 1` cannot overflow.
        let joins_before = before.filter(|&(_, last)| last + 1 == serial);
        let after = serial
            .checked_add(1)
            .and_then(|next| self.runs.get(&next).map(|&last| (next, last)));
        match (joins_before, after) {
            (Some((first, _)), Some((next, last))) => {
                self.runs.remove(&next);
                self.runs.insert(first, last);
            }
            (Some((first, _)), None) => {
                self.runs.insert(first, serial);
            }
            (None, Some((next, last))) => {
                self.runs.remove(&next);
                self.runs.insert(serial, last);
            }
            (None, None) => {
                self.runs.insert(serial, serial);
            }
        }
        self.len += 1;
        true
    }

    /// How many serials the set holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many runs of consecutive serials it holds (what its memory grows with).
    pub fn runs(&self) -> usize {
        self.runs.len()
    }

    fn run_at_or_before(&self, serial: u64) -> Option<(u64, u64)> {
        self.runs
            .range(..=serial)
            .next_back()
            .map(|(&first, &last)| (first, last))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn consecutive_serials_make_one_run_whatever_the_order() {
        let mut set = SerialSet::new();
        for serial in (1..=1000).chain(2001..=3000).chain(1001..=2000) {
            assert!(set.insert(serial));
        }
        assert_eq!((set.len(), set.runs()), (3000, 1));
        assert!(!set.insert(1500));
        assert!(set.contains(3000) && !set.contains(3001) && !set.contains(0));
    }

    #[test]
    fn the_largest_serial_does_not_overflow() {
        let mut set = SerialSet::new();
        assert!(set.insert(u64::MAX));
        assert!(set.insert(u64::MAX - 1));
        assert!(!set.insert(u64::MAX));
        assert_eq!(set.runs(), 1);
    }

    proptest! {
        #[test]
        fn behaves_as_a_set(serials in proptest::collection::vec(0u64..200, 0..400)) {
            let mut set = SerialSet::new();
            let mut model = HashSet::new();
            for serial in serials {
                prop_assert_eq!(set.insert(serial), model.insert(serial));
                prop_assert_eq!(set.len(), model.len() as u64);
            }
            for serial in 0..210 {
                prop_assert_eq!(set.contains(serial), model.contains(&serial));
            }
            // Runs never touch: each is separated from the next by a missing serial.
            let runs: Vec<(u64, u64)> = set.runs.iter().map(|(&a, &b)| (a, b)).collect();
            for pair in runs.windows(2) {
                prop_assert!(pair[0].1 + 1 < pair[1].0);
            }
        }
    }
}
