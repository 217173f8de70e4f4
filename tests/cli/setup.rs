//! Setting a meeting up with `new`, as a clerk does: the rule the tiers imply, voter groups,
//! date, forms issued, language, organization lists as clerks keep them; refusals that
//! write nothing.

use crate::harness::*;
use std::path::{Path, PathBuf};

/// A list of `n` organizations O01.. in a temporary folder.
fn thirty_orgs(temp: &Path, n: usize) -> PathBuf {
    let mut text = String::from("id,name,category\n");
    for i in 1..=n {
        text.push_str(&format!("O{i:02},第{i}村党支部,village\n"));
    }
    let path = temp.join("orgs.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn new_meeting(dir: &Path, orgs: &Path, rest: &[&str]) -> assert_cmd::assert::Assert {
    tallyclerk_cmd()
        .args(["--lang", "en", "new"])
        .arg(dir)
        .arg("--orgs")
        .arg(orgs)
        .args(rest)
        .assert()
}

fn add(dir: &Path, serial: &str, marks: &str) -> String {
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "add"])
        .arg(dir)
        .args([serial, marks])
        .assert()
        .success();
    stdout_of(&out).trim().to_string()
}

/// `count` A marks, the rest C, for 30 organizations.
fn form_with_a(count: usize) -> String {
    "A".repeat(count) + &"C".repeat(30 - count)
}

#[test]
fn new_with_tiers_makes_a_form_with_12_good_of_30_invalid() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = thirty_orgs(temp.path(), 30);
    let dir = temp.path().join("m");
    let out = new_meeting(
        &dir,
        &orgs,
        &["--tier", "excellent=11", "--tier", "better=5"],
    )
    .success();
    let said = stdout_of(&out);
    assert!(
        said.contains("max_marks A = 11: a form giving more than 11 \"Excellent\" (A) is invalid, as excellent has 11 places"),
        "{said}"
    );
    assert!(read(&dir.join("meeting.toml")).contains("max_marks = { A = 11 }"));
    assert_eq!(
        add(&dir, "1", &form_with_a(12)),
        format!(
            "ballot 1 [-] {} INVALID: 12 marks A, at most 11 allowed",
            form_with_a(12)
        )
    );
    assert_eq!(
        add(&dir, "2", &form_with_a(11)),
        format!("ballot 2 [-] {} valid", form_with_a(11))
    );
}

#[test]
fn max_marks_flags_replace_the_limit_of_the_tiers() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = thirty_orgs(temp.path(), 30);
    let unlimited = temp.path().join("unlimited");
    let out = new_meeting(
        &unlimited,
        &orgs,
        &["--tier", "excellent=11", "--no-max-marks"],
    )
    .success();
    assert!(stdout_of(&out).contains("max_marks: none"));
    assert!(add(&unlimited, "1", &form_with_a(30)).ends_with(" valid"));

    let given = temp.path().join("given");
    let out = new_meeting(
        &given,
        &orgs,
        &[
            "--tier",
            "excellent=11",
            "--max-marks",
            "A=3",
            "--max-marks",
            "d=1",
        ],
    )
    .success();
    assert!(stdout_of(&out).contains("max_marks: A ≤ 3, D ≤ 1"));
    assert!(add(&given, "1", &form_with_a(4)).ends_with("INVALID: 4 marks A, at most 3 allowed"));

    // Both at once is a contradiction, refused before anything is written.
    let both = temp.path().join("both");
    new_meeting(&both, &orgs, &["--max-marks", "A=3", "--no-max-marks"]).code(1);
    assert!(!both.exists());
}

