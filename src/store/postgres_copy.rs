//! Moving a meeting between a folder (its SQLite store and its rule files) and an empty
//! PostgreSQL database, and back, table by table.
//!
//! The database receives every table of the store under the same name, with the same columns
//! in typed PostgreSQL columns (`INTEGER` as `bigint`, `TEXT` as `text`, `BLOB` as `bytea`,
//! `REAL` as `double precision`) and the same primary keys, row for row; the meeting's rule
//! files (meeting.toml, the organizations file, import maps) go into `tallyclerk_files`. What
//! only SQLite needs to rebuild the store exactly (its own `CREATE` statements, indexes and
//! triggers, and its schema version) goes into `tallyclerk_sqlite_schema` and
//! `tallyclerk_image`. Nothing is recomputed on either way: the audit chain, the set hash and
//! the cached count travel as stored, so `check` on the copy verifies them against the
//! ballots that travelled with them.

use crate::error::{Error, Result, Text};
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::fallible_iterator::FallibleIterator;
use ::postgres::types::{ToSql, Type};
use ::postgres::{Client, NoTls};
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// The meeting folder's files (name, content).
const FILES_TABLE: &str = "tallyclerk_files";
/// The SQLite statements that rebuild the store: (position, kind, name, table, sql).
const SCHEMA_TABLE: &str = "tallyclerk_sqlite_schema";
/// Facts about the copy: the store's schema version.
const IMAGE_TABLE: &str = "tallyclerk_image";
/// The stations working on the meeting, each with when it was last seen (see
/// [`super::Store::stations_seen`]); not part of the meeting, so not copied back.
pub const STATIONS_TABLE: &str = "tallyclerk_stations";

/// A column's type on both sides.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Integer,
    Text,
    Blob,
    Real,
}

impl Kind {
    /// The kind of a SQLite column by its declared type, by SQLite's own affinity rules
    /// (section 3.1 of "Datatypes In SQLite"); a NUMERIC column has no one PostgreSQL type.
    fn of_declared(table: &str, column: &str, declared: &str) -> Result<Kind> {
        let t = declared.to_ascii_uppercase();
        if t.contains("INT") {
            Ok(Kind::Integer)
        } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
            Ok(Kind::Text)
        } else if t.contains("BLOB") || t.is_empty() {
            Ok(Kind::Blob)
        } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
            Ok(Kind::Real)
        } else {
            Err(Error::Internal(format!(
                "{table}.{column}: declared type {declared} has no PostgreSQL counterpart"
            )))
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Kind::Integer => "bigint",
            // Compared byte by byte, as SQLite compares text, whatever the database's locale.
            Kind::Text => "text COLLATE \"C\"",
            Kind::Blob => "bytea",
            Kind::Real => "double precision",
        }
    }

    fn pg_type(self) -> Type {
        match self {
            Kind::Integer => Type::INT8,
            Kind::Text => Type::TEXT,
            Kind::Blob => Type::BYTEA,
            Kind::Real => Type::FLOAT8,
        }
    }
}

/// One column of a store table.
#[derive(Debug, Clone)]
struct Column {
    name: String,
    kind: Kind,
    not_null: bool,
    /// Position in the primary key (0: not part of it).
    pk: i64,
}

/// One table of the store, with its columns.
#[derive(Debug, Clone)]
struct Table {
    name: String,
    columns: Vec<Column>,
}

impl Table {
    fn column_list(&self) -> String {
        let names: Vec<String> = self.columns.iter().map(|c| quote(&c.name)).collect();
        names.join(", ")
    }

    /// Rows in the store's order: by rowid, which an `INTEGER PRIMARY KEY` is, or else by
    /// the primary key (PostgreSQL has no rowid).
    fn order(&self) -> String {
        let mut key: Vec<&Column> = self.columns.iter().filter(|c| c.pk > 0).collect();
        key.sort_by_key(|c| c.pk);
        if key.is_empty() {
            self.column_list()
        } else {
            let names: Vec<String> = key.iter().map(|c| quote(&c.name)).collect();
            names.join(", ")
        }
    }
}

