//! The Verify tab: double entry.
//!
//! The clerk (or a second clerk) keys a form again by its serial without seeing the first
//! entry. When both agree the ballot is marked verified; when they differ both are shown side
//! by side with the differing organizations marked, and the clerk keeps one or corrects the
//! form. Keeping the second entry or a correction is an audited edit with its reason.

use super::app::App;
use super::form::{self, FormEditor};
use super::keymap::{Action, Scope};
use super::strings::{self, S};
use super::theme;
use crate::model::Mark;
use crate::store::StoredBallot;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// Where the second entry stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Typing the serial of the form to verify.
    Serial,
    /// Keying the form again; the first entry is held but not shown.
    Rows {
        /// The ballot as first entered.
        first: Box<StoredBallot>,
        /// The clerk is correcting after a mismatch (Enter saves the correction).
        correcting: bool,
    },
    /// The two entries differ: shown side by side.
    Mismatch {
        /// The ballot as first entered.
        first: Box<StoredBallot>,
    },
}

/// The Verify tab's state.
#[derive(Debug, Clone)]
pub struct VerifyState {
    /// The serial field.
    pub serial: String,
    /// The stage.
    pub stage: Stage,
    /// The second entry.
    pub form: FormEditor,
}

impl VerifyState {
    /// Waiting for a serial.
    pub fn new(orgs: usize) -> VerifyState {
        VerifyState {
            serial: String::new(),
            stage: Stage::Serial,
            form: FormEditor::new(orgs),
        }
    }
}

/// The scope of the keys on this tab.
pub fn scope(app: &App) -> Scope {
    match app.verify.stage {
        Stage::Serial => Scope::VerifySerial,
        Stage::Rows { .. } => Scope::VerifyRows,
        Stage::Mismatch { .. } => Scope::VerifyMismatch,
    }
}

/// Whether a second entry is under way.
pub fn half_typed(app: &App) -> bool {
    !matches!(app.verify.stage, Stage::Serial) && app.verify.form.touched()
}

fn reset(app: &mut App) {
    let orgs = app.meeting.config.organizations.len();
    app.verify = VerifyState::new(orgs);
}

/// Handles a key of the Verify tab.
pub fn handle(app: &mut App, action: Action) {
    match app.verify.stage.clone() {
        Stage::Serial => match action {
            Action::Digit(d)
                if app.verify.serial.len() < 18 && !(app.verify.serial.is_empty() && d == 0) =>
            {
                app.verify.serial.push(char::from(b'0' + d));
            }
            Action::Erase => {
                app.verify.serial.pop();
            }
            Action::Accept => start(app),
            _ => {}
        },
        Stage::Rows { first, correcting } => {
            let form = &mut app.verify.form;
            if form.edit(action).is_some() {
                return;
            }
            match action {
                Action::Back => reset(app),
                Action::Accept => {
                    let untyped = form.untyped();
                    if untyped > 0 {
                        app.warn_text(strings::rows_to_go_text(untyped));
                    } else if correcting {
                        keep(app, &first, false);
                    } else {
                        compare(app, *first);
                    }
                }
                _ => {}
            }
        }
        Stage::Mismatch { first } => match action {
            Action::KeepFirst => keep(app, &first, true),
            Action::KeepSecond => keep(app, &first, false),
            Action::Correct => {
                app.verify.form.cursor = app
                    .verify
                    .form
                    .first_difference(&first.ballot.marks)
                    .unwrap_or(0);
                app.verify.stage = Stage::Rows {
                    first,
                    correcting: true,
                };
            }
            Action::Up => app.verify.form.move_by(-1),
            Action::Down => app.verify.form.move_by(1),
            Action::Back => reset(app),
            _ => {}
        },
    }
}

fn start(app: &mut App) {
    if app.refuse_when_final() {
        return;
    }
    let Some(serial) = app.verify.serial.parse::<u64>().ok() else {
        app.warn(S::SerialNeeded);
        return;
    };
    match app.meeting.store.ballot(serial) {
        Ok(Some(first)) => {
            if first.verified_at.is_some() {
                app.inform(strings::already_verified(serial));
            }
            app.verify.form = FormEditor::new(app.meeting.config.organizations.len());
            app.verify.stage = Stage::Rows {
                first: Box::new(first),
                correcting: false,
            };
        }
        Ok(None) => app.warn_text(strings::no_such_serial(serial)),
        Err(e) => app.fail(&e),
    }
}

