//! Malformed files: exit 1, a message naming line and column, and the ballot set unchanged.

use crate::harness::*;

fn refused(content: &[u8], expected: &[&str]) {
    let (t, mut m) = meeting(3, "ABCD");
    let ok = t.path().join("ok.csv");
    std::fs::write(&ok, "serial,O1,O2,O3\n1,A,B,C\n").unwrap();
    import(&mut m, &ok, None);
    drop(m);
    let before = digest(t.path());
    let bad = t.path().join("bad.csv");
    std::fs::write(&bad, content).unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&bad);
    });
    for e in expected {
        assert!(err.contains(e), "expected {e:?} in {err}");
    }
    assert_eq!(digest(t.path()), before);
}

#[test]
fn ragged_rows() {
    refused(
        b"serial,O1,O2,O3\n2,A,B,C\n3,A,B\n4,A,B,C,D\n",
        &[
            "bad.csv:3: 3 fields where the header has 4",
            "bad.csv:4: 5 fields where the header has 4",
        ],
    );
}

#[test]
fn broken_quotes() {
    refused(
        b"serial,O1,O2,O3\n2,\"A,B,C\n3,A,B,C\n",
        &["bad.csv:2: 2 fields where the header has 4"],
    );
}

#[test]
fn binary_junk() {
    refused(
        b"\x00\x01\x02\x03\xff\xfe\x00junk",
        &["bad.csv: not a text file"],
    );
}

#[test]
fn an_empty_file() {
    refused(b"", &["bad.csv: the file is empty"]);
}

#[test]
fn a_header_only() {
    refused(
        b"serial,O1,O2,O3\n",
        &["bad.csv: the file holds no ballots"],
    );
}

#[test]
fn values_that_map_to_nothing_are_all_listed() {
    refused(
        b"serial,O1,O2,O3\n2,A,X,C\n3,maybe,B,9\n",
        &[
            "bad.csv:2: column \"O2\": value \"X\": not a rating",
            "bad.csv:3: column \"O1\": value \"maybe\": not a rating",
            "bad.csv:3: column \"O3\": value \"9\": not a rating",
        ],
    );
}

#[test]
fn serials_in_the_meeting_or_twice_in_the_file() {
    refused(
        b"serial,O1,O2,O3\n1,A,B,C\n2,A,B,C\n2,B,B,B\n",
        &[
            "bad.csv:2: column \"serial\": value \"1\": serial already in the meeting",
            "bad.csv:4: column \"serial\": value \"2\": serial twice in the file",
        ],
    );
}

#[test]
fn a_bad_map_file_names_its_line_and_field() {
    let (t, _m) = meeting(3, "ABCD");
    let map = t.path().join("map.toml");
    std::fs::write(&map, "serial = \"auto\"\n[columns]\nq1 = \"O9\"\n").unwrap();
    let file = t.path().join("f.csv");
    std::fs::write(&file, "q1,O2,O3\nA,B,C\n").unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&file).arg("--map").arg(&map);
    });
    assert!(
        err.contains("map.toml:3: field \"columns.q1\": \"O9\" is no organization id or name"),
        "{err}"
    );
}

#[test]
fn many_problems_are_counted_past_the_limit() {
    let mut csv = String::from("serial,O1,O2,O3\n");
    for serial in 2..=80 {
        csv.push_str(&format!("{serial},Z,B,C\n"));
    }
    refused(
        csv.as_bytes(),
        &[
            "bad.csv:2: column \"O1\": value \"Z\"",
            "... and 29 more problems",
        ],
    );
}

#[test]
fn a_bad_second_file_keeps_the_first_out_too() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let before = digest(t.path());
    let good = t.path().join("good.csv");
    std::fs::write(&good, "serial,O1,O2,O3\n1,A,B,C\n").unwrap();
    let bad = t.path().join("bad.csv");
    std::fs::write(&bad, "serial,O1,O2,O3\n2,A,Q,C\n").unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&good).arg(&bad);
    });
    assert!(
        err.contains("bad.csv:2: column \"O2\": value \"Q\""),
        "{err}"
    );
    assert_eq!(digest(t.path()), before);
}

#[test]
fn problems_in_chinese() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let bad = t.path().join("bad.csv");
    std::fs::write(&bad, "serial,O1,O2,O3\n1,A,Q,C\n1,A,B,C\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("tallyclerk")
        .unwrap()
        .args(["--lang", "zh", "import"])
        .arg(t.path())
        .arg(&bad)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(
        err.contains("bad.csv:2: 列 \"O2\": 值 \"Q\": 不是有效评价"),
        "{err}"
    );
    assert!(
        err.contains("bad.csv:3: 列 \"serial\": 值 \"1\": 编号在文件中重复"),
        "{err}"
    );
}

#[test]
fn a_workbook_problem_names_its_row_and_column() {
    let (t, m) = meeting(3, "ABCD");
    drop(m);
    let before = digest(t.path());
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (c, h) in ["serial", "O1", "O2", "O3"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet.write_number(1, 0, 1.0).unwrap();
    for (c, v) in ["A", "maybe", "C"].iter().enumerate() {
        sheet.write_string(1, c as u16 + 1, *v).unwrap();
    }
    let file = t.path().join("forms.xlsx");
    workbook.save(&file).unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&file);
    });
    assert!(
        err.contains("forms.xlsx:2: column \"O2\": value \"maybe\": not a rating"),
        "{err}"
    );
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&file).args(["--sheet", "Other"]);
    });
    assert!(err.contains("no sheet \"Other\" (sheets: Sheet1)"), "{err}");
    assert_eq!(digest(t.path()), before);
}