/// `"name"`, for an identifier on either side.
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `text` names a PostgreSQL database rather than a folder.
pub fn is_database_url(text: &str) -> bool {
    text.starts_with("postgres://") || text.starts_with("postgresql://")
}

/// The URL as it may be shown: without a password.
pub fn shown_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let user = &url[scheme + 3..at];
            match user.split_once(':') {
                Some((name, _password)) => {
                    format!("{}{name}:***{}", &url[..scheme + 3], &url[at..])
                }
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A connection to the meeting database at `url`.
pub fn connect(url: &str) -> Result<Client> {
    Client::connect(url, NoTls).map_err(|e| {
        let url = shown_url(url);
        Error::Offline(Text::new(
            format!("cannot connect to {url}: {e}. Is the server running, and does the database exist with this user allowed in (README: \"Several stations\")?"),
            format!("无法连接 {url}：{e}。服务器是否在运行？数据库是否存在、此用户是否有权连接（见 README“多台电脑”）？"),
        ))
    })
}

/// A PostgreSQL error as the user sees it, said of the database at `url`.
fn database_error(url: &str) -> impl Fn(::postgres::Error) -> Error + '_ {
    move |e| {
        let url = shown_url(url);
        Error::user(format!("{url}: {e}"), format!("{url}：{e}"))
    }
}

