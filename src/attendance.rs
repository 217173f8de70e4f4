//! Attendance (应到 / 实到) and the quorum rule: `[attendance] expected, present` and
//! `[rules] quorum = "half"` of meeting.toml (docs/RULES.md section 9).

use crate::error::Text;
use crate::lang::Lang;

/// The people expected at the meeting and those present, each when meeting.toml says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Attendance {
    /// 应到: the people expected.
    pub expected: Option<u64>,
    /// 实到: the people present.
    pub present: Option<u64>,
}

/// A quorum rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quorum {
    /// More than half of those expected must be present.
    Half,
}

impl Quorum {
    /// Parses the config word (`half`).
    pub fn parse(word: &str) -> Option<Quorum> {
        match word {
            "half" => Some(Quorum::Half),
            _ => None,
        }
    }
}

impl Attendance {
    /// Whether nothing is known.
    pub fn is_empty(&self) -> bool {
        self.expected.is_none() && self.present.is_none()
    }

    /// `attendance: 45 expected, 43 present` / `应到 45 人，实到 43 人`; None when nothing is
    /// known.
    pub fn text(&self, lang: Lang) -> Option<String> {
        if self.is_empty() {
            return None;
        }
        let figure = |n: Option<u64>| n.map_or_else(|| "—".to_string(), |n| n.to_string());
        Some(match lang {
            Lang::En => format!(
                "attendance: {} expected, {} present",
                figure(self.expected),
                figure(self.present)
            ),
            Lang::Zh => format!(
                "应到 {} 人，实到 {} 人",
                figure(self.expected),
                figure(self.present)
            ),
        })
    }

    /// The breach of `quorum`, said as the void round is: None when there is no rule or it
    /// is met. Without both figures the rule cannot be met.
    pub fn quorum_breach(&self, quorum: Option<Quorum>) -> Option<Text> {
        let Some(Quorum::Half) = quorum else {
            return None;
        };
        match (self.expected, self.present) {
            // Present must exceed half of expected: 2·present > expected, exact.
            (Some(expected), Some(present)) if u128::from(present) * 2 > u128::from(expected) => {
                None
            }
            (Some(expected), Some(present)) => Some(Text::new(
                format!("QUORUM NOT MET: {present} present of {expected} expected, more than half required"),
                format!("未达法定人数（QUORUM NOT MET）：应到 {expected} 人，实到 {present} 人，须超过半数"),
            )),
            _ => Some(Text::new(
                "QUORUM NOT MET: the quorum rule needs [attendance] expected and present in meeting.toml",
                "未达法定人数（QUORUM NOT MET）：法定人数规则需要 meeting.toml 的 [attendance] expected 和 present",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(expected: u64, present: u64) -> Attendance {
        Attendance {
            expected: Some(expected),
            present: Some(present),
        }
    }

    #[test]
    fn half_needs_more_than_half_present() {
        // 45 expected: 23 is more than 22.5, 22 is not.
        assert_eq!(of(45, 23).quorum_breach(Some(Quorum::Half)), None);
        assert!(of(45, 22).quorum_breach(Some(Quorum::Half)).is_some());
        // 44 expected: exactly half (22) is not more than half.
        assert!(of(44, 22).quorum_breach(Some(Quorum::Half)).is_some());
        assert_eq!(of(44, 23).quorum_breach(Some(Quorum::Half)), None);
        // Nobody expected and nobody present: 0 is not more than half of 0.
        assert!(of(0, 0).quorum_breach(Some(Quorum::Half)).is_some());
        assert_eq!(of(1, 1).quorum_breach(Some(Quorum::Half)), None);
        let breach = of(45, 22).quorum_breach(Some(Quorum::Half)).unwrap();
        assert!(breach.en.contains("22 present of 45 expected"));
        assert!(breach.zh.contains("实到 22 人"));
    }

    #[test]
    fn no_rule_is_never_breached_and_a_rule_without_figures_is() {
        assert_eq!(of(45, 1).quorum_breach(None), None);
        assert_eq!(Attendance::default().quorum_breach(None), None);
        let unknown = Attendance {
            expected: Some(45),
            present: None,
        };
        assert!(unknown.quorum_breach(Some(Quorum::Half)).is_some());
        assert_eq!(Quorum::parse("half"), Some(Quorum::Half));
        assert_eq!(Quorum::parse("most"), None);
    }

    #[test]
    fn text_says_both_figures_or_nothing() {
        assert_eq!(Attendance::default().text(Lang::En), None);
        assert_eq!(
            of(45, 43).text(Lang::En).unwrap(),
            "attendance: 45 expected, 43 present"
        );
        assert_eq!(of(45, 43).text(Lang::Zh).unwrap(), "应到 45 人，实到 43 人");
        let half = Attendance {
            expected: Some(45),
            present: None,
        };
        assert_eq!(
            half.text(Lang::En).unwrap(),
            "attendance: 45 expected, — present"
        );
    }
}
