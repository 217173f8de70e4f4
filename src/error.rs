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
    /// The SQLite store of a meeting failed: `meeting.db` at `path`.
    #[error("{}: {source}", path.display())]
    StoreAt {
        /// The store file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The PostgreSQL server of a meeting cannot be reached (not running, no network, or
    /// this station not let in); nothing was changed.
    #[error("{}", .0.en)]
    Offline(Text),
    /// The PostgreSQL database of a meeting failed, or could not be reached.
    #[error("meeting database: {}", database_detail(.0))]
    Database(#[from] ::postgres::Error),
    /// The disk holding a folder (when known) is full; nothing was changed.
    #[error("the disk is full")]
    DiskFull(Option<PathBuf>),
    /// Standard output was closed by its reader (`| head -1`): the command stops quietly,
    /// its work done.
    #[error("standard output closed")]
    ClosedOutput,
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

    /// An I/O error about `path`: a full disk says which folder's.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        if source.kind() == std::io::ErrorKind::StorageFull {
            return Error::DiskFull(Some(folder_of(path)));
        }
        Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An error writing output whose place is not known here (standard output, or a file
    /// the caller names with [`Error::at_file`]): a reader that closed it, a full disk, or
    /// ours.
    pub fn output(source: std::io::Error) -> Error {
        match source.kind() {
            std::io::ErrorKind::BrokenPipe => Error::ClosedOutput,
            std::io::ErrorKind::StorageFull => Error::DiskFull(None),
            _ => Error::Internal(format!("writing: {source}")),
        }
    }

    /// The error, said of the file `path` where it does not say where yet.
    pub fn at_file(self, path: &Path) -> Error {
        match self {
            Error::DiskFull(None) => Error::DiskFull(Some(folder_of(path))),
            other => other,
        }
    }

    /// The error, said of the meeting in folder `dir`: a store error names its
    /// `meeting.db`, and a full disk (SQLite's "disk is full", or an I/O error while the
    /// folder's disk has no room left) names the folder.
    pub fn in_meeting(self, dir: &Path) -> Error {
        match self {
            Error::Store(source) | Error::StoreAt { source, .. } => {
                if store_disk_full(&source, dir) {
                    Error::DiskFull(Some(dir.to_path_buf()))
                } else if store_read_only(&source, dir) {
                    let dir = dir.display();
                    Error::user(
                        format!("{dir} cannot be written (read-only media, such as a locked USB stick or a CD?): a change needs a copy of the folder in a writable place; tally, check, log and export read it as it is"),
                        format!("{dir} 不可写（只读介质，如锁定的 U 盘或光盘？）：修改需先把文件夹复制到可写的位置；tally、check、log 和 export 可直接读取"),
                    )
                } else {
                    Error::StoreAt {
                        path: dir.join(crate::config::STORE_FILE),
                        source,
                    }
                }
            }
            Error::DiskFull(None) => Error::DiskFull(Some(dir.to_path_buf())),
            other => other,
        }
    }

    /// Whether the error says the meeting's database server could not be reached: the
    /// change was not made, and may be made again once it answers.
    pub fn is_offline(&self) -> bool {
        match self {
            Error::Offline(_) => true,
            Error::Database(e) => e.as_db_error().is_none(),
            _ => false,
        }
    }

    /// The process exit code: 1 for the user's errors, 2 for ours.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::ClosedOutput => 0,
            Error::User(_)
            | Error::Offline(_)
            | Error::Problems(_)
            | Error::Io { .. }
            | Error::DiskFull(_) => 1,
            Error::Store(e) | Error::StoreAt { source: e, .. } if is_user_store_error(e) => 1,
            Error::Store(_) | Error::StoreAt { .. } | Error::Internal(_) => 2,
            // The server down or the network gone is the user's to fix; a refusal by the
            // database itself is ours.
            Error::Database(e) if e.as_db_error().is_none() => 1,
            Error::Database(_) => 2,
        }
    }

    /// The message in the UI language, said of the meeting in folder `dir`: a store error
    /// names its `meeting.db` as [`Error::in_meeting`] does (the UI keeps its errors by
    /// reference, so this words one without taking it).
    pub fn message_in_meeting(&self, lang: Lang, dir: &Path) -> String {
        match self {
            Error::Store(source) => {
                store_message(lang, &dir.join(crate::config::STORE_FILE), source)
            }
            other => other.message(lang),
        }
    }

    /// The message in the UI language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Error::User(text) | Error::Offline(text) => text.get(lang).to_string(),
            Error::Problems(problems) => problems.render(lang),
            Error::Io { path, source } => format!("{}: {source}", path.display()),
            Error::Store(e) if is_user_store_error(e) => match lang {
                Lang::En => format!("the meeting store cannot be used: {e}"),
                Lang::Zh => format!("会议数据库无法使用：{e}"),
            },
            Error::StoreAt { path, source } => store_message(lang, path, source),
            Error::Database(e) if self.is_offline() => match lang {
                Lang::En => format!("cannot reach the meeting database ({e}): is the server running and the network up? Nothing was changed; do it again once it answers"),
                Lang::Zh => format!("无法连接会议数据库（{e}）：服务器是否在运行、网络是否正常？未作任何更改；连接恢复后请重做"),
            },
            Error::Database(e) => {
                let e = database_detail(e);
                match lang {
                    Lang::En => format!("the meeting database cannot be used: {e}"),
                    Lang::Zh => format!("会议数据库无法使用：{e}"),
                }
            }
            Error::DiskFull(folder) => {
                let folder = folder.as_ref().map_or_else(
                    || lang.pick("the output", "输出").to_string(),
                    |f| f.display().to_string(),
                );
                match lang {
                    Lang::En => format!("the disk holding {folder} is full: free some space there and try again; nothing was changed"),
                    Lang::Zh => format!("{folder} 所在磁盘已满：请腾出空间后重试；未做任何修改"),
                }
            }
            other => other.to_string(),
        }
    }
}

