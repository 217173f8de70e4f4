//! The Verify tab: the second, independent keying of a form, and the settling of a dispute.
//!
//! The clerk keys a form again by its serial (the next unverified one is suggested), its
//! voter group included, without seeing the first keying. Equal, the form is verified;
//! different, it is disputed — stored at once, so Esc or quitting leaves the dispute standing.
//! A dispute is settled only by keying the differing rows (and group) again from the paper,
//! with neither earlier reading shown, two readings of three deciding each; `t` starts that
//! reading, so no key typed ahead of the dispute settles anything. The steps are the use cases
//! of [`crate::meeting::ballots`]; this tab only keys and shows.

use super::form::{self, FormEditor};
use super::keymap::{Action, Scope};
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Context, PromptKind, Question, Shown};
use crate::ballot_state::{Dispute, Fields, Reading, State};
use crate::config::Config;
use crate::lang::Lang;
use crate::meeting::ballots::{serial_runs, Progress, Verification};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui::Frame;

/// How many serials each list of the panel holds.
const LISTED: usize = 60;

/// The voter group keyed: not yet, or a group (`None`: no group).
pub type GroupKeyed = Option<Option<usize>>;

/// Where the keying stands.
#[derive(Debug, Clone)]
pub enum Stage {
    /// Typing the serial of the form to verify.
    Serial,
    /// The second keying of the whole form; the first keying is not shown.
    Second {
        /// The form's serial.
        serial: u64,
        /// The group keyed.
        group: GroupKeyed,
    },
    /// The form is disputed over these fields; `t` starts keying them again.
    Disputed {
        /// The form's serial.
        serial: u64,
        /// What is disputed.
        dispute: Dispute,
    },
    /// Keying the disputed fields again from the paper, neither reading shown.
    Further {
        /// The form's serial.
        serial: u64,
        /// What is disputed: the rows keyed are its rows.
        dispute: Dispute,
        /// The group keyed, when the group is disputed.
        group: GroupKeyed,
    },
}

/// The Verify tab's state.
#[derive(Debug, Clone)]
pub struct VerifyState {
    /// The serial field.
    pub serial: String,
    /// The serial field holds the suggestion; the first digit typed replaces it.
    pub suggested: bool,
    /// The stage.
    pub stage: Stage,
    /// The keying under way: the whole form, or the disputed rows.
    pub form: FormEditor,
    /// What is left to verify, as last read.
    pub progress: Option<Progress>,
    /// The clerk was asked for a name (once per run).
    pub clerk_asked: bool,
}

impl VerifyState {
    /// Waiting for a serial.
    pub fn new(orgs: usize) -> VerifyState {
        VerifyState {
            serial: String::new(),
            suggested: false,
            stage: Stage::Serial,
            form: FormEditor::new(orgs),
            progress: None,
            clerk_asked: false,
        }
    }
}

impl VerifyState {
    /// The scope of the keys on this tab.
    pub fn scope(&self) -> Scope {
        match self.stage {
            Stage::Serial => Scope::VerifySerial,
            Stage::Second { .. } | Stage::Further { .. } => Scope::VerifyRows,
            Stage::Disputed { .. } => Scope::VerifyDisputed,
        }
    }

    /// Whether a keying is under way.
    pub fn half_typed(&self) -> bool {
        matches!(self.stage, Stage::Second { .. } | Stage::Further { .. }) && self.form.touched()
    }

    /// The tab is shown: reads what is left to verify.
    pub fn on_show(&mut self, cx: &mut Context) {
        if matches!(self.stage, Stage::Serial) {
            self.back_to_serial(cx, 0);
        }
    }

    /// After the store changed (an import, another station verifying): the lists are read
    /// again, and a suggested serial follows them; one the clerk typed stays.
    pub fn follow_store(&mut self, cx: &mut Context) {
        if !matches!(self.stage, Stage::Serial) {
            return;
        }
        if self.suggested || self.serial.is_empty() {
            self.back_to_serial(cx, 0);
        } else {
            match cx.meeting.progress(LISTED) {
                Ok(progress) => self.progress = Some(progress),
                Err(e) => cx.fail(&e),
            }
        }
    }

