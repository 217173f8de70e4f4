//! The files tallyclerk writes: the results CSV (one row per organization in rank order) and
//! the ballots CSV (the canonical form of the ballot set, which [`crate::import`] reads back).

pub mod xlsx;

use crate::config::Config;
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::meeting::{Meeting, Results};
use crate::model::Mark;
use crate::scoring::CompositePart;
use crate::store::{hex, Summary};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// UTF-8 byte order mark: Excel and WPS need it to read UTF-8 CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a results table is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultsOptions {
    /// Add `rated_<group>`, `score_<group>`, `top_rate_<group>` and
    /// `approval_rate_<group>` per voter group.
    pub by_group: bool,
}

/// How many columns `by_group` adds per voter group.
const BY_GROUP_FIGURES: usize = 4;

/// How many columns the table has after `note`: the figures of each voter group, with
/// `by_group`.
pub fn by_group_columns(config: &Config, options: ResultsOptions) -> usize {
    if options.by_group {
        BY_GROUP_FIGURES * config.groups.len()
    } else {
        0
    }
}

/// The results as a table of text cells: header, then one row per organization in rank
/// order. Numbers are formatted as docs/RULES.md section 11 says; text cells are not yet neutralised.
pub fn results_table(
    config: &Config,
    results: &Results,
    lang: Lang,
    options: ResultsOptions,
) -> (Vec<String>, Vec<Vec<String>>) {
    let mut header: Vec<String> = [
        ("rank", "名次"),
        ("org_id", "组织编号"),
        ("org_name", "组织名称"),
        ("category", "类别"),
        ("tier", "等次"),
        ("score", "得分"),
    ]
    .iter()
    .map(|(en, zh)| lang.pick(en, zh).to_string())
    .collect();
    let composite = &config.scoring.composite;
    let file_parts: Vec<&CompositePart> = composite.iter().filter(|p| !p.is_meeting()).collect();
    for part in &file_parts {
        header.push(match lang {
            Lang::En => part.id.clone(),
            Lang::Zh => part.label.clone(),
        });
    }
    if !composite.is_empty() {
        header.push(lang.pick("composite", "综合得分").to_string());
    }
    header.push(lang.pick("rated", "有效评价").to_string());
    for option in &config.scale.options {
        header.push(match lang {
            Lang::En => format!("count_{}", option.key),
            Lang::Zh => option.label.clone(),
        });
    }
    let top_rate = config.scale.top_rate_zh();
    for (en, zh) in [
        ("blank", "空白"),
        ("top_rate", top_rate.as_str()),
        ("approval_rate", "认可率"),
        ("note", "备注"),
    ] {
        header.push(lang.pick(en, zh).to_string());
    }
    if options.by_group {
        for group in &config.groups {
            match lang {
                Lang::En => {
                    for figure in ["rated", "score", "top_rate", "approval_rate"] {
                        header.push(format!("{figure}_{}", group.id));
                    }
                }
                Lang::Zh => {
                    for figure in ["有效评价", "得分", top_rate.as_str(), "认可率"] {
                        header.push(format!("{figure}_{}", group.label));
                    }
                }
            }
        }
    }

    let void = results.summary.void_round();
    let rows = results
        .ranking
        .rows
        .iter()
        .map(|row| {
            let org = &config.organizations[row.org];
            let counts = &results.tally.orgs[row.org];
            let f = &row.figures;
            let mut cells = vec![
                row.rank.to_string(),
                org.id.clone(),
                org.name.clone(),
                org.category.clone(),
                row.placement.text(config, lang),
                f.score.to_fixed(2),
            ];
            for part in &file_parts {
                cells.push(part.score_of(row.org, f.score).to_fixed(2));
            }
            if let Some(composite) = f.composite {
                cells.push(composite.to_fixed(2));
            }
            cells.push(f.rated.to_shortest());
            cells.extend(counts.counts.iter().map(|n| n.to_shortest()));
            cells.push(counts.blank.to_shortest());
            cells.push(f.top_rate.to_fixed(4));
            cells.push(f.approval_rate.to_fixed(4));
            let note = row.note.text(config, lang);
            cells.push(if void {
                let mark = lang.pick("VOID ROUND", "VOID ROUND 本轮无效");
                if note.is_empty() {
                    mark.to_string()
                } else {
                    format!("{mark}; {note}")
                }
            } else {
                note
            });
            if options.by_group {
                for group in 0..config.groups.len() {
                    // A group's rates over its own share of the rate base; none (empty
                    // cells) under `present`, which is not counted per group.
                    match crate::scoring::group_row(config, &results.tally, group, row.org) {
                        Some(g) => {
                            cells.push(g.rated.to_shortest());
                            cells.push(g.score.to_fixed(2));
                            let (top, approval) = g.rates.map_or_else(Default::default, |r| {
                                (r.0.to_fixed(4), r.1.to_fixed(4))
                            });
                            cells.extend([top, approval]);
                        }
                        // Not reached: a group's base is part of the meeting's, whose
                        // figures were computed; cells are kept aligned all the same.
                        None => cells.extend(vec![String::new(); BY_GROUP_FIGURES]),
                    }
                }
            }
            cells
        })
        .collect();
    (header, rows)
}

