//! The library's errors. Each says where the trouble is (file, line, column, value) in both
//! UI languages, and whether it is the user's to fix (exit 1) or ours (exit 2).

use crate::lang::Lang;
use std::fmt;
use std::path::{Path, PathBuf};

/// A message in both UI languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    /// English form.
    pub en: String,
    /// Chinese form.
    pub zh: String,
}

impl Text {
    /// A message from its English and Chinese forms.
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    /// The form in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.en, &self.zh)
    }
}

/// One problem found in an input file: `FILE:LINE: column "X": value "Y": why`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The file as the user named it.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<u64>,
    /// Column header or field name, when it concerns one.
    pub column: Option<String>,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What is wrong.
    pub why: Text,
}

impl Problem {
    /// The problem as one line in the UI language.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = self.file.clone();
        if let Some(line) = self.line {
            out.push_str(&format!(":{line}"));
        }
        if let Some(column) = &self.column {
            let column = crate::text::echo(column);
            out.push_str(&format!(": {} \"{column}\"", lang.pick("column", "列")));
        }
        if let Some(value) = &self.value {
            let value = crate::text::echo(value);
            out.push_str(&format!(": {} \"{value}\"", lang.pick("value", "值")));
        }
        out.push_str(": ");
        out.push_str(self.why.get(lang));
        out
    }
}

/// How many problems a report lists before it only counts the rest.
pub const PROBLEM_LIMIT: usize = 50;

/// All the problems of one input, the first [`PROBLEM_LIMIT`] kept in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Problems {
    /// The problems listed.
    pub listed: Vec<Problem>,
    /// How many more were found but not listed.
    pub more: usize,
}

impl Problems {
    /// Records a problem (or counts it past the limit).
    pub fn push(&mut self, problem: Problem) {
        if self.listed.len() < PROBLEM_LIMIT {
            self.listed.push(problem);
        } else {
            self.more += 1;
        }
    }

    /// Whether nothing is wrong.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// Total number of problems found.
    pub fn total(&self) -> usize {
        self.listed.len() + self.more
    }

    /// All problems, one per line, with a count of the unlisted rest.
    pub fn render(&self, lang: Lang) -> String {
        let mut lines: Vec<String> = self.listed.iter().map(|p| p.render(lang)).collect();
        if self.more > 0 {
            lines.push(match lang {
                Lang::En if self.more == 1 => "... and 1 more problem".to_string(),
                Lang::En => format!("... and {} more problems", self.more),
                Lang::Zh => format!("……另有 {} 个问题", self.more),
            });
        }
        lines.join("\n")
    }
}

/// An error of the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input or a refused action: the user's to fix.
    #[error("{}", .0.en)]
    User(Text),
    /// Problems found in an input file; nothing was changed.
    #[error("{}", .0.render(Lang::En))]
    Problems(Problems),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The SQLite store failed.
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    /// A broken promise inside tallyclerk.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The library's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A user error from its English and Chinese message.
    pub fn user(en: impl Into<String>, zh: impl Into<String>) -> Error {
        Error::User(Text::new(en, zh))
    }

    /// A single problem located in a file.
    pub fn problem(problem: Problem) -> Error {
        let mut problems = Problems::default();
        problems.push(problem);
        Error::Problems(problems)
    }

    /// An I/O error about `path`.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The process exit code: 1 for the user's errors, 2 for ours.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::User(_) | Error::Problems(_) | Error::Io { .. } => 1,
            Error::Store(e) if is_user_store_error(e) => 1,
            Error::Store(_) | Error::Internal(_) => 2,
        }
    }

    /// The message in the UI language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::User(text) => text.get(lang).to_string(),
            Error::Problems(problems) => problems.render(lang),
            Error::Io { path, source } => format!("{}: {source}", path.display()),
            Error::Store(e) if is_user_store_error(e) => match lang {
                Lang::En => format!("the meeting store cannot be used: {e}"),
                Lang::Zh => format!("会议数据库无法使用：{e}"),
            },
            other => other.to_string(),
        }
    }
}

/// Store failures the user can act on: a busy, read-only, corrupt or foreign database.
fn is_user_store_error(e: &rusqlite::Error) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(
        e.sqlite_error_code(),
        Some(
            DatabaseBusy | DatabaseLocked | ReadOnly | DatabaseCorrupt | NotADatabase | CannotOpen
        ) | Some(PermissionDenied | DiskFull)
    )
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(Lang::En))
    }
}
