//! Scoring as evaluation rules write it (docs/RULES.md section 6) seen from the command line:
//! group shares, a composite with a part file, and a part file edited after finalising.

use crate::harness::*;

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
