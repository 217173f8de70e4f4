//! The projector view: the results announced tier by tier, in the largest type the screen
//! allows, revealed by the clerk.
//!
//! Nothing but the meeting's title, its status (provisional, final, void round) and the
//! organizations revealed so far is on screen: no voter groups, no forms, no key hints. Rank
//! numbers are drawn in large digits of block characters; names stay in the terminal's own
//! type (the clerk zooms the terminal for more). Scores and counts are hidden until asked
//! for. The view reads only what it is given ([`Shown`]), so it follows the store whenever
//! the UI does.

use super::keymap::Action;
use super::strings::S;
use crate::config::Config;
use crate::lang::Lang;
use crate::ranking::{Placement, RankedOrg, Ranking};
use crate::tally::Tally;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use unicode_width::UnicodeWidthStr;

/// What the clerk has revealed and chosen to show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectorState {
    /// How many organizations of the announced order are revealed.
    revealed: usize,
    /// `revealed` before each reveal, so Backspace takes back exactly the last one.
    undo: Vec<usize>,
    /// Scores and counts shown.
    pub figures: bool,
    /// Black on white instead of white on black.
    pub light: bool,
}

/// What the view shows: the meeting, the live ranking and tally, and the meeting's status.
pub struct Shown<'a> {
    /// The rules (tiers, organizations, scale).
    pub config: &'a Config,
    /// The ranking with tiers.
    pub ranking: &'a Ranking,
    /// The counts (shown only with figures on).
    pub tally: &'a Tally,
    /// Finalised.
    pub finalised: bool,
    /// More forms collected than issued.
    pub void_round: bool,
    /// The language.
    pub lang: Lang,
}

/// A group of organizations announced together: one tier, or a tie at a cutoff that is
/// still undecided (announced as such, between the tiers it touches).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Section {
    /// The organizations of tier `i`.
    Tier(usize),
    /// Tied across a cutoff, not decided; the tiers touched (`None`: no tier).
    Undecided(Vec<Option<usize>>),
}

/// The announced order: the rows that get a tier or are undecided, grouped in sections, in
/// ranking order. Organizations past the last tier are not announced.
pub fn sections(ranking: &Ranking) -> Vec<(Section, Vec<&RankedOrg>)> {
    let mut out: Vec<(Section, Vec<&RankedOrg>)> = Vec::new();
    for row in &ranking.rows {
        let section = match &row.placement {
            Placement::Tier(i) => Section::Tier(*i),
            Placement::Undecided(touched) => Section::Undecided(touched.clone()),
            Placement::NoTier => continue,
        };
        match out.last_mut() {
            Some((last, rows)) if *last == section => rows.push(row),
            _ => out.push((section, vec![row])),
        }
    }
    out
}

impl ProjectorState {
    /// A view with nothing revealed yet.
    pub fn new(light: bool) -> ProjectorState {
        ProjectorState {
            light,
            ..ProjectorState::default()
        }
    }

    /// How many organizations are revealed, at most `total`.
    pub fn revealed(&self, total: usize) -> usize {
        self.revealed.min(total)
    }

    /// Handles a key of the view; false when the key is not the view's.
    pub fn handle(&mut self, action: Action, ranking: &Ranking) -> bool {
        let sections = sections(ranking);
        let total: usize = sections.iter().map(|(_, rows)| rows.len()).sum();
        let now = self.revealed(total);
        match action {
            Action::RevealSection => {
                // To the end of the section the next organization belongs to.
                let mut end = 0;
                for (_, rows) in &sections {
                    end += rows.len();
                    if end > now {
                        break;
                    }
                }
                if end > now {
                    self.undo.push(now);
                    self.revealed = end;
                }
            }
            Action::RevealOne => {
                if now < total {
                    self.undo.push(now);
                    self.revealed = now + 1;
                }
            }
            Action::HideLast => self.revealed = self.undo.pop().unwrap_or(0),
            Action::ToggleFigures => self.figures = !self.figures,
            Action::ToggleLight => self.light = !self.light,
            _ => return false,
        }
        true
    }
}

/// Large digits, 3 pixels wide and 5 high, one string of `#` and spaces per pixel row.
const DIGITS: [[&str; 5]; 10] = [
    ["###", "# #", "# #", "# #", "###"],
    [" # ", "## ", " # ", " # ", "###"],
    ["###", "  #", "###", "#  ", "###"],
    ["###", "  #", "###", "  #", "###"],
    ["# #", "# #", "###", "  #", "  #"],
    ["###", "#  ", "###", "  #", "###"],
    ["###", "#  ", "###", "# #", "###"],
    ["###", "  #", "  #", "  #", "  #"],
    ["###", "# #", "###", "# #", "###"],
    ["###", "# #", "###", "  #", "###"],
];

