//! The tally rules of docs/RULES.md section 6: weighted counts per organization and option, the
//! score and rates as exact fractions, and validity of a ballot ([`crate::model::validity`]).
//!
//! A [`Tally`] is built in one pass over the valid ballots and can be updated ballot by
//! ballot (the TUI keeps one live). Ranking and tiers live in [`crate::ranking`].

use crate::decimal::{Milli, Ratio};
use crate::model::{Mark, RankKey, Scale};

/// Weighted counts for one organization.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrgCounts {
    /// `n_k` per option in scale order, in thousandths.
    pub counts: Vec<Milli>,
    /// Weight of blank and spoiled marks.
    pub blank: Milli,
}

impl OrgCounts {
    fn new(options: usize) -> OrgCounts {
        OrgCounts {
            counts: vec![Milli(0); options],
            blank: Milli(0),
        }
    }

    fn apply(&mut self, mark: Mark, weight: i64) {
        match mark {
            Mark::Option(k) => self.counts[k as usize].0 += weight,
            Mark::Blank | Mark::Spoiled => self.blank.0 += weight,
        }
    }

    /// `rated` = Σ n_k, blanks excluded.
    pub fn rated(&self) -> Milli {
        self.counts.iter().copied().sum()
    }

    /// The figures derived from the counts under `scale`, the rates over the marks that rate.
    pub fn figures(&self, scale: &Scale) -> Figures {
        self.figures_over(scale, self.rated())
    }

    /// The figures derived from the counts under `scale`, the rates over `base` (the weight
    /// of what a rate is a share of: the marks that rate, the valid forms, the forms
    /// collected or the people present; docs/RULES.md section 6).
    pub fn figures_over(&self, scale: &Scale, base: Milli) -> Figures {
        let rated = self.rated();
        let rated_i = rated.0 as i128;
        let base_i = base.0 as i128;
        let weighted_points: i128 = self
            .counts
            .iter()
            .zip(&scale.options)
            .map(|(n, o)| n.0 as i128 * o.points.0 as i128)
            .sum();
        let approving: i64 = self
            .counts
            .iter()
            .zip(&scale.options)
            .filter(|(_, o)| o.approve)
            .map(|(n, _)| n.0)
            .sum();
        let best = self.counts.first().map_or(0, |n| n.0);
        Figures {
            rated,
            // counts and points are both in thousandths, so the product is in millionths.
            score: Ratio::new_or_zero(weighted_points, rated_i * 1000),
            top_rate: Ratio::new_or_zero(best as i128, base_i),
            approval_rate: Ratio::new_or_zero(approving as i128, base_i),
            composite: None,
        }
    }
}

/// The figures an organization is ranked by, exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Σ n_k.
    pub rated: Milli,
    /// Σ n_k · points_k / rated (0 when rated = 0).
    pub score: Ratio,
    /// n_best / rated.
    pub top_rate: Ratio,
    /// Σ approving n_k / rated.
    pub approval_rate: Ratio,
    /// Σ weight × part score / Σ weights over the `[[composite]]` parts; `None` without parts.
    pub composite: Option<Ratio>,
}

impl Figures {
    /// The figure named by a rank key.
    pub fn get(&self, key: RankKey) -> Ratio {
        match key {
            RankKey::Score => self.score,
            RankKey::TopRate => self.top_rate,
            RankKey::ApprovalRate => self.approval_rate,
            // A meeting without parts cannot rank by them (its meeting.toml is refused).
            RankKey::Composite => self.composite.unwrap_or(Ratio::ZERO),
        }
    }
}

/// How many forms of one voter group (or of no group) stand behind the bases of the rates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FormCounts {
    /// Valid forms.
    pub valid: u64,
    /// Forms that count but break a validity rule.
    pub invalid: u64,
    /// Paper forms set aside as void (collected, not counted): the store fills this in.
    pub set_aside: u64,
}

