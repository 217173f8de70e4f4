//! One paper form being keyed in: a mark (or nothing yet) per organization and a cursor.
//!
//! The Entry, Verify and Ballots tabs all key forms the same way, so the editing rules live
//! here once: a mark sets the row and moves on, the fill key sets every row from the cursor
//! down, Backspace steps back and clears. The widgets that draw a form (its rows, and the
//! running count of each option against `max_marks`) are here too.

use super::keymap::Action;
use super::strings::{self, S};
use super::theme;
use crate::config::Config;
use crate::lang::Lang;
use crate::model::{validity, InvalidReason, Mark};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row, Table, TableState};
use ratatui::Frame;

/// A form being keyed: `None` for a row not typed yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormEditor {
    /// One entry per organization, in organizations.csv order.
    pub marks: Vec<Option<Mark>>,
    /// The row the next key sets.
    pub cursor: usize,
    /// The fill key was pressed: the next mark fills the rows from the cursor down.
    pub fill_pending: bool,
    /// The last row was just typed (or filled) and the cursor could not move on: a further
    /// mark is a key typed past the end of the form, not a correction of its last row.
    typed_to_end: bool,
}

/// What stepping back did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepBack {
    /// A row was cleared.
    Cleared,
    /// Already at the first row with nothing to clear: the caller leaves the rows.
    LeftForm,
}

/// What [`FormEditor::edit`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edited {
    /// A row was marked, or the cursor moved.
    Done,
    /// Backspace, with its outcome.
    SteppedBack(StepBack),
    /// A mark typed past the last row: refused, the last row keeps its mark.
    PastLastRow,
}

impl FormEditor {
    /// An empty form of `rows` organizations.
    pub fn new(rows: usize) -> FormEditor {
        FormEditor {
            marks: vec![None; rows],
            cursor: 0,
            fill_pending: false,
            typed_to_end: false,
        }
    }

    /// A form holding these marks, cursor on the first row.
    pub fn prefilled(marks: &[Mark]) -> FormEditor {
        FormEditor {
            marks: marks.iter().copied().map(Some).collect(),
            cursor: 0,
            fill_pending: false,
            typed_to_end: false,
        }
    }

    /// Sets the current row (or, after the fill key, every row from the cursor down) and
    /// moves to the next row.
    ///
    /// Returns false, changing nothing, for a mark typed past the last row (the form is
    /// complete): a key typed ahead must not overwrite the last organization's mark. Moving
    /// back onto the last row makes it correctable again.
    pub fn mark(&mut self, mark: Mark) -> bool {
        if self.marks.is_empty() {
            return true;
        }
        if std::mem::take(&mut self.fill_pending) {
            for row in &mut self.marks[self.cursor..] {
                *row = Some(mark);
            }
            self.cursor = self.marks.len() - 1;
            self.typed_to_end = true;
            return true;
        }
        if self.typed_to_end {
            return false;
        }
        self.marks[self.cursor] = Some(mark);
        if self.cursor + 1 < self.marks.len() {
            self.cursor += 1;
        } else {
            self.typed_to_end = true;
        }
        true
    }

    /// Backspace: clears the last row when it is the one just typed, else steps back one row
    /// and clears it.
    pub fn step_back(&mut self) -> StepBack {
        self.fill_pending = false;
        self.typed_to_end = false;
        let last = self.marks.len().saturating_sub(1);
        if self.cursor == last && self.marks.get(last).is_some_and(Option::is_some) {
            self.marks[last] = None;
            return StepBack::Cleared;
        }
        if self.cursor == 0 {
            if self.marks.first().is_some_and(Option::is_some) {
                self.marks[0] = None;
                return StepBack::Cleared;
            }
            return StepBack::LeftForm;
        }
        self.cursor -= 1;
        self.marks[self.cursor] = None;
        StepBack::Cleared
    }

    /// Applies a key that edits or moves on the form, the same on every tab with a form.
    /// Returns `None` when the key is not one of those, so the tab handles it.
    pub fn edit(&mut self, action: Action) -> Option<Edited> {
        const PAGE: isize = 10;
        let marked = match action {
            Action::Mark(i) => self.mark(Mark::Option(i)),
            Action::MarkBlank => self.mark(Mark::Blank),
            Action::MarkSpoiled => self.mark(Mark::Spoiled),
            _ => true,
        };
        if !marked {
            return Some(Edited::PastLastRow);
        }
        match action {
            Action::Mark(_) | Action::MarkBlank | Action::MarkSpoiled => {}
            Action::Fill => self.fill_pending = true,
            Action::Erase => return Some(Edited::SteppedBack(self.step_back())),
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-PAGE),
            Action::PageDown => self.move_by(PAGE),
            Action::Home => self.move_by(isize::MIN / 2),
            Action::End => self.move_by(isize::MAX / 2),
            _ => return None,
        }
        Some(Edited::Done)
    }

    /// Moves the cursor by `delta` rows, staying on the form.
    pub fn move_by(&mut self, delta: isize) {
        self.fill_pending = false;
        self.typed_to_end = false;
        let last = self.marks.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize + delta).clamp(0, last) as usize;
    }

    /// Rows not typed yet.
    pub fn untyped(&self) -> usize {
        self.marks.iter().filter(|m| m.is_none()).count()
    }

    /// Whether any row was typed.
    pub fn touched(&self) -> bool {
        self.marks.iter().any(Option::is_some)
    }

    /// The marks, untyped rows as blank.
    pub fn marks_or_blank(&self) -> Vec<Mark> {
        self.marks
            .iter()
            .map(|m| m.unwrap_or(Mark::Blank))
            .collect()
    }

    /// How many rows carry each option.
    pub fn option_counts(&self, options: usize) -> Vec<usize> {
        let mut counts = vec![0; options];
        for mark in self.marks.iter().flatten() {
            if let Mark::Option(i) = mark {
                counts[*i as usize] += 1;
            }
        }
        counts
    }
}

