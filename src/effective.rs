//! The effective rules of a meeting: every part of meeting.toml and the organizations file
//! that decides its results, written as `key = value` lines in a fixed order.
//!
//! Finalising stores this text with its SHA-256; while the meeting is final, a meeting.toml
//! that no longer gives the same text is refused, and the keys that differ are named
//! (`tiers[0].quota 11 → 10`). Labels, the title, the date and the language only change how
//! results are shown, so they are left out.

use crate::config::{Config, MEETING_FILE};
use crate::error::Text;
use crate::scoring::{PartSource, RateBase, Weighting};
use crate::store::hex;
use sha2::{Digest, Sha256};

/// The effective rules as ordered `(key, value)` pairs; values are written as in TOML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EffectiveRules {
    entries: Vec<(String, String)>,
}

/// One key whose value differs between the rules finalised and the rules now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleChange {
    /// The key, e.g. `tiers[0].quota`.
    pub key: String,
    /// Its value when the meeting was finalised (`None`: the key was not there).
    pub before: Option<String>,
    /// Its value now (`None`: the key is gone).
    pub after: Option<String>,
}

impl EffectiveRules {
    /// The effective rules of a loaded meeting.
    pub fn of(config: &Config) -> EffectiveRules {
        let mut entries = Vec::new();
        let mut put = |key: String, value: String| entries.push((key, value));
        let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
        for (i, option) in config.scale.options.iter().enumerate() {
            put(format!("scale[{i}].key"), quote(&option.key.to_string()));
            put(format!("scale[{i}].points"), option.points.to_shortest());
            put(format!("scale[{i}].approve"), option.approve.to_string());
        }
        for (i, group) in config.groups.iter().enumerate() {
            put(format!("groups[{i}].id"), quote(&group.id));
            put(format!("groups[{i}].weight"), group.weight.to_shortest());
        }
        for (i, tier) in config.tiers.iter().enumerate() {
            put(format!("tiers[{i}].name"), quote(&tier.name));
            put(format!("tiers[{i}].quota"), tier.quota.to_string());
        }
        let rules = &config.rules;
        for (option, max) in config.scale.options.iter().zip(&rules.max_marks) {
            if let Some(max) = max {
                put(format!("rules.max_marks.{}", option.key), max.to_string());
            }
        }
        put("rules.min_marked".into(), rules.min_marked.to_string());
        put("rules.rank_by".into(), quote(rules.rank_by.word()));
        let breakers: Vec<String> = rules.tie_breakers.iter().map(|k| quote(k.word())).collect();
        put(
            "rules.tie_breakers".into(),
            format!("[{}]", breakers.join(", ")),
        );
        // The scoring keys are written only when they differ from what meetings before them
        // did, so rules finalised then still read the same.
        let scoring = &config.scoring;
        if scoring.weighting != Weighting::PerForm {
            put("rules.weighting".into(), quote(scoring.weighting.word()));
        }
        if scoring.rate_base != RateBase::Rated {
            put("rules.rate_base".into(), quote(scoring.rate_base.word()));
        }
        if let (RateBase::Present, Some(present)) = (scoring.rate_base, config.attendance.present) {
            put("attendance.present".into(), present.to_string());
        }
        for (i, part) in scoring.composite.iter().enumerate() {
            put(format!("composite[{i}].id"), quote(&part.id));
            put(format!("composite[{i}].weight"), part.weight.to_shortest());
            match &part.source {
                PartSource::Meeting => put(format!("composite[{i}].source"), quote("meeting")),
                PartSource::File { name, scores } => {
                    put(format!("composite[{i}].file"), quote(name));
                    // Every score of the file, so a file edited after finalising is refused
                    // naming the organization whose score changed.
                    for (org, score) in config.organizations.iter().zip(scores) {
                        put(
                            format!("composite[{i}].scores.{}", org.id),
                            score.to_shortest(),
                        );
                    }
                }
            }
        }
        for (i, org) in config.organizations.iter().enumerate() {
            put(format!("organizations[{i}].id"), quote(&org.id));
            put(format!("organizations[{i}].name"), quote(&org.name));
        }
        EffectiveRules { entries }
    }

    /// Reads the text [`EffectiveRules::text`] wrote.
    pub fn parse(text: &str) -> EffectiveRules {
        let entries = text
            .lines()
            .filter_map(|line| line.split_once(" = "))
            .map(|(key, value)| (key.to_string(), value.to_string()))
            .collect();
        EffectiveRules { entries }
    }

