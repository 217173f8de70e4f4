//! The Tally tab: per organization the weighted count of each option, the blanks, the score
//! (with the scores of the composite's file parts and the composite, when meeting.toml has
//! `[[composite]]`) and the rates, with a small bar of the score, from the live tally — of
//! all forms as the ranking scores them, or of one voter group's forms (`g` steps through
//! the groups: the figures `export --by-group` writes).

use super::form::scroll_offset;
use super::keymap::Action;
use super::strings::{self, S};
use super::theme;
use super::ui_state::Shown;
use crate::decimal::Ratio;
use crate::lang::Lang;
use crate::scoring::{self, RateBase};
use crate::tally::Figures;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};
use ratatui::Frame;

/// The Tally tab's own state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallyState {
    /// The row under the cursor.
    pub cursor: usize,
    /// The voter group shown (index into the meeting's groups), or all forms.
    pub group: Option<usize>,
}

impl TallyState {
    /// Handles a key of the Tally tab: moving, and stepping through the voter groups (all
    /// forms, then each group, then all forms again).
    pub fn handle(&mut self, action: Action, organizations: usize, groups: usize) {
        let last = organizations.saturating_sub(1) as isize;
        let delta = match action {
            Action::Up => -1,
            Action::Down => 1,
            Action::PageUp => -10,
            Action::PageDown => 10,
            Action::CycleGroup => {
                self.group = match self.group {
                    None if groups > 1 => Some(0),
                    Some(g) if g + 1 < groups => Some(g + 1),
                    _ => None,
                };
                return;
            }
            _ => return,
        };
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }
}

