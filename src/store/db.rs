//! The store's connection: a SQLite file in the meeting folder, or a PostgreSQL database
//! that several stations share. The store writes its SQL once, in SQLite's words (`?1`
//! placeholders, `strftime` for the time now); [`Db`] runs it on either, turning it into
//! PostgreSQL's words once per statement (see [`postgres_sql`]).
//!
//! A write is one transaction ([`Db::write`]): SQLite's `BEGIN IMMEDIATE` takes the file's
//! write lock; on PostgreSQL the transaction takes one advisory lock of the database first
//! ([`WRITE_LOCK`]), so the stations' writes follow one another exactly as the processes on
//! one SQLite file do: the audit chain stays a chain, and what a write checks before it
//! writes (a serial not taken, the meeting not finalised) still holds when it commits.

use crate::error::{Error, Result, Text};
use ::postgres::binary_copy::BinaryCopyInWriter;
use ::postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use bytes::BytesMut;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::Connection;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};

/// The advisory lock every write to a meeting database holds until it commits or rolls back
/// (any number that no other program on the database uses; a database holds one meeting).
const WRITE_LOCK: i64 = 0x7461_6c6c_7963_6c6b; // "tallyclk"

/// A parameter of a statement, as either database takes it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Param<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A value that can be a statement's parameter.
pub trait ToParam {
    fn param(&self) -> Param<'_>;
}

impl ToParam for i64 {
    fn param(&self) -> Param<'_> {
        Param::Int(*self)
    }
}

impl ToParam for u32 {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for bool {
    fn param(&self) -> Param<'_> {
        Param::Int(i64::from(*self))
    }
}

impl ToParam for f64 {
    fn param(&self) -> Param<'_> {
        Param::Real(*self)
    }
}

impl ToParam for str {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for String {
    fn param(&self) -> Param<'_> {
        Param::Text(self)
    }
}

impl ToParam for [u8] {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToParam for Vec<u8> {
    fn param(&self) -> Param<'_> {
        Param::Blob(self)
    }
}

impl ToParam for Param<'_> {
    fn param(&self) -> Param<'_> {
        *self
    }
}

impl<T: ToParam> ToParam for Option<T> {
    fn param(&self) -> Param<'_> {
        match self {
            Some(value) => value.param(),
            None => Param::Null,
        }
    }
}

impl<T: ToParam + ?Sized> ToParam for &T {
    fn param(&self) -> Param<'_> {
        (**self).param()
    }
}

/// The parameters of a statement: `args![serial, group]`.
macro_rules! args {
    () => {
        &[] as &[&dyn $crate::store::db::ToParam]
    };
    ($($value:expr),+ $(,)?) => {
        &[$(&$value as &dyn $crate::store::db::ToParam),+] as &[&dyn $crate::store::db::ToParam]
    };
}
pub(crate) use args;

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match *self {
            Param::Null => ValueRef::Null,
            Param::Int(n) => ValueRef::Integer(n),
            Param::Real(x) => ValueRef::Real(x),
            Param::Text(text) => ValueRef::Text(text.as_bytes()),
            Param::Blob(blob) => ValueRef::Blob(blob),
        }))
    }
}

