//! Reading ballots from files into a meeting, all of a file or nothing.
//!
//! Reads the canonical ballots CSV (`serial,group,<org_id>...`, described in the README) and
//! what scanning software and spreadsheets produce: wide files (a row per form) and long
//! files (`serial,org,rating` rows), in any common encoding and delimiter, CSV or workbook,
//! with columns matched by org id, by org name or through a map file ([`mapping`]). Every
//! problem is collected as `FILE:LINE: column "X": value "Y": why`; if there is any, the
//! whole file is refused and the store is left as it was.

pub mod cells;
pub mod mapping;
pub mod propose;
pub mod source;

use crate::config::Config;
use crate::error::{Error, Problem, Problems, Result, Text};
use crate::limits::MAX_SERIAL;
use crate::meeting::Meeting;
use crate::model::{Ballot, Group, Mark};
use crate::store::{BatchSink, Batched, Filled, SerialSet, Source};
use crate::tally::Tally;
use cells::CellReader;
use mapping::{LayoutKind, Mapping, SerialSource};
use source::{Opened, Records, SourceOptions};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Called now and then during a long import with the number of forms read so far.
#[derive(Clone)]
pub struct Progress(pub Arc<dyn Fn(u64) + Send + Sync>);

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Progress")
    }
}

/// How often (in forms) progress is reported.
const PROGRESS_EVERY: u64 = 10_000;
/// Forms between two notes to the store of how much of the file was read.
const FORMS_PER_READ_NOTE: u64 = 4096;

/// What the user allows and tells an import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Show what would be imported and change nothing.
    pub dry_run: bool,
    /// Import a file whose content was imported before.
    pub allow_same_file: bool,
    /// Leave out rows whose serial is already in the meeting instead of refusing the file.
    pub skip_existing: bool,
    /// How columns and values map to ballots.
    pub map: Option<Mapping>,
    /// Forced encoding, delimiter, sheet.
    pub source: SourceOptions,
    /// Progress callback.
    pub progress: Option<Progress>,
    /// Set from another thread to stop the import.
    pub cancel: Cancel,
}

/// Stops a running import from another thread (the UI's Esc): the import ends at its next
/// row, refused, and changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Asks the import to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the import was asked to stop.
    pub fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The file as named by the user.
    pub file: String,
    /// Encoding (or worksheet) read.
    pub format: String,
    /// Delimiter of a text file.
    pub delimiter: Option<char>,
    /// Wide or long.
    pub layout: LayoutKind,
    /// Columns left out.
    pub ignored_columns: Vec<String>,
    /// First serial given when forms were numbered in file order.
    pub numbered_from: Option<u64>,
    /// Forms read and (unless a dry run) stored.
    pub forms: u64,
    /// Of which valid.
    pub valid: u64,
    /// Of which invalid.
    pub invalid: u64,
    /// Spoiled marks among all forms.
    pub spoiled_marks: u64,
    /// Serials left out because they were already in the meeting (`skip_existing`).
    pub skipped: Vec<u64>,
    /// Weighted counts of the file's valid forms.
    pub tally: Tally,
    /// Whether the store was changed.
    pub committed: bool,
}

impl ImportReport {
    /// The file's weighted counts for one organization, as `A=3 B=1.5 C=0 D=0`.
    pub fn option_counts(&self, config: &Config, org: usize) -> String {
        let cells: Vec<String> = config
            .scale
            .options
            .iter()
            .zip(&self.tally.orgs[org].counts)
            .map(|(option, n)| format!("{}={}", option.key, n.to_shortest()))
            .collect();
        cells.join(" ")
    }
}

