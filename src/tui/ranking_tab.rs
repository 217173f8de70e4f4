//! The Ranking tab: the live ranking with tier colours, a line after each cutoff, shared
//! ranks marked, and organizations tied across a cutoff highlighted with the key that
//! records the clerk's decision (with a reason) and the key that withdraws one. Finalising and
//! reopening the meeting are done here.

use super::form::scroll_offset;
use super::keymap::Action;
use super::strings::{self, S};
use super::theme;
use super::ui_state::{Context, PromptKind, Question, Shown};
use crate::config::Config;
use crate::error::Text;
use crate::lang::Lang;
use crate::ranking::{Note, Placement, RankedOrg};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};
use ratatui::Frame;

/// The Ranking tab's state.
#[derive(Debug, Clone, Default)]
pub struct RankingState {
    /// The ranking row under the cursor.
    pub cursor: usize,
    /// Organizations (indexes) selected to take the places of a decision.
    pub selected: Vec<usize>,
}

impl RankingState {
    /// Handles a key of the Ranking tab.
    pub fn handle(&mut self, action: Action, cx: &mut Context) {
        let last = cx.ranking.rows.len().saturating_sub(1) as isize;
        let mut move_by = |delta: isize| {
            self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
        };
        match action {
            Action::Up => move_by(-1),
            Action::Down => move_by(1),
            Action::PageUp => move_by(-10),
            Action::PageDown => move_by(10),
            Action::ToggleSelect => self.toggle_select(cx),
            Action::Decide => self.ask_decide(cx),
            Action::Undecide => self.ask_undecide(cx),
            Action::Finalise => ask_finalise(cx),
            Action::Reopen => {
                if !cx.counts.finalised {
                    cx.warn(S::NotFinal);
                } else if !cx.refuse_when_busy() {
                    cx.ask(PromptKind::Reopen);
                }
            }
            _ => {}
        }
    }

    fn toggle_select(&mut self, cx: &mut Context) {
        let Some(row) = cx.ranking.rows.get(self.cursor) else {
            return;
        };
        if !matches!(row.placement, Placement::Undecided(_)) {
            cx.warn(S::SelectOnlyUndecided);
            return;
        }
        let org = row.org;
        match self.selected.iter().position(|&o| o == org) {
            Some(i) => {
                self.selected.remove(i);
            }
            None => self.selected.push(org),
        }
    }

    /// Asks the reason for a decision: the selected organizations of the tie under the
    /// cursor (or the one under the cursor when none is selected) take places of the first
    /// tier the tie touches.
    fn ask_decide(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        let Some(row) = cx.ranking.rows.get(self.cursor).cloned() else {
            return;
        };
        let Placement::Undecided(touched) = &row.placement else {
            cx.warn(S::DecideOnlyUndecided);
            return;
        };
        let Some(tier) = touched.iter().flatten().next().copied() else {
            return;
        };
        let group: Vec<usize> = cx
            .ranking
            .rows
            .iter()
            .filter(|r| r.rank == row.rank && matches!(r.placement, Placement::Undecided(_)))
            .map(|r| r.org)
            .collect();
        let mut orgs: Vec<usize> = self
            .selected
            .iter()
            .copied()
            .filter(|o| group.contains(o))
            .collect();
        if orgs.is_empty() {
            orgs.push(row.org);
        }
        let ids = org_ids(cx.config(), &orgs);
        let tier_text = tier_text(cx.config(), tier);
        let question = Text::new(
            strings::ask_decide_reason(Lang::En, tier_text.get(Lang::En), &ids),
            strings::ask_decide_reason(Lang::Zh, tier_text.get(Lang::Zh), &ids),
        );
        cx.ask(PromptKind::DecideReason {
            tier,
            orgs,
            question,
        });
    }

    /// Records a decision (after its reason was given).
    pub fn decide(&mut self, tier: usize, orgs: &[usize], reason: &str, cx: &mut Context) {
        if reason.is_empty() {
            cx.warn(S::ReasonNeeded);
            return;
        }
        let ids = org_ids(cx.config(), orgs);
        let tier_name = cx.config().tiers[tier].name.clone();
        match cx.meeting.decide(&tier_name, &ids, reason) {
            Ok(_) => {
                self.selected.clear();
                cx.refresh();
                let text = strings::decided(&tier_text(cx.config(), tier), &ids);
                cx.inform(text);
            }
            Err(e) => cx.fail(&e),
        }
    }

