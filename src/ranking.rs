//! Ranking, tiers and decisions (docs/RULES.md sections 7 and 8).
//!
//! Organizations are ordered by `rank_by` and the tie-breakers, compared exactly; equal ones
//! share a competition rank (1, 2, 2, 4) and occupy the span of places they share. A span
//! inside one tier gets it; a span across a cutoff is `undecided` until decisions split the
//! tie group. A decision is bound to the tie it settled: it is replayed, in the order the
//! decisions were made, only on a tie group of exactly the same organizations at exactly the
//! same places, and only while it still gives places of its tier across that tier's cutoff.
//! Otherwise it lapses, and the rows of its organizations say so.

use crate::config::Config;
use crate::error::Text;
use crate::lang::Lang;
use crate::tally::Figures;
use std::cmp::Ordering;

/// The tie a decision was made for: the whole tie group and the places it occupied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tie {
    /// Indexes of the tied organizations, ascending.
    pub orgs: Vec<usize>,
    /// First place the tie occupied (1-based).
    pub first: usize,
    /// Last place the tie occupied.
    pub last: usize,
}

/// A recorded decision: in this tie, the organizations named take places of this tier ahead
/// of the rest of their tie group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Index of the tier.
    pub tier: usize,
    /// The tie it settles.
    pub tie: Tie,
    /// Indexes of the organizations named, in the order the clerk gave them.
    pub orgs: Vec<usize>,
}

/// What became of a decision when the ranking was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// Its tie still stands and it gave its organizations places of its tier.
    Applied,
    /// Its tie no longer stands as it was (or the decision no longer fits it): not applied.
    Lapsed,
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
    /// Tied across a cutoff and undecided again: a decision about this organization lapsed
    /// because its tie changed. The tiers the span touches.
    LapsedAtCutoff(Vec<Option<usize>>),
    /// A decision about this organization lapsed; the ballots now place it without one.
    Lapsed,
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
    /// What became of each decision given to [`rank`], in the same order.
    pub replay: Vec<Replay>,
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

/// Checks whether naming `named` for tier `tier` settles part of a tie whose undecided
/// members are `remainder`, occupying places `start..=end`.
fn check(
    config: &Config,
    tier: usize,
    named: &[usize],
    remainder: &[usize],
    start: usize,
    end: usize,
) -> Result<(), Refusal> {
    if named.is_empty() || !named.iter().all(|o| remainder.contains(o)) {
        return Err(Refusal::NotTiedAtCutoff);
    }
    if tier_of_place(config, start) == tier_of_place(config, end) {
        return Err(Refusal::NotTiedAtCutoff);
    }
    let (first, last) = tier_places(config, tier);
    if start > last {
        // The tier ends before the tie starts.
        return Err(Refusal::NotAcrossTier);
    }
    if start < first {
        return Err(if end >= first {
            Refusal::EarlierTierFirst
        } else {
            Refusal::NotAcrossTier
        });
    }
    // The tie starts inside the tier and, crossing a cutoff, ends after it.
    let left = last - start + 1;
    if named.len() > left {
        return Err(Refusal::TooMany { left });
    }
    Ok(())
}

/// One tie group (or single organization) of the ranking, with the decisions replayed on it.
struct Group {
    /// Its organizations, ascending (the listing order of ties before decisions).
    members: Vec<usize>,
    /// First place it occupies.
    start: usize,
    /// Last place it occupies.
    end: usize,
    /// The organizations each applied decision placed, in the order applied.
    decided: Vec<Vec<usize>>,
    /// The members no decision placed.
    remainder: Vec<usize>,
}

impl Group {
    /// The first place left to the members no decision placed.
    fn remainder_start(&self) -> usize {
        self.start + (self.members.len() - self.remainder.len())
    }

    /// Whether this is exactly the tie a decision was made for.
    fn is(&self, tie: &Tie) -> bool {
        self.start == tie.first && self.end == tie.last && self.members == tie.orgs
    }
}

