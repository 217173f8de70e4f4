//! The clerk's terminal UI (ratatui + crossterm): enter and verify forms, watch the tally
//! and the ranking, import and export.
//!
//! [`App`] holds the state and changes only in [`App::update`]; [`render`] draws a frame from
//! it; [`run`] is the loop between the terminal and the two. Tests drive `update` with key
//! events and draw into ratatui's `TestBackend`, no terminal needed.

mod app;
mod ballots;
mod entry;
mod files_tab;
mod form;
mod keymap;
mod language;
mod paged;
mod path_field;
mod projector;
mod ranking_tab;
mod review;
mod start;
mod strings;
mod tally_tab;
mod theme;
mod ui_state;
mod verify;
mod view;

pub use app::App;
pub use ballots::{BallotsState, View as BallotsView};
pub use entry::EntryState;
pub use files_tab::FilesState;
pub use form::FormEditor;
pub use projector::ProjectorState;
pub use ranking_tab::RankingState;
pub use start::{
    Chosen, Field as StartField, Outcome as StartOutcome, Stage as StartStage, StartScreen,
};
pub use strings::S;
pub use tally_tab::TallyState;
pub use ui_state::{
    Context, Counts, Effect, Message, Overlay, Prompt, PromptKind, Question, Shown, Tab,
};
pub use verify::VerifyState;
pub use view::render;

use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::meeting::Meeting;
use crossterm::event;
use std::time::Duration;

/// Runs the UI on `meeting` until the clerk quits, in the language of `--lang` (`flag`),
/// else the one last chosen with `L` for this meeting, else the meeting's. The terminal is
/// restored on every way out: a normal quit, an error, and a panic (ratatui's hook restores
/// it before the panic message is printed). Ctrl-C arrives as a key in raw mode and is
/// handled as one.
pub fn run(meeting: Meeting, flag: Option<Lang>, notice: Option<Text>) -> Result<()> {
    require_terminal()?;
    let lang = language::choose(&meeting, flag);
    let mut app = App::new(meeting, lang)?;
    if let Some(notice) = notice {
        app.inform(notice.clone());
        app.set_notice(S::DemoNotice.text());
    }
    run_app(app)
}

/// Runs the UI on `meeting` with the projector view open (`announce`), black on white when
/// `light`. Esc leaves it for the tabs; `q` quits.
pub fn run_projector(meeting: Meeting, flag: Option<Lang>, light: bool) -> Result<()> {
    require_terminal()?;
    let lang = language::choose(&meeting, flag);
    let mut app = App::new(meeting, lang)?;
    app.open_projector(light);
    run_app(app)
}

/// Runs the UI started outside a meeting folder: the start screen first (the demo, a
/// meeting folder, or a new meeting from an organization list), then the tabs on the meeting
/// chosen, in one terminal session. The demo's practice copy is removed on the way out.
pub fn run_start(flag: Option<Lang>, clerk: Option<String>) -> Result<()> {
    require_terminal()?;
    let mut terminal = ratatui::try_init().map_err(terminal_error)?;
    let outcome = start_then_run(&mut terminal, flag, clerk);
    let restored = ratatui::try_restore().map_err(terminal_error);
    outcome.and(restored)
}

fn start_then_run(
    terminal: &mut ratatui::DefaultTerminal,
    flag: Option<Lang>,
    clerk: Option<String>,
) -> Result<()> {
    let mut start = StartScreen::new(flag.unwrap_or_else(Lang::from_env), clerk);
    let chosen = loop {
        terminal
            .draw(|frame| start.render(frame))
            .map_err(terminal_error)?;
        if event::poll(Duration::from_millis(500)).map_err(terminal_error)? {
            match start.update(event::read().map_err(terminal_error)?) {
                StartOutcome::Stay => {}
                StartOutcome::Quit => return Ok(()),
                StartOutcome::Open(chosen) => break *chosen,
            }
        }
    };
    let Chosen {
        meeting,
        notice,
        practice_copy,
    } = chosen;
    // The language chosen on the start screen carries on unless the meeting remembers one.
    let lang = flag
        .or_else(|| language::remembered(&meeting.config.dir))
        .unwrap_or(start.lang());
    let mut app = App::new(meeting, lang)?;
    if let Some(notice) = notice {
        app.inform(notice);
    }
    if practice_copy.is_some() {
        app.set_notice(S::DemoNotice.text());
    }
    let outcome = event_loop(terminal, &mut app);
    // The store is closed before the practice copy's folder is removed.
    drop(app);
    drop(practice_copy);
    outcome
}

fn run_app(mut app: App) -> Result<()> {
    let mut terminal = ratatui::try_init().map_err(terminal_error)?;
    let outcome = event_loop(&mut terminal, &mut app);
    let restored = ratatui::try_restore().map_err(terminal_error);
    outcome.and(restored)
}

/// Refuses to start the UI without a terminal (output piped, or run by a script), with a
/// message saying what to do instead.
pub fn require_terminal() -> Result<()> {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        return Ok(());
    }
    Err(Error::user(
        "the terminal UI needs a terminal; for scripts use the commands (see --help)",
        "终端界面需要在终端中运行；脚本请使用子命令（见 --help）",
    ))
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, app: &mut App) -> Result<()> {
    while !app.quitting() {
        terminal
            .draw(|frame| render(app, frame))
            .map_err(terminal_error)?;
        // Redraw often while an import runs (its spinner), else twice a second so "last
        // saved ... ago" stays true and a change made by another process shows within a
        // second (`poll_jobs` looks at the store's data version).
        let wait = if app.busy() {
            Duration::from_millis(100)
        } else {
            Duration::from_millis(500)
        };
        if event::poll(wait).map_err(terminal_error)? {
            app.update(event::read().map_err(terminal_error)?);
        }
        app.poll_jobs();
    }
    // Quitting never waits for an import: a running one is cancelled (it changes nothing),
    // given a moment to end, and every saved form is moved from the -wal file into
    // meeting.db unless an import that would not end still holds the store.
    if app.stop_jobs(Duration::from_secs(2)) {
        app.checkpoint()?;
    }
    Ok(())
}

fn terminal_error(e: std::io::Error) -> Error {
    Error::Internal(format!("terminal: {e}"))
}
