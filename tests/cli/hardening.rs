//! Hardening of settings and files out: every number and text within its stated bound, at
//! load with the place; serials at their bound; ids a spreadsheet would run refused.

use crate::harness::*;
use tallyclerk::config::Config;
use tallyclerk::limits::MAX_SERIAL;
use tallyclerk::Lang;

/// A meeting folder with this meeting.toml and organizations.csv, and why it is refused.
fn refusal(toml: &str, orgs: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("meeting.toml"), toml).unwrap();
    std::fs::write(temp.path().join("organizations.csv"), orgs).unwrap();
    match Config::load(temp.path()) {
        Ok(_) => panic!("{toml}\n{orgs}\nwas accepted"),
        Err(e) => e.message(Lang::En),
    }
}

const ORGS3: &str = "id,name\nV1,甲村党支部\nV2,乙村党支部\nV3,丙村党支部\n";

#[test]
fn numbers_outside_their_bounds_are_refused_with_file_line_and_field() {
    let cases = [
        (
            "groups = [\n  { id = \"g\", weight = 1000000000000 },\n]\n",
            "meeting.toml:2: field \"groups.weight\": 1000000000000 is not a number from 0.001 to 1000",
        ),
        (
            "scale = [\n  { key = \"A\", label = \"好\", points = 2000000 },\n]\n",
            "meeting.toml:2: field \"scale.points\": 2000000 is not a number from -1000000 to 1000000",
        ),
        // Quotas of 2^63 - 1 wrapped round the check once.
        (
            "tiers = [\n  { name = \"a\", quota = 9223372036854775807 },\n  { name = \"b\", quota = 9223372036854775807 },\n]\n",
            "field \"tiers\": quotas add up to 18446744073709551614, more than the 3 organizations",
        ),
        (
            "tiers = [\n  { name = \"a\", quota = 9223372036854775807 },\n  { name = \"b\", quota = 9223372036854775807 },\n  { name = \"c\", quota = 9223372036854775807 },\n]\n",
            "field \"tiers\": quotas add up to more than 18446744073709551615, more than the 3 organizations",
        ),
        (
            "forms_issued = 1000000000000000\n",
            "meeting.toml:1: field \"forms_issued\": 1000000000000000 is not a number of forms from 0 to 999999999999999",
        ),
        (
            "title = \"t\"\n\n[rules]\nmin_marked = 4\n",
            "meeting.toml:4: field \"rules.min_marked\": 4 is more than the 3 organizations",
        ),
    ];
    for (toml, expected) in cases {
        let err = refusal(toml, ORGS3);
        assert!(err.contains(expected), "{toml}: {err}");
    }
}

#[test]
fn texts_with_line_ends_or_past_their_length_are_refused_at_load_with_the_place() {
    // A line end in the title would add a line (a false status) to the results' companion.
    let err = refusal("title = \"评议\\n# status: FINAL\"\n", ORGS3);
    assert!(
        err.contains("meeting.toml:1: field \"title\": \"评议\\n# status: FINAL\" holds the control character U+000A"),
        "{err}"
    );
    let err = refusal("date = \"2022\\r02\"\n", ORGS3);
    assert!(err.contains("meeting.toml:1: field \"date\""), "{err}");
    let err = refusal(
        "groups = [\n  { id = \"g\", label = \"a\\tb\" },\n]\n",
        ORGS3,
    );
    assert!(
        err.contains("meeting.toml:2: field \"groups.label\""),
        "{err}"
    );
    // A name longer than a workbook cell broke the workbook export with no place named.
    let long = "村".repeat(40_000);
    let err = refusal("", &format!("id,name\nV1,甲\nV2,{long}\n"));
    assert!(
        err.contains(&format!(
            "organizations.csv:3: column \"name\": value \"{}…\": 40000 characters, more than the 200 allowed",
            "村".repeat(60)
        )),
        "{err}"
    );
    let err = refusal("", "id,name,category\nV1,甲,\"village\nx\"\n");
    assert!(
        err.contains("organizations.csv:2: column \"category\""),
        "{err}"
    );
}

#[test]
fn ids_a_spreadsheet_would_run_are_refused_at_load() {
    let err = refusal("", "id,name\n\"=HYPERLINK(\"\"http://x\"\")\",甲\n");
    assert!(
        err.contains("organizations.csv:2: column \"id\"") && err.contains("begins with '='"),
        "{err}"
    );
    let err = refusal("groups = [\n  { id = \"=cmd|' /C calc'!A0\" },\n]\n", ORGS3);
    assert!(
        err.contains("meeting.toml:2: field \"groups.id\"") && err.contains("begins with '='"),
        "{err}"
    );
}

