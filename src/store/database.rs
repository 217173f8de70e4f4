//! A meeting in a PostgreSQL database that several stations share: what `copy DIR URL` put
//! there (see [`super::postgres_copy`]) opened for work. The meeting's rule files come from
//! the database, so every station works under the same rules; they are written into a
//! private temporary folder of this station for the rules to be read from, as from a
//! meeting folder, and that folder is the meeting's `dir` while it is open.

use super::db::{args, Db};
use super::postgres_copy::{self, shown_url};
use super::{Access, Store, SCHEMA_VERSION};
use crate::config::Config;
use crate::error::{Error, Result};

/// Where a meeting in a database is, for the station that opened it.
pub struct Database {
    /// The URL it was opened by.
    pub url: String,
    /// The private folder its rule files were written into: it lives as long as the store.
    _rule_files: tempfile::TempDir,
}

impl Store {
    /// Opens the meeting in the PostgreSQL database at `url` with `access`, as
    /// [`Store::open`] (and the other opens) do a folder's.
    pub fn open_database(url: &str, access: Access) -> Result<Store> {
        let image = postgres_copy::open_image(url)?;
        let version = image.version();
        if version != SCHEMA_VERSION {
            let shown = shown_url(url);
            return Err(Error::user(
                format!("{shown} holds a meeting of schema {version}, and this tallyclerk works on schema {SCHEMA_VERSION}: a database is not migrated in place; `copy {shown} DIR` brings it into a new folder and migrates it there (audited), and `copy DIR URL` then puts it into a new database"),
                format!("{shown} 中的会议结构版本为 {version}，本程序使用 {SCHEMA_VERSION}：数据库不就地迁移；`copy {shown} DIR` 可把它复制到新文件夹并在其中迁移（记入审计日志），再用 `copy DIR URL` 放入新数据库"),
            ));
        }
        let files = tempfile::tempdir().map_err(|e| Error::io(&std::env::temp_dir(), e))?;
        for (name, content) in &image.files {
            if !crate::meeting::copy::is_plain_file_name(name) {
                return Err(Error::Internal(format!(
                    "the database names a meeting file {name:?}, which is not a plain file name"
                )));
            }
            let path = files.path().join(name);
            std::fs::write(&path, content).map_err(|e| Error::io(&path, e))?;
        }
        let config =
            Config::load(files.path()).map_err(|e| said_of_database(e, files.path(), url))?;
        let mut store = Store {
            conn: Db::postgres(url, image.into_client()),
            config,
            clerk: None,
            database: Some(Database {
                url: url.to_string(),
                _rule_files: files,
            }),
        };
        store.after_open(access)?;
        Ok(store)
    }
}

/// An error reading the rule files written into `folder`, said of the database at `url` and
/// the file's name there.
fn said_of_database(e: Error, folder: &std::path::Path, url: &str) -> Error {
    let Error::User(text) = e else {
        return e;
    };
    let shown = shown_url(url);
    let name = |message: &str| {
        let local = format!("{}{}", folder.display(), std::path::MAIN_SEPARATOR);
        let message = message.replace(&local, "");
        message.replace(&folder.display().to_string(), &shown)
    };
    Error::user(
        format!("{shown}: {}", name(&text.en)),
        format!("{shown}：{}", name(&text.zh)),
    )
}

impl Store {
    /// For a meeting in a database: notes this station (when named) as seen now, and names
    /// the stations seen in the last minute, in name order. None for a meeting in a folder.
    pub fn stations_seen(&self) -> Result<Vec<String>> {
        if !self.is_database() {
            return Ok(Vec::new());
        }
        let table = postgres_copy::STATIONS_TABLE;
        if let Some(name) = &self.clerk {
            self.conn.execute(
                &format!(
                    "INSERT INTO {table} (name, seen_at) VALUES (?1, now())
                     ON CONFLICT (name) DO UPDATE SET seen_at = now()"
                ),
                args![name],
            )?;
        }
        self.conn.query_map(
            &format!(
                "SELECT name FROM {table} WHERE seen_at > now() - interval '1 minute' ORDER BY name"
            ),
            args![],
            |r| r.get(0),
        )
    }
}
