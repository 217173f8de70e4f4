//! The tally sheet PDF, read back with `pdftotext` (Debian's poppler-utils, which .ci/run
//! installs when missing): every organization's figures exactly as the results CSV, the
//! signature labels, the status and the digests; 30 to 200 organizations paginate.

use crate::harness::{stderr_of, tallyclerk_cmd};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The text of a PDF as `pdftotext -layout` gives it: pages separated by form feeds.
pub fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs (apt-get install poppler-utils)");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A meeting of `n` organizations (ids O1.., names 第N村党支部, two categories) with 12
/// forms imported, two voter groups, and with `tiers` excellent 5 and better 3 (else none,
/// so there is no tie at a cutoff and the meeting can be finalised).
struct Big {
    _temp: TempDir,
    dir: PathBuf,
}

impl Big {
    fn new(n: usize, tiers: bool) -> Big {
        let temp = tempfile::tempdir().unwrap();
        let mut orgs = String::from("id,name,category\n");
        for i in 1..=n {
            let category = if i % 3 == 0 { "enterprise" } else { "village" };
            orgs.push_str(&format!("O{i},第{i}村党支部,{category}\n"));
        }
        let orgs_file = temp.path().join("orgs.csv");
        std::fs::write(&orgs_file, orgs).unwrap();
        let dir = temp.path().join("meeting");
        tallyclerk_cmd()
            .arg("new")
            .arg(&dir)
            .arg("--orgs")
            .arg(&orgs_file)
            .args(["--title", "长兴镇测评大会", "--date", "2026-02-16"])
            .args(if tiers {
                &["--tier", "excellent:优秀=5", "--tier", "better:较好=3"][..]
            } else {
                &[]
            })
            .args(["--group", "leaders:领导=1", "--group", "members:党员=0.5"])
            .assert()
            .success();
        let mut ballots = String::from("serial,group");
        for i in 1..=n {
            ballots.push_str(&format!(",O{i}"));
        }
        ballots.push('\n');
        // A fixed pseudo-random sequence (a linear congruential generator).
        let mut state: u64 = 20260216;
        for serial in 1..=12usize {
            let group = if serial % 2 == 0 {
                "leaders"
            } else {
                "members"
            };
            ballots.push_str(&format!("{serial},{group}"));
            let mut a = 0;
            for _org in 1..=n {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                // At most 5 A per form (the first tier's quota).
                let mut mark = ["A", "B", "C", "D", ""][(state >> 33) as usize % 5];
                if mark == "A" {
                    a += 1;
                    if a > 5 {
                        mark = "B";
                    }
                }
                ballots.push_str(&format!(",{mark}"));
            }
            ballots.push('\n');
        }
        let ballots_file = temp.path().join("ballots.csv");
        std::fs::write(&ballots_file, ballots).unwrap();
        tallyclerk_cmd()
            .arg("import")
            .arg(&dir)
            .arg(&ballots_file)
            .assert()
            .success();
        Big { _temp: temp, dir }
    }

    fn run(&self, lang: &str, command: &str, rest: &[&str]) -> assert_cmd::assert::Assert {
        tallyclerk_cmd()
            .args(["--lang", lang, command])
            .arg(&self.dir)
            .args(rest)
            .assert()
    }

    fn export_pdf(&self, lang: &str, name: &str, rest: &[&str]) -> String {
        let pdf = self.dir.join(name);
        let mut args = vec!["--pdf", pdf.to_str().unwrap()];
        args.extend_from_slice(rest);
        let out = self.run(lang, "export", &args).success();
        assert!(stderr_of(&out).contains(&pdf.display().to_string()));
        pdf_text(&pdf)
    }

    fn results_csv(&self, lang: &str) -> Vec<Vec<String>> {
        let out = self.run(lang, "tally", &["--format", "csv"]).success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        reader
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect()
    }

    fn check_line(&self, name: &str) -> String {
        let out = self.run("en", "check", &[]).success();
        let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(name).map(|rest| rest.trim().to_string()))
            .unwrap_or_else(|| panic!("check prints {name}: {text}"))
    }
}