    /// The clerk's name typed at the prompt (empty: none given); the keying asked for goes on.
    pub fn set_clerk(&mut self, name: &str, cx: &mut Context) {
        cx.meeting.set_clerk(Some(name));
        self.start(cx);
        if let Some(clerk) = cx.meeting.store.clerk() {
            if !cx.has_message() {
                let text = strings::clerk_named(clerk);
                cx.inform(text);
            }
        }
    }

    /// Back on the serial field, suggesting the next unverified serial after `after`, the
    /// lists read again.
    fn back_to_serial(&mut self, cx: &mut Context, after: u64) {
        let orgs = cx.config().organizations.len();
        self.stage = Stage::Serial;
        self.form = FormEditor::new(orgs);
        match (
            cx.meeting.progress(LISTED),
            cx.meeting.next_unverified(after),
        ) {
            (Ok(progress), Ok(next)) => {
                self.progress = Some(progress);
                self.serial = next.map(|s| s.to_string()).unwrap_or_default();
                self.suggested = next.is_some();
            }
            (Err(e), _) | (_, Err(e)) => cx.fail(&e),
        }
    }

    /// Handles a key of the Verify tab.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        match self.stage.clone() {
            Stage::Serial => match action {
                Action::Digit(d) => {
                    if std::mem::take(&mut self.suggested) {
                        self.serial.clear();
                    }
                    if self.serial.len() < 18 && !(self.serial.is_empty() && d == 0) {
                        self.serial.push(char::from(b'0' + d));
                    }
                }
                Action::Erase => {
                    if std::mem::take(&mut self.suggested) {
                        self.serial.clear();
                    } else {
                        self.serial.pop();
                    }
                }
                Action::Accept => self.start(cx),
                _ => {}
            },
            Stage::Second { serial, group } => {
                if self.form.edit(action).is_some() {
                    return;
                }
                match action {
                    Action::Back if self.form.touched() => cx.confirm(Question::Discard),
                    Action::Back => self.back_to_serial(cx, serial.saturating_sub(1)),
                    Action::CycleGroup => {
                        let group = cycle(cx, group);
                        self.stage = Stage::Second { serial, group };
                    }
                    Action::Accept => self.second(cx, serial, group),
                    _ => {}
                }
            }
            Stage::Disputed { serial, dispute } => match action {
                Action::ReadAgain => {
                    self.form = FormEditor::new(dispute.rows.len());
                    self.stage = Stage::Further {
                        serial,
                        dispute,
                        group: None,
                    };
                }
                Action::Back => self.back_to_serial(cx, serial),
                _ => {}
            },
            Stage::Further {
                serial,
                dispute,
                group,
            } => {
                if self.form.edit(action).is_some() {
                    return;
                }
                match action {
                    Action::Back if self.form.touched() => cx.confirm(Question::Discard),
                    Action::Back => self.back_to_serial(cx, serial),
                    Action::CycleGroup if dispute.group.is_some() => {
                        let group = cycle(cx, group);
                        self.stage = Stage::Further {
                            serial,
                            dispute,
                            group,
                        };
                    }
                    Action::Accept => self.further(cx, serial, &dispute, group),
                    _ => {}
                }
            }
        }
    }

    /// Leaves the keying under way for the serial field, discarding what was typed (a
    /// dispute stays standing: it is stored).
    pub fn discard(&mut self, cx: &mut Context) {
        match self.stage {
            Stage::Second { serial, .. } => self.back_to_serial(cx, serial.saturating_sub(1)),
            Stage::Further { serial, .. } => self.back_to_serial(cx, serial),
            Stage::Serial | Stage::Disputed { .. } => {}
        }
    }

    fn start(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        // Once per run, before the first keying, when the station named no clerk.
        if !self.clerk_asked && cx.meeting.store.clerk().is_none() {
            self.clerk_asked = true;
            cx.ask(PromptKind::Clerk);
            return;
        }
        let Some(serial) = self.serial.parse::<u64>().ok() else {
            cx.warn(S::SerialNeeded);
            return;
        };
        match cx.meeting.ballot_state(serial) {
            Ok(Some((_, state))) => match state {
                State::Entered => {
                    if cx.typed_here.contains(&serial)
                        || cx.meeting.keyed_by_this_clerk(serial).unwrap_or(false)
                    {
                        cx.warn_text(strings::own_keying(serial));
                    }
                    self.form = FormEditor::new(cx.config().organizations.len());
                    self.suggested = false;
                    self.stage = Stage::Second {
                        serial,
                        group: None,
                    };
                }
                State::Disputed(dispute) => {
                    let text = strings::disputed(cx.config(), serial, &dispute);
                    cx.warn_text(text);
                    self.stage = Stage::Disputed { serial, dispute };
                }
                State::Verified | State::Resolved => cx.inform(strings::already_verified(serial)),
                State::Withdrawn | State::SetAside => cx.warn_text(strings::no_such_serial(serial)),
            },
            Ok(None) => cx.warn_text(strings::no_such_serial(serial)),
            Err(e) => cx.fail(&e),
        }
    }

    fn second(&mut self, cx: &mut Context, serial: u64, group: GroupKeyed) {
        let untyped = self.form.untyped();
        if untyped > 0 {
            cx.warn_text(strings::rows_to_go_text(untyped));
            return;
        }
        let Ok(group) = group_id(cx.config(), group) else {
            cx.warn(S::GroupNeeded);
            return;
        };
        if cx.refuse_when_final() {
            return;
        }
        let reading = Reading {
            group,
            marks: self.form.marks_or_blank(),
        };
        let outcome = cx.meeting.second_keying(serial, &reading);
        self.settle(cx, serial, outcome);
    }

    fn further(&mut self, cx: &mut Context, serial: u64, dispute: &Dispute, group: GroupKeyed) {
        let untyped = self.form.untyped();
        if untyped > 0 {
            cx.warn_text(strings::rows_to_go_text(untyped));
            return;
        }
        let group = match (&dispute.group, group_id(cx.config(), group)) {
            (None, _) => None,
            (Some(_), Ok(group)) => Some(group),
            (Some(_), Err(())) => {
                cx.warn(S::GroupNeeded);
                return;
            }
        };
        if cx.refuse_when_final() {
            return;
        }
        let answers = Fields {
            group,
            rows: dispute
                .row_indexes()
                .into_iter()
                .zip(self.form.marks_or_blank())
                .collect(),
        };
        let outcome = cx.meeting.further_reading(serial, &answers);
        self.settle(cx, serial, outcome);
    }

    /// Shows what a keying did and moves on: to the next form, or to the dispute.
    fn settle(&mut self, cx: &mut Context, serial: u64, outcome: crate::Result<Verification>) {
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(e) => {
                cx.fail(&e);
                return;
            }
        };
        cx.refresh();
        match outcome {
            Verification::Verified => {
                self.back_to_serial(cx, serial);
                cx.inform(strings::verified(serial));
            }
            Verification::Resolved { changed } => {
                self.back_to_serial(cx, serial);
                cx.inform(strings::resolved(serial, changed));
            }
            Verification::Disputed(dispute) => {
                self.back_to_serial(cx, serial);
                let text = strings::disputed(cx.config(), serial, &dispute);
                cx.warn_text(text);
                self.suggested = false;
                self.serial = serial.to_string();
                self.stage = Stage::Disputed { serial, dispute };
            }
        }
    }
}

