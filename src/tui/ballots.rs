//! The Ballots tab: every stored ballot, to search, open, edit, withdraw (a keying mistake,
//! typed or imported) or set aside (a paper form declared void). Withdrawn and set-aside ones
//! stay listed, marked, with their reason; they are kept for the record and not changed.
//!
//! The list is read a page at a time around the cursor ([`Paged`], through
//! [`Meeting::ballots_page`]), so a key answers as fast over 100,000 ballots as over ten; it
//! is read again around the cursor when the tab is shown after a change. Enter on an open
//! ballot (or `h`) shows its history, `l` the audit log ([`super::review`]).
//! Each of these changes asks for a reason, which the store keeps in the audit log (an edit
//! also keeps the old marks in the ballot's history, and makes the ballot unverified again).

use super::form::{self, FormEditor};
use super::keymap::{Action, Scope};
use super::paged::Paged;
use super::review::{self, AuditState, HistoryState};
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Context, PromptKind, Question, Shown};
use crate::error::{Error, Result};
use crate::meeting::Meeting;
use crate::model::{validity, Mark};
use crate::store::{BallotKey, Removed, StoredBallot};
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
    /// The history of the ballot under the cursor.
    History(HistoryState),
    /// The audit log.
    Audit(Box<AuditState>),
}

/// A row of the list: the ballot, and how it left the count if it did.
type ListRow = (StoredBallot, Option<Removed>);

fn key_of(row: &ListRow) -> BallotKey {
    row.0.key()
}

/// The Ballots tab's state.
#[derive(Debug, Clone, Default)]
pub struct BallotsState {
    /// The ballots around the cursor, in serial order, as last read, each with how it left
    /// the count (withdrawn or set aside), if it did.
    pub list: Paged<ListRow>,
    /// The store changed since the list was read.
    pub stale: bool,
    /// Whether the list was ever read.
    pub loaded: bool,
    /// What is shown.
    pub view: View,
}

impl BallotsState {
    /// The scope of the keys on this tab.
    pub fn scope(&self) -> Scope {
        match self.view {
            View::List => Scope::BallotsList,
            View::Detail { .. } => Scope::BallotDetail,
            View::Edit(_) => Scope::BallotEdit,
            View::History(_) => Scope::BallotHistory,
            View::Audit(_) => Scope::AuditLog,
        }
    }

    /// Whether an edit is under way.
    pub fn half_typed(&self) -> bool {
        matches!(&self.view, View::Edit(form)
            if self.current().is_some_and(|b| form.marks_or_blank() != b.ballot.marks))
    }

    /// Reads the page around the cursor again when the store changed since it was read.
    pub fn refresh(&mut self, meeting: &Meeting) -> Result<()> {
        if self.loaded && !self.stale {
            return Ok(());
        }
        self.list.reread(key_of, &mut |key, direction, limit| {
            meeting.ballots_page(key, direction, limit)
        })?;
        self.stale = false;
        self.loaded = true;
        Ok(())
    }

    /// The ballot under the cursor.
    pub fn current(&self) -> Option<&StoredBallot> {
        self.list.current().map(|(stored, _)| stored)
    }

    /// Moves the cursor, reading on when it nears the edge of the page read.
    fn move_cursor(&mut self, action: Action, cx: &mut Context) {
        let meeting: &Meeting = cx.meeting;
        let mut fetch = |key, direction, limit| meeting.ballots_page(key, direction, limit);
        let moved = match action {
            Action::Up => self.list.step(-1, key_of, &mut fetch),
            Action::Down => self.list.step(1, key_of, &mut fetch),
            Action::PageUp => self.list.step(-10, key_of, &mut fetch),
            Action::PageDown => self.list.step(10, key_of, &mut fetch),
            Action::Home => self.list.first(&mut fetch),
            _ => self.list.last(&mut fetch),
        };
        if let Err(e) = moved {
            cx.fail(&e);
        }
    }

    fn show_history(&mut self, cx: &mut Context) {
        let Some(stored) = self.current() else {
            return;
        };
        match HistoryState::read(cx.meeting, stored.ballot.serial, stored.id) {
            Ok(history) => self.view = View::History(history),
            Err(e) => cx.fail(&e),
        }
    }

