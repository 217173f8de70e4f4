//! The Import/Export tab.
//!
//! Import: the clerk types a path (Tab completes file names) and, when the file needs one, a
//! map file's path; Enter runs the importer as a dry run and shows what the file holds or
//! every problem found, and a confirmation imports it. A file that does not match the
//! meeting, previewed without a map, gets a proposed map beside its first problems; Enter
//! saves it beside the file (`FILE.map.toml`), puts it in the map field and previews the
//! import with it. Imports run on a worker thread with their own connection to the store, so a large
//! file never freezes the screen; the main loop polls the worker and shows how many forms it
//! has read and how fast.
//!
//! Export: the results CSV, the results workbook (.xlsx) and the ballots CSV are written into
//! the meeting folder, each through a temporary file renamed into place, and the paths
//! written are listed.

use super::keymap::{Action, Scope};
use super::path_field::{self, Completion};
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Context, Effect, Question, Shown};
use crate::error::{Error, Problems, Result, Text};
use crate::import::mapping::Mapping;
use crate::import::{self, Cancel, ImportOptions, ImportReport};
use crate::meeting::files::{
    Destination, ExportKind, ExportRequest, ProposedMap, PROBLEMS_BESIDE_A_MAP,
};
use crate::meeting::Meeting;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

/// What the last dry run found.
#[derive(Debug)]
pub enum Preview {
    /// The file can be imported: what it holds.
    Ready(ImportReport),
    /// The file has problems: all of them.
    Problems(Problems),
    /// The file does not match the meeting: its problems, and a map proposed for it.
    Proposed(Problems, Box<ProposedMap>),
    /// The file could not be read or the store refused.
    Failed(Text),
}

/// What a worker hands back: the import's outcome and, for a preview without a map that
/// found problems, a map proposed for the file when it helps.
type Outcome = (Result<ImportReport>, Option<ProposedMap>);

/// The text field the keys go to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Field {
    /// The file to import.
    #[default]
    Path,
    /// The map file it is read with.
    Map,
}

/// An import running on a worker thread.
#[derive(Debug)]
pub struct Job {
    /// The file.
    pub path: PathBuf,
    /// Whether it is the dry run.
    pub dry_run: bool,
    /// The map file it reads with.
    pub map: Option<PathBuf>,
    /// When it started (for the spinner, the rate and the time taken).
    pub started: Instant,
    /// Forms read so far, as the importer reports them now and then.
    pub forms: Arc<AtomicU64>,
    /// Stops it (Esc, or quitting).
    pub cancel: Cancel,
    handle: JoinHandle<Outcome>,
}

impl Job {
    /// Whether the worker is done.
    pub fn finished(&self) -> bool {
        self.handle.is_finished()
    }
}

/// The Import/Export tab's state.
#[derive(Debug, Default)]
pub struct FilesState {
    /// The path field.
    pub path: String,
    /// The map field: a map file's path, or empty for none.
    pub map: String,
    /// The keyboard is on a field.
    pub editing: bool,
    /// The field the keyboard is on while editing.
    pub field: Field,
    /// File names matching the last completion, when more than one did.
    pub candidates: Vec<String>,
    /// The path of the last preview and what it found.
    pub preview: Option<(PathBuf, Preview)>,
    /// The map the last preview was read with: the confirmed import reads with it too.
    pub preview_map: Option<PathBuf>,
    /// The import under way.
    pub job: Option<Job>,
    /// The files written, newest last.
    pub written: Vec<(ExportKind, PathBuf)>,
    /// First line shown of the preview.
    pub scroll: usize,
}

impl FilesState {
    /// The scope of the keys on this tab.
    pub fn scope(&self) -> Scope {
        if self.editing {
            Scope::FilesInput
        } else {
            Scope::Files
        }
    }

    /// Whether background work is under way (an import or a preview).
    pub fn busy(&self) -> bool {
        self.job.is_some()
    }

    /// Whether an import (not a preview) is under way: it holds the store's write lock.
    pub fn importing(&self) -> bool {
        self.job.as_ref().is_some_and(|job| !job.dry_run)
    }

