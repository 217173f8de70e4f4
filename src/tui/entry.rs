//! The Entry tab: typing paper forms, one keystroke per organization.
//!
//! A form opens on its serial field, prefilled with the next free serial; digits type another
//! and a serial already in the meeting is refused before a single row is typed. Then each key
//! marks one row and moves on; Enter saves the form durably and opens the next one.

use super::form::{self, Edited, FormEditor, StepBack};
use super::keymap::{Action, Scope};
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Context, Effect, Question, Shown};
use crate::meeting::Meeting;
use crate::model::{validity, Ballot};
use crate::store::Source;
use ratatui::layout::Rect;
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
    /// Saving the form found the meeting's database unreachable: it is kept as typed and
    /// saved once the database answers, unless the clerk changes it first.
    pub save_waiting: bool,
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
            save_waiting: false,
        }
    }

    /// The scope of the keys on this tab.
    pub fn scope(&self) -> Scope {
        if self.on_rows {
            Scope::EntryRows
        } else {
            Scope::EntrySerial
        }
    }

    /// Whether the form holds typed rows that are not saved.
    pub fn half_typed(&self) -> bool {
        self.form.touched()
    }

    /// Re-checks whether the serial in the field is taken (one indexed look-up).
    pub fn refresh_serial(&mut self, meeting: &Meeting) {
        let taken = self
            .serial
            .parse::<u64>()
            .ok()
            .map(|serial| matches!(meeting.store.ballot(serial), Ok(Some(_))));
        self.serial_taken = taken.unwrap_or(false);
    }

    /// After the store changed (an import, another window): a serial the UI suggested
    /// follows the store, as it would on opening (the next after the highest); one the clerk
    /// typed stays and is only re-checked.
    pub fn follow_store(&mut self, cx: &mut Context) {
        if self.suggested && !self.on_rows {
            match cx.meeting.store.max_serial() {
                Ok(max) => self.suggest(cx.meeting, max + 1),
                Err(e) => cx.fail(&e),
            }
        } else {
            self.refresh_serial(cx.meeting);
        }
    }

    fn suggest(&mut self, meeting: &Meeting, serial: u64) {
        self.next_serial = serial;
        self.serial = serial.to_string();
        self.suggested = true;
        self.refresh_serial(meeting);
    }

    /// Saves the form that waited for the database to answer, if it still waits.
    pub fn save_what_waited(&mut self, cx: &mut Context) {
        if std::mem::take(&mut self.save_waiting) {
            self.save(cx);
        }
    }

    /// Handles a key of the Entry tab.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        // A key changes or saves the form: it no longer waits to be saved as it was.
        self.save_waiting = false;
        if self.on_rows {
            self.rows_key(action, cx);
        } else {
            self.serial_key(action, cx);
        }
    }

    fn serial_key(&mut self, action: Action, cx: &mut Context) {
        match action {
            Action::Digit(d) => {
                if std::mem::take(&mut self.suggested) {
                    self.serial.clear();
                }
                // No serial has more digits than the largest; no paper form more than a handful.
                let digits = crate::limits::MAX_SERIAL.to_string().len();
                if self.serial.len() < digits && !(self.serial.is_empty() && d == 0) {
                    self.serial.push(char::from(b'0' + d));
                }
                self.refresh_serial(cx.meeting);
            }
            Action::Erase => {
                if std::mem::take(&mut self.suggested) {
                    self.serial.clear();
                } else {
                    self.serial.pop();
                }
                self.refresh_serial(cx.meeting);
            }
            Action::Accept => self.accept_serial(cx),
            Action::CycleGroup => self.cycle_group(cx),
            Action::Undo => ask_undo(cx),
            _ => {}
        }
    }

    fn accept_serial(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        let Some(serial) = self.serial.parse::<u64>().ok().filter(|&s| s > 0) else {
            cx.warn(S::SerialNeeded);
            return;
        };
        self.refresh_serial(cx.meeting);
        if self.serial_taken {
            cx.warn_text(strings::serial_taken(serial));
            return;
        }
        self.suggested = false;
        self.on_rows = true;
    }

    fn cycle_group(&mut self, cx: &mut Context) {
        let groups = cx.config().groups.len();
        if groups == 0 {
            cx.warn(S::NoGroups);
            return;
        }
        self.group = match self.group {
            None => Some(0),
            Some(g) if g + 1 < groups => Some(g + 1),
            Some(_) => None,
        };
    }

    fn rows_key(&mut self, action: Action, cx: &mut Context) {
        match self.form.edit(action) {
            // Backspace on an empty first row goes back to the serial field.
            Some(Edited::SteppedBack(StepBack::LeftForm)) => self.on_rows = false,
            Some(Edited::PastLastRow) => cx.warn(S::FormComplete),
            Some(_) => {}
            None => self.other_rows_key(action, cx),
        }
    }

    fn other_rows_key(&mut self, action: Action, cx: &mut Context) {
        match action {
            // Esc leaves the form; rows typed and not saved are discarded only once the
            // clerk says so, as q and Ctrl-C ask.
            Action::Back if self.form.touched() => cx.confirm(Question::Discard),
            Action::Back => self.discard(cx),
            Action::Accept => {
                if self.form.untyped() == 0 {
                    self.save(cx);
                } else {
                    cx.confirm(Question::SaveWithBlanks);
                }
            }
            Action::CycleGroup => self.cycle_group(cx),
            Action::Undo => ask_undo(cx),
            _ => {}
        }
    }

    /// Leaves the rows for the serial field, discarding what was typed on them.
    pub fn discard(&mut self, cx: &mut Context) {
        self.form = FormEditor::new(cx.config().organizations.len());
        self.on_rows = false;
    }

    /// Saves the form (untyped rows blank) and opens the next one on its serial field.
    pub fn save(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        let Ok(serial) = self.serial.parse::<u64>() else {
            self.on_rows = false;
            cx.warn(S::SerialNeeded);
            return;
        };
        let group = self.group.map(|g| cx.config().groups[g].id.clone());
        let ballot = Ballot {
            serial,
            group,
            marks: self.form.marks_or_blank(),
        };
        match cx.meeting.add(&ballot, Source::Typed) {
            Ok(stored) => {
                cx.effect(Effect::Saved(serial));
                cx.refresh();
                let config = cx.config();
                let verdict = validity(&stored.ballot.marks, &config.scale, &config.rules).err();
                let orgs = config.organizations.len();
                let text = strings::saved(serial, verdict.as_ref(), &config.scale);
                if verdict.is_some() {
                    cx.warn_text(text);
                } else {
                    cx.inform(text);
                }
                self.form = FormEditor::new(orgs);
                self.on_rows = false;
                let mut next = serial + 1;
                while matches!(cx.meeting.store.ballot(next), Ok(Some(_))) {
                    next += 1;
                }
                self.suggest(cx.meeting, next);
            }
            Err(e) => {
                self.save_waiting = e.is_offline();
                cx.fail(&e);
            }
        }
    }

    /// Withdraws a form typed here as a keying mistake, once the clerk said yes.
    pub fn undo(&mut self, serial: u64, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        let reason = S::ReasonUndo.get(cx.lang).to_string();
        if let Err(e) = cx.meeting.withdraw(serial, &reason) {
            cx.fail(&e);
            return;
        }
        cx.effect(Effect::WithdrewTyped(serial));
        cx.refresh();
        cx.inform(strings::undone(serial));
        if !self.form.touched() && !self.on_rows {
            self.suggest(cx.meeting, serial);
        } else {
            self.refresh_serial(cx.meeting);
        }
    }
}

/// `u`: asks whether to withdraw the last form typed here that still counts.
fn ask_undo(cx: &mut Context) {
    if cx.refuse_when_final() {
        return;
    }
    let last = cx
        .typed_here
        .iter()
        .rev()
        .copied()
        .find(|&serial| matches!(cx.meeting.store.ballot(serial), Ok(Some(_))));
    match last {
        Some(serial) => cx.confirm(Question::Undo(serial)),
        None => cx.warn(S::NothingToUndo),
    }
}

/// Draws the Entry tab: the rows on the left, the serial, group and running counts on the
/// right.
pub fn render(entry: &EntryState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let config = shown.config;
    let [rows_area, side] = form::split(area);
    form::render_rows(
        frame,
        rows_area,
        config,
        lang,
        &entry.form,
        entry.on_rows,
        None,
    );

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
