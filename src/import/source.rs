//! Turning an input file into records: text encodings, CSV delimiters, and spreadsheets.
//!
//! Text is UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030/GBK — what Chinese
//! Excel and WPS save as "CSV". Without a forced encoding, a file that is not valid UTF-8 is
//! decoded line by line, so a results file that OMR software appended to in two encodings
//! still reads. The delimiter (comma, semicolon, tab) is sniffed from the header line.
//! `.xlsx` / `.xls` workbooks are recognised by their first bytes and read with calamine.

use crate::config::csv_why;
use crate::error::{Problem, Text};
use crate::store::hex;
use crate::text::LineEnds;
use encoding_rs::{Encoding as Codec, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use sha2::{Digest, Sha256};
use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};

/// A text encoding the user can force with `--encoding`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, a BOM allowed.
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
    /// UTF-16 little-endian.
    Utf16Le,
    /// UTF-16 big-endian.
    Utf16Be,
}

impl Encoding {
    /// Parses `utf-8`, `gb18030`, `gbk`, `gb2312`, `utf-16le`, `utf-16be` (any case).
    pub fn parse(name: &str) -> Option<Encoding> {
        match name.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Some(Encoding::Utf8),
            "gb18030" | "gbk" | "gb2312" | "cp936" => Some(Encoding::Gb18030),
            "utf-16le" | "utf-16" | "utf16le" | "utf16" => Some(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Some(Encoding::Utf16Be),
            _ => None,
        }
    }

    fn codec(self) -> &'static Codec {
        match self {
            Encoding::Utf8 => UTF_8,
            Encoding::Gb18030 => GB18030,
            Encoding::Utf16Le => UTF_16LE,
            Encoding::Utf16Be => UTF_16BE,
        }
    }
}

/// How to read the file, as the user forced it.
#[derive(Debug, Clone, Default)]
pub struct SourceOptions {
    /// Forced encoding.
    pub encoding: Option<Encoding>,
    /// Forced delimiter.
    pub delimiter: Option<u8>,
    /// Worksheet of a workbook (default: the first).
    pub sheet: Option<String>,
}

/// The records of a file, header first.
pub enum Records<'a> {
    /// Delimited text.
    Csv(Box<csv::Reader<Box<dyn Read + 'a>>>),
    /// Rows of a worksheet, with their row numbers, as a thread reads them, and the width
    /// they are fitted to once known ([`Records::fit_to`]).
    Sheet(Receiver<SheetRow>, Option<usize>),
}

/// What was detected about the file, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    /// Encoding name, or the sheet read.
    pub format: String,
    /// Delimiter of a text file.
    pub delimiter: Option<char>,
}

fn problem(file: &str, line: Option<u64>, why: Text) -> Box<Problem> {
    Box::new(Problem {
        file: file.to_string(),
        line,
        column: None,
        value: None,
        why,
    })
}

/// Opens the bytes of a file named `file` as records.
pub fn open<'a>(
    file: &str,
    bytes: &'a [u8],
    options: &SourceOptions,
) -> Result<(Records<'a>, Detected), Box<Problem>> {
    if is_workbook(bytes) {
        return open_workbook(file, bytes.to_vec(), options);
    }
    refuse_sheet_of_text(file, options)?;
    if bytes.is_empty() {
        return Err(problem(
            file,
            None,
            Text::new("the file is empty", "文件为空"),
        ));
    }
    let (text, format) = decode(bytes, options.encoding);
    if text.contains(&0) {
        return Err(not_text(file));
    }
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    Ok(csv_records(Box::new(Cursor::new(text)), delimiter, format))
}