/// How many columns of the results table hold scores, from `score` on: the score, one per
/// file part of the composite, and the composite (docs/RULES.md section 11).
pub fn score_columns(config: &Config) -> usize {
    let composite = &config.scoring.composite;
    let file_parts = composite.iter().filter(|p| !p.is_meeting()).count();
    1 + file_parts + usize::from(!composite.is_empty())
}

/// Neutralises a text cell against spreadsheet formula injection: a cell beginning with
/// `=`, `+`, `-` or `@` gets a leading apostrophe, which Excel and WPS show as text.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Columns of the results table that hold text (the others are numbers we format).
fn is_text_column(index: usize, columns: usize, by_group_columns: usize) -> bool {
    let note = columns - by_group_columns - 1;
    index <= 4 || index == note
}

/// Writes the results CSV.
pub fn write_results_csv<W: Write>(
    out: W,
    meeting: &Meeting,
    results: &Results,
    lang: Lang,
    options: ResultsOptions,
    bom: bool,
) -> Result<()> {
    let (header, rows) = results_table(&meeting.config, results, lang, options);
    let by_group_columns = by_group_columns(&meeting.config, options);
    let columns = header.len();
    let mut writer = csv_writer(out, bom)?;
    writer
        .write_record(header.iter().map(|h| neutralise(h).into_owned()))
        .map_err(csv_error)?;
    for row in &rows {
        writer
            .write_record(row.iter().enumerate().map(|(i, cell)| {
                if is_text_column(i, columns, by_group_columns) {
                    neutralise(cell).into_owned()
                } else {
                    cell.clone()
                }
            }))
            .map_err(csv_error)?;
    }
    writer.flush().map_err(csv_io)?;
    Ok(())
}

/// Writes the ballots CSV: `serial,group,<org ids>`, every ballot that counts (invalid ones
/// included) in serial order; a cell is the option key, empty for blank, `*` for spoiled.
pub fn write_ballots_csv<W: Write>(out: W, meeting: &Meeting, bom: bool) -> Result<()> {
    let config = &meeting.config;
    let mut writer = csv_writer(out, bom)?;
    let mut header = vec!["serial".to_string(), "group".to_string()];
    header.extend(config.organizations.iter().map(|o| o.id.clone()));
    writer.write_record(&header).map_err(csv_error)?;
    let mut record = Vec::with_capacity(header.len());
    meeting.store.for_each_ballot(|ballot| {
        record.clear();
        record.push(ballot.serial.to_string());
        record.push(ballot.group.clone().unwrap_or_default());
        record.extend(ballot.marks.iter().map(|m: &Mark| m.to_cell(&config.scale)));
        writer.write_record(&record).map_err(csv_error)
    })?;
    writer.flush().map_err(csv_io)?;
    Ok(())
}

/// The folder a file is written into.
fn folder(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// A name beside `path`: `.NAME` + `suffix`, hidden.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    folder(path).join(format!(".{name}{suffix}"))
}

/// Where the new content of `path` is written before it is renamed into place. The name is
/// always the same, so what an export killed while writing left behind is replaced (or
/// removed) by the next export of that file, and `check` can name it.
pub fn staged_path(path: &Path) -> PathBuf {
    beside(path, ".new")
}

/// The mark that a results file and its companion are both staged and complete: from the
/// moment it is on disk until both are renamed into place.
pub fn pair_mark_path(results: &Path) -> PathBuf {
    beside(results, ".pending")
}

/// Exports into one folder take turns: a lock on the folder, released when dropped.
struct FolderLock(std::fs::File);

impl FolderLock {
    fn take(dir: &Path) -> Result<FolderLock> {
        let handle = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        handle.lock().map_err(|e| Error::io(dir, e))?;
        Ok(FolderLock(handle))
    }

    /// Makes the renames and removals in the folder durable.
    fn sync(&self, dir: &Path) -> Result<()> {
        self.0.sync_all().map_err(|e| Error::io(dir, e))
    }
}

/// A writer that sums the SHA-256 of what passes through it.
struct Digesting<W> {
    inner: W,
    digest: Sha256,
}