#[test]
fn the_seed_meeting_is_set_up_in_one_command() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = thirty_orgs(temp.path(), 30);
    let dir = temp.path().join("2026评议");
    let out = new_meeting(
        &dir,
        &orgs,
        &[
            "--title",
            "长兴镇2025年度基层党组织书记抓党建述职评议",
            "--date",
            "2026-02-16",
            "--language",
            "zh",
            "--tier",
            "excellent:优秀=11",
            "--tier",
            "better:较好=5",
            "--group",
            "leaders:镇领导班子成员=1",
            "--group",
            "cadres:村（社区）干部=1",
            "--group",
            "members:机关党员=0.5",
            "--issued",
            "45",
        ],
    )
    .success();
    let said = stdout_of(&out);
    assert!(said.contains("30 organizations"), "{said}");
    assert!(said.contains("tiers: excellent 11, better 5"), "{said}");
    assert!(
        said.contains("voter groups: leaders (镇领导班子成员) ×1, cadres (村（社区）干部) ×1, members (机关党员) ×0.5"),
        "{said}"
    );
    assert!(said.contains("forms issued: 45"), "{said}");
    // The meeting's language is Chinese: without --lang, the tally speaks it.
    let tally = tallyclerk_cmd().arg("tally").arg(&dir).assert().success();
    let tally = stdout_of(&tally);
    assert!(
        tally.starts_with("长兴镇2025年度基层党组织书记抓党建述职评议  2026-02-16\n发出 45 份"),
        "{tally}"
    );
    // A members' form weighs a half.
    tallyclerk_cmd()
        .arg("add")
        .arg(&dir)
        .args(["1", &form_with_a(11), "--group", "members"])
        .assert()
        .success();
    let csv = tallyclerk_cmd()
        .args(["--lang", "en", "tally"])
        .arg(&dir)
        .args(["--format", "csv"])
        .assert()
        .success();
    assert!(
        stdout_of(&csv).contains("\n1,O01,第1村党支部,village,excellent,100.00,0.5,0.5,0,0,0,0,"),
        "{}",
        stdout_of(&csv)
    );
}

#[test]
fn refused_setups_write_nothing_and_a_retry_works() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = thirty_orgs(temp.path(), 30);
    let dir = temp.path().join("m");
    let cases: &[(&[&str], &str)] = &[
        (
            &["--tier", "excellent=11", "--tier", "excellent=5"],
            "field \"tiers.name\": tier name \"excellent\" is used twice",
        ),
        (
            &["--tier", "excellent=11", "--tier", "none=5"],
            "tier name \"none\" is reserved",
        ),
        (
            &["--tier", "top:优秀=11", "--tier", "next:优秀=5"],
            "field \"tiers.label\": tier label \"优秀\"",
        ),
        (
            &["--tier", "excellent=25", "--tier", "better=6"],
            "quotas add up to 31, more than the 30 organizations",
        ),
        (
            &["--group", "a=1", "--group", "a=2"],
            "group id \"a\" is empty or used twice",
        ),
        (&["--max-marks", "E=3"], "\"E\" is not an option key"),
        (
            &["--max-marks", "A=3", "--max-marks", "a=4"],
            "option A is limited twice",
        ),
        (&["--group", "a=-1"], "is not a positive weight"),
        (&["--language", "fr"], "\"fr\" is not zh or en"),
        (
            &["--issued", "many"],
            "invalid value 'many' for '--issued <ISSUED>'",
        ),
    ];
    for (args, expected) in cases {
        let out = new_meeting(&dir, &orgs, args).code(1);
        let err = stderr_of(&out);
        assert!(
            err.contains(expected),
            "{args:?}: expected {expected:?} in {err}"
        );
        assert!(!dir.exists(), "{args:?} left {} behind", dir.display());
    }
    // Nothing else was left in the parent folder either (no staging folder).
    let names: Vec<String> = std::fs::read_dir(temp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["orgs.csv"]);
    new_meeting(
        &dir,
        &orgs,
        &["--tier", "excellent=11", "--tier", "better=5"],
    )
    .success();
    let again = new_meeting(&dir, &orgs, &[]).code(1);
    assert!(stderr_of(&again).contains("is already a meeting"));
}

