//! Files in and out: import ballot files, export results.
//!
//! Both faces call these, so they follow the same policy: several files are all checked
//! before any is stored; a void round refuses every export until forced; a results CSV
//! written to a file always gets its `.sha256` companion, so an older companion never stays
//! beside newer results.

use super::lifecycle::void_round_text;
use super::Meeting;
use crate::error::{Error, Problems, Result, Text};
use crate::export::{self, CompanionOf, ResultsOptions};
use crate::import::mapping::Mapping;
use crate::import::propose::{self, Proposal};
use crate::import::{self, ImportOptions, ImportReport, Progress};
use crate::lang::Lang;
use crate::meeting::Results;
use crate::pdf;
use crate::store::Summary;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A file an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportKind {
    /// The results CSV (ranking with tiers).
    Results,
    /// The results workbook, laid out for printing.
    Workbook,
    /// The ballots CSV (the canonical ballot set, also the import format).
    Ballots,
    /// The companion of a results or ballots CSV: its SHA-256, the ballot set it was
    /// computed from and the audit head then.
    Digests,
    /// The tally sheet as PDF, to be signed, with the forms report.
    TallySheet,
}

impl ExportKind {
    /// The file's name inside a meeting folder when no other is given.
    pub fn default_file_name(self) -> &'static str {
        match self {
            ExportKind::Results => "results.csv",
            ExportKind::Workbook => "results.xlsx",
            ExportKind::Ballots => "ballots.csv",
            ExportKind::Digests => "results.csv.sha256",
            ExportKind::TallySheet => "results.pdf",
        }
    }
}

/// Where an export file goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// A file, written beside its place and renamed into it.
    File(PathBuf),
    /// Standard output (the command line's `-`).
    Stdout,
}

/// What to export, and how.
#[derive(Debug, Clone)]
pub struct ExportRequest {
    /// The files, in the order they are written.
    pub files: Vec<(ExportKind, Destination)>,
    /// The language of headers and cells.
    pub lang: Lang,
    /// Start CSV files with the UTF-8 byte order mark (Excel and WPS need it).
    pub bom: bool,
    /// Columns per voter group in the results.
    pub by_group: bool,
    /// Export even though the round is void (the files then say VOID ROUND).
    pub force: bool,
    /// The font file of the tally sheet (`--font`); else one is looked for on the system.
    pub font: Option<PathBuf>,
    /// Leave the tally sheet out, saying why, when no font is found (the default export of
    /// everything), rather than refuse the export (a tally sheet asked for by name).
    pub sheet_optional: bool,
}

impl ExportRequest {
    /// The results CSV, the workbook, the ballots CSV and the tally sheet into the meeting
    /// folder `dir`.
    pub fn all_into(dir: &Path, lang: Lang) -> ExportRequest {
        let kinds = [
            ExportKind::Results,
            ExportKind::Workbook,
            ExportKind::Ballots,
            ExportKind::TallySheet,
        ];
        ExportRequest {
            files: kinds
                .iter()
                .map(|&k| (k, Destination::File(dir.join(k.default_file_name()))))
                .collect(),
            lang,
            bom: true,
            by_group: false,
            force: false,
            font: None,
            sheet_optional: true,
        }
    }

