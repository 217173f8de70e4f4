//! Ranking, tiers and decisions (DESIGN.md section 4).
//!
//! Organizations are ordered by `rank_by` and the tie-breakers, compared exactly; equal ones
//! share a competition rank (1, 2, 2, 4) and occupy the span of places they share. A span
//! inside one tier gets it; a span across a cutoff is `undecided` until decisions split the
//! tie group. Decisions are replayed in the order they were made, each only while the
//! situation it was made for still holds, so new ballots that break a tie make it moot.

use crate::config::Config;
use crate::error::Text;
use crate::lang::Lang;
use crate::tally::{Figures, Tally};
use std::cmp::Ordering;

/// A recorded decision: these organizations take places of this tier ahead of the rest of
/// their tie group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Index of the tier.
    pub tier: usize,
    /// Indexes of the organizations named.
    pub orgs: Vec<usize>,
}

/// The tier an organization gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Placement {
    /// The tier at this index.
    Tier(usize),
    /// No tier: past the last quota.
    NoTier,
    /// The span of a tie crosses a cutoff; these tiers (`None`: no tier) are touched.
    Undecided(Vec<Option<usize>>),
}

/// Why a row has a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// Nothing to say.
    None,
    /// Tied across a cutoff and not yet decided; the tiers the span touches.
    TieAtCutoff(Vec<Option<usize>>),
    /// Tied across a cutoff, tier settled by the clerk's decision.
    Decided,
}

/// One row of the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedOrg {
    /// Index into the config's organizations.
    pub org: usize,
    /// Competition rank: 1 + the number of organizations strictly ahead.
    pub rank: usize,
    /// 1-based position in the listing (decisions included).
    pub place: usize,
    /// Last place of the tie group (equals `place` when not tied).
    pub group_end: usize,
    /// The exact figures.
    pub figures: Figures,
    /// The tier.
    pub placement: Placement,
    /// The note.
    pub note: Note,
}

/// The ranked organizations, in listing order.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    /// Rows in rank order; tied rows in decision order, then organizations.csv order.
    pub rows: Vec<RankedOrg>,
}

/// Why a decision is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The organizations are not all in one undecided tie group at a cutoff.
    NotTiedAtCutoff,
    /// Their tie group does not reach across this tier's cutoff from inside the tier.
    NotAcrossTier,
    /// Their tie group also spans an earlier tier, which must be decided first.
    EarlierTierFirst,
    /// More were named than places of the tier are left to their group.
    TooMany {
        /// Places of the tier left to the group.
        left: usize,
    },
}

/// The tier a 1-based place falls in, if any.
pub fn tier_of_place(config: &Config, place: usize) -> Option<usize> {
    let mut end = 0;
    for (i, tier) in config.tiers.iter().enumerate() {
        end += tier.quota;
        if place <= end {
            return Some(i);
        }
    }
    None
}

/// The tier whose last place is `place`: a cutoff line goes under that place. Every face
/// (the table, the workbook, the Ranking tab, the tally sheet) draws cutoffs from this.
pub fn tier_ending_at(config: &Config, place: usize) -> Option<usize> {
    let mut end = 0;
    for (i, tier) in config.tiers.iter().enumerate() {
        end += tier.quota;
        if place == end {
            return Some(i);
        }
    }
    None
}

/// The first and last place of a tier.
fn tier_places(config: &Config, tier: usize) -> (usize, usize) {
    let start: usize = config.tiers[..tier].iter().map(|t| t.quota).sum();
    (start + 1, start + config.tiers[tier].quota)
}

fn compare(config: &Config, a: &Figures, b: &Figures) -> Ordering {
    std::iter::once(config.rules.rank_by)
        .chain(config.rules.tie_breakers.iter().copied())
        .map(|key| b.get(key).cmp(&a.get(key)))
        .find(|o| o.is_ne())
        .unwrap_or(Ordering::Equal)
}