/// Orders the organizations into tie groups and replays the decisions on them.
fn replay(
    config: &Config,
    figures: &[Figures],
    decisions: &[Decision],
) -> (Vec<Group>, Vec<Replay>) {
    let mut order: Vec<usize> = (0..figures.len()).collect();
    order.sort_by(|&a, &b| compare(config, &figures[a], &figures[b]).then(a.cmp(&b)));

    let mut outcome = vec![Replay::Lapsed; decisions.len()];
    let mut groups = Vec::new();
    let mut next_place = 1;
    // Sorted, so equal organizations are adjacent; ties within a group keep index order.
    for members in order.chunk_by(|&a, &b| compare(config, &figures[a], &figures[b]).is_eq()) {
        let (start, end) = (next_place, next_place + members.len() - 1);
        next_place = end + 1;
        let mut group = Group {
            members: members.to_vec(),
            start,
            end,
            decided: Vec::new(),
            remainder: members.to_vec(),
        };
        // check() refuses a decision whose tie no longer crosses its tier's cutoff.
        for (decision, outcome) in decisions.iter().zip(outcome.iter_mut()) {
            if !group.is(&decision.tie) {
                continue;
            }
            let fits = check(
                config,
                decision.tier,
                &decision.orgs,
                &group.remainder,
                group.remainder_start(),
                end,
            );
            if fits.is_ok() {
                let (named, rest) = group
                    .remainder
                    .iter()
                    .partition(|o| decision.orgs.contains(o));
                group.decided.push(named);
                group.remainder = rest;
                *outcome = Replay::Applied;
            }
        }
        groups.push(group);
    }
    (groups, outcome)
}

/// Ranks the organizations by their figures ([`crate::scoring::figures`], in
/// organizations.csv order), applying the decisions whose tie still stands.
pub fn rank(config: &Config, figures: &[Figures], decisions: &[Decision]) -> Ranking {
    let (groups, replay) = replay(config, figures, decisions);
    let lapsed: Vec<usize> = decisions
        .iter()
        .zip(&replay)
        .filter(|(_, r)| **r == Replay::Lapsed)
        .flat_map(|(d, _)| d.tie.orgs.iter().chain(&d.orgs).copied())
        .collect();

    let mut rows = Vec::with_capacity(figures.len());
    for group in &groups {
        // A tie that decisions split is settled by them, its remainder included.
        let decided = !group.decided.is_empty();
        let subgroups = group.decided.iter().chain([&group.remainder]);
        let mut place = group.start;
        for subgroup in subgroups.filter(|s| !s.is_empty()) {
            let (first, last) = (place, place + subgroup.len() - 1);
            let mut touched: Vec<Option<usize>> =
                (first..=last).map(|p| tier_of_place(config, p)).collect();
            touched.dedup();
            let placement = match touched.as_slice() {
                [Some(tier)] => Placement::Tier(*tier),
                [None] => Placement::NoTier,
                _ => Placement::Undecided(touched.clone()),
            };
            for &org in subgroup {
                let lapsed = lapsed.contains(&org);
                let note = match (&placement, decided, lapsed) {
                    (Placement::Undecided(t), _, false) => Note::TieAtCutoff(t.clone()),
                    (Placement::Undecided(t), _, true) => Note::LapsedAtCutoff(t.clone()),
                    (_, true, _) => Note::Decided,
                    (_, false, true) => Note::Lapsed,
                    (_, false, false) => Note::None,
                };
                rows.push(RankedOrg {
                    org,
                    rank: group.start,
                    place,
                    group_end: group.end,
                    figures: figures[org],
                    placement: placement.clone(),
                    note,
                });
                place += 1;
            }
        }
    }
    Ranking { rows, replay }
}

/// The decision that naming `orgs` for tier `tier` would record now, given the decisions
/// already recorded: bound to the tie group the organizations stand in, or refused.
pub fn propose(
    config: &Config,
    figures: &[Figures],
    decisions: &[Decision],
    tier: usize,
    orgs: &[usize],
) -> Result<Decision, Refusal> {
    let (groups, _) = replay(config, figures, decisions);
    let group = orgs
        .first()
        .and_then(|o| groups.iter().find(|g| g.members.contains(o)))
        .ok_or(Refusal::NotTiedAtCutoff)?;
    check(
        config,
        tier,
        orgs,
        &group.remainder,
        group.remainder_start(),
        group.end,
    )?;
    Ok(Decision {
        tier,
        tie: Tie {
            orgs: group.members.clone(),
            first: group.start,
            last: group.end,
        },
        orgs: orgs.to_vec(),
    })
}