impl ToSql for Param<'_> {
    /// The value as the type PostgreSQL gives the parameter from where it stands: an
    /// integer for a `bigint` column, a boolean, a smaller integer or text where the
    /// statement asks for one.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match *self {
            Param::Null => Ok(IsNull::Yes),
            Param::Int(n) => match *ty {
                Type::INT8 => n.to_sql(ty, out),
                Type::INT4 => i32::try_from(n)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(n)?.to_sql(ty, out),
                Type::BOOL => (n != 0).to_sql(ty, out),
                Type::FLOAT8 => (n as f64).to_sql(ty, out),
                _ => n.to_string().as_str().to_sql(ty, out),
            },
            Param::Real(x) => x.to_sql(ty, out),
            Param::Text(text) => text.to_sql(ty, out),
            Param::Blob(blob) => blob.to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A value read from a row, as either database gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(&'a str),
    Blob(&'a [u8]),
}

/// A type a row's value is read as.
pub trait FromCell: Sized {
    fn from_cell(cell: Cell<'_>) -> Option<Self>;
}

impl FromCell for i64 {
    fn from_cell(cell: Cell<'_>) -> Option<i64> {
        match cell {
            Cell::Int(n) => Some(n),
            _ => None,
        }
    }
}

impl FromCell for u32 {
    fn from_cell(cell: Cell<'_>) -> Option<u32> {
        match cell {
            Cell::Int(n) => u32::try_from(n).ok(),
            _ => None,
        }
    }
}

impl FromCell for bool {
    fn from_cell(cell: Cell<'_>) -> Option<bool> {
        match cell {
            Cell::Int(n) => Some(n != 0),
            _ => None,
        }
    }
}

impl FromCell for f64 {
    fn from_cell(cell: Cell<'_>) -> Option<f64> {
        match cell {
            Cell::Real(x) => Some(x),
            Cell::Int(n) => Some(n as f64),
            _ => None,
        }
    }
}

impl FromCell for String {
    fn from_cell(cell: Cell<'_>) -> Option<String> {
        match cell {
            Cell::Text(text) => Some(text.to_string()),
            _ => None,
        }
    }
}

impl FromCell for Vec<u8> {
    fn from_cell(cell: Cell<'_>) -> Option<Vec<u8>> {
        match cell {
            Cell::Blob(blob) => Some(blob.to_vec()),
            Cell::Text(text) => Some(text.as_bytes().to_vec()),
            _ => None,
        }
    }
}

impl<T: FromCell> FromCell for Option<T> {
    fn from_cell(cell: Cell<'_>) -> Option<Option<T>> {
        match cell {
            Cell::Null => Some(None),
            other => T::from_cell(other).map(Some),
        }
    }
}

/// One row of a result.
pub enum Row<'a> {
    Sqlite(&'a rusqlite::Row<'a>),
    Postgres(&'a ::postgres::Row),
}

impl Row<'_> {
    /// Column `i` as a `T`.
    pub fn get<T: FromCell>(&self, i: usize) -> Result<T> {
        let cell = self.cell(i)?;
        T::from_cell(cell).ok_or_else(|| {
            Error::Internal(format!(
                "column {i} holds {cell:?}, not a {}",
                std::any::type_name::<T>()
            ))
        })
    }

    /// Column `i` as text, borrowed from the row.
    pub fn text(&self, i: usize) -> Result<&str> {
        match self.cell(i)? {
            Cell::Text(text) => Ok(text),
            other => Err(Error::Internal(format!(
                "column {i} holds {other:?}, not text"
            ))),
        }
    }

    /// Column `i` as text, or none when NULL, borrowed from the row.
    pub fn text_or_null(&self, i: usize) -> Result<Option<&str>> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            _ => self.text(i).map(Some),
        }
    }

    /// Column `i` as it is stored.
    pub fn cell(&self, i: usize) -> Result<Cell<'_>> {
        match self {
            Row::Sqlite(row) => {
                Ok(match row.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Int(n),
                    ValueRef::Real(x) => Cell::Real(x),
                    ValueRef::Text(text) => Cell::Text(std::str::from_utf8(text).map_err(|e| {
                        Error::Internal(format!("column {i} is not UTF-8 text: {e}"))
                    })?),
                    ValueRef::Blob(blob) => Cell::Blob(blob),
                })
            }
            Row::Postgres(row) => postgres_cell(row, i),
        }
    }

    /// The names of the columns.
    pub fn column_names(&self) -> Vec<String> {
        match self {
            Row::Sqlite(row) => row
                .as_ref()
                .column_names()
                .iter()
                .map(|n| n.to_string())
                .collect(),
            Row::Postgres(row) => row.columns().iter().map(|c| c.name().to_string()).collect(),
        }
    }
}

/// Column `i` of a PostgreSQL row by its type: the store's columns are `bigint`, `text`,
/// `bytea` and `double precision`; an expression may give a boolean or a smaller integer.
fn postgres_cell<'a>(row: &'a ::postgres::Row, i: usize) -> Result<Cell<'a>> {
    let column = row
        .columns()
        .get(i)
        .ok_or_else(|| Error::Internal(format!("no column {i}")))?;
    let ty = column.type_().clone();
    let cell = match ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Cell::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|n| Cell::Int(n.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|n| Cell::Int(n.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|b| Cell::Int(b.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Cell::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map(|x| Cell::Real(x.into())),
        Type::BYTEA => row.try_get::<_, Option<&[u8]>>(i)?.map(Cell::Blob),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            row.try_get::<_, Option<&str>>(i)?.map(Cell::Text)
        }
        other => {
            return Err(Error::Internal(format!(
                "column {} has the PostgreSQL type {other}, which the store does not read",
                column.name()
            )))
        }
    };
    Ok(cell.unwrap_or(Cell::Null))
}

/// A meeting database on a PostgreSQL server.
pub struct Postgres {
    /// Where it is: a connection lost (the server restarted, the network dropped) is made
    /// again from it by the next statement.
    url: String,
    client: RefCell<::postgres::Client>,
    /// Prepared statements by the store's SQL.
    statements: RefCell<HashMap<String, ::postgres::Statement>>,
    /// Whether a transaction is open: a connection lost inside one loses it, so the
    /// statement is not run again on a new connection.
    in_transaction: std::cell::Cell<bool>,
}

/// The connection of a store, and what its open write transaction has read and written.
pub struct Db {
    link: Link,
    /// The open write transaction's, while one is open.
    change: RefCell<Option<Change>>,
    /// Statements run (each a round trip to a database server), to measure what a change
    /// costs.
    statements: std::cell::Cell<u64>,
}

/// The database a store's connection reaches.
enum Link {
    Sqlite(Connection),
    Postgres(Box<Postgres>),
}