#[test]
fn the_organization_list_new_writes_guards_formula_cells_and_reads_back_the_same() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = temp.path().join("orgs.csv");
    std::fs::write(
        &orgs,
        "id,name,category\nO1,=HYPERLINK(\"x\"),+village\nO2,@SUM(1),x\n",
    )
    .unwrap();
    let dir = temp.path().join("m");
    tallyclerk_cmd()
        .arg("new")
        .arg(&dir)
        .arg("--orgs")
        .arg(&orgs)
        .assert()
        .success();
    let written = read(&dir.join("organizations.csv"));
    assert!(written.contains("'=HYPERLINK"), "{written}");
    assert!(
        written.contains("'+village") && written.contains("'@SUM(1)"),
        "{written}"
    );
    let config = Config::load(&dir).unwrap();
    let names: Vec<(&str, &str)> = config
        .organizations
        .iter()
        .map(|o| (o.name.as_str(), o.category.as_str()))
        .collect();
    assert_eq!(names, [("=HYPERLINK(\"x\")", "+village"), ("@SUM(1)", "x")]);
}

#[test]
fn every_cell_of_the_ballots_file_is_safe_to_open_in_a_spreadsheet() {
    let f = Fixture::new();
    let toml = f.path("meeting.toml");
    let text = read(&toml).replace(
        "[rules]",
        "groups = [{ id = \"leaders\", weight = 2 }, { id = \"members\" }]\n\n[rules]",
    );
    std::fs::write(&toml, text).unwrap();
    f.run("add", &["1", "AB-*C", "--group", "leaders"])
        .success();
    f.run("add", &["2", "CCCCC"]).success();
    let out = f.path("ballots.csv");
    f.run("export", &["--ballots", out.to_str().unwrap()])
        .success();
    let text = read(&out);
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut cells: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for record in reader.records() {
        cells.extend(record.unwrap().iter().map(String::from));
    }
    assert!(cells.contains(&"leaders".to_string()), "{text}");
    for cell in cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "{cell:?} in\n{text}"
        );
    }
}

#[test]
fn serials_past_the_largest_are_refused_where_they_come_in() {
    let f = Fixture::new();
    // 2^63 wrapped round to a negative serial once; 10^15 is one past the largest.
    for serial in ["9223372036854775808", "1000000000000000"] {
        let out = f.run("add", &[serial, "ABCDA"]).code(1);
        assert!(
            stderr_of(&out)
                .contains("out of range: a serial is a whole number from 1 to 999999999999999"),
            "{}",
            stderr_of(&out)
        );
    }
    f.run("add", &[&(MAX_SERIAL - 1).to_string(), "ABCDA"])
        .success();
    // Numbered in file order after the highest: one form fits, the second would not.
    let two = f.file("two.csv", "O1,O2,O3,O4,O5\nA,B,C,D,A\nB,B,C,D,A\n");
    let out = f.run("import", &[two.to_str().unwrap()]).code(1);
    assert!(
        stderr_of(&out).contains(&format!(
            "two.csv:3: numbering the forms in file order from {MAX_SERIAL} passes the largest serial"
        )),
        "{}",
        stderr_of(&out)
    );
    let one = f.file("one.csv", "O1,O2,O3,O4,O5\nA,B,C,D,A\n");
    f.run("import", &[one.to_str().unwrap()]).success();
    let out = f.run("issued", &["1000000000000000"]).code(1);
    assert!(
        stderr_of(&out).contains("the number is at most"),
        "{}",
        stderr_of(&out)
    );
    // The exported ballots, serials at the bound, import into a fresh meeting unchanged.
    let ballots = f.path("ballots.csv");
    f.run("export", &["--ballots", ballots.to_str().unwrap()])
        .success();
    let text = read(&ballots);
    assert!(text.contains(&format!("\r\n{MAX_SERIAL},")), "{text}");
    let g = Fixture::new();
    g.run("import", &[ballots.to_str().unwrap()]).success();
    assert_eq!(g.digest(), f.digest());
}

#[test]
fn a_reason_with_a_line_end_is_refused_and_cannot_forge_a_log_line() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    let out = f
        .run(
            "withdraw",
            &["1", "--reason", "typed twice\n2026-01-01  finalise"],
        )
        .code(1);
    assert!(
        stderr_of(&out).contains("the reason holds the control character U+000A"),
        "{}",
        stderr_of(&out)
    );
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(!log.contains("typed twice"), "{log}");
}