    /// Handles a key of the Import/Export tab.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        if self.editing {
            match action {
                Action::Type(c) => {
                    self.field_mut().push(c);
                    self.candidates.clear();
                }
                Action::Erase => {
                    self.field_mut().pop();
                    self.candidates.clear();
                }
                Action::Complete => self.complete(cx),
                Action::Back => self.editing = false,
                Action::Accept => {
                    self.editing = false;
                    self.start_import(true, cx);
                }
                _ => {}
            }
            return;
        }
        match action {
            Action::FocusPath => self.focus(Field::Path),
            Action::FocusMap => self.focus(Field::Map),
            Action::Accept => match &self.preview {
                Some((_, Preview::Ready(_))) => {
                    if !cx.refuse_when_final() {
                        cx.confirm(Question::Import);
                    }
                }
                Some((_, Preview::Proposed(..))) => self.use_proposed_map(cx),
                _ => self.focus(Field::Path),
            },
            Action::ExportResults => self.export(ExportKind::Results, false, cx),
            Action::ExportBallots => self.export(ExportKind::Ballots, false, cx),
            Action::ExportWorkbook => self.export(ExportKind::Workbook, false, cx),
            Action::Back => {
                if let Some(job) = &self.job {
                    job.cancel.cancel();
                }
            }
            Action::Up => self.scroll = self.scroll.saturating_sub(1),
            Action::Down => self.scroll += 1,
            _ => {}
        }
    }

    fn focus(&mut self, field: Field) {
        self.editing = true;
        self.field = field;
        self.candidates.clear();
    }

    /// The text of the field the keyboard is on.
    fn field_mut(&mut self) -> &mut String {
        match self.field {
            Field::Path => &mut self.path,
            Field::Map => &mut self.map,
        }
    }

    /// Saves the proposed map beside its file, puts it in the map field and previews the
    /// import with it. A map already there is the clerk's: it is kept and previewed with.
    fn use_proposed_map(&mut self, cx: &mut Context) {
        let Some((file, Preview::Proposed(_, proposed))) = &self.preview else {
            return;
        };
        let file = file.clone();
        let map_path = proposed.map_path.clone();
        match cx.meeting.save_proposed_map(proposed) {
            Ok(saved) => cx.inform(strings::map_saved(&saved)),
            Err(Error::User(_)) if map_path.exists() => cx.warn_text(strings::map_kept(&map_path)),
            Err(e) => {
                cx.fail(&e);
                return;
            }
        }
        self.path = file.display().to_string();
        self.map = map_path.display().to_string();
        self.start_import(true, cx);
    }

    /// Completes the last component of the field the keyboard is on from the names in its
    /// folder: the one match, or the longest prefix all matches share (listed below).
    fn complete(&mut self, cx: &mut Context) {
        match path_field::complete(self.field_mut()) {
            Completion::None => cx.warn(S::NoCompletion),
            Completion::Completed { path, candidates } => {
                *self.field_mut() = path;
                self.candidates = candidates;
            }
        }
    }

    /// Starts the importer on the path field's file on a worker thread: a dry run for the
    /// preview, or the import itself once confirmed.
    pub fn start_import(&mut self, dry_run: bool, cx: &mut Context) {
        if self.job.is_some() {
            cx.warn(S::BusyImporting);
            return;
        }
        if !dry_run && cx.refuse_when_final() {
            return;
        }
        let (path, map) = if dry_run {
            let map = Some(self.map.trim())
                .filter(|m| !m.is_empty())
                .map(PathBuf::from);
            (PathBuf::from(self.path.trim()), map)
        } else {
            match &self.preview {
                Some((path, Preview::Ready(_))) => (path.clone(), self.preview_map.clone()),
                _ => return,
            }
        };
        if path.as_os_str().is_empty() {
            cx.warn(S::PathNeeded);
            self.focus(Field::Path);
            return;
        }
        self.candidates.clear();
        self.scroll = 0;
        let dir = cx.meeting.location();
        // The worker's own connection keys as this station, as every other write does.
        let clerk = cx.meeting.store.clerk().map(str::to_string);
        let lang = cx.lang;
        let file = path.clone();
        let map_file = map.clone();
        let forms = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&forms);
        let cancel = Cancel::default();
        let stop = cancel.clone();
        let handle = std::thread::spawn(move || -> Outcome {
            let mut meeting = match Meeting::open(&dir) {
                Ok(meeting) => meeting,
                Err(e) => return (Err(e), None),
            };
            meeting.set_clerk(clerk.as_deref());
            let map = match &map_file {
                Some(path) => match Mapping::load(path, &meeting.config) {
                    Ok(map) => Some(map),
                    Err(e) => return (Err(e), None),
                },
                None => None,
            };
            let options = ImportOptions {
                dry_run,
                cancel: stop,
                map,
                ..ImportOptions::default()
            };
            let progress = |_: &std::path::Path| {
                let counter = Arc::clone(&counter);
                Some(import::Progress(Arc::new(move |n| {
                    counter.store(n, Ordering::Relaxed)
                })))
            };
            let outcome = meeting
                .import_files(std::slice::from_ref(&file), &options, progress)
                .and_then(|mut reports| {
                    reports.pop().ok_or_else(|| {
                        Error::Internal("an import of one file reported none".into())
                    })
                });
            let proposed = match &outcome {
                Err(Error::Problems(problems)) if dry_run && map_file.is_none() => meeting
                    .propose_map(&file, &options, lang)
                    .ok()
                    .filter(|proposed| proposed.helps(problems)),
                _ => None,
            };
            (outcome, proposed)
        });
        self.job = Some(Job {
            path,
            dry_run,
            map,
            started: Instant::now(),
            forms,
            cancel,
            handle,
        });
    }

    /// Cancels background work and waits for it to end, `patience` at most; true when none
    /// is left running.
    pub fn cancel_job(&mut self, patience: std::time::Duration) -> bool {
        let deadline = Instant::now() + patience;
        if let Some(job) = &self.job {
            job.cancel.cancel();
        }
        while self.job.as_ref().is_some_and(|job| !job.finished()) {
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        true
    }

    /// Takes in a finished import (waiting for it when `block`).
    pub fn poll(&mut self, block: bool, cx: &mut Context) {
        let finished = self
            .job
            .as_ref()
            .is_some_and(|job| block || job.handle.is_finished());
        if !finished {
            return;
        }
        let Some(job) = self.job.take() else {
            return;
        };
        let (outcome, proposed) = job.handle.join().unwrap_or_else(|_| {
            (
                Err(Error::Internal("the import worker panicked".into())),
                None,
            )
        });
        if job.cancel.cancelled() && outcome.is_err() {
            cx.inform(S::ImportCancelled.text());
            self.preview = None;
            return;
        }
        match (outcome, job.dry_run) {
            (Ok(report), true) => {
                cx.inform(strings::preview_ready(report.forms));
                self.preview = Some((job.path, Preview::Ready(report)));
                self.preview_map = job.map;
            }
            (Ok(report), false) => {
                self.preview = None;
                cx.effect(Effect::Reload);
                cx.inform(strings::imported(report.forms, &report.file));
            }
            (Err(Error::Problems(problems)), _) => {
                cx.warn_text(strings::problems_found(problems.total()));
                let preview = match proposed {
                    Some(proposed) => Preview::Proposed(problems, Box::new(proposed)),
                    None => Preview::Problems(problems),
                };
                self.preview = Some((job.path, preview));
            }
            (Err(e), _) => {
                cx.fail(&e);
                let text = Text::new(e.message(crate::Lang::En), e.message(crate::Lang::Zh));
                self.preview = Some((job.path, Preview::Failed(text)));
            }
        }
    }

    /// Writes one export file into the meeting folder through the meeting's export use case
    /// (a results CSV with its `.sha256` companion); a void round asks first (`forced` once
    /// the clerk said yes), and the files then say VOID ROUND.
    pub fn export(&mut self, kind: ExportKind, forced: bool, cx: &mut Context) {
        if cx.counts.void_round() && !forced {
            cx.confirm(Question::ExportVoid(kind));
            return;
        }
        let request = ExportRequest::one_into(&cx.meeting.files_dir(), kind, cx.lang, forced);
        match cx.meeting.export(&request) {
            Ok(outcome) => {
                for (kind, destination) in outcome.written {
                    if let Destination::File(path) = destination {
                        cx.inform(strings::written(export_label(kind), &path));
                        self.written.retain(|(k, _)| *k != kind);
                        self.written.push((kind, path));
                    }
                }
            }
            Err(e) => cx.fail(&e),
        }
    }
}