#[test]
fn new_in_the_folder_that_holds_the_list_keeps_the_list() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = thirty_orgs(temp.path(), 3);
    let list = temp.path().join("organizations.csv");
    std::fs::rename(&orgs, &list).unwrap();
    let before = read(&list);
    new_meeting(temp.path(), &list, &["--tier", "excellent=1"]).success();
    assert_eq!(read(&list), before);
    assert!(temp.path().join("meeting.toml").is_file());

    // Another list of that name in the folder is not overwritten.
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("organizations.csv"), "id,name\nX,x\n").unwrap();
    let out = new_meeting(other.path(), &list, &[]).code(1);
    assert!(stderr_of(&out).contains("exists already; new does not overwrite it"));
    assert!(!other.path().join("meeting.toml").exists());
    assert_eq!(
        read(&other.path().join("organizations.csv")),
        "id,name\nX,x\n"
    );
}

/// The organizations.csv `new` wrote, as text.
fn written_list(dir: &Path) -> String {
    read(&dir.join("organizations.csv"))
}

#[test]
fn new_from_a_gb18030_list_with_chinese_headers() {
    let temp = tempfile::tempdir().unwrap();
    let list = "序号,单位名称,类别\r\n1,长兴村党支部,村\r\n2,东门社区党支部,社区\r\n3,兴华纺织有限公司党支部,非公企业\r\n";
    let (gbk, _, _) = encoding_rs::GB18030.encode(list);
    let orgs = temp.path().join("名单.csv");
    std::fs::write(&orgs, &gbk).unwrap();
    let dir = temp.path().join("m");
    let out = new_meeting(&dir, &orgs, &["--tier", "excellent=1"]).success();
    assert!(stdout_of(&out).contains("(3 organizations)"));
    assert_eq!(
        written_list(&dir),
        "id,name,category\n1,长兴村党支部,村\n2,东门社区党支部,社区\n3,兴华纺织有限公司党支部,非公企业\n"
    );
    assert!(add(&dir, "1", "AB-").ends_with(" valid"));

    // A problem in such a list names the file, the line, the column as written and the value.
    let bad = "序号,单位名称,类别\n1,长兴村党支部,村\n1,东门社区党支部,社区\n";
    std::fs::write(&orgs, encoding_rs::GB18030.encode(bad).0).unwrap();
    let refused = temp.path().join("refused");
    let out = new_meeting(&refused, &orgs, &[]).code(1);
    assert!(
        stderr_of(&out)
            .contains("名单.csv:3: column \"序号\": value \"1\": duplicate id, first on line 2"),
        "{}",
        stderr_of(&out)
    );
    assert!(!refused.exists());
}

#[test]
fn new_from_an_xlsx_list_without_ids_makes_them_up() {
    let temp = tempfile::tempdir().unwrap();
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write(0, 0, "长兴镇基层党组织名单").unwrap();
    sheet.write(1, 0, "党组织名称").unwrap();
    sheet.write(1, 1, "类别").unwrap();
    for (row, (name, kind)) in [("长兴村党支部", "村"), ("东门社区党支部", "社区")]
        .iter()
        .enumerate()
    {
        sheet.write(row as u32 + 2, 0, *name).unwrap();
        sheet.write(row as u32 + 2, 1, *kind).unwrap();
    }
    let orgs = temp.path().join("名单.xlsx");
    workbook.save(&orgs).unwrap();
    let dir = temp.path().join("m");
    new_meeting(&dir, &orgs, &[]).success();
    assert_eq!(
        written_list(&dir),
        "id,name,category\nO01,长兴村党支部,村\nO02,东门社区党支部,社区\n"
    );
    assert!(add(&dir, "1", "AB").ends_with(" valid"));
}