/// What a write transaction read of `meta`, what it set there, and which tables it wrote.
/// While it holds the write lock no other writer changes anything, so `meta` as read once
/// stays as read but for the transaction's own writes: a station on a database pays a round
/// trip per statement, and a change reads `meta` (finalised? the set hash, the kept count
/// and sums, the state the audit entry records) several times and sets several keys. The
/// keys set are written in one statement before anything else writes `meta` and before the
/// transaction commits.
#[derive(Default)]
struct Change {
    /// Every row of `meta` (key, value) as stored, once read.
    meta: Option<HashMap<String, String>>,
    /// The keys set and not yet written, with their values.
    unwritten: BTreeMap<String, String>,
    /// The tables written, by name.
    written: HashSet<String>,
    /// Whether a statement wrote tables not named here (several statements at once).
    written_unknown: bool,
}

/// Whether a transaction writes (and so takes the write lock first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Read,
    Write,
}

impl Db {
    /// A PostgreSQL connection of the store.
    pub fn postgres(url: &str, mut client: ::postgres::Client) -> Db {
        set_station_time_zone(&mut client);
        Db::over(Link::Postgres(Box::new(Postgres {
            url: url.to_string(),
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_transaction: std::cell::Cell::new(false),
        })))
    }

    /// The connection of a store in a SQLite file.
    pub fn sqlite_file(conn: Connection) -> Db {
        Db::over(Link::Sqlite(conn))
    }

    fn over(link: Link) -> Db {
        Db {
            link,
            change: RefCell::new(None),
            statements: std::cell::Cell::new(0),
        }
    }

    /// The SQLite connection, when the store is a file.
    pub fn sqlite(&self) -> Option<&Connection> {
        match &self.link {
            Link::Sqlite(conn) => Some(conn),
            Link::Postgres(_) => None,
        }
    }

    /// Whether the store is a PostgreSQL database.
    pub fn is_postgres(&self) -> bool {
        matches!(self.link, Link::Postgres(_))
    }

    /// How many statements (or batches of them, sent at once) this connection has run: on a
    /// database, each is a round trip to the server.
    pub fn statements_run(&self) -> u64 {
        self.statements.get()
    }

    fn count_statement(&self) {
        self.statements.set(self.statements.get() + 1);
    }

    /// Runs one statement; the number of rows it changed.
    pub fn execute(&self, sql: &str, args: &[&dyn ToParam]) -> Result<usize> {
        self.note_written(sql)?;
        self.execute_unnoted(sql, args)
    }

    /// [`Db::execute`] of a statement whose writes the caller notes itself.
    fn execute_unnoted(&self, sql: &str, args: &[&dyn ToParam]) -> Result<usize> {
        self.count_statement();
        match &self.link {
            Link::Sqlite(conn) => {
                let params = params_of(args);
                let mut stmt = conn.prepare_cached(sql)?;
                Ok(stmt.execute(rusqlite::params_from_iter(params.iter()))?)
            }
            Link::Postgres(pg) => {
                let params = params_of(args);
                pg.once_more_if_lost(|| {
                    let mut client = pg.client()?;
                    let stmt = pg.statement(&mut client, sql)?;
                    Ok(client.execute(&stmt, &pg_params(&params))? as usize)
                })
            }
        }
    }

    /// Runs one `INSERT` into a table with an `id` key; the id of the new row.
    pub fn insert(&self, sql: &str, args: &[&dyn ToParam]) -> Result<i64> {
        self.note_written(sql)?;
        match &self.link {
            Link::Sqlite(conn) => {
                self.execute_unnoted(sql, args)?;
                Ok(conn.last_insert_rowid())
            }
            Link::Postgres(_) => {
                let returning = format!("{sql} RETURNING id");
                self.query_row(&returning, args, |r| r.get(0))
            }
        }
    }

    /// Runs statements with no parameters and no result (PostgreSQL's words as they are).
    pub fn batch(&self, sql: &str) -> Result<()> {
        self.note_written_unknown()?;
        self.batch_unnoted(sql)
    }

    fn batch_unnoted(&self, sql: &str) -> Result<()> {
        self.count_statement();
        match &self.link {
            Link::Sqlite(conn) => Ok(conn.execute_batch(sql)?),
            Link::Postgres(pg) => Ok(pg.client()?.batch_execute(sql)?),
        }
    }

    /// Notes what statement `sql` writes, for the open write transaction: the table of an
    /// `INSERT INTO`, `UPDATE`, `DELETE FROM` or `COPY` (the store copies rows in only, see
    /// [`Db::copy_in`]); nothing for a `SELECT`; anything for any other. Before a statement
    /// that names `meta` runs, the keys set are written, so it reads what the transaction
    /// set; one that writes `meta` also forgets what was read.
    fn note_written(&self, sql: &str) -> Result<()> {
        if names_meta(sql) {
            self.write_meta_set()?;
        }
        let sql = sql.trim_start();
        let starts = |word: &str| {
            sql.get(..word.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(word))
        };
        if starts("SELECT ") {
            return Ok(());
        }
        let table = ["INSERT INTO ", "UPDATE ", "DELETE FROM ", "COPY "]
            .iter()
            .find(|word| starts(word))
            .map(|word| {
                sql[word.len()..]
                    .trim_start()
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .unwrap_or_default()
            })
            .filter(|table| !table.is_empty());
        let Some(table) = table else {
            return self.note_written_unknown();
        };
        if let Some(change) = self.change.borrow_mut().as_mut() {
            if table == "meta" {
                change.meta = None;
            }
            change.written.insert(table.to_string());
        }
        Ok(())
    }