    /// Handles a key of the Ballots tab.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        if let View::Audit(audit) = &mut self.view {
            match action {
                Action::Back => self.view = View::List,
                Action::Search => cx.ask(PromptKind::Search),
                _ => audit.handle(action, cx),
            }
            return;
        }
        if let View::History(history) = &mut self.view {
            match action {
                Action::Back => self.view = View::List,
                _ => history.handle(action),
            }
            return;
        }
        match self.view.clone() {
            View::List => match action {
                Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Home
                | Action::End => self.move_cursor(action, cx),
                Action::Search => cx.ask(PromptKind::Search),
                Action::Accept if self.current().is_some() => {
                    self.view = View::Detail { row: 0 };
                }
                Action::ShowHistory => self.show_history(cx),
                Action::ShowAuditLog => match AuditState::open(cx.meeting) {
                    Ok(audit) => self.view = View::Audit(Box::new(audit)),
                    Err(e) => cx.fail(&e),
                },
                Action::Edit => self.start_edit(cx),
                Action::SetAside => self.ask_reason(cx, PromptKind::SetAsideReason),
                Action::Withdraw => self.ask_reason(cx, PromptKind::WithdrawReason),
                _ => {}
            },
            View::Detail { row } => {
                let orgs = cx.config().organizations.len();
                match action {
                    Action::Up => {
                        self.view = View::Detail {
                            row: row.saturating_sub(1),
                        }
                    }
                    Action::Down => {
                        self.view = View::Detail {
                            row: (row + 1).min(orgs.saturating_sub(1)),
                        }
                    }
                    Action::Edit => self.start_edit(cx),
                    Action::ShowHistory => self.show_history(cx),
                    Action::SetAside => self.ask_reason(cx, PromptKind::SetAsideReason),
                    Action::Withdraw => self.ask_reason(cx, PromptKind::WithdrawReason),
                    Action::Back => self.view = View::List,
                    _ => {}
                }
            }
            View::Edit(mut form) => {
                let edited = form.edit(action).is_some();
                match action {
                    _ if edited => {}
                    Action::Back if self.half_typed() => {
                        cx.confirm(Question::Discard);
                    }
                    Action::Back => {
                        self.view = View::Detail { row: form.cursor };
                        return;
                    }
                    Action::Accept => {
                        if let Some(stored) = self.current() {
                            let serial = stored.ballot.serial;
                            let marks = form.marks_or_blank();
                            if marks == stored.ballot.marks {
                                cx.warn(S::NothingChanged);
                            } else {
                                cx.ask(PromptKind::EditReason(serial, marks));
                            }
                        }
                    }
                    _ => {}
                }
                if let View::Edit(_) = self.view {
                    self.view = View::Edit(form);
                }
            }
            View::History(_) | View::Audit(_) => {}
        }
    }

    /// Leaves an edit for the ballot's detail, discarding the marks changed.
    pub fn discard(&mut self) {
        if let View::Edit(form) = &self.view {
            self.view = View::Detail { row: form.cursor };
        }
    }

    /// Refuses a change to a withdrawn or set-aside ballot (kept for the record); true when
    /// refused.
    fn refuse_when_removed(&self, cx: &mut Context) -> bool {
        let removed = self.list.current().and_then(|(_, removed)| removed.clone());
        if let Some(removed) = removed {
            cx.warn(if removed.withdrawn {
                S::WithdrawnKept
            } else {
                S::SetAsideKept
            });
            return true;
        }
        false
    }

    fn start_edit(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() || self.refuse_when_removed(cx) {
            return;
        }
        if let Some(stored) = self.current() {
            let form = FormEditor::prefilled(&stored.ballot.marks);
            self.view = View::Edit(form);
        }
    }

    fn ask_reason(&mut self, cx: &mut Context, kind: fn(u64) -> PromptKind) {
        if cx.refuse_when_final() || self.refuse_when_removed(cx) {
            return;
        }
        if let Some(stored) = self.current() {
            cx.ask(kind(stored.ballot.serial));
        }
    }

    /// Moves the cursor to the ballot with the serial typed (the one that counts, else the
    /// last one kept under that serial); in the audit log, shows only its entries.
    pub fn search(&mut self, input: &str, cx: &mut Context) {
        if let View::Audit(audit) = &mut self.view {
            audit.filter_serial(input, cx);
            return;
        }
        let Ok(serial) = input.parse::<u64>() else {
            cx.warn(S::SerialNeeded);
            return;
        };
        let meeting: &Meeting = cx.meeting;
        let found = meeting.find_serial(serial).and_then(|key| {
            let Some(key) = key else {
                return Ok(false);
            };
            self.list
                .around(key, key_of, &mut |key, direction, limit| {
                    meeting.ballots_page(key, direction, limit)
                })?;
            Ok(true)
        });
        match found {
            Ok(true) => self.view = View::List,
            Ok(false) => cx.warn_text(strings::no_such_serial(serial)),
            Err(e) => cx.fail(&e),
        }
    }

    /// Withdraws or sets aside a ballot with the reason given.
    pub fn take_out(&mut self, serial: u64, reason: &str, how: TakeOut, cx: &mut Context) {
        if reason.is_empty() {
            cx.warn(S::ReasonNeeded);
            return;
        }
        let done = match how {
            TakeOut::Withdraw => cx.meeting.withdraw(serial, reason),
            TakeOut::SetAside => cx.meeting.set_aside(serial, reason),
        };
        if let Err(e) = done {
            cx.fail(&e);
            return;
        }
        cx.refresh();
        cx.inform(match how {
            TakeOut::Withdraw => strings::withdrawn(serial),
            TakeOut::SetAside => strings::set_aside(serial),
        });
        self.view = View::List;
    }

    /// Saves an edit with the reason given: the marks are replaced (audited, with the
    /// ballot's history kept) and the ballot is counted again.
    pub fn save_edit(&mut self, serial: u64, marks: &[Mark], reason: &str, cx: &mut Context) {
        if reason.is_empty() {
            cx.warn(S::ReasonNeeded);
            return;
        }
        let edited = cx.meeting.store.ballot(serial).and_then(|old| {
            let old = old.ok_or_else(|| Error::Internal(format!("ballot {serial} vanished")))?;
            cx.meeting
                .edit(serial, marks, old.ballot.group.as_deref(), reason)
        });
        match edited {
            Ok(_) => {
                cx.refresh();
                cx.inform(strings::edited(serial));
                self.view = View::Detail { row: 0 };
            }
            Err(e) => cx.fail(&e),
        }
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

/// Draws the Ballots tab.
pub fn render(ballots: &BallotsState, shown: &Shown, frame: &mut Frame, area: Rect) {
    match &ballots.view {
        View::List => render_list(ballots, shown, frame, area),
        View::Detail { row } => {
            let Some(stored) = ballots.current() else {
                return;
            };
            let mut form = FormEditor::prefilled(&stored.ballot.marks);
            form.cursor = *row;
            render_ballot(shown, frame, area, stored, &form, false);
        }
        View::Edit(form) => {
            let Some(stored) = ballots.current() else {
                return;
            };
            render_ballot(shown, frame, area, stored, form, true);
        }
        View::History(history) => review::render_history(history, shown, frame, area),
        View::Audit(audit) => review::render_audit(audit, shown, frame, area),
    }
}

fn render_list(ballots: &BallotsState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let config = shown.config;
    let rows = &ballots.list.rows;
    let height = area.height.saturating_sub(1) as usize;
    let offset = form::scroll_offset(ballots.list.cursor, rows.len(), height);
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
        .map(|(i, (stored, removed))| {
            let verdict = validity(&stored.ballot.marks, &config.scale, &config.rules);
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
                        reason.message(&config.scale, lang)
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
            if i == ballots.list.cursor {
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
    shown: &Shown,
    frame: &mut Frame,
    area: Rect,
    stored: &StoredBallot,
    form: &FormEditor,
    editing: bool,
) {
    let lang = shown.lang;
    let config = shown.config;
    let [rows_area, side] = form::split(area);
    form::render_rows(frame, rows_area, config, lang, form, true, None);
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
        // Stored in UTC, shown in local time.
        Line::raw(
            shown
                .store
                .local_time(&stored.created_at)
                .unwrap_or_else(|_| stored.created_at.clone()),
        ),
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
