//! The Entry tab: typing paper forms, one keystroke per organization.
//!
//! A form opens on its serial field, prefilled with the next free serial; digits type another
//! and a serial already in the meeting is refused before a single row is typed. Then each key
//! marks one row and moves on; Enter saves the form durably and opens the next one.

use super::app::{App, Overlay, Question};
use super::form::{self, Edited, FormEditor, StepBack};
use super::keymap::{Action, Scope};
use super::strings::{self, S};
use super::theme;
use crate::model::{validity, Ballot};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::Frame;

/// The form being typed.
#[derive(Debug, Clone)]
pub struct EntryState {
    /// The serial field.
    pub serial: String,
    /// The serial field holds the suggestion; the first digit typed replaces it.
    pub suggested: bool,
    /// The serial in the field is already in the meeting.
    pub serial_taken: bool,
    /// The voter group of the form: an index into the meeting's groups.
    pub group: Option<usize>,
    /// The rows.
    pub form: FormEditor,
    /// The keyboard is on the rows (else on the serial field).
    pub on_rows: bool,
    /// The serial to suggest for the next form.
    pub next_serial: u64,
    /// The serials of the forms typed at this station in this run, oldest first: the only
    /// ones `u` offers to withdraw (an imported form is withdrawn from the Ballots tab).
    pub typed_here: Vec<u64>,
}

impl EntryState {
    /// A fresh form suggesting `next_serial`.
    pub fn new(orgs: usize, next_serial: u64) -> EntryState {
        EntryState {
            serial: next_serial.to_string(),
            suggested: true,
            serial_taken: false,
            group: None,
            form: FormEditor::new(orgs),
            on_rows: false,
            next_serial,
            typed_here: Vec::new(),
        }
    }
}

/// The scope of the keys on this tab.
pub fn scope(app: &App) -> Scope {
    if app.entry.on_rows {
        Scope::EntryRows
    } else {
        Scope::EntrySerial
    }
}

/// Re-checks whether the serial in the field is taken (one indexed look-up).
pub fn refresh_serial(app: &mut App) {
    let taken = app
        .entry
        .serial
        .parse::<u64>()
        .ok()
        .map(|serial| matches!(app.meeting.store.ballot(serial), Ok(Some(_))));
    app.entry.serial_taken = taken.unwrap_or(false);
}

/// After the store changed (an import, another window): a serial the UI suggested follows
/// the store, as it would on opening (the next after the highest); one the clerk typed stays
/// and is only re-checked.
pub fn follow_store(app: &mut App) {
    if app.entry.suggested && !app.entry.on_rows {
        match app.meeting.store.max_serial() {
            Ok(max) => suggest(app, max + 1),
            Err(e) => app.fail(&e),
        }
    } else {
        refresh_serial(app);
    }
}

fn suggest(app: &mut App, serial: u64) {
    app.entry.next_serial = serial;
    app.entry.serial = serial.to_string();
    app.entry.suggested = true;
    refresh_serial(app);
}

/// Handles a key of the Entry tab.
pub fn handle(app: &mut App, action: Action) {
    if app.entry.on_rows {
        rows_key(app, action);
    } else {
        serial_key(app, action);
    }
}

fn serial_key(app: &mut App, action: Action) {
    let entry = &mut app.entry;
    match action {
        Action::Digit(d) => {
            if std::mem::take(&mut entry.suggested) {
                entry.serial.clear();
            }
            // No serial has more digits than the largest; no paper form more than a handful.
            let digits = crate::limits::MAX_SERIAL.to_string().len();
            if entry.serial.len() < digits && !(entry.serial.is_empty() && d == 0) {
                entry.serial.push(char::from(b'0' + d));
            }
            refresh_serial(app);
        }
        Action::Erase => {
            if std::mem::take(&mut entry.suggested) {
                entry.serial.clear();
            } else {
                entry.serial.pop();
            }
            refresh_serial(app);
        }
        Action::Accept => accept_serial(app),
        Action::CycleGroup => cycle_group(app),
        Action::Undo => ask_undo(app),
        _ => {}
    }
}

fn accept_serial(app: &mut App) {
    if app.refuse_when_final() {
        return;
    }
    let Some(serial) = app.entry.serial.parse::<u64>().ok().filter(|&s| s > 0) else {
        app.warn(S::SerialNeeded);
        return;
    };
    refresh_serial(app);
    if app.entry.serial_taken {
        app.warn_text(strings::serial_taken(serial));
        return;
    }
    app.entry.suggested = false;
    app.entry.on_rows = true;
}

fn cycle_group(app: &mut App) {
    let groups = app.meeting.config.groups.len();
    if groups == 0 {
        app.warn(S::NoGroups);
        return;
    }
    app.entry.group = match app.entry.group {
        None => Some(0),
        Some(g) if g + 1 < groups => Some(g + 1),
        Some(_) => None,
    };
}

fn rows_key(app: &mut App, action: Action) {
    let form = &mut app.entry.form;
    match form.edit(action) {
        // Backspace on an empty first row goes back to the serial field.
        Some(Edited::SteppedBack(StepBack::LeftForm)) => app.entry.on_rows = false,
        Some(Edited::PastLastRow) => app.warn(S::FormComplete),
        Some(_) => {}
        None => other_rows_key(app, action),
    }
}