    fn note_written_unknown(&self) -> Result<()> {
        self.write_meta_set()?;
        if let Some(change) = self.change.borrow_mut().as_mut() {
            change.meta = None;
            change.written_unknown = true;
        }
        Ok(())
    }

    /// Writes the keys the open write transaction set in `meta` and has not written yet.
    fn write_meta_set(&self) -> Result<()> {
        let unwritten = match self.change.borrow_mut().as_mut() {
            Some(change) => std::mem::take(&mut change.unwritten),
            None => return Ok(()),
        };
        if unwritten.is_empty() {
            return Ok(());
        }
        let pairs: Vec<(&str, &str)> = unwritten
            .iter()
            .map(|(key, value)| (key.as_str(), value.as_str()))
            .collect();
        self.upsert_meta(&pairs)?;
        if let Some(meta) = self
            .change
            .borrow_mut()
            .as_mut()
            .and_then(|c| c.meta.as_mut())
        {
            meta.extend(unwritten);
        }
        Ok(())
    }

    /// Sets `meta` under each key (distinct) to its value, in one statement.
    fn upsert_meta(&self, pairs: &[(&str, &str)]) -> Result<()> {
        let rows: Vec<String> = (0..pairs.len())
            .map(|i| format!("(?{}, ?{})", 2 * i + 1, 2 * i + 2))
            .collect();
        let sql = format!(
            "INSERT INTO meta (key, value) VALUES {}
             ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            rows.join(", ")
        );
        let params: Vec<&dyn ToParam> = pairs
            .iter()
            .flat_map(|(key, value)| [key as &dyn ToParam, value as &dyn ToParam])
            .collect();
        self.execute_unnoted(&sql, &params)?;
        Ok(())
    }

    /// Whether the open write transaction may have written `table`: always, outside one.
    pub fn may_have_written(&self, table: &str) -> bool {
        match self.change.borrow().as_ref() {
            Some(change) => change.written_unknown || change.written.contains(table),
            None => true,
        }
    }

    /// The values of `meta` under `keys` (`None` where unset), in their order. Inside a write
    /// transaction every row is read once (one round trip) and answered from then on.
    pub fn meta(&self, keys: &[&str]) -> Result<Vec<Option<String>>> {
        let in_change = self.change.borrow().is_some();
        if in_change {
            let loaded = self
                .change
                .borrow()
                .as_ref()
                .is_some_and(|change| change.meta.is_some());
            if !loaded {
                let mut rows = HashMap::new();
                self.query_each("SELECT key, value FROM meta", args![], |row| {
                    rows.insert(row.get(0)?, row.get(1)?);
                    Ok(())
                })?;
                if let Some(change) = self.change.borrow_mut().as_mut() {
                    change.meta = Some(rows);
                }
            }
            if let Some(change) = self.change.borrow().as_ref() {
                if let Some(meta) = &change.meta {
                    return Ok(keys
                        .iter()
                        .map(|key| change.unwritten.get(*key).or(meta.get(*key)).cloned())
                        .collect());
                }
            }
        }
        let marks: Vec<String> = (1..=keys.len()).map(|i| format!("?{i}")).collect();
        let sql = format!(
            "SELECT key, value FROM meta WHERE key IN ({})",
            marks.join(", ")
        );
        let params: Vec<&dyn ToParam> = keys.iter().map(|k| k as &dyn ToParam).collect();
        let mut values = vec![None; keys.len()];
        self.query_each(&sql, &params, |row| {
            let key = row.text(0)?;
            if let Some(i) = keys.iter().position(|k| *k == key) {
                values[i] = Some(row.get(1)?);
            }
            Ok(())
        })?;
        Ok(values)
    }

    /// Sets `meta` under each key to its value: in one statement now outside a write
    /// transaction; inside one, with the other keys it sets, when `meta` is next written
    /// otherwise or the transaction commits.
    pub fn set_meta(&self, pairs: &[(&str, &str)]) -> Result<()> {
        if let Some(change) = self.change.borrow_mut().as_mut() {
            for (key, value) in pairs {
                change.unwritten.insert(key.to_string(), value.to_string());
            }
            change.written.insert("meta".to_string());
            return Ok(());
        }
        self.upsert_meta(pairs)
    }

