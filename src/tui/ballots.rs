//! The Ballots tab: every stored ballot, to search, open, edit, withdraw (a keying mistake,
//! typed or imported) or set aside (a paper form declared void). Withdrawn and set-aside ones
//! stay listed, marked, with their reason; they are kept for the record and not changed.
//!
//! The list is read from the store when the tab is shown after a change, not on every key.
//! Each of these changes asks for a reason, which the store keeps in the audit log (an edit
//! also keeps the old marks in the ballot's history, and makes the ballot unverified again).

use super::app::{App, Overlay, Prompt, PromptKind};
use super::form::{self, FormEditor};
use super::keymap::{Action, Scope};
use super::strings::{self, S};
use super::theme;
use crate::model::{validity, Mark};
use crate::store::{Removed, StoredBallot};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

/// What the tab shows.
#[derive(Debug, Clone, Default)]
pub enum View {
    /// The list.
    #[default]
    List,
    /// The ballot under the cursor, opened.
    Detail {
        /// The row of the form under the cursor.
        row: usize,
    },
    /// The ballot under the cursor, being edited.
    Edit(FormEditor),
}

/// The Ballots tab's state.
#[derive(Debug, Clone, Default)]
pub struct BallotsState {
    /// Every ballot, in serial order, as last read.
    pub rows: Vec<StoredBallot>,
    /// For each row, how it left the count (withdrawn or set aside), if it did.
    pub removed: Vec<Option<Removed>>,
    /// The store changed since `rows` was read.
    pub stale: bool,
    /// Whether `rows` was ever read.
    pub loaded: bool,
    /// The ballot under the cursor.
    pub cursor: usize,
    /// What is shown.
    pub view: View,
}

/// The scope of the keys on this tab.
pub fn scope(app: &App) -> Scope {
    match app.ballots.view {
        View::List => Scope::BallotsList,
        View::Detail { .. } => Scope::BallotDetail,
        View::Edit(_) => Scope::BallotEdit,
    }
}

/// Whether an edit is under way.
pub fn half_typed(app: &App) -> bool {
    matches!(&app.ballots.view, View::Edit(form)
        if app.ballots.rows.get(app.ballots.cursor)
            .is_some_and(|b| form.marks_or_blank() != b.ballot.marks))
}

/// Reads the list again when the store changed since it was read.
pub fn refresh(app: &mut App) {
    if app.ballots.loaded && !app.ballots.stale {
        return;
    }
    match app.meeting.store.every_ballot() {
        Ok(rows) => {
            (app.ballots.rows, app.ballots.removed) = rows.into_iter().unzip();
            app.ballots.stale = false;
            app.ballots.loaded = true;
            app.ballots.cursor = app
                .ballots
                .cursor
                .min(app.ballots.rows.len().saturating_sub(1));
        }
        Err(e) => app.fail(&e),
    }
}

fn current(app: &App) -> Option<&StoredBallot> {
    app.ballots.rows.get(app.ballots.cursor)
}

/// Handles a key of the Ballots tab.
pub fn handle(app: &mut App, action: Action) {
    let count = app.ballots.rows.len();
    let move_cursor = |app: &mut App, delta: isize| {
        let last = count.saturating_sub(1) as isize;
        app.ballots.cursor = (app.ballots.cursor as isize + delta).clamp(0, last) as usize;
    };
    match app.ballots.view.clone() {
        View::List => match action {
            Action::Up => move_cursor(app, -1),
            Action::Down => move_cursor(app, 1),
            Action::PageUp => move_cursor(app, -10),
            Action::PageDown => move_cursor(app, 10),
            Action::Home => move_cursor(app, -(count as isize)),
            Action::End => move_cursor(app, count as isize),
            Action::Search => {
                app.overlay = Overlay::Prompt(Prompt {
                    kind: PromptKind::Search,
                    input: String::new(),
                })
            }
            Action::Accept if current(app).is_some() => {
                app.ballots.view = View::Detail { row: 0 };
            }
            Action::Edit => start_edit(app),
            Action::SetAside => ask_reason(app, PromptKind::SetAsideReason),
            Action::Withdraw => ask_reason(app, PromptKind::WithdrawReason),
            _ => {}
        },
        View::Detail { row } => {
            let orgs = app.meeting.config.organizations.len();
            match action {
                Action::Up => {
                    app.ballots.view = View::Detail {
                        row: row.saturating_sub(1),
                    }
                }
                Action::Down => {
                    app.ballots.view = View::Detail {
                        row: (row + 1).min(orgs.saturating_sub(1)),
                    }
                }
                Action::Edit => start_edit(app),
                Action::SetAside => ask_reason(app, PromptKind::SetAsideReason),
                Action::Withdraw => ask_reason(app, PromptKind::WithdrawReason),
                Action::Back => app.ballots.view = View::List,
                _ => {}
            }
        }
        View::Edit(mut form) => {
            let edited = form.edit(action).is_some();
            match action {
                _ if edited => {}
                Action::Back => {
                    app.ballots.view = View::Detail { row: form.cursor };
                    return;
                }
                Action::Accept => {
                    if let Some(stored) = current(app) {
                        let serial = stored.ballot.serial;
                        let marks = form.marks_or_blank();
                        if marks == stored.ballot.marks {
                            app.warn(S::NothingChanged);
                        } else {
                            app.overlay = Overlay::Prompt(Prompt {
                                kind: PromptKind::EditReason(serial, marks),
                                input: String::new(),
                            });
                        }
                    }
                }
                _ => {}
            }
            if let View::Edit(_) = app.ballots.view {
                app.ballots.view = View::Edit(form);
            }
        }
    }
}