/// Every organization's row of the sheet holds, in order, the CSV's rank, name, category,
/// each option's count (followed by its share), the score, the tier and the note.
fn assert_rows_match_csv(text: &str, csv: &[Vec<String>], options: usize) {
    for row in csv {
        let name = &row[2];
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name.as_str()))
            .unwrap_or_else(|| panic!("the sheet has a row for {name}"));
        let tokens: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(
            tokens[0].trim_end_matches('='),
            row[0],
            "rank of {name}: {line}"
        );
        assert_eq!(tokens[2], row[3], "category of {name}: {line}");
        for k in 0..options {
            assert_eq!(tokens[3 + 2 * k], row[7 + k], "count {k} of {name}: {line}");
            assert!(
                tokens[4 + 2 * k].ends_with('%'),
                "share {k} of {name}: {line}"
            );
        }
        assert_eq!(tokens[3 + 2 * options], row[5], "score of {name}: {line}");
        let rest = tokens[4 + 2 * options..].join(" ");
        let expected = [row[4].as_str(), row[row.len() - 1].as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(rest, expected, "tier and note of {name}: {line}");
    }
}

#[test]
fn the_tally_sheet_holds_every_figure_of_the_results_csv_in_both_languages() {
    let big = Big::new(40, true);
    for lang in ["zh", "en"] {
        let text = big.export_pdf(lang, &format!("sheet-{lang}.pdf"), &[]);
        let csv = big.results_csv(lang);
        assert_eq!(csv.len(), 40);
        assert_rows_match_csv(&text, &csv, 4);
        let digest = big.check_line("digest");
        let digest = digest.split("sha256:").nth(1).unwrap();
        assert!(text.contains(digest), "digest {digest} on the sheet");
        if lang == "zh" {
            for label in [
                "计票人",
                "监票人",
                "负责人",
                "日期",
                "应到",
                "实到",
                "发出",
                "收回",
            ] {
                assert!(text.contains(label), "{label} on the sheet");
            }
            assert!(text.contains("发出 / 收回 报告单"));
            assert!(text.contains("未定稿"));
            assert!(text.contains("审计链末端"));
            assert!(text.contains("计分方法"));
        } else {
            for label in [
                "Counters",
                "Scrutineers",
                "Person in charge",
                "Date:",
                "Expected",
                "Present",
            ] {
                assert!(text.contains(label), "{label} on the sheet");
            }
            assert!(text.contains("Forms report"));
            assert!(text.contains("PROVISIONAL: not final"));
            assert!(text.contains("Head of the audit chain"));
            assert!(text.contains("How the score is computed"));
        }
    }
}

#[test]
fn two_hundred_organizations_run_over_pages_each_with_the_header_and_a_number() {
    let big = Big::new(200, true);
    let text = big.export_pdf("zh", "sheet.pdf", &[]);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 5, "{} pages", pages.len());
    let total = pages.len();
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("长兴镇测评大会"), "title on page {}", i + 1);
        assert!(
            page.contains("测评结果统计表"),
            "sheet name on page {}",
            i + 1
        );
        assert!(
            page.replace(' ', "")
                .contains(&format!("第{}页共{total}页", i + 1)),
            "number on page {}",
            i + 1
        );
    }
    // The table's head runs on every page the table does.
    let table_pages = pages.iter().filter(|p| p.contains("党支部")).count();
    let headed = pages
        .iter()
        .filter(|p| p.contains("党支部") && p.contains("名次") && p.contains("占比"))
        .count();
    assert_eq!(table_pages, headed);
    assert_rows_match_csv(&text, &big.results_csv("zh"), 4);
}

#[test]
fn a_final_a_void_and_a_provisional_sheet_say_which_they_are() {
    let big = Big::new(30, false);
    let text = big.export_pdf("en", "provisional.pdf", &[]);
    assert!(text.contains("PROVISIONAL: not final"));
    assert!(!text.contains("FINAL\n") && !text.contains("VOID ROUND"));

    // 12 forms collected, 10 issued: the round is void; exported only with --force.
    big.run("en", "issued", &["10"]).success();
    let pdf = big.dir.join("void.pdf");
    let refused = big
        .run("en", "export", &["--pdf", pdf.to_str().unwrap()])
        .failure();
    assert!(stderr_of(&refused).contains("--force"));
    assert!(!pdf.exists());
    let text = big.export_pdf("en", "void.pdf", &["--force"]);
    assert!(text.contains("VOID ROUND: more forms collected than issued"));
    let text = big.export_pdf("zh", "void-zh.pdf", &["--force"]);
    assert!(text.contains("本轮无效（VOID ROUND）"));

    big.run("en", "issued", &["12"]).success();
    big.run("en", "finalise", &[]).success();
    let text = big.export_pdf("en", "final.pdf", &[]);
    assert!(text.contains("FINAL"));
    assert!(!text.contains("PROVISIONAL"));
    let text = big.export_pdf("zh", "final-zh.pdf", &[]);
    assert!(text.contains("已定稿"));
}