    /// The first row of a query, read by `read`; an error when there is none.
    pub fn query_row<T>(
        &self,
        sql: &str,
        args: &[&dyn ToParam],
        read: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, args, read)?
            .ok_or_else(|| Error::Internal(format!("no row from: {sql}")))
    }

    /// The first row of a query, read by `read`, if there is one.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        args: &[&dyn ToParam],
        read: impl FnOnce(&Row) -> Result<T>,
    ) -> Result<Option<T>> {
        let mut read = Some(read);
        let mut value = None;
        self.query_each(sql, args, |row| {
            if let Some(read) = read.take() {
                value = Some(read(row)?);
            }
            Ok(())
        })?;
        Ok(value)
    }

    /// Every row of a query, each read by `read`.
    pub fn query_map<T>(
        &self,
        sql: &str,
        args: &[&dyn ToParam],
        mut read: impl FnMut(&Row) -> Result<T>,
    ) -> Result<Vec<T>> {
        let mut values = Vec::new();
        self.query_each(sql, args, |row| {
            values.push(read(row)?);
            Ok(())
        })?;
        Ok(values)
    }

    /// Calls `visit` with every row of a query as it comes (a full pass over a million
    /// ballots holds one row at a time). `visit` must not use the store itself.
    pub fn query_each(
        &self,
        sql: &str,
        args: &[&dyn ToParam],
        mut visit: impl FnMut(&Row) -> Result<()>,
    ) -> Result<()> {
        self.note_written(sql)?;
        self.count_statement();
        let params = params_of(args);
        match &self.link {
            Link::Sqlite(conn) => {
                let mut stmt = conn.prepare_cached(sql)?;
                let mut rows = stmt.query(rusqlite::params_from_iter(params.iter()))?;
                while let Some(row) = rows.next()? {
                    visit(&Row::Sqlite(row))?;
                }
                Ok(())
            }
            Link::Postgres(pg) => {
                use ::postgres::fallible_iterator::FallibleIterator;
                // Once a row was visited, it is not visited again: a connection lost then
                // fails the query.
                let visited = std::cell::Cell::new(false);
                pg.once_more_if_lost(|| {
                    if visited.get() {
                        return Err(Error::Internal(
                            "the connection was lost while reading".into(),
                        ));
                    }
                    let mut client = pg.client()?;
                    let stmt = pg.statement(&mut client, sql)?;
                    let mut rows = client.query_raw(&stmt, pg_params(&params))?;
                    while let Some(row) = rows.next()? {
                        visited.set(true);
                        visit(&Row::Postgres(&row))?;
                    }
                    Ok(())
                })
            }
        }
    }

    /// Runs `sql`, a binary `COPY table (columns) FROM STDIN (FORMAT binary)`, on the open
    /// write transaction of a PostgreSQL store: `fill` writes the rows, each with values of
    /// `types`, as they come; the number of rows copied. One COPY streams any number of rows
    /// to the server in one statement, where INSERTs cost a round trip and the parsing of
    /// their values each (for an import of a million forms, most of its time).
    ///
    /// Only inside a write transaction: the rows are kept or rolled back with the change, as
    /// an INSERT's are. A connection found lost is not made again for the COPY (a new one
    /// would be outside the transaction, and keep the rows alone): the change fails. While
    /// `fill` runs the connection is the COPY's, so `fill` must not use the store; should it
    /// fail, the COPY is abandoned and the server keeps none of its rows. Errors of the rows
    /// (a unique index violated) may only be reported when the COPY ends.
    pub fn copy_in(
        &self,
        sql: &str,
        types: &[::postgres::types::Type],
        fill: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> Result<()>,
    ) -> Result<u64> {
        let Link::Postgres(pg) = &self.link else {
            return Err(Error::Internal(format!("a COPY on a SQLite store: {sql}")));
        };
        if !pg.in_transaction.get() || self.change.borrow().is_none() {
            return Err(Error::Internal(format!(
                "a COPY outside a write transaction: {sql}"
            )));
        }
        self.note_written(sql)?;
        self.count_statement();
        let mut client = pg.client.try_borrow_mut().map_err(|_| {
            Error::Internal("the database was used while a query over it was being read".into())
        })?;
        if client.is_closed() {
            return Err(Error::Offline(Text::new(
                "the connection to the meeting database was lost during the change: nothing of it was kept; do it again once the server answers",
                "与会议数据库的连接在更改过程中断开：此次更改未保存；服务器恢复后请重做",
            )));
        }
        let mut writer = BinaryCopyInWriter::new(client.copy_in(sql)?, types);
        fill(&mut writer)?;
        Ok(writer.finish()?)
    }

    /// Begins the one write transaction of a change: it waits for any other writer (another
    /// process or station) to finish, and holds them off until it commits or rolls back.
    pub fn write(&self) -> Result<Tx<'_>> {
        self.begin(Mode::Write)
    }

    /// Begins a read transaction: what it reads belongs to one state of the store while
    /// others write.
    pub fn read(&self) -> Result<Tx<'_>> {
        self.begin(Mode::Read)
    }

    fn begin(&self, mode: Mode) -> Result<Tx<'_>> {
        self.begin_transaction(mode == Mode::Write)?;
        Ok(Tx {
            db: self,
            open: true,
        })
    }

    /// Begins a transaction that writes (taking the write lock) or only reads, for one that
    /// [`Tx`] cannot hold (the import's, whose connection a writer thread borrows); it ends
    /// with [`Db::end_transaction`].
    pub fn begin_transaction(&self, write: bool) -> Result<()> {
        self.count_statement();
        match &self.link {
            Link::Sqlite(conn) => conn.execute_batch(if write {
                "BEGIN IMMEDIATE"
            } else {
                "BEGIN DEFERRED"
            })?,
            Link::Postgres(pg) => {
                let begin = if write {
                    format!("BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK})")
                } else {
                    "BEGIN ISOLATION LEVEL REPEATABLE READ".to_string()
                };
                pg.once_more_if_lost(|| Ok(pg.client()?.batch_execute(&begin)?))?;
                pg.in_transaction.set(true);
            }
        }
        if write {
            *self.change.borrow_mut() = Some(Change::default());
        }
        Ok(())
    }

    /// Ends the transaction begun: `commit` (the keys it set in `meta` written first) or
    /// rolls back.
    pub fn end_transaction(&self, commit: bool) -> Result<()> {
        let written = if commit {
            self.write_meta_set()
        } else {
            Ok(())
        };
        self.change.borrow_mut().take();
        if let Link::Postgres(pg) = &self.link {
            pg.in_transaction.set(false);
        }
        match written {
            Ok(()) => self.batch_unnoted(if commit { "COMMIT" } else { "ROLLBACK" }),
            Err(e) => {
                let _ = self.batch_unnoted("ROLLBACK");
                Err(e)
            }
        }
    }

    /// Begins a write transaction only when no other writer holds the store now: for a
    /// cache entry, which is not worth waiting for.
    pub fn try_write(&self) -> Option<Tx<'_>> {
        match &self.link {
            Link::Sqlite(conn) => {
                conn.busy_timeout(std::time::Duration::ZERO).ok()?;
                let tx = self.begin(Mode::Write);
                let _ = conn.busy_timeout(super::BUSY_TIMEOUT);
                tx.ok()
            }
            Link::Postgres(pg) => {
                let tx = self.begin(Mode::Read).ok()?;
                let locked = pg
                    .client()
                    .ok()?
                    .query_one(
                        &format!("SELECT pg_try_advisory_xact_lock({WRITE_LOCK})"),
                        &[],
                    )
                    .ok()?
                    .get::<_, bool>(0);
                locked.then_some(tx)
            }
        }
    }
}

