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
pub fn run(mut meeting: Meeting, flag: Option<Lang>, notice: Option<Text>) -> Result<()> {
    require_terminal()?;
    let lang = language::choose(&meeting, flag);
    if meeting.store.is_database() && meeting.store.clerk().is_none() {
        let stdin = std::io::stdin();
        let name = ask_station(&mut stdin.lock(), &mut std::io::stderr(), lang)?;
        meeting.set_clerk(name.as_deref());
    }
    let mut app = App::new(meeting, lang)?;
    if let Some(notice) = notice {
        app.inform(notice.clone());
        app.set_notice(S::DemoNotice.text());
    }
    run_app(app)
}

/// Asks the station of a meeting in a database its name, once, before the UI starts (on
/// the command line it is `--station NAME`): kept with each form keyed there, so a second
/// keying can be told to come from another station. Asked again until it is one line of
/// text; an empty answer, or the end of the input, leaves the station unnamed.
fn ask_station(
    input: &mut impl std::io::BufRead,
    output: &mut impl std::io::Write,
    lang: Lang,
) -> Result<Option<String>> {
    let prompt = strings::station_prompt(lang);
    for _ in 0..crate::limits::TEXT_CHARS {
        write!(output, "{prompt}").map_err(Error::output)?;
        output.flush().map_err(Error::output)?;
        let mut line = String::new();
        if input.read_line(&mut line).map_err(Error::output)? == 0 {
            return Ok(None);
        }
        let name = line.trim();
        if name.is_empty() {
            return Ok(None);
        }
        match crate::limits::one_line(name, crate::limits::TEXT_CHARS) {
            Ok(()) => return Ok(Some(name.to_string())),
            Err(why) => writeln!(output, "{}", why.get(lang)).map_err(Error::output)?,
        }
    }
    Ok(None)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_station_is_asked_its_name_once_and_again_when_it_is_not_one_line() {
        let mut said = Vec::new();
        let name = ask_station(&mut "east\n".as_bytes(), &mut said, Lang::En).unwrap();
        assert_eq!(name.as_deref(), Some("east"));
        assert!(String::from_utf8(said)
            .unwrap()
            .starts_with("This station's name"));
        let mut said = Vec::new();
        let name = ask_station(&mut "a\u{7}b\n  west  \n".as_bytes(), &mut said, Lang::En).unwrap();
        assert_eq!(name.as_deref(), Some("west"));
        assert!(String::from_utf8(said)
            .unwrap()
            .contains("control character U+0007"));
        for input in ["\n", ""] {
            let name = ask_station(&mut input.as_bytes(), &mut Vec::new(), Lang::Zh).unwrap();
            assert_eq!(name, None, "{input:?}");
        }
    }
}
