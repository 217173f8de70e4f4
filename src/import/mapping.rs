//! Map files (`--map MAP.toml`): how the columns and values of a scanner's file become
//! ballots, when matching by org id or name is not enough.
//!
//! ```toml
//! # OMRChecker: file_id,input_path,output_path,score,q1,q2,...
//! layout = "wide"           # wide (a row per form) | long (serial,org,rating rows); default: detected
//! serial = "auto"           # the serial column, or "auto": number the forms in file order
//! group = "group"           # the voter group column (group id or label)
//! numbered = "q"            # columns q1, q2, ... are the 1st, 2nd, ... organization
//! ignore = ["file_id", "input_path", "output_path", "score"]   # a numbered column ignored
//!                           # here is left out of the numbering: the next one takes its place
//! ignore_others = false     # leave out every column not named here
//! blank = ["no"]            # values meaning blank (besides the empty cell)
//! spoiled = ["error-multi-select"]
//! [columns]                 # column header = organization id or name
//! "Branch 1" = "V01"
//! [values]                  # cell value = option key, label, English label or position,
//! "1" = "A"                 # blank or "-", spoiled or "*"
//! "好" = "A"
//! "NR" = "-"
//! ```
//! `[values]` keys are matched against the whole cell and, in a cell in brackets or with
//! several ticks (`[response 01, response 03]`), against each value inside; a key copied
//! with its brackets (`"[response 01]"`) means the value inside them.
//! For long files: `org = "column"` and `rating = "column"` name the two columns.

use crate::config::Config;
use crate::error::{Error, Result, Text};
use crate::import::cells::CellReader;
use crate::model::Mark;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// A checked map file.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Forced layout.
    pub layout: Option<LayoutKind>,
    /// The serial column, `None` for auto-numbering, unset for the default search.
    pub serial: Option<SerialSource>,
    /// The group column.
    pub group: Option<String>,
    /// Long layout: the organization column.
    pub org: Option<String>,
    /// Long layout: the rating column.
    pub rating: Option<String>,
    /// Prefix of numbered organization columns.
    pub numbered: Option<String>,
    /// Columns to leave out.
    pub ignore: Vec<String>,
    /// Leave out every column the map does not name.
    pub ignore_others: bool,
    /// Column header -> organization index.
    pub columns: Vec<(String, usize)>,
    /// Extra cell values and what they mean.
    pub values: Vec<(String, Mark)>,
}

/// Wide or long files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutKind {
    /// A row per form, a column per organization.
    Wide,
    /// A row per mark: serial, organization, rating.
    Long,
}