/// The decisions (indexes into `decisions`, which `ranking` was made with) that withdrawing
/// the decision of tier `tier` takes back: every decision of that tier, applied or lapsed,
/// and the applied decisions of later tiers on a tie where one of that tier's applied (they
/// took the places after it and would lapse without it). Empty: nothing to withdraw.
pub fn withdrawals(ranking: &Ranking, decisions: &[Decision], tier: usize) -> Vec<usize> {
    let applied = |i: usize| ranking.replay.get(i) == Some(&Replay::Applied);
    let ties: Vec<&Tie> = decisions
        .iter()
        .enumerate()
        .filter(|&(i, d)| d.tier == tier && applied(i))
        .map(|(_, d)| &d.tie)
        .collect();
    decisions
        .iter()
        .enumerate()
        .filter(|&(i, d)| match d.tier.cmp(&tier) {
            Ordering::Equal => true,
            Ordering::Greater => applied(i) && ties.contains(&&d.tie),
            Ordering::Less => false,
        })
        .map(|(i, _)| i)
        .collect()
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
    /// The note cell: empty, `tie at cutoff: excellent or better`, `decided`, or the same
    /// with `(decision lapsed)` / `decision lapsed`.
    pub fn text(&self, config: &Config, lang: Lang) -> String {
        let lapsed = lang.pick("decision lapsed", "裁定已失效");
        match self {
            Note::None => String::new(),
            Note::Decided => lang.pick("decided", "已裁定").to_string(),
            Note::Lapsed => lapsed.to_string(),
            Note::TieAtCutoff(tiers) => tie_at_cutoff(config, lang, tiers),
            Note::LapsedAtCutoff(tiers) => match lang {
                Lang::En => format!("{} ({lapsed})", tie_at_cutoff(config, lang, tiers)),
                Lang::Zh => format!("{}（{lapsed}）", tie_at_cutoff(config, lang, tiers)),
            },
        }
    }
}

