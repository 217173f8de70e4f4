//! Reading one cell of an imported file as a mark.
//!
//! Understood without a map: the option key, label, English label or 1-based position (case
//! and surrounding spaces ignored), empty or `-` for blank, `*` for spoiled. A cell naming
//! several options (`AB`, `A,B`, `A|B`, `[response 01, response 03]`) is a spoiled mark. A map
//! file adds its own value table, blank values and spoiled values.

use crate::config::Config;
use crate::model::Mark;
use std::collections::HashMap;

/// Turns cell text into marks; built once per import.
#[derive(Debug, Clone)]
pub struct CellReader {
    /// Whole-cell values, lowercased.
    values: HashMap<String, Mark>,
    /// One-byte cells, the common case, by byte.
    bytes: [Option<Mark>; 128],
    /// What an empty cell means.
    empty: Option<Mark>,
}

impl CellReader {
    /// The reader for a meeting's scale, with the map's extra values (`(value, mark)`).
    pub fn new(config: &Config, extra: &[(String, Mark)]) -> CellReader {
        let mut values = HashMap::new();
        for (i, option) in config.scale.options.iter().enumerate() {
            let mark = Mark::Option(i as u8);
            values.insert(option.key.to_ascii_lowercase().to_string(), mark);
            values.insert(option.label.to_lowercase(), mark);
            if let Some(en) = &option.label_en {
                values.insert(en.to_lowercase(), mark);
            }
            values.entry((i + 1).to_string()).or_insert(mark);
        }
        values.insert(String::new(), Mark::Blank);
        values.insert("-".into(), Mark::Blank);
        values.insert("*".into(), Mark::Spoiled);
        for (value, mark) in extra {
            values.insert(value.trim().to_lowercase(), *mark);
        }
        let mut bytes = [None; 128];
        for (value, mark) in &values {
            if value.len() == 1 {
                let b = value.as_bytes()[0];
                bytes[b as usize] = Some(*mark);
                bytes[b.to_ascii_uppercase() as usize] = Some(*mark);
            }
        }
        let empty = values.get("").copied();
        CellReader {
            values,
            bytes,
            empty,
        }
    }

    /// The mark a cell means, or `None` when it maps to nothing.
    pub fn read(&self, cell: &str) -> Option<Mark> {
        // Most cells are one letter or empty: answered before any trimming or hashing.
        match cell.as_bytes() {
            [] => return self.empty,
            &[byte] if byte < 128 => {
                if let Some(mark) = self.bytes[byte as usize] {
                    return Some(mark);
                }
            }
            _ => {}
        }
        let cell = cell.trim();
        if cell.len() == 1 && cell.as_bytes()[0] < 128 {
            if let Some(mark) = self.bytes[cell.as_bytes()[0] as usize] {
                return Some(mark);
            }
        }
        if let Some(mark) = self.values.get(cell) {
            return Some(*mark);
        }
        let lower = cell.to_lowercase();
        if let Some(mark) = self.values.get(&lower) {
            return Some(*mark);
        }
        self.read_several(&lower)
    }

    /// A cell holding several options, in any of the ways scanners write them.
    fn read_several(&self, lower: &str) -> Option<Mark> {
        let inner = lower
            .trim_start_matches(['[', '(', '{'])
            .trim_end_matches([']', ')', '}']);
        if inner.len() != lower.len() {
            if let Some(mark) = self.values.get(inner.trim()) {
                return Some(*mark);
            }
        }
        let parts: Vec<&str> = inner
            .split([',', '|', ';', '/', '、', '，'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let options: Option<Vec<Mark>> = if parts.len() >= 2 {
            parts.iter().map(|p| self.single_option(p)).collect()
        } else if inner.len() >= 2 && inner.bytes().all(|b| b.is_ascii_alphabetic()) {
            // Ticks concatenated, as OMR software writes them: "bc".
            inner
                .bytes()
                .map(|b| self.bytes[b as usize].filter(|m| m.is_rated()))
                .collect()
        } else {
            None
        };
        let mut options = options?;
        options.sort_by_key(|m| match m {
            Mark::Option(i) => *i,
            _ => u8::MAX,
        });
        options.dedup();
        match options.as_slice() {
            [one] => Some(*one),
            _ => Some(Mark::Spoiled),
        }
    }

    fn single_option(&self, part: &str) -> Option<Mark> {
        self.values.get(part).copied().filter(|m| m.is_rated())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organization;

    fn reader(extra: &[(&str, Mark)]) -> CellReader {
        let config = Config::from_parts(
            "title = \"t\"\n",
            vec![Organization {
                id: "O1".into(),
                name: "一".into(),
                category: String::new(),
            }],
        )
        .unwrap();
        let extra: Vec<(String, Mark)> = extra.iter().map(|(v, m)| (v.to_string(), *m)).collect();
        CellReader::new(&config, &extra)
    }

    #[test]
    fn keys_labels_english_labels_and_positions() {
        let r = reader(&[]);
        for cell in ["A", "a", " A ", "好", "Excellent", "EXCELLENT", "1"] {
            assert_eq!(r.read(cell), Some(Mark::Option(0)), "{cell}");
        }
        assert_eq!(r.read("较好"), Some(Mark::Option(1)));
        assert_eq!(r.read("good"), Some(Mark::Option(1)));
        assert_eq!(r.read("4"), Some(Mark::Option(3)));
        assert_eq!(r.read("5"), None);
        assert_eq!(r.read(""), Some(Mark::Blank));
        assert_eq!(r.read("  "), Some(Mark::Blank));
        assert_eq!(r.read("*"), Some(Mark::Spoiled));
        assert_eq!(r.read("maybe"), None);
    }

    #[test]
    fn several_options_are_a_spoiled_mark() {
        let r = reader(&[
            ("response 01", Mark::Option(0)),
            ("response 03", Mark::Option(2)),
        ]);
        for cell in [
            "AB",
            "bc",
            "A,B",
            "A|C",
            "A;D",
            "[A, B]",
            "好、差",
            "[response 01, response 03]",
        ] {
            assert_eq!(r.read(cell), Some(Mark::Spoiled), "{cell}");
        }
        assert_eq!(r.read("[response 01]"), Some(Mark::Option(0)));
        assert_eq!(r.read("[]"), Some(Mark::Blank));
        assert_eq!(r.read("A,A"), Some(Mark::Option(0)));
        assert_eq!(r.read("AX"), None);
    }

    #[test]
    fn a_blank_or_spoiled_part_beside_an_option_maps_to_nothing() {
        // Only a rated part (Mark::is_rated) names an option: "A,-" is neither the one
        // option A nor several options, so it is not read as spoiled but left unmapped.
        let r = reader(&[("n", Mark::Blank)]);
        for cell in ["A,-", "[A, *]", "A|-", "-,*", "an"] {
            assert_eq!(r.read(cell), None, "{cell}");
        }
        // Two options beside each other still are a spoiled mark.
        assert_eq!(r.read("[A, C]"), Some(Mark::Spoiled));
    }

    #[test]
    fn the_map_adds_values_blank_and_spoiled() {
        let r = reader(&[
            ("no", Mark::Blank),
            ("NA", Mark::Blank),
            ("error-multi-select", Mark::Spoiled),
            ("优", Mark::Option(0)),
        ]);
        assert_eq!(r.read("no"), Some(Mark::Blank));
        assert_eq!(r.read("na"), Some(Mark::Blank));
        assert_eq!(r.read("error-multi-select"), Some(Mark::Spoiled));
        assert_eq!(r.read("优"), Some(Mark::Option(0)));
    }
}