/// The name of an export file on screen.
fn export_label(kind: ExportKind) -> S {
    match kind {
        ExportKind::Results => S::ResultsFile,
        ExportKind::Ballots => S::BallotsFile,
        ExportKind::Workbook => S::WorkbookFile,
        ExportKind::Digests => S::DigestsFile,
        ExportKind::TallySheet => S::TallySheetFile,
    }
}

/// Draws the Import/Export tab.
pub fn render(files: &FilesState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let [import_area, export_area] =
        Layout::vertical([Constraint::Fill(1), Constraint::Length(5)]).areas(area);

    let mut lines = Vec::new();
    let field_style = if files.editing {
        theme::cursor()
    } else {
        ratatui::style::Style::new()
    };
    let on = |field: Field| files.editing && files.field == field;
    let style = |field: Field| {
        if on(field) {
            field_style
        } else {
            ratatui::style::Style::new()
        }
    };
    let cursor = |field: Field| if on(field) { "▏" } else { "" };
    lines.push(Line::from(vec![
        Span::raw(strings::label(lang, S::ImportPath)),
        Span::styled(
            format!("{}{}", files.path, cursor(Field::Path)),
            style(Field::Path),
        ),
    ]));
    let mut map_line = vec![
        Span::raw(strings::label(lang, S::MapPath)),
        Span::styled(
            format!("{}{}", files.map, cursor(Field::Map)),
            style(Field::Map),
        ),
    ];
    if files.map.is_empty() && !on(Field::Map) {
        map_line.push(Span::styled(S::MapNone.get(lang), theme::dim()));
    }
    lines.push(Line::from(map_line));
    if !files.candidates.is_empty() {
        lines.push(Line::styled(files.candidates.join("  "), theme::dim()));
    }
    if let Some(job) = &files.job {
        let frames = ['|', '/', '-', '\\'];
        let elapsed = job.started.elapsed();
        let tick = (elapsed.as_millis() / 100) as usize % frames.len();
        let forms = job.forms.load(Ordering::Relaxed);
        lines.push(Line::styled(
            strings::importing(lang, &job.path, job.dry_run, frames[tick], forms, elapsed),
            theme::key(),
        ));
    }
    let mut body: Vec<Line> = Vec::new();
    match &files.preview {
        None => body.push(Line::styled(S::HintImport.get(lang), theme::dim())),
        Some((path, Preview::Ready(report))) => {
            body.push(Line::styled(
                strings::preview_summary(lang, path, report),
                theme::ok(),
            ));
            let config = shown.config;
            for (index, org) in config.organizations.iter().enumerate() {
                let counts = &report.tally.orgs[index];
                body.push(Line::raw(format!(
                    "  {} {}  {}  {}={}",
                    org.id,
                    org.name,
                    report.option_counts(config, index),
                    S::BlankShort.get(lang),
                    counts.blank.to_shortest()
                )));
            }
        }
        Some((path, Preview::Problems(problems))) => {
            body.push(Line::styled(
                strings::problems_in(lang, path, problems.total()),
                theme::error(),
            ));
            for line in problems.render(lang).lines() {
                body.push(Line::raw(line.to_string()));
            }
        }
        Some((path, Preview::Proposed(problems, proposed))) => {
            body.push(Line::styled(
                strings::problems_in(lang, path, problems.total()),
                theme::error(),
            ));
            let rendered = problems.render(lang);
            let mut listed = rendered.lines();
            for line in listed.by_ref().take(PROBLEMS_BESIDE_A_MAP) {
                body.push(Line::raw(line.to_string()));
            }
            let rest = problems.total().saturating_sub(PROBLEMS_BESIDE_A_MAP);
            if rest > 0 {
                body.push(Line::styled(
                    strings::more_problems(lang, rest),
                    theme::dim(),
                ));
            }
            body.push(Line::styled(
                strings::map_proposed(lang, &proposed.map_path, proposed.preview.is_ok()),
                theme::ok(),
            ));
            for line in proposed.lines(lang) {
                body.push(Line::raw(line));
            }
            for line in proposed.proposal.text.lines() {
                body.push(Line::styled(format!("    {line}"), theme::dim()));
            }
        }
        Some((_, Preview::Failed(text))) => {
            body.push(Line::styled(text.get(lang).to_string(), theme::error()))
        }
    }
    let shown = body.into_iter().skip(files.scroll);
    lines.extend(shown);
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: false }).block(
            Block::new()
                .borders(Borders::BOTTOM)
                .title(Line::styled(S::Import.get(lang), theme::header())),
        ),
        import_area,
    );

    let mut lines = vec![Line::styled(S::Export.get(lang), theme::header())];
    lines.push(Line::from(vec![
        Span::styled("r ", theme::key()),
        Span::raw(S::ResultsFile.get(lang)),
        Span::raw("   "),
        Span::styled("b ", theme::key()),
        Span::raw(S::BallotsFile.get(lang)),
        Span::raw("   "),
        Span::styled("x ", theme::key()),
        Span::raw(S::WorkbookFile.get(lang)),
    ]));
    for (kind, path) in &files.written {
        lines.push(Line::raw(format!(
            "{}{}",
            strings::label(lang, export_label(*kind)),
            path.display()
        )));
    }
    frame.render_widget(Paragraph::new(lines), export_area);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;
    use crate::tui::ui_state::Counts;
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;

    #[test]
    fn a_running_import_shows_the_forms_read_and_the_rate() {
        let dir = tempfile::tempdir().unwrap();
        let meeting = crate::demo::install(dir.path()).unwrap();
        let results = meeting.results().unwrap();
        let counts = Counts::default();
        let mut files = FilesState::default();
        // A worker that runs until the test lets it go, with a count set by hand.
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let forms = Arc::new(AtomicU64::new(120_000));
        files.job = Some(Job {
            path: PathBuf::from("big.csv"),
            dry_run: false,
            map: None,
            started: Instant::now() - std::time::Duration::from_secs(2),
            forms: Arc::clone(&forms),
            cancel: Cancel::default(),
            handle: std::thread::spawn(move || {
                let _ = wait.recv();
                (Err(Error::Internal("stopped by the test".into())), None)
            }),
        });
        let screen = |files: &FilesState, lang: Lang| {
            let shown = Shown {
                config: &meeting.config,
                lang,
                counts: &counts,
                tally: &results.tally,
                ranking: &results.ranking,
                store: &meeting.store,
            };
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal
                .draw(|frame| render(files, &shown, frame, frame.area()))
                .unwrap();
            let buffer = terminal.backend().buffer().clone();
            buffer
                .content()
                .iter()
                .map(|c| c.symbol())
                .collect::<String>()
        };
        let shown = screen(&files, Lang::En);
        assert!(shown.contains("importing big.csv: 120000 forms"), "{shown}");
        // Two seconds (and a little, as the clock runs on) for 120000 forms.
        let rate: u64 = shown
            .split("120000 forms, ")
            .nth(1)
            .and_then(|rest| rest.split(" forms/s").next())
            .and_then(|n| n.parse().ok())
            .expect("a rate in forms/s");
        assert!((50_000..=60_000).contains(&rate), "{rate}");
        forms.store(250_000, Ordering::Relaxed);
        assert!(screen(&files, Lang::En).contains("250000 forms"));
        assert!(screen(&files, Lang::Zh).contains("250000"));
        release.send(()).unwrap();
        assert!(files.cancel_job(std::time::Duration::from_secs(10)));
        let job = files.job.take().unwrap();
        assert!(job.handle.join().unwrap().0.is_err());
    }
}
