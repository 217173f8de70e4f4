//! Map files (`--map MAP.toml`): how the columns and values of a scanner's file become
//! ballots, when matching by org id or name is not enough.
//!
//! ```toml
//! # OMRChecker: file_id,input_path,output_path,score,q1,q2,...
//! layout = "wide"           # wide (a row per form) | long (serial,org,rating rows); default: detected
//! serial = "auto"           # the serial column, or "auto": number the forms in file order
//! group = "group"           # the voter group column (group id or label)
//! numbered = "q"            # columns q1, q2, ... are the 1st, 2nd, ... organization
//! ignore = ["file_id", "input_path", "output_path", "score"]
//! ignore_others = false     # leave out every column not named here
//! blank = ["no"]            # values meaning blank (besides the empty cell)
//! spoiled = ["error-multi-select"]
//! [columns]                 # column header = organization id or name
//! "Branch 1" = "V01"
//! [values]                  # cell value = option key, label, English label or position
//! "1" = "A"
//! "好" = "A"
//! ```
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
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
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
                "blank" => Some(Mark::Blank),
                "spoiled" => Some(Mark::Spoiled),
                other => plain.read(other).filter(|m| m.is_rated()),
            };
            let mark = mark.ok_or_else(|| {
                error(
                    Some(line_of(meaning.span().start)),
                    &format!("values.{}", value.get_ref()),
                    Text::new(
                        format!("\"{}\" is no option of the scale (key, label, English label or position), blank or spoiled", crate::text::echo(meaning.get_ref())),
                        format!("\"{}\" 不是评价选项（键、标签、英文标签或序号）、blank 或 spoiled", crate::text::echo(meaning.get_ref())),
                    ),
                )
            })?;
            values.push((value.get_ref().clone(), mark));
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

    /// The organization a numbered column (`q7` under prefix `q`) stands for.
    pub fn numbered_org(&self, header: &str, orgs: usize) -> Option<usize> {
        let prefix = self.numbered.as_deref()?;
        let rest = header.strip_prefix(prefix).or_else(|| {
            // Prefixes are matched case-insensitively: "Q1" under "q".
            let head = header.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix)
                .then(|| &header[prefix.len()..])
        })?;
        let n: usize = rest.trim().parse().ok()?;
        (n >= 1 && n <= orgs).then_some(n - 1)
    }
}