/// A sheet named for a text file is refused: the user meant another file, or the option
/// would silently do nothing.
fn refuse_sheet_of_text(file: &str, options: &SourceOptions) -> Result<(), Box<Problem>> {
    match &options.sheet {
        None => Ok(()),
        Some(sheet) => {
            let sheet = crate::text::echo(sheet);
            Err(problem(
                file,
                None,
                Text::new(
                    format!("--sheet \"{sheet}\" names a worksheet, but this is a text file, not a workbook (.xlsx, .xls)"),
                    format!("--sheet \"{sheet}\" 指定了工作表，但该文件是文本文件，不是工作簿（.xlsx、.xls）"),
                ),
            ))
        }
    }
}

/// Whether a file's first bytes are those of a workbook: a zip (`.xlsx`, `.xlsb`, `.ods`)
/// or an OLE file (`.xls`).
fn is_workbook(head: &[u8]) -> bool {
    head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")
}

fn csv_records<'a>(
    input: Box<dyn Read + 'a>,
    delimiter: u8,
    format: &str,
) -> (Records<'a>, Detected) {
    let input: Box<dyn Read + 'a> = Box::new(LineEnds::new(input));
    let reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    (
        Records::Csv(Box::new(reader)),
        Detected {
            format: format.to_string(),
            delimiter: Some(delimiter as char),
        },
    )
}

/// What a first pass over a text file found about its text.
struct Survey {
    head: Vec<u8>,
    utf8: bool,
    nul: bool,
    /// The bytes read.
    len: u64,
}

const HEAD: usize = 64 * 1024;

/// The largest workbook read: an `.xlsx` streams its rows, but the file itself (and an
/// `.xls`, `.xlsb` or `.ods`, read whole) is held in memory.
pub const WORKBOOK_BYTES: u64 = 64 << 20;

/// Reads up to [`HEAD`] bytes from the start of a file.
fn read_head(file: &mut File) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(HEAD);
    file.by_ref().take(HEAD as u64).read_to_end(&mut head)?;
    Ok(head)
}

/// Reads the rest of a text file after its `head`: whether all of it is UTF-8, NUL bytes,
/// and its length.
fn survey(file: &mut File, head: Vec<u8>) -> std::io::Result<Survey> {
    let mut utf8 = true;
    // Each read goes after the first bytes of a character cut off at the end of the one before
    // (three at most), so that the text is checked where it was read, never copied.
    let mut kept = utf8_cut(&head, &mut utf8);
    let mut buffer = vec![0u8; 3 + (1 << 20)];
    buffer[..kept].copy_from_slice(&head[head.len() - kept..]);
    let mut survey = Survey {
        len: head.len() as u64,
        utf8,
        nul: head.contains(&0),
        head,
    };
    loop {
        let n = file.read(&mut buffer[kept..])?;
        if n == 0 {
            break;
        }
        survey.len += n as u64;
        survey.nul |= buffer[kept..kept + n].contains(&0);
        let end = kept + n;
        kept = utf8_cut(&buffer[..end], &mut survey.utf8);
        buffer.copy_within(end - kept..end, 0);
    }
    // A character cut off at the end of the file.
    survey.utf8 &= kept == 0;
    Ok(survey)
}

/// Checks that `text` is UTF-8, clearing `utf8` if it is not (and checking no more once it
/// is cleared); how many bytes at its end begin a character that may go on in what follows.
fn utf8_cut(text: &[u8], utf8: &mut bool) -> usize {
    if !*utf8 {
        return 0;
    }
    match std::str::from_utf8(text) {
        Ok(_) => 0,
        Err(e) if e.error_len().is_none() => text.len() - e.valid_up_to(),
        Err(_) => {
            *utf8 = false;
            0
        }
    }
}

/// The SHA-256 and the length of the bytes read through a [`Digesting`] reader so far.
#[derive(Clone, Default)]
struct ReadDigest(Arc<Mutex<(Sha256, u64)>>);

impl ReadDigest {
    fn of(bytes: &[u8]) -> ReadDigest {
        ReadDigest(Arc::new(Mutex::new((
            Sha256::new_with_prefix(bytes),
            bytes.len() as u64,
        ))))
    }

