//! Finding a font that prints Chinese: the one given with `--font`, else the first of the
//! well-known CJK fonts of Linux, Windows and macOS found in the system's font folders.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Characters every sheet prints in Chinese: a font without them cannot print a sheet.
const PROBE: &str = "测评结果统计表计票人监票人负责人";

/// Font files that print Chinese, best first: Noto CJK and WenQuanYi (Linux), Microsoft
/// YaHei, SimHei and SimSun (Windows), PingFang, Heiti and Songti (macOS).
const KNOWN_FILES: &[&str] = &[
    "NotoSansCJK-Regular.ttc",
    "NotoSansCJKsc-Regular.otf",
    "NotoSansSC-Regular.otf",
    "NotoSerifCJK-Regular.ttc",
    "wqy-microhei.ttc",
    "wqy-zenhei.ttc",
    "msyh.ttc",
    "msyh.ttf",
    "simhei.ttf",
    "simsun.ttc",
    "PingFang.ttc",
    "STHeiti Light.ttc",
    "Songti.ttc",
];

/// A font chosen for a PDF: its bytes, which face of a collection, and its name.
#[derive(Clone)]
pub struct ChosenFont {
    /// The file it was read from.
    pub path: PathBuf,
    /// The face within a collection (.ttc); 0 for a single font.
    pub index: u32,
    /// The family name the font gives itself.
    pub family: String,
    /// The whole file.
    pub data: Arc<Vec<u8>>,
}

impl std::fmt::Debug for ChosenFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChosenFont")
            .field("path", &self.path)
            .field("index", &self.index)
            .field("family", &self.family)
            .finish()
    }
}

impl ChosenFont {
    /// "FAMILY (PATH)", to say which font a PDF was set in.
    pub fn describe(&self) -> String {
        format!("{} ({})", self.family, self.path.display())
    }

    /// The parsed face.
    pub fn face(&self) -> ttf_parser::Face<'_> {
        // Checked when the font was chosen.
        ttf_parser::Face::parse(&self.data, self.index).expect("a face checked when chosen")
    }
}

/// The font to set a PDF in: `explicit` (`--font FILE`) when given, else the first
/// well-known CJK font found in the system's font folders. Refused, saying what to install,
/// when there is none; an explicit file that is not a font, or has no Chinese characters,
/// is refused too.
pub fn choose_font(explicit: Option<&Path>) -> Result<ChosenFont> {
    if let Some(path) = explicit {
        let data = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        return font_from(path, data).ok_or_else(|| {
            Error::user(
                format!(
                    "{} is not a font that prints Chinese (a .ttf, .otf or .ttc with the characters {PROBE})",
                    path.display()
                ),
                format!(
                    "{} 不是能打印中文的字体（需要含有“{PROBE}”等汉字的 .ttf、.otf 或 .ttc 文件）",
                    path.display()
                ),
            )
        });
    }
    for path in system_candidates() {
        if let Ok(data) = std::fs::read(&path) {
            if let Some(font) = font_from(&path, data) {
                return Ok(font);
            }
        }
    }
    Err(Error::user(
        format!(
            "no font that prints Chinese was found (looked for {} in {}). Install one — Debian/Ubuntu: `apt-get install fonts-noto-cjk` or `fonts-wqy-microhei`; Fedora: `dnf install google-noto-sans-cjk-fonts`; Windows has SimSun — or give a font file with --font FILE",
            KNOWN_FILES.join(", "),
            font_dirs().iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
        ),
        format!(
            "未找到能打印中文的字体（在 {} 中查找 {}）。请安装一种——Debian/Ubuntu：`apt-get install fonts-noto-cjk` 或 `fonts-wqy-microhei`；Fedora：`dnf install google-noto-sans-cjk-fonts`；Windows 自带宋体——或用 --font FILE 指定字体文件",
            font_dirs().iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join("、"),
            KNOWN_FILES.join("、")
        ),
    ))
}

