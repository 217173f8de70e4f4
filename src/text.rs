//! Turning the bytes of a text file into a string, whatever a spreadsheet saved it as.

use crate::error::Text;
use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
use std::fs::File;
use std::io::Read;
use std::path::Path;

/// Decodes file bytes: UTF-8 (a BOM is dropped), UTF-16 with a BOM, otherwise GB18030 — what
/// Chinese Excel and WPS write as "CSV".
pub fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return String::from_utf8_lossy(rest).into_owned();
    }
    if bytes.starts_with(b"\xFF\xFE") {
        return UTF_16LE.decode(bytes).0.into_owned();
    }
    if bytes.starts_with(b"\xFE\xFF") {
        return UTF_16BE.decode(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => GB18030.decode(bytes).0.into_owned(),
    }
}

/// Serves a text stream with every line ending as one LF, so that a CSV reader, which counts
/// LF bytes, counts file lines: CRLF and a lone CR (old Mac files) each end one line, and an
/// empty line becomes a line holding one space, which a CSV reader yields as a blank record
/// instead of skipping it uncounted (readers of ballots skip blank records themselves).
///
/// Chunks without a CR or an empty line — nearly all of a file — pass through untouched, after
/// one vectorised scan.
pub struct LineEnds<R> {
    inner: R,
    /// Rewritten bytes not yet handed out.
    pending: Vec<u8>,
    taken: usize,
    /// The last byte handed out (LF at the start: the first line may be empty too).
    last: u8,
    /// The last byte read was a CR, whose LF (if it comes next) is already written.
    after_cr: bool,
}

impl<R> LineEnds<R> {
    /// Wraps a stream.
    pub fn new(inner: R) -> LineEnds<R> {
        LineEnds {
            inner,
            pending: Vec::new(),
            taken: 0,
            last: b'\n',
            after_cr: false,
        }
    }

    fn push(&mut self, byte: u8) {
        if byte == b'\n' && self.last == b'\n' {
            self.pending.push(b' ');
        }
        self.pending.push(byte);
        self.last = byte;
    }
}

/// Whether a chunk needs rewriting: it holds a CR or an empty line.
fn needs_rewriting(last: u8, chunk: &[u8]) -> bool {
    let Some(&first) = chunk.first() else {
        return false;
    };
    // No early exit, so the loop vectorises.
    let inside = chunk
        .iter()
        .zip(&chunk[1..])
        .fold(false, |found, (&a, &b)| {
            found | (a == b'\r') | ((a == b'\n') & (b == b'\n'))
        });
    inside || chunk[chunk.len() - 1] == b'\r' || (last == b'\n' && first == b'\n')
}

impl<R: std::io::Read> std::io::Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            if self.taken < self.pending.len() {
                let n = buf.len().min(self.pending.len() - self.taken);
                buf[..n].copy_from_slice(&self.pending[self.taken..self.taken + n]);
                self.taken += n;
                return Ok(n);
            }
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let chunk = &buf[..n];
            if !self.after_cr && !needs_rewriting(self.last, chunk) {
                self.last = chunk[n - 1];
                return Ok(n);
            }
            self.pending.clear();
            self.taken = 0;
            for &byte in &buf[..n] {
                let after_cr = std::mem::replace(&mut self.after_cr, byte == b'\r');
                match byte {
                    b'\r' => self.push(b'\n'),
                    b'\n' if after_cr => {}
                    other => self.push(other),
                }
            }
        }
    }
}

/// Creates a folder and its missing parents, which others may read but not write whatever
/// the umask (under a umask of 000 they would be writable by everyone).
pub fn create_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o755);
    }
    builder.create(dir)
}

/// Writes a file others may read but not write, whatever the umask.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o644);
    }
    options.open(path)?.write_all(bytes)
}

/// The largest rules or organizations file read (`meeting.toml`, `organizations.csv`, a map
/// file): these are typed by people, so anything larger is not one of them.
pub const SMALL_FILE_BYTES: u64 = 4 << 20;

/// Why a file cannot be read as an input file: it is no regular file (a folder, a pipe, a
/// device, which could block a reader or never end).
pub fn not_a_file(path: &Path) -> Text {
    Text::new(
        format!(
            "{}: not a regular file (a folder, a pipe or a device); give a file",
            path.display()
        ),
        format!(
            "{}：不是普通文件（是文件夹、管道或设备）；请提供文件",
            path.display()
        ),
    )
}