    fn add(&self, bytes: &[u8]) {
        if let Ok(mut digest) = self.0.lock() {
            digest.0.update(bytes);
            digest.1 += bytes.len() as u64;
        }
    }

    fn read(&self) -> u64 {
        self.0.lock().map_or(0, |digest| digest.1)
    }

    fn finish(&self) -> (String, u64) {
        match self.0.lock() {
            Ok(digest) => (hex(&digest.0.clone().finalize()), digest.1),
            Err(_) => (String::new(), 0),
        }
    }
}

/// Hashes the bytes as they are read, so the digest recorded is of exactly what was parsed.
struct Digesting<R> {
    inner: R,
    digest: ReadDigest,
}

impl<R: Read> Read for Digesting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.digest.add(&buf[..n]);
        Ok(n)
    }
}

/// An input file being read, for the check once its records are read: they were all of
/// the file, and it did not change meanwhile. Its SHA-256 is then of exactly the bytes parsed.
pub struct Opened {
    name: String,
    file: Option<File>,
    /// The length and the time of the last change when the file was opened.
    len: u64,
    modified: Option<std::time::SystemTime>,
    digest: ReadDigest,
}

impl Opened {
    /// Bytes already in memory: nothing can change them.
    fn in_memory(name: &str, bytes: &[u8]) -> Opened {
        Opened {
            name: name.to_string(),
            file: None,
            len: bytes.len() as u64,
            modified: None,
            digest: ReadDigest::of(bytes),
        }
    }

    /// The SHA-256 of the bytes parsed, or a problem when the file changed while it was
    /// read: another length or time of change than when it was opened, or (once every
    /// record was read, `whole`) fewer or more bytes read than it had.
    /// How much of the file was read so far, and its length when it was opened (bytes).
    pub fn read_so_far(&self) -> (u64, u64) {
        (self.digest.read(), self.len)
    }

    pub fn seal(&self, whole: bool) -> Result<String, Box<Problem>> {
        let (sha256, read) = self.digest.finish();
        let now = match &self.file {
            None => None,
            Some(file) => Some(file.metadata().map_err(|e| {
                problem(
                    &self.name,
                    None,
                    Text::new(format!("unreadable: {e}"), format!("无法读取：{e}")),
                )
            })?),
        };
        let changed = now
            .as_ref()
            .is_some_and(|m| m.len() != self.len || m.modified().ok() != self.modified)
            || (whole && read != self.len);
        if changed {
            let len = now.as_ref().map_or(read, |m| m.len());
            return Err(problem(
                &self.name,
                None,
                Text::new(
                    format!(
                        "the file changed while it was read ({} bytes when opened, {len} now); nothing was imported: import it again once it is complete",
                        self.len
                    ),
                    format!(
                        "读取期间文件发生了变化（打开时 {} 字节，现在 {len} 字节）；未导入任何内容：请在文件写完后重新导入",
                        self.len
                    ),
                ),
            ));
        }
        Ok(sha256)
    }
}