/// Refuses a change to a withdrawn or set-aside ballot (kept for the record); true when
/// refused.
fn refuse_when_removed(app: &mut App) -> bool {
    let removed = app
        .ballots
        .removed
        .get(app.ballots.cursor)
        .cloned()
        .flatten();
    if let Some(removed) = removed {
        app.warn(if removed.withdrawn {
            S::WithdrawnKept
        } else {
            S::SetAsideKept
        });
        return true;
    }
    false
}

fn start_edit(app: &mut App) {
    if app.refuse_when_final() || refuse_when_removed(app) {
        return;
    }
    if let Some(stored) = current(app) {
        let form = FormEditor::prefilled(&stored.ballot.marks);
        app.ballots.view = View::Edit(form);
    }
}

fn ask_reason(app: &mut App, kind: fn(u64) -> PromptKind) {
    if app.refuse_when_final() || refuse_when_removed(app) {
        return;
    }
    if let Some(stored) = current(app) {
        app.overlay = Overlay::Prompt(Prompt {
            kind: kind(stored.ballot.serial),
            input: String::new(),
        });
    }
}

/// Moves the cursor to the ballot with the serial typed.
pub fn search(app: &mut App, input: &str) {
    let Ok(serial) = input.parse::<u64>() else {
        app.warn(S::SerialNeeded);
        return;
    };
    // The ballot that counts, else the last one kept under that serial.
    let ballots = &app.ballots;
    let found = (0..ballots.rows.len())
        .filter(|&i| ballots.rows[i].ballot.serial == serial)
        .max_by_key(|&i| ballots.removed[i].is_none());
    match found {
        Some(i) => {
            app.ballots.cursor = i;
            app.ballots.view = View::List;
        }
        None => app.warn_text(strings::no_such_serial(serial)),
    }
}

/// How a ballot leaves the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TakeOut {
    /// A keying mistake: no paper behind it, no longer collected.
    Withdraw,
    /// A paper form declared void: still collected.
    SetAside,
}

/// Withdraws or sets aside a ballot with the reason given.
pub fn take_out(app: &mut App, serial: u64, reason: &str, how: TakeOut) {
    if reason.is_empty() {
        app.warn(S::ReasonNeeded);
        return;
    }
    let done = match how {
        TakeOut::Withdraw => app.meeting.withdraw(serial, reason),
        TakeOut::SetAside => app.meeting.set_aside(serial, reason),
    };
    if let Err(e) = done.and_then(|_| app.refresh()) {
        app.fail(&e);
        return;
    }
    app.inform(match how {
        TakeOut::Withdraw => strings::withdrawn(serial),
        TakeOut::SetAside => strings::set_aside(serial),
    });
    app.ballots.view = View::List;
    super::entry::refresh_serial(app);
    refresh(app);
}

/// Saves an edit with the reason given.
pub fn save_edit(app: &mut App, serial: u64, marks: &[Mark], reason: &str) {
    if reason.is_empty() {
        app.warn(S::ReasonNeeded);
        return;
    }
    match app.edit_ballot(serial, marks, reason) {
        Ok(()) => {
            app.inform(strings::edited(serial));
            app.ballots.view = View::Detail { row: 0 };
            refresh(app);
        }
        Err(e) => app.fail(&e),
    }
}