    /// One file of `kind` into the meeting folder `dir`.
    pub fn one_into(dir: &Path, kind: ExportKind, lang: Lang, force: bool) -> ExportRequest {
        ExportRequest {
            files: vec![(kind, Destination::File(dir.join(kind.default_file_name())))],
            force,
            sheet_optional: false,
            ..ExportRequest::all_into(dir, lang)
        }
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct ExportOutcome {
    /// Each file written, in order, companions included.
    pub written: Vec<(ExportKind, Destination)>,
    /// The state of the ballot set the files were computed from.
    pub summary: Summary,
    /// The font the tally sheet was set in, described (`FAMILY (PATH)`), when one was.
    pub font: Option<String>,
    /// What was left out and why (a tally sheet without a font).
    pub notices: Vec<Text>,
}

impl Meeting {
    /// Writes the files asked for, all from one reading of the results. A void round is
    /// refused (exit 1, nothing written) unless `force`; a results or ballots CSV written to a
    /// file is followed by its `.sha256` companion.
    pub fn export(&self, request: &ExportRequest) -> Result<ExportOutcome> {
        let results = self.results()?;
        let summary = results.summary.clone();
        if summary.void_round() && !request.force {
            let why = void_round_text(summary.collected, summary.issued.unwrap_or_default());
            return Err(Error::user(
                format!(
                    "{}. Correct the number with `issued DIR N`, or export anyway with --force",
                    why.en
                ),
                format!(
                    "{}。请用 `issued DIR N` 更正发出数，或加 --force 强制导出",
                    why.zh
                ),
            ));
        }
        let options = ResultsOptions {
            by_group: request.by_group,
        };
        let lang = request.lang;
        let mut notices = Vec::new();
        // The font is chosen before anything is written: a refusal writes nothing.
        let wants_sheet = request
            .files
            .iter()
            .any(|(kind, _)| *kind == ExportKind::TallySheet);
        let font = match wants_sheet {
            false => None,
            true => match pdf::font::choose_font(request.font.as_deref()) {
                Ok(font) => Some(font),
                Err(Error::User(why)) if request.sheet_optional && request.font.is_none() => {
                    notices.push(Text::new(
                        format!("results.pdf not written: {}", why.en),
                        format!("未写出 results.pdf：{}", why.zh),
                    ));
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let sheet = match &font {
            None => None,
            Some(font) => Some(self.tally_sheet_pdf(&results, font, lang)?),
        };
        let mut written = Vec::new();
        for (kind, destination) in &request.files {
            match kind {
                ExportKind::Results => {
                    let write = |out: &mut dyn Write| {
                        export::write_results_csv(out, self, &results, lang, options, request.bom)
                    };
                    self.write_with_companion(
                        destination,
                        CompanionOf::Results,
                        &summary,
                        write,
                        &mut written,
                    )?;
                }
                ExportKind::Workbook => {
                    let bytes = export::xlsx::results_workbook(self, &results, lang, options)?;
                    write_to(destination, |out| {
                        out.write_all(&bytes).map_err(Error::output)
                    })?;
                    written.push((*kind, destination.clone()));
                }
                ExportKind::Ballots => {
                    let write =
                        |out: &mut dyn Write| export::write_ballots_csv(out, self, request.bom);
                    self.write_with_companion(
                        destination,
                        CompanionOf::Ballots,
                        &summary,
                        write,
                        &mut written,
                    )?;
                }
                ExportKind::Digests => {
                    return Err(Error::Internal(
                        "a companion is written with its CSV, not on its own".into(),
                    ))
                }
                ExportKind::TallySheet => {
                    let Some(bytes) = &sheet else { continue };
                    write_to(destination, |out| {
                        out.write_all(bytes).map_err(Error::output)
                    })?;
                    written.push((*kind, destination.clone()));
                }
            }
        }
        Ok(ExportOutcome {
            written,
            summary,
            font: font.map(|f| f.describe()),
            notices,
        })
    }

    /// The tally sheet of `results` as PDF bytes, set in `font`.
    pub fn tally_sheet_pdf(
        &self,
        results: &Results,
        font: &pdf::font::ChosenFont,
        lang: Lang,
    ) -> Result<Vec<u8>> {
        let reasons = self.store.decision_reasons()?;
        let decisions: Vec<_> = self
            .store
            .active_decisions()?
            .into_iter()
            .map(|(id, decision)| (decision, reasons.get(&id).cloned().unwrap_or_default()))
            .collect();
        let attendance = self.config.attendance;
        let facts = pdf::sheet::SheetFacts {
            config: &self.config,
            results,
            decisions: &decisions,
            attendance: (attendance.expected, attendance.present),
            quorum_breach: attendance.quorum_breach(self.config.quorum),
            lang,
        };
        let ts = pdf::Typesetter::new(font);
        let pages = pdf::sheet::tally_sheet(&ts, &facts);
        pdf::render(font, &pages, &self.config.title)
    }

    /// Writes a CSV to `destination`; into a file, as a pair with its companion.
    fn write_with_companion(
        &self,
        destination: &Destination,
        of: CompanionOf,
        summary: &Summary,
        write: impl FnOnce(&mut dyn Write) -> Result<()>,
        written: &mut Vec<(ExportKind, Destination)>,
    ) -> Result<()> {
        let kind = match of {
            CompanionOf::Results => ExportKind::Results,
            CompanionOf::Ballots => ExportKind::Ballots,
        };
        match destination {
            Destination::Stdout => {
                write_to(destination, write)?;
                written.push((kind, destination.clone()));
            }
            Destination::File(path) => {
                export::write_pair(path, write, |sha256| {
                    export::companion_text(self, summary, of, path, sha256)
                })?;
                written.push((kind, destination.clone()));
                let companion = export::companion_path(path);
                written.push((ExportKind::Digests, Destination::File(companion)));
            }
        }
        Ok(())
    }

    /// Imports ballot files. With several files, every one is checked (a dry run) before any
    /// is stored, so a bad second file does not leave the first imported alone; then each is
    /// imported in its own transaction. `progress` gives each file its progress reporter.
    pub fn import_files(
        &mut self,
        files: &[PathBuf],
        options: &ImportOptions,
        mut progress: impl FnMut(&Path) -> Option<Progress>,
    ) -> Result<Vec<ImportReport>> {
        if files.len() > 1 && !options.dry_run {
            let mut problems = Problems::default();
            for file in files {
                let check = ImportOptions {
                    dry_run: true,
                    progress: None,
                    ..options.clone()
                };
                match import::import_file(self, file, check) {
                    Ok(_) => {}
                    Err(Error::Problems(found)) => {
                        for p in found.listed {
                            problems.push(p);
                        }
                        problems.more += found.more;
                    }
                    Err(e) => return Err(e),
                }
            }
            if !problems.is_empty() {
                return Err(Error::Problems(problems));
            }
        }
        let mut reports = Vec::with_capacity(files.len());
        for file in files {
            let options = ImportOptions {
                progress: progress(file),
                ..options.clone()
            };
            reports.push(import::import_file(self, file, options)?);
        }
        Ok(reports)
    }
}

/// A map proposed for a file that does not match the meeting, and what importing the
/// file with it would do.
#[derive(Debug)]
pub struct ProposedMap {
    /// The file the map is for.
    pub file: PathBuf,
    /// Where [`Meeting::save_proposed_map`] writes it: beside the file.
    pub map_path: PathBuf,
    /// What was detected and the map's text.
    pub proposal: Proposal,
    /// The dry run of the file with the proposed map: what it would import, or what is
    /// still wrong (values left for the clerk, organizations without a column).
    pub preview: Result<ImportReport>,
}

/// How many problems are shown beside a proposed map: the first few say what did not
/// match, the map says how to fix it.
pub const PROBLEMS_BESIDE_A_MAP: usize = 5;

impl ProposedMap {
    /// Whether the map helps a file refused with `problems`: with it the file imports, or
    /// has fewer problems.
    pub fn helps(&self, problems: &Problems) -> bool {
        match &self.preview {
            Ok(_) => true,
            Err(Error::Problems(left)) => left.total() < problems.total(),
            Err(_) => false,
        }
    }

    /// What the proposal detected and what the file would import with it, a line each
    /// (indented by two spaces), in `lang`.
    pub fn lines(&self, lang: Lang) -> Vec<String> {
        let mut lines: Vec<String> = self
            .proposal
            .detected
            .iter()
            .map(|d| format!("  {}", d.get(lang)))
            .collect();
        match &self.preview {
            Ok(report) => lines.push(match lang {
                Lang::En => format!(
                    "  with it the file reads {}: {} valid, {} invalid, {}",
                    crate::lang::count_en(report.forms, "form", "forms"),
                    report.valid,
                    report.invalid,
                    crate::lang::count_en(report.spoiled_marks, "spoiled mark", "spoiled marks"),
                ),
                Lang::Zh => format!(
                    "  按此映射，文件可读出 {} 份：有效 {}，无效 {}，无效标记 {} 个",
                    report.forms, report.valid, report.invalid, report.spoiled_marks
                ),
            }),
            Err(e) => {
                lines.push(format!(
                    "  {}",
                    lang.pick(
                        "with it the file is still refused; to do:",
                        "按此映射文件仍被拒绝；尚需处理："
                    )
                ));
                let first: Vec<String> = match e {
                    Error::Problems(problems) => problems
                        .listed
                        .iter()
                        .take(PROBLEMS_BESIDE_A_MAP)
                        .map(|p| p.render(lang))
                        .collect(),
                    other => vec![other.message(lang)],
                };
                let rest = match e {
                    Error::Problems(problems) => problems.total() - first.len(),
                    _ => 0,
                };
                for line in first {
                    lines.push(format!("    {line}"));
                }
                if rest > 0 {
                    lines.push(match lang {
                        Lang::En if rest == 1 => "    ... and 1 more problem".to_string(),
                        Lang::En => format!("    ... and {rest} more problems"),
                        Lang::Zh => format!("    ……另有 {rest} 个问题"),
                    });
                }
            }
        }
        lines
    }
}

/// Where a proposed map of `file` is saved: `FILE.map.toml` beside it.
pub fn proposed_map_path(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".map.toml");
    PathBuf::from(name)
}

impl Meeting {
    /// Proposes a map for `file` from its header and the values of its first rows, and
    /// tries it in a dry run (the store is not changed). Comments of the map are in `lang`.
    pub fn propose_map(
        &mut self,
        file: &Path,
        options: &ImportOptions,
        lang: Lang,
    ) -> Result<ProposedMap> {
        let survey = import::survey_file(file, &options.source)?;
        let proposal = propose::propose(&self.config, &survey, lang);
        let map_path = proposed_map_path(file);
        let map = Mapping::parse(
            &map_path.display().to_string(),
            &proposal.text,
            &self.config,
        )
        .map_err(|e| {
            Error::Internal(format!(
                "the proposed map does not load: {}",
                e.message(Lang::En)
            ))
        })?;
        let dry_run = ImportOptions {
            dry_run: true,
            map: Some(map),
            progress: None,
            ..options.clone()
        };
        let preview = import::import_file(self, file, dry_run);
        Ok(ProposedMap {
            file: file.to_path_buf(),
            map_path,
            proposal,
            preview,
        })
    }

    /// Saves a proposed map beside its file; an existing map there is kept (the clerk may
    /// have edited it), and the save refused.
    pub fn save_proposed_map(&self, proposed: &ProposedMap) -> Result<PathBuf> {
        let path = &proposed.map_path;
        if path.exists() {
            let shown = path.display();
            return Err(Error::user(
                format!("{shown} exists already: import with --map {shown}, or remove it for a new proposal"),
                format!("{shown} 已存在：请用 --map {shown} 导入，或删除它以重新提议"),
            ));
        }
        export::write_atomically(path, |out| {
            out.write_all(proposed.proposal.text.as_bytes())
                .map_err(Error::output)
        })?;
        Ok(path.clone())
    }
}

fn write_to(
    destination: &Destination,
    write: impl FnOnce(&mut dyn Write) -> Result<()>,
) -> Result<()> {
    match destination {
        Destination::Stdout => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            write(&mut lock)?;
            lock.flush().map_err(Error::output)
        }
        Destination::File(path) => export::write_atomically(path, write),
    }
}

/// Blank forms to print: where, which serials, with or without the scanner's bubbles.
#[derive(Debug, Clone)]
pub struct FormsRequest {
    /// The PDF file; with `omr`, `template.json` and `MAP.toml` are written beside it.
    pub pdf: PathBuf,
    /// The serials, one form each.
    pub serials: std::ops::RangeInclusive<u64>,
    /// Bubbles, corner marks, the serial and group as bubbles, and OMRChecker's template.
    pub omr: bool,
    /// The language of the forms.
    pub lang: Lang,
    /// The font file (`--font`); else one is looked for on the system.
    pub font: Option<PathBuf>,
}

/// What printing blank forms wrote.
#[derive(Debug, Clone)]
pub struct FormsOutcome {
    /// The files written: the PDF, then the template and the map with `omr`.
    pub written: Vec<PathBuf>,
    /// The font the forms were set in, described.
    pub font: String,
    /// How many forms (pages).
    pub forms: u64,
}

/// The most forms one command prints.
pub const MAX_FORMS: u64 = 5000;

impl Meeting {
    /// Writes blank numbered forms, one A4 page per serial, and with `omr` the OMRChecker
    /// template and the map that imports its results beside them. Everything is checked and
    /// made before anything is written.
    pub fn blank_forms(&self, request: &FormsRequest) -> Result<FormsOutcome> {
        let (first, last) = (*request.serials.start(), *request.serials.end());
        let max = crate::limits::MAX_SERIAL;
        if first < 1 || last < first || last > max {
            return Err(Error::user(
                format!("serials {first}-{last}: give a range from 1 to {max}, first not after last (e.g. 1-60)"),
                format!("编号 {first}-{last}：请给出 1 到 {max} 之间的范围，起始不大于结束（如 1-60）"),
            ));
        }
        let forms = last - first + 1;
        if forms > MAX_FORMS {
            return Err(Error::user(
                format!("{forms} forms asked for, at most {MAX_FORMS} at a time"),
                format!("要求打印 {forms} 份，每次最多 {MAX_FORMS} 份"),
            ));
        }
        let font = pdf::font::choose_font(request.font.as_deref())?;
        let ts = pdf::Typesetter::new(&font);
        let facts = pdf::forms::FormsFacts {
            config: &self.config,
            serials: request.serials.clone(),
            omr: request.omr,
            lang: request.lang,
        };
        let (pages, layout) = pdf::forms::blank_forms(&ts, &facts)?;
        let bytes = pdf::render(&font, &pages, &self.config.title)?;
        let mut files = vec![(request.pdf.clone(), bytes)];
        if let Some(layout) = layout {
            let dir = request
                .pdf
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            files.push((
                dir.join("template.json"),
                layout.template_json().into_bytes(),
            ));
            files.push((dir.join("MAP.toml"), layout.map_toml().into_bytes()));
        }
        let mut written = Vec::new();
        for (path, bytes) in files {
            export::write_atomically(&path, |out| out.write_all(&bytes).map_err(Error::output))?;
            written.push(path);
        }
        Ok(FormsOutcome {
            written,
            font: font.describe(),
            forms,
        })
    }
}