/// What the PostgreSQL server said (its own message, which the client's error only calls a
/// "db error"), or what went wrong reaching it.
fn database_detail(e: &::postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => e.to_string(),
    }
}

/// A failure of the store file at `path`, in the UI language.
fn store_message(lang: Lang, path: &Path, source: &rusqlite::Error) -> String {
    let path = path.display();
    match (is_user_store_error(source), lang) {
        (true, Lang::En) => format!("{path}: the meeting store cannot be used: {source}"),
        (true, Lang::Zh) => format!("{path}：会议数据库无法使用：{source}"),
        (false, _) => format!("{path}: {source}"),
    }
}

/// The folder a file is in (`.` for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether a store error means the disk of `dir` is full: SQLite says so, or it reports an
/// I/O error (a write or a sync the full disk refused) and a small file written and synced
/// into `dir` is refused for want of space too.
fn store_disk_full(e: &rusqlite::Error, dir: &Path) -> bool {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DiskFull) => true,
        Some(rusqlite::ErrorCode::SystemIoFailure) => no_room_in(dir),
        _ => false,
    }
}

/// Whether a store error comes of a folder that cannot be written at all.
fn store_read_only(e: &rusqlite::Error, dir: &Path) -> bool {
    use rusqlite::ErrorCode::*;
    matches!(e.sqlite_error_code(), Some(CannotOpen | ReadOnly))
        && matches!(
            tempfile::NamedTempFile::new_in(dir),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied)
        )
}

/// Whether writing 64 KiB into `dir` and syncing it fails for want of space.
fn no_room_in(dir: &Path) -> bool {
    use std::io::Write;
    let mut probe = match tempfile::NamedTempFile::new_in(dir) {
        Ok(probe) => probe,
        Err(e) => return e.kind() == std::io::ErrorKind::StorageFull,
    };
    let written = probe
        .write_all(&[0u8; 64 * 1024])
        .and_then(|()| probe.as_file().sync_all());
    matches!(written, Err(e) if e.kind() == std::io::ErrorKind::StorageFull)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: std::os::raw::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn a_store_error_shown_in_the_ui_names_the_meeting_db() {
        let dir = Path::new("meetings/m1");
        let busy = Error::Store(sqlite(rusqlite::ffi::SQLITE_BUSY));
        let en = busy.message_in_meeting(Lang::En, dir);
        assert!(
            en.starts_with(&format!(
                "{}: the meeting store cannot be used: ",
                dir.join("meeting.db").display()
            )),
            "{en}"
        );
        let zh = busy.message_in_meeting(Lang::Zh, dir);
        assert!(zh.contains("meeting.db：会议数据库无法使用："), "{zh}");
        let internal = Error::Store(sqlite(rusqlite::ffi::SQLITE_INTERNAL));
        assert!(internal
            .message_in_meeting(Lang::En, dir)
            .starts_with(&format!("{}: ", dir.join("meeting.db").display())));
        // Other errors are worded as they are anywhere else.
        let user = Error::user("no such serial", "无此编号");
        assert_eq!(user.message_in_meeting(Lang::En, dir), "no such serial");
    }
}
