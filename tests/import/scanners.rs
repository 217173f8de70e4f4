//! Every file of tests/data/scanners (real outputs of OMR software), with the counts it must
//! give, worked out by reading the files.

use crate::harness::*;
use tallyclerk::import::mapping::{LayoutKind, Mapping};
use tallyclerk::import::{import_file, ImportOptions, ImportReport};
use tallyclerk::Lang;

#[test]
fn omrchecker_sample4_with_concatenated_ticks() {
    // 3 forms x q1..q11; forms 1 and 2 hold "BC" at q7, form 3 "AC" at q5 and a blank at q2.
    let (_t, mut m) = meeting(11, "ABCD");
    let r = import(
        &mut m,
        &data("scanners/omrchecker_sample4_Results.csv"),
        Some("omrchecker.toml"),
    );
    assert_eq!((r.forms, r.valid, r.invalid, r.spoiled_marks), (3, 3, 0, 3));
    assert_eq!(r.numbered_from, Some(1));
    assert_eq!(
        r.ignored_columns,
        ["file_id", "input_path", "output_path", "score"]
    );
    // q1: B, B, A -> A 1, B 2.
    assert_eq!((count(&r, 0, 0), count(&r, 0, 1)), ("1".into(), "2".into()));
    // q7: BC, BC (spoiled) and D on form 3.
    assert_eq!((count(&r, 6, 3), blank(&r, 6)), ("1".into(), "2".into()));
    // q2: D, D and a blank.
    assert_eq!((count(&r, 1, 3), blank(&r, 1)), ("2".into(), "1".into()));
    assert_eq!(m.store.summary().unwrap().collected, 3);
}

#[test]
fn omrchecker_upsc_with_extra_fields_and_many_blanks() {
    // 3 identical forms x q1..q100: 26 blank, 24 C, 23 D, 16 A, 11 B each.
    let (_t, mut m) = meeting(100, "ABCD");
    let r = import(
        &mut m,
        &data("scanners/omrchecker_UPSC-mock_Results.csv"),
        Some("omrchecker_upsc.toml"),
    );
    assert_eq!((r.forms, r.valid, r.spoiled_marks), (3, 3, 0));
    let total =
        |k: usize| -> i64 { r.tally.orgs.iter().map(|o| o.counts[k].0).sum::<i64>() / 1000 };
    assert_eq!((total(0), total(1), total(2), total(3)), (48, 33, 72, 69));
    let blanks: i64 = r.tally.orgs.iter().map(|o| o.blank.0).sum::<i64>() / 1000;
    assert_eq!(blanks, 78);
}

#[test]
fn omrchecker_yes_no_template_blank_word() {
    // One form, every answer "no" = blank: the form is invalid (fewer than 1 rated).
    let (_t, mut m) = meeting(5, "ABCD");
    let r = import(
        &mut m,
        &data("scanners/omrchecker_ibrahimkilic_yesno_Results.csv"),
        Some("omrchecker_yesno.toml"),
    );
    assert_eq!((r.forms, r.valid, r.invalid), (1, 0, 1));
}

#[test]
fn formscanner_semicolons_and_bracketed_responses() {
    // 3 forms x 5 questions; two cells name two responses (spoiled), two are "[]".
    let (_t, mut m) = meeting(5, "ABCD");
    let r = import(
        &mut m,
        &data("scanners/formscanner_2013dev_risulati_scansione_20130705155138.csv"),
        Some("formscanner.toml"),
    );
    assert_eq!(r.delimiter, Some(';'));
    assert_eq!((r.forms, r.valid, r.spoiled_marks), (3, 3, 2));
    // question 05: spoiled, spoiled, [].
    assert_eq!((count(&r, 4, 2), blank(&r, 4)), ("0".into(), "3".into()));
    // question 01: response 01, response 02, response 01.
    assert_eq!((count(&r, 0, 0), count(&r, 0, 1)), ("2".into(), "1".into()));
    let blanks: i64 = r.tally.orgs.iter().map(|o| o.blank.0).sum::<i64>() / 1000;
    assert_eq!(blanks, 4); // 2 spoiled + 2 empty
}