fn compare(app: &mut App, first: StoredBallot) {
    let second = app.verify.form.marks_or_blank();
    if second == first.ballot.marks {
        match app.mark_verified(&first) {
            Ok(()) => {
                app.inform(strings::verified(first.ballot.serial));
                reset(app);
            }
            Err(e) => app.fail(&e),
        }
    } else {
        app.verify.form.cursor = app
            .verify
            .form
            .first_difference(&first.ballot.marks)
            .unwrap_or(0);
        app.warn_text(strings::mismatch(
            first.ballot.serial,
            first
                .ballot
                .marks
                .iter()
                .zip(&second)
                .filter(|(a, b)| a != b)
                .count(),
        ));
        app.verify.stage = Stage::Mismatch {
            first: Box::new(first),
        };
    }
}

/// Ends a mismatch: the first entry stays (`keep_first`), or the second entry (possibly
/// corrected) replaces it through an audited edit; either way the ballot is verified.
fn keep(app: &mut App, first: &StoredBallot, keep_first: bool) {
    if app.refuse_when_final() {
        return;
    }
    let serial = first.ballot.serial;
    if !keep_first {
        let marks = app.verify.form.marks_or_blank();
        if marks != first.ballot.marks {
            let reason = S::ReasonSecondEntry.get(app.lang).to_string();
            if let Err(e) = app.edit_ballot(serial, &marks, &reason) {
                app.fail(&e);
                return;
            }
        }
    }
    let current = match app.meeting.store.ballot(serial) {
        Ok(Some(current)) => current,
        Ok(None) => {
            app.warn_text(strings::no_such_serial(serial));
            return;
        }
        Err(e) => {
            app.fail(&e);
            return;
        }
    };
    match app.mark_verified(&current) {
        Ok(()) => {
            app.inform(if keep_first {
                strings::kept_first(serial)
            } else {
                strings::kept_second(serial)
            });
            reset(app);
        }
        Err(e) => app.fail(&e),
    }
}

/// Draws the Verify tab.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let lang = app.lang;
    let config = &app.meeting.config;
    let [rows_area, side] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(34)]).areas(area);
    let verify = &app.verify;
    let mut lines = vec![Line::styled(
        strings::verified_progress(lang, app.counts.verified, app.counts.collected),
        theme::ok(),
    )];
    lines.push(Line::raw(""));
    match &verify.stage {
        Stage::Serial => {
            lines.push(Line::from(vec![
                Span::raw(strings::label(lang, S::Serial)),
                Span::styled(format!(" {:<6}", verify.serial), theme::cursor()),
            ]));
            lines.push(Line::raw(""));
            lines.push(Line::styled(S::HintVerifySerial.get(lang), theme::dim()));
            let hidden = FormEditor::new(config.organizations.len());
            form::render_rows(frame, rows_area, config, lang, &hidden, false, None);
        }
        Stage::Rows { first, correcting } => {
            lines.push(Line::raw(format!(
                "{}{}",
                strings::label(lang, S::Serial),
                first.ballot.serial
            )));
            lines.push(Line::styled(
                if *correcting {
                    S::HintCorrecting.get(lang)
                } else {
                    S::HintVerifyRows.get(lang)
                },
                theme::dim(),
            ));
            lines.push(Line::raw(""));
            lines.extend(form::count_lines(config, lang, &verify.form));
            form::render_rows(frame, rows_area, config, lang, &verify.form, true, None);
        }
        Stage::Mismatch { first } => {
            lines.push(Line::raw(format!(
                "{}{}",
                strings::label(lang, S::Serial),
                first.ballot.serial
            )));
            let differing = verify
                .form
                .marks
                .iter()
                .zip(&first.ballot.marks)
                .filter(|(a, b)| a.unwrap_or(Mark::Blank) != **b)
                .count();
            lines.push(Line::styled(
                strings::differing_rows(lang, differing),
                theme::mismatch(),
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(S::HintMismatch.get(lang), theme::dim()));
            form::render_rows(
                frame,
                rows_area,
                config,
                lang,
                &verify.form,
                true,
                Some((&first.ballot.marks, S::FirstEntry, S::SecondEntry)),
            );
        }
    }
    let panel = Paragraph::new(lines).wrap(Wrap { trim: true }).block(
        Block::new()
            .borders(Borders::LEFT)
            .title(Line::styled(S::SecondEntryTitle.get(lang), theme::header())),
    );
    frame.render_widget(panel, side);
}