impl FormCounts {
    /// Paper forms collected: valid, invalid or set aside.
    pub fn collected(&self) -> u64 {
        self.valid + self.invalid + self.set_aside
    }
}

/// Weighted counts of the valid ballots for every organization, overall and per voter group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    /// Per organization, in organizations.csv order.
    pub orgs: Vec<OrgCounts>,
    /// Per configured voter group, then per organization.
    pub by_group: Vec<Vec<OrgCounts>>,
    /// Number of valid ballots counted.
    pub ballots: u64,
    /// Their total weight.
    pub weight: Milli,
    /// The forms per configured voter group, then one slot for forms without a group.
    pub forms: Vec<FormCounts>,
}

impl Tally {
    /// An empty tally for `orgs` organizations, `options` options and `groups` voter groups.
    pub fn new(orgs: usize, options: usize, groups: usize) -> Tally {
        Tally {
            orgs: vec![OrgCounts::new(options); orgs],
            by_group: vec![vec![OrgCounts::new(options); orgs]; groups],
            ballots: 0,
            weight: Milli(0),
            forms: vec![FormCounts::default(); groups + 1],
        }
    }

    /// The slot of [`Tally::forms`] for a form of the group at `group`: a group index
    /// without a configured group is the slot of forms without one.
    fn slot(&self, group: Option<usize>) -> usize {
        let none = self.forms.len() - 1;
        group.filter(|&g| g < none).unwrap_or(none)
    }

    /// Counts one invalid form (it enters no figure, only the forms collected).
    pub fn add_invalid(&mut self, group: Option<usize>) {
        let slot = self.slot(group);
        self.forms[slot].invalid += 1;
    }

    /// Takes back a form counted by [`Tally::add_invalid`].
    pub fn remove_invalid(&mut self, group: Option<usize>) {
        let slot = self.slot(group);
        self.forms[slot].invalid -= 1;
    }

    /// Counts one valid ballot of weight `weight`, of the voter group at `group` if any.
    pub fn add(&mut self, marks: &[Mark], weight: Milli, group: Option<usize>) {
        self.apply(marks, weight.0, group, 1);
    }

    /// Takes back a ballot counted by [`Tally::add`] with the same arguments.
    pub fn remove(&mut self, marks: &[Mark], weight: Milli, group: Option<usize>) {
        self.apply(marks, -weight.0, group, -1);
    }