/// Where serials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SerialSource {
    /// This column.
    Column(String),
    /// Numbered in file order after the meeting's highest serial.
    Auto,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMapping {
    layout: Option<Spanned<String>>,
    serial: Option<String>,
    group: Option<String>,
    org: Option<String>,
    rating: Option<String>,
    numbered: Option<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    ignore_others: bool,
    #[serde(default)]
    blank: Vec<String>,
    #[serde(default)]
    spoiled: Vec<String>,
    #[serde(default)]
    columns: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    values: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl Mapping {
    /// Loads and checks a map file against the meeting.
    pub fn load(path: &Path, config: &Config) -> Result<Mapping> {
        let bytes = crate::text::read_small_file(path)?;
        let text = crate::text::decode(&bytes);
        Mapping::parse(&path.display().to_string(), &text, config)
    }

    /// Parses map file text named `file` (for messages).
    pub fn parse(file: &str, text: &str, config: &Config) -> Result<Mapping> {
        let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() + 1;
        let error = |line: Option<usize>, field: &str, why: Text| {
            let field = crate::text::echo(field);
            let place = line.map_or(file.to_string(), |l| format!("{file}:{l}"));
            Error::user(
                format!("{place}: field \"{field}\": {}", why.en),
                format!("{place}: 字段 \"{field}\": {}", why.zh),
            )
        };
        let raw: RawMapping = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(s.start));
            let message = crate::text::clip(e.message().trim(), 300);
            let place = line.map_or(file.to_string(), |l| format!("{file}:{l}"));
            Error::user(format!("{place}: {message}"), format!("{place}: {message}"))
        })?;
        let layout = match &raw.layout {
            None => None,
            Some(word) => Some(match word.get_ref().as_str() {
                "wide" => LayoutKind::Wide,
                "long" => LayoutKind::Long,
                other => {
                    return Err(error(
                        Some(line_of(word.span().start)),
                        "layout",
                        Text::new(
                            format!("\"{}\" is not wide or long", crate::text::echo(other)),
                            format!("\"{}\" 不是 wide 或 long", crate::text::echo(other)),
                        ),
                    ))
                }
            }),
        };
        let mut columns = Vec::new();
        for (header, org) in &raw.columns {
            let index = config
                .org_index(org.get_ref())
                .or_else(|| {
                    config
                        .organizations
                        .iter()
                        .position(|o| o.name == org.get_ref().trim())
                })
                .ok_or_else(|| {
                    error(
                        Some(line_of(org.span().start)),
                        &format!("columns.{}", header.get_ref()),
                        Text::new(
                            format!(
                                "\"{}\" is no organization id or name of organizations.csv",
                                crate::text::echo(org.get_ref())
                            ),
                            format!(
                                "\"{}\" 不是 organizations.csv 中的组织编号或名称",
                                crate::text::echo(org.get_ref())
                            ),
                        ),
                    )
                })?;
            columns.push((header.get_ref().trim().to_string(), index));
        }
        let plain = CellReader::new(config, &[]);
        let mut values: Vec<(String, Mark)> = Vec::new();
        for value in &raw.blank {
            values.push((value.clone(), Mark::Blank));
        }
        for value in &raw.spoiled {
            values.push((value.clone(), Mark::Spoiled));
        }
        for (value, meaning) in &raw.values {
            let mark = match meaning.get_ref().trim().to_lowercase().as_str() {
                "blank" | "-" => Some(Mark::Blank),
                "spoiled" | "*" => Some(Mark::Spoiled),
                other => plain.read(other).filter(|m| m.is_rated()),
            };
            let mark = mark.ok_or_else(|| {
                error(
                    Some(line_of(meaning.span().start)),
                    &format!("values.{}", value.get_ref()),
                    Text::new(
                        format!("\"{}\" is no option of the scale (key, label, English label or position), blank (\"-\") or spoiled (\"*\")", crate::text::echo(meaning.get_ref())),
                        format!("\"{}\" 不是评价选项（键、标签、英文标签或序号）、blank（\"-\"）或 spoiled（\"*\"）", crate::text::echo(meaning.get_ref())),
                    ),
                )
            })?;
            values.push((cell_value_key(value.get_ref()), mark));
        }
        let serial = raw.serial.map(|s| {
            if s.trim().eq_ignore_ascii_case("auto") {
                SerialSource::Auto
            } else {
                SerialSource::Column(s.trim().to_string())
            }
        });
        Ok(Mapping {
            layout,
            serial,
            group: raw.group.map(|g| g.trim().to_string()),
            org: raw.org.map(|g| g.trim().to_string()),
            rating: raw.rating.map(|g| g.trim().to_string()),
            numbered: raw.numbered,
            ignore: raw.ignore.iter().map(|c| c.trim().to_string()).collect(),
            ignore_others: raw.ignore_others,
            columns,
            values,
        })
    }

    /// The number of a numbered column: 7 for `q7` under prefix `q`.
    fn column_number(&self, header: &str) -> Option<usize> {
        let prefix = self.numbered.as_deref()?;
        let header = header.trim();
        let rest = header.strip_prefix(prefix).or_else(|| {
            // Prefixes are matched case-insensitively: "Q1" under "q".
            let head = header.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix)
                .then(|| &header[prefix.len()..])
        })?;
        rest.trim().parse().ok()
    }

    /// The organization a numbered column stands for: `q7` under prefix `q` is the 7th of
    /// organizations.csv, less one for each numbered column before it that `ignore` leaves
    /// out (a question of the form that rates no organization). An ignored column stands
    /// for none.
    pub fn numbered_org(&self, header: &str, orgs: usize) -> Option<usize> {
        let n = self.column_number(header).filter(|&n| n >= 1)?;
        let ignored: std::collections::BTreeSet<usize> = self
            .ignore
            .iter()
            .filter_map(|c| self.column_number(c))
            .collect();
        if ignored.contains(&n) {
            return None;
        }
        let index = n - 1 - ignored.range(1..n).count();
        (index < orgs).then_some(index)
    }
}

