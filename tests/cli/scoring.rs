//! Scoring as evaluation rules write it (docs/RULES.md section 6) seen from the command line:
//! group shares, a composite with a part file, and a part file edited after finalising.

use crate::harness::*;
use std::path::Path;

/// The five-organization meeting under `group_share` (leaders 0.4, cadres 0.6), ranked by a
/// composite of the meeting's score and daily.csv, half each.
fn shares_and_composite() -> Fixture {
    let f = Fixture::new();
    let toml = read(&f.path("meeting.toml"));
    let toml = format!(
        "groups = [{{ id = \"leaders\", weight = 0.4 }}, {{ id = \"cadres\", weight = 0.6 }}]\n{}\n\
[[composite]]\nid = \"meeting\"\nlabel = \"现场测评\"\nweight = 0.5\nsource = \"meeting\"\n\
[[composite]]\nid = \"daily\"\nlabel = \"日常考核\"\nweight = 0.5\nfile = \"daily.csv\"\n",
        toml.replace("[rules]\n", "[rules]\nweighting = \"group_share\"\n")
            .replace("rank_by = \"score\"", "rank_by = \"composite\"")
    );
    std::fs::write(f.path("meeting.toml"), toml).unwrap();
    std::fs::write(
        f.path("daily.csv"),
        "org_id,score\nO1,90\nO2,80\nO3,70.5\nO4,70\nO5,50\n",
    )
    .unwrap();
    f.run("add", &["1", "ABCCD", "--group", "leaders"])
        .success();
    f.run("add", &["2", "BACCD", "--group", "cadres"]).success();
    f.run("add", &["3", "BACCD", "--group", "cadres"]).success();
    f.run("add", &["4", "CBCCD", "--group", "cadres"]).success();
    f
}

#[test]
fn group_shares_and_a_composite_give_the_results_columns() {
    let f = shares_and_composite();
    let csv = f.results_csv();
    // O1: leaders A (100), cadres B B C (220/3): 0.4·100 + 0.6·220/3 = 84; composite
    // (84 + 90) / 2 = 87. O2: leaders B (80), cadres A A B (280/3): 32 + 56 = 88; composite
    // (88 + 80) / 2 = 84: a higher score, ranked second by the composite.
    // top_rate O1 = 0.4·1 + 0.6·0 = 0.4; approval 0.4·1 + 0.6·2/3 = 0.8.
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "rank,org_id,org_name,category,tier,score,daily,composite,rated,count_A,count_B,count_C,count_D,blank,top_rate,approval_rate,note"
    );
    assert_eq!(
        lines[1],
        "1,O1,长兴村党支部,village,excellent,84.00,90.00,87.00,4,1,2,1,0,0,0.4000,0.8000,"
    );
    assert_eq!(
        lines[2],
        "2,O2,东门社区党支部,community,excellent,88.00,80.00,84.00,4,2,2,0,0,0,0.4000,1.0000,"
    );
    // O3 (60, 70.5) = 65.25 ahead of O4 (60, 70) = 65.
    assert!(
        lines[3].starts_with("3,O3,") && lines[3].contains(",60.00,70.50,65.25,"),
        "{csv}"
    );
    assert!(
        lines[4].starts_with("4,O4,") && lines[4].contains(",60.00,70.00,65.00,"),
        "{csv}"
    );
    // The table states the mode, the shares and the parts.
    let table = stdout_of(&f.run("tally", &[]).success());
    assert!(
        table.contains("weighting group_share") && table.contains("leaders 0.4, cadres 0.6"),
        "{table}"
    );
    assert!(
        table.contains("composite = (0.5 × meeting (this meeting) + 0.5 × daily (daily.csv)) / 1"),
        "{table}"
    );
    // Under group_share every form needs its group; nothing is stored without one.
    let before = f.digest();
    let err = stderr_of(&f.run("add", &["5", "ABCCD"]).code(1));
    assert!(err.contains("every form needs its group"), "{err}");
    assert_eq!(f.digest(), before);
}

#[test]
fn a_part_file_edited_after_finalising_is_refused_like_any_rule_change() {
    let f = shares_and_composite();
    f.run("finalise", &[]).success();
    std::fs::write(
        f.path("daily.csv"),
        "org_id,score\nO1,90\nO2,80\nO3,71\nO4,70\nO5,50\n",
    )
    .unwrap();
    let err = stderr_of(&f.run("tally", &[]).code(1));
    assert!(
        err.contains(
            "a composite part's file changed after finalising: composite[1].scores.O3 70.5 → 71"
        ),
        "{err}"
    );
    // Restored as it was, the meeting opens again.
    std::fs::write(
        f.path("daily.csv"),
        "org_id,score\nO1,90\nO2,80\nO3,70.50\nO4,70\nO5,50\n",
    )
    .unwrap();
    f.run("tally", &[]).success();
}

