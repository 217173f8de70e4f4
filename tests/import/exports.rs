//! The results workbook holds the same numbers as the results CSV.

use crate::harness::*;
use calamine::{open_workbook_auto, Data, Reader};

#[test]
fn xlsx_results_match_the_csv() {
    let temp = tempfile::tempdir().unwrap();
    let demo = temp.path().join("demo");
    tallyclerk().arg("demo").arg(&demo).assert().success();
    let xlsx = temp.path().join("results.xlsx");
    let csv_path = temp.path().join("results.csv");
    tallyclerk()
        .arg("export")
        .arg(&demo)
        .arg("--xlsx")
        .arg(&xlsx)
        .arg("--results")
        .arg(&csv_path)
        .arg("--no-bom")
        .assert()
        .success();
    let mut workbook = open_workbook_auto(&xlsx).unwrap();
    let range = workbook.worksheet_range_at(0).unwrap().unwrap();
    let cell = |r: usize, c: usize| -> String {
        match range.get((r, c)) {
            Some(Data::Float(f)) => format!("{f}"),
            Some(Data::Int(i)) => i.to_string(),
            Some(Data::String(s)) => s.clone(),
            Some(Data::Empty) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    assert_eq!(cell(0, 0), "长兴镇2025年度基层党组织书记抓党建述职评议");
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    for (c, name) in header.iter().enumerate() {
        assert_eq!(&cell(3, c), name);
    }
    let mut rows = 0;
    for (r, record) in reader.records().enumerate() {
        let record = record.unwrap();
        for (c, value) in record.iter().enumerate() {
            let got = cell(4 + r, c);
            match (value.parse::<f64>(), got.parse::<f64>()) {
                (Ok(want), Ok(have)) if c > 4 => assert_eq!(want, have, "row {r} column {c}"),
                _ => assert_eq!(value, got, "row {r} column {c}"),
            }
        }
        rows += 1;
    }
    assert_eq!(rows, 30);
    // Under the table: the counts of forms and the digest of the ballot set.
    let below: Vec<String> = (4 + rows + 1..4 + rows + 12)
        .map(|r| format!("{} {}", cell(r, 1), cell(r, 2)))
        .collect();
    assert!(below.contains(&"Forms issued 86".to_string()), "{below:?}");
    assert!(below.contains(&"Invalid 3".to_string()), "{below:?}");
    let digest = digest(&demo).replace("digest: ", "Ballot set digest ");
    assert!(below.contains(&digest), "{below:?} {digest}");
}
