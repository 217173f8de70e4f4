//! The hardening of files in: line numbers whatever the line ends, files that change or are
//! no files, bounded workbooks, cut echoes, serials at their bound.

use crate::harness::*;
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