/// The face of `data` to print with: of a collection, the Simplified Chinese face when
/// there is one (Noto CJK puts Japanese first), else the first with the probe characters.
fn font_from(path: &Path, data: Vec<u8>) -> Option<ChosenFont> {
    let faces = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
    let mut usable = Vec::new();
    for index in 0..faces.min(64) {
        let Ok(face) = ttf_parser::Face::parse(&data, index) else {
            continue;
        };
        if PROBE.chars().all(|c| face.glyph_index(c).is_some()) {
            usable.push((index, family_name(&face)));
        }
    }
    let (index, family) = usable
        .iter()
        .find(|(_, family)| family.ends_with(" SC"))
        .or(usable.first())
        .cloned()?;
    Some(ChosenFont {
        path: path.to_path_buf(),
        index,
        family,
        data: Arc::new(data),
    })
}

/// The family name of a face (its typographic family when it has one), else "?".
fn family_name(face: &ttf_parser::Face) -> String {
    let names = face.names();
    let named = |id: u16| {
        names
            .into_iter()
            .filter(|n| n.name_id == id)
            .find_map(|n| n.to_string())
    };
    named(ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
        .or_else(|| named(ttf_parser::name_id::FAMILY))
        .unwrap_or_else(|| "?".to_string())
}

/// The font folders of this system: Linux's, the user's, Windows' and macOS's.
fn font_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(home) = std::env::var_os("HOME") {
        let home = PathBuf::from(home);
        dirs.push(home.join(".local/share/fonts"));
        dirs.push(home.join(".fonts"));
        dirs.push(home.join("Library/Fonts"));
    }
    dirs.extend(
        [
            "/usr/share/fonts",
            "/usr/local/share/fonts",
            "/System/Library/Fonts",
            "/Library/Fonts",
        ]
        .map(PathBuf::from),
    );
    if let Some(windir) = std::env::var_os("WINDIR") {
        dirs.push(PathBuf::from(windir).join("Fonts"));
    } else if cfg!(windows) {
        dirs.push(PathBuf::from(r"C:\Windows\Fonts"));
    }
    if let Some(local) = std::env::var_os("LOCALAPPDATA") {
        dirs.push(PathBuf::from(local).join(r"Microsoft\Windows\Fonts"));
    }
    dirs
}

/// Every file of a well-known name under the font folders (three levels deep at most:
/// `/usr/share/fonts/opentype/noto/`), best name first.
fn system_candidates() -> Vec<PathBuf> {
    let mut found: Vec<(usize, PathBuf)> = Vec::new();
    for dir in font_dirs() {
        collect(&dir, 3, &mut found);
    }
    found.sort();
    found.into_iter().map(|(_, path)| path).collect()
}

fn collect(dir: &Path, depth: u32, found: &mut Vec<(usize, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if depth > 0 {
                collect(&path, depth - 1, found);
            }
        } else if let Some(rank) = entry.file_name().to_str().and_then(|name| {
            KNOWN_FILES
                .iter()
                .position(|known| known.eq_ignore_ascii_case(name))
        }) {
            found.push((rank, path));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_system_cjk_font_is_found_and_named() {
        // The test machine has one: the CI script installs fonts-wqy-microhei.
        let font = choose_font(None).expect(
            "a CJK font on this machine (apt-get install fonts-wqy-microhei or fonts-noto-cjk)",
        );
        assert!(PROBE.chars().all(|c| font.face().glyph_index(c).is_some()));
        assert!(!font.family.is_empty() && font.family != "?");
        assert!(font.describe().contains(&font.path.display().to_string()));
    }

    #[test]
    fn a_file_that_is_not_a_font_is_refused_plainly() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("not-a-font.ttf");
        std::fs::write(&path, b"hello").unwrap();
        let e = choose_font(Some(&path)).unwrap_err();
        assert!(e
            .message(crate::Lang::En)
            .contains("not a font that prints Chinese"));
        let e = choose_font(Some(&dir.path().join("missing.ttf"))).unwrap_err();
        assert!(e.message(crate::Lang::En).contains("missing.ttf"));
    }
}