/// Imports a file (CSV in any supported encoding, .xlsx or .xls) into the meeting.
///
/// A text file is read twice, streaming, so memory stays bounded whatever its size: once
/// for its encoding, once for its records and its SHA-256, which is thus of exactly the
/// bytes parsed. A file that changed in between or meanwhile is refused, as is anything but
/// a regular file.
pub fn import_file(
    meeting: &mut Meeting,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport> {
    let name = path.display().to_string();
    let (records, detected, opened) = match source::open_path(&name, path, &options.source) {
        Ok(opened) => opened,
        Err(source::OpenError::Io(path, e)) => return Err(Error::io(&path, e)),
        Err(source::OpenError::Problem(p)) => return Err(Error::problem(*p)),
    };
    import_records(
        meeting,
        &name,
        opened,
        records,
        detected,
        options,
        Source::Import,
    )
}

/// Imports the bytes of a file named `name` (for messages).
pub fn import_bytes(
    meeting: &mut Meeting,
    name: &str,
    bytes: &[u8],
    options: ImportOptions,
    source: Source,
) -> Result<ImportReport> {
    let (records, detected, opened) =
        source::open_bytes(name, bytes, &options.source).map_err(|p| Error::problem(*p))?;
    import_records(meeting, name, opened, records, detected, options, source)
}

/// Imports the records of an opened file.
fn import_records(
    meeting: &mut Meeting,
    name: &str,
    opened: Opened,
    mut records: Records,
    detected: source::Detected,
    options: ImportOptions,
    source: Source,
) -> Result<ImportReport> {
    let config = meeting.config.clone();
    let map = options.map.clone().unwrap_or_default();
    let reader = CellReader::new(&config, &map.values);
    let mut header = csv::StringRecord::new();
    // The header is the first line that is not blank.
    let header_line = loop {
        match records
            .next(name, &mut header)
            .map_err(|p| Error::problem(*p))?
        {
            Some(_) if header.iter().all(|c| c.trim().is_empty()) => continue,
            Some(line) => break line,
            None => {
                return Err(Error::problem(located(
                    name,
                    None,
                    None,
                    None,
                    Text::new("the file is empty", "文件为空"),
                )))
            }
        }
    };
    let headers: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
        .collect();
    records.fit_to(headers.len());
    let mut problems = Problems::default();
    let layout = resolve(&config, &map, name, header_line, &headers, &mut problems);
    let next_serial = meeting.store.max_serial()? + 1;
    let mut report = ImportReport {
        file: name.to_string(),
        format: detected.format,
        delimiter: detected.delimiter,
        layout: match layout {
            Some(Layout::Long(_)) => LayoutKind::Long,
            _ => LayoutKind::Wide,
        },
        ignored_columns: Vec::new(),
        numbered_from: None,
        forms: 0,
        valid: 0,
        invalid: 0,
        spoiled_marks: 0,
        skipped: Vec::new(),
        tally: Tally::new(
            config.organizations.len(),
            config.scale.len(),
            config.groups.len(),
        ),
        committed: false,
    };
    let Some(layout) = layout else {
        return Err(Error::Problems(problems));
    };
    let mut batch = Batch {
        config: &config,
        name,
        options: &options,
        reader: &reader,
        headers: &headers,
        seen: SerialSet::new(),
        next_serial,
        report: &mut report,
        problems: &mut problems,
        opened: &opened,
    };
    let dry_run = options.dry_run;
    let batched =
        meeting
            .store
            .import_batch(name, source, dry_run, options.allow_same_file, |sink| {
                match &layout {
                    Layout::Wide(wide) => {
                        batch.report.ignored_columns = wide.ignored.clone();
                        batch.read_wide(wide, &mut records, sink)?
                    }
                    Layout::Long(long) => batch.read_long(long, &mut records, sink)?,
                }
                let counted = sink.count();
                batch.report.valid = counted.tally.ballots;
                batch.report.invalid = counted.counted - counted.tally.ballots;
                batch.report.tally = counted.tally.clone();
                let report = &batch.report;
                if report.forms == 0 && batch.problems.is_empty() && report.skipped.is_empty() {
                    batch.problems.push(located(
                        name,
                        None,
                        None,
                        None,
                        Text::new("the file holds no ballots", "文件中没有评议表"),
                    ));
                }
                // Once all of it was read, the content is what was parsed, unless it changed.
                let sha256 = match opened.seal(batch.problems.is_empty()) {
                    Ok(sha256) => Some(sha256),
                    Err(changed) => {
                        batch.problems.push(*changed);
                        None
                    }
                };
                Ok(Filled {
                    sha256,
                    keep: batch.problems.is_empty(),
                })
            })?;
    if let Batched::SameContent(earlier) = &batched {
        // The cause of whatever else was found (every serial already in the meeting).
        problems = Problems::default();
        problems.push(located(
            name,
            None,
            None,
            None,
            Text::new(
                format!("this file content was imported before: {}; pass --allow-same-file to import it again", earlier.join(", ")),
                format!("相同内容的文件已导入过：{}；如确需再次导入请加 --allow-same-file", earlier.join("、")),
            ),
        ));
    }
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    report.committed = batched == Batched::Stored;
    Ok(report)
}

/// The header and distinct values of a file's first [`propose::SURVEY_ROWS`] forms, for
/// proposing a map. The file is read as an import reads it; a row it cannot read ends the
/// survey there (the import names it).
pub fn survey_file(path: &Path, options: &source::SourceOptions) -> Result<propose::Survey> {
    let name = path.display().to_string();
    let (mut records, _, _) = match source::open_path(&name, path, options) {
        Ok(opened) => opened,
        Err(source::OpenError::Io(path, e)) => return Err(Error::io(&path, e)),
        Err(source::OpenError::Problem(p)) => return Err(Error::problem(*p)),
    };
    let mut record = csv::StringRecord::new();
    let mut survey: Option<propose::Survey> = None;
    while let Ok(Some(_)) = records.next(&name, &mut record) {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        match &mut survey {
            None => {
                let headers: Vec<String> = record
                    .iter()
                    .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                    .collect();
                records.fit_to(headers.len());
                survey = Some(propose::Survey::new(&name, headers));
            }
            Some(survey) => {
                survey.add_row(record.iter());
                if survey.rows >= propose::SURVEY_ROWS {
                    break;
                }
            }
        }
    }
    survey.ok_or_else(|| {
        Error::problem(located(
            &name,
            None,
            None,
            None,
            Text::new("the file is empty", "文件为空"),
        ))
    })
}

fn located(
    file: &str,
    line: Option<u64>,
    column: Option<&str>,
    value: Option<&str>,
    why: Text,
) -> Problem {
    Problem {
        file: file.to_string(),
        line,
        column: column.map(str::to_string),
        value: value.map(str::to_string),
        why,
    }
}

/// Header names understood without a map.
const SERIAL_NAMES: [&str; 5] = ["serial", "序号", "编号", "表号", "serial_no"];
const GROUP_NAMES: [&str; 3] = ["group", "组别", "分组"];
const ORG_NAMES: [&str; 6] = ["org", "org_id", "organization", "组织", "组织编号", "单位"];
const RATING_NAMES: [&str; 5] = ["rating", "mark", "value", "评价", "评议"];

fn named(header: &str, names: &[&str]) -> bool {
    names.iter().any(|n| n.eq_ignore_ascii_case(header))
}

/// Which column holds what.
enum Layout {
    Wide(Wide),
    Long(Long),
}

struct Wide {
    ignored: Vec<String>,
    serial: Option<usize>,
    group: Option<usize>,
    /// Per organization (config order), its column.
    orgs: Vec<usize>,
}

struct Long {
    serial: usize,
    group: Option<usize>,
    org: usize,
    rating: usize,
}

/// An unmatched header that looks like an organization: an id-like word (`V19`, `q3`) or a
/// Party organization's name.
fn looks_like_org(header: &str) -> bool {
    let letters = header.trim_end_matches(|c: char| c.is_ascii_digit());
    let id_like = letters.len() < header.len()
        && !letters.is_empty()
        && letters.len() <= 4
        && letters.chars().all(|c| c.is_ascii_alphabetic());
    id_like
        || ["党支部", "党委", "党总支", "支部"]
            .iter()
            .any(|w| header.contains(w))
}

fn resolve(
    config: &Config,
    map: &Mapping,
    name: &str,
    header_line: u64,
    headers: &[String],
    problems: &mut Problems,
) -> Option<Layout> {
    let find = |wanted: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(wanted));
    let missing = |problems: &mut Problems, column: &str, why: Text| {
        problems.push(located(name, Some(header_line), Some(column), None, why));
    };
    let serial = match &map.serial {
        Some(SerialSource::Auto) => None,
        Some(SerialSource::Column(c)) => match find(c) {
            Some(i) => Some(i),
            None => {
                missing(
                    problems,
                    c,
                    Text::new(
                        "the map names this serial column, the file has none",
                        "映射文件指定的编号列在文件中不存在",
                    ),
                );
                return None;
            }
        },
        None => headers.iter().position(|h| named(h, &SERIAL_NAMES)),
    };
    let group = match &map.group {
        Some(g) => match find(g) {
            Some(i) => Some(i),
            None => {
                missing(
                    problems,
                    g,
                    Text::new(
                        "the map names this group column, the file has none",
                        "映射文件指定的组别列在文件中不存在",
                    ),
                );
                return None;
            }
        },
        None => headers.iter().position(|h| named(h, &GROUP_NAMES)),
    };
    let org_of = |h: &str| {
        map.columns
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(h))
            .map(|(_, i)| *i)
            .or_else(|| map.numbered_org(h, config.organizations.len()))
            .or_else(|| config.org_index(h))
            .or_else(|| config.organizations.iter().position(|o| o.name == h))
    };
    let long_columns = (
        map.org
            .as_deref()
            .and_then(find)
            .or_else(|| headers.iter().position(|h| named(h, &ORG_NAMES))),
        map.rating
            .as_deref()
            .and_then(find)
            .or_else(|| headers.iter().position(|h| named(h, &RATING_NAMES))),
    );
    let any_org_column = headers.iter().any(|h| org_of(h).is_some());
    let kind = map.layout.unwrap_or(match long_columns {
        (Some(_), Some(_)) if !any_org_column => LayoutKind::Long,
        _ => LayoutKind::Wide,
    });
    if kind == LayoutKind::Long {
        let (Some(org), Some(rating)) = long_columns else {
            missing(problems, "org/rating", Text::new(
                "a long file needs an organization column and a rating column (named org and rating, or set in the map)",
                "长格式文件需要组织列和评价列（列名为 org 和 rating，或在映射文件中指定）",
            ));
            return None;
        };
        let Some(serial) = serial else {
            missing(
                problems,
                "serial",
                Text::new("a long file needs a serial column", "长格式文件需要编号列"),
            );
            return None;
        };
        return Some(Layout::Long(Long {
            serial,
            group,
            org,
            rating,
        }));
    }

    let mut orgs: Vec<Option<usize>> = vec![None; config.organizations.len()];
    let mut ignored = Vec::new();
    for (column, header) in headers.iter().enumerate() {
        if Some(column) == serial || Some(column) == group {
            continue;
        }
        if map.ignore.iter().any(|i| i.eq_ignore_ascii_case(header)) {
            ignored.push(header.clone());
            continue;
        }
        match org_of(header) {
            Some(org) => {
                if orgs[org].is_some() {
                    problems.push(located(name, Some(header_line), Some(header), None, Text::new("a second column for the same organization", "同一组织出现第二列")));
                }
                orgs[org] = Some(column);
            }
            None if !map.ignore_others && looks_like_org(header) => problems.push(located(
                name,
                Some(header_line),
                Some(header),
                None,
                Text::new(
                    "unknown organization id: the column looks like an organization but is no id or name in organizations.csv (map or ignore it with --map)",
                    "未知组织编号：该列看似组织，但不是 organizations.csv 中的编号或名称（可用 --map 映射或忽略）",
                ),
            )),
            None => ignored.push(header.clone()),
        }
    }
    for (index, (org, column)) in config.organizations.iter().zip(&orgs).enumerate() {
        if column.is_none() {
            let numbered = map.numbered.as_deref().map_or_else(
                || Text::new("", ""),
                |prefix| {
                    Text::new(
                        format!(
                            "; under numbered = \"{prefix}\" it is the {} numbered column, ignored ones not counted",
                            crate::lang::ordinal_en(index + 1)
                        ),
                        format!(
                            "；numbered = \"{prefix}\" 时它是第 {} 个编号列（不计忽略的列）",
                            index + 1
                        ),
                    )
                },
            );
            problems.push(located(
                name,
                Some(header_line),
                None,
                None,
                Text::new(
                    format!(
                        "organization {} ({}) has no column in the file{}",
                        org.id, org.name, numbered.en
                    ),
                    format!(
                        "文件中没有组织 {}（{}）的列{}",
                        org.id, org.name, numbered.zh
                    ),
                ),
            ));
        }
    }
    if !problems.is_empty() {
        return None;
    }
    Some(Layout::Wide(Wide {
        ignored,
        serial,
        group,
        orgs: orgs.into_iter().collect::<Option<Vec<_>>>()?,
    }))
}