/// The first row shown so that `cursor` stays in view, kept near the middle of `height`
/// rows. Computed from the cursor alone, so rendering needs no state of its own.
pub fn scroll_offset(cursor: usize, rows: usize, height: usize) -> usize {
    if rows <= height || height == 0 {
        return 0;
    }
    cursor.saturating_sub(height / 2).min(rows - height)
}

/// The cell text of a mark: `A 好`, `—` blank, `* spoiled`, `·` not typed yet.
pub fn mark_text(config: &Config, lang: Lang, mark: Option<Mark>) -> String {
    match mark {
        None => "·".to_string(),
        Some(Mark::Option(i)) => {
            let option = &config.scale.options[i as usize];
            format!("{} {}", option.key, option.label_in(lang))
        }
        Some(Mark::Blank) => format!("- {}", S::Blank.get(lang)),
        Some(Mark::Spoiled) => format!("* {}", S::Spoiled.get(lang)),
    }
}

/// Draws the rows of a form. `orgs` names the organization (an index of organizations.csv)
/// each row of `form` stands for, when the form keys only some of them (a further reading of
/// the disputed rows); `None` when it keys all, in order.
pub fn render_rows(
    frame: &mut Frame,
    area: Rect,
    config: &Config,
    lang: Lang,
    form: &FormEditor,
    focused: bool,
    orgs: Option<&[usize]>,
) {
    let height = area.height.saturating_sub(1) as usize;
    let offset = scroll_offset(form.cursor, form.marks.len(), height);
    let header = vec![
        Cell::from(""),
        Cell::from(S::Id.get(lang)),
        Cell::from(S::Organization.get(lang)),
        Cell::from(S::Mark.get(lang)),
    ];
    // A narrow screen gives the mark column less room, and the name what is left, so a
    // name is shortened (with "…") rather than lost.
    let mark_width = (0..config.scale.len())
        .map(|i| Mark::Option(i as u8))
        .chain([Mark::Blank, Mark::Spoiled])
        .map(|mark| Line::from(mark_text(config, lang, Some(mark))).width())
        .max()
        .unwrap_or(1)
        .min(12) as u16;
    let name_width = usize::from(area.width.saturating_sub(5 + 5 + mark_width + 3));
    let widths = vec![
        Constraint::Length(5),
        Constraint::Length(5),
        Constraint::Fill(1),
        Constraint::Length(mark_width),
    ];
    let rows = form.marks.iter().enumerate().map(|(i, mark)| {
        let index = orgs.map_or(i, |orgs| orgs[i]);
        let org = &config.organizations[index];
        let pointer = if i == form.cursor && focused {
            "▶"
        } else {
            " "
        };
        let cell = Cell::from(mark_text(config, lang, *mark));
        let cells = vec![
            Cell::from(format!("{pointer} {:>3}", index + 1)),
            Cell::from(org.id.as_str()),
            Cell::from(strings::shorten(&org.name, name_width)),
            if mark.is_none() {
                cell.style(theme::dim())
            } else {
                cell
            },
        ];
        let row = Row::new(cells);
        if i == form.cursor && focused {
            row.style(theme::cursor())
        } else {
            row
        }
    });
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(theme::header()))
        .column_spacing(1);
    let mut state = TableState::default().with_offset(offset);
    frame.render_stateful_widget(table, area, &mut state);
}

/// A form's screen: its rows on the left, the side panel on the right.
pub fn split(area: Rect) -> [Rect; 2] {
    Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(side_width(area.width)),
    ])
    .areas(area)
}

/// The width of the side panel beside a form's rows: narrower on a narrow screen, so the
/// rows keep room for the organizations' names.
fn side_width(total: u16) -> u16 {
    if total >= 80 {
        34
    } else {
        (total * 2 / 5).clamp(20, 34)
    }
}