    fn apply(&mut self, marks: &[Mark], weight: i64, group: Option<usize>, ballots: i64) {
        for (counts, mark) in self.orgs.iter_mut().zip(marks) {
            counts.apply(*mark, weight);
        }
        if let Some(by_group) = group.and_then(|g| self.by_group.get_mut(g)) {
            for (counts, mark) in by_group.iter_mut().zip(marks) {
                counts.apply(*mark, weight);
            }
        }
        self.ballots = (self.ballots as i64 + ballots) as u64;
        self.weight.0 += weight;
        let slot = self.slot(group);
        self.forms[slot].valid = (self.forms[slot].valid as i64 + ballots) as u64;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::default_scale;
    use crate::model::{validity, InvalidReason, Rules};

    fn marks(text: &str) -> Vec<Mark> {
        crate::model::parse_marks(text, &default_scale()).unwrap()
    }

    fn rules(max_a: Option<usize>, min_marked: usize) -> Rules {
        Rules {
            max_marks: vec![max_a, None, None, None],
            min_marked,
            rank_by: RankKey::Score,
            tie_breakers: vec![RankKey::TopRate, RankKey::ApprovalRate],
        }
    }

    #[test]
    fn counts_score_and_rates_of_unweighted_ballots() {
        // One organization, marks A, A, B, C, D, blank, spoiled.
        let scale = default_scale();
        let mut tally = Tally::new(1, 4, 0);
        for m in ["A", "A", "B", "C", "D", "-", "*"] {
            tally.add(&marks(m), Milli::ONE, None);
        }
        let org = &tally.orgs[0];
        assert_eq!(
            org.counts,
            vec![Milli(2000), Milli(1000), Milli(1000), Milli(1000)]
        );
        assert_eq!(org.blank, Milli(2000));
        let f = org.figures(&scale);
        assert_eq!(f.rated, Milli(5000));
        // (2·100 + 80 + 60 + 0) / 5 = 340 / 5 = 68
        assert_eq!(f.score, Ratio::new_or_zero(68, 1));
        assert_eq!(f.score.to_fixed(2), "68.00");
        // top 2/5, approval (2 + 1)/5
        assert_eq!(f.top_rate.to_fixed(4), "0.4000");
        assert_eq!(f.approval_rate.to_fixed(4), "0.6000");
        // counts + blank = valid weight: seven ballots of weight 1.
        assert_eq!((tally.ballots, tally.weight), (7, Milli(7000)));
        assert_eq!(org.rated() + org.blank, tally.weight);
    }

    #[test]
    fn weights_ballots_by_their_group() {
        // Group weights 1 and 0.5: A from weight 1, B and C from weight 0.5.
        let scale = default_scale();
        let mut tally = Tally::new(1, 4, 2);
        tally.add(&marks("A"), Milli(1000), Some(0));
        tally.add(&marks("B"), Milli(500), Some(1));
        tally.add(&marks("C"), Milli(500), Some(1));
        let f = tally.orgs[0].figures(&scale);
        // rated = 2; score = (100 + 0.5·80 + 0.5·60) / 2 = 170 / 2 = 85
        assert_eq!(f.rated.to_shortest(), "2");
        assert_eq!(f.score.to_fixed(2), "85.00");
        // top = 1/2; approval = (1 + 0.5)/2 = 0.75
        assert_eq!(f.top_rate.to_fixed(4), "0.5000");
        assert_eq!(f.approval_rate.to_fixed(4), "0.7500");
        // group 1 alone: B and C at 0.5 each, score (40 + 30) / 1 = 70
        let g1 = tally.by_group[1][0].figures(&scale);
        assert_eq!(g1.rated.to_shortest(), "1");
        assert_eq!(g1.score.to_fixed(2), "70.00");
    }

    #[test]
    fn thirds_round_half_up_and_weights_in_thousandths() {
        // Weight 0.333 on A, 0.667 on B: score = (33.3 + 53.36) / 1 = 86.66
        let scale = default_scale();
        let mut tally = Tally::new(1, 4, 0);
        tally.add(&marks("A"), Milli(333), None);
        tally.add(&marks("B"), Milli(667), None);
        let f = tally.orgs[0].figures(&scale);
        assert_eq!(f.score.to_fixed(2), "86.66");
        assert_eq!(f.top_rate.to_fixed(4), "0.3330");
        // A, B, C unweighted: score 240/3 = 80; top 1/3 = 0.3333; approval 2/3 = 0.6667
        let mut tally = Tally::new(1, 4, 0);
        for m in ["A", "B", "C"] {
            tally.add(&marks(m), Milli::ONE, None);
        }
        let f = tally.orgs[0].figures(&scale);
        assert_eq!(f.top_rate.to_fixed(4), "0.3333");
        assert_eq!(f.approval_rate.to_fixed(4), "0.6667");
    }

    #[test]
    fn nobody_rated_gives_zero() {
        let scale = default_scale();
        let mut tally = Tally::new(1, 4, 0);
        tally.add(&marks("-"), Milli::ONE, None);
        let f = tally.orgs[0].figures(&scale);
        assert_eq!(f.rated, Milli(0));
        assert_eq!(f.score.to_fixed(2), "0.00");
        assert_eq!(f.top_rate.to_fixed(4), "0.0000");
        assert_eq!(f.approval_rate.to_fixed(4), "0.0000");
    }

    #[test]
    fn remove_undoes_add() {
        let mut tally = Tally::new(3, 4, 1);
        let before = tally.clone();
        tally.add(&marks("AB*"), Milli(500), Some(0));
        tally.add(&marks("CD-"), Milli(1000), None);
        tally.remove(&marks("AB*"), Milli(500), Some(0));
        // One ballot of weight 1 left, outside the group.
        assert_eq!((tally.ballots, tally.weight), (1, Milli(1000)));
        assert_eq!(tally.orgs[0].counts[2], Milli(1000));
        assert_eq!(tally.by_group[0], before.by_group[0]);
        tally.remove(&marks("CD-"), Milli(1000), None);
        assert_eq!(tally, before);
    }

    #[test]
    fn a_group_ballot_counts_overall_and_in_its_group_only() {
        let mut tally = Tally::new(2, 4, 2);
        tally.add(&marks("AB"), Milli(2000), Some(1));
        tally.add(&marks("C-"), Milli(1000), None);
        // Overall: A 2 and C 1 for the first organization, B 2 and blank 1 for the second.
        assert_eq!(
            tally.orgs[0].counts,
            [Milli(2000), Milli(0), Milli(1000), Milli(0)]
        );
        assert_eq!(
            (tally.orgs[1].counts[1], tally.orgs[1].blank),
            (Milli(2000), Milli(1000))
        );
        // Group 1 holds only its own ballot; group 0 nothing.
        assert_eq!(
            tally.by_group[1][0].counts,
            [Milli(2000), Milli(0), Milli(0), Milli(0)]
        );
        assert_eq!(tally.by_group[0], vec![OrgCounts::new(4); 2]);
        // A group index without a configured group counts overall only.
        tally.add(&marks("DD"), Milli(1000), Some(5));
        assert_eq!(tally.orgs[0].counts[3], Milli(1000));
        assert_eq!(tally.ballots, 3);
    }

    #[test]
    fn figures_are_named_by_their_rank_key() {
        // A, B, C, C: score (100 + 80 + 60 + 60) / 4 = 75, top 1/4, approval 2/4.
        let scale = default_scale();
        let mut tally = Tally::new(1, 4, 0);
        for m in ["A", "B", "C", "C"] {
            tally.add(&marks(m), Milli::ONE, None);
        }
        let f = tally.orgs[0].figures(&scale);
        assert_eq!(f.get(RankKey::Score), Ratio::new_or_zero(75, 1));
        assert_eq!(f.get(RankKey::TopRate), Ratio::new_or_zero(1, 4));
        assert_eq!(f.get(RankKey::ApprovalRate), Ratio::new_or_zero(1, 2));
    }

    #[test]
    fn too_many_of_an_option_is_invalid() {
        let scale = default_scale();
        // max 2 A: AAB valid, AAA invalid with reason naming 3 of at most 2.
        assert_eq!(validity(&marks("AAB"), &scale, &rules(Some(2), 1)), Ok(()));
        assert_eq!(
            validity(&marks("AAA"), &scale, &rules(Some(2), 1)),
            Err(InvalidReason::TooMany {
                key: 'A',
                count: 3,
                max: 2
            })
        );
    }

    #[test]
    fn too_few_marked_is_invalid_and_spoiled_counts_as_blank() {
        let scale = default_scale();
        // min_marked 2: "A*-" has one rated mark -> invalid; "AB-" valid.
        assert_eq!(
            validity(&marks("A*-"), &scale, &rules(None, 2)),
            Err(InvalidReason::TooFewMarked { count: 1, min: 2 })
        );
        assert_eq!(validity(&marks("AB-"), &scale, &rules(None, 2)), Ok(()));
        // min_marked 1: an all-blank ballot is invalid.
        assert_eq!(
            validity(&marks("---"), &scale, &rules(None, 1)),
            Err(InvalidReason::TooFewMarked { count: 0, min: 1 })
        );
        // A spoiled mark is no A: "AA*" under max 2 A is valid.
        assert_eq!(validity(&marks("AA*"), &scale, &rules(Some(2), 1)), Ok(()));
    }
}
