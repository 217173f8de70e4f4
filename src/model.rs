//! The words of a meeting: organizations, the rating scale, voter groups, tiers, ballots and
//! their marks. Plain data, no input or output.

use crate::decimal::Milli;
use crate::lang::Lang;

/// A grassroots organization being evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organization {
    /// Short unique id, e.g. `V01`.
    pub id: String,
    /// Full name, e.g. `长兴村党支部`.
    pub name: String,
    /// Optional kind: village, community, enterprise ...
    pub category: String,
}

/// One rating option of the scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaleOption {
    /// One ASCII letter, e.g. `A`; matched case-insensitively.
    pub key: char,
    /// Label in Chinese (or the meeting's own language), e.g. `好`.
    pub label: String,
    /// Optional English label, e.g. `Excellent`.
    pub label_en: Option<String>,
    /// Points, exact to thousandths.
    pub points: Milli,
    /// Whether the option counts as approval.
    pub approve: bool,
}

impl ScaleOption {
    /// The label in the UI language (English falls back to the key's label).
    pub fn label_in(&self, lang: Lang) -> &str {
        match (lang, &self.label_en) {
            (Lang::En, Some(en)) => en,
            _ => &self.label,
        }
    }
}

/// The rating options, best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scale {
    /// The options in order, best first.
    pub options: Vec<ScaleOption>,
}

impl Scale {
    /// The index of the option with this key (case-insensitive).
    pub fn index_of_key(&self, key: char) -> Option<usize> {
        self.options
            .iter()
            .position(|o| o.key.eq_ignore_ascii_case(&key))
    }

    /// The Chinese name of the top rate, the share of the first option, by its label as
    /// a tally sheet words it: `"好"得票率` (`"优秀"得票率` where the option is 优秀).
    pub fn top_rate_zh(&self) -> String {
        format!("\"{}\"得票率", self.options[0].label)
    }

    /// Number of options (crate-wide only: outside, `options.len()` says it, and a loaded
    /// scale is never empty, so it needs no `is_empty`).
    pub(crate) fn len(&self) -> usize {
        self.options.len()
    }
}

/// A voter group and the weight of each of its ballots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// Id used on ballots, e.g. `leaders`.
    pub id: String,
    /// Display label, e.g. `镇领导班子成员`.
    pub label: String,
    /// Weight of each ballot of the group, exact to thousandths.
    pub weight: Milli,
}

/// A named, ordered quota of places.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// English name, e.g. `excellent`.
    pub name: String,
    /// Chinese label, e.g. `优秀`.
    pub label: String,
    /// Number of places.
    pub quota: usize,
}

impl Tier {
    /// The name shown in the UI language: `name` in English, `label` in Chinese.
    pub fn display(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.name,
            Lang::Zh => &self.label,
        }
    }
}

/// A figure an organization can be ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankKey {
    /// Weighted mean points over rated marks.
    Score,
    /// Share of rated marks giving the best option.
    TopRate,
    /// Share of rated marks giving an approving option.
    ApprovalRate,
    /// The weighted mean of the `[[composite]]` parts.
    Composite,
}

impl RankKey {
    /// Parses the config word (`score`, `top_rate`, `approval_rate`, `composite`).
    pub fn parse(word: &str) -> Option<RankKey> {
        match word {
            "score" => Some(RankKey::Score),
            "top_rate" => Some(RankKey::TopRate),
            "approval_rate" => Some(RankKey::ApprovalRate),
            "composite" => Some(RankKey::Composite),
            _ => None,
        }
    }

    /// The config word: what [`RankKey::parse`] reads (the effective rules are written in it).
    pub fn word(self) -> &'static str {
        match self {
            RankKey::Score => "score",
            RankKey::TopRate => "top_rate",
            RankKey::ApprovalRate => "approval_rate",
            RankKey::Composite => "composite",
        }
    }
}

/// The `[rules]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// Per option index: the most marks of that option a valid ballot may give.
    pub max_marks: Vec<Option<usize>>,
    /// The fewest non-blank marks a valid ballot gives.
    pub min_marked: usize,
    /// The primary ranking figure.
    pub rank_by: RankKey,
    /// Figures compared, in order, when `rank_by` is equal.
    pub tie_breakers: Vec<RankKey>,
}