impl Postgres {
    /// Runs `attempt`, and once more when it found the connection lost (the server
    /// restarted, the network dropped meanwhile) outside a transaction: the connection is
    /// then made again by [`Postgres::client`], and the statement had done nothing.
    fn once_more_if_lost<T>(&self, mut attempt: impl FnMut() -> Result<T>) -> Result<T> {
        match attempt() {
            Err(Error::Database(e))
                if e.as_db_error().is_none()
                    && !self.in_transaction.get()
                    && self.client.try_borrow().is_ok_and(|c| c.is_closed()) =>
            {
                attempt()
            }
            other => other,
        }
    }

    /// The connection, made again when it was lost (its prepared statements with it).
    fn client(&self) -> Result<std::cell::RefMut<'_, ::postgres::Client>> {
        let mut client = self.client.try_borrow_mut().map_err(|_| {
            Error::Internal("the database was used while a query over it was being read".into())
        })?;
        if client.is_closed() {
            let mut fresh = super::postgres_copy::connect(&self.url)?;
            set_station_time_zone(&mut fresh);
            *client = fresh;
            self.statements.borrow_mut().clear();
        }
        Ok(client)
    }

    /// The prepared statement of the store's `sql` on `client`, prepared once.
    fn statement(
        &self,
        client: &mut ::postgres::Client,
        sql: &str,
    ) -> Result<::postgres::Statement> {
        if let Some(stmt) = self.statements.borrow().get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = client.prepare(&postgres_sql(sql))?;
        self.statements
            .borrow_mut()
            .insert(sql.to_string(), stmt.clone());
        Ok(stmt)
    }
}

