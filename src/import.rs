//! Reading ballots from files into a meeting, all of a file or nothing.
//!
//! This module reads the canonical ballots CSV of DESIGN.md section 6
//! (`serial,group,<org_id>...`), the format [`crate::export::write_ballots_csv`] writes.
//! Every problem is collected as `FILE:LINE: column "X": value "Y": why`; if there is any,
//! the whole file is refused and the store is left as it was.

use crate::config::{csv_why, Config};
use crate::error::{Error, Problem, Problems, Result, Text};
use crate::meeting::Meeting;
use crate::model::{validity, Ballot, Mark};
use crate::store::{hex, Outcome, Source};
use crate::tally::Tally;
use crate::text;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

/// What the user allows an import to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// Show what would be imported and change nothing.
    pub dry_run: bool,
    /// Import a file whose content was imported before.
    pub allow_same_file: bool,
    /// Leave out rows whose serial is already in the meeting instead of refusing the file.
    pub skip_existing: bool,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone)]
pub struct ImportReport {
    /// The file as named by the user.
    pub file: String,
    /// Its SHA-256.
    pub sha256: String,
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

/// Imports a canonical ballots CSV into the meeting.
pub fn import_file(
    meeting: &mut Meeting,
    path: &Path,
    options: ImportOptions,
) -> Result<ImportReport> {
    import_file_as(meeting, path, options, Source::Import)
}

/// Imports a canonical ballots CSV, recording `source` on each ballot.
pub fn import_file_as(
    meeting: &mut Meeting,
    path: &Path,
    options: ImportOptions,
    source: Source,
) -> Result<ImportReport> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let name = path.display().to_string();
    import_bytes(meeting, &name, &bytes, options, source)
}

/// Imports the bytes of a canonical ballots CSV named `name` (for messages).
pub fn import_bytes(
    meeting: &mut Meeting,
    name: &str,
    bytes: &[u8],
    options: ImportOptions,
    source: Source,
) -> Result<ImportReport> {
    let sha256 = hex(&Sha256::digest(bytes));
    if !options.allow_same_file {
        let earlier = meeting.store.batches_with_hash(&sha256)?;
        if !earlier.is_empty() {
            return Err(Error::problem(Problem {
                file: name.to_string(),
                line: None,
                column: None,
                value: None,
                why: Text::new(
                    format!("this file content was imported before: {}; pass --allow-same-file to import it again", earlier.join(", ")),
                    format!("相同内容的文件已导入过：{}；如确需再次导入请加 --allow-same-file", earlier.join("、")),
                ),
            }));
        }
    }
    let content = text::decode(bytes);
    let config = meeting.config.clone();
    let mut report = ImportReport {
        file: name.to_string(),
        sha256: sha256.clone(),
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
    let mut problems = Problems::default();
    let committed = meeting.store.import_batch(name, &sha256, source, |sink| {
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(content.as_bytes());
        let header = match reader.headers() {
            Ok(h) => h.clone(),
            Err(e) => {
                problems.push(located(
                    name,
                    e.position().map(|p| p.line()),
                    None,
                    None,
                    csv_why(&e),
                ));
                return Ok(false);
            }
        };
        let Some(layout) = Layout::from_header(&config, name, &header, &mut problems) else {
            return Ok(false);
        };
        let mut seen: HashSet<u64> = HashSet::new();
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    problems.push(located(
                        name,
                        e.position().map(|p| p.line()),
                        None,
                        None,
                        csv_why(&e),
                    ));
                    break;
                }
            }
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if record.len() != header.len() {
                problems.push(located(
                    name,
                    Some(line),
                    None,
                    None,
                    Text::new(
                        format!(
                            "{} fields where the header has {}",
                            record.len(),
                            header.len()
                        ),
                        format!("有 {} 个字段，而表头有 {} 个", record.len(), header.len()),
                    ),
                ));
                continue;
            }
            let Some(ballot) = layout.ballot(&config, name, line, &record, &mut problems) else {
                continue;
            };
            if !seen.insert(ballot.serial) {
                problems.push(located(
                    name,
                    Some(line),
                    Some("serial"),
                    Some(&ballot.serial.to_string()),
                    Text::new("serial twice in the file", "编号在文件中重复"),
                ));
                continue;
            }
            if sink.serial_taken(ballot.serial)? {
                if options.skip_existing {
                    report.skipped.push(ballot.serial);
                    continue;
                }
                problems.push(located(
                    name,
                    Some(line),
                    Some("serial"),
                    Some(&ballot.serial.to_string()),
                    Text::new(
                        "serial already in the meeting (--skip-existing leaves such rows out)",
                        "编号已在本次会议中（--skip-existing 可跳过这些行）",
                    ),
                ));
                continue;
            }
            count(&config, &ballot, &mut report);
            if problems.is_empty()
                && !options.dry_run
                && sink.insert(&ballot)? == Outcome::SerialTaken
            {
                problems.push(located(
                    name,
                    Some(line),
                    Some("serial"),
                    Some(&ballot.serial.to_string()),
                    Text::new("serial already in the meeting", "编号已在本次会议中"),
                ));
            }
        }
        if report.forms == 0 && problems.is_empty() && report.skipped.is_empty() {
            problems.push(located(
                name,
                None,
                None,
                None,
                Text::new("the file holds no ballots", "文件中没有选票"),
            ));
        }
        Ok(problems.is_empty() && !options.dry_run)
    })?;
    if !problems.is_empty() {
        return Err(Error::Problems(problems));
    }
    report.committed = committed;
    Ok(report)
}