/// The size of type the rank numbers are drawn in: lines per organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Type {
    /// Five lines: each pixel two full blocks wide.
    Large,
    /// Three lines: two pixel rows per line, in half blocks.
    Medium,
    /// The terminal's own type.
    Small,
}

impl Type {
    /// The number drawn in this type, one string per line.
    pub fn draw(self, number: usize) -> Vec<String> {
        let digits: Vec<usize> = number
            .to_string()
            .bytes()
            .map(|b| usize::from(b - b'0'))
            .collect();
        let pixel = |d: usize, row: usize, col: usize| DIGITS[d][row].as_bytes()[col] == b'#';
        match self {
            Type::Small => vec![number.to_string()],
            Type::Large => (0..5)
                .map(|row| {
                    let glyphs: Vec<String> = digits
                        .iter()
                        .map(|&d| {
                            (0..3)
                                .map(|col| if pixel(d, row, col) { "██" } else { "  " })
                                .collect()
                        })
                        .collect();
                    glyphs.join(" ")
                })
                .collect(),
            Type::Medium => (0..3)
                .map(|line| {
                    let glyphs: Vec<String> = digits
                        .iter()
                        .map(|&d| {
                            (0..3)
                                .map(|col| {
                                    let top = pixel(d, 2 * line, col);
                                    let bottom = 2 * line + 1 < 5 && pixel(d, 2 * line + 1, col);
                                    match (top, bottom) {
                                        (true, true) => '█',
                                        (true, false) => '▀',
                                        (false, true) => '▄',
                                        (false, false) => ' ',
                                    }
                                })
                                .collect()
                        })
                        .collect();
                    glyphs.join(" ")
                })
                .collect(),
        }
    }
}

/// One unit of the announcement laid out together: a section's heading, or one organization
/// (its rank in large digits, its name beside the middle line).
struct Piece<'a> {
    lines: Vec<Line<'a>>,
    /// Blank line above (between sections), dropped at the top of a column.
    gap: bool,
}

/// Pieces flowed top to bottom into columns of `height` lines; None when they do not fit in
/// `columns` columns.
fn flow<'a>(pieces: Vec<Piece<'a>>, height: usize, columns: usize) -> Option<Vec<Vec<Line<'a>>>> {
    let mut out: Vec<Vec<Line>> = vec![Vec::new()];
    for piece in pieces {
        let column = out.last_mut().expect("one column at least");
        let gap = usize::from(piece.gap && !column.is_empty());
        if column.len() + gap + piece.lines.len() > height {
            if out.len() == columns || piece.lines.len() > height {
                return None;
            }
            out.push(piece.lines);
            continue;
        }
        if gap == 1 {
            column.push(Line::raw(""));
        }
        column.extend(piece.lines);
    }
    Some(out)
}

/// Draws the view over the whole of `area`.
pub fn render(state: &ProjectorState, shown: &Shown, frame: &mut Frame, area: Rect) {
    let (fg, bg) = if state.light {
        (Color::Black, Color::White)
    } else {
        (Color::White, Color::Black)
    };
    let base = Style::new().fg(fg).bg(bg);
    let bold = base.add_modifier(Modifier::BOLD);
    let inverse = Style::new().fg(bg).bg(fg).add_modifier(Modifier::BOLD);
    let lang = shown.lang;
    let config = shown.config;
    frame.render_widget(Block::new().style(base), area);

    let status = if shown.void_round {
        S::ProjectorVoid
    } else if shown.finalised {
        S::ProjectorFinal
    } else {
        S::ProjectorProvisional
    };
    let quotas: Vec<String> = config
        .tiers
        .iter()
        .map(|t| format!("{} {}", t.display(lang), t.quota))
        .collect();
    let head = vec![
        Line::styled(config.title.clone(), bold).centered(),
        Line::styled(format!(" {} ", status.get(lang)), inverse).centered(),
        Line::styled(quotas.join(" · "), base).centered(),
        Line::raw(""),
    ];
    let head_height = head.len() as u16;
    frame.render_widget(Paragraph::new(head).style(base), area);
    let body = Rect {
        y: area.y + head_height.min(area.height),
        height: area.height.saturating_sub(head_height),
        ..area
    };

    let sections = sections(shown.ranking);
    let total: usize = sections.iter().map(|(_, rows)| rows.len()).sum();
    let mut left = state.revealed(total);
    let mut revealed: Vec<(&Section, &[&RankedOrg])> = Vec::new();
    for (section, rows) in &sections {
        if left == 0 {
            break;
        }
        let n = left.min(rows.len());
        revealed.push((section, &rows[..n]));
        left -= n;
    }
    let name_width = revealed
        .iter()
        .flat_map(|(_, rows)| rows.iter())
        .map(|row| config.organizations[row.org].name.width())
        .max()
        .unwrap_or(0);

    // The largest type first, then the fewest columns, that shows everything revealed.
    for size in [Type::Large, Type::Medium, Type::Small] {
        let rank_width = shown
            .ranking
            .rows
            .iter()
            .map(|r| size.draw(r.rank)[0].chars().count())
            .max()
            .unwrap_or(1);
        let pieces = || {
            pieces(
                &revealed, shown, state, size, rank_width, name_width, base, bold, inverse,
            )
        };
        let widest = pieces()
            .iter()
            .flat_map(|p| p.lines.iter())
            .map(Line::width)
            .max()
            .unwrap_or(0)
            + 2;
        let max_columns = (usize::from(body.width) / widest.max(1)).max(1);
        for columns in 1..=max_columns {
            let Some(flowed) = flow(pieces(), usize::from(body.height), columns) else {
                continue;
            };
            let width = body.width / columns as u16;
            for (i, lines) in flowed.into_iter().enumerate() {
                let column = Rect {
                    x: body.x + width * i as u16,
                    width,
                    ..body
                };
                frame.render_widget(Paragraph::new(lines).style(base), column);
            }
            return;
        }
    }
    // Even the terminal's own type in every column that fits is too much: the latest
    // revealed stay in view.
    let lines: Vec<Line> = pieces(
        &revealed,
        shown,
        state,
        Type::Small,
        3,
        name_width,
        base,
        bold,
        inverse,
    )
    .into_iter()
    .flat_map(|p| p.lines)
    .collect();
    let skip = lines.len().saturating_sub(usize::from(body.height));
    frame.render_widget(
        Paragraph::new(lines.into_iter().skip(skip).collect::<Vec<_>>()).style(base),
        body,
    );
}

