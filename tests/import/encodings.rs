//! Files as spreadsheets save them: GB18030, UTF-16 with tabs, semicolons, workbooks, long
//! files — and the round trip through them.

use crate::harness::*;
use encoding_rs::GB18030;
use tallyclerk::import::mapping::LayoutKind;

const WIDE: &str = "serial,group,O1,O2,O3\n1,leaders,A,好,较好\n2,members,Good,3,AB\n3,,d,,*\n";

/// The counts every encoding of WIDE must give: O1 A 1, B 0.5, D 1; O2 A 1, C 0.5, blank 1;
/// O3 B 1, blank 1.5 (a spoiled "AB" of weight 0.5 and a spoiled "*" of weight 1).
fn assert_wide_counts(r: &tallyclerk::import::ImportReport) {
    assert_eq!((r.forms, r.valid, r.invalid, r.spoiled_marks), (3, 3, 0, 2));
    assert_eq!(
        (count(r, 0, 0), count(r, 0, 1), count(r, 0, 3)),
        ("1".into(), "0.5".into(), "1".into())
    );
    assert_eq!(
        (count(r, 1, 0), count(r, 1, 2), blank(r, 1)),
        ("1".into(), "0.5".into(), "1".into())
    );
    assert_eq!((count(r, 2, 1), blank(r, 2)), ("1".into(), "1.5".into()));
}

#[test]
fn utf8_with_bom_and_commas() {
    let (t, mut m) = meeting(3, "ABCD");
    let file = t.path().join("bom.csv");
    std::fs::write(&file, format!("\u{feff}{WIDE}")).unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!(r.format, "UTF-8");
    assert_wide_counts(&r);
}

#[test]
fn gb18030_with_semicolons_and_names_as_headers() {
    let (t, mut m) = meeting(3, "ABCD");
    let text = WIDE
        .replace(',', ";")
        .replace("O1", "第1党支部")
        .replace("O2", "第2党支部")
        .replace("O3", "第3党支部");
    let file = t.path().join("gbk.csv");
    std::fs::write(&file, GB18030.encode(&text).0).unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!((r.format.as_str(), r.delimiter), ("GB18030", Some(';')));
    assert_wide_counts(&r);
}

#[test]
fn utf16_with_tabs_as_excel_unicode_text() {
    let (t, mut m) = meeting(3, "ABCD");
    let text = WIDE.replace(',', "\t").replace('\n', "\r\n");
    let bytes: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    let file = t.path().join("unicode.txt");
    std::fs::write(&file, bytes).unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!((r.format.as_str(), r.delimiter), ("UTF-16LE", Some('\t')));
    assert_wide_counts(&r);
}

#[test]
fn long_files_of_serial_org_rating_rows() {
    let (t, mut m) = meeting(3, "ABCD");
    let file = t.path().join("long.csv");
    std::fs::write(
        &file,
        "serial,group,org,rating\n1,leaders,O1,A\n1,leaders,O2,好\n1,leaders,O3,较好\n2,members,O1,Good\n2,members,O2,3\n2,members,O3,AB\n3,,O1,d\n3,,O3,*\n",
    )
    .unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!(r.layout, LayoutKind::Long);
    assert_wide_counts(&r);
}

#[test]
fn xlsx_workbooks_read_like_csv() {
    let (t, mut m) = meeting(3, "ABCD");
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("选票").unwrap();
    for (r, line) in WIDE.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            match cell.parse::<f64>() {
                Ok(n) => sheet.write_number(r as u32, c as u16, n).map(|_| ()),
                Err(_) if cell.is_empty() => Ok(()),
                Err(_) => sheet.write_string(r as u32, c as u16, cell).map(|_| ()),
            }
            .unwrap();
        }
    }
    let file = t.path().join("ballots.xlsx");
    workbook.save(&file).unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!(r.format, "sheet \"选票\"");
    assert_wide_counts(&r);
    assert!(m.store.ballot(2).unwrap().is_some());
}