/// The state of one import while its rows are read.
struct Batch<'a> {
    config: &'a Config,
    name: &'a str,
    options: &'a ImportOptions,
    reader: &'a CellReader,
    headers: &'a [String],
    seen: SerialSet,
    next_serial: u64,
    report: &'a mut ImportReport,
    problems: &'a mut Problems,
    /// The file being read, to tell the store how much of it is still to come.
    opened: &'a Opened,
}

impl<'a> Batch<'a> {
    fn problem(&mut self, line: u64, column: usize, value: &str, why: Text) {
        let column = self.headers.get(column).map(String::as_str).unwrap_or("");
        self.problems.push(located(
            self.name,
            Some(line),
            Some(column),
            Some(value),
            why,
        ));
    }

    /// The next record that is not blank, and its line; an error once cancelled.
    fn next_record(
        &mut self,
        records: &mut Records,
        record: &mut csv::StringRecord,
    ) -> Result<Option<u64>> {
        loop {
            if self.options.cancel.cancelled() {
                return Err(Error::user(
                    format!(
                        "the import of {} was cancelled: nothing was imported",
                        self.name
                    ),
                    format!("已取消导入 {}：未导入任何内容", self.name),
                ));
            }
            match records.next(self.name, record) {
                Ok(Some(_)) if record.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(Some(line)) => return Ok(Some(line)),
                Ok(None) => return Ok(None),
                Err(problem) => {
                    self.problems.push(*problem);
                    return Ok(None);
                }
            }
        }
    }

