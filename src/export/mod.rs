//! The files tallyclerk writes: the results CSV (one row per organization in rank order) and
//! the ballots CSV (the canonical form of the ballot set, which [`crate::import`] reads back).

pub mod xlsx;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::meeting::{Meeting, Results};
use crate::model::Mark;
use crate::store::{hex, Summary};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// UTF-8 byte order mark: Excel and WPS need it to read UTF-8 CSV as UTF-8.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How a results table is laid out.
#[derive(Debug, Clone, Copy, Default)]
pub struct ResultsOptions {
    /// Add `rated_<group>` and `score_<group>` per voter group.
    pub by_group: bool,
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
        ("rated", "有效评价"),
    ]
    .iter()
    .map(|(en, zh)| lang.pick(en, zh).to_string())
    .collect();
    for option in &config.scale.options {
        header.push(match lang {
            Lang::En => format!("count_{}", option.key),
            Lang::Zh => option.label.clone(),
        });
    }
    for (en, zh) in [
        ("blank", "空白"),
        ("top_rate", "好评率"),
        ("approval_rate", "认可率"),
        ("note", "备注"),
    ] {
        header.push(lang.pick(en, zh).to_string());
    }
    if options.by_group {
        for group in &config.groups {
            match lang {
                Lang::En => {
                    header.push(format!("rated_{}", group.id));
                    header.push(format!("score_{}", group.id));
                }
                Lang::Zh => {
                    header.push(format!("有效评价_{}", group.label));
                    header.push(format!("得分_{}", group.label));
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
                f.rated.to_shortest(),
            ];
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
                for group in &results.tally.by_group {
                    let g = group[row.org].figures(&config.scale);
                    cells.push(g.rated.to_shortest());
                    cells.push(g.score.to_fixed(2));
                }
            }
            cells
        })
        .collect();
    (header, rows)
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
    let by_group_columns = if options.by_group {
        2 * meeting.config.groups.len()
    } else {
        0
    };
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

/// Writes a file beside its target and renames it into place, so a crash never leaves half a
/// file; the result is synced to disk and readable by others (exports are for sharing).
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| Error::io(path, e))?;
    {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered)?;
        buffered.flush().map_err(|e| Error::io(path, e))?;
    }
    temp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(temp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(path, e))?;
    }
    temp.persist(path).map_err(|e| Error::io(path, e.error))?;
    Ok(())
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

/// The companion file of a results CSV, in `sha256sum` format so `sha256sum -c` checks the
/// file, with comment lines naming the ballot set the results were computed from and
/// whether the meeting was final or the round void, and the head of the store's audit chain
/// then (`# audit head: HASH`) — the clean CSV table has no room for them. Published results
/// can be re-verified against `tallyclerk check` of the meeting, which finds the audit head
/// of the companion in the folder in the chain.
pub fn companion_text(meeting: &Meeting, summary: &Summary, results: &Path) -> Result<String> {
    let bytes = std::fs::read(results).map_err(|e| Error::io(results, e))?;
    let name = results
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let config = &meeting.config;
    let status = match (summary.finalised, summary.void_round()) {
        (_, true) => "VOID ROUND (more forms collected than issued)",
        (true, false) => "FINAL",
        (false, false) => "not final",
    };
    Ok(format!(
        "# tallyclerk results: {} {}\n\
# computed from the ballot set sha256:{} ({}: {} valid, {} invalid, {} verified)\n\
# status: {status}\n\
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
        hex(&Sha256::digest(&bytes)),
    ))
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
    Error::Internal(format!("writing CSV: {e}"))
}

fn csv_io(e: std::io::Error) -> Error {
    Error::Internal(format!("writing CSV: {e}"))
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