/// Draws the Ballots tab.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    match &app.ballots.view {
        View::List => render_list(app, frame, area),
        View::Detail { row } => {
            let Some(stored) = current(app) else { return };
            let mut form = FormEditor::prefilled(&stored.ballot.marks);
            form.cursor = *row;
            render_ballot(app, frame, area, stored, &form);
        }
        View::Edit(form) => {
            let Some(stored) = current(app) else { return };
            render_ballot(app, frame, area, stored, form);
        }
    }
}

fn render_list(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let config = &app.meeting.config;
    let rows = &app.ballots.rows;
    let height = area.height.saturating_sub(1) as usize;
    let offset = form::scroll_offset(app.ballots.cursor, rows.len(), height);
    let header = Row::new(vec![
        Cell::from(S::Serial.get(lang)),
        Cell::from(S::Group.get(lang)),
        Cell::from(S::Validity.get(lang)),
        Cell::from(S::Source.get(lang)),
        Cell::from(S::VerifiedColumn.get(lang)),
    ])
    .style(theme::header());
    // Only the rows in view are formatted: the list may hold thousands.
    let visible = rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height.max(1))
        .map(|(i, stored)| {
            let verdict = validity(&stored.ballot.marks, &config.scale, &config.rules);
            let removed = app.ballots.removed.get(i).cloned().flatten();
            let (text, style) = match (&removed, &verdict) {
                (Some(removed), _) => (
                    strings::removed(lang, removed.withdrawn, &removed.reason),
                    theme::dim(),
                ),
                (None, Ok(())) => (S::Valid.get(lang).to_string(), theme::ok()),
                (None, Err(reason)) => (
                    format!(
                        "{}{}",
                        strings::label(lang, S::Invalid),
                        reason.message(lang)
                    ),
                    theme::error(),
                ),
            };
            let row = Row::new(vec![
                Cell::from(stored.ballot.serial.to_string()),
                Cell::from(stored.ballot.group.clone().unwrap_or_else(|| "-".into())),
                Cell::from(text).style(style),
                Cell::from(strings::source(lang, &stored.source)),
                Cell::from(state_mark(stored)),
            ]);
            if i == app.ballots.cursor {
                row.style(theme::cursor())
            } else {
                row
            }
        });
    let widths = [
        Constraint::Length(7),
        Constraint::Length(10),
        Constraint::Fill(1),
        Constraint::Length(8),
        Constraint::Length(8),
    ];
    let table = Table::new(visible, widths).header(header);
    if rows.is_empty() {
        let [head, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        frame.render_widget(table, head);
        frame.render_widget(
            Paragraph::new(S::NoBallots.get(lang)).style(theme::dim()),
            rest,
        );
    } else {
        frame.render_stateful_widget(table, area, &mut TableState::default());
    }
}

fn render_ballot(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    stored: &StoredBallot,
    form: &FormEditor,
) {
    let lang = app.lang;
    let config = &app.meeting.config;
    let [rows_area, side] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(34)]).areas(area);
    form::render_rows(frame, rows_area, config, lang, form, true, None);
    let editing = matches!(app.ballots.view, View::Edit(_));
    let mut lines = vec![
        Line::styled(
            format!("{} {}", S::Ballot.get(lang), stored.ballot.serial),
            theme::header(),
        ),
        Line::raw(format!(
            "{}{}",
            strings::label(lang, S::Group),
            stored.ballot.group.as_deref().unwrap_or("-")
        )),
        Line::raw(format!(
            "{}{}",
            strings::label(lang, S::Source),
            strings::source(lang, &stored.source)
        )),
        Line::raw(format!(
            "{}{}",
            strings::label(lang, S::VerifiedColumn),
            state_mark(stored)
        )),
        Line::raw(stored.created_at.clone()),
        Line::raw(""),
    ];
    lines.extend(form::count_lines(config, lang, form));
    if editing {
        lines.push(Line::raw(""));
        lines.push(Line::styled(S::HintEditing.get(lang), theme::key()));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), side);
}

/// The verification column: verified ✓, disputed ≠, waiting ·.
fn state_mark(stored: &StoredBallot) -> &'static str {
    if stored.verified_at.is_some() {
        "✓"
    } else if stored.disputed {
        "≠"
    } else {
        "·"
    }
}