/// A bar of `width` cells filled to `fraction` (0..=1), in eighths of a cell.
pub fn bar(fraction: f64, width: usize) -> String {
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    let eighths = (fraction.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut out = "█".repeat(eighths / 8);
    out.push_str(PARTS[eighths % 8]);
    out
}

/// The cells an organization's name keeps before a figure column gives way to it.
const NAME_ROOM: u16 = 12;

/// What a row of the Tally tab shows beside the counts.
struct RowFigures {
    score: Ratio,
    /// `top_rate` and `approval_rate`; `None` in a group's view under `rate_base =
    /// "present"`, which has no figure per group.
    rates: Option<(Ratio, Ratio)>,
    /// The score of each file part of `[[composite]]`, then the composite (all forms only).
    parts: Vec<Ratio>,
}

/// The figures of every organization, in organizations.csv order: the whole meeting's as
/// the ranking has them (the weighting, the rate base and the composite of meeting.toml),
/// or one voter group's own.
fn row_figures(shown: &Shown, group: Option<usize>) -> Vec<RowFigures> {
    let config = shown.config;
    let mut by_org: Vec<Option<&Figures>> = vec![None; config.organizations.len()];
    for row in &shown.ranking.rows {
        by_org[row.org] = Some(&row.figures);
    }
    (0..config.organizations.len())
        .map(|org| match group {
            Some(g) => {
                let row = scoring::group_row(config, shown.tally, g, org);
                RowFigures {
                    score: row.map_or(Ratio::ZERO, |r| r.score),
                    rates: row.and_then(|r| r.rates),
                    parts: Vec::new(),
                }
            }
            None => {
                let Some(f) = by_org[org] else {
                    return RowFigures {
                        score: Ratio::ZERO,
                        rates: None,
                        parts: Vec::new(),
                    };
                };
                let mut parts: Vec<Ratio> = config
                    .scoring
                    .composite
                    .iter()
                    .filter(|p| !p.is_meeting())
                    .map(|p| p.score_of(org, f.score))
                    .collect();
                parts.extend(f.composite);
                RowFigures {
                    score: f.score,
                    rates: Some((f.top_rate, f.approval_rate)),
                    parts,
                }
            }
        })
        .collect()
}

/// Draws the Tally tab.
pub fn render(view: &TallyState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let lang = shown.lang;
    let config = shown.config;
    let best_points = config
        .scale
        .options
        .iter()
        .map(|o| o.points.0)
        .max()
        .unwrap_or(1)
        .max(1) as f64
        / 1000.0;
    let group = view
        .group
        .and_then(|g| config.groups.get(g).map(|x| (g, x)));
    let mut header = vec![
        Cell::from(S::Id.get(lang)),
        Cell::from(S::Organization.get(lang)),
    ];
    // Each option by its label, its column as wide as the label (Excellent, 较好).
    let mut option_widths = Vec::new();
    for option in &config.scale.options {
        let label = Line::from(option.label_in(lang).to_string()).right_aligned();
        option_widths.push(Constraint::Length(label.width().max(4) as u16));
        header.push(Cell::from(label));
    }
    let top_rate = Line::from(strings::top_rate_header(lang, &config.scale)).right_aligned();
    let top_rate_width = top_rate.width().max(6) as u16;
    header.push(Cell::from(
        Line::from(S::BlankShort.get(lang)).right_aligned(),
    ));
    header.push(Cell::from(Line::from(S::Score.get(lang)).right_aligned()));
    // With [[composite]] parts, the view of all forms shows each file part's score and the
    // composite after the meeting's score, each column as wide as its name.
    let mut part_widths = Vec::new();
    if group.is_none() && !config.scoring.composite.is_empty() {
        let names = config
            .scoring
            .composite
            .iter()
            .filter(|p| !p.is_meeting())
            .map(|p| match lang {
                Lang::En => p.id.clone(),
                Lang::Zh => p.label.clone(),
            })
            .chain([S::Composite.get(lang).to_string()]);
        for name in names {
            let name = Line::from(name).right_aligned();
            part_widths.push(Constraint::Length(name.width().max(6) as u16));
            header.push(Cell::from(name));
        }
    }
    // On a narrow screen the bar, then the approval rate, then the top rate give their room
    // to the names (which are shortened with "…" only when even that is not enough).
    let length = |c: &Constraint| match c {
        Constraint::Length(n) => *n,
        _ => 0,
    };
    let options: u16 = option_widths.iter().map(length).sum();
    let parts: u16 = part_widths.iter().map(length).sum();
    let fixed = |columns: u16, extra: u16| 4 + options + 5 + 6 + parts + extra + columns;
    // The spaces between columns: id, name, the options, blank, score and the parts, then
    // each figure.
    let columns = 3 + (config.scale.options.len() + part_widths.len()) as u16;
    let room = |fixed: u16| area.width.saturating_sub(fixed);
    let all = fixed(columns + 3, top_rate_width + 6 + 8);
    let show_bar = room(all) >= NAME_ROOM;
    let no_bar = fixed(columns + 2, top_rate_width + 6);
    let show_approval = show_bar || room(no_bar) >= NAME_ROOM;
    let show_top = show_approval || room(fixed(columns + 1, top_rate_width)) >= NAME_ROOM;
    let used = match (show_top, show_approval, show_bar) {
        (_, _, true) => all,
        (_, true, false) => no_bar,
        (true, false, false) => fixed(columns + 1, top_rate_width),
        (false, _, _) => fixed(columns, 0),
    };
    let name_width = usize::from(room(used));
    if show_top {
        header.push(Cell::from(top_rate));
    }
    if show_approval {
        header.push(Cell::from(
            Line::from(S::ApprovalRate.get(lang)).right_aligned(),
        ));
    }
    if show_bar {
        header.push(Cell::from(""));
    }
    // A line says what the figures are of (all forms or a group, and the rates' base) when
    // there is a group to switch to or a base other than the marks that rate.
    let scope_height =
        u16::from(config.groups.len() > 1 || config.scoring.rate_base != RateBase::Rated);
    let [scope_line, area] =
        ratatui::layout::Layout::vertical([Constraint::Length(scope_height), Constraint::Fill(1)])
            .areas(area);
    let scope = strings::tally_scope(
        lang,
        group.map(|(_, g)| (g.id.as_str(), g.label.as_str())),
        &config.scoring,
    );
    frame.render_widget(
        ratatui::widgets::Paragraph::new(Line::styled(scope, theme::dim())),
        scope_line,
    );
    let counts_of = match group {
        Some((g, _)) => &shown.tally.by_group[g],
        None => &shown.tally.orgs,
    };
    let figures = row_figures(shown, group.map(|(g, _)| g));
    let height = area.height.saturating_sub(1) as usize;
    let offset = scroll_offset(view.cursor, config.organizations.len(), height);
    let right = |text: String| Cell::from(Line::from(text).right_aligned());
    let rows = config
        .organizations
        .iter()
        .zip(counts_of)
        .zip(&figures)
        .enumerate()
        .map(|(i, ((org, counts), figures))| {
            let mut cells = vec![
                Cell::from(org.id.as_str()),
                Cell::from(strings::shorten(&org.name, name_width)),
            ];
            for n in &counts.counts {
                cells.push(right(n.to_shortest()));
            }
            cells.push(right(counts.blank.to_shortest()));
            cells.push(right(figures.score.to_fixed(2)));
            for part in &figures.parts {
                cells.push(right(part.to_fixed(2)));
            }
            let rate = |pick: fn((Ratio, Ratio)) -> Ratio| {
                figures
                    .rates
                    .map_or_else(|| "—".to_string(), |r| strings::percent(pick(r)))
            };
            if show_top {
                cells.push(right(rate(|r| r.0)));
            }
            if show_approval {
                cells.push(right(rate(|r| r.1)));
            }
            if show_bar {
                cells.push(Cell::from(Span::styled(
                    bar(figures.score.to_f64() / best_points, 8),
                    theme::bar(),
                )));
            }
            let row = Row::new(cells);
            if i == view.cursor {
                row.style(theme::cursor())
            } else {
                row
            }
        });
    let mut widths = vec![Constraint::Length(4), Constraint::Fill(1)];
    widths.extend(option_widths);
    widths.extend([Constraint::Length(5), Constraint::Length(6)]);
    widths.extend(part_widths);
    if show_top {
        widths.push(Constraint::Length(top_rate_width));
    }
    if show_approval {
        widths.push(Constraint::Length(6));
    }
    if show_bar {
        widths.push(Constraint::Length(8));
    }
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::header()))
        .column_spacing(1);
    let mut state = TableState::default().with_offset(offset);
    frame.render_stateful_widget(table, area, &mut state);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(0.0, 4), "");
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.5, 4), "██");
        assert_eq!(bar(1.0 / 32.0, 4), "▏");
        assert_eq!(bar(2.0, 2), "██");
    }
}
