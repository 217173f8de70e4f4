//! The bounds of every number and text a meeting holds, stated once.
//!
//! Each is checked where the value comes in (meeting.toml and the organization list when
//! they are loaded, serials and counts when they are typed or imported), and refused there
//! with the place, so that no sum, product or comparison of the tally can overflow: the
//! weighted counts are 64-bit thousandths (a total weight is checked as it is summed),
//! scores and rates 128-bit fractions compared without overflow ([`crate::decimal`]).

use crate::decimal::Milli;
use crate::error::Text;

/// The largest serial: 15 digits, which a spreadsheet (and a JSON reader) keeps exactly.
pub const MAX_SERIAL: u64 = 999_999_999_999_999;

/// The most forms that can be issued: as many as there are serials.
pub const MAX_ISSUED: u64 = MAX_SERIAL;

/// The largest weight of a voter group, 1,000 (the smallest is 0.001).
pub const MAX_WEIGHT: Milli = Milli(1_000_000);

/// The largest points of an option, in either direction: 1,000,000.
pub const MAX_POINTS: Milli = Milli(1_000_000_000);

/// The longest one-line text (a title, a date, a name, a label, a category, a reason), in
/// characters: a workbook cell holds 32,767, and a line of a report should stay a line.
pub const TEXT_CHARS: usize = 200;

/// The longest id (of an organization, a voter group, a tier), in characters.
pub const ID_CHARS: usize = 32;

/// Why `text` cannot be a one-line field of at most `chars` characters, if it cannot: a
/// control character (a line end, a tab, an escape) would add lines to a report or move
/// the terminal's cursor, and a direction override would show it reversed.
pub fn one_line(text: &str, chars: usize) -> Result<(), Text> {
    if let Some(c) = text.chars().find(|&c| is_hidden(c)) {
        let code = format!("U+{:04X}", c as u32);
        return Err(Text::new(
            format!("holds the control character {code}: a one-line text may not"),
            format!("含有控制字符 {code}：单行文字中不能有控制字符"),
        ));
    }
    let count = text.chars().count();
    if count > chars {
        return Err(Text::new(
            format!("{count} characters, more than the {chars} allowed"),
            format!("共 {count} 个字符，超过上限 {chars} 个"),
        ));
    }
    Ok(())
}

/// Why `id` cannot be an id, if it cannot: [`one_line`] of [`ID_CHARS`], and not beginning
/// with `=`, `+`, `-` or `@`, which a spreadsheet opening a CSV file written with it (the
/// ballots file has ids in its header and cells) would run as a formula.
pub fn id(id: &str) -> Result<(), Text> {
    one_line(id, ID_CHARS)?;
    not_a_formula(id)
}

/// Why `text` cannot stand at the start of a CSV cell tallyclerk writes unchanged, if it
/// cannot: it begins with `=`, `+`, `-` or `@`.
pub fn not_a_formula(text: &str) -> Result<(), Text> {
    match text.chars().next() {
        Some(c @ ('=' | '+' | '-' | '@')) => Err(Text::new(
            format!("begins with '{c}', which a spreadsheet would take for a formula"),
            format!("以 '{c}' 开头，电子表格会将其当作公式"),
        )),
        _ => Ok(()),
    }
}

/// Characters that a one-line text may not hold: controls (line ends, tab, escape),
/// the Unicode line and paragraph separators, and the direction overrides and isolates.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_texts_refuse_controls_and_length() {
        assert!(one_line("长兴镇2021年度评议", TEXT_CHARS).is_ok());
        for bad in [
            "a\nb",
            "a\rb",
            "tab\there",
            "esc\u{1b}[2J",
            "rtl\u{202E}x",
            "ls\u{2028}",
        ] {
            let why = one_line(bad, TEXT_CHARS).unwrap_err();
            assert!(
                why.en.contains("control character U+"),
                "{bad:?}: {}",
                why.en
            );
        }
        assert!(one_line(&"好".repeat(TEXT_CHARS), TEXT_CHARS).is_ok());
        let why = one_line(&"好".repeat(TEXT_CHARS + 1), TEXT_CHARS).unwrap_err();
        assert_eq!(why.en, "201 characters, more than the 200 allowed");
    }

    #[test]
    fn ids_refuse_what_a_spreadsheet_runs() {
        assert!(id("V01").is_ok());
        for bad in [
            "=HYPERLINK(\"http://x\")",
            "=cmd|' /C calc'!A0",
            "+1",
            "-2",
            "@SUM(A1)",
        ] {
            assert!(id(bad).is_err(), "{bad}");
        }
        assert!(id(&"x".repeat(ID_CHARS + 1)).is_err());
    }
}