fn other_rows_key(app: &mut App, action: Action) {
    let form = &mut app.entry.form;
    match action {
        Action::Back => {
            form.fill_pending = false;
            app.entry.on_rows = false;
        }
        Action::Accept => {
            if form.untyped() == 0 {
                save(app);
            } else {
                app.overlay = Overlay::Confirm(Question::SaveWithBlanks);
            }
        }
        Action::CycleGroup => cycle_group(app),
        Action::Undo => ask_undo(app),
        _ => {}
    }
}

/// Saves the form (untyped rows blank) and opens the next one on its serial field.
pub fn save(app: &mut App) {
    if app.refuse_when_final() {
        return;
    }
    let Ok(serial) = app.entry.serial.parse::<u64>() else {
        app.entry.on_rows = false;
        app.warn(S::SerialNeeded);
        return;
    };
    let group = app
        .entry
        .group
        .map(|g| app.meeting.config.groups[g].id.clone());
    let ballot = Ballot {
        serial,
        group,
        marks: app.entry.form.marks_or_blank(),
    };
    match app.add_ballot(&ballot) {
        Ok(stored) => {
            app.entry.typed_here.push(serial);
            let config = &app.meeting.config;
            let verdict = validity(&stored.ballot.marks, &config.scale, &config.rules).err();
            let orgs = config.organizations.len();
            let text = strings::saved(serial, verdict.as_ref());
            if verdict.is_some() {
                app.warn_text(text);
            } else {
                app.inform(text);
            }
            app.entry.form = FormEditor::new(orgs);
            app.entry.on_rows = false;
            let mut next = serial + 1;
            while matches!(app.meeting.store.ballot(next), Ok(Some(_))) {
                next += 1;
            }
            suggest(app, next);
        }
        Err(e) => app.fail(&e),
    }
}

/// `u`: asks whether to withdraw the last form typed here that still counts.
fn ask_undo(app: &mut App) {
    if app.refuse_when_final() {
        return;
    }
    let last = app
        .entry
        .typed_here
        .iter()
        .rev()
        .copied()
        .find(|&serial| matches!(app.meeting.store.ballot(serial), Ok(Some(_))));
    match last {
        Some(serial) => app.overlay = Overlay::Confirm(Question::Undo(serial)),
        None => app.warn(S::NothingToUndo),
    }
}

/// Withdraws a form typed here as a keying mistake, once the clerk said yes.
pub fn undo(app: &mut App, serial: u64) {
    if app.refuse_when_final() {
        return;
    }
    let reason = S::ReasonUndo.get(app.lang).to_string();
    if let Err(e) = app.meeting.withdraw(serial, &reason) {
        app.fail(&e);
        return;
    }
    app.entry.typed_here.retain(|&s| s != serial);
    if let Err(e) = app.refresh() {
        app.fail(&e);
        return;
    }
    app.inform(strings::undone(serial));
    if !app.entry.form.touched() && !app.entry.on_rows {
        suggest(app, serial);
    } else {
        refresh_serial(app);
    }
}

/// Draws the Entry tab: the rows on the left, the serial, group and running counts on the
/// right.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let config = &app.meeting.config;
    let [rows_area, side] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(34)]).areas(area);
    form::render_rows(
        frame,
        rows_area,
        config,
        lang,
        &app.entry.form,
        app.entry.on_rows,
        None,
    );

    let entry = &app.entry;
    let mut lines = Vec::new();
    let serial_style = if !entry.on_rows {
        theme::cursor()
    } else {
        ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD)
    };
    let mut serial_line = vec![
        Span::raw(strings::label(lang, S::Serial)),
        Span::styled(format!(" {:<6}", entry.serial), serial_style),
    ];
    if entry.suggested && !entry.on_rows {
        serial_line.push(Span::styled(
            format!(" {}", S::Suggested.get(lang)),
            theme::dim(),
        ));
    }
    lines.push(Line::from(serial_line));
    if entry.serial_taken && !entry.on_rows {
        lines.push(Line::styled(S::SerialTakenShort.get(lang), theme::error()));
    }
    if !config.groups.is_empty() {
        let group = entry
            .group
            .map(|g| config.groups[g].label.as_str())
            .unwrap_or("-");
        lines.push(Line::from(vec![
            Span::raw(format!("{}{group} ", strings::label(lang, S::Group))),
            Span::styled("(g)", theme::key()),
        ]));
    }
    lines.push(Line::raw(""));
    lines.extend(form::count_lines(config, lang, &entry.form));
    lines.push(Line::raw(""));
    let hint = if !entry.on_rows {
        S::HintSerial
    } else if entry.form.fill_pending {
        S::HintFillPending
    } else if entry.form.untyped() == 0 {
        S::HintComplete
    } else {
        S::HintRows
    };
    let hint_style = if entry.form.fill_pending {
        theme::key()
    } else {
        theme::dim()
    };
    lines.push(Line::styled(hint.get(lang), hint_style));
    let panel = Paragraph::new(lines)
        .wrap(ratatui::widgets::Wrap { trim: true })
        .block(
            Block::new()
                .borders(Borders::LEFT)
                .title(Line::styled(S::Form.get(lang), theme::header())),
        );
    frame.render_widget(panel, side);
}