/// The running count of each option against its `max_marks` limit, and the validity of the
/// form so far, one line each: `A: 12 / 11 allowed — invalid`, `好：12 票 / 最多 11 票`.
pub fn count_lines(config: &Config, lang: Lang, form: &FormEditor) -> Vec<Line<'static>> {
    let counts = form.option_counts(config.scale.len());
    let mut lines = Vec::new();
    for (i, option) in config.scale.options.iter().enumerate() {
        // In English the key alone: the rows already show each key with its label. In
        // Chinese the label, as the paper form and a tally sheet count it (好：12 票).
        let label = match lang {
            Lang::En => option.key.to_string(),
            Lang::Zh => option.label.clone(),
        };
        let (text, over) = match config.rules.max_marks.get(i).copied().flatten() {
            Some(max) => (
                strings::count_of_max(lang, &label, counts[i], max),
                counts[i] > max,
            ),
            None => (
                format!(
                    "{label}{}{}{}",
                    strings::colon(lang),
                    counts[i],
                    lang.pick("", " 票")
                ),
                false,
            ),
        };
        lines.push(if over {
            Line::styled(text, theme::error())
        } else {
            Line::raw(text)
        });
    }
    let blank = form
        .marks
        .iter()
        .filter(|m| matches!(m, Some(Mark::Blank | Mark::Spoiled)))
        .count();
    lines.push(Line::raw(format!(
        "{}{blank}",
        strings::label(lang, S::BlankOrSpoiled)
    )));
    lines.push(validity_line(config, lang, form));
    lines
}

/// `valid`, `invalid: reason`, or how many rows are left.
pub fn validity_line(config: &Config, lang: Lang, form: &FormEditor) -> Line<'static> {
    let untyped = form.untyped();
    match validity(&form.marks_or_blank(), &config.scale, &config.rules) {
        Err(reason @ InvalidReason::TooMany { .. }) => Line::from(vec![Span::styled(
            format!(
                "{}{}",
                strings::label(lang, S::Invalid),
                reason.message(&config.scale, lang)
            ),
            theme::error(),
        )]),
        _ if untyped > 0 => Line::styled(strings::rows_to_go(lang, untyped), theme::dim()),
        Err(reason) => Line::styled(
            format!(
                "{}{}",
                strings::label(lang, S::Invalid),
                reason.message(&config.scale, lang)
            ),
            theme::error(),
        ),
        Ok(()) => Line::styled(S::Valid.get(lang).to_string(), theme::ok()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_advance_and_fill_sets_the_rest() {
        let mut form = FormEditor::new(4);
        form.mark(Mark::Option(1));
        assert_eq!(form.cursor, 1);
        form.fill_pending = true;
        form.mark(Mark::Option(0));
        assert_eq!(
            form.marks,
            vec![
                Some(Mark::Option(1)),
                Some(Mark::Option(0)),
                Some(Mark::Option(0)),
                Some(Mark::Option(0))
            ]
        );
        assert_eq!(form.cursor, 3);
        assert_eq!(form.untyped(), 0);
    }

    #[test]
    fn a_key_typed_past_the_last_row_does_not_overwrite_it() {
        let mut form = FormEditor::new(2);
        assert!(form.mark(Mark::Option(0)));
        assert!(form.mark(Mark::Option(1)));
        // The form is complete; a key typed ahead is refused and the last row keeps B.
        assert!(!form.mark(Mark::Option(3)));
        assert_eq!(form.edit(Action::Mark(2)), Some(Edited::PastLastRow));
        assert_eq!(
            form.marks,
            vec![Some(Mark::Option(0)), Some(Mark::Option(1))]
        );
        // Moving back onto the last row makes it correctable.
        form.move_by(-1);
        form.move_by(1);
        assert!(form.mark(Mark::Option(2)));
        assert_eq!(form.marks[1], Some(Mark::Option(2)));
        // So does Backspace, which clears it; the fill key ends the form too.
        assert_eq!(form.step_back(), StepBack::Cleared);
        assert_eq!(form.marks[1], None);
        let mut filled = FormEditor::new(3);
        filled.fill_pending = true;
        assert!(filled.mark(Mark::Blank));
        assert!(!filled.mark(Mark::Option(0)));
        assert_eq!(filled.marks, vec![Some(Mark::Blank); 3]);
    }

    #[test]
    fn step_back_clears_then_leaves_the_form() {
        let mut form = FormEditor::new(3);
        form.mark(Mark::Blank);
        form.mark(Mark::Spoiled);
        form.mark(Mark::Option(2)); // last row typed, cursor stays on it
        assert_eq!(form.step_back(), StepBack::Cleared);
        assert_eq!(form.marks[2], None);
        assert_eq!(form.step_back(), StepBack::Cleared);
        assert_eq!((form.cursor, form.marks[1]), (1, None));
        assert_eq!(form.step_back(), StepBack::Cleared);
        assert_eq!((form.cursor, form.marks[0]), (0, None));
        assert_eq!(form.step_back(), StepBack::LeftForm);
    }

    #[test]
    fn scroll_keeps_the_cursor_in_view() {
        assert_eq!(scroll_offset(3, 10, 20), 0);
        assert_eq!(scroll_offset(0, 30, 10), 0);
        assert_eq!(scroll_offset(15, 30, 10), 10);
        assert_eq!(scroll_offset(29, 30, 10), 20);
        for cursor in 0..30 {
            let offset = scroll_offset(cursor, 30, 10);
            assert!(offset <= cursor && cursor < offset + 10);
        }
    }
}