impl<W: Write> Write for Digesting<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.digest.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes the new content of `path` to its staged name, synced and readable by others
/// (exports are for sharing); returns its SHA-256. On failure the staged file is removed.
fn write_staged(path: &Path, write: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<String> {
    let staged = staged_path(path);
    let written = (|| {
        let file = std::fs::File::create(&staged).map_err(|e| Error::io(&staged, e))?;
        let mut out = Digesting {
            inner: std::io::BufWriter::new(&file),
            digest: Sha256::new(),
        };
        write(&mut out).map_err(|e| e.at_file(path))?;
        out.flush().map_err(|e| Error::io(path, e))?;
        let sha256 = hex(&out.digest.finalize());
        file.sync_all().map_err(|e| Error::io(path, e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            file.set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(|e| Error::io(path, e))?;
        }
        Ok(sha256)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&staged);
    }
    written
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| Error::io(to, e))
}

/// Writes a file beside its target and renames it into place, so a crash never leaves half a
/// file; the file and the folder are synced to disk.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = folder(path);
    let lock = FolderLock::take(dir)?;
    write_staged(path, write)?;
    rename(&staged_path(path), path)?;
    lock.sync(dir)
}

/// Writes a CSV file and its companion (whose text `companion` makes from the file's
/// SHA-256) so that a crash at any moment leaves the pair in the folder consistent, old or
/// new: both are staged and synced, then a mark that both are complete is made durable, then
/// each is renamed into place and the mark removed. A crash before the mark leaves the old
/// pair (and staged files the next export removes); one after it leaves a pair the next
/// export completes first ([`complete_interrupted_pair`]); `check` says which.
pub fn write_pair(
    results: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
    companion: impl FnOnce(&str) -> String,
) -> Result<()> {
    let dir = folder(results);
    let lock = FolderLock::take(dir)?;
    complete_interrupted_pair(results, &lock)?;
    let sha256 = write_staged(results, write)?;
    let text = companion(&sha256);
    let companion_file = companion_path(results);
    let staged = write_staged(&companion_file, |out| {
        out.write_all(text.as_bytes()).map_err(Error::output)
    });
    if let Err(e) = staged {
        let _ = std::fs::remove_file(staged_path(results));
        return Err(e);
    }
    let mark = pair_mark_path(results);
    crate::text::write_file(&mark, b"")
        .and_then(|()| std::fs::File::open(&mark)?.sync_all())
        .map_err(|e| Error::io(&mark, e))?;
    lock.sync(dir)?;
    complete_interrupted_pair(results, &lock)
}

/// Completes a pair whose mark is on disk (both files staged and complete): renames what is
/// still staged into place, removes the mark, syncs the folder. Without a mark, staged files
/// are what an export killed before finishing them left: they are removed.
fn complete_interrupted_pair(results: &Path, lock: &FolderLock) -> Result<()> {
    let dir = folder(results);
    let mark = pair_mark_path(results);
    let files = [results.to_path_buf(), companion_path(results)];
    if mark.exists() {
        for file in &files {
            let staged = staged_path(file);
            if staged.exists() {
                rename(&staged, file)?;
            }
        }
        lock.sync(dir)?;
        std::fs::remove_file(&mark).map_err(|e| Error::io(&mark, e))?;
    } else {
        for file in &files {
            match std::fs::remove_file(staged_path(file)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(&staged_path(file), e))
                }
                _ => {}
            }
        }
    }
    lock.sync(dir)
}

/// What is amiss with a results or ballots CSV and its companion in a folder: an export
/// interrupted between the two files, a CSV that no longer matches its companion's SHA-256,
/// a companion without its CSV, files staged by an export that never finished. Empty when
/// they are consistent (or there is no companion).
pub fn pair_problems(results: &Path) -> Result<Vec<Text>> {
    let mut problems = Vec::new();
    let companion_file = companion_path(results);
    let shown = |p: &Path| p.display().to_string();
    if pair_mark_path(results).exists() {
        problems.push(Text::new(
            format!("an export of {} was interrupted between the file and its companion: the next export completes the pair", shown(results)),
            format!("导出 {} 时在该文件与其摘要文件之间中断：下次导出会补全这一对文件", shown(results)),
        ));
    } else {
        for file in [results, companion_file.as_path()] {
            let staged = staged_path(file);
            if staged.exists() {
                problems.push(Text::new(
                    format!(
                        "{} was left by an export that did not finish: the next export removes it",
                        shown(&staged)
                    ),
                    format!(
                        "{} 是未完成的导出留下的：下次导出会将其删除",
                        shown(&staged)
                    ),
                ));
            }
        }
        let text = match std::fs::read_to_string(&companion_file) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(problems),
            Err(e) => return Err(Error::io(&companion_file, e)),
        };
        let expected = text
            .lines()
            .find(|line| !line.starts_with('#'))
            .and_then(|line| line.split_whitespace().next())
            .unwrap_or_default()
            .to_string();
        match std::fs::read(results) {
            Ok(bytes) if hex(&Sha256::digest(&bytes)) == expected => {}
            Ok(_) => problems.push(Text::new(
                format!("{} does not match the SHA-256 in {}: it was changed after the export, or an export was interrupted between the two", shown(results), shown(&companion_file)),
                format!("{} 与 {} 中的 SHA-256 不符：导出后被修改过，或导出在两个文件之间中断", shown(results), shown(&companion_file)),
            )),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => problems.push(Text::new(
                format!("{} has no {} beside it", shown(&companion_file), shown(results)),
                format!("{} 旁边没有 {}", shown(&companion_file), shown(results)),
            )),
            Err(e) => return Err(Error::io(results, e)),
        }
    }
    Ok(problems)
}