/// The scoring demo's folder in the repository.
fn scoring_demo() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo-scoring")
}

/// Runs the scoring demo's own tally (`demo.py check`) of the meeting in `dir`, with the
/// scoring demo's ballots, against `tally --format csv` of it, and returns what it says.
fn independent_check(dir: &Path) -> String {
    independent_check_of(dir, &scoring_demo().join("ballots.csv"))
}

/// Runs `demo.py check` of the meeting in `dir` with the ballots of `ballots` against
/// `tally --format csv` of it, and returns what it says.
fn independent_check_of(dir: &Path, ballots: &Path) -> String {
    let results = dir.join("results-under-test.csv");
    let out = tallyclerk_cmd()
        .args(["--lang", "en", "tally"])
        .arg(dir)
        .args(["--format", "csv"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    std::fs::write(&results, out).unwrap();
    let script = scoring_demo().join("demo.py");
    let run = std::process::Command::new("python3")
        .arg(&script)
        .arg("check")
        .arg(dir)
        .arg(ballots)
        .arg(&results)
        .output()
        .unwrap_or_else(|e| {
            panic!("python3 (3.11 or later) runs the scoring demo's own tally; install it: {e}")
        });
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(run.status.success(), "demo.py check:\n{said}");
    said
}

/// The scoring demo's folder copied to a new meeting with meeting.toml edited by `edit`,
/// its ballots imported.
fn scoring_demo_under(temp: &Path, edit: impl Fn(String) -> String) -> std::path::PathBuf {
    let dir = temp.join("meeting");
    std::fs::create_dir(&dir).unwrap();
    for name in ["organizations.csv", "daily.csv", "annual.csv"] {
        std::fs::copy(scoring_demo().join(name), dir.join(name)).unwrap();
    }
    let toml = read(&scoring_demo().join("meeting.toml"));
    std::fs::write(dir.join("meeting.toml"), edit(toml)).unwrap();
    tallyclerk_cmd().arg("new").arg(&dir).assert().success();
    tallyclerk_cmd()
        .arg("import")
        .arg(&dir)
        .arg(scoring_demo().join("ballots.csv"))
        .assert()
        .success();
    dir
}

#[test]
fn the_scoring_demo_agrees_with_its_own_tally_figure_by_figure() {
    // As bundled: group shares 0.4 / 0.3 / 0.3, rates over the valid forms, the composite
    // of the meeting (0.3), daily.csv (0.5) and annual.csv (0.2, GB18030) ranking.
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    tallyclerk_cmd()
        .args(["--lang", "en", "demo"])
        .arg(&dir)
        .arg("--scoring")
        .assert()
        .success();
    let said = independent_check(&dir);
    // 12 organizations × 14 figures: rank, tier, score, daily, annual, composite, rated,
    // four counts, blank and the two rates.
    assert!(
        said.contains("12 organizations, 168 figures: tallyclerk and demo.py agree (weighting group_share, rate_base valid_forms)"),
        "{said}"
    );
    // What the demo is built to show, read from tallyclerk's own results: the members left
    // C04 blank on every form and take no share of it; V07 and V08, equal at the meeting,
    // are ranked apart by the composite; V03, third by score, is not excellent by composite.
    let csv = String::from_utf8(
        tallyclerk_cmd()
            .args(["--lang", "en", "tally"])
            .arg(&dir)
            .args(["--format", "csv"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let row = |id: &str| -> Vec<String> {
        csv.lines()
            .find(|l| l.split(',').nth(1) == Some(id))
            .unwrap_or_else(|| panic!("{id} in {csv}"))
            .split(',')
            .map(str::to_string)
            .collect()
    };
    // rank, org_id, org_name, category, tier, score, daily, annual, composite, rated, …
    let (v07, v08, v03) = (row("V07"), row("V08"), row("V03"));
    assert_eq!(v07[5], v08[5]);
    assert_ne!(v07[0], v08[0]);
    assert_eq!(v03[4], "better");
    // C04's blanks: the members' 9 valid forms (their other 2 are the invalid ones) and 3
    // blank or spoiled marks of others.
    assert_eq!(row("C04")[14], "12");
}

#[test]
fn the_scoring_demo_agrees_with_its_own_tally_under_every_rate_base_and_weighting() {
    let to_base = |base: &'static str| {
        move |toml: String| {
            toml.replace(
                "rate_base = \"valid_forms\"",
                &format!("rate_base = \"{base}\""),
            )
        }
    };
    for (what, edit) in [
        (
            "group_share, rated",
            Box::new(to_base("rated")) as Box<dyn Fn(String) -> String>,
        ),
        ("group_share, collected", Box::new(to_base("collected"))),
        (
            "per_form, valid_forms",
            Box::new(|toml: String| {
                toml.replace("weighting = \"group_share\"", "weighting = \"per_form\"")
            }),
        ),
        (
            // `present` counts people: per_form with every weight 1.
            "per_form, present",
            Box::new(|toml: String| {
                toml.replace("weighting = \"group_share\"", "weighting = \"per_form\"")
                    .replace("rate_base = \"valid_forms\"", "rate_base = \"present\"")
                    .replace("weight = 0.4 }", "weight = 1 }")
                    .replace("weight = 0.3 }", "weight = 1 }")
            }),
        ),
    ] {
        let temp = tempfile::tempdir().unwrap();
        let dir = scoring_demo_under(temp.path(), edit);
        let said = independent_check(&dir);
        let (weighting, base) = what.split_once(", ").unwrap();
        assert!(
            said.contains(&format!(
                "12 organizations, 168 figures: tallyclerk and demo.py agree (weighting {weighting}, rate_base {base})"
            )),
            "{what}: {said}"
        );
    }
}

#[test]
fn export_by_group_gives_each_groups_rates_over_its_share_of_the_rate_base() {
    // Leaders (weight 1): forms 1 ABCCD and 2 -BCCD. Members (weight 0.5, 1 under
    // present): forms 3 BACCD and 4 CACCD, and 5 AAACD, invalid (3 A, at most 2).
    // O1 by the leaders: A and a blank: rated 1, score 100; top and approval 1 over their 2
    // valid forms (also their 2 collected) = 0.5. By the members: B and C at 0.5 each:
    // rated 1, score (40 + 30) / 1 = 70; top 0; approval 0.5 over their valid forms
    // 2 · 0.5 = 1 -> 0.5000, over their collected 3 · 0.5 = 1.5 -> 0.3333. Under present
    // (weights 1): rated 2, score 70, and no rates per group.
    for (base, members_weight, o1) in [
        (
            "valid_forms",
            "0.5",
            "1,100.00,0.5000,0.5000,1,70.00,0.0000,0.5000",
        ),
        (
            "collected",
            "0.5",
            "1,100.00,0.5000,0.5000,1,70.00,0.0000,0.3333",
        ),
        ("present", "1", "1,100.00,,,2,70.00,,"),
    ] {
        let f = Fixture::new();
        let toml = read(&f.path("meeting.toml"));
        let toml = format!(
            "groups = [{{ id = \"leaders\", weight = 1 }}, {{ id = \"members\", weight = {members_weight} }}]\n{}\n[attendance]\nexpected = 6\npresent = 6\n",
            toml.replace("[rules]\n", &format!("[rules]\nrate_base = \"{base}\"\n"))
        );
        std::fs::write(f.path("meeting.toml"), toml).unwrap();
        for (serial, marks, group) in [
            ("1", "ABCCD", "leaders"),
            ("2", "-BCCD", "leaders"),
            ("3", "BACCD", "members"),
            ("4", "CACCD", "members"),
            ("5", "AAACD", "members"),
        ] {
            f.run("add", &[serial, marks, "--group", group]).success();
        }
        let out = f.path("by-group.csv");
        f.run(
            "export",
            &["--results", out.to_str().unwrap(), "--by-group", "--no-bom"],
        )
        .success();
        let csv = read(&out);
        let header = csv.lines().next().unwrap();
        assert!(
            header.ends_with(",note,rated_leaders,score_leaders,top_rate_leaders,approval_rate_leaders,rated_members,score_members,top_rate_members,approval_rate_members"),
            "{header}"
        );
        let row = csv.lines().find(|l| l.contains(",O1,")).unwrap();
        assert!(row.ends_with(o1), "{base}: {row}");
    }
}

#[test]
fn the_review_demo_agrees_with_the_same_independent_tally() {
    // The bundled review (data/demo): per_form weights 1, 1 and 0.5, three invalid forms, a
    // shared rank and a tie across the excellent tier's cutoff, ranked by score.
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("demo");
    tallyclerk_cmd()
        .args(["--lang", "en", "demo"])
        .arg(&dir)
        .assert()
        .success();
    let ballots = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/ballots.csv");
    let said = independent_check_of(&dir, &ballots);
    // 30 organizations × 11 figures: rank, tier, score, rated, four counts, blank and the
    // two rates.
    assert!(
        said.contains("30 organizations, 330 figures: tallyclerk and demo.py agree (weighting per_form, rate_base rated)"),
        "{said}"
    );
}