/// One mark of a ballot: for one organization, an option, nothing, or several boxes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mark {
    /// The option at this index of the scale.
    Option(u8),
    /// No box ticked.
    Blank,
    /// Several boxes ticked or unreadable; counts as blank for every rule.
    Spoiled,
}

impl Mark {
    /// The character of the marks string: the option key, `-` blank, `*` spoiled.
    pub fn to_char(self, scale: &Scale) -> char {
        match self {
            Mark::Option(i) => scale.options[i as usize].key,
            Mark::Blank => '-',
            Mark::Spoiled => '*',
        }
    }

    /// The cell of the ballots CSV: the option key, empty for blank, `*` for spoiled.
    pub fn to_cell(self, scale: &Scale) -> String {
        match self {
            Mark::Blank => String::new(),
            other => other.to_char(scale).to_string(),
        }
    }

    /// Whether the mark rates the organization (neither blank nor spoiled).
    pub fn is_rated(self) -> bool {
        matches!(self, Mark::Option(_))
    }
}

/// Parses a marks string (`AAB-*D`: one char per organization) into marks.
///
/// Returns the position (0-based) and character of the first bad character on failure.
pub fn parse_marks(text: &str, scale: &Scale) -> Result<Vec<Mark>, (usize, char)> {
    text.chars()
        .enumerate()
        .map(|(i, c)| match c {
            '-' => Ok(Mark::Blank),
            '*' => Ok(Mark::Spoiled),
            _ => scale
                .index_of_key(c)
                .map(|k| Mark::Option(k as u8))
                .ok_or((i, c)),
        })
        .collect()
}

/// Reads marks as the clerk types them, on the command line as in the UI: per organization
/// an option key (any case) or its 1-based position (`1`-`4`), `-` or `0` for blank, `*` for
/// spoiled; spaces group the organizations and are passed over.
///
/// Returns the position (0-based, in characters of `text`) and character of the first bad
/// character on failure.
pub fn parse_typed_marks(text: &str, scale: &Scale) -> Result<Vec<Mark>, (usize, char)> {
    text.chars()
        .enumerate()
        .filter(|(_, c)| !c.is_whitespace())
        .map(|(i, c)| match c {
            '-' | '0' => Ok(Mark::Blank),
            '*' => Ok(Mark::Spoiled),
            _ => c
                .to_digit(10)
                .map(|d| d as usize)
                .filter(|&d| d >= 1 && d <= scale.len())
                .map(|d| d - 1)
                .or_else(|| scale.index_of_key(c))
                .map(|k| Mark::Option(k as u8))
                .ok_or((i, c)),
        })
        .collect()
}

/// Formats marks as the marks string of [`parse_marks`].
pub fn marks_string(marks: &[Mark], scale: &Scale) -> String {
    marks.iter().map(|m| m.to_char(scale)).collect()
}

/// One paper form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    /// The number on the form, unique among the meeting's ballots that are not voided.
    pub serial: u64,
    /// The voter group id, if any.
    pub group: Option<String>,
    /// One mark per organization, in organizations.csv order.
    pub marks: Vec<Mark>,
}

/// Why a ballot does not enter the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvalidReason {
    /// More marks of an option than `max_marks` allows.
    TooMany {
        /// The option key.
        key: char,
        /// Marks given.
        count: usize,
        /// Marks allowed.
        max: usize,
    },
    /// Fewer non-blank marks than `min_marked`.
    TooFewMarked {
        /// Non-blank marks given.
        count: usize,
        /// Marks required.
        min: usize,
    },
}

impl InvalidReason {
    /// The reason as the store keeps it: a code, not prose, so it is rendered in the UI
    /// language where it is shown (`max_marks:A:12:11`, `min_marked:0:1`).
    pub fn code(&self) -> String {
        match self {
            InvalidReason::TooMany { key, count, max } => format!("max_marks:{key}:{count}:{max}"),
            InvalidReason::TooFewMarked { count, min } => format!("min_marked:{count}:{min}"),
        }
    }

