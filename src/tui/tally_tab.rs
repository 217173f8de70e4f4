//! The Tally tab: per organization the weighted count of each option, the blanks, the score
//! and the rates, with a small bar of the score, from the live tally — of all forms, or of
//! one voter group's forms (`g` steps through the groups: the figures `export --by-group`
//! writes).

use super::form::scroll_offset;
use super::keymap::Action;
use super::strings::{self, S};
use super::theme;
use super::ui_state::Shown;
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
    // On a narrow screen the bar, then the approval rate, then the top rate give their room
    // to the names (which are shortened with "…" only when even that is not enough).
    let options: u16 = option_widths
        .iter()
        .map(|c| match c {
            Constraint::Length(n) => *n,
            _ => 0,
        })
        .sum();
    let fixed = |columns: u16, extra: u16| 4 + options + 5 + 6 + extra + columns;
    // The spaces between columns: id, name, the options, blank and score, then each figure.
    let columns = 3 + config.scale.options.len() as u16;
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
    let group = view
        .group
        .and_then(|g| config.groups.get(g).map(|x| (g, x)));
    // A meeting of one voter group (or none named) has nothing to switch: no line for it.
    let scope_height = u16::from(config.groups.len() > 1);
    let [scope_line, area] =
        ratatui::layout::Layout::vertical([Constraint::Length(scope_height), Constraint::Fill(1)])
            .areas(area);
    let scope = strings::tally_scope(lang, group.map(|(_, g)| (g.id.as_str(), g.label.as_str())));
    frame.render_widget(
        ratatui::widgets::Paragraph::new(Line::styled(scope, theme::dim())),
        scope_line,
    );
    let counts_of = match group {
        Some((g, _)) => &shown.tally.by_group[g],
        None => &shown.tally.orgs,
    };
    let height = area.height.saturating_sub(1) as usize;
    let offset = scroll_offset(view.cursor, config.organizations.len(), height);
    let rows = config
        .organizations
        .iter()
        .zip(counts_of)
        .enumerate()
        .map(|(i, (org, counts))| {
            let figures = counts.figures(&config.scale);
            let mut cells = vec![
                Cell::from(org.id.as_str()),
                Cell::from(strings::shorten(&org.name, name_width)),
            ];
            for n in &counts.counts {
                cells.push(Cell::from(Line::from(n.to_shortest()).right_aligned()));
            }
            cells.push(Cell::from(
                Line::from(counts.blank.to_shortest()).right_aligned(),
            ));
            cells.push(Cell::from(
                Line::from(figures.score.to_fixed(2)).right_aligned(),
            ));
            if show_top {
                cells.push(Cell::from(
                    Line::from(strings::percent(figures.top_rate)).right_aligned(),
                ));
            }
            if show_approval {
                cells.push(Cell::from(
                    Line::from(strings::percent(figures.approval_rate)).right_aligned(),
                ));
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
