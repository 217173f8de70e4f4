//! The hardening of files in: line numbers whatever the line ends, files that change or are
//! no files, bounded workbooks, cut echoes, serials at their bound.

use crate::harness::*;
use sha2::{Digest, Sha256};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tallyclerk::import::{import_file, ImportOptions};
use tallyclerk::{Lang, Meeting};

/// Imports `content` as `bad.csv` and returns the problems it was refused for.
fn refusal(t: &tempfile::TempDir, m: &mut Meeting, content: &[u8]) -> String {
    let bad = t.path().join("bad.csv");
    std::fs::write(&bad, content).unwrap();
    match import_file(m, &bad, ImportOptions::default()) {
        Ok(_) => panic!("{content:?} was imported"),
        Err(e) => e.message(Lang::En),
    }
}

#[test]
fn problems_name_file_lines_whatever_the_line_ends() {
    let (t, mut m) = meeting(3, "ABCD");
    // The same file with each kind of line end: the bad value is on line 3, its serial's
    // twin on line 5, after an empty line 4.
    for end in ["\n", "\r\n", "\r"] {
        let text = ["serial,O1,O2,O3", "1,A,B,C", "2,A,X,C", "", "2,A,B,C", ""].join(end);
        let err = refusal(&t, &mut m, text.as_bytes());
        assert!(
            err.contains("bad.csv:3: column \"O2\": value \"X\": not a rating"),
            "{end:?}: {err}"
        );
        assert!(
            err.contains("bad.csv:5: column \"serial\": value \"2\": serial twice in the file"),
            "{end:?}: {err}"
        );
    }
    // A quoted cell over two lines moves the lines after it.
    let err = refusal(
        &t,
        &mut m,
        b"serial,O1,O2,O3\r\n1,\"A\r\n\",B,C\r\n2,A,X,C\r\n",
    );
    assert!(err.contains("bad.csv:4: column \"O2\""), "{err}");
    // Blank lines before the header.
    let err = refusal(&t, &mut m, b"\r\n\r\nserial,O1,O2,O3,V19\r\n1,A,B,C,D\r\n");
    assert!(err.contains("bad.csv:3: column \"V19\""), "{err}");
}

#[test]
fn problems_in_tallyclerks_own_ballots_csv_name_file_lines() {
    let (t, mut m) = meeting(3, "ABCD");
    let ok = t.path().join("ok.csv");
    std::fs::write(&ok, "serial,O1,O2,O3\n1,A,B,C\n2,B,B,C\n3,C,B,C\n").unwrap();
    import(&mut m, &ok, None);
    let mut exported = Vec::new();
    tallyclerk::export::write_ballots_csv(&mut exported, &m, true).unwrap();
    let text = String::from_utf8(exported).unwrap();
    assert!(
        text.contains("\r\n"),
        "ballots.csv ends its lines with CRLF"
    );
    // Line 3 is serial 2's: spoil one of its cells and re-import into a fresh meeting.
    let edited = text.replace("2,,B,B,C", "2,,B,Q,C");
    assert_ne!(edited, text);
    let (t2, mut m2) = meeting(3, "ABCD");
    let err = refusal(&t2, &mut m2, edited.as_bytes());
    assert!(
        err.contains("bad.csv:3: column \"O2\": value \"Q\""),
        "{err}"
    );
    drop(t);
}

#[test]
fn echoed_values_are_cut_to_sixty_characters() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let cell = "Z".repeat(1_000_000);
    let bad = t.path().join("huge.csv");
    std::fs::write(
        &bad,
        format!("serial,O1,O2,O3\n1,{cell},{cell},{cell}\n2,A,\"B\nC\",C\n"),
    )
    .unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&bad);
    });
    assert!(err.len() < 2_000, "{} bytes of messages", err.len());
    let cut = format!("value \"{}…\": not a rating", "Z".repeat(60));
    assert_eq!(err.matches(&cut).count(), 3, "{err}");
    // A line end inside a value is shown escaped: it adds no line to the messages.
    assert!(err.contains("value \"B\\nC\""), "{err}");
    assert_eq!(err.lines().count(), 4, "{err}");
}