    /// Reads a code written by [`InvalidReason::code`].
    pub fn from_code(code: &str) -> Option<InvalidReason> {
        let parts: Vec<&str> = code.split(':').collect();
        match parts.as_slice() {
            ["max_marks", key, count, max] => {
                let mut chars = key.chars();
                let (Some(key), None) = (chars.next(), chars.next()) else {
                    return None;
                };
                Some(InvalidReason::TooMany {
                    key,
                    count: count.parse().ok()?,
                    max: max.parse().ok()?,
                })
            }
            ["min_marked", count, min] => Some(InvalidReason::TooFewMarked {
                count: count.parse().ok()?,
                min: min.parse().ok()?,
            }),
            _ => None,
        }
    }

    /// The reason as shown, in the UI language. In Chinese an option is named by its label,
    /// as the paper form and a tally sheet name it (`"好" 12 票`); in English by the key the
    /// clerk types (`12 marks A`), which keeps the line within the entry panel.
    pub fn message(&self, scale: &Scale, lang: Lang) -> String {
        match (self, lang) {
            (InvalidReason::TooMany { key, count, max }, Lang::En) => {
                format!(
                    "{} {key}, at most {max} allowed",
                    crate::lang::count_en(*count, "mark", "marks")
                )
            }
            (InvalidReason::TooMany { key, count, max }, Lang::Zh) => {
                let label = scale
                    .index_of_key(*key)
                    .map_or(key.to_string(), |i| scale.options[i].label.clone());
                format!("\"{label}\" {count} 票，最多允许 {max} 票")
            }
            (InvalidReason::TooFewMarked { count, min }, Lang::En) => {
                format!(
                    "{} rated, at least {min} required",
                    crate::lang::count_en(*count, "organization", "organizations")
                )
            }
            (InvalidReason::TooFewMarked { count, min }, Lang::Zh) => {
                format!("仅评价 {count} 个组织，至少需要 {min} 个")
            }
        }
    }
}