/// Checks whether `decision` applies to a tie group whose undecided members are `remainder`
/// (in listing order), starting at 1-based place `start` and ending at `end`.
fn check(
    config: &Config,
    decision: &Decision,
    remainder: &[usize],
    start: usize,
    end: usize,
) -> Result<(), Refusal> {
    if decision.orgs.is_empty() || !decision.orgs.iter().all(|o| remainder.contains(o)) {
        return Err(Refusal::NotTiedAtCutoff);
    }
    if tier_of_place(config, start) == tier_of_place(config, end) {
        return Err(Refusal::NotTiedAtCutoff);
    }
    let (first, last) = tier_places(config, decision.tier);
    if start < first && end >= first {
        return Err(Refusal::EarlierTierFirst);
    }
    if start < first || start > last || end <= last {
        return Err(Refusal::NotAcrossTier);
    }
    let left = last - start + 1;
    if decision.orgs.len() > left {
        return Err(Refusal::TooMany { left });
    }
    Ok(())
}

/// Ranks the organizations of a tally, applying the decisions that still hold.
pub fn rank(config: &Config, tally: &Tally, decisions: &[Decision]) -> Ranking {
    rank_checked(config, tally, decisions, None).0
}

/// Whether `decision` would be accepted now, given the decisions already recorded.
pub fn check_decision(
    config: &Config,
    tally: &Tally,
    decisions: &[Decision],
    decision: &Decision,
) -> Result<(), Refusal> {
    rank_checked(config, tally, decisions, Some(decision)).1
}

/// Ranks, and checks `candidate` as if it were the newest decision.
fn rank_checked(
    config: &Config,
    tally: &Tally,
    decisions: &[Decision],
    candidate: Option<&Decision>,
) -> (Ranking, Result<(), Refusal>) {
    let figures: Vec<Figures> = tally
        .orgs
        .iter()
        .map(|c| c.figures(&config.scale))
        .collect();
    let mut order: Vec<usize> = (0..figures.len()).collect();
    order.sort_by(|&a, &b| compare(config, &figures[a], &figures[b]).then(a.cmp(&b)));

    let mut candidate_result = Err(Refusal::NotTiedAtCutoff);
    let mut rows = Vec::with_capacity(order.len());
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && compare(config, &figures[order[i]], &figures[order[j]]).is_eq() {
            j += 1;
        }
        let members = &order[i..j];
        let (start, end) = (i + 1, j);
        let crosses = tier_of_place(config, start) != tier_of_place(config, end);

        // Sub-groups in listing order: each applied decision's organizations, then the rest.
        let mut subgroups: Vec<(Vec<usize>, bool)> = Vec::new();
        let mut remainder: Vec<usize> = members.to_vec();
        if crosses {
            let recorded = decisions.iter().map(|d| (d, false));
            for (decision, is_candidate) in recorded.chain(candidate.map(|c| (c, true))) {
                let sub_start = start + (members.len() - remainder.len());
                let result = check(config, decision, &remainder, sub_start, end);
                if is_candidate && decision.orgs.iter().any(|o| members.contains(o)) {
                    candidate_result = result.clone();
                }
                if result.is_ok() && !is_candidate {
                    let named: Vec<usize> = remainder
                        .iter()
                        .copied()
                        .filter(|o| decision.orgs.contains(o))
                        .collect();
                    remainder.retain(|o| !decision.orgs.contains(o));
                    subgroups.push((named, true));
                }
            }
        }
        subgroups.push((remainder, false));

        let rank = start;
        let mut place = start;
        for (subgroup, _) in subgroups.iter().filter(|(s, _)| !s.is_empty()) {
            let (first, last) = (place, place + subgroup.len() - 1);
            let touched: Vec<Option<usize>> = {
                let mut t: Vec<Option<usize>> =
                    (first..=last).map(|p| tier_of_place(config, p)).collect();
                t.dedup();
                t
            };
            let placement = match touched.as_slice() {
                [Some(tier)] => Placement::Tier(*tier),
                [None] => Placement::NoTier,
                _ => Placement::Undecided(touched.clone()),
            };
            let note = match (&placement, crosses) {
                (_, false) => Note::None,
                (Placement::Undecided(t), true) => Note::TieAtCutoff(t.clone()),
                (_, true) => Note::Decided,
            };
            for &org in subgroup {
                rows.push(RankedOrg {
                    org,
                    rank,
                    place,
                    group_end: end,
                    figures: figures[org],
                    placement: placement.clone(),
                    note: note.clone(),
                });
                place += 1;
            }
        }
        i = j;
    }
    (Ranking { rows }, candidate_result)
}