fn count(config: &Config, ballot: &Ballot, report: &mut ImportReport) {
    report.forms += 1;
    report.spoiled_marks += ballot.marks.iter().filter(|m| **m == Mark::Spoiled).count() as u64;
    if validity(&ballot.marks, &config.scale, &config.rules).is_ok() {
        report.valid += 1;
        let group = ballot
            .group
            .as_deref()
            .and_then(|g| config.groups.iter().position(|x| x.id == g));
        let weight = config
            .weight_of(ballot.group.as_deref())
            .unwrap_or_default();
        report.tally.add(&ballot.marks, weight, group);
    } else {
        report.invalid += 1;
    }
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

/// Which column of the file holds what.
struct Layout {
    serial: usize,
    group: Option<usize>,
    /// Per organization (config order), its column.
    orgs: Vec<usize>,
    headers: Vec<String>,
}

impl Layout {
    fn from_header(
        config: &Config,
        name: &str,
        header: &csv::StringRecord,
        problems: &mut Problems,
    ) -> Option<Layout> {
        let headers: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
        let mut serial = None;
        let mut group = None;
        let mut orgs: Vec<Option<usize>> = vec![None; config.organizations.len()];
        for (column, title) in headers.iter().enumerate() {
            let lower = title.to_lowercase();
            if lower == "serial" {
                serial = Some(column);
            } else if lower == "group" {
                group = Some(column);
            } else if let Some(org) = config
                .org_index(title)
                .or_else(|| config.organizations.iter().position(|o| o.name == *title))
            {
                if orgs[org].is_some() {
                    problems.push(located(
                        name,
                        Some(1),
                        Some(title),
                        None,
                        Text::new(
                            "a second column for the same organization",
                            "同一组织出现第二列",
                        ),
                    ));
                }
                orgs[org] = Some(column);
            } else {
                problems.push(located(
                    name,
                    Some(1),
                    Some(title),
                    None,
                    Text::new(
                        "unknown organization id (not in organizations.csv)",
                        "未知组织编号（不在 organizations.csv 中）",
                    ),
                ));
            }
        }
        if serial.is_none() {
            problems.push(located(
                name,
                Some(1),
                Some("serial"),
                None,
                Text::new("the header has no serial column", "表头缺少 serial 列"),
            ));
        }
        for (org, column) in config.organizations.iter().zip(&orgs) {
            if column.is_none() {
                problems.push(located(
                    name,
                    Some(1),
                    Some(&org.id),
                    None,
                    Text::new("no column for this organization", "缺少该组织的列"),
                ));
            }
        }
        if !problems.is_empty() {
            return None;
        }
        Some(Layout {
            serial: serial?,
            group,
            orgs: orgs.into_iter().collect::<Option<Vec<_>>>()?,
            headers,
        })
    }

    fn ballot(
        &self,
        config: &Config,
        name: &str,
        line: u64,
        record: &csv::StringRecord,
        problems: &mut Problems,
    ) -> Option<Ballot> {
        let before = problems.total();
        let serial_text = record.get(self.serial).unwrap_or("").trim();
        let serial = match serial_text.parse::<u64>() {
            Ok(n) if n > 0 && n <= i64::MAX as u64 => Some(n),
            _ => {
                problems.push(located(
                    name,
                    Some(line),
                    Some(&self.headers[self.serial]),
                    Some(serial_text),
                    Text::new(
                        "a serial must be a positive whole number",
                        "编号必须是正整数",
                    ),
                ));
                None
            }
        };
        let group = self
            .group
            .map(|c| record.get(c).unwrap_or("").trim())
            .filter(|g| !g.is_empty());
        if let Some(g) = group {
            if config.weight_of(Some(g)).is_none() {
                let known: Vec<&str> = config.groups.iter().map(|g| g.id.as_str()).collect();
                problems.push(located(
                    name,
                    Some(line),
                    Some(&self.headers[self.group.unwrap_or(0)]),
                    Some(g),
                    Text::new(
                        format!("unknown voter group (groups: {})", known.join(", ")),
                        format!("未知投票人组别（组别：{}）", known.join("、")),
                    ),
                ));
            }
        }
        let mut marks = Vec::with_capacity(self.orgs.len());
        for &column in &self.orgs {
            let cell = record.get(column).unwrap_or("");
            match parse_cell(config, cell) {
                Some(mark) => marks.push(mark),
                None => {
                    let keys: Vec<String> = config
                        .scale
                        .options
                        .iter()
                        .map(|o| o.key.to_string())
                        .collect();
                    problems.push(located(
                        name,
                        Some(line),
                        Some(&self.headers[column]),
                        Some(cell),
                        Text::new(
                            format!("not a rating: use an option key ({}), empty for blank or * for spoiled", keys.join(", ")),
                            format!("不是有效评价：应为选项键（{}）、空白或 *（无效）", keys.join("、")),
                        ),
                    ));
                    marks.push(Mark::Blank);
                }
            }
        }
        if problems.total() > before {
            return None;
        }
        Some(Ballot {
            serial: serial?,
            group: group.map(str::to_string),
            marks,
        })
    }
}

/// Reads one cell: an option key, label, English label or 1-based position (case and
/// surrounding spaces ignored), empty for blank, `*` for spoiled.
pub fn parse_cell(config: &Config, cell: &str) -> Option<Mark> {
    let cell = cell.trim();
    if cell.is_empty() {
        return Some(Mark::Blank);
    }
    if cell == "*" {
        return Some(Mark::Spoiled);
    }
    let options = &config.scale.options;
    let index = options.iter().position(|o| {
        o.key.to_string().eq_ignore_ascii_case(cell)
            || o.label.to_lowercase() == cell.to_lowercase()
            || o.label_en
                .as_ref()
                .is_some_and(|l| l.eq_ignore_ascii_case(cell))
    });
    let index = index.or_else(|| {
        cell.parse::<usize>()
            .ok()
            .filter(|&n| n >= 1 && n <= options.len())
            .map(|n| n - 1)
    })?;
    Some(Mark::Option(index as u8))
}
