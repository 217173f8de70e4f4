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
        Big::with_forms(n, tiers, 12)
    }

    /// The same meeting with `forms` forms imported (none: no import).
    fn with_forms(n: usize, tiers: bool, forms: usize) -> Big {
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
        if forms == 0 {
            return Big { _temp: temp, dir };
        }
        for serial in 1..=forms {
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

/// A greyscale image as `pdftoppm -gray` writes it (binary PGM).
struct Grey {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Grey {
    fn read(path: &Path) -> Grey {
        let bytes = std::fs::read(path).unwrap();
        // "P5", width, height, max value, each followed by one whitespace, then the pixels.
        let mut fields = Vec::new();
        let mut at = 0;
        while fields.len() < 4 {
            while bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            let start = at;
            while !bytes[at].is_ascii_whitespace() {
                at += 1;
            }
            fields.push(String::from_utf8(bytes[start..at].to_vec()).unwrap());
        }
        assert_eq!((fields[0].as_str(), fields[3].as_str()), ("P5", "255"));
        let (width, height) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
        let pixels = bytes[at + 1..].to_vec();
        assert_eq!(pixels.len(), width * height);
        Grey {
            width,
            height,
            pixels,
        }
    }

    /// Blackens the disc inside the square box at (`x`, `y`) of side `d`, as a pen fills a
    /// bubble.
    fn fill(&mut self, (x, y): (usize, usize), d: usize) {
        let r = d as f64 / 2.0;
        for py in y..y + d {
            for px in x..x + d {
                let (dx, dy) = (
                    px as f64 + 0.5 - x as f64 - r,
                    py as f64 + 0.5 - y as f64 - r,
                );
                if dx * dx + dy * dy <= (r - 1.0) * (r - 1.0) {
                    self.pixels[py * self.width + px] = 0;
                }
            }
        }
    }

    /// Whether the bubble in the box at (`x`, `y`) of side `d` reads as filled: the mean of
    /// its middle half is darker than mid-grey.
    fn filled(&self, (x, y): (usize, usize), d: usize) -> bool {
        let (from, to) = (d / 4, d - d / 4);
        let mut sum = 0u64;
        let mut n = 0u64;
        for py in y + from..y + to {
            for px in x + from..x + to {
                sum += u64::from(self.pixels[py * self.width + px]);
                n += 1;
            }
        }
        sum / n < 128
    }
}

/// A block of the template: its bubbles' boxes by field label and value.
fn bubbles_of(block: &serde_json::Value) -> Vec<(String, String, (usize, usize))> {
    let labels = block["fieldLabels"][0].as_str().unwrap();
    // OMRChecker's range syntax: "q1..30" is q1, q2, … q30; a plain name is one field.
    let fields: Vec<String> = match labels.split_once("..") {
        Some((head, last)) => {
            let prefix = head.trim_end_matches(|c: char| c.is_ascii_digit());
            let first: usize = head[prefix.len()..].parse().unwrap();
            let last: usize = last.parse().unwrap();
            (first..=last).map(|i| format!("{prefix}{i}")).collect()
        }
        None => vec![labels.to_string()],
    };
    let values: Vec<String> = block["bubbleValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(block["direction"], "horizontal");
    let n = |v: &serde_json::Value| v.as_u64().unwrap() as usize;
    let (x0, y0) = (n(&block["origin"][0]), n(&block["origin"][1]));
    let (bubbles_gap, labels_gap) = (n(&block["bubblesGap"]), n(&block["labelsGap"]));
    let mut out = Vec::new();
    for (f, field) in fields.iter().enumerate() {
        for (v, value) in values.iter().enumerate() {
            let at = (x0 + v * bubbles_gap, y0 + f * labels_gap);
            out.push((field.clone(), value.clone(), at));
        }
    }
    out
}

#[test]
fn blank_forms_have_a_page_per_serial_with_every_organization_and_the_serial() {
    let big = Big::new(30, true);
    let pdf = big.dir.join("forms.pdf");
    let out = big
        .run(
            "zh",
            "forms",
            &["--pdf", pdf.to_str().unwrap(), "--serials", "7-9"],
        )
        .success();
    assert!(stderr_of(&out).contains("评议表 3 份，字体"));
    assert!(!big.dir.join("template.json").exists());
    let text = pdf_text(&pdf);
    let pages: Vec<&str> = text
        .split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert_eq!(pages.len(), 3);
    for (page, serial) in pages.iter().zip(7..) {
        assert!(page.contains(&format!("编号：{serial:03}")), "{page}");
        assert!(page.contains("请每个单位在一个方框内打“√”；“好”最多 5 个，超过的为无效表。"));
        for i in 1..=30 {
            assert!(
                page.contains(&format!("第{i}村党支部")),
                "org {i} on form {serial}"
            );
        }
        for label in ["好", "较好", "一般", "差", "组别", "领导", "党员"] {
            assert!(page.contains(label), "{label} on form {serial}");
        }
    }
    let refused = big
        .run(
            "en",
            "forms",
            &["--pdf", pdf.to_str().unwrap(), "--serials", "9-7"],
        )
        .failure();
    assert!(stderr_of(&refused).contains("serials 9-7: give a range from 1"));
}

#[test]
fn omr_bubbles_filled_in_the_rendered_page_read_back_at_the_templates_coordinates() {
    let big = Big::new(30, true);
    let pdf = big.dir.join("forms.pdf");
    big.run(
        "zh",
        "forms",
        &["--pdf", pdf.to_str().unwrap(), "--serials", "1-12", "--omr"],
    )
    .success();
    let template: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(big.dir.join("template.json")).unwrap())
            .unwrap();
    let dpi = 150;
    // Page 5 is the form of serial 005, rendered as a scanner at the template's resolution.
    let image = big.dir.join("page5");
    let rendered = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            &dpi.to_string(),
            "-gray",
            "-f",
            "5",
            "-l",
            "5",
            "-singlefile",
        ])
        .arg(&pdf)
        .arg(&image)
        .status()
        .expect("pdftoppm runs (apt-get install poppler-utils)");
    assert!(rendered.success());
    let mut grey = Grey::read(&image.with_extension("pgm"));
    let size = &template["pageDimensions"];
    assert_eq!(
        (grey.width as u64, grey.height as u64),
        (size[0].as_u64().unwrap(), size[1].as_u64().unwrap())
    );
    let d = template["bubbleDimensions"][0].as_u64().unwrap() as usize;
    let mut bubbles = Vec::new();
    for block in template["fieldBlocks"].as_object().unwrap().values() {
        bubbles.extend(bubbles_of(block));
    }
    // Nothing reads as filled on a blank form.
    assert!(bubbles.iter().all(|(_, _, at)| !grey.filled(*at, d)));

    // The clerk's pen: serial 005, group members, org i gets option i % 5 (4: none), and
    // org 3 two options (a spoiled mark).
    let mut pen = |field: &str, value: &str| {
        let (_, _, at) = bubbles
            .iter()
            .find(|(f, v, _)| f == field && v == value)
            .unwrap_or_else(|| panic!("a bubble {field}={value}"));
        grey.fill(*at, d);
        (field.to_string(), value.to_string())
    };
    let mut filled = vec![
        pen("s1", "0"),
        pen("s2", "0"),
        pen("s3", "5"),
        pen("group", "members"),
    ];
    let keys = ["A", "B", "C", "D"];
    for i in 1..=30 {
        if let Some(key) = keys.get(i % 5) {
            filled.push(pen(&format!("q{i}"), key));
        }
    }
    filled.push(pen("q3", "A"));
    let mut read: Vec<(String, String)> = bubbles
        .iter()
        .filter(|(_, _, at)| grey.filled(*at, d))
        .map(|(f, v, _)| (f.clone(), v.clone()))
        .collect();
    read.sort();
    filled.sort();
    assert_eq!(
        read, filled,
        "every filled bubble and no empty one reads as filled"
    );

    // OMRChecker writes what it read into Results.csv, every cell quoted, several ticks of a
    // field concatenated; the MAP.toml written with the template imports it.
    let cell = |field: &str| -> String {
        read.iter()
            .filter(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let mut header = vec![
        "file_id",
        "input_path",
        "output_path",
        "score",
        "serial",
        "group",
    ]
    .into_iter()
    .map(String::from)
    .collect::<Vec<_>>();
    header.extend((1..=30).map(|i| format!("q{i}")));
    let mut row = vec![
        "page5.jpg".to_string(),
        "inputs/page5.jpg".to_string(),
        "outputs/CheckedOMRs/page5.jpg".to_string(),
        "0".to_string(),
        format!("{}{}{}", cell("s1"), cell("s2"), cell("s3")),
        cell("group"),
    ];
    row.extend((1..=30).map(|i| cell(&format!("q{i}"))));
    let quoted = |cells: &[String]| {
        cells
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(",")
    };
    let results = big.dir.join("Results.csv");
    std::fs::write(&results, format!("{}\n{}\n", quoted(&header), quoted(&row))).unwrap();
    // Imported into the same meeting's list with no forms yet.
    let second = Big::with_forms(30, true, 0);
    let map = big.dir.join("MAP.toml");
    let args = [results.to_str().unwrap(), "--map", map.to_str().unwrap()];
    second.run("en", "import", &args).success();
    let out = second.run("en", "export", &["--ballots", "-"]).success();
    let ballots = crate::harness::stdout_of(&out);
    let line = ballots
        .lines()
        .find(|l| l.starts_with("5,"))
        .unwrap_or_else(|| panic!("form 5 imported: {ballots}"));
    let mut expected = vec!["5".to_string(), "members".to_string()];
    for i in 1..=30 {
        expected.push(match (i, keys.get(i % 5)) {
            (3, _) => "*".to_string(),
            (_, Some(key)) => key.to_string(),
            (_, None) => String::new(),
        });
    }
    assert_eq!(line, expected.join(","));
}

#[test]
fn the_scoring_demos_sheet_shows_the_parts_the_composite_the_shares_and_the_base() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("scoring");
    tallyclerk_cmd()
        .args(["--lang", "en", "demo"])
        .arg(&dir)
        .arg("--scoring")
        .assert()
        .success();
    let demo = Big { _temp: temp, dir };
    for (lang, heads, statement) in [
        (
            "en",
            ["Score", "daily", "annual", "Composite"],
            [
                "Every valid form counts once within its voter group. weighting group_share: each group's figures, averaged with the shares leaders 0.4, cadres 0.3, members 0.3",
                "top_rate and approval_rate are shares of the valid forms (rate_base valid_forms)",
                "composite = (0.3 × meeting (this meeting) + 0.5 × daily (daily.csv) + 0.2 × annual (annual.csv)) / 1",
            ],
        ),
        (
            "zh",
            ["测评得分", "日常考核", "年度考核", "综合得分"],
            [
                "每张有效表在其组别内计一票。计分方式 group_share：各组分别计算，按比重 镇领导班子成员 0.4，村（社区）干部 0.3，党员群众代表 0.3 加权平均",
                "好评率、认可率的分母为有效表数（rate_base valid_forms）",
                "综合得分 = （0.3 × 现场测评（本次测评） + 0.5 × 日常考核（daily.csv） + 0.2 × 年度考核（annual.csv））/ 1",
            ],
        ),
    ] {
        let text = demo.export_pdf(lang, &format!("sheet-{lang}.pdf"), &[]);
        let head = text
            .lines()
            .find(|l| l.contains(heads[0]))
            .unwrap_or_else(|| panic!("the table's head: {text}"));
        let at: Vec<usize> = heads.iter().map(|h| head.find(h).unwrap_or(usize::MAX)).collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "{heads:?} in order: {head}");
        // Every row: the counts, then the score, the parts and the composite, as the CSV.
        for row in demo.results_csv(lang) {
            let line = text
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(row[2].as_str()))
                .unwrap_or_else(|| panic!("a row for {}: {text}", row[2]));
            let tokens: Vec<&str> = line.split_whitespace().collect();
            for k in 0..4 {
                assert_eq!(tokens[3 + 2 * k], row[10 + k], "count {k}: {line}");
            }
            assert_eq!(tokens[11..15], row[5..9], "score, daily, annual, composite: {line}");
            assert_eq!(tokens.get(15).copied().unwrap_or(""), row[4], "tier: {line}");
        }
        // The notes state the weighting with the shares, the base of the rates and the parts
        // (pdftotext breaks the lines where the sheet wraps them).
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for line in statement {
            let words = line.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat.contains(&words), "{line}\n{flat}");
        }
    }
}