impl Placement {
    /// The tier cell of the results: name in English, label in Chinese, empty for none,
    /// `undecided` / `待定` across a cutoff.
    pub fn text(&self, config: &Config, lang: Lang) -> String {
        match self {
            Placement::Tier(i) => config.tiers[*i].display(lang).to_string(),
            Placement::NoTier => String::new(),
            Placement::Undecided(_) => lang.pick("undecided", "待定").to_string(),
        }
    }
}

impl Note {
    /// The note cell: empty, `tie at cutoff: excellent or better`, or `decided`.
    pub fn text(&self, config: &Config, lang: Lang) -> String {
        match self {
            Note::None => String::new(),
            Note::Decided => lang.pick("decided", "已裁定").to_string(),
            Note::TieAtCutoff(tiers) => {
                let names: Vec<&str> = tiers
                    .iter()
                    .map(|t| match t {
                        Some(i) => config.tiers[*i].display(lang),
                        None => lang.pick("none", "无等次"),
                    })
                    .collect();
                match lang {
                    Lang::En => format!("tie at cutoff: {}", names.join(" or ")),
                    Lang::Zh => format!("名额线并列：{}", names.join("或")),
                }
            }
        }
    }
}

impl Refusal {
    /// The refusal as a message naming the tier.
    pub fn message(&self, config: &Config, tier: usize) -> Text {
        let name = &config.tiers[tier].name;
        let label = &config.tiers[tier].label;
        match self {
            Refusal::NotTiedAtCutoff => Text::new(
                "the organizations named are not tied together across a cutoff, or are already decided",
                "所列组织并非在名额线上并列，或已裁定",
            ),
            Refusal::NotAcrossTier => Text::new(
                format!("their tie does not cross the cutoff at the end of tier {name}"),
                format!("其并列并未跨越“{label}”的名额线"),
            ),
            Refusal::EarlierTierFirst => Text::new(
                format!("their tie also spans the places of a tier before {name}: decide that tier first"),
                format!("其并列还跨越“{label}”之前的等次：请先裁定该等次"),
            ),
            Refusal::TooMany { left } => Text::new(
                format!("more organizations named than the {left} places of tier {name} left to their tie"),
                format!("所列组织多于“{label}”留给该并列的 {left} 个名额"),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Milli;
    use crate::model::{parse_marks, Organization};

    /// A meeting of `n` organizations O1..On with the default scale and these tiers.
    fn config(n: usize, tiers: &[(&str, usize)], extra: &str) -> Config {
        let orgs = (1..=n)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("Org {i}"),
                category: String::new(),
            })
            .collect();
        let tiers: Vec<String> = tiers
            .iter()
            .map(|(name, quota)| {
                format!("{{ name = \"{name}\", label = \"{name}\", quota = {quota} }}")
            })
            .collect();
        let toml = format!("title = \"t\"\ntiers = [{}]\n{extra}", tiers.join(", "));
        Config::from_parts(&toml, orgs).unwrap()
    }

    /// A tally from per-organization mark columns: `columns[o]` lists the marks given to
    /// organization o, one char per ballot, every ballot of weight 1.
    fn tally(config: &Config, columns: &[&str]) -> Tally {
        let ballots = columns[0].len();
        let mut tally = Tally::new(columns.len(), config.scale.len(), config.groups.len());
        for b in 0..ballots {
            let marks: String = columns.iter().map(|c| c.as_bytes()[b] as char).collect();
            tally.add(
                &parse_marks(&marks, &config.scale).unwrap(),
                Milli::ONE,
                None,
            );
        }
        tally
    }

    fn summary(config: &Config, ranking: &Ranking) -> Vec<(String, usize, String, String)> {
        ranking
            .rows
            .iter()
            .map(|r| {
                (
                    config.organizations[r.org].id.clone(),
                    r.rank,
                    r.placement.text(config, Lang::En),
                    r.note.text(config, Lang::En),
                )
            })
            .collect()
    }

    fn row(id: &str, rank: usize, tier: &str, note: &str) -> (String, usize, String, String) {
        (id.to_string(), rank, tier.to_string(), note.to_string())
    }

    #[test]
    fn a_cutoff_lies_under_the_last_place_of_each_tier() {
        // Tiers 2 and 3: cutoffs under places 2 and 5, none elsewhere.
        let c = config(7, &[("excellent", 2), ("better", 3)], "");
        let cutoffs: Vec<Option<usize>> = (1..=7).map(|p| tier_ending_at(&c, p)).collect();
        assert_eq!(
            cutoffs,
            vec![None, Some(0), None, None, Some(1), None, None]
        );
    }

    #[test]
    fn competition_ranking_shares_ranks_inside_a_tier() {
        // Scores: O1 100, O2 = O3 = O4 = 80 (three-way tie), O5 60. Tier "top" has 4 places.
        let c = config(5, &[("top", 4)], "");
        let t = tally(&c, &["AA", "BB", "BB", "BB", "CC"]);
        let r = rank(&c, &t, &[]);
        assert_eq!(
            summary(&c, &r),
            vec![
                row("O1", 1, "top", ""),
                row("O2", 2, "top", ""),
                row("O3", 2, "top", ""),
                row("O4", 2, "top", ""),
                row("O5", 5, "", ""),
            ]
        );
    }

    #[test]
    fn tie_breakers_split_equal_scores_in_order() {
        // O1: A,C -> score 80, top 1/2. O2: B,B -> score 80, top 0. O3: A,C too.
        // Ties on score are broken by top_rate: O1 and O3 (0.5) ahead of O2 (0), and O1, O3
        // share rank 1. Approval: O1 1/2, O2 1: with tie_breakers = [approval_rate] O2 wins.
        let c = config(3, &[], "");
        let t = tally(&c, &["AC", "BB", "AC"]);
        let r = rank(&c, &t, &[]);
        let ranks: Vec<(String, usize)> = summary(&c, &r).into_iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(
            ranks,
            vec![("O1".into(), 1), ("O3".into(), 1), ("O2".into(), 3)]
        );

        let c = config(3, &[], "[rules]\ntie_breakers = [\"approval_rate\"]\n");
        let r = rank(&c, &t, &[]);
        let ranks: Vec<(String, usize)> = summary(&c, &r).into_iter().map(|x| (x.0, x.1)).collect();
        assert_eq!(
            ranks,
            vec![("O2".into(), 1), ("O1".into(), 2), ("O3".into(), 2)]
        );
    }

    #[test]
    fn rank_by_top_rate_orders_by_the_share_of_the_best_option() {
        // O1: A,D -> top 1/2, score 50. O2: B,B -> top 0, score 80.
        let c = config(2, &[], "[rules]\nrank_by = \"top_rate\"\n");
        let t = tally(&c, &["AD", "BB"]);
        let r = rank(&c, &t, &[]);
        assert_eq!(r.rows[0].org, 0);
        assert_eq!(r.rows[1].org, 1);
    }

    #[test]
    fn tie_straddling_a_cutoff_is_undecided() {
        // Tiers excellent 2, better 1. O1 100; O2, O3 tied at 80 occupy places 2 and 3:
        // across the excellent/better cutoff. O4 60 is past the last tier.
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["A", "B", "B", "C"]);
        let r = rank(&c, &t, &[]);
        assert_eq!(
            summary(&c, &r),
            vec![
                row("O1", 1, "excellent", ""),
                row("O2", 2, "undecided", "tie at cutoff: excellent or better"),
                row("O3", 2, "undecided", "tie at cutoff: excellent or better"),
                row("O4", 4, "", ""),
            ]
        );
    }