#[test]
fn sdaps_positions_na_and_numbers_as_serials() {
    // 4 sheets; the first answers positions 1,2,3,4,5,2; the others NA everywhere (invalid).
    let (_t, mut m) = meeting(6, "ABCDE");
    let r = import(
        &mut m,
        &data("scanners/sdaps_ids_test_export.csv"),
        Some("sdaps.toml"),
    );
    assert_eq!((r.forms, r.valid, r.invalid), (4, 1, 3));
    let first: Vec<String> = (0..6)
        .map(|o| {
            (0..5)
                .find(|&k| count(&r, o, k) == "1")
                .map(|k| "ABCDE".chars().nth(k).unwrap().to_string())
                .unwrap()
        })
        .collect();
    assert_eq!(first, ["A", "B", "C", "D", "E", "B"]);
}

#[test]
fn zipgrade_answers_without_names() {
    // 10 students x Stu1..Stu50, options A-E; names, keys and points are left out.
    let (_t, mut m) = meeting(50, "ABCDE");
    let r = import(
        &mut m,
        &data("scanners/zipgrade_2018format_apcsa2014practiceexamExport.csv"),
        Some("zipgrade.toml"),
    );
    assert_eq!((r.forms, r.valid), (10, 10));
    let a: i64 = r.tally.orgs.iter().map(|o| o.counts[0].0).sum::<i64>() / 1000;
    assert_eq!(a, 55);
    assert_eq!(r.layout, LayoutKind::Wide);
}

#[test]
fn omrchecker_without_a_map_is_refused_naming_the_question_columns() {
    let (t, _m) = meeting(11, "ABCD");
    let err = import_refused(t.path(), |cmd| {
        cmd.arg(data("scanners/omrchecker_sample4_Results.csv"));
    });
    assert!(
        err.contains(":1: column \"q1\": unknown organization id"),
        "{err}"
    );
    // The first problems only, then the map that fixes them.
    assert!(err.contains("... and 17 more problems\n"), "{err}");
    assert!(!err.contains("column \"q6\""), "{err}");
    assert!(
        err.contains("A map proposed for ")
            && err.contains(
                "  with it the file reads 3 forms: 3 valid, 0 invalid, 3 spoiled marks\n"
            )
            && err.contains("    numbered = \"q\"  # numbered columns q1..q11"),
        "{err}"
    );
}

#[test]
fn propose_map_writes_the_map_beside_the_file_and_imports_nothing() {
    let (t, m) = meeting(11, "ABCD");
    drop(m);
    let file = t.path().join("Results.csv");
    std::fs::copy(data("scanners/omrchecker_sample4_Results.csv"), &file).unwrap();
    let out = tallyclerk()
        .arg("import")
        .arg(t.path())
        .arg(&file)
        .arg("--propose-map")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    let map = t.path().join("Results.csv.map.toml");
    assert!(stdout.contains("map proposed and written to"), "{stdout}");
    assert!(stdout.contains("--map "), "{stdout}");
    let text = std::fs::read_to_string(&map).unwrap();
    assert!(text.contains("numbered = \"q\""), "{text}");
    // Nothing imported; a second proposal keeps the first map.
    let again = import_refused(t.path(), |cmd| {
        cmd.arg(&file).arg("--propose-map");
    });
    assert!(again.contains("exists already"), "{again}");
    assert_eq!(std::fs::read_to_string(&map).unwrap(), text);
    tallyclerk()
        .arg("import")
        .arg(t.path())
        .arg(&file)
        .arg("--map")
        .arg(&map)
        .assert()
        .success()
        .stdout(predicates::str::contains("imported 3 forms: 3 valid"));
}