/// The next group of `g`: not keyed, then each group of the meeting, then none, round again.
fn cycle(cx: &mut Context, group: GroupKeyed) -> GroupKeyed {
    let groups = cx.config().groups.len();
    if groups == 0 {
        cx.warn(S::NoGroups);
        return group;
    }
    Some(match group {
        None => Some(0),
        Some(Some(g)) if g + 1 < groups => Some(g + 1),
        Some(Some(_)) => None,
        Some(None) => Some(0),
    })
}

/// The group keyed, as an id; `Err` when the meeting has groups and none was keyed yet.
fn group_id(config: &Config, group: GroupKeyed) -> Result<Option<String>, ()> {
    match group {
        _ if config.groups.is_empty() => Ok(None),
        None => Err(()),
        Some(g) => Ok(g.map(|g| config.groups[g].id.clone())),
    }
}

/// Draws the Verify tab.
pub fn render(verify: &VerifyState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let config = shown.config;
    let [rows_area, side] = form::split(area);
    let mut lines = Vec::new();
    if let Some(progress) = &verify.progress {
        lines.push(Line::styled(
            strings::verified_progress(
                lang,
                progress.verified,
                progress.counted,
                progress.disputed.len() as u64,
            ),
            theme::ok(),
        ));
    }
    lines.push(Line::raw(""));
    let group_line = |group: GroupKeyed| {
        let text = match group {
            None => "?".to_string(),
            Some(None) => "-".to_string(),
            Some(Some(g)) => config.groups[g].label.clone(),
        };
        Line::from(vec![
            Span::raw(format!("{}{text} ", strings::label(lang, S::Group))),
            Span::styled("(g)", theme::key()),
        ])
    };
    match &verify.stage {
        Stage::Serial => {
            let mut serial_line = vec![
                Span::raw(strings::label(lang, S::Serial)),
                Span::styled(format!(" {:<6}", verify.serial), theme::cursor()),
            ];
            if verify.suggested {
                serial_line.push(Span::styled(
                    format!(" {}", S::NextUnverified.get(lang)),
                    theme::dim(),
                ));
            }
            lines.push(Line::from(serial_line));
            lines.push(Line::styled(S::HintVerifySerial.get(lang), theme::dim()));
            if let Some(progress) = &verify.progress {
                lines.push(Line::raw(""));
                lines.extend(list_lines(lang, progress));
            }
            let hidden = FormEditor::new(config.organizations.len());
            form::render_rows(frame, rows_area, config, lang, &hidden, false, None);
        }
        Stage::Second { serial, group } => {
            lines.push(Line::raw(format!(
                "{}{serial}",
                strings::label(lang, S::Serial)
            )));
            if !config.groups.is_empty() {
                lines.push(group_line(*group));
            }
            lines.push(Line::styled(S::HintVerifyRows.get(lang), theme::dim()));
            lines.push(Line::raw(""));
            lines.extend(form::count_lines(config, lang, &verify.form));
            form::render_rows(frame, rows_area, config, lang, &verify.form, true, None);
        }
        Stage::Disputed { serial, dispute } => {
            lines.push(Line::raw(format!(
                "{}{serial}",
                strings::label(lang, S::Serial)
            )));
            lines.push(Line::styled(
                crate::meeting::ballots::disputed_fields(config, dispute)
                    .get(lang)
                    .to_string(),
                theme::mismatch(),
            ));
            lines.push(Line::raw(""));
            lines.push(Line::styled(S::HintDisputed.get(lang), theme::key()));
            let hidden = FormEditor::new(dispute.rows.len());
            let orgs = dispute.row_indexes();
            form::render_rows(frame, rows_area, config, lang, &hidden, false, Some(&orgs));
        }
        Stage::Further {
            serial,
            dispute,
            group,
        } => {
            lines.push(Line::raw(format!(
                "{}{serial}",
                strings::label(lang, S::Serial)
            )));
            if dispute.group.is_some() {
                lines.push(group_line(*group));
            }
            lines.push(Line::styled(S::HintFurtherReading.get(lang), theme::dim()));
            let orgs = dispute.row_indexes();
            form::render_rows(
                frame,
                rows_area,
                config,
                lang,
                &verify.form,
                true,
                Some(&orgs),
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

/// The lists of what is left: unverified, disputed and invalid serials.
fn list_lines(lang: Lang, progress: &Progress) -> Vec<Line<'static>> {
    let mut lines = Vec::new();
    let mut list = |title: S, total: u64, serials: &[u64], style| {
        if total == 0 {
            return;
        }
        let mut text = serial_runs(serials);
        if total > serials.len() as u64 {
            text.push_str(" …");
        }
        lines.push(Line::styled(
            format!("{} ({total}): {text}", title.get(lang)),
            style,
        ));
    };
    list(
        S::UnverifiedList,
        progress.unverified,
        &progress.unverified_serials,
        theme::dim(),
    );
    let disputed: Vec<u64> = progress.disputed.iter().map(|(s, _)| *s).collect();
    list(
        S::DisputedList,
        disputed.len() as u64,
        &disputed,
        theme::mismatch(),
    );
    list(
        S::InvalidList,
        progress.invalid,
        &progress.invalid_serials,
        theme::error(),
    );
    lines
}