    /// The canonical text: one `key = value` line per entry.
    pub fn text(&self) -> String {
        self.entries
            .iter()
            .map(|(key, value)| format!("{key} = {value}\n"))
            .collect()
    }

    /// Lowercase hex SHA-256 of [`EffectiveRules::text`].
    pub fn digest(&self) -> String {
        hex(&Sha256::digest(self.text().as_bytes()))
    }

    /// The keys whose values differ from `self` (the rules finalised) in `now`, in the order
    /// of `self`, then keys only `now` has.
    pub fn changes(&self, now: &EffectiveRules) -> Vec<RuleChange> {
        let find = |rules: &EffectiveRules, key: &str| {
            rules
                .entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.clone())
        };
        let mut changes = Vec::new();
        for (key, before) in &self.entries {
            let after = find(now, key);
            if after.as_ref() != Some(before) {
                changes.push(RuleChange {
                    key: key.clone(),
                    before: Some(before.clone()),
                    after,
                });
            }
        }
        for (key, after) in &now.entries {
            if find(self, key).is_none() {
                changes.push(RuleChange {
                    key: key.clone(),
                    before: None,
                    after: Some(after.clone()),
                });
            }
        }
        changes
    }
}

/// How many changed keys a message names before it only counts the rest.
const NAMED_CHANGES: usize = 5;

