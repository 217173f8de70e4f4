//! The clerk's `L` choice, remembered per meeting.
//!
//! It is kept in a one-line file in the meeting folder ([`FILE`]), not in the store: the
//! store is the audited record of the count (every change in its audit chain, every schema
//! change a migration, `check` verifying it), and the language a screen is shown in is no
//! part of that record. A folder that cannot be written (a meeting on read-only media) just
//! does not remember; nothing else depends on the file, and a damaged one is ignored.

use crate::lang::Lang;
use crate::meeting::Meeting;
use std::path::Path;

/// The file in the meeting folder holding the UI language last chosen with `L`: `en` or `zh`.
pub const FILE: &str = "ui-language";

/// The language the UI opens a meeting in: the command line's `--lang`, else the one last
/// chosen with `L` for this meeting, else the meeting's (meeting.toml, then the environment).
pub fn choose(meeting: &Meeting, flag: Option<Lang>) -> Lang {
    flag.or_else(|| remembered(&meeting.config.dir))
        .unwrap_or_else(|| meeting.lang(None))
}

/// The language last chosen with `L` in the meeting folder `dir`, if any.
pub fn remembered(dir: &Path) -> Option<Lang> {
    let text = std::fs::read_to_string(dir.join(FILE)).ok()?;
    match text.trim() {
        "en" => Some(Lang::En),
        "zh" => Some(Lang::Zh),
        _ => None,
    }
}

/// Remembers `lang` for the meeting folder `dir`.
pub fn remember(dir: &Path, lang: Lang) -> std::io::Result<()> {
    std::fs::write(dir.join(FILE), format!("{}\n", lang.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_choice_is_remembered_and_a_damaged_file_ignored() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(remembered(dir.path()), None);
        remember(dir.path(), Lang::Zh).unwrap();
        assert_eq!(remembered(dir.path()), Some(Lang::Zh));
        remember(dir.path(), Lang::En).unwrap();
        assert_eq!(remembered(dir.path()), Some(Lang::En));
        std::fs::write(dir.path().join(FILE), "klingon").unwrap();
        assert_eq!(remembered(dir.path()), None);
    }

    #[test]
    fn the_flag_wins_then_the_choice_then_the_meeting() {
        let dir = tempfile::tempdir().unwrap();
        let meeting = crate::demo::install(dir.path()).unwrap();
        let own = meeting.lang(None);
        assert_eq!(choose(&meeting, None), own);
        remember(dir.path(), own.toggled()).unwrap();
        assert_eq!(choose(&meeting, None), own.toggled());
        assert_eq!(choose(&meeting, Some(own)), own);
    }
}