    fn ragged(&mut self, line: u64, len: usize) -> bool {
        if len == self.headers.len() {
            return false;
        }
        self.problems.push(located(
            self.name,
            Some(line),
            None,
            None,
            Text::new(
                format!("{len} fields where the header has {}", self.headers.len()),
                format!("有 {len} 个字段，而表头有 {} 个", self.headers.len()),
            ),
        ));
        true
    }

    fn serial(&mut self, line: u64, column: usize, text: &str) -> Option<u64> {
        match text.trim().parse::<u64>() {
            Ok(n) if (1..=MAX_SERIAL).contains(&n) => Some(n),
            _ => {
                self.problem(
                    line,
                    column,
                    text,
                    Text::new(
                        format!("a serial must be a whole number from 1 to {MAX_SERIAL} (a map with serial = \"auto\" numbers the forms instead)"),
                        format!("编号必须是 1 到 {MAX_SERIAL} 之间的整数（映射文件中 serial = \"auto\" 可按顺序编号）"),
                    ),
                );
                None
            }
        }
    }

    /// The next serial of forms numbered in file order; a problem (said once) past the
    /// largest serial.
    fn number_in_file_order(&mut self, line: u64) -> Option<u64> {
        let serial = self.next_serial;
        if serial > MAX_SERIAL {
            if serial == MAX_SERIAL + 1 {
                self.next_serial += 1;
                let first = self.report.numbered_from.unwrap_or(serial);
                self.problems.push(located(
                    self.name,
                    Some(line),
                    None,
                    None,
                    Text::new(
                        format!("numbering the forms in file order from {first} passes the largest serial, {MAX_SERIAL}, at this form; give the file a serial column"),
                        format!("从 {first} 起按文件顺序编号，到此表时超过最大编号 {MAX_SERIAL}；请在文件中给出编号列"),
                    ),
                ));
            }
            return None;
        }
        self.report.numbered_from.get_or_insert(serial);
        self.next_serial += 1;
        Some(serial)
    }