/// Opens a file as records without holding it in memory when it is UTF-8 or GB18030 text
/// (workbooks and UTF-16 files are read whole). Anything but a regular file is refused at
/// once; the returned [`Opened`] says at the end what was read.
pub fn open_path(
    file: &str,
    path: &Path,
    options: &SourceOptions,
) -> Result<(Records<'static>, Detected, Opened), OpenError> {
    let io = |e: std::io::Error| OpenError::Io(path.to_path_buf(), e);
    let (mut handle, metadata) = crate::text::open_regular(path)
        .map_err(|why| OpenError::Problem(problem(file, None, why)))?;
    let mut opened = Opened {
        name: file.to_string(),
        file: None,
        len: metadata.len(),
        modified: metadata.modified().ok(),
        digest: ReadDigest::default(),
    };
    let head = read_head(&mut handle).map_err(io)?;
    let workbook = is_workbook(&head);
    let utf16 = matches!(
        options.encoding,
        Some(Encoding::Utf16Le | Encoding::Utf16Be)
    ) || (options.encoding.is_none()
        && (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")));
    if workbook && metadata.len() > WORKBOOK_BYTES {
        return Err(OpenError::Problem(problem(
            file,
            None,
            Text::new(
                format!(
                    "a workbook of {} MB: tallyclerk reads workbooks of up to {} MB; save the sheet as CSV and import that",
                    metadata.len() >> 20,
                    WORKBOOK_BYTES >> 20
                ),
                format!(
                    "工作簿大小 {} MB：tallyclerk 只读取不超过 {} MB 的工作簿；请将工作表另存为 CSV 后导入",
                    metadata.len() >> 20,
                    WORKBOOK_BYTES >> 20
                ),
            ),
        )));
    }
    if !workbook {
        refuse_sheet_of_text(file, options).map_err(OpenError::Problem)?;
    }
    if workbook || utf16 || head.is_empty() {
        // Read whole, once: the digest is of the bytes in memory.
        let mut bytes = head;
        handle
            .by_ref()
            .take(WORKBOOK_BYTES.max(metadata.len()) + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        opened.digest = ReadDigest::of(&bytes);
        opened.file = Some(handle);
        let (records, detected) = open_owned(file, bytes, options).map_err(OpenError::Problem)?;
        return Ok((records, detected, opened));
    }
    let survey = survey(&mut handle, head).map_err(io)?;
    opened.len = survey.len;
    if survey.nul {
        return Err(OpenError::Problem(not_text(file)));
    }
    // The records are read from the same handle: the file renamed or replaced meanwhile
    // is still the one surveyed.
    handle.seek(SeekFrom::Start(0)).map_err(io)?;
    let reader = BufReader::with_capacity(
        1 << 20,
        Digesting {
            inner: handle.try_clone().map_err(io)?,
            digest: opened.digest.clone(),
        },
    );
    opened.file = Some(handle);
    let head = &survey.head;
    let bom = head.starts_with(b"\xEF\xBB\xBF");
    let (input, format, head_text): (Box<dyn Read>, &str, Cow<[u8]>) = match options.encoding {
        Some(Encoding::Gb18030) => (
            Box::new(LineDecoder::new(reader, true)),
            "GB18030",
            decode_lines_forced(head),
        ),
        Some(Encoding::Utf8) | None if bom || survey.utf8 => {
            let mut reader = reader;
            if bom {
                let mut skip = [0u8; 3];
                reader.read_exact(&mut skip).map_err(io)?;
            }
            (
                Box::new(reader),
                "UTF-8",
                Cow::Borrowed(&head[if bom { 3 } else { 0 }..]),
            )
        }
        _ => (
            Box::new(LineDecoder::new(reader, false)),
            "GB18030",
            decode_lines(head),
        ),
    };
    let delimiter = options
        .delimiter
        .unwrap_or_else(|| sniff_delimiter(&head_text));
    let (records, detected) = csv_records(input, delimiter, format);
    Ok((records, detected, opened))
}

/// The bytes of a file named `file` opened as records, with the [`Opened`] that seals them.
pub fn open_bytes<'a>(
    file: &str,
    bytes: &'a [u8],
    options: &SourceOptions,
) -> Result<(Records<'a>, Detected, Opened), Box<Problem>> {
    let (records, detected) = open(file, bytes, options)?;
    Ok((records, detected, Opened::in_memory(file, bytes)))
}

/// Why a file could not be opened as records.
pub enum OpenError {
    /// It could not be read.
    Io(std::path::PathBuf, std::io::Error),
    /// It is not a file of ballots.
    Problem(Box<Problem>),
}

fn not_text(file: &str) -> Box<Problem> {
    problem(
        file,
        None,
        Text::new(
            "not a text file (it holds NUL bytes); give a CSV, .xlsx or .xls file, or --encoding",
            "不是文本文件（含有 NUL 字节）；请提供 CSV、.xlsx 或 .xls 文件，或指定 --encoding",
        ),
    )
}

/// The in-memory path of [`open`] for bytes the records then own.
fn open_owned(
    file: &str,
    bytes: Vec<u8>,
    options: &SourceOptions,
) -> Result<(Records<'static>, Detected), Box<Problem>> {
    if is_workbook(&bytes) {
        return open_workbook(file, bytes, options);
    }
    let (records, detected) = open(file, &bytes, options)?;
    // Re-home the reader's input: text decoded from `bytes` is copied into an owned buffer.
    match records {
        Records::Sheet(rows, width) => Ok((Records::Sheet(rows, width), detected)),
        Records::Csv(reader) => {
            let mut text = Vec::new();
            reader.into_inner().read_to_end(&mut text).map_err(|e| {
                problem(
                    file,
                    None,
                    Text::new(format!("unreadable: {e}"), format!("无法读取：{e}")),
                )
            })?;
            let delimiter = detected.delimiter.map_or(b',', |d| d as u8);
            Ok((
                csv_records(Box::new(Cursor::new(text)), delimiter, &detected.format).0,
                detected,
            ))
        }
    }
}

fn decode_lines_forced(bytes: &[u8]) -> Cow<'_, [u8]> {
    Cow::Owned(
        GB18030
            .decode_without_bom_handling(bytes)
            .0
            .into_owned()
            .into_bytes(),
    )
}

/// Serves a text file as UTF-8, a line at a time: a line that is valid UTF-8 stays so, any
/// other (or every line, when GB18030 is forced) is decoded as GB18030.
struct LineDecoder<R: BufRead> {
    inner: R,
    line: Vec<u8>,
    out: Vec<u8>,
    pos: usize,
    always: bool,
}

impl<R: BufRead> LineDecoder<R> {
    fn new(inner: R, always: bool) -> LineDecoder<R> {
        LineDecoder {
            inner,
            line: Vec::new(),
            out: Vec::new(),
            pos: 0,
            always,
        }
    }
}

impl<R: BufRead> Read for LineDecoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.out.len() {
            self.line.clear();
            if self.inner.read_until(b'\n', &mut self.line)? == 0 {
                return Ok(0);
            }
            self.out.clear();
            self.pos = 0;
            if !self.always && std::str::from_utf8(&self.line).is_ok() {
                self.out.extend_from_slice(&self.line);
            } else {
                self.out.extend_from_slice(
                    GB18030.decode_without_bom_handling(&self.line).0.as_bytes(),
                );
            }
        }
        let n = buf.len().min(self.out.len() - self.pos);
        buf[..n].copy_from_slice(&self.out[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Decodes to UTF-8 bytes, borrowing when the file already is UTF-8.
fn decode(bytes: &[u8], forced: Option<Encoding>) -> (Cow<'_, [u8]>, &'static str) {
    let (codec, rest) = match Codec::for_bom(bytes) {
        Some((codec, bom)) if forced.is_none() => (Some(codec), &bytes[bom..]),
        _ => (forced.map(Encoding::codec), bytes),
    };
    match codec {
        Some(codec) if codec == UTF_8 => (lossless_utf8(rest), "UTF-8"),
        Some(codec) => {
            let (text, _) = codec.decode_without_bom_handling(rest);
            (Cow::Owned(text.into_owned().into_bytes()), codec.name())
        }
        None => match std::str::from_utf8(rest) {
            Ok(_) => (Cow::Borrowed(rest), "UTF-8"),
            Err(_) => (decode_lines(rest), "GB18030"),
        },
    }
}

fn lossless_utf8(bytes: &[u8]) -> Cow<'_, [u8]> {
    match String::from_utf8_lossy(bytes) {
        Cow::Borrowed(_) => Cow::Borrowed(bytes),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

/// Each line that is valid UTF-8 stays so; the others are read as GB18030.
fn decode_lines(bytes: &[u8]) -> Cow<'_, [u8]> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 2);
    for line in bytes.split_inclusive(|&b| b == b'\n') {
        match std::str::from_utf8(line) {
            Ok(_) => out.extend_from_slice(line),
            Err(_) => out.extend_from_slice(GB18030.decode_without_bom_handling(line).0.as_bytes()),
        }
    }
    Cow::Owned(out)
}

/// The delimiter of the header line: the most frequent of comma, semicolon and tab outside
/// quotes (comma when none).
fn sniff_delimiter(text: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for &b in text.iter().take_while(|&&b| b != b'\n') {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => counts[0] += 1,
            b';' if !quoted => counts[1] += 1,
            b'\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .unwrap_or(0);
    if counts[best] == 0 {
        b','
    } else {
        [b',', b';', b'\t'][best]
    }
}

/// A row of a worksheet (its 1-based row number and cells), or why the sheet is unreadable.
type SheetRow = Result<(u64, csv::StringRecord), Box<Problem>>;

/// Rows of a worksheet queued between the thread reading the workbook and the importer.
const QUEUED_ROWS: usize = 256;

fn open_workbook<'a>(
    file: &str,
    bytes: Vec<u8>,
    options: &SourceOptions,
) -> Result<(Records<'a>, Detected), Box<Problem>> {
    use calamine::{open_workbook_auto_from_rs, Reader};
    let workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(file, &e))?;
    let names = workbook.sheet_names().to_vec();
    let sheet = match &options.sheet {
        Some(name) => names.iter().find(|n| *n == name).cloned().ok_or_else(|| {
            let name = crate::text::echo(name);
            problem(
                file,
                None,
                Text::new(
                    format!("no sheet \"{name}\" (sheets: {})", names.join(", ")),
                    format!(
                        "没有名为 \"{name}\" 的工作表（工作表：{}）",
                        names.join("、")
                    ),
                ),
            )
        })?,
        None => names.first().cloned().ok_or_else(|| {
            problem(
                file,
                None,
                Text::new("the workbook has no sheet", "工作簿中没有工作表"),
            )
        })?,
    };
    // The rows come from a thread that owns the workbook (a streaming sheet reader borrows
    // it), through a short queue, so a sheet of a million rows is never held whole. Once the
    // importer drops the queue (finished, refused or cancelled), the thread's next row
    // finds no taker and it ends.
    let (sender, rows) = sync_channel(QUEUED_ROWS);
    let name = file.to_string();
    let read = sheet.clone();
    std::thread::spawn(move || send_rows(&name, workbook, &read, &sender));
    Ok((
        Records::Sheet(rows, None),
        Detected {
            format: format!("sheet \"{sheet}\""),
            delimiter: None,
        },
    ))
}

fn unreadable(file: &str, e: &dyn std::fmt::Display) -> Box<Problem> {
    problem(
        file,
        None,
        Text::new(
            format!("unreadable workbook: {e}"),
            format!("无法读取的工作簿：{e}"),
        ),
    )
}

/// The text of a cell as the importer reads it: whole numbers without a fraction.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// Sends the rows of `sheet` that hold something, without their trailing empty cells (an
/// `.xlsx` leaves empty cells out, so rows come as wide as their last cell).
fn send_rows(
    file: &str,
    workbook: calamine::Sheets<Cursor<Vec<u8>>>,
    sheet: &str,
    out: &SyncSender<SheetRow>,
) {
    use calamine::{Reader, Sheets};
    let send = |line: u64, mut cells: Vec<String>| -> bool {
        while cells.last().is_some_and(String::is_empty) {
            cells.pop();
        }
        if cells.is_empty() {
            return true;
        }
        out.send(Ok((line, csv::StringRecord::from(cells)))).is_ok()
    };
    match workbook {
        Sheets::Xlsx(mut xlsx) => {
            let mut cells = match xlsx.worksheet_cells_reader(sheet) {
                Ok(cells) => cells,
                Err(e) => {
                    let _ = out.send(Err(unreadable(file, &e)));
                    return;
                }
            };
            let mut row: Option<(u32, Vec<String>)> = None;
            loop {
                match cells.next_cell() {
                    Ok(Some(cell)) => {
                        let (r, c) = cell.get_position();
                        if row.as_ref().is_some_and(|(at, _)| *at != r) {
                            if let Some((at, cells)) = row.take() {
                                if !send(u64::from(at) + 1, cells) {
                                    return;
                                }
                            }
                        }
                        let (_, cells) = row.get_or_insert_with(|| (r, Vec::new()));
                        let c = c as usize;
                        if cells.len() <= c {
                            cells.resize(c + 1, String::new());
                        }
                        cells[c] = cell_text(&calamine::Data::from(cell.get_value().clone()));
                    }
                    Ok(None) => {
                        if let Some((at, cells)) = row.take() {
                            send(u64::from(at) + 1, cells);
                        }
                        return;
                    }
                    Err(e) => {
                        let _ = out.send(Err(unreadable(file, &e)));
                        return;
                    }
                }
            }
        }
        // The other kinds are read whole by calamine; `.xls` holds 65,536 rows at most.
        mut other => match other.worksheet_range(sheet) {
            Ok(range) => {
                let first_row = range.start().map_or(0, |(row, _)| u64::from(row));
                for (i, row) in range.rows().enumerate() {
                    if !send(
                        first_row + i as u64 + 1,
                        row.iter().map(cell_text).collect(),
                    ) {
                        return;
                    }
                }
            }
            Err(e) => {
                let _ = out.send(Err(unreadable(file, &e)));
            }
        },
    }
}

impl Records<'_> {
    /// Makes every row of a worksheet from now on as wide as the header: cells left out
    /// are empty, and a cell right of the header has no column, as in the sheet (text
    /// files are read as they are, a row of another width being a problem).
    pub fn fit_to(&mut self, width: usize) {
        if let Records::Sheet(_, fitted) = self {
            *fitted = Some(width);
        }
    }

    /// Reads the next record into `record`; returns its line, or `None` at the end.
    pub fn next(
        &mut self,
        file: &str,
        record: &mut csv::StringRecord,
    ) -> Result<Option<u64>, Box<Problem>> {
        match self {
            Records::Csv(reader) => match reader.read_record(record) {
                Ok(true) => Ok(Some(record.position().map_or(0, |p| p.line()))),
                Ok(false) => Ok(None),
                Err(e) => Err(problem(file, e.position().map(|p| p.line()), csv_why(&e))),
            },
            Records::Sheet(rows, width) => match rows.recv() {
                Ok(Ok((line, row))) => {
                    *record = row;
                    if let Some(width) = *width {
                        record.truncate(width);
                        while record.len() < width {
                            record.push_field("");
                        }
                    }
                    Ok(Some(line))
                }
                Ok(Err(problem)) => Err(problem),
                Err(_) => Ok(None),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`survey`] says of a file of these bytes.
    fn survey_of(bytes: &[u8]) -> Survey {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, bytes).unwrap();
        file.seek(SeekFrom::Start(0)).unwrap();
        let head = read_head(&mut file).unwrap();
        survey(&mut file, head).unwrap()
    }

    #[test]
    fn a_character_cut_between_two_reads_is_checked_whole() {
        // "好" is three bytes: put one across the end of the head and across the end of the
        // first read after it, at each of the places it can be cut, in ASCII text.
        let first_read_end = HEAD + (1 << 20);
        for end in [HEAD, first_read_end] {
            for at in end - 2..end {
                let mut bytes = vec![b'a'; first_read_end + 100];
                bytes[at..at + 3].copy_from_slice("好".as_bytes());
                let whole = survey_of(&bytes);
                assert!(whole.utf8, "好 at {at}");
                assert_eq!(whole.len, bytes.len() as u64);
                assert!(!whole.nul);
                // Its last byte not one that goes on a character: not UTF-8.
                bytes[at + 2] = b'a';
                assert!(!survey_of(&bytes).utf8, "好 cut at {at}");
            }
        }
        // A character cut off by the end of the file; a NUL byte.
        let mut bytes = vec![b'a'; HEAD + 10];
        bytes.extend_from_slice(&"好".as_bytes()[..2]);
        assert!(!survey_of(&bytes).utf8);
        bytes.truncate(HEAD + 10);
        bytes[HEAD + 5] = 0;
        let with_nul = survey_of(&bytes);
        assert!(with_nul.nul && with_nul.utf8);
    }

    fn records(bytes: &[u8]) -> Vec<Vec<String>> {
        let (mut records, _) = open("f.csv", bytes, &SourceOptions::default()).unwrap();
        let mut record = csv::StringRecord::new();
        let mut out = Vec::new();
        while records.next("f.csv", &mut record).unwrap().is_some() {
            out.push(record.iter().map(str::to_string).collect());
        }
        out
    }

    #[test]
    fn sniffs_delimiters_and_encodings() {
        let expected = vec![
            vec!["serial".to_string(), "组织".to_string()],
            vec!["1".into(), "好".into()],
        ];
        assert_eq!(records("serial,组织\n1,好\n".as_bytes()), expected);
        assert_eq!(
            records("\u{feff}serial;组织\r\n1;好\r\n".as_bytes()),
            expected
        );
        assert_eq!(
            records(&GB18030.encode("serial\t组织\n1\t好\n").0),
            expected
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "serial\t组织\n1\t好\n"
                    .encode_utf16()
                    .flat_map(|u| u.to_le_bytes()),
            )
            .collect();
        assert_eq!(records(&utf16), expected);
    }

    #[test]
    fn lines_in_two_encodings_both_read() {
        let mut bytes = "serial,组织\n".as_bytes().to_vec();
        bytes.extend_from_slice(&GB18030.encode("1,好\n").0);
        assert_eq!(records(&bytes)[1], vec!["1".to_string(), "好".to_string()]);
    }

    #[test]
    fn files_stream_from_disk_in_any_encoding() {
        // Over 1 MiB of three-byte characters: the survey's chunks split some of them.
        let temp = tempfile::tempdir().unwrap();
        let text = format!("serial,组织\n{}", "1,好\n".repeat(300_000));
        let utf8 = temp.path().join("utf8.csv");
        std::fs::write(&utf8, &text).unwrap();
        let gbk = temp.path().join("gbk.csv");
        std::fs::write(&gbk, GB18030.encode(&text).0).unwrap();
        for (path, format) in [(&utf8, "UTF-8"), (&gbk, "GB18030")] {
            let (mut records, detected, _) =
                match open_path("f.csv", path, &SourceOptions::default()) {
                    Ok(opened) => opened,
                    Err(_) => panic!("{format} did not open"),
                };
            assert_eq!(detected.format, format);
            let mut record = csv::StringRecord::new();
            let mut rows = 0;
            let mut last = String::new();
            // Bounded: a reader that never ends fails the count below instead of hanging.
            while rows <= 300_001 && records.next("f.csv", &mut record).unwrap().is_some() {
                rows += 1;
                last = record[1].to_string();
            }
            assert_eq!(rows, 300_001);
            assert_eq!(last, "好");
        }
    }

    #[test]
    fn empty_and_binary_files_are_problems() {
        assert!(open("f.csv", b"", &SourceOptions::default()).is_err());
        assert!(open("f.csv", b"\x00\x01\x02abc", &SourceOptions::default()).is_err());
    }
}