/// Checks the validity rules of docs/RULES.md section 5: `max_marks` per option, then
/// `min_marked`. A spoiled mark counts as blank for both.
pub fn validity(marks: &[Mark], scale: &Scale, rules: &Rules) -> Result<(), InvalidReason> {
    // Keys are distinct letters, so a scale has at most 26 options: no allocation per ballot.
    // Blank and spoiled marks land in slot 26, so the loop has no branch on the mark.
    let mut counts = [0usize; 27];
    for mark in marks {
        let slot = match *mark {
            Mark::Option(i) => usize::from(i).min(26),
            Mark::Blank | Mark::Spoiled => 26,
        };
        counts[slot] += 1;
    }
    for (i, max) in rules.max_marks.iter().enumerate() {
        if let Some(max) = max {
            if counts[i] > *max {
                return Err(InvalidReason::TooMany {
                    key: scale.options[i].key,
                    count: counts[i],
                    max: *max,
                });
            }
        }
    }
    let marked: usize = counts[..scale.len()].iter().sum();
    if marked < rules.min_marked {
        return Err(InvalidReason::TooFewMarked {
            count: marked,
            min: rules.min_marked,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_scale;

    fn rules(max_marks: Vec<Option<usize>>, min_marked: usize) -> Rules {
        Rules {
            max_marks,
            min_marked,
            rank_by: RankKey::Score,
            tie_breakers: vec![],
        }
    }

    fn marks(text: &str) -> Vec<Mark> {
        parse_marks(text, &default_scale()).unwrap()
    }

    #[test]
    fn option_keys_match_in_either_case() {
        let scale = default_scale();
        assert_eq!(scale.len(), 4);
        assert_eq!(scale.index_of_key('A'), Some(0));
        assert_eq!(scale.index_of_key('a'), Some(0));
        assert_eq!(scale.index_of_key('d'), Some(3));
        assert_eq!(scale.index_of_key('E'), None);
        assert_eq!(scale.index_of_key('-'), None);
    }

    #[test]
    fn labels_and_tier_names_follow_the_language() {
        let scale = default_scale();
        assert_eq!(scale.options[1].label_in(Lang::En), "Good");
        assert_eq!(scale.options[1].label_in(Lang::Zh), "较好");
        // Without an English label the meeting's own label is shown in English too.
        let plain = ScaleOption {
            label_en: None,
            ..scale.options[0].clone()
        };
        assert_eq!(plain.label_in(Lang::En), "好");
        let tier = Tier {
            name: "excellent".into(),
            label: "优秀".into(),
            quota: 3,
        };
        assert_eq!(tier.display(Lang::En), "excellent");
        assert_eq!(tier.display(Lang::Zh), "优秀");
    }

    #[test]
    fn rank_keys_are_read_from_their_config_words_only() {
        assert_eq!(RankKey::parse("score"), Some(RankKey::Score));
        assert_eq!(RankKey::parse("top_rate"), Some(RankKey::TopRate));
        assert_eq!(RankKey::parse("approval_rate"), Some(RankKey::ApprovalRate));
        for key in [RankKey::Score, RankKey::TopRate, RankKey::ApprovalRate] {
            assert_eq!(RankKey::parse(key.word()), Some(key));
        }
        assert_eq!(RankKey::parse("Score"), None);
        assert_eq!(RankKey::parse("top-rate"), None);
        assert_eq!(RankKey::parse(""), None);
    }

    #[test]
    fn typed_marks_take_keys_positions_blanks_and_spaces_as_the_ui_does() {
        let scale = default_scale();
        let typed = |text: &str| parse_typed_marks(text, &scale);
        assert_eq!(typed("aB-*d"), Ok(marks("AB-*D")));
        assert_eq!(typed("1234 0-*"), Ok(marks("ABCD--*")));
        assert_eq!(typed("  -AB  CD \t"), Ok(marks("-ABCD")));
        assert_eq!(typed(""), Ok(vec![]));
        // Position 5 is past a four-option scale; 9 too; letters not keys; the position
        // counts the spaces typed.
        assert_eq!(typed("AB 5"), Err((3, '5')));
        assert_eq!(typed("9"), Err((0, '9')));
        assert_eq!(typed("AE"), Err((1, 'E')));
        assert_eq!(typed("A.B"), Err((1, '.')));
    }

    #[test]
    fn a_marks_string_has_one_character_per_organization() {
        let scale = default_scale();
        assert_eq!(
            parse_marks("aB-*d", &scale),
            Ok(vec![
                Mark::Option(0),
                Mark::Option(1),
                Mark::Blank,
                Mark::Spoiled,
                Mark::Option(3),
            ])
        );
        assert_eq!(parse_marks("", &scale), Ok(vec![]));
        // The first bad character and its 0-based position.
        assert_eq!(parse_marks("AB?x", &scale), Err((2, '?')));
        assert_eq!(parse_marks("E", &scale), Err((0, 'E')));
        // Written back with the keys as configured.
        assert_eq!(marks_string(&marks("aB-*d"), &scale), "AB-*D");
    }

    #[test]
    fn a_mark_prints_as_its_key_and_only_an_option_is_rated() {
        let scale = default_scale();
        assert_eq!(Mark::Option(2).to_char(&scale), 'C');
        assert_eq!(Mark::Blank.to_char(&scale), '-');
        assert_eq!(Mark::Spoiled.to_char(&scale), '*');
        // In the ballots CSV a blank mark is an empty cell.
        assert_eq!(Mark::Option(2).to_cell(&scale), "C");
        assert_eq!(Mark::Blank.to_cell(&scale), "");
        assert_eq!(Mark::Spoiled.to_cell(&scale), "*");
        assert!(Mark::Option(0).is_rated());
        assert!(!Mark::Blank.is_rated());
        assert!(!Mark::Spoiled.is_rated());
    }

    #[test]
    fn max_marks_applies_to_each_option_it_names() {
        let scale = default_scale();
        // At most one B, no limit on A: "AAAB" valid, "ABB" invalid naming B.
        let limit_b = rules(vec![None, Some(1), None, None], 0);
        assert_eq!(validity(&marks("AAAB"), &scale, &limit_b), Ok(()));
        assert_eq!(
            validity(&marks("ABB"), &scale, &limit_b),
            Err(InvalidReason::TooMany {
                key: 'B',
                count: 2,
                max: 1
            })
        );
        // A limit of zero: any D is too many.
        let no_d = rules(vec![None, None, None, Some(0)], 0);
        assert_eq!(validity(&marks("ABC-*"), &scale, &no_d), Ok(()));
        assert_eq!(
            validity(&marks("AD"), &scale, &no_d),
            Err(InvalidReason::TooMany {
                key: 'D',
                count: 1,
                max: 0
            })
        );
    }

    #[test]
    fn min_marked_counts_rated_marks_at_its_edge() {
        let scale = default_scale();
        // min 3: three rated marks are enough, blank and spoiled ones add nothing.
        let min3 = rules(vec![None; 4], 3);
        assert_eq!(validity(&marks("ABD-*"), &scale, &min3), Ok(()));
        assert_eq!(
            validity(&marks("AB-**"), &scale, &min3),
            Err(InvalidReason::TooFewMarked { count: 2, min: 3 })
        );
        // min 0: even an all-blank ballot is valid.
        assert_eq!(
            validity(&marks("---"), &scale, &rules(vec![None; 4], 0)),
            Ok(())
        );
    }

    #[test]
    fn too_many_is_reported_before_too_few() {
        // "AAA--" breaks both max 2 A and min 4 marked: the max_marks reason is given.
        let scale = default_scale();
        assert_eq!(
            validity(
                &marks("AAA--"),
                &scale,
                &rules(vec![Some(2), None, None, None], 4)
            ),
            Err(InvalidReason::TooMany {
                key: 'A',
                count: 3,
                max: 2
            })
        );
    }

    #[test]
    fn invalid_reasons_read_in_both_languages() {
        let too_many = InvalidReason::TooMany {
            key: 'A',
            count: 5,
            max: 3,
        };
        let organization = Organization {
            id: "O1".into(),
            name: "一".into(),
            category: String::new(),
        };
        let scale = crate::config::Config::from_parts("title = \"t\"\n", vec![organization])
            .unwrap()
            .scale;
        assert_eq!(
            too_many.message(&scale, Lang::En),
            "5 marks A, at most 3 allowed"
        );
        assert_eq!(
            too_many.message(&scale, Lang::Zh),
            "\"好\" 5 票，最多允许 3 票"
        );
        assert_eq!(scale.top_rate_zh(), "\"好\"得票率");
        // A key the scale no longer has is shown as the key.
        let unknown = InvalidReason::TooMany {
            key: 'Z',
            count: 2,
            max: 1,
        };
        assert_eq!(
            unknown.message(&scale, Lang::Zh),
            "\"Z\" 2 票，最多允许 1 票"
        );
        let too_few = InvalidReason::TooFewMarked { count: 1, min: 2 };
        assert_eq!(
            too_few.message(&scale, Lang::En),
            "1 organization rated, at least 2 required"
        );
        let one_too_many = InvalidReason::TooMany {
            key: 'A',
            count: 1,
            max: 0,
        };
        assert_eq!(
            one_too_many.message(&scale, Lang::En),
            "1 mark A, at most 0 allowed"
        );
        assert_eq!(
            too_few.message(&scale, Lang::Zh),
            "仅评价 1 个组织，至少需要 2 个"
        );
    }

    #[test]
    fn invalid_reasons_are_stored_as_codes_and_read_back() {
        let too_many = InvalidReason::TooMany {
            key: 'A',
            count: 12,
            max: 11,
        };
        assert_eq!(too_many.code(), "max_marks:A:12:11");
        assert_eq!(
            InvalidReason::from_code("max_marks:A:12:11"),
            Some(too_many)
        );
        let too_few = InvalidReason::TooFewMarked { count: 0, min: 1 };
        assert_eq!(too_few.code(), "min_marked:0:1");
        assert_eq!(InvalidReason::from_code("min_marked:0:1"), Some(too_few));
        // Prose (what older stores hold) and malformed codes are not codes.
        for text in [
            "12 marks A, at most 11 allowed",
            "max_marks:AB:1:1",
            "max_marks:A:x:1",
            "min_marked:1",
            "",
        ] {
            assert_eq!(InvalidReason::from_code(text), None, "{text}");
        }
    }
}