#[test]
fn demo_ballots_round_trip_through_gb18030_and_semicolons() {
    let temp = tempfile::tempdir().unwrap();
    let demo = temp.path().join("demo");
    tallyclerk().arg("demo").arg(&demo).assert().success();
    let exported = temp.path().join("ballots.csv");
    tallyclerk()
        .arg("export")
        .arg(&demo)
        .arg("--ballots")
        .arg(&exported)
        .assert()
        .success();
    // Re-encode as Chinese Excel would save it: GB18030, semicolons, no BOM.
    let text = std::fs::read_to_string(&exported).unwrap();
    let text = text.trim_start_matches('\u{feff}').replace(',', ";");
    let reencoded = temp.path().join("gbk.csv");
    std::fs::write(&reencoded, GB18030.encode(&text).0).unwrap();
    // A fresh meeting with the demo's rules and organizations and no ballots.
    let fresh = temp.path().join("fresh");
    std::fs::create_dir_all(&fresh).unwrap();
    for name in ["meeting.toml", "organizations.csv"] {
        std::fs::copy(demo.join(name), fresh.join(name)).unwrap();
    }
    tallyclerk().arg("new").arg(&fresh).assert().success();
    tallyclerk()
        .arg("import")
        .arg(&fresh)
        .arg(&reencoded)
        .assert()
        .success();
    assert_eq!(results_csv(&demo), results_csv(&fresh));
    assert_eq!(digest(&demo), digest(&fresh));
}

#[test]
fn utf16_big_endian_with_bom() {
    let (t, mut m) = meeting(3, "ABCD");
    let bytes: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(WIDE.encode_utf16().flat_map(|u| u.to_be_bytes()))
        .collect();
    let file = t.path().join("be.csv");
    std::fs::write(&file, bytes).unwrap();
    let r = import(&mut m, &file, None);
    assert_eq!(r.format, "UTF-16BE");
    assert_wide_counts(&r);
}

#[test]
fn mixed_utf8_and_gbk_lines_from_an_appending_scanner() {
    // The header and form 1 in UTF-8, forms 2 and 3 appended in GBK.
    let (t, mut m) = meeting(3, "ABCD");
    let mut lines = WIDE.lines();
    let mut bytes = format!("{}\n{}\n", lines.next().unwrap(), lines.next().unwrap()).into_bytes();
    for line in lines {
        bytes.extend_from_slice(&GB18030.encode(&format!("{line}\n")).0);
    }
    let file = t.path().join("mixed.csv");
    std::fs::write(&file, bytes).unwrap();
    let r = import(&mut m, &file, None);
    assert_wide_counts(&r);
}

#[test]
fn forced_encoding_and_delimiter() {
    // A GB18030 file with "|" inside cells and ";" between them; both forced.
    let (t, mut m) = meeting(3, "ABCD");
    let text = WIDE.replace(',', ";").replace("AB", "A|B");
    let file = t.path().join("forced.txt");
    std::fs::write(&file, GB18030.encode(&text).0).unwrap();
    let out = tallyclerk()
        .arg("import")
        .arg(t.path())
        .arg(&file)
        .args(["--encoding", "gbk", "--delimiter", ";"])
        .assert()
        .success();
    let text = String::from_utf8_lossy(&out.get_output().stdout).into_owned();
    assert!(
        text.contains("imported 3 forms: 3 valid, 0 invalid, 2 spoiled marks"),
        "{text}"
    );
    assert!(text.contains("GB18030, ';'"), "{text}");
    drop(m.store.summary());
    let _ = &mut m;
}

#[test]
fn a_long_file_rating_one_organization_twice_on_a_form_is_refused() {
    let (t, _m) = meeting(3, "ABCD");
    let file = t.path().join("long.csv");
    std::fs::write(&file, "serial,org,rating\n1,O1,A\n1,O1,B\n").unwrap();
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(&file);
    });
    assert!(err.contains("long.csv:3: column \"org\": value \"O1\": a second rating of this organization on the same form"), "{err}");
}