#[test]
fn export_alone_writes_results_pdf_beside_the_csv_and_names_its_font() {
    let big = Big::new(30, true);
    let out = big.run("en", "export", &[]).success();
    let err = stderr_of(&out);
    assert!(big.dir.join("results.pdf").is_file());
    assert!(big.dir.join("results.csv").is_file());
    assert!(err.contains("font of the tally sheet: "), "{err}");
    let text = pdf_text(&big.dir.join("results.pdf"));
    assert!(text.contains("第1村党支部"));
}

#[test]
fn a_font_that_cannot_print_chinese_is_refused_and_nothing_is_written() {
    let big = Big::new(30, true);
    let not_a_font = big.dir.join("readme.ttf");
    std::fs::write(&not_a_font, "not a font").unwrap();
    let pdf = big.dir.join("sheet.pdf");
    let out = big
        .run(
            "en",
            "export",
            &[
                "--pdf",
                pdf.to_str().unwrap(),
                "--results",
                big.dir.join("r.csv").to_str().unwrap(),
                "--font",
                not_a_font.to_str().unwrap(),
            ],
        )
        .failure();
    assert!(stderr_of(&out).contains("is not a font that prints Chinese"));
    assert!(!pdf.exists());
    assert!(!big.dir.join("r.csv").exists());
}

#[test]
fn a_decision_at_a_tie_is_printed_with_its_reason() {
    let f = crate::harness::Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    f.run("add", &["2", "ABBCD"]).success();
    f.run(
        "decide",
        &[
            "--tier",
            "excellent",
            "O3",
            "--reason",
            "drawn by lot before the scrutineers",
        ],
    )
    .success();
    let pdf = f.path("sheet.pdf");
    f.run("export", &["--pdf", pdf.to_str().unwrap()]).success();
    let text = pdf_text(&pdf);
    assert!(text.contains("Decisions at ties:"), "{text}");
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("兴华纺织有限公司党支部 placed excellent in the tie at places 2–3. Reason: drawn by lot before the scrutineers"),
        "{flat}"
    );
}

#[test]
fn attendance_and_a_quorum_not_met_are_in_tally_the_companion_and_the_sheet() {
    let f = crate::harness::Fixture::new();
    f.run("add", &["1", "ABBCD"]).success();
    let toml = f.path("meeting.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(
        &toml,
        format!("place = \"镇党委会议室\"\n{text}\n[attendance]\nexpected = 45\npresent = 22\n")
            .replace("[rules]\n", "[rules]\nquorum = \"half\"\n"),
    )
    .unwrap();
    let out = f.run("tally", &[]).success();
    let tally = crate::harness::stdout_of(&out);
    assert!(
        tally.contains("attendance: 45 expected, 22 present"),
        "{tally}"
    );
    assert!(
        tally
            .contains("*** QUORUM NOT MET: 22 present of 45 expected, more than half required ***"),
        "{tally}"
    );
    let pdf = f.path("sheet.pdf");
    let results = f.path("r.csv");
    f.run(
        "export",
        &[
            "--pdf",
            pdf.to_str().unwrap(),
            "--results",
            results.to_str().unwrap(),
        ],
    )
    .success();
    let companion = crate::harness::read(&f.path("r.csv.sha256"));
    assert!(
        companion.contains("# attendance: 45 expected, 22 present\n"),
        "{companion}"
    );
    assert!(
        companion.contains("# status: not final; QUORUM NOT MET"),
        "{companion}"
    );
    let sheet = pdf_text(&pdf);
    assert!(sheet.contains("QUORUM NOT MET"), "{sheet}");
    assert!(sheet.contains("Place: 镇党委会议室"), "{sheet}");
    let flat = sheet.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Attendance expected 45"), "{flat}");
    assert!(flat.contains("Attendance present 22"), "{flat}");
}