/// Imports `file` with the map the meeting proposes for it and with the hand-written map
/// `hand`, in two meetings alike, and returns both reports and the proposal's text.
fn proposed_and_hand(
    orgs: usize,
    keys: &str,
    file: &str,
    hand: &str,
) -> (ImportReport, ImportReport, String) {
    let (_t, mut by_hand) = meeting(orgs, keys);
    let expected = import(&mut by_hand, &data(file), Some(hand));
    let (_u, mut m) = meeting(orgs, keys);
    let proposed = m
        .propose_map(&data(file), &ImportOptions::default(), Lang::En)
        .unwrap();
    let preview = proposed
        .preview
        .unwrap_or_else(|e| panic!("{}\n{}", e.message(Lang::En), proposed.proposal.text));
    assert!(!preview.committed);
    let map = Mapping::parse("proposed", &proposed.proposal.text, &m.config).unwrap();
    let report = import_file(
        &mut m,
        &data(file),
        ImportOptions {
            map: Some(map),
            ..ImportOptions::default()
        },
    )
    .unwrap();
    assert_eq!(report.tally, preview.tally);
    (expected, report, proposed.proposal.text)
}

#[test]
fn the_proposed_map_of_each_scanner_file_imports_it_as_the_hand_written_map_does() {
    for (orgs, keys, file, hand) in [
        (
            11,
            "ABCD",
            "omrchecker_sample4_Results.csv",
            "omrchecker.toml",
        ),
        (
            100,
            "ABCD",
            "omrchecker_UPSC-mock_Results.csv",
            "omrchecker_upsc.toml",
        ),
        (
            5,
            "ABCD",
            "omrchecker_ibrahimkilic_yesno_Results.csv",
            "omrchecker_yesno.toml",
        ),
        (
            5,
            "ABCD",
            "formscanner_2013dev_risulati_scansione_20130705155138.csv",
            "formscanner.toml",
        ),
        (
            50,
            "ABCDE",
            "zipgrade_2018format_apcsa2014practiceexamExport.csv",
            "zipgrade.toml",
        ),
    ] {
        let (expected, got, text) =
            proposed_and_hand(orgs, keys, &format!("scanners/{file}"), hand);
        assert_eq!(
            (got.forms, got.valid, got.invalid, got.spoiled_marks),
            (
                expected.forms,
                expected.valid,
                expected.invalid,
                expected.spoiled_marks
            ),
            "{file}\n{text}"
        );
        assert_eq!(got.tally, expected.tally, "{file}\n{text}");
        println!("{file}:\n{text}");
    }
}

#[test]
fn the_proposed_map_of_omrchecker_sample4_reads_as_written_by_hand() {
    let (_t, mut m) = meeting(11, "ABCD");
    let proposed = m
        .propose_map(
            &data("scanners/omrchecker_sample4_Results.csv"),
            &ImportOptions::default(),
            Lang::En,
        )
        .unwrap();
    let text = proposed.proposal.text;
    let body: Vec<&str> = text.lines().skip(1).collect();
    assert_eq!(
        body,
        [
            "serial = \"auto\"  # no serial column: forms numbered in file order",
            "numbered = \"q\"  # numbered columns q1..q11 are the 1st..11th organization of organizations.csv",
            "ignore = [\"file_id\", \"input_path\", \"output_path\", \"score\"]",
        ]
    );
    assert!(proposed
        .map_path
        .ends_with("omrchecker_sample4_Results.csv.map.toml"));
}

#[test]
fn a_proposal_that_is_not_enough_is_written_and_says_what_is_left() {
    // FormScanner's 5 questions for a meeting of 6: the 6th organization has no column.
    let (t, m) = meeting(6, "ABCD");
    drop(m);
    let file = t.path().join("scan.csv");
    std::fs::copy(
        data("scanners/formscanner_2013dev_risulati_scansione_20130705155138.csv"),
        &file,
    )
    .unwrap();
    let refused = import_refused(t.path(), |cmd| {
        cmd.arg(&file);
    });
    assert!(
        refused.contains("  with it the file is still refused; to do:\n")
            && refused.contains("organization O6 (")
            && refused.contains("finish it (what is left is listed above), and run"),
        "{refused}"
    );
    let out = tallyclerk()
        .arg("import")
        .arg(t.path())
        .arg(&file)
        .arg("--propose-map")
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&out.get_output().stderr).to_string();
    assert!(
        stderr.contains("finish the map before importing"),
        "{stderr}"
    );
    let map = std::fs::read_to_string(t.path().join("scan.csv.map.toml")).unwrap();
    assert!(map.contains("\"response 04\" = \"D\""), "{map}");
}