/// A `[values]` key as cells are matched: a key copied with the brackets of a scanner's cell
/// (`"[response 01]"`) is the value inside them, as the reader looks inside brackets and
/// splits multi-tick cells (`[response 01, response 03]`) into such values.
fn cell_value_key(key: &str) -> String {
    let key = key.trim();
    for (open, close) in [('[', ']'), ('(', ')'), ('{', '}')] {
        if let Some(inner) = key.strip_prefix(open).and_then(|k| k.strip_suffix(close)) {
            if !inner.trim().is_empty() {
                return inner.trim().to_string();
            }
        }
    }
    key.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::cells::CellReader;
    use crate::lang::Lang;
    use crate::model::Organization;

    fn config(orgs: usize) -> Config {
        let organizations = (1..=orgs)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("org {i}"),
                category: String::new(),
            })
            .collect();
        Config::from_parts("title = \"t\"\n", organizations).unwrap()
    }

    #[test]
    fn values_may_mean_blank_and_spoiled_by_dash_and_star() {
        let config = config(3);
        let map = Mapping::parse(
            "m.toml",
            "[values]\n\"no\" = \"-\"\n\"multi\" = \"*\"\n\"none\" = \"blank\"\n\"x\" = \"spoiled\"\n\"好\" = \"A\"\n",
            &config,
        )
        .unwrap();
        let reader = CellReader::new(&config, &map.values);
        assert_eq!(reader.read("no"), Some(Mark::Blank));
        assert_eq!(reader.read("none"), Some(Mark::Blank));
        assert_eq!(reader.read("Multi"), Some(Mark::Spoiled));
        assert_eq!(reader.read("x"), Some(Mark::Spoiled));
        let err = Mapping::parse("m.toml", "[values]\n\"no\" = \"?\"\n", &config)
            .unwrap_err()
            .message(Lang::En);
        assert!(
            err.contains("m.toml:2: field \"values.no\": \"?\" is no option of the scale"),
            "{err}"
        );
    }

    #[test]
    fn value_keys_copied_with_brackets_match_single_and_multi_tick_cells() {
        let config = config(3);
        let map = Mapping::parse(
            "m.toml",
            "[values]\n\"[response 01]\" = \"A\"\n\"response 02\" = \"B\"\n",
            &config,
        )
        .unwrap();
        let reader = CellReader::new(&config, &map.values);
        assert_eq!(reader.read("[response 01]"), Some(Mark::Option(0)));
        assert_eq!(reader.read("response 01"), Some(Mark::Option(0)));
        assert_eq!(reader.read("[response 02]"), Some(Mark::Option(1)));
        assert_eq!(
            reader.read("[response 01, response 02]"),
            Some(Mark::Spoiled)
        );
        assert_eq!(cell_value_key(" [ x ] "), "x");
        assert_eq!(cell_value_key("[]"), "[]");
    }

    #[test]
    fn ignored_numbered_columns_are_left_out_of_the_numbering() {
        let config = config(3);
        let map = Mapping::parse(
            "m.toml",
            "numbered = \"q\"\nignore = [\"q2\", \"Q5\"]\n",
            &config,
        )
        .unwrap();
        let orgs: Vec<Option<usize>> = ["q1", "q2", "q3", "Q4", "q5", "q6", "q0", "qx"]
            .iter()
            .map(|h| map.numbered_org(h, 3))
            .collect();
        // q1 is the 1st, q2 left out, q3 the 2nd, q4 the 3rd, q5 left out, q6 past the end.
        assert_eq!(
            orgs,
            [Some(0), None, Some(1), Some(2), None, None, None, None]
        );
        let plain = Mapping::parse("m.toml", "numbered = \"q\"\n", &config).unwrap();
        assert_eq!(plain.numbered_org("q3", 3), Some(2));
        assert_eq!(plain.numbered_org("q4", 3), None);
    }
}
