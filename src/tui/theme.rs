//! Every style of the terminal UI, in one place.
//!
//! Colours must read on light and on dark terminals, so only the named ANSI colours are used
//! as foregrounds (the terminal's own palette adapts them), never white or black text, and the
//! cursor row is shown by reversing the terminal's own colours rather than by a fixed
//! background.

use ratatui::style::{Color, Modifier, Style};

/// The row under the cursor: reversed and bold, unmistakable on any palette.
pub fn cursor() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// A prompt's value shown selected: the first key typed replaces it.
pub fn selected_input() -> Style {
    Style::new()
        .fg(Color::Cyan)
        .add_modifier(Modifier::REVERSED | Modifier::UNDERLINED)
}

/// Titles of panels and table headers.
pub fn header() -> Style {
    Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// The selected tab.
pub fn tab_selected() -> Style {
    Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// Secondary text: hints, untyped rows.
pub fn dim() -> Style {
    Style::new().add_modifier(Modifier::DIM)
}

/// A good outcome: saved, valid, verified.
pub fn ok() -> Style {
    Style::new().fg(Color::Green).add_modifier(Modifier::BOLD)
}

/// An error or an invalid ballot.
pub fn error() -> Style {
    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD)
}

/// The loud banner of a void round or a finalised meeting: reversed red, whole line.
pub fn banner() -> Style {
    Style::new()
        .fg(Color::Red)
        .add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// A finalised meeting's marker in the status bar.
pub fn finalised() -> Style {
    Style::new()
        .fg(Color::Blue)
        .add_modifier(Modifier::REVERSED | Modifier::BOLD)
}

/// The status bar.
pub fn status() -> Style {
    Style::new().add_modifier(Modifier::REVERSED)
}

/// Keys in the footer and the help overlay.
pub fn key() -> Style {
    Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)
}

/// A row that differs between the two entries of a form.
pub fn mismatch() -> Style {
    Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD)
}

/// The colour of a tier, by its index: the first tier green, the second cyan, later ones blue.
pub fn tier(index: usize) -> Style {
    let colour = match index {
        0 => Color::Green,
        1 => Color::Cyan,
        _ => Color::Blue,
    };
    Style::new().fg(colour)
}

/// Organizations tied across a cutoff, waiting for the clerk's decision.
pub fn undecided() -> Style {
    Style::new()
        .fg(Color::Magenta)
        .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
}

/// The line drawn after each cutoff of the ranking.
pub fn cutoff() -> Style {
    Style::new().fg(Color::Yellow)
}

/// Inline bars of the tally.
pub fn bar() -> Style {
    Style::new().fg(Color::Cyan)
}