/// `tie at cutoff: excellent or better` (`none` past the last tier).
fn tie_at_cutoff(config: &Config, lang: Lang, tiers: &[Option<usize>]) -> String {
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
    use crate::tally::Tally;

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

    /// The figures of a tally from per-organization mark columns: `columns[o]` lists the
    /// marks given to organization o, one char per ballot, every ballot of weight 1.
    fn tally(config: &Config, columns: &[&str]) -> Vec<Figures> {
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
        crate::scoring::figures(config, &tally).unwrap()
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

    /// Organization indexes from ids O1, O2, ...
    fn orgs(ids: &[&str]) -> Vec<usize> {
        ids.iter()
            .map(|id| id[1..].parse::<usize>().unwrap() - 1)
            .collect()
    }

    /// Proposes naming `ids` for tier `tier` and, when accepted, records the decision.
    fn decide(
        c: &Config,
        t: &[Figures],
        decisions: &mut Vec<Decision>,
        tier: usize,
        ids: &[&str],
    ) -> Result<(), Refusal> {
        let decision = propose(c, t, decisions, tier, &orgs(ids))?;
        decisions.push(decision);
        Ok(())
    }

    fn tie(ids: &[&str], first: usize, last: usize) -> Tie {
        Tie {
            orgs: orgs(ids),
            first,
            last,
        }
    }

    #[test]
    fn three_way_tie_at_the_eleventh_place() {
        // Tiers excellent 11, better 5 over 20 organizations. O1..O9 strictly decreasing,
        // O10, O11, O12 tied: rank 10, places 10, 11, 12 -> across the excellent cutoff.
        let c = config(20, &[("excellent", 11), ("better", 5)], "");
        // Twenty ballots: strictly decreasing A counts for O1..O9, the same (10) for
        // O10..O12, fewer after; the rest C.
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
        let mut both = Vec::new();
        decide(&c, &t, &mut both, 0, &["O12", "O10"]).unwrap();
        assert_eq!(
            both[0],
            Decision {
                tier: 0,
                tie: tie(&["O10", "O11", "O12"], 10, 12),
                orgs: orgs(&["O12", "O10"]),
            }
        );
        let r = rank(&c, &t, &both);
        let s = summary(&c, &r);
        assert_eq!(s[9], row("O10", 10, "excellent", "decided"));
        assert_eq!(s[10], row("O12", 10, "excellent", "decided"));
        assert_eq!(s[11], row("O11", 10, "better", "decided"));
        assert_eq!(r.rows[11].place, 12);
        assert_eq!(r.replay, vec![Replay::Applied]);
    }

    #[test]
    fn decisions_are_refused_unless_they_resolve_a_cutoff_tie() {
        // Tiers excellent 2, better 1; O2, O3 tied across the cutoff at places 2-3; O1 alone.
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["A", "B", "B", "C"]);
        let propose_now = |tier, ids: &[&str]| propose(&c, &t, &[], tier, &orgs(ids));
        // O1 is not tied; nobody named.
        assert_eq!(propose_now(0, &["O1"]), Err(Refusal::NotTiedAtCutoff));
        assert_eq!(propose_now(0, &[]), Err(Refusal::NotTiedAtCutoff));
        // O2 and O3 both: one excellent place is left to them.
        assert_eq!(
            propose_now(0, &["O2", "O3"]),
            Err(Refusal::TooMany { left: 1 })
        );
        // Tier better: the tie starts in excellent, which must be decided first.
        assert_eq!(propose_now(1, &["O2"]), Err(Refusal::EarlierTierFirst));
        // Once decided, O2 is no longer undecided: deciding it again is refused, and so is
        // deciding O3, whose tie is settled.
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O2"]).unwrap();
        assert_eq!(
            decide(&c, &t, &mut decisions, 0, &["O2"]),
            Err(Refusal::NotTiedAtCutoff)
        );
        assert_eq!(
            decide(&c, &t, &mut decisions, 1, &["O3"]),
            Err(Refusal::NotTiedAtCutoff)
        );
    }

    #[test]
    fn a_tie_starting_at_the_first_place_of_the_tier_can_be_decided() {
        // Tiers excellent 1, better 1; marks A, A, C: O1 and O2 tied at places 1-2, the
        // first place of excellent and the first of better.
        let c = config(3, &[("excellent", 1), ("better", 1)], "");
        let t = tally(&c, &["A", "A", "C"]);
        let mut decisions = Vec::new();
        assert_eq!(decide(&c, &t, &mut decisions, 0, &["O2"]), Ok(()));
        assert_eq!(decisions[0].tie, tie(&["O1", "O2"], 1, 2));
        let s = summary(&c, &rank(&c, &t, &decisions));
        assert_eq!(
            s,
            vec![
                row("O2", 1, "excellent", "decided"),
                row("O1", 1, "better", "decided"),
                row("O3", 3, "", ""),
            ]
        );
    }

    #[test]
    fn a_tier_ending_before_the_tie_starts_cannot_be_decided() {
        // Tiers excellent 1, better 1, fair 1; marks A, B, B, C: O2 and O3 tied at places
        // 2-3, across the better/fair cutoff. Excellent ended at place 1.
        let c = config(4, &[("excellent", 1), ("better", 1), ("fair", 1)], "");
        let t = tally(&c, &["A", "B", "B", "C"]);
        assert_eq!(
            propose(&c, &t, &[], 0, &orgs(&["O2"])),
            Err(Refusal::NotAcrossTier)
        );
        assert!(propose(&c, &t, &[], 1, &orgs(&["O2"])).is_ok());
    }

    #[test]
    fn a_tier_starting_after_the_tie_ends_cannot_be_decided() {
        // Tiers excellent 1, better 1, fair 1; marks A, A, B, C: O1 and O2 tied at places
        // 1-2, across the excellent/better cutoff. Fair starts at place 3, after the tie;
        // better starts inside it, after excellent, which comes first.
        let c = config(4, &[("excellent", 1), ("better", 1), ("fair", 1)], "");
        let t = tally(&c, &["A", "A", "B", "C"]);
        assert_eq!(
            propose(&c, &t, &[], 2, &orgs(&["O1"])),
            Err(Refusal::NotAcrossTier)
        );
        assert_eq!(
            propose(&c, &t, &[], 1, &orgs(&["O1"])),
            Err(Refusal::EarlierTierFirst)
        );
    }

    #[test]
    fn an_organization_outside_the_tie_is_refused() {
        // Tiers excellent 2, better 1; O2, O3 tied at places 2-3; O1 and O4 alone.
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["A", "B", "B", "C"]);
        for ids in [&["O2", "O4"][..], &["O4", "O2"], &["O1", "O2"]] {
            assert_eq!(
                propose(&c, &t, &[], 0, &orgs(ids)),
                Err(Refusal::NotTiedAtCutoff),
                "{ids:?}"
            );
        }
    }

    #[test]
    fn a_second_decision_on_the_same_tie_gets_only_the_places_left() {
        // Tiers excellent 2, better 1; O1, O2, O3 tied at places 1-3. The first decision
        // gives O3 place 1; the second has one excellent place left (place 2), not two.
        let c = config(3, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["A", "A", "A"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O3"]).unwrap();
        let s = summary(&c, &rank(&c, &t, &decisions));
        assert_eq!(s[0], row("O3", 1, "excellent", "decided"));
        assert_eq!(
            s[1],
            row("O1", 1, "undecided", "tie at cutoff: excellent or better")
        );
        assert_eq!(
            decide(&c, &t, &mut decisions, 0, &["O1", "O2"]),
            Err(Refusal::TooMany { left: 1 })
        );
        decide(&c, &t, &mut decisions, 0, &["O2"]).unwrap();
        // Bound to the whole tie, as it stood: all three at places 1-3.
        assert_eq!(decisions[1].tie, tie(&["O1", "O2", "O3"], 1, 3));
        let r = rank(&c, &t, &decisions);
        assert_eq!(
            summary(&c, &r),
            vec![
                row("O3", 1, "excellent", "decided"),
                row("O2", 1, "excellent", "decided"),
                row("O1", 1, "better", "decided"),
            ]
        );
        assert_eq!(
            r.rows.iter().map(|r| r.place).collect::<Vec<_>>(),
            [1, 2, 3]
        );
        assert_eq!(r.replay, vec![Replay::Applied, Replay::Applied]);
    }

    #[test]
    fn two_ties_at_two_cutoffs_are_decided_independently() {
        // Tiers excellent 1, better 2. O1, O2 tied at places 1-2 (excellent/better); O3, O4
        // tied at places 3-4 (better/none).
        let c = config(4, &[("excellent", 1), ("better", 2)], "");
        let t = tally(&c, &["A", "A", "B", "B"]);
        let s = summary(&c, &rank(&c, &t, &[]));
        assert_eq!(
            s[3],
            row("O4", 3, "undecided", "tie at cutoff: better or none")
        );
        // Each decision is accepted with the other tie still open, in either order.
        for first_tie_first in [true, false] {
            let mut decisions = Vec::new();
            if first_tie_first {
                assert_eq!(decide(&c, &t, &mut decisions, 0, &["O2"]), Ok(()));
            }
            assert_eq!(decide(&c, &t, &mut decisions, 1, &["O4"]), Ok(()));
            if !first_tie_first {
                assert_eq!(decide(&c, &t, &mut decisions, 0, &["O2"]), Ok(()));
            }
            let r = rank(&c, &t, &decisions);
            assert_eq!(
                summary(&c, &r),
                vec![
                    row("O2", 1, "excellent", "decided"),
                    row("O1", 1, "better", "decided"),
                    row("O4", 3, "better", "decided"),
                    row("O3", 3, "", "decided"),
                ]
            );
            assert_eq!(r.replay, vec![Replay::Applied, Replay::Applied]);
        }
    }

    #[test]
    fn a_decision_lapses_when_a_ballot_changes_its_tie() {
        // The case of the issue. Tiers excellent 1, better 1; one ballot rates O1, O2, O3 all
        // A: tied at places 1-3. Excellent goes to O2, then better to O3.
        let c = config(3, &[("excellent", 1), ("better", 1)], "");
        let t = tally(&c, &["A", "A", "A"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O2"]).unwrap();
        let s = summary(&c, &rank(&c, &t, &decisions));
        assert_eq!(s[0], row("O2", 1, "excellent", "decided"));
        assert_eq!(
            s[1],
            row("O1", 1, "undecided", "tie at cutoff: better or none")
        );
        decide(&c, &t, &mut decisions, 1, &["O3"]).unwrap();
        assert_eq!(decisions[1].tie, tie(&["O1", "O2", "O3"], 1, 3));
        assert_eq!(
            summary(&c, &rank(&c, &t, &decisions)),
            vec![
                row("O2", 1, "excellent", "decided"),
                row("O3", 1, "better", "decided"),
                row("O1", 1, "", "decided"),
            ]
        );

        // One more ballot, A B B: O1 100 first alone; O2 and O3 90, tied at places 2-3 —
        // a different tie. Both decisions lapse: better is undecided again, and says why.
        let t2 = tally(&c, &["AA", "AB", "AB"]);
        let r = rank(&c, &t2, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed, Replay::Lapsed]);
        let lapsed = "tie at cutoff: better or none (decision lapsed)";
        assert_eq!(
            summary(&c, &r),
            vec![
                row("O1", 1, "excellent", "decision lapsed"),
                row("O2", 2, "undecided", lapsed),
                row("O3", 2, "undecided", lapsed),
            ]
        );
        assert_eq!(r.rows[1].note, Note::LapsedAtCutoff(vec![Some(1), None]));
        assert_eq!(r.rows[0].note, Note::Lapsed);
        assert_eq!(
            r.rows[1].note.text(&c, Lang::Zh),
            "名额线并列：better或无等次（裁定已失效）"
        );
        assert_eq!(r.rows[0].note.text(&c, Lang::Zh), "裁定已失效");

        // Decided anew on the new tie: decided, the lapse no longer shown on it.
        decide(&c, &t2, &mut decisions, 1, &["O3"]).unwrap();
        let r = rank(&c, &t2, &decisions);
        assert_eq!(r.replay[2], Replay::Applied);
        assert_eq!(
            summary(&c, &r)[1..],
            [
                row("O3", 2, "better", "decided"),
                row("O2", 2, "", "decided")
            ]
        );

        // The ballot withdrawn, the first tie stands again exactly: the first two
        // decisions apply again, the third lapses.
        let r = rank(&c, &t, &decisions);
        assert_eq!(
            r.replay,
            vec![Replay::Applied, Replay::Applied, Replay::Lapsed]
        );
        assert_eq!(summary(&c, &r)[0], row("O2", 1, "excellent", "decided"));
    }

    #[test]
    fn a_decision_lapses_when_ballots_break_its_tie() {
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let mut decisions = Vec::new();
        // Tied: O3 decided into excellent ahead of O2.
        let t = tally(&c, &["A", "B", "B", "C"]);
        decide(&c, &t, &mut decisions, 0, &["O3"]).unwrap();
        let s = summary(&c, &rank(&c, &t, &decisions));
        assert_eq!(s[1], row("O3", 2, "excellent", "decided"));
        assert_eq!(s[2], row("O2", 2, "better", "decided"));
        // A new ballot puts O2 ahead: the decision lapses, ranks and tiers follow the votes,
        // and the two rows it named say it lapsed; O1 and O4 were not in it.
        let t = tally(&c, &["AA", "BA", "BB", "CC"]);
        let s = summary(&c, &rank(&c, &t, &decisions));
        assert_eq!(s[0], row("O1", 1, "excellent", ""));
        assert_eq!(s[1], row("O2", 2, "excellent", "decision lapsed"));
        assert_eq!(s[2], row("O3", 3, "better", "decision lapsed"));
        assert_eq!(s[3], row("O4", 4, "", ""));
    }

    #[test]
    fn a_decision_lapses_when_another_organization_takes_a_place_in_its_tie() {
        // Tiers excellent 2, better 1. O2 and O3 tied at places 2-3; O2 is decided into
        // excellent. Then O3 drops and O4 rises to O2's score: a tie at the same places,
        // across the same cutoff, with O2 in it, but not the tie the clerk decided.
        let c = config(4, &[("excellent", 2), ("better", 1)], "");
        let t = tally(&c, &["AA", "BB", "BB", "CC"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O2"]).unwrap();
        let t = tally(&c, &["AA", "BB", "CC", "BB"]);
        let r = rank(&c, &t, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        let s = summary(&c, &r);
        let lapsed = "tie at cutoff: excellent or better (decision lapsed)";
        assert_eq!(s[1], row("O2", 2, "undecided", lapsed));
        // O4 was not in the decision: its note is the plain one.
        assert_eq!(
            s[2],
            row("O4", 2, "undecided", "tie at cutoff: excellent or better")
        );
        assert_eq!(s[3], row("O3", 4, "", "decision lapsed"));
    }

    #[test]
    fn a_decision_lapses_when_its_tie_moves_to_other_places() {
        // Tiers excellent 2, better 2. O2, O3, O4 tied at places 2-4; O3 takes the one
        // excellent place left. Then O1 falls below them: the same three tie at places 1-3,
        // across the same cutoff, with two excellent places: a different tie.
        let c = config(5, &[("excellent", 2), ("better", 2)], "");
        let t = tally(&c, &["A", "B", "B", "B", "C"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O3"]).unwrap();
        assert_eq!(decisions[0].tie, tie(&["O2", "O3", "O4"], 2, 4));
        let t = tally(&c, &["AD", "BB", "BB", "BB", "CC"]);
        let r = rank(&c, &t, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        let lapsed = "tie at cutoff: excellent or better (decision lapsed)";
        let s = summary(&c, &r);
        for (i, id) in ["O2", "O3", "O4"].iter().enumerate() {
            assert_eq!(s[i], row(id, 1, "undecided", lapsed));
        }
        // O1 (50) now below O5 (60); neither was in the tie.
        assert_eq!(s[3], row("O5", 4, "better", ""));
        assert_eq!(s[4], row("O1", 5, "", ""));
    }

    #[test]
    fn a_decision_lapses_when_its_tie_moves_to_another_cutoff() {
        // Tiers excellent 2, better 2: O2, O3 tied at places 2-3 across the excellent
        // cutoff; O3 is decided into excellent.
        let c = config(5, &[("excellent", 2), ("better", 2)], "");
        let t = tally(&c, &["A", "B", "B", "C", "C"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O3"]).unwrap();
        // Ballots move O5 (90) and O4 (80) above them: still tied with each other, now at
        // places 4-5 across the better cutoff. The excellent decision lapses.
        let t2 = tally(&c, &["AA", "BC", "BC", "CA", "BA"]);
        let r = rank(&c, &t2, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        let s = summary(&c, &r);
        assert_eq!(s[1], row("O5", 2, "excellent", ""));
        assert_eq!(s[2], row("O4", 3, "better", ""));
        let lapsed = "tie at cutoff: better or none (decision lapsed)";
        assert_eq!(s[3], row("O2", 4, "undecided", lapsed));
        assert_eq!(s[4], row("O3", 4, "undecided", lapsed));

        // The same tie at the same places, but meeting.toml's quotas move the cutoff: with
        // excellent 1, better 1, fair 1 places 2-3 are better or fair, and excellent ended
        // before them. The decision lapses too.
        let c3 = config(5, &[("excellent", 1), ("better", 1), ("fair", 1)], "");
        let r = rank(&c3, &t, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        let s = summary(&c3, &r);
        let lapsed = "tie at cutoff: better or fair (decision lapsed)";
        assert_eq!(s[1], row("O2", 2, "undecided", lapsed));
        assert_eq!(s[2], row("O3", 2, "undecided", lapsed));
        // With excellent 1, better 3 the tie at places 2-3 lies inside better: tiers by the
        // ballots, the decision lapsed.
        let c4 = config(5, &[("excellent", 1), ("better", 3)], "");
        let r = rank(&c4, &t, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        assert_eq!(
            summary(&c4, &r)[1],
            row("O2", 2, "better", "decision lapsed")
        );
    }

    #[test]
    fn a_decision_naming_more_than_the_places_its_tier_now_has_lapses() {
        // Tiers excellent 3, better 1: O1..O4 tied at places 1-4; O1, O2, O3 take the three
        // excellent places. With excellent 2, better 2 the tie crosses at 2|3 and the
        // decision names more than the 2 places left: it lapses.
        let c = config(4, &[("excellent", 3), ("better", 1)], "");
        let t = tally(&c, &["A", "A", "A", "A"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O1", "O2", "O3"]).unwrap();
        assert_eq!(rank(&c, &t, &decisions).replay, vec![Replay::Applied]);
        let c2 = config(4, &[("excellent", 2), ("better", 2)], "");
        let r = rank(&c2, &t, &decisions);
        assert_eq!(r.replay, vec![Replay::Lapsed]);
        assert_eq!(r.rows[0].note, Note::LapsedAtCutoff(vec![Some(0), Some(1)]));
        // A decision naming nobody never applies.
        let empty = Decision {
            tier: 0,
            tie: tie(&["O1", "O2", "O3", "O4"], 1, 4),
            orgs: Vec::new(),
        };
        assert_eq!(rank(&c, &t, &[empty]).replay, vec![Replay::Lapsed]);
    }

    #[test]
    fn withdrawing_a_tier_takes_back_its_decisions_and_those_made_on_top_of_them() {
        // Tiers excellent 1, better 1: O1, O2, O3 tied at places 1-3; excellent to O2, then
        // better to O3. Withdrawing better takes back only that one; withdrawing excellent
        // takes back both (better's was made on the places after excellent's).
        let c = config(3, &[("excellent", 1), ("better", 1)], "");
        let t = tally(&c, &["A", "A", "A"]);
        let mut decisions = Vec::new();
        decide(&c, &t, &mut decisions, 0, &["O2"]).unwrap();
        decide(&c, &t, &mut decisions, 1, &["O3"]).unwrap();
        let r = rank(&c, &t, &decisions);
        assert_eq!(withdrawals(&r, &decisions, 1), vec![1]);
        assert_eq!(withdrawals(&r, &decisions, 0), vec![0, 1]);
        // Once lapsed (a ballot changed the tie), they are still withdrawn by tier, each
        // on its own: a lapsed decision carries no other.
        let t2 = tally(&c, &["AA", "AB", "AB"]);
        let r = rank(&c, &t2, &decisions);
        assert_eq!(withdrawals(&r, &decisions, 0), vec![0]);
        assert_eq!(withdrawals(&r, &decisions, 1), vec![1]);
        // Two ties at two cutoffs: withdrawing excellent's decision on the first leaves
        // better's on the second.
        let c2 = config(4, &[("excellent", 1), ("better", 2)], "");
        let t4 = tally(&c2, &["A", "A", "B", "B"]);
        let mut two = Vec::new();
        decide(&c2, &t4, &mut two, 0, &["O2"]).unwrap();
        decide(&c2, &t4, &mut two, 1, &["O4"]).unwrap();
        let r = rank(&c2, &t4, &two);
        assert_eq!(withdrawals(&r, &two, 0), vec![0]);
        assert_eq!(withdrawals(&r, &two, 1), vec![1]);
        // A tier with no decision: nothing to withdraw.
        let c3 = config(3, &[("excellent", 1), ("better", 1), ("fair", 1)], "");
        let r = rank(&c3, &t, &decisions);
        assert_eq!(withdrawals(&r, &decisions, 2), Vec::<usize>::new());
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