/// The tables of the SQLite store at `conn` (its own `sqlite_` tables aside), in creation
/// order.
fn store_tables(conn: &Connection) -> Result<Vec<Table>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut tables = Vec::new();
    for name in names {
        let mut info = conn.prepare(&format!("PRAGMA table_info({})", quote(&name)))?;
        let raw: Vec<(String, String, bool, i64)> = info
            .query_map([], |r| Ok((r.get(1)?, r.get(2)?, r.get(3)?, r.get(5)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut columns = Vec::new();
        for (column, declared, not_null, pk) in raw {
            columns.push(Column {
                kind: Kind::of_declared(&name, &column, &declared)?,
                name: column,
                not_null,
                pk,
            });
        }
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// Refuses a database that already holds tables: a copy goes into an empty one only.
fn refuse_unless_empty(client: &mut Client, url: &str) -> Result<()> {
    let tables: i64 = client
        .query_one(
            "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            &[],
        )
        .map_err(database_error(url))?
        .get(0);
    if tables > 0 {
        let url = shown_url(url);
        return Err(Error::user(
            format!("{url} is not empty ({tables} tables): a meeting is copied into an empty database only (createdb a new one)"),
            format!("{url} 不是空数据库（已有 {tables} 张表）：会议只能复制到空数据库（请用 createdb 新建一个）"),
        ));
    }
    Ok(())
}

/// Puts the store snapshot at `snapshot` (a file no one writes) and the folder's `files`
/// into the empty database at `url`, in one transaction: a failure leaves it empty.
pub fn put(snapshot: &Path, files: &[(String, Vec<u8>)], url: &str) -> Result<()> {
    let conn = Connection::open_with_flags(snapshot, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let tables = store_tables(&conn)?;
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let mut client = connect(url)?;
    refuse_unless_empty(&mut client, url)?;
    let failed = database_error(url);
    let mut tx = client.transaction().map_err(&failed)?;
    tx.batch_execute(&format!(
        "CREATE TABLE {FILES_TABLE} (name text PRIMARY KEY, content bytea NOT NULL);
         CREATE TABLE {SCHEMA_TABLE} (position bigint PRIMARY KEY, kind text NOT NULL, name text NOT NULL, tbl_name text NOT NULL, sql text NOT NULL);
         CREATE TABLE {IMAGE_TABLE} (key text PRIMARY KEY, value text NOT NULL);
         CREATE TABLE {STATIONS_TABLE} (name text COLLATE \"C\" PRIMARY KEY, seen_at timestamptz NOT NULL);"
    ))
    .map_err(&failed)?;
    tx.execute(
        &format!("INSERT INTO {IMAGE_TABLE} (key, value) VALUES ('sqlite_user_version', $1)"),
        &[&version.to_string()],
    )
    .map_err(&failed)?;
    for (name, content) in files {
        tx.execute(
            &format!("INSERT INTO {FILES_TABLE} (name, content) VALUES ($1, $2)"),
            &[name, content],
        )
        .map_err(&failed)?;
    }
    let mut stmt = conn.prepare(
        "SELECT rowid, type, name, tbl_name, sql FROM sqlite_master
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
    )?;
    let schema: Vec<(i64, String, String, String, String)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (position, kind, name, table, sql) in &schema {
        tx.execute(
            &format!("INSERT INTO {SCHEMA_TABLE} (position, kind, name, tbl_name, sql) VALUES ($1, $2, $3, $4, $5)"),
            &[position, kind, name, table, sql],
        )
        .map_err(&failed)?;
    }
    for table in &tables {
        create_table(&mut tx, table).map_err(&failed)?;
        copy_rows_in(&conn, &mut tx, table, url)?;
        number_new_rows(&mut tx, table).map_err(&failed)?;
    }
    // The store's indexes, in words both understand (a partial index keeps the serials of
    // the ballots that count unique on every station).
    for (_, kind, _, _, sql) in &schema {
        if kind == "index" {
            tx.batch_execute(sql).map_err(&failed)?;
        }
    }
    // The store's guards hold in the database too, once the rows are in.
    let mut guards = Vec::new();
    for (_, kind, name, _, sql) in &schema {
        if kind == "trigger" {
            guards.push(Refusal::of_trigger(name, sql)?);
        }
    }
    if !guards.is_empty() {
        tx.batch_execute(REFUSE_FUNCTION).map_err(&failed)?;
    }
    for guard in &guards {
        tx.batch_execute(&guard.postgres_sql()).map_err(&failed)?;
    }
    tx.commit().map_err(&failed)
}

/// The PostgreSQL function behind every [`Refusal`]: it raises the message it is given.
const REFUSE_FUNCTION: &str = "CREATE FUNCTION tallyclerk_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$;";

/// A guard of the store: a trigger that refuses every update or every deletion of a table's
/// rows with a message (the audit log is append-only; ballots and decisions are never
/// deleted). The only kind of trigger the store has: any other is refused, not dropped.
#[derive(Debug, PartialEq)]
struct Refusal {
    name: String,
    /// `UPDATE` or `DELETE`.
    event: String,
    table: String,
    message: String,
}

impl Refusal {
    /// Reads `CREATE TRIGGER name BEFORE UPDATE|DELETE ON table BEGIN SELECT RAISE(ABORT,
    /// 'message'); END`.
    fn of_trigger(name: &str, sql: &str) -> Result<Refusal> {
        let words = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let parsed = (|| {
            let rest = words.strip_prefix("CREATE TRIGGER ")?;
            let rest = rest.strip_prefix(name)?.strip_prefix(" BEFORE ")?;
            let (event, rest) = rest.split_once(" ON ")?;
            let (table, rest) = rest.split_once(" BEGIN SELECT RAISE(ABORT, '")?;
            let message = rest.strip_suffix("'); END")?;
            let plain = |text: &str| {
                !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            };
            (matches!(event, "UPDATE" | "DELETE") && plain(table) && !message.contains('\'')).then(
                || Refusal {
                    name: name.to_string(),
                    event: event.to_string(),
                    table: table.to_string(),
                    message: message.to_string(),
                },
            )
        })();
        parsed.ok_or_else(|| {
            Error::Internal(format!(
                "the store's trigger {name} has no PostgreSQL counterpart: {sql}"
            ))
        })
    }

    /// The same guard in PostgreSQL: a row trigger, and for deletions a statement trigger on
    /// TRUNCATE too (which deletes without row triggers).
    fn postgres_sql(&self) -> String {
        let (name, table, message) = (quote(&self.name), quote(&self.table), &self.message);
        let mut sql = format!(
            "CREATE TRIGGER {name} BEFORE {} ON {table} FOR EACH ROW EXECUTE FUNCTION tallyclerk_refuse('{message}');",
            self.event
        );
        if self.event == "DELETE" {
            let truncate = quote(&format!("{}_truncate", self.name));
            sql.push_str(&format!(
                "\nCREATE TRIGGER {truncate} BEFORE TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION tallyclerk_refuse('{message}');"
            ));
        }
        sql
    }
}

/// A table keyed by one integer column numbers its new rows as SQLite does (its rowid):
/// the key is given by the database from past the highest one copied. A number taken by a
/// write that rolled back is not given again, which leaves a gap, as in SQLite's
/// AUTOINCREMENT; nothing reads meaning into the numbers but their order.
fn number_new_rows(
    tx: &mut ::postgres::Transaction,
    table: &Table,
) -> Result<(), ::postgres::Error> {
    let key: Vec<&Column> = table.columns.iter().filter(|c| c.pk > 0).collect();
    let [column] = key.as_slice() else {
        return Ok(());
    };
    if column.kind != Kind::Integer {
        return Ok(());
    }
    let (name, key) = (quote(&table.name), quote(&column.name));
    tx.batch_execute(&format!(
        "ALTER TABLE {name} ALTER COLUMN {key} ADD GENERATED BY DEFAULT AS IDENTITY;
         SELECT setval(pg_get_serial_sequence('{name}', '{}'), COALESCE((SELECT MAX({key}) FROM {name}), 0) + 1, false);",
        column.name
    ))
}

fn create_table(tx: &mut ::postgres::Transaction, table: &Table) -> Result<(), ::postgres::Error> {
    let mut parts: Vec<String> = table
        .columns
        .iter()
        .map(|c| {
            let null = if c.not_null { " NOT NULL" } else { "" };
            format!("{} {}{null}", quote(&c.name), c.kind.sql())
        })
        .collect();
    let mut key: Vec<&Column> = table.columns.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    if !key.is_empty() {
        let names: Vec<String> = key.iter().map(|c| quote(&c.name)).collect();
        parts.push(format!("PRIMARY KEY ({})", names.join(", ")));
    }
    tx.batch_execute(&format!(
        "CREATE TABLE {} ({})",
        quote(&table.name),
        parts.join(", ")
    ))
}

/// A store value as PostgreSQL takes it for a column of `kind`; a value of another storage
/// class than its column's (SQLite allows it) is refused rather than converted.
fn pg_value(table: &Table, column: &Column, value: Value) -> Result<Box<dyn ToSql + Sync>> {
    Ok(match (column.kind, value) {
        (Kind::Integer, Value::Null) => Box::new(None::<i64>),
        (Kind::Text, Value::Null) => Box::new(None::<String>),
        (Kind::Blob, Value::Null) => Box::new(None::<Vec<u8>>),
        (Kind::Real, Value::Null) => Box::new(None::<f64>),
        (Kind::Integer, Value::Integer(i)) => Box::new(i),
        (Kind::Text, Value::Text(t)) => Box::new(t),
        (Kind::Blob, Value::Blob(b)) => Box::new(b),
        (Kind::Real, Value::Real(r)) => Box::new(r),
        (kind, value) => {
            return Err(Error::Internal(format!(
                "{}.{}: a {:?} value in a {kind:?} column cannot be copied as it is",
                table.name,
                column.name,
                value.data_type()
            )))
        }
    })
}

/// Copies every row of `table` from the store into the database (binary COPY).
fn copy_rows_in(
    conn: &Connection,
    tx: &mut ::postgres::Transaction,
    table: &Table,
    url: &str,
) -> Result<()> {
    let failed = database_error(url);
    let types: Vec<Type> = table.columns.iter().map(|c| c.kind.pg_type()).collect();
    let sink = tx
        .copy_in(&format!(
            "COPY {} ({}) FROM STDIN BINARY",
            quote(&table.name),
            table.column_list()
        ))
        .map_err(&failed)?;
    let mut writer = BinaryCopyInWriter::new(sink, &types);
    let mut stmt = conn.prepare(&format!(
        "SELECT {} FROM {} ORDER BY rowid",
        table.column_list(),
        quote(&table.name)
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let mut values = Vec::with_capacity(table.columns.len());
        for (i, column) in table.columns.iter().enumerate() {
            values.push(pg_value(table, column, row.get::<_, Value>(i)?)?);
        }
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v.as_ref()).collect();
        writer.write(&refs).map_err(&failed)?;
    }
    writer.finish().map_err(&failed)?;
    Ok(())
}

/// What `take` brings back from a database: the folder's files and the SQLite statements
/// that rebuild the store.
pub struct Image {
    /// The meeting folder's files (name, content).
    pub files: Vec<(String, Vec<u8>)>,
    schema: Vec<(String, String, String)>,
    version: i64,
    client: Client,
    url: String,
}

/// Opens the meeting copied into the database at `url`: refused when it holds none.
pub fn open_image(url: &str) -> Result<Image> {
    let mut client = connect(url)?;
    let failed = database_error(url);
    let present: bool = client
        .query_one(
            "SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AND to_regclass($3) IS NOT NULL",
            &[&FILES_TABLE, &SCHEMA_TABLE, &IMAGE_TABLE],
        )
        .map_err(&failed)?
        .get(0);
    if !present {
        let shown = shown_url(url);
        return Err(Error::user(
            format!("{shown} holds no meeting: `tallyclerk copy DIR {shown}` puts one there"),
            format!("{shown} 中没有会议：`tallyclerk copy DIR {shown}` 可把会议复制进去"),
        ));
    }
    let files = client
        .query(
            &format!("SELECT name, content FROM {FILES_TABLE} ORDER BY name"),
            &[],
        )
        .map_err(&failed)?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let schema = client
        .query(
            &format!("SELECT kind, name, sql FROM {SCHEMA_TABLE} ORDER BY position"),
            &[],
        )
        .map_err(&failed)?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let version: String = client
        .query_one(
            &format!("SELECT value FROM {IMAGE_TABLE} WHERE key = 'sqlite_user_version'"),
            &[],
        )
        .map_err(&failed)?
        .get(0);
    let version = version
        .parse()
        .map_err(|_| Error::Internal(format!("schema version {version:?} is not a number")))?;
    Ok(Image {
        files,
        schema,
        version,
        client,
        url: url.to_string(),
    })
}

impl Image {
    /// The schema version of the store copied.
    pub fn version(&self) -> i64 {
        self.version
    }

    /// The connection the image was read through, for the meeting to be opened on it.
    pub fn into_client(self) -> Client {
        self.client
    }

    /// Writes the store into the new, empty SQLite file at `store`: tables first, then their
    /// rows, then indexes and triggers (an append-only trigger must not see the rows arrive),
    /// then the schema version, all in one transaction.
    pub fn write_store(mut self, store: &Path) -> Result<()> {
        let mut conn = Connection::open(store)?;
        conn.pragma_update(None, "page_size", super::PAGE_SIZE)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let tx = conn.transaction()?;
        for (kind, _, sql) in &self.schema {
            if kind == "table" {
                tx.execute_batch(sql)?;
            }
        }
        for table in store_tables(&tx)? {
            self.copy_rows_out(&tx, &table)?;
        }
        for (kind, _, sql) in &self.schema {
            if kind != "table" {
                tx.execute_batch(sql)?;
            }
        }
        tx.pragma_update(None, "user_version", self.version)?;
        tx.commit()?;
        Ok(())
    }

    fn copy_rows_out(&mut self, conn: &Connection, table: &Table) -> Result<()> {
        let failed = database_error(&self.url);
        let columns = table.column_list();
        let params: Vec<String> = (1..=table.columns.len()).map(|i| format!("?{i}")).collect();
        let mut insert = conn.prepare(&format!(
            "INSERT INTO {} ({columns}) VALUES ({})",
            quote(&table.name),
            params.join(", ")
        ))?;
        let mut rows = self
            .client
            .query_raw(
                &format!(
                    "SELECT {columns} FROM {} ORDER BY {}",
                    quote(&table.name),
                    table.order()
                ),
                std::iter::empty::<i64>(),
            )
            .map_err(&failed)?;
        let mut values = Vec::with_capacity(table.columns.len());
        while let Some(row) = rows.next().map_err(&failed)? {
            values.clear();
            for (i, column) in table.columns.iter().enumerate() {
                let value = match column.kind {
                    Kind::Integer => row
                        .try_get::<_, Option<i64>>(i)
                        .map(|v| v.map(Value::Integer)),
                    Kind::Text => row
                        .try_get::<_, Option<String>>(i)
                        .map(|v| v.map(Value::Text)),
                    Kind::Blob => row
                        .try_get::<_, Option<Vec<u8>>>(i)
                        .map(|v| v.map(Value::Blob)),
                    Kind::Real => row.try_get::<_, Option<f64>>(i).map(|v| v.map(Value::Real)),
                }
                .map_err(&failed)?;
                values.push(value.unwrap_or(Value::Null));
            }
            insert.execute(rusqlite::params_from_iter(values.iter()))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stores_guards_read_as_refusals() {
        let sql = "CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit\nBEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END";
        let refusal = Refusal::of_trigger("audit_append_only_update", sql).unwrap();
        assert_eq!(
            refusal,
            Refusal {
                name: "audit_append_only_update".into(),
                event: "UPDATE".into(),
                table: "audit".into(),
                message: "the audit log is append-only".into(),
            }
        );
        assert_eq!(
            refusal.postgres_sql(),
            "CREATE TRIGGER \"audit_append_only_update\" BEFORE UPDATE ON \"audit\" FOR EACH ROW EXECUTE FUNCTION tallyclerk_refuse('the audit log is append-only');"
        );
        let delete = Refusal::of_trigger(
            "ballots_never_deleted",
            "CREATE TRIGGER ballots_never_deleted BEFORE DELETE ON ballots BEGIN SELECT RAISE(ABORT, 'ballots are voided, never deleted'); END",
        )
        .unwrap();
        assert!(delete.postgres_sql().contains(
            "\"ballots_never_deleted_truncate\" BEFORE TRUNCATE ON \"ballots\" FOR EACH STATEMENT"
        ));
    }

    #[test]
    fn a_trigger_of_another_kind_is_refused_not_dropped() {
        let other = "CREATE TRIGGER t AFTER INSERT ON ballots BEGIN UPDATE meta SET value = 1; END";
        assert!(Refusal::of_trigger("t", other).is_err());
        let quoted =
            "CREATE TRIGGER t BEFORE DELETE ON ballots BEGIN SELECT RAISE(ABORT, 'it''s'); END";
        assert!(Refusal::of_trigger("t", quoted).is_err());
    }

    #[test]
    fn declared_types_map_by_sqlite_affinity() {
        let kind = |t: &str| Kind::of_declared("t", "c", t).unwrap();
        assert_eq!(kind("INTEGER"), Kind::Integer);
        assert_eq!(kind("BIGINT"), Kind::Integer);
        assert_eq!(kind("TEXT"), Kind::Text);
        assert_eq!(kind("VARCHAR(10)"), Kind::Text);
        assert_eq!(kind("BLOB"), Kind::Blob);
        assert_eq!(kind(""), Kind::Blob);
        assert_eq!(kind("REAL"), Kind::Real);
        assert!(Kind::of_declared("t", "c", "NUMERIC").is_err());
    }

    #[test]
    fn a_password_is_never_shown() {
        assert_eq!(
            shown_url("postgres://tally:s3cret@host:5432/m"),
            "postgres://tally:***@host:5432/m"
        );
        assert_eq!(
            shown_url("postgres://tally@host/m"),
            "postgres://tally@host/m"
        );
    }
}
