//! Turning an input file into records: text encodings, CSV delimiters, and spreadsheets.
//!
//! Text is UTF-8 (with or without BOM), UTF-16 with a BOM, or GB18030/GBK — what Chinese
//! Excel and WPS save as "CSV". Without a forced encoding, a file that is not valid UTF-8 is
//! decoded line by line, so a results file that OMR software appended to in two encodings
//! still reads. The delimiter (comma, semicolon, tab) is sniffed from the header line.
//! `.xlsx` / `.xls` workbooks are recognised by their first bytes and read with calamine.

use crate::config::csv_why;
use crate::error::{Problem, Text};
use crate::text::LineEnds;
use encoding_rs::{Encoding as Codec, GB18030, UTF_16BE, UTF_16LE, UTF_8};
use std::borrow::Cow;
use std::io::{BufRead, BufReader, Cursor, Read};
use std::path::Path;

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
    /// Rows of a worksheet, with their row numbers.
    Sheet(std::vec::IntoIter<(u64, csv::StringRecord)>),
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
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
        return open_workbook(file, bytes, options);
    }
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

/// What a first pass over a file found: its digest, and what its text is.
struct Survey {
    sha256: String,
    head: Vec<u8>,
    utf8: bool,
    nul: bool,
}

const HEAD: usize = 64 * 1024;

/// Reads a file once: SHA-256, whether all of it is UTF-8, NUL bytes, and its first bytes.
fn survey(path: &Path) -> std::io::Result<Survey> {
    use sha2::{Digest, Sha256};
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut carry: Vec<u8> = Vec::new();
    let mut survey = Survey {
        sha256: String::new(),
        head: Vec::new(),
        utf8: true,
        nul: false,
    };
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        let chunk = &buffer[..n];
        hasher.update(chunk);
        if survey.head.len() < HEAD {
            let take = (HEAD - survey.head.len()).min(n);
            survey.head.extend_from_slice(&chunk[..take]);
        }
        survey.nul |= chunk.contains(&0);
        if survey.utf8 {
            // A multi-byte character may straddle two chunks: carry its first bytes over.
            carry.extend_from_slice(chunk);
            match std::str::from_utf8(&carry) {
                Ok(_) => carry.clear(),
                Err(e) if e.error_len().is_none() => {
                    carry.drain(..e.valid_up_to());
                }
                Err(_) => survey.utf8 = false,
            }
        }
    }
    survey.utf8 &= carry.is_empty();
    survey.sha256 = crate::store::hex(&hasher.finalize());
    Ok(survey)
}

/// Opens a file as records without holding it in memory when it is UTF-8 or GB18030 text
/// (workbooks and UTF-16 files, small in practice, are read whole). Returns its SHA-256 too.
pub fn open_path(
    file: &str,
    path: &Path,
    options: &SourceOptions,
) -> Result<(Records<'static>, Detected, String), OpenError> {
    let survey = survey(path).map_err(|e| OpenError::Io(path.to_path_buf(), e))?;
    let head = &survey.head;
    let whole = |survey: &Survey| -> Result<(Records<'static>, Detected, String), OpenError> {
        let bytes = std::fs::read(path).map_err(|e| OpenError::Io(path.to_path_buf(), e))?;
        let (records, detected) = open_owned(file, bytes, options).map_err(OpenError::Problem)?;
        Ok((records, detected, survey.sha256.clone()))
    };
    let workbook =
        head.starts_with(b"PK\x03\x04") || head.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1");
    let utf16 = matches!(
        options.encoding,
        Some(Encoding::Utf16Le | Encoding::Utf16Be)
    ) || (options.encoding.is_none()
        && (head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")));
    if workbook || utf16 || head.is_empty() {
        return whole(&survey);
    }
    if survey.nul {
        return Err(OpenError::Problem(not_text(file)));
    }
    let reader = BufReader::with_capacity(
        1 << 20,
        std::fs::File::open(path).map_err(|e| OpenError::Io(path.to_path_buf(), e))?,
    );
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
                reader
                    .read_exact(&mut skip)
                    .map_err(|e| OpenError::Io(path.to_path_buf(), e))?;
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
    Ok((records, detected, survey.sha256))
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
    let (records, detected) = open(file, &bytes, options)?;
    // Re-home the reader's input: text decoded from `bytes` is copied into an owned buffer.
    match records {
        Records::Sheet(rows) => Ok((Records::Sheet(rows), detected)),
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

fn open_workbook<'a>(
    file: &str,
    bytes: &[u8],
    options: &SourceOptions,
) -> Result<(Records<'a>, Detected), Box<Problem>> {
    use calamine::{open_workbook_auto_from_rs, Data, Reader};
    let unreadable = |e: &dyn std::fmt::Display| {
        problem(
            file,
            None,
            Text::new(
                format!("unreadable workbook: {e}"),
                format!("无法读取的工作簿：{e}"),
            ),
        )
    };
    let mut workbook =
        open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).map_err(|e| unreadable(&e))?;
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
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| unreadable(&e))?;
    let first_row = range.start().map_or(0, |(row, _)| row as u64);
    let rows: Vec<(u64, csv::StringRecord)> = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let cells: Vec<String> = row
                .iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::Float(f) => f.to_string(),
                    Data::Int(i) => i.to_string(),
                    Data::Bool(b) => b.to_string(),
                    other => other.to_string(),
                })
                .collect();
            (first_row + i as u64 + 1, csv::StringRecord::from(cells))
        })
        .collect();
    Ok((
        Records::Sheet(rows.into_iter()),
        Detected {
            format: format!("sheet \"{sheet}\""),
            delimiter: None,
        },
    ))
}

impl Records<'_> {
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
            Records::Sheet(rows) => Ok(rows.next().map(|(line, row)| {
                *record = row;
                line
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            while records.next("f.csv", &mut record).unwrap().is_some() {
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