    #[test]
    fn tie_reaching_past_the_last_tier_names_none() {
        // Tiers excellent 1, better 1. O1 100; O2, O3, O4 tied at 60 span places 2..4:
        // better at place 2, no tier at 3 and 4.
        let c = config(4, &[("excellent", 1), ("better", 1)], "");
        let t = tally(&c, &["A", "C", "C", "C"]);
        let r = rank(&c, &t, &[]);
        for row in &r.rows[1..] {
            assert_eq!(row.rank, 2);
            assert_eq!(row.placement, Placement::Undecided(vec![Some(1), None]));
            assert_eq!(row.note.text(&c, Lang::En), "tie at cutoff: better or none");
            assert_eq!(row.note.text(&c, Lang::Zh), "名额线并列：better或无等次");
        }
    }

    #[test]
    fn three_way_tie_at_the_eleventh_place() {
        // Tiers excellent 11, better 5 over 20 organizations. O1..O9 strictly decreasing,
        // O10, O11, O12 tied: rank 10, places 10, 11, 12 -> across the excellent cutoff.
        let c = config(20, &[("excellent", 11), ("better", 5)], "");
        // Ten ballots; organization i gets (20 - i) A's out of 20 marks... keep it simple:
        // strictly decreasing A counts for O1..O9, the same for O10..O12, fewer after.
        let mut columns: Vec<String> = Vec::new();
        for i in 1..=20usize {
            let a = match i {
                1..=9 => 20 - i,
                10..=12 => 10,
                _ => 21 - i,
            };
            columns.push("A".repeat(a) + &"C".repeat(20 - a));
        }
        let refs: Vec<&str> = columns.iter().map(String::as_str).collect();
        let t = tally(&c, &refs);
        let r = rank(&c, &t, &[]);
        let s = summary(&c, &r);
        assert_eq!(s[8], row("O9", 9, "excellent", ""));
        for (i, id) in ["O10", "O11", "O12"].iter().enumerate() {
            assert_eq!(
                s[9 + i],
                row(id, 10, "undecided", "tie at cutoff: excellent or better")
            );
        }
        assert_eq!(s[12], row("O13", 13, "better", ""));

        // Deciding O12 and O10 for excellent fills places 10 and 11; O11 takes place 12,
        // better. All three are marked decided; ranks stay 10. Tied rows follow the decision,
        // then organizations.csv order (O10 before O12 within one decision).
        let d = Decision {
            tier: 0,
            orgs: vec![11, 9],
        };
        assert_eq!(check_decision(&c, &t, &[], &d), Ok(()));
        let r = rank(&c, &t, std::slice::from_ref(&d));
        let s = summary(&c, &r);
        assert_eq!(s[9], row("O10", 10, "excellent", "decided"));
        assert_eq!(s[10], row("O12", 10, "excellent", "decided"));
        assert_eq!(s[11], row("O11", 10, "better", "decided"));
        assert_eq!(r.rows[11].place, 12);

        // Deciding only O11: it takes place 10; O10 and O12 still share places 11 and 12.
        let d1 = Decision {
            tier: 0,
            orgs: vec![10],
        };
        let r = rank(&c, &t, std::slice::from_ref(&d1));
        let s = summary(&c, &r);
        assert_eq!(s[9], row("O11", 10, "excellent", "decided"));
        assert_eq!(
            s[10],
            row("O10", 10, "undecided", "tie at cutoff: excellent or better")
        );
        assert_eq!(
            s[11],
            row("O12", 10, "undecided", "tie at cutoff: excellent or better")
        );
        // A second decision settles it: O12 gets place 11.
        let d2 = Decision {
            tier: 0,
            orgs: vec![11],
        };
        assert_eq!(
            check_decision(&c, &t, std::slice::from_ref(&d1), &d2),
            Ok(())
        );
        let r = rank(&c, &t, &[d1.clone(), d2]);
        let s = summary(&c, &r);
        assert_eq!(s[10], row("O12", 10, "excellent", "decided"));
        assert_eq!(s[11], row("O10", 10, "better", "decided"));
    }