    /// Asks the reason for withdrawing the decisions of the tier of the row under the
    /// cursor: its tier, the first its tie touches when undecided, the last tier when it has
    /// none.
    fn ask_undecide(&mut self, cx: &mut Context) {
        if cx.refuse_when_final() {
            return;
        }
        let Some(row) = cx.ranking.rows.get(self.cursor) else {
            return;
        };
        let tier = match &row.placement {
            Placement::Tier(t) => Some(*t),
            Placement::Undecided(touched) => touched.iter().flatten().next().copied(),
            Placement::NoTier => cx.config().tiers.len().checked_sub(1),
        };
        let Some(tier) = tier else {
            return;
        };
        let tier_name = cx.config().tiers[tier].name.clone();
        if let Err(e) = cx.meeting.withdrawable(&tier_name) {
            cx.fail(&e);
            return;
        }
        let tier_text = tier_text(cx.config(), tier);
        let question = Text::new(
            strings::ask_undecide_reason(Lang::En, tier_text.get(Lang::En)),
            strings::ask_undecide_reason(Lang::Zh, tier_text.get(Lang::Zh)),
        );
        cx.ask(PromptKind::UndecideReason { tier, question });
    }
}

/// Withdraws the decisions of a tier (after the reason was given).
pub fn undecide(tier: usize, reason: &str, cx: &mut Context) {
    if reason.is_empty() {
        cx.warn(S::ReasonNeeded);
        return;
    }
    let tier_name = cx.config().tiers[tier].name.clone();
    match cx.meeting.undecide(&tier_name, reason) {
        Ok(withdrawn) => {
            cx.refresh();
            let text = strings::undecided(&tier_text(cx.config(), tier), withdrawn.len());
            cx.inform(text);
        }
        Err(e) => cx.fail(&e),
    }
}

fn org_ids(config: &Config, orgs: &[usize]) -> Vec<String> {
    orgs.iter()
        .map(|&o| config.organizations[o].id.clone())
        .collect()
}

fn tier_text(config: &Config, tier: usize) -> Text {
    let tier = &config.tiers[tier];
    Text::new(tier.display(Lang::En), tier.display(Lang::Zh))
}

/// Asks whether to finalise, showing what finalising would warn about; or says at once why
/// it is refused.
fn ask_finalise(cx: &mut Context) {
    if cx.counts.finalised {
        cx.warn(S::AlreadyFinal);
        return;
    }
    if cx.refuse_when_busy() {
        return;
    }
    match cx.meeting.finalise_check() {
        Err(e) => cx.fail(&e),
        Ok(check) => match check.refusal_text(cx.config()) {
            Some(refusal) => cx.warn_text(refusal),
            None => cx.confirm(Question::Finalise(check.warnings)),
        },
    }
}

/// Finalises the meeting (after the question was answered yes).
pub fn finalise(cx: &mut Context) {
    match cx.meeting.finalise() {
        Ok(_) => {
            cx.refresh();
            cx.warn(S::NowFinal);
        }
        Err(e) => cx.fail(&e),
    }
}

/// Reopens the meeting with the reason given.
pub fn reopen(reason: &str, cx: &mut Context) {
    if reason.is_empty() {
        cx.warn(S::ReasonNeeded);
        return;
    }
    match cx.meeting.reopen(reason) {
        Ok(()) => {
            cx.refresh();
            cx.inform(S::Reopened.text());
        }
        Err(e) => cx.fail(&e),
    }
}

/// The style of a ranking row: its tier's colour, or the undecided highlight.
pub fn row_style(row: &RankedOrg) -> Style {
    match &row.placement {
        Placement::Tier(t) => theme::tier(*t),
        Placement::NoTier => Style::new(),
        Placement::Undecided(_) => theme::undecided(),
    }
}