/// The comment line of a companion file that carries the store's audit head.
const AUDIT_HEAD_COMMENT: &str = "# audit head: ";

/// The audit head a companion file carries, if any (files written before it had none).
pub fn companion_audit_head(text: &str) -> Option<&str> {
    text.lines()
        .find_map(|line| line.strip_prefix(AUDIT_HEAD_COMMENT))
        .map(str::trim)
}

/// The companion of a results file: `results.csv` -> `results.csv.sha256`.
pub fn companion_path(results: &Path) -> PathBuf {
    let mut name = results.as_os_str().to_owned();
    name.push(".sha256");
    PathBuf::from(name)
}

/// What a CSV with a companion holds, named on the companion's first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompanionOf {
    /// The results CSV.
    Results,
    /// The ballots CSV.
    Ballots,
}

/// The companion file of a results or ballots CSV, in `sha256sum` format so `sha256sum -c`
/// checks the file, with comment lines naming the ballot set it was computed from and
/// whether the meeting was final or the round void, and the head of the store's audit chain
/// then (`# audit head: HASH`) — the clean CSV table has no room for them (the ballots CSV
/// is also the import format). Published files can be re-verified against `tallyclerk check`
/// of the meeting, which finds the audit head of each companion in the folder in the chain.
pub fn companion_text(
    meeting: &Meeting,
    summary: &Summary,
    of: CompanionOf,
    file: &Path,
    sha256: &str,
) -> String {
    let what = match of {
        CompanionOf::Results => "results",
        CompanionOf::Ballots => "ballots",
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let config = &meeting.config;
    let mut status = match (summary.finalised, summary.void_round()) {
        (_, true) => "VOID ROUND (more forms collected than issued)",
        (true, false) => "FINAL",
        (false, false) => "not final",
    }
    .to_string();
    if let Some(breach) = config.attendance.quorum_breach(config.quorum) {
        status.push_str(&format!("; {}", breach.en));
    }
    let attendance = config
        .attendance
        .text(crate::lang::Lang::En)
        .map(|text| format!("# {text}\n"))
        .unwrap_or_default();
    let scoring: String = crate::scoring::statement(config, crate::lang::Lang::En)
        .iter()
        .map(|line| format!("# scoring: {line}\n"))
        .collect();
    format!(
        "# tallyclerk {what}: {} {}\n\
# computed from the ballot set sha256:{} ({}: {} valid, {} invalid, {} verified)\n\
# status: {status}\n\
{attendance}\
{scoring}\
{AUDIT_HEAD_COMMENT}{}\n\
{}  {name}\n",
        config.title,
        config.date,
        summary.digest,
        crate::lang::count_en(summary.collected, "form", "forms"),
        summary.valid,
        summary.invalid,
        summary.verified,
        summary.audit_head,
        sha256,
    )
}

/// A CSV writer with CRLF line ends (RFC 4180), after a BOM when asked.
fn csv_writer<W: Write>(mut out: W, bom: bool) -> Result<csv::Writer<W>> {
    if bom {
        out.write_all(BOM).map_err(csv_io)?;
    }
    Ok(csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(out))
}

fn csv_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => Error::output(e),
        other => Error::Internal(format!("writing CSV: {other:?}")),
    }
}

fn csv_io(e: std::io::Error) -> Error {
    Error::output(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutralises_formula_cells_only() {
        assert_eq!(neutralise("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(neutralise("+1"), "'+1");
        assert_eq!(neutralise("-x"), "'-x");
        assert_eq!(neutralise("@cmd"), "'@cmd");
        assert_eq!(neutralise("长兴村"), "长兴村");
        assert_eq!(neutralise("a=b"), "a=b");
    }
}