    /// The id of the voter group a cell names.
    fn group(&mut self, line: u64, column: usize, text: &str) -> Result<Option<&'a str>, ()> {
        let text = text.trim();
        if text.is_empty() {
            return Ok(None);
        }
        let groups: &'a [Group] = &self.config.groups;
        if let Some(g) = groups
            .iter()
            .find(|g| g.id.eq_ignore_ascii_case(text) || g.label == text)
        {
            return Ok(Some(g.id.as_str()));
        }
        let known: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        self.problem(
            line,
            column,
            text,
            Text::new(
                format!("unknown voter group (groups: {})", known.join(", ")),
                format!("未知投票人组别（组别：{}）", known.join("、")),
            ),
        );
        Err(())
    }

    fn mark(&mut self, line: u64, column: usize, cell: &str) -> Option<Mark> {
        let mark = self.reader.read(cell);
        if mark.is_none() {
            let keys: Vec<String> = self
                .config
                .scale
                .options
                .iter()
                .map(|o| o.key.to_string())
                .collect();
            self.problem(
                line,
                column,
                cell,
                Text::new(
                    format!("not a rating: maps to no option ({}), blank or spoiled; a --map value table can say what it means", keys.join(", ")),
                    format!("不是有效评价：无法对应任何选项（{}）、空白或无效标记；可在 --map 的 values 中说明其含义", keys.join("、")),
                ),
            );
        }
        mark
    }

    fn read_wide(
        &mut self,
        wide: &Wide,
        records: &mut Records,
        sink: &mut BatchSink,
    ) -> Result<()> {
        let mut record = csv::StringRecord::new();
        // One ballot reused row after row: no allocation per form.
        let mut ballot = Ballot {
            serial: 0,
            group: None,
            marks: Vec::with_capacity(wide.orgs.len()),
        };
        while let Some(line) = self.next_record(records, &mut record)? {
            if self.ragged(line, record.len()) {
                continue;
            }
            let before = self.problems.total();
            let serial = match wide.serial {
                Some(column) => self.serial(line, column, &record[column]),
                None => self.number_in_file_order(line),
            };
            let group = match wide.group {
                Some(column) => self.group(line, column, &record[column]).unwrap_or(None),
                None => None,
            };
            match (group, &mut ballot.group) {
                (Some(id), Some(held)) if held == id => {}
                (group, held) => *held = group.map(str::to_string),
            }
            ballot.marks.clear();
            for &column in &wide.orgs {
                let mark = self
                    .mark(line, column, &record[column])
                    .unwrap_or(Mark::Blank);
                ballot.marks.push(mark);
            }
            // A serial counts as seen even on a row with other problems, so its twin is
            // reported too.
            if let (Some(serial), Some(column)) = (serial, wide.serial) {
                if !self.seen.insert(serial) {
                    self.problem(
                        line,
                        column,
                        &serial.to_string(),
                        Text::new("serial twice in the file", "编号在文件中重复"),
                    );
                }
            }
            if self.problems.total() > before {
                continue;
            }
            let Some(serial) = serial else { continue };
            ballot.serial = serial;
            self.store(line, wide.serial.unwrap_or(0), &ballot, sink)?;
        }
        Ok(())
    }

    fn read_long(
        &mut self,
        long: &Long,
        records: &mut Records,
        sink: &mut BatchSink,
    ) -> Result<()> {
        struct Form {
            line: u64,
            group: Option<String>,
            marks: Vec<Option<Mark>>,
        }
        let mut forms: BTreeMap<u64, Form> = BTreeMap::new();
        let mut record = csv::StringRecord::new();
        let orgs = self.config.organizations.len();
        while let Some(line) = self.next_record(records, &mut record)? {
            if self.ragged(line, record.len()) {
                continue;
            }
            let Some(serial) = self.serial(line, long.serial, &record[long.serial]) else {
                continue;
            };
            let group = match long.group {
                Some(column) => match self.group(line, column, &record[column]) {
                    Ok(g) => g.map(str::to_string),
                    Err(()) => continue,
                },
                None => None,
            };
            let org_text = record[long.org].trim();
            let org = self.config.org_index(org_text).or_else(|| {
                self.config
                    .organizations
                    .iter()
                    .position(|o| o.name == org_text)
            });
            let Some(org) = org else {
                self.problem(
                    line,
                    long.org,
                    org_text,
                    Text::new("unknown organization id or name", "未知的组织编号或名称"),
                );
                continue;
            };
            let Some(mark) = self.mark(line, long.rating, &record[long.rating]) else {
                continue;
            };
            let form = forms.entry(serial).or_insert_with(|| Form {
                line,
                group: group.clone(),
                marks: vec![None; orgs],
            });
            if form.group != group {
                self.problem(
                    line,
                    long.group.unwrap_or(0),
                    group.as_deref().unwrap_or(""),
                    Text::new(
                        "a different group than earlier rows of this serial",
                        "与该编号前面各行的组别不同",
                    ),
                );
            }
            if form.marks[org].replace(mark).is_some() {
                self.problem(
                    line,
                    long.org,
                    org_text,
                    Text::new(
                        "a second rating of this organization on the same form",
                        "同一表格对该组织的第二个评价",
                    ),
                );
            }
        }
        for (serial, form) in forms {
            let ballot = Ballot {
                serial,
                group: form.group,
                marks: form
                    .marks
                    .into_iter()
                    .map(|m| m.unwrap_or(Mark::Blank))
                    .collect(),
            };
            self.store(form.line, long.serial, &ballot, sink)?;
        }
        Ok(())
    }

    /// Checks a read ballot against the file and the meeting, counts it, and inserts it
    /// while the file is still free of problems.
    fn store(
        &mut self,
        line: u64,
        serial_column: usize,
        ballot: &Ballot,
        sink: &mut BatchSink,
    ) -> Result<()> {
        if sink.serial_taken(ballot.serial) {
            if self.options.skip_existing {
                self.report.skipped.push(ballot.serial);
                return Ok(());
            }
            self.problem(
                line,
                serial_column,
                &ballot.serial.to_string(),
                Text::new(
                    "serial already in the meeting (--skip-existing leaves such rows out)",
                    "编号已在本次会议中（--skip-existing 可跳过这些行）",
                ),
            );
            return Ok(());
        }
        self.report.forms += 1;
        self.report.spoiled_marks +=
            ballot.marks.iter().filter(|m| **m == Mark::Spoiled).count() as u64;
        if let Some(progress) = &self.options.progress {
            if self.report.forms.is_multiple_of(PROGRESS_EVERY) {
                (progress.0)(self.report.forms);
            }
        }
        // Once the file has a problem it is refused: the rest is only checked.
        if self.problems.is_empty() {
            sink.insert(ballot)?;
            if self.report.forms.is_multiple_of(FORMS_PER_READ_NOTE) {
                let (read, len) = self.opened.read_so_far();
                sink.note_read(read, len);
            }
        }
        Ok(())
    }
}