/// The refusal of a finalised meeting whose rules changed: the file and the keys, e.g.
/// `meeting.toml changed after finalising: tiers[0].quota 11 → 10`.
pub fn changed_after_finalising(config: &Config, changes: &[RuleChange]) -> Text {
    let in_orgs = |c: &RuleChange| c.key.starts_with("organizations[");
    let in_part_file =
        |c: &RuleChange| c.key.starts_with("composite[") && c.key.contains("].scores.");
    let orgs_changed = changes.iter().any(in_orgs);
    let parts_changed = changes.iter().any(in_part_file);
    let toml_changed = changes.iter().any(|c| !in_orgs(c) && !in_part_file(c));
    let mut files = Vec::new();
    let mut files_zh = Vec::new();
    if toml_changed {
        files.push(MEETING_FILE.to_string());
        files_zh.push(MEETING_FILE.to_string());
    }
    if orgs_changed {
        files.push("the organizations file".to_string());
        files_zh.push("组织名单文件".to_string());
    }
    if parts_changed {
        files.push("a composite part's file".to_string());
        files_zh.push("综合得分组成部分的文件".to_string());
    }
    let files = files.join(" and ");
    let files_zh = files_zh.join(" 和");
    let named = |none: &str| {
        let mut items: Vec<String> = changes
            .iter()
            .take(NAMED_CHANGES)
            .map(|c| {
                format!(
                    "{} {} → {}",
                    c.key,
                    c.before.as_deref().unwrap_or(none),
                    c.after.as_deref().unwrap_or(none)
                )
            })
            .collect();
        if changes.len() > NAMED_CHANGES {
            items.push(format!("(+{})", changes.len() - NAMED_CHANGES));
        }
        items.join(", ")
    };
    let dir = config.dir.display();
    Text::new(
        format!(
            "{files} changed after finalising: {}; restore it as it was, or reopen the meeting first (`reopen {dir} --reason TEXT`)",
            named("(none)")
        ),
        format!(
            "{files_zh} 在定稿后被修改：{}；请恢复原样，或先重新开放会议（`reopen {dir} --reason 原因`）",
            named("（无）")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Organization;

    fn config(toml: &str) -> Config {
        let orgs = ["甲", "乙", "丙"]
            .iter()
            .enumerate()
            .map(|(i, name)| Organization {
                id: format!("O{}", i + 1),
                name: name.to_string(),
                category: String::new(),
            })
            .collect();
        Config::from_parts(toml, orgs).unwrap()
    }

    const TOML: &str = "title = \"甲\"\n\
groups = [{ id = \"leaders\", label = \"领导\", weight = 1.5 }]\n\
tiers = [{ name = \"excellent\", label = \"优秀\", quota = 2 }]\n\
[rules]\nmax_marks = { A = 2 }\n";

    #[test]
    fn the_text_lists_every_rule_that_decides_results_in_a_fixed_order() {
        let text = EffectiveRules::of(&config(TOML)).text();
        let expected = "\
scale[0].key = \"A\"\nscale[0].points = 100\nscale[0].approve = true\n\
scale[1].key = \"B\"\nscale[1].points = 80\nscale[1].approve = true\n\
scale[2].key = \"C\"\nscale[2].points = 60\nscale[2].approve = false\n\
scale[3].key = \"D\"\nscale[3].points = 0\nscale[3].approve = false\n\
groups[0].id = \"leaders\"\ngroups[0].weight = 1.5\n\
tiers[0].name = \"excellent\"\ntiers[0].quota = 2\n\
rules.max_marks.A = 2\nrules.min_marked = 1\nrules.rank_by = \"score\"\n\
rules.tie_breakers = [\"top_rate\", \"approval_rate\"]\n\
organizations[0].id = \"O1\"\norganizations[0].name = \"甲\"\n\
organizations[1].id = \"O2\"\norganizations[1].name = \"乙\"\n\
organizations[2].id = \"O3\"\norganizations[2].name = \"丙\"\n";
        assert_eq!(text, expected);
        assert_eq!(EffectiveRules::parse(&text).text(), text);
        assert_eq!(
            EffectiveRules::of(&config(TOML)).digest(),
            hex(&Sha256::digest(expected.as_bytes()))
        );
    }

    #[test]
    fn a_composite_part_file_edited_is_a_changed_rule_named_by_organization() {
        let toml = "groups = [{ id = \"g\", weight = 1 }]\n\
[rules]\nweighting = \"group_share\"\nrate_base = \"valid_forms\"\nrank_by = \"composite\"\n\
[[composite]]\nid = \"meeting\"\nweight = 0.3\nsource = \"meeting\"\n\
[[composite]]\nid = \"daily\"\nweight = 0.7\nfile = \"daily.csv\"\n";
        let load = |daily: &str| {
            EffectiveRules::of(
                &crate::config::tests::config_with_parts(2, toml, &[("daily.csv", daily)]).unwrap(),
            )
        };
        let before = load("org_id,score\nO1,85.5\nO2,90\n");
        let text = before.text();
        for line in [
            "rules.weighting = \"group_share\"\n",
            "rules.rate_base = \"valid_forms\"\n",
            "rules.rank_by = \"composite\"\n",
            "composite[0].source = \"meeting\"\n",
            "composite[1].file = \"daily.csv\"\ncomposite[1].scores.O1 = 85.5\ncomposite[1].scores.O2 = 90\n",
        ] {
            assert!(text.contains(line), "{line} not in {text}");
        }
        // The same file in another order is the same rules; a changed score is not.
        assert!(before
            .changes(&load("org_id,score\nO2,90.00\nO1,85.50\n"))
            .is_empty());
        let after = load("org_id,score\nO1,86\nO2,90\n");
        let changes = before.changes(&after);
        assert_eq!(
            changes,
            [RuleChange {
                key: "composite[1].scores.O1".into(),
                before: Some("85.5".into()),
                after: Some("86".into()),
            }]
        );
        let config = crate::config::tests::config_with_parts(
            2,
            toml,
            &[("daily.csv", "org_id,score\nO1,86\nO2,90\n")],
        )
        .unwrap();
        let message = changed_after_finalising(&config, &changes);
        assert!(
            message.en.starts_with(
                "a composite part's file changed after finalising: composite[1].scores.O1 85.5 → 86;"
            ),
            "{}",
            message.en
        );
    }

    #[test]
    fn labels_title_and_language_are_not_rules() {
        let relabelled = TOML
            .replace("title = \"甲\"", "title = \"乙\"\nlanguage = \"en\"")
            .replace("label = \"优秀\"", "label = \"先进\"");
        assert_eq!(
            EffectiveRules::of(&config(TOML)),
            EffectiveRules::of(&config(&relabelled))
        );
    }

    #[test]
    fn changes_name_each_key_with_both_values() {
        let before = EffectiveRules::of(&config(TOML));
        let after = EffectiveRules::of(&config(
            &TOML
                .replace("quota = 2", "quota = 1")
                .replace("max_marks = { A = 2 }", "rank_by = \"top_rate\""),
        ));
        let changes = before.changes(&after);
        let named: Vec<(&str, Option<&str>, Option<&str>)> = changes
            .iter()
            .map(|c| (c.key.as_str(), c.before.as_deref(), c.after.as_deref()))
            .collect();
        assert_eq!(
            named,
            [
                ("tiers[0].quota", Some("2"), Some("1")),
                ("rules.max_marks.A", Some("2"), None),
                ("rules.rank_by", Some("\"score\""), Some("\"top_rate\"")),
            ]
        );
        let message = changed_after_finalising(&config(TOML), &changes[..1]);
        assert!(
            message
                .en
                .starts_with("meeting.toml changed after finalising: tiers[0].quota 2 → 1;"),
            "{}",
            message.en
        );
        assert!(before.changes(&before).is_empty());
        // A key only the new rules have is named too.
        assert_eq!(
            after.changes(&before)[2],
            RuleChange {
                key: "rules.max_marks.A".into(),
                before: None,
                after: Some("2".into())
            }
        );
    }

    fn change(key: &str, before: Option<&str>, after: Option<&str>) -> RuleChange {
        RuleChange {
            key: key.into(),
            before: before.map(str::to_string),
            after: after.map(str::to_string),
        }
    }

    #[test]
    fn the_refusal_names_the_file_that_changed() {
        let c = config(TOML);
        let quota = change("tiers[0].quota", Some("2"), Some("1"));
        let name = change("organizations[1].name", Some("\"乙\""), Some("\"丁\""));
        let added = change("organizations[3].id", None, Some("\"O4\""));
        let only_orgs = changed_after_finalising(&c, &[name.clone(), added]);
        assert!(
            only_orgs.en.starts_with(
                "the organizations file changed after finalising: \
                 organizations[1].name \"乙\" → \"丁\", organizations[3].id (none) → \"O4\";"
            ),
            "{}",
            only_orgs.en
        );
        assert!(
            only_orgs.zh.starts_with(
                "组织名单文件 在定稿后被修改：organizations[1].name \"乙\" → \"丁\", \
                 organizations[3].id （无） → \"O4\"；"
            ),
            "{}",
            only_orgs.zh
        );
        let both = changed_after_finalising(&c, &[quota.clone(), name]);
        assert!(
            both.en
                .starts_with("meeting.toml and the organizations file changed after finalising:"),
            "{}",
            both.en
        );
        assert!(
            both.zh
                .starts_with("meeting.toml 和组织名单文件 在定稿后被修改："),
            "{}",
            both.zh
        );
        let only_toml = changed_after_finalising(&c, &[quota]);
        assert!(
            only_toml.zh.starts_with("meeting.toml 在定稿后被修改："),
            "{}",
            only_toml.zh
        );
    }

    #[test]
    fn the_refusal_names_five_keys_and_counts_the_rest() {
        let c = config(TOML);
        let changes: Vec<RuleChange> = (0..6)
            .map(|i| change(&format!("scale[{i}].points"), Some("1"), Some("2")))
            .collect();
        // Five changes: all named, no count.
        let five = changed_after_finalising(&c, &changes[..5]);
        assert!(
            five.en.contains("scale[4].points 1 → 2; restore"),
            "{}",
            five.en
        );
        assert!(!five.en.contains("(+"), "{}", five.en);
        // Six: the first five named, then (+1).
        let six = changed_after_finalising(&c, &changes);
        assert!(
            six.en.contains("scale[4].points 1 → 2, (+1); restore"),
            "{}",
            six.en
        );
        assert!(!six.en.contains("scale[5]"), "{}", six.en);
        assert!(
            six.zh.contains("scale[4].points 1 → 2, (+1)；"),
            "{}",
            six.zh
        );
    }

    #[test]
    fn a_changed_part_weight_is_meeting_toml_and_a_changed_part_score_its_file() {
        let c = config(TOML);
        // composite[1].weight is written in meeting.toml; only composite[1].scores.* come
        // from the part's own file.
        let weight = change("composite[1].weight", Some("0.7"), Some("0.6"));
        let score = change("composite[1].scores.O1", Some("85.5"), Some("86"));
        let only_weight = changed_after_finalising(&c, std::slice::from_ref(&weight));
        assert!(
            only_weight.en.starts_with(
                "meeting.toml changed after finalising: composite[1].weight 0.7 → 0.6;"
            ),
            "{}",
            only_weight.en
        );
        let only_score = changed_after_finalising(&c, std::slice::from_ref(&score));
        assert!(
            only_score
                .en
                .starts_with("a composite part's file changed after finalising:"),
            "{}",
            only_score.en
        );
        let both = changed_after_finalising(&c, &[weight, score]);
        assert!(
            both.en
                .starts_with("meeting.toml and a composite part's file changed after finalising:"),
            "{}",
            both.en
        );
    }
}