#[test]
fn a_fifo_a_device_or_a_folder_is_refused_at_once() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let fifo = t.path().join("scans.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for file in [fifo.as_path(), Path::new("/dev/zero"), t.path()] {
        let started = Instant::now();
        let err = import_refused(t.path(), |cmd| {
            cmd.arg(file).timeout(Duration::from_secs(30));
        });
        assert!(
            err.contains("not a regular file (a folder, a pipe or a device)"),
            "{file:?}: {err}"
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}

/// A file of `forms` forms for three organizations, serials from `first`.
fn forms_file(path: &Path, first: u64, forms: u64) -> Vec<u8> {
    let mut csv = String::from("serial,O1,O2,O3\n");
    for serial in first..first + forms {
        csv.push_str(&format!("{serial},A,B,C\n"));
    }
    std::fs::write(path, &csv).unwrap();
    csv.into_bytes()
}

/// Imports `path`, running `meanwhile` once when the importer reports its first forms read.
fn import_changing(
    m: &mut Meeting,
    path: &Path,
    meanwhile: impl Fn() + Send + Sync + 'static,
) -> Result<u64, String> {
    let once = std::sync::Once::new();
    let options = ImportOptions {
        progress: Some(tallyclerk::import::Progress(Arc::new(move |_| {
            once.call_once(&meanwhile)
        }))),
        ..ImportOptions::default()
    };
    import_file(m, path, options)
        .map(|report| report.forms)
        .map_err(|e| e.message(Lang::En))
}

#[test]
fn a_file_that_changes_while_it_is_imported_is_refused_and_its_final_content_imports() {
    let (t, mut m) = meeting(3, "ABCD");
    let path = t.path().join("growing.csv");
    // Over a megabyte, more than the reader holds at once: a truncation cuts what it reads.
    let full = forms_file(&path, 1, 120_000);
    let cut = path.clone();
    let half = full[..full.len() / 2].to_vec();
    let err =
        import_changing(&mut m, &path, move || std::fs::write(&cut, &half).unwrap()).unwrap_err();
    assert!(
        err.contains("growing.csv: the file changed while it was read"),
        "{err}"
    );
    assert_eq!(m.store.summary().unwrap().collected, 0);
    // Rows appended while it is read (scanning software still writing).
    std::fs::write(&path, &full).unwrap();
    let grow = path.clone();
    let err = import_changing(&mut m, &path, move || {
        use std::io::Write;
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&grow)
            .unwrap();
        file.write_all(b"999999,A,A,A\n").unwrap();
    })
    .unwrap_err();
    assert!(err.contains("the file changed while it was read"), "{err}");
    assert_eq!(m.store.summary().unwrap().collected, 0);
    // The complete file was never recorded as imported: it imports now, under the SHA-256
    // of exactly its bytes.
    std::fs::write(&path, &full).unwrap();
    assert_eq!(import_changing(&mut m, &path, || {}), Ok(120_000));
    let sha256 = tallyclerk::store::hex(&Sha256::digest(&full));
    let log = m.store.audit_log().unwrap();
    let (_, _, detail) = log.iter().rfind(|(_, a, _)| a == "import").unwrap();
    assert!(
        detail.contains(&format!("sha256 {sha256} ballots 120000")),
        "{detail}"
    );
    // And a second time it is the same content.
    let err = import_changing(&mut m, &path, || {}).unwrap_err();
    assert!(
        err.contains("this file content was imported before"),
        "{err}"
    );
}

#[test]
fn a_cancelled_import_changes_nothing() {
    let (t, mut m) = meeting(3, "ABCD");
    let path = t.path().join("forms.csv");
    forms_file(&path, 1, 30_000);
    let cancel = tallyclerk::import::Cancel::default();
    let stop = cancel.clone();
    let options = ImportOptions {
        progress: Some(tallyclerk::import::Progress(Arc::new(move |_| {
            stop.cancel()
        }))),
        cancel,
        ..ImportOptions::default()
    };
    let err = import_file(&mut m, &path, options).unwrap_err();
    assert!(
        err.message(Lang::En)
            .contains("was cancelled: nothing was imported"),
        "{}",
        err.message(Lang::En)
    );
    assert_eq!(m.store.summary().unwrap().collected, 0);
    assert_eq!(
        import_file(&mut m, &path, ImportOptions::default())
            .unwrap()
            .forms,
        30_000
    );
}