#[test]
fn add_and_edit_take_marks_as_the_ui_does() {
    let f = Fixture::new();
    // A leading '-' (the first organization blank) needs no '--'.
    let out = f.run("add", &["5", "-AB*c"]).success();
    assert_eq!(stdout_of(&out).trim(), "ballot 5 [-] -AB*C valid");
    // The second keying takes marks the same way.
    let out = f
        .run("verify", &["5", "- 12 *3", "--clerk", "two"])
        .success();
    assert_eq!(
        stdout_of(&out).trim(),
        "ballot 5 verified: both keyings agree"
    );
    // Positions 1-4, '0' blank, spaces grouping.
    let out = f.run("add", &["6", "12 30 4"]).success();
    assert_eq!(stdout_of(&out).trim(), "ballot 6 [-] ABC-D valid");
    // A blank form, all '-': refused as a form, not as an argument.
    let out = f.run("add", &["7", "-----"]).success();
    assert_eq!(
        stdout_of(&out).trim(),
        "ballot 7 [-] ----- INVALID: 0 organizations rated, at least 1 required"
    );
    let out = f
        .run("edit", &["6", "-0 2 11", "--reason", "misread"])
        .success();
    assert_eq!(stdout_of(&out).trim(), "ballot 6 [-] --BAA valid");
    let out = f.run("add", &["8", "AB 5CD"]).code(1);
    assert!(
        stderr_of(&out).contains(
            "MARKS \"AB 5CD\": character 4 \"5\" is not an option key (ABCD) or number (1-4), '-' or '0' (blank) or '*' (spoiled)"
        ),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn a_map_leaves_a_numbered_question_out_and_reads_dash_and_star_values() {
    let f = Fixture::new();
    // An OMR sheet whose 3rd question is a practice one: q1, q2, q4, q5, q6 are the five
    // organizations. Multi-tick cells are written in brackets.
    let file = f.file(
        "Results.csv",
        "file_id,score,q1,q2,q3,q4,q5,q6\n\
         a.jpg,0,[response 01],[response 02],x,no,[response 01],NR\n\
         b.jpg,0,[response 02],\"[response 01, response 03]\",x,[response 04],no,[response 01]\n",
    );
    let map = f.file(
        "omr.toml",
        "serial = \"auto\"\nnumbered = \"q\"\nignore = [\"file_id\", \"score\", \"q3\"]\n\
         [values]\n\"[response 01]\" = \"A\"\n\"response 02\" = \"B\"\n\"response 03\" = \"C\"\n\
         \"response 04\" = \"D\"\n\"no\" = \"-\"\n\"NR\" = \"*\"\n",
    );
    f.run(
        "import",
        &[file.to_str().unwrap(), "--map", map.to_str().unwrap()],
    )
    .success();
    let csv = f.results_csv();
    // Form 1: A B - A *; form 2: B * D - A. O1: A and B (90); O2: B, spoiled (80, 1 blank);
    // O3: blank and D; O4: A and blank; O5: spoiled and A.
    for (org, figures) in [
        (",O1,", ",90.00,2,1,1,0,0,0,"),
        (",O2,", ",80.00,1,0,1,0,0,1,"),
        (",O3,", ",0.00,1,0,0,0,1,1,"),
        (",O4,", ",100.00,1,1,0,0,0,1,"),
        (",O5,", ",100.00,1,1,0,0,0,1,"),
    ] {
        let line = csv.lines().find(|l| l.contains(org)).unwrap();
        assert!(line.contains(figures), "{figures} in {line}");
    }
    // Without the ignore, q6 has no organization and O5 no column: the message says why.
    let unignored = f.file(
        "plain.toml",
        "serial = \"auto\"\nnumbered = \"q\"\nignore = [\"file_id\", \"score\"]\n\
         [values]\n\"[response 01]\" = \"A\"\n\"response 02\" = \"B\"\n\"response 03\" = \"C\"\n\
         \"response 04\" = \"D\"\n\"no\" = \"-\"\n\"NR\" = \"*\"\n\"x\" = \"-\"\n",
    );
    let out = f
        .run(
            "import",
            &[
                file.to_str().unwrap(),
                "--map",
                unignored.to_str().unwrap(),
                "--dry-run",
                "--allow-same-file",
            ],
        )
        .code(1);
    let err = stderr_of(&out);
    assert!(
        err.contains("column \"q6\": unknown organization id"),
        "{err}"
    );
}