/// Draws the Ranking tab.
pub fn render(state: &RankingState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let config = shown.config;
    let [info, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);

    let undecided = shown
        .ranking
        .rows
        .iter()
        .any(|r| matches!(r.placement, Placement::Undecided(_)));
    let mut spans = Vec::new();
    for (i, tier) in config.tiers.iter().enumerate() {
        spans.push(Span::styled(
            format!("■ {} {}  ", tier.display(lang), tier.quota),
            theme::tier(i),
        ));
    }
    if undecided {
        spans.push(Span::styled(
            S::TieAtCutoffLegend.get(lang),
            theme::undecided(),
        ));
    }
    if shown.counts.finalised {
        spans.push(Span::styled(
            format!(" {} ", S::Final.get(lang)),
            theme::finalised(),
        ));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), info);

    // Display lines: the ranking rows with a cutoff line after the last place of each tier.
    enum Display<'a> {
        Org(usize, &'a RankedOrg),
        Cutoff(String),
    }
    let mut display = Vec::new();
    let rows = &shown.ranking.rows;
    for (i, row) in rows.iter().enumerate() {
        display.push(Display::Org(i, row));
        if i + 1 < rows.len() {
            if let Some(tier) = crate::ranking::tier_ending_at(config, row.place) {
                display.push(Display::Cutoff(strings::cutoff_line(
                    lang,
                    config.tiers[tier].display(lang),
                    row.place,
                )));
            }
        }
    }
    let cursor_line = display
        .iter()
        .position(|d| matches!(d, Display::Org(i, _) if *i == state.cursor))
        .unwrap_or(0);
    let height = table_area.height.saturating_sub(1) as usize;
    let offset = scroll_offset(cursor_line, display.len(), height);

    // At 80 columns the top rate gives its room to the organization's name.
    let wide = table_area.width >= 100;
    let top_rate = strings::top_rate_header(lang, &config.scale);
    let top_rate_width = Line::from(top_rate.as_str()).width().max(6) as u16;
    // The note gives up room down to 10 cells so a name keeps 12 on a narrow screen; what
    // does not fit is shortened with "…".
    // A meeting with [[composite]] parts shows the composite it may be ranked by.
    let composite = !config.scoring.composite.is_empty();
    let fixed = 4
        + 5
        + 9
        + 6
        + 5
        + if wide { top_rate_width + 1 } else { 0 }
        + if composite { 7 } else { 0 };
    let note_width = if wide { 40 } else { 32 }
        .min(table_area.width.saturating_sub(fixed + 12))
        .max(10);
    let name_width = usize::from(table_area.width.saturating_sub(fixed + note_width));
    let mut header = vec![
        Cell::from(Line::from(S::Rank.get(lang)).right_aligned()),
        Cell::from(S::Id.get(lang)),
        Cell::from(S::Organization.get(lang)),
        Cell::from(S::Tier.get(lang)),
        Cell::from(Line::from(S::Score.get(lang)).right_aligned()),
    ];
    if composite {
        header.push(Cell::from(
            Line::from(S::Composite.get(lang)).right_aligned(),
        ));
    }
    if wide {
        header.push(Cell::from(Line::from(top_rate).right_aligned()));
    }
    header.push(Cell::from(S::Note.get(lang)));
    let columns = header.len();
    let header = Row::new(header).style(theme::header());
    let lines = display.iter().map(|d| match d {
        Display::Cutoff(text) => {
            // Rules in every column, the words in the widest (the note).
            let mut cells: Vec<Cell> = (1..columns).map(|_| Cell::from("─".repeat(80))).collect();
            cells.push(Cell::from(text.clone()));
            Row::new(cells).style(theme::cutoff())
        }
        Display::Org(i, row) => {
            let org = &config.organizations[row.org];
            // A shared rank is marked with "=" so ties are visible at a glance.
            let shared = rows.iter().filter(|r| r.rank == row.rank).nth(1).is_some();
            let rank = if shared {
                format!("={}", row.rank)
            } else {
                row.rank.to_string()
            };
            let selected = state.selected.contains(&row.org);
            let names = |tiers: &[Option<usize>]| -> Vec<&str> {
                tiers
                    .iter()
                    .map(|t| match t {
                        Some(i) => config.tiers[*i].display(lang),
                        None => S::NoTier.get(lang),
                    })
                    .collect()
            };
            let note = match &row.note {
                Note::TieAtCutoff(tiers) => strings::tie_note_with_key(lang, &names(tiers)),
                Note::LapsedAtCutoff(tiers) => {
                    strings::lapsed_tie_note_with_key(lang, &names(tiers))
                }
                other => other.text(config, lang),
            };
            let mut cells = vec![
                Cell::from(Line::from(rank).right_aligned()),
                Cell::from(org.id.as_str()),
                Cell::from(strings::shorten(
                    &format!("{}{}", if selected { "✔ " } else { "" }, org.name),
                    name_width,
                )),
                Cell::from(row.placement.text(config, lang)),
                Cell::from(Line::from(row.figures.score.to_fixed(2)).right_aligned()),
            ];
            if let Some(value) = row.figures.composite {
                cells.push(Cell::from(Line::from(value.to_fixed(2)).right_aligned()));
            }
            if wide {
                cells.push(Cell::from(
                    Line::from(strings::percent(row.figures.top_rate)).right_aligned(),
                ));
            }
            cells.push(Cell::from(strings::shorten(&note, usize::from(note_width))));
            let style = if *i == state.cursor {
                row_style(row).patch(theme::cursor())
            } else {
                row_style(row)
            };
            Row::new(cells).style(style)
        }
    });
    let mut widths = vec![
        Constraint::Length(4),
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(9),
        Constraint::Length(6),
    ];
    if composite {
        widths.push(Constraint::Length(6));
    }
    if wide {
        widths.push(Constraint::Length(top_rate_width));
    }
    widths.push(Constraint::Length(note_width));
    let table = Table::new(lines, widths).header(header).column_spacing(1);
    let mut state = TableState::default().with_offset(offset);
    frame.render_stateful_widget(table, table_area, &mut state);
}