#[test]
fn a_sheet_named_for_a_text_file_is_refused() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let path = t.path().join("forms.csv");
    forms_file(&path, 1, 2);
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&path).args(["--sheet", "Sheet1"]);
    });
    assert!(
        err.contains("forms.csv: --sheet \"Sheet1\" names a worksheet, but this is a text file"),
        "{err}"
    );
}

/// The peak resident memory of a finished child, in kB, as the kernel kept it (`wait4`'s
/// `ru_maxrss`): exact however busy the machine, where polling `/proc` could miss a short
/// child's peak altogether.
fn peak_memory_kb(child: std::process::Child) -> (std::process::ExitStatus, u64) {
    use std::os::unix::process::ExitStatusExt;
    let pid = child.id() as libc::pid_t;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let mut status = 0;
        // SAFETY: rusage is plain data the call fills in; the pid is our own child's, and
        // `child` is never waited for by std (it is dropped without a wait).
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        let reaped = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        assert!(reaped >= 0, "wait4: {}", std::io::Error::last_os_error());
        if reaped == pid {
            drop(child);
            return (
                std::process::ExitStatus::from_raw(status),
                usage.ru_maxrss as u64,
            );
        }
        assert!(Instant::now() < deadline, "the import never ended");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A workbook of `rows` forms for the meeting of 30 organizations, some cells left empty
/// (an .xlsx leaves them out, and the row is still whole).
fn workbook_of(path: &Path, rows: u32) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_string(0, 0, "serial").unwrap();
    for o in 1..=30u16 {
        sheet.write_string(0, o, format!("O{o}")).unwrap();
    }
    let marks = ["A", "B", "C", "D"];
    for r in 1..=rows {
        sheet.write_number(r, 0, f64::from(r)).unwrap();
        for o in 1..=30u16 {
            let n = r + u32::from(o);
            if n % 17 != 0 {
                sheet.write_string(r, o, marks[(n % 4) as usize]).unwrap();
            }
        }
    }
    workbook.save(path).unwrap();
}

/// The peak memory of a dry-run import of `file` into the meeting in `dir`, in kB.
fn import_peak_kb(dir: &Path, file: &Path) -> u64 {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tallyclerk"))
        .args(["--lang", "en", "import", "--dry-run"])
        .arg(dir)
        .arg(file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let (status, peak_kb) = peak_memory_kb(child);
    assert!(status.success(), "{file:?}");
    peak_kb
}

#[test]
fn a_workbook_streams_its_rows_in_bounded_memory() {
    let (t, m) = meeting(30, "ABCD");
    drop(m);
    let small = t.path().join("small.xlsx");
    workbook_of(&small, 2);
    let large = t.path().join("large.xlsx");
    workbook_of(&large, 5_000);
    // 150,000 cells: held at once (as calamine's whole-sheet range, then as records) they
    // took 11 MB more than two rows; streamed, the rows cost next to nothing.
    let more = import_peak_kb(t.path(), &large).saturating_sub(import_peak_kb(t.path(), &small));
    assert!(more < 4_000, "5,000 rows took {more} kB more than 2");
}

#[test]
fn a_workbook_past_the_stated_size_is_refused_with_a_message() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let file = t.path().join("huge.xlsx");
    let handle = std::fs::File::create(&file).unwrap();
    {
        use std::io::Write;
        (&handle).write_all(b"PK\x03\x04").unwrap();
    }
    // Sparse: the size is stated without writing it.
    handle
        .set_len(tallyclerk::import::source::WORKBOOK_BYTES + 1)
        .unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&file);
    });
    assert!(
        err.contains("huge.xlsx: a workbook of 64 MB: tallyclerk reads workbooks of up to 64 MB"),
        "{err}"
    );
}