/// Whether `sql` names the table `meta` (as a whole word).
fn names_meta(sql: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    sql.match_indices("meta").any(|(at, _)| {
        let before = sql[..at].chars().next_back();
        let after = sql[at + "meta".len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

fn params_of<'a>(args: &'a [&'a dyn ToParam]) -> Vec<Param<'a>> {
    args.iter().map(|a| a.param()).collect()
}

fn pg_params<'a>(params: &'a [Param<'a>]) -> Vec<&'a (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// Gives the connection this station's time zone, so times are shown in local time (the
/// server may be in another zone): `TZ` when it names a zone, else the system's
/// (`/etc/localtime`); the server's own otherwise, or when the server does not know it.
fn set_station_time_zone(client: &mut ::postgres::Client) {
    let from_env = std::env::var("TZ")
        .ok()
        .map(|tz| tz.trim_start_matches(':').to_string());
    let from_system = || {
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let target = target.to_str()?;
        let (_, zone) = target.split_once("zoneinfo/")?;
        Some(zone.to_string())
    };
    let zone = from_env.filter(|z| !z.is_empty()).or_else(from_system);
    let Some(zone) = zone.filter(|z| {
        z.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'))
    }) else {
        return;
    };
    let _ = client.batch_execute(&format!("SET TIME ZONE '{zone}'"));
}

/// A transaction; rolled back unless committed.
pub struct Tx<'a> {
    db: &'a Db,
    open: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<()> {
        self.open = false;
        self.db.end_transaction(true)
    }
}

impl std::ops::Deref for Tx<'_> {
    type Target = Db;
    fn deref(&self) -> &Db {
        self.db
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.open {
            let _ = self.db.end_transaction(false);
        }
    }
}

/// The time now as the store writes it, in SQLite's words.
pub const SQLITE_NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/// [`SQLITE_NOW`] in PostgreSQL's words: UTC to the millisecond, the same text.
const POSTGRES_NOW: &str =
    "to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')";

/// The store's SQL in PostgreSQL's words: `?N` placeholders as `$N`, the time now as
/// PostgreSQL writes it, and SQLite's index hints (`INDEXED BY name`) left out, as
/// PostgreSQL's planner chooses its indexes by statistics itself. Text in quotes is kept.
pub fn postgres_sql(sql: &str) -> String {
    let sql = sql.replace(SQLITE_NOW, POSTGRES_NOW);
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
            out.push(c);
        } else if c == '?' && !quoted && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    drop_index_hints(&out)
}

/// `... FROM ballots INDEXED BY ballots_voided WHERE ...` without `INDEXED BY ballots_voided`.
fn drop_index_hints(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(at) = rest.find(" INDEXED BY ") {
        out.push_str(&rest[..at]);
        let after = &rest[at + " INDEXED BY ".len()..];
        let name_end = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[name_end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_is_put_in_postgres_words() {
        assert_eq!(
            postgres_sql("SELECT id FROM ballots WHERE serial = ?1 AND grp = ?12"),
            "SELECT id FROM ballots WHERE serial = $1 AND grp = $12"
        );
        assert_eq!(
            postgres_sql("SELECT '?1' || ?2"),
            "SELECT '?1' || $2",
            "a question mark in quotes is text"
        );
        assert_eq!(
            postgres_sql(
                "SELECT COUNT(*) FROM ballots INDEXED BY ballots_voided\n WHERE voided_at IS NOT NULL"
            ),
            "SELECT COUNT(*) FROM ballots\n WHERE voided_at IS NOT NULL"
        );
        assert_eq!(
            postgres_sql(&format!("INSERT INTO t (at) VALUES ({SQLITE_NOW})")),
            format!("INSERT INTO t (at) VALUES ({POSTGRES_NOW})")
        );
    }

    #[test]
    fn cells_read_as_their_types() {
        assert_eq!(i64::from_cell(Cell::Int(7)), Some(7));
        assert_eq!(bool::from_cell(Cell::Int(0)), Some(false));
        assert_eq!(bool::from_cell(Cell::Int(1)), Some(true));
        assert_eq!(Option::<String>::from_cell(Cell::Null), Some(None));
        assert_eq!(
            Option::<String>::from_cell(Cell::Text("a")),
            Some(Some("a".to_string()))
        );
        assert_eq!(i64::from_cell(Cell::Text("7")), None);
        assert_eq!(i64::from_cell(Cell::Null), None);
    }

    fn meta_store() -> Db {
        let db = Db::sqlite_file(Connection::open_in_memory().unwrap());
        db.batch(
            "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER);
             INSERT INTO meta VALUES ('a', '1'), ('b', '2');",
        )
        .unwrap();
        db
    }

    #[test]
    fn a_write_transaction_reads_meta_once_and_writes_what_it_sets_at_once() {
        let db = meta_store();
        let tx = db.write().unwrap();
        let before = db.statements_run();
        assert_eq!(tx.meta(&["a"]).unwrap(), [Some("1".to_string())]);
        assert_eq!(db.statements_run(), before + 1, "every row read at once");
        assert_eq!(tx.meta(&["b", "c"]).unwrap(), [Some("2".to_string()), None]);
        tx.set_meta(&[("a", "10"), ("c", "3")]).unwrap();
        tx.set_meta(&[("d", "4")]).unwrap();
        assert_eq!(
            tx.meta(&["a", "c", "d"]).unwrap(),
            [
                Some("10".to_string()),
                Some("3".to_string()),
                Some("4".to_string())
            ]
        );
        assert_eq!(db.statements_run(), before + 1, "set, not yet written");
        // Before meta is written otherwise, what was set is written; then it is read again.
        tx.execute("DELETE FROM meta WHERE key = 'b'", args![])
            .unwrap();
        assert_eq!(db.statements_run(), before + 3);
        assert_eq!(
            tx.meta(&["b", "a", "d"]).unwrap(),
            [None, Some("10".to_string()), Some("4".to_string())]
        );
        assert_eq!(db.statements_run(), before + 4);
        tx.set_meta(&[("e", "5"), ("a", "11")]).unwrap();
        // Committing writes what is left in one statement, then commits.
        let committing = db.statements_run();
        tx.commit().unwrap();
        assert_eq!(db.statements_run(), committing + 2);
        // Outside a change every read goes to the store, which holds what was committed.
        let outside = db.statements_run();
        assert_eq!(
            db.meta(&["a", "b", "c", "d", "e"]).unwrap(),
            [
                Some("11".to_string()),
                None,
                Some("3".to_string()),
                Some("4".to_string()),
                Some("5".to_string())
            ]
        );
        assert_eq!(db.meta(&["c"]).unwrap(), [Some("3".to_string())]);
        assert_eq!(db.statements_run(), outside + 2);
        // And a key set outside a change is written at once.
        db.set_meta(&[("f", "6")]).unwrap();
        assert_eq!(db.statements_run(), outside + 3);
        assert_eq!(db.meta(&["f"]).unwrap(), [Some("6".to_string())]);
    }

    #[test]
    fn a_query_that_reads_meta_itself_sees_what_the_change_set() {
        let db = meta_store();
        let tx = db.write().unwrap();
        tx.set_meta(&[("a", "8")]).unwrap();
        let read: String = tx
            .query_row(
                "SELECT (SELECT value FROM meta WHERE key = ?1) || ''",
                args!["a"],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(read, "8");
        assert!(names_meta("SELECT value FROM meta WHERE key = 'x'"));
        assert!(!names_meta("SELECT meta_key, metadata FROM t"));
    }

    #[test]
    fn what_a_change_sets_in_meta_is_written_before_several_statements_run() {
        let db = meta_store();
        let tx = db.write().unwrap();
        tx.set_meta(&[("a", "7")]).unwrap();
        tx.batch("UPDATE meta SET value = value || '!' WHERE key = 'a'")
            .unwrap();
        assert_eq!(tx.meta(&["a"]).unwrap(), [Some("7!".to_string())]);
        tx.commit().unwrap();
        assert_eq!(db.meta(&["a"]).unwrap(), [Some("7!".to_string())]);
    }

    #[test]
    fn meta_set_in_a_change_rolled_back_is_not_kept() {
        let db = meta_store();
        {
            let tx = db.write().unwrap();
            tx.meta(&["a"]).unwrap();
            tx.set_meta(&[("a", "9")]).unwrap();
            assert_eq!(tx.meta(&["a"]).unwrap(), [Some("9".to_string())]);
        }
        assert_eq!(db.meta(&["a"]).unwrap(), [Some("1".to_string())]);
        let tx = db.write().unwrap();
        assert_eq!(tx.meta(&["a"]).unwrap(), [Some("1".to_string())]);
    }

    #[test]
    fn a_change_knows_the_tables_it_wrote() {
        let db = meta_store();
        assert!(
            db.may_have_written("t"),
            "outside a change, anything may be"
        );
        let tx = db.write().unwrap();
        assert!(!tx.may_have_written("t"));
        tx.query_map("SELECT n FROM t", args![], |r| r.get::<i64>(0))
            .unwrap();
        tx.meta(&["a"]).unwrap();
        assert!(!tx.may_have_written("t") && !tx.may_have_written("meta"));
        tx.insert("INSERT INTO t (n) VALUES (?1)", args![1_i64])
            .unwrap();
        assert!(tx.may_have_written("t"));
        assert!(!tx.may_have_written("meta"));
        tx.set_meta(&[("a", "2")]).unwrap();
        assert!(tx.may_have_written("meta"));
        assert!(!tx.may_have_written("other"));
        tx.commit().unwrap();
        let tx = db.write().unwrap();
        tx.execute("  update t SET n = 2", args![]).unwrap();
        assert!(tx.may_have_written("t"));
        assert!(!tx.may_have_written("u"));
        // Several statements at once may have written anything.
        tx.batch("UPDATE t SET n = 3; UPDATE t SET n = 4").unwrap();
        assert!(tx.may_have_written("u"));
    }

    #[test]
    fn a_copy_is_refused_on_sqlite_and_changes_nothing() {
        let db = meta_store();
        let tx = db.write().unwrap();
        let refused = tx.copy_in(
            "COPY t (n) FROM STDIN (FORMAT binary)",
            &[Type::INT8],
            |_| panic!("no row is asked for"),
        );
        assert!(matches!(refused, Err(Error::Internal(_))), "{refused:?}");
        assert!(!tx.may_have_written("t"));
    }

    #[test]
    fn sqlite_runs_the_portable_api() {
        let db = Db::sqlite_file(Connection::open_in_memory().unwrap());
        db.batch("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, n INTEGER)")
            .unwrap();
        let tx = db.write().unwrap();
        let id = tx
            .insert("INSERT INTO t (name, n) VALUES (?1, ?2)", args!["a", 5_i64])
            .unwrap();
        assert_eq!(id, 1);
        tx.commit().unwrap();
        {
            let tx = db.write().unwrap();
            tx.execute("UPDATE t SET n = 6", args![]).unwrap();
            // Dropped: rolled back.
        }
        let row: (String, i64) = db
            .query_row("SELECT name, n FROM t WHERE id = ?1", args![id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(row, ("a".to_string(), 5));
        let none: Option<i64> = db
            .query_opt("SELECT n FROM t WHERE id = ?1", args![9_i64], |r| r.get(0))
            .unwrap();
        assert_eq!(none, None);
        let names = db
            .query_map("SELECT name FROM t", args![], |r| r.get::<String>(0))
            .unwrap();
        assert_eq!(names, ["a"]);
    }
}
