//! A set of serial numbers kept in blocks of 4096 consecutive numbers.
//!
//! Forms are numbered in runs, but stacks are scanned in any order, so the serials of a file
//! come in any order and with gaps. Each block holds the serials that fall in it as a short
//! sorted list while it has few, and as a bitmap (512 bytes) once it has more: a million
//! forms numbered 1 to 1,000,000 take some 250 bitmaps (125 KB) whatever their order, and a
//! test is one lookup among those blocks plus a bit, where a tree of runs grew to hundreds
//! of thousands of entries for a shuffled file. Serials scattered over the whole range take
//! a block each, a few dozen bytes per serial.

use std::collections::HashMap;

/// Serials per block.
const BLOCK_BITS: u32 = 12;
/// Past this many serials a block's list becomes a bitmap (the list is then as large).
const LIST_MAX: usize = 256;

/// The serials of one block, by their offset in it.
#[derive(Debug, Clone)]
enum Block {
    /// Few: the offsets in increasing order.
    List(Vec<u16>),
    /// Many: one bit per offset.
    Bitmap(Box<[u64; 1 << (BLOCK_BITS - 6)]>),
}

impl Block {
    fn contains(&self, offset: u16) -> bool {
        match self {
            Block::List(list) => list.binary_search(&offset).is_ok(),
            Block::Bitmap(bits) => bits[usize::from(offset >> 6)] & (1 << (offset & 63)) != 0,
        }
    }

    /// Adds `offset`; false when it was already there.
    fn insert(&mut self, offset: u16) -> bool {
        match self {
            Block::List(list) => match list.binary_search(&offset) {
                Ok(_) => false,
                Err(at) => {
                    list.insert(at, offset);
                    if list.len() > LIST_MAX {
                        let mut bits = Box::new([0u64; 1 << (BLOCK_BITS - 6)]);
                        for &o in list.iter() {
                            bits[usize::from(o >> 6)] |= 1 << (o & 63);
                        }
                        *self = Block::Bitmap(bits);
                    }
                    true
                }
            },
            Block::Bitmap(bits) => {
                let word = &mut bits[usize::from(offset >> 6)];
                let bit = 1 << (offset & 63);
                let new = *word & bit == 0;
                *word |= bit;
                new
            }
        }
    }
}

/// A set of serials.
#[derive(Debug, Default, Clone)]
pub struct SerialSet {
    /// The blocks by number. A hash map finds a block in a shuffled file's order in about
    /// 0.05 s a million times, a B-tree in 0.08 s; its hasher is the standard one, keyed at
    /// random, so that serials chosen to collide in it cannot slow an import down.
    blocks: HashMap<u64, Block>,
    len: u64,
}

/// The block a serial falls in, and its offset there.
fn split(serial: u64) -> (u64, u16) {
    (
        serial >> BLOCK_BITS,
        (serial & ((1 << BLOCK_BITS) - 1)) as u16,
    )
}

impl SerialSet {
    /// An empty set.
    pub fn new() -> SerialSet {
        SerialSet::default()
    }

    /// Whether `serial` is in the set.
    pub fn contains(&self, serial: u64) -> bool {
        let (block, offset) = split(serial);
        self.blocks.get(&block).is_some_and(|b| b.contains(offset))
    }

    /// Adds `serial`; false when it was already there.
    pub fn insert(&mut self, serial: u64) -> bool {
        let (block, offset) = split(serial);
        let new = self
            .blocks
            .entry(block)
            .or_insert_with(|| Block::List(Vec::new()))
            .insert(offset);
        self.len += u64::from(new);
        new
    }

    /// How many serials the set holds.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// How many blocks of 4096 numbers it holds serials in, and how many of those are
    /// bitmaps (what its memory grows with).
    pub fn blocks(&self) -> (usize, usize) {
        let bitmaps = self
            .blocks
            .values()
            .filter(|b| matches!(b, Block::Bitmap(_)))
            .count();
        (self.blocks.len(), bitmaps)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn consecutive_serials_fill_bitmaps_whatever_the_order() {
        let mut set = SerialSet::new();
        // 1..=12288 is three blocks' worth (0 falls in the first block but is not added).
        for serial in (1..=4000).chain(8001..=12288).chain(4001..=8000) {
            assert!(set.insert(serial));
        }
        assert_eq!(set.len(), 12288);
        assert_eq!(
            set.blocks(),
            (4, 3),
            "blocks 0, 1, 2 full; 12288 opens block 3"
        );
        assert!(!set.insert(1500));
        assert!(set.contains(12288) && !set.contains(12289) && !set.contains(0));
    }

    #[test]
    fn a_list_becomes_a_bitmap_past_its_size_and_keeps_every_serial() {
        let mut set = SerialSet::new();
        let serials: Vec<u64> = (0..=LIST_MAX as u64).map(|i| 4096 + i * 13).collect();
        for &s in &serials[..LIST_MAX] {
            assert!(set.insert(s));
        }
        assert_eq!(set.blocks(), (1, 0));
        assert!(set.insert(serials[LIST_MAX]));
        assert_eq!(set.blocks(), (1, 1));
        for &s in &serials {
            assert!(set.contains(s) && !set.insert(s));
            assert!(!set.contains(s + 1));
        }
        assert_eq!(set.len(), LIST_MAX as u64 + 1);
    }

    #[test]
    fn the_largest_serial_does_not_overflow() {
        let mut set = SerialSet::new();
        assert!(set.insert(u64::MAX));
        assert!(set.insert(u64::MAX - 1));
        assert!(!set.insert(u64::MAX));
        assert!(set.contains(u64::MAX - 1) && !set.contains(u64::MAX - 2));
        assert_eq!(set.blocks(), (1, 0));
    }

    proptest! {
        #[test]
        fn behaves_as_a_set(serials in proptest::collection::vec(
            prop_oneof![0u64..9000, any::<u64>()], 0..1200)) {
            let mut set = SerialSet::new();
            let mut model = HashSet::new();
            for &serial in &serials {
                prop_assert_eq!(set.insert(serial), model.insert(serial));
                prop_assert_eq!(set.len(), model.len() as u64);
            }
            for serial in (0..9010).chain(serials.iter().flat_map(|&s| [s, s.wrapping_add(1)])) {
                prop_assert_eq!(set.contains(serial), model.contains(&serial));
            }
        }
    }
}