/// The headings and organizations revealed, as pieces in `size`.
#[allow(clippy::too_many_arguments)]
fn pieces<'a>(
    revealed: &[(&Section, &[&RankedOrg])],
    shown: &Shown,
    state: &ProjectorState,
    size: Type,
    rank_width: usize,
    name_width: usize,
    base: Style,
    bold: Style,
    inverse: Style,
) -> Vec<Piece<'a>> {
    let lang = shown.lang;
    let config = shown.config;
    let mut out = Vec::new();
    for (section, rows) in revealed {
        let (heading, style) = match section {
            Section::Tier(i) => (
                format!(" {} · {} ", config.tiers[*i].display(lang), rows.len()),
                inverse,
            ),
            Section::Undecided(touched) => {
                let names: Vec<&str> = touched
                    .iter()
                    .map(|t| match t {
                        Some(i) => config.tiers[*i].display(lang),
                        None => S::NoTier.get(lang),
                    })
                    .collect();
                (
                    format!(
                        " {}: {} ",
                        S::ProjectorUndecided.get(lang),
                        names.join(" / ")
                    ),
                    inverse.add_modifier(Modifier::UNDERLINED),
                )
            }
        };
        out.push(Piece {
            lines: vec![Line::styled(heading, style)],
            gap: true,
        });
        for row in rows.iter() {
            let digits = size.draw(row.rank);
            let name_line = digits.len() / 2;
            let lines = digits
                .iter()
                .enumerate()
                .map(|(i, glyph)| {
                    let mut spans = vec![Span::styled(format!(" {glyph:>rank_width$}  "), bold)];
                    if i == name_line {
                        let name = &config.organizations[row.org].name;
                        let pad = " ".repeat(name_width.saturating_sub(name.width()));
                        spans.push(Span::styled(format!("{name}{pad}"), bold));
                        if matches!(section, Section::Undecided(_)) {
                            spans.push(Span::styled(
                                format!("  ({})", S::ProjectorUndecidedShort.get(lang)),
                                base,
                            ));
                        }
                        if state.figures {
                            spans.push(Span::styled(format!("   {}", figures(shown, row)), base));
                        }
                    }
                    Line::from(spans)
                })
                .collect();
            out.push(Piece { lines, gap: false });
        }
    }
    out
}

/// The score (and the composite, when meeting.toml has `[[composite]]`) and the count of each
/// option of one organization.
fn figures(shown: &Shown, row: &RankedOrg) -> String {
    let lang = shown.lang;
    let config = shown.config;
    let counts = &shown.tally.orgs[row.org];
    let options: Vec<String> = config
        .scale
        .options
        .iter()
        .zip(&counts.counts)
        .map(|(o, n)| format!("{} {}", o.label_in(lang), n.to_shortest()))
        .collect();
    // A meeting ranked by its composite is read by that figure too.
    let composite = row.figures.composite.map_or(String::new(), |value| {
        format!("   {} {}", S::Composite.get(lang), value.to_fixed(2))
    });
    format!(
        "{} {}{composite}   {}",
        S::Score.get(lang),
        row.figures.score.to_fixed(2),
        options.join("  ")
    )
}