/// Opens a file for reading, refusing at once anything but a regular file: a FIFO or a
/// device such as `/dev/zero` would block the reader or never end. The kind is checked
/// before opening (opening a FIFO waits for a writer) and again on the handle opened.
pub fn open_regular(path: &Path) -> Result<(File, std::fs::Metadata), Text> {
    let regular = |m: &std::fs::Metadata| m.file_type().is_file();
    let io = |e: std::io::Error| {
        Text::new(
            format!("{}: {e}", path.display()),
            format!("{}：{e}", path.display()),
        )
    };
    if !regular(&std::fs::metadata(path).map_err(io)?) {
        return Err(not_a_file(path));
    }
    let file = File::open(path).map_err(io)?;
    let metadata = file.metadata().map_err(io)?;
    if !regular(&metadata) {
        return Err(not_a_file(path));
    }
    Ok((file, metadata))
}

/// Reads a small input file whole ([`SMALL_FILE_BYTES`] at most), a regular file only.
pub fn read_small_file(path: &Path) -> crate::error::Result<Vec<u8>> {
    let (file, metadata) = open_regular(path).map_err(crate::error::Error::User)?;
    if metadata.len() > SMALL_FILE_BYTES {
        return Err(crate::error::Error::user(
            format!(
                "{}: {} bytes, more than the {} a rules, organizations or map file may have",
                path.display(),
                metadata.len(),
                SMALL_FILE_BYTES
            ),
            format!(
                "{}：{} 字节，超过规则、组织或映射文件的上限 {} 字节",
                path.display(),
                metadata.len(),
                SMALL_FILE_BYTES
            ),
        ));
    }
    let mut bytes = Vec::new();
    file.take(SMALL_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| crate::error::Error::io(path, e))?;
    Ok(bytes)
}

/// How many characters of a value a message repeats.
pub const ECHO_CHARS: usize = 60;

/// A value as a message repeats it: control characters escaped (`\n`, `\u{1b}`), so a value
/// cannot add lines or move the cursor, and cut after [`ECHO_CHARS`] characters with `…`, so
/// a huge cell cannot flood the screen.
pub fn echo(value: &str) -> String {
    clip(value, ECHO_CHARS)
}

/// [`echo`] with another length: for messages of other programs that quote a value.
pub fn clip(value: &str, chars: usize) -> String {
    let mut out = String::new();
    for (i, c) in value.chars().enumerate() {
        if i == chars {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_and_without_bom_and_gb18030() {
        assert_eq!(decode("好,A".as_bytes()), "好,A");
        assert_eq!(decode(b"\xEF\xBB\xBFid"), "id");
        let (gbk, _, _) = GB18030.encode("长兴村党支部");
        assert_eq!(decode(&gbk), "长兴村党支部");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("好".encode_utf16().flat_map(|u| u.to_le_bytes()))
            .collect();
        assert_eq!(decode(&utf16), "好");
    }

    fn through_line_ends(input: &[u8], chunk: usize) -> String {
        use std::io::Read;
        // A reader that hands out at most `chunk` bytes at a time, so every split is tried.
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.1.min(buf.len()).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = String::new();
        LineEnds::new(Trickle(input, chunk))
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn every_line_end_becomes_one_lf_and_empty_lines_hold_a_space() {
        let cases: [(&[u8], &str); 6] = [
            (b"a,b\nc,d\n", "a,b\nc,d\n"),
            (b"a,b\r\nc,d\r\n", "a,b\nc,d\n"),
            (b"a,b\rc,d\r", "a,b\nc,d\n"),
            (b"a\r\n\r\nb\n\nc\r\rd", "a\n \nb\n \nc\n \nd"),
            (b"\nhead\n", " \nhead\n"),
            (b"x\r\n\"q\r\nq\"\r\n", "x\n\"q\nq\"\n"),
        ];
        for (input, expected) in cases {
            for chunk in 1..=input.len() {
                assert_eq!(
                    through_line_ends(input, chunk),
                    expected,
                    "{input:?} in chunks of {chunk}"
                );
            }
        }
    }

    #[test]
    fn echoed_values_are_cut_and_cannot_add_lines() {
        assert_eq!(echo("长兴村"), "长兴村");
        assert_eq!(echo("a\nb\u{1b}[2J"), "a\\nb\\u{1b}[2J");
        let huge = "好".repeat(10_000_000);
        let echoed = echo(&huge);
        assert_eq!(echoed.chars().count(), ECHO_CHARS + 1);
        assert!(echoed.ends_with("好…"));
        assert_eq!(echo(&"x".repeat(ECHO_CHARS)), "x".repeat(ECHO_CHARS));
    }
}