    #[test]
    fn decisions_are_refused_unless_they_resolve_a_cutoff_tie() {
        // Tiers excellent 2, better 1; O2, O3 tied across the cutoff at places 2-3; O1 alone.
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["A", "B", "B", "C"]);
        // O1 is not tied.
        let d = Decision {
            tier: 0,
            orgs: vec![0],
        };
        assert_eq!(
            check_decision(&c, &t, &[], &d),
            Err(Refusal::NotTiedAtCutoff)
        );
        // O2 and O3 both: one excellent place is left to them.
        let d = Decision {
            tier: 0,
            orgs: vec![1, 2],
        };
        assert_eq!(
            check_decision(&c, &t, &[], &d),
            Err(Refusal::TooMany { left: 1 })
        );
        // Tier better: the tie starts in excellent, which must be decided first.
        let d = Decision {
            tier: 1,
            orgs: vec![1],
        };
        assert_eq!(
            check_decision(&c, &t, &[], &d),
            Err(Refusal::EarlierTierFirst)
        );
        // A third tier after the tie: the tie does not reach it.
        let c3 = config(5, &[("excellent", 2), ("better", 1), ("fair", 1)], "");
        let t3 = tally(&c3, &["A", "B", "B", "C", "D"]);
        let d = Decision {
            tier: 2,
            orgs: vec![1],
        };
        assert_eq!(
            check_decision(&c3, &t3, &[], &d),
            Err(Refusal::NotAcrossTier)
        );
        // Once decided, O2 is no longer undecided: deciding it again is refused.
        let d = Decision {
            tier: 0,
            orgs: vec![1],
        };
        assert_eq!(check_decision(&c, &t, &[], &d), Ok(()));
        assert_eq!(
            check_decision(&c, &t, std::slice::from_ref(&d), &d),
            Err(Refusal::NotTiedAtCutoff)
        );
    }

    #[test]
    fn a_decision_stops_mattering_once_ballots_break_the_tie() {
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let decided = Decision {
            tier: 0,
            orgs: vec![2],
        };
        // Tied: O3 decided into excellent ahead of O2.
        let t = tally(&c, &["A", "B", "B", "C"]);
        let s = summary(&c, &rank(&c, &t, std::slice::from_ref(&decided)));
        assert_eq!(s[1], row("O3", 2, "excellent", "decided"));
        assert_eq!(s[2], row("O2", 2, "better", "decided"));
        // A new ballot puts O2 ahead: the decision no longer applies, ranks follow the votes.
        let t = tally(&c, &["AA", "BA", "BB", "CC"]);
        let s = summary(&c, &rank(&c, &t, &[decided]));
        assert_eq!(s[1], row("O2", 2, "excellent", ""));
        assert_eq!(s[2], row("O3", 3, "better", ""));
    }

    #[test]
    fn blanks_do_not_enter_the_score_and_zero_rated_ranks_last() {
        // O1: A and blank -> score 100 over 1 rated. O2: nobody rated -> 0.
        let c = config(2, &[], "");
        let t = tally(&c, &["A-", "--"]);
        let r = rank(&c, &t, &[]);
        assert_eq!(r.rows[0].figures.score.to_fixed(2), "100.00");
        assert_eq!(r.rows[1].figures.score.to_fixed(2), "0.00");
        assert_eq!(r.rows[1].rank, 2);
    }
}
