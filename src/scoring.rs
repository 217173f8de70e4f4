//! How an organization's figures are scored from the tally (docs/RULES.md section 6): the
//! weighting of the voter groups (`per_form` or `group_share`), what the rates are a share of
//! (`rate_base`), and the composite of the meeting's score with other assessment parts
//! (`[[composite]]`). Every figure is an exact fraction, rounded only when printed.

use crate::config::Config;
use crate::decimal::{Milli, Ratio};
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::tally::{Figures, FormCounts, OrgCounts, Tally};

/// How voter groups weigh in (`[rules] weighting`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Weighting {
    /// Each form counts its group's weight; the organization's figures are over all forms.
    #[default]
    PerForm,
    /// Each form counts 1 within its group; each group's figures are combined with the
    /// groups' weights as shares, over the groups that rated the organization.
    GroupShare,
}

impl Weighting {
    /// Parses the config word.
    pub fn parse(word: &str) -> Option<Weighting> {
        match word {
            "per_form" => Some(Weighting::PerForm),
            "group_share" => Some(Weighting::GroupShare),
            _ => None,
        }
    }

    /// The config word.
    pub fn word(self) -> &'static str {
        match self {
            Weighting::PerForm => "per_form",
            Weighting::GroupShare => "group_share",
        }
    }
}

/// What `top_rate` and `approval_rate` are a share of (`[rules] rate_base`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RateBase {
    /// The marks that rate the organization (blank and spoiled ones left out).
    #[default]
    Rated,
    /// The valid forms.
    ValidForms,
    /// The paper forms collected: valid, invalid or set aside.
    Collected,
    /// The people present (`[attendance] present`).
    Present,
}

impl RateBase {
    /// Parses the config word.
    pub fn parse(word: &str) -> Option<RateBase> {
        match word {
            "rated" => Some(RateBase::Rated),
            "valid_forms" => Some(RateBase::ValidForms),
            "collected" => Some(RateBase::Collected),
            "present" => Some(RateBase::Present),
            _ => None,
        }
    }

    /// The config word.
    pub fn word(self) -> &'static str {
        match self {
            RateBase::Rated => "rated",
            RateBase::ValidForms => "valid_forms",
            RateBase::Collected => "collected",
            RateBase::Present => "present",
        }
    }

    /// What a rate is a share of, in words.
    pub fn text(self, lang: Lang) -> &'static str {
        match self {
            RateBase::Rated => lang.pick("the marks that rate", "有效评价数"),
            RateBase::ValidForms => lang.pick("the valid forms", "有效表数"),
            RateBase::Collected => lang.pick("the forms collected", "收回表数"),
            RateBase::Present => lang.pick("the people present", "实到人数"),
        }
    }
}

/// Where the scores of a composite part come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartSource {
    /// This meeting's `score`.
    Meeting,
    /// A file of `org_id,score`, read when the meeting is loaded.
    File {
        /// The file as meeting.toml names it.
        name: String,
        /// Per organization (in organizations.csv order), its score, 0-100 with at most 2
        /// decimals.
        scores: Vec<Milli>,
    },
}

/// One `[[composite]]` part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositePart {
    /// Its id: the results column of a file part.
    pub id: String,
    /// Its name on screens.
    pub label: String,
    /// Its weight, > 0.
    pub weight: Milli,
    /// Where its scores come from.
    pub source: PartSource,
}

impl CompositePart {
    /// The part's score of organization `org`, whose meeting score is `meeting_score`.
    pub fn score_of(&self, org: usize, meeting_score: Ratio) -> Ratio {
        match &self.source {
            PartSource::Meeting => meeting_score,
            PartSource::File { scores, .. } => {
                Ratio::new_or_zero(i128::from(scores[org].0), 1000).reduced()
            }
        }
    }

    /// Whether the part is this meeting's score.
    pub fn is_meeting(&self) -> bool {
        self.source == PartSource::Meeting
    }
}

/// The scoring settings of a meeting.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scoring {
    /// `[rules] weighting`.
    pub weighting: Weighting,
    /// `[rules] rate_base`.
    pub rate_base: RateBase,
    /// The `[[composite]]` parts, in file order; empty: no composite.
    pub composite: Vec<CompositePart>,
}

/// The figures of every organization, in organizations.csv order.
pub fn figures(config: &Config, tally: &Tally) -> Result<Vec<Figures>> {
    (0..config.organizations.len())
        .map(|org| {
            org_figures(config, tally, org).ok_or_else(|| {
                let id = &config.organizations[org].id;
                Error::user(
                    format!("the figures of organization {id} pass what tallyclerk computes exactly (fractions of 128-bit integers)"),
                    format!("组织 {id} 的数值超出 tallyclerk 精确计算的范围（128 位整数的分数）"),
                )
            })
        })
        .collect()
}

/// The figures of one voter group for one organization: its forms each count 1 under
/// `group_share`, their group's weight under `per_form`; the rates over the group's base.
pub fn group_figures(config: &Config, tally: &Tally, group: usize, org: usize) -> Option<Figures> {
    let counts = &tally.by_group[group][org];
    let weight = slot_weight(config, group);
    let base = rate_base(config, counts, &[(weight, tally.forms[group])])?;
    Some(counts.figures_over(&config.scale, base))
}

/// What one voter group gave one organization, as the per-group views show it (the Tally
/// tab's group view, `export --by-group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupRow {
    /// The group's marks that rate the organization (weighted under `per_form`).
    pub rated: Milli,
    /// The group's score of it.
    pub score: Ratio,
    /// `top_rate` and `approval_rate` over the group's own share of the meeting's rate base;
    /// `None` under `rate_base = "present"`, which counts the people at the meeting, not
    /// per group (docs/RULES.md section 6).
    pub rates: Option<(Ratio, Ratio)>,
}

/// What the voter group at `group` gave organization `org`; `None` where a term passes 128
/// bits.
pub fn group_row(config: &Config, tally: &Tally, group: usize, org: usize) -> Option<GroupRow> {
    let f = group_figures(config, tally, group, org)?;
    Some(GroupRow {
        rated: f.rated,
        score: f.score,
        rates: (config.scoring.rate_base != RateBase::Present)
            .then_some((f.top_rate, f.approval_rate)),
    })
}

/// What each form of the slot `slot` of [`Tally::forms`] counts for.
fn slot_weight(config: &Config, slot: usize) -> Milli {
    match config.scoring.weighting {
        Weighting::GroupShare => Milli::ONE,
        Weighting::PerForm => config.groups.get(slot).map_or(Milli::ONE, |g| g.weight),
    }
}

/// The weight of what a rate of `counts` is a share of, given the forms behind them and
/// what each counts for.
fn rate_base(config: &Config, counts: &OrgCounts, forms: &[(Milli, FormCounts)]) -> Option<Milli> {
    let weighed = |of: fn(&FormCounts) -> u64| -> Option<Milli> {
        let mut sum: i64 = 0;
        for (weight, forms) in forms {
            let forms = i64::try_from(of(forms)).ok()?;
            sum = sum.checked_add(forms.checked_mul(weight.0)?)?;
        }
        Some(Milli(sum))
    };
    match config.scoring.rate_base {
        RateBase::Rated => Some(counts.rated()),
        RateBase::ValidForms => weighed(|f| f.valid),
        RateBase::Collected => weighed(FormCounts::collected),
        RateBase::Present => {
            let present = config.attendance.present.unwrap_or(0);
            i64::try_from(present).ok()?.checked_mul(1000).map(Milli)
        }
    }
}

/// The figures of organization `org`; `None` where a term passes 128 bits.
fn org_figures(config: &Config, tally: &Tally, org: usize) -> Option<Figures> {
    let mut figures = match config.scoring.weighting {
        Weighting::PerForm => {
            let forms: Vec<(Milli, FormCounts)> = tally
                .forms
                .iter()
                .enumerate()
                .map(|(slot, forms)| (slot_weight(config, slot), *forms))
                .collect();
            let counts = &tally.orgs[org];
            counts.figures_over(&config.scale, rate_base(config, counts, &forms)?)
        }
        Weighting::GroupShare => group_share_figures(config, tally, org)?,
    };
    if !config.scoring.composite.is_empty() {
        let mut sum = Ratio::ZERO;
        let mut weights = Milli(0);
        for part in &config.scoring.composite {
            sum = sum.checked_add(
                part.score_of(org, figures.score)
                    .checked_times(part.weight)?,
            )?;
            weights = Milli(weights.0.checked_add(part.weight.0)?);
        }
        figures.composite = Some(sum.checked_over(weights)?);
    }
    Some(figures)
}

/// Under `group_share`: each group that rated the organization gives its figures; they are
/// averaged with the groups' weights as shares, renormalised over those groups.
fn group_share_figures(config: &Config, tally: &Tally, org: usize) -> Option<Figures> {
    let (mut score, mut top, mut approval) = (Ratio::ZERO, Ratio::ZERO, Ratio::ZERO);
    let mut shares = Milli(0);
    let mut rated = Milli(0);
    for (g, group) in config.groups.iter().enumerate() {
        let counts = &tally.by_group[g][org];
        if counts.rated() == Milli(0) {
            // A group that gave the organization no rating takes no share of it.
            continue;
        }
        let f = group_figures(config, tally, g, org)?;
        score = score.checked_add(f.score.checked_times(group.weight)?)?;
        top = top.checked_add(f.top_rate.checked_times(group.weight)?)?;
        approval = approval.checked_add(f.approval_rate.checked_times(group.weight)?)?;
        shares = Milli(shares.0.checked_add(group.weight.0)?);
        rated = Milli(rated.0.checked_add(counts.rated().0)?);
    }
    Some(Figures {
        rated,
        score: score.checked_over(shares)?,
        top_rate: top.checked_over(shares)?,
        approval_rate: approval.checked_over(shares)?,
        composite: None,
    })
}

/// How the figures are made, in a few lines for the results: the weighting with the groups'
/// shares, the base of the rates, the composite's parts.
pub fn statement(config: &Config, lang: Lang) -> Vec<String> {
    let scoring = &config.scoring;
    let mut lines = Vec::new();
    let groups: Vec<String> = config
        .groups
        .iter()
        .map(|g| {
            let name = match lang {
                Lang::En => &g.id,
                Lang::Zh => &g.label,
            };
            format!("{name} {}", g.weight.to_shortest())
        })
        .collect();
    let separator = lang.pick(", ", "，");
    match (scoring.weighting, groups.is_empty()) {
        (Weighting::GroupShare, _) => lines.push(match lang {
            Lang::En => format!(
                "weighting group_share: each group's figures, averaged with the shares {} (over the groups that rated the organization)",
                groups.join(separator)
            ),
            Lang::Zh => format!(
                "计分方式 group_share：各组分别计算，按比重 {} 加权平均（只计评价了该组织的组）",
                groups.join(separator)
            ),
        }),
        (Weighting::PerForm, false) => lines.push(match lang {
            Lang::En => format!(
                "weighting per_form: each form counts its group's weight: {}",
                groups.join(separator)
            ),
            Lang::Zh => format!(
                "计分方式 per_form：每张评议表按其组别权重计：{}",
                groups.join(separator)
            ),
        }),
        (Weighting::PerForm, true) => {}
    }
    if scoring.rate_base != RateBase::Rated {
        lines.push(match lang {
            Lang::En => format!(
                "top_rate and approval_rate are shares of {} (rate_base {})",
                scoring.rate_base.text(lang),
                scoring.rate_base.word()
            ),
            Lang::Zh => format!(
                "好评率、认可率的分母为{}（rate_base {}）",
                scoring.rate_base.text(lang),
                scoring.rate_base.word()
            ),
        });
    }
    if !scoring.composite.is_empty() {
        let parts: Vec<String> = scoring
            .composite
            .iter()
            .map(|p| {
                let name = match (&p.source, lang) {
                    (PartSource::Meeting, Lang::En) => format!("{} (this meeting)", p.id),
                    (PartSource::Meeting, Lang::Zh) => format!("{}（本次测评）", p.label),
                    (PartSource::File { name, .. }, Lang::En) => format!("{} ({name})", p.id),
                    (PartSource::File { name, .. }, Lang::Zh) => format!("{}（{name}）", p.label),
                };
                format!("{} × {name}", p.weight.to_shortest())
            })
            .collect();
        let total: Milli = scoring.composite.iter().map(|p| p.weight).sum();
        lines.push(match lang {
            Lang::En => format!(
                "composite = ({}) / {}",
                parts.join(" + "),
                total.to_shortest()
            ),
            Lang::Zh => format!(
                "综合得分 = （{}）/ {}",
                parts.join(" + "),
                total.to_shortest()
            ),
        });
    }
    lines
}

/// The text a refusal of a scoring setting gives.
pub(crate) fn needs_weights(group: &str) -> Text {
    Text::new(
        format!("group \"{group}\" has no weight: weighting = \"group_share\" takes each group's weight as its share, so every group needs one"),
        format!("组别 \"{group}\" 没有权重：weighting = \"group_share\" 以各组权重为比重，每个组都需要权重"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{parse_marks, Organization};

    fn orgs(n: usize) -> Vec<Organization> {
        (1..=n)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("org {i}"),
                category: String::new(),
            })
            .collect()
    }

    /// Three groups with shares 0.4 / 0.3 / 0.3 under `group_share`, plus `extra` rules.
    fn shares_config(orgs_n: usize, extra: &str) -> Config {
        let toml = format!(
            "groups = [{{ id = \"leaders\", weight = 0.4 }}, {{ id = \"cadres\", weight = 0.3 }}, {{ id = \"members\", weight = 0.3 }}]\n[rules]\nweighting = \"group_share\"\n{extra}"
        );
        Config::from_parts(&toml, orgs(orgs_n)).unwrap()
    }

    /// Counts forms `(group index, marks)` as the store does: valid ones into the tally,
    /// invalid ones as collected only.
    fn tally_of(config: &Config, forms: &[(Option<usize>, &str)]) -> Tally {
        let mut tally = Tally::new(
            config.organizations.len(),
            config.scale.options.len(),
            config.groups.len(),
        );
        for (group, text) in forms {
            let marks = parse_marks(text, &config.scale).unwrap();
            if crate::model::validity(&marks, &config.scale, &config.rules).is_ok() {
                let weight = match (config.scoring.weighting, group) {
                    (Weighting::PerForm, Some(g)) => config.groups[*g].weight,
                    _ => Milli::ONE,
                };
                tally.add(&marks, weight, *group);
            } else {
                tally.add_invalid(*group);
            }
        }
        tally
    }

    #[test]
    fn group_shares_weigh_groups_not_turnout() {
        // Leaders (share 0.4): 2 forms, A and A -> score 100, top 1, approval 1.
        // Cadres (0.3): 4 forms, A B C D -> score 240/4 = 60, top 1/4, approval 2/4.
        // Members (0.3): 1 form, C -> score 60, top 0, approval 0.
        // score = 0.4·100 + 0.3·60 + 0.3·60 = 76 (the shares sum to 1).
        // top = 0.4·1 + 0.3·0.25 = 0.475; approval = 0.4 + 0.3·0.5 = 0.55.
        let c = shares_config(1, "");
        let forms = [
            (Some(0), "A"),
            (Some(0), "A"),
            (Some(1), "A"),
            (Some(1), "B"),
            (Some(1), "C"),
            (Some(1), "D"),
            (Some(2), "C"),
        ];
        let f = figures(&c, &tally_of(&c, &forms)).unwrap()[0];
        assert_eq!(f.score, Ratio::new_or_zero(76, 1));
        assert_eq!(f.top_rate, Ratio::new_or_zero(475, 1000));
        assert_eq!(f.approval_rate, Ratio::new_or_zero(55, 100));
        // Counts are whole forms: 7 rated.
        assert_eq!(f.rated, Milli(7000));
        // per_form with the same weights would give the turnout its say: (0.4·200 + 0.3·240
        // + 0.3·60) / (0.4·2 + 0.3·4 + 0.3·1) = 170 / 2.3 = 73.91.
        let per_form = Config::from_parts(
            "groups = [{ id = \"leaders\", weight = 0.4 }, { id = \"cadres\", weight = 0.3 }, { id = \"members\", weight = 0.3 }]\n",
            orgs(1),
        )
        .unwrap();
        let f = figures(&per_form, &tally_of(&per_form, &forms)).unwrap()[0];
        assert_eq!(f.score.to_fixed(2), "73.91");
        assert_eq!(f.score, Ratio::new_or_zero(1700, 23));
    }

    #[test]
    fn a_group_that_rated_an_organization_not_at_all_takes_no_share_of_it() {
        // O2 is rated by leaders (B: 80) and cadres (C, C: 60) only; members leave it blank.
        // Its score is (0.4·80 + 0.3·60) / 0.7 = 50 / 0.7 = 71.43, not 50 (members scoring
        // 0 while keeping their share).
        let c = shares_config(2, "");
        let forms = [
            (Some(0), "AB"),
            (Some(1), "AC"),
            (Some(1), "AC"),
            (Some(2), "A-"),
        ];
        let f = figures(&c, &tally_of(&c, &forms)).unwrap();
        assert_eq!(f[1].score, Ratio::new_or_zero(500, 7));
        assert_eq!(f[1].score.to_fixed(2), "71.43");
        // top: nobody gave A, 0; approval: leaders 1, cadres 0 -> 0.4 / 0.7 = 0.5714.
        assert_eq!(f[1].top_rate, Ratio::ZERO);
        assert_eq!(f[1].approval_rate.to_fixed(4), "0.5714");
        // O1: every group gave A -> 100.
        assert_eq!(f[0].score, Ratio::new_or_zero(100, 1));
        // An organization no group rated scores 0.
        let f = figures(&c, &tally_of(&c, &[(Some(0), "A-")])).unwrap();
        assert_eq!(f[1].score, Ratio::ZERO);
        assert_eq!(f[1].rated, Milli(0));
    }

    #[test]
    fn each_rate_base_divides_by_its_own_figure() {
        // One organization, per_form, no groups. Valid forms: A, B, blank, C (4); invalid
        // (blank everywhere with min_marked 1... use max_marks A = 0 for an A form): 1;
        // set aside: 1. rated = 3 (A, B, C); valid = 4; collected = 4 + 1 + 1 = 6;
        // present = 8.
        let base = |word: &str| {
            let c = Config::from_parts(
                &format!(
                    "[attendance]\nexpected = 10\npresent = 8\n[rules]\nmin_marked = 0\nmax_marks = {{ D = 0 }}\nrate_base = \"{word}\"\n"
                ),
                orgs(1),
            )
            .unwrap();
            let mut t = tally_of(
                &c,
                &[
                    (None, "A"),
                    (None, "B"),
                    (None, "-"),
                    (None, "C"),
                    (None, "D"),
                ],
            );
            t.forms[0].set_aside = 1;
            figures(&c, &t).unwrap()[0]
        };
        // top = 1 / base; approval = 2 / base; score over rated always: 240 / 3 = 80.
        for (word, top, approval) in [
            ("rated", "0.3333", "0.6667"),
            ("valid_forms", "0.2500", "0.5000"),
            ("collected", "0.1667", "0.3333"),
            ("present", "0.1250", "0.2500"),
        ] {
            let f = base(word);
            assert_eq!(f.score.to_fixed(2), "80.00", "{word}");
            assert_eq!(f.top_rate.to_fixed(4), top, "{word}");
            assert_eq!(f.approval_rate.to_fixed(4), approval, "{word}");
        }
    }

    #[test]
    fn rate_bases_under_group_share_are_each_groups_own() {
        // Leaders (0.4): A, blank -> valid 2, top over valid forms 1/2.
        // Cadres (0.3): A, A, B, plus one invalid form -> valid 3, collected 4; top 2/3
        // over valid, 2/4 over collected.
        // Members (0.3): C -> top 0.
        // valid_forms: top = 0.4·1/2 + 0.3·2/3 + 0 = 0.4; collected: 0.2 + 0.3·1/2 = 0.35.
        let forms = [
            (Some(0), "A"),
            (Some(0), "-"),
            (Some(1), "A"),
            (Some(1), "A"),
            (Some(1), "B"),
            (Some(1), "D"),
            (Some(2), "C"),
        ];
        let c = shares_config(
            1,
            "rate_base = \"valid_forms\"\nmax_marks = { D = 0 }\nmin_marked = 0\n",
        );
        let f = figures(&c, &tally_of(&c, &forms)).unwrap()[0];
        assert_eq!(f.top_rate, Ratio::new_or_zero(2, 5));
        let c = shares_config(
            1,
            "rate_base = \"collected\"\nmax_marks = { D = 0 }\nmin_marked = 0\n",
        );
        let f = figures(&c, &tally_of(&c, &forms)).unwrap()[0];
        assert_eq!(f.top_rate, Ratio::new_or_zero(35, 100));
        // approval over collected: leaders 1/2, cadres 3/4, members 0 ->
        // 0.4·0.5 + 0.3·0.75 = 0.425.
        assert_eq!(f.approval_rate, Ratio::new_or_zero(425, 1000));
    }

    #[test]
    fn composite_of_two_file_parts_and_the_meeting() {
        // meeting 0.3, daily 0.5, annual 0.2. O1: meeting A, B -> 90; daily 85.5, annual
        // 70 -> (0.3·90 + 0.5·85.5 + 0.2·70) / 1 = 27 + 42.75 + 14 = 83.75.
        // O2: meeting C -> 60; daily 92.25; annual 88 -> 18 + 46.125 + 17.6 = 81.725.
        let c = crate::config::tests::config_with_parts(
            2,
            "[[composite]]\nid = \"meeting\"\nlabel = \"现场测评\"\nweight = 0.3\nsource = \"meeting\"\n\
             [[composite]]\nid = \"daily\"\nlabel = \"日常考核\"\nweight = 0.5\nfile = \"daily.csv\"\n\
             [[composite]]\nid = \"annual\"\nlabel = \"年度考核\"\nweight = 0.2\nfile = \"annual.csv\"\n",
            &[
                ("daily.csv", "org_id,score\nO1,85.5\nO2,92.25\n"),
                ("annual.csv", "org_id,score\nO2,88\nO1,70\n"),
            ],
        )
        .unwrap();
        let f = figures(&c, &tally_of(&c, &[(None, "AC"), (None, "B-")])).unwrap();
        assert_eq!(f[0].score, Ratio::new_or_zero(90, 1));
        assert_eq!(f[0].composite, Some(Ratio::new_or_zero(8375, 100)));
        assert_eq!(f[1].composite, Some(Ratio::new_or_zero(81725, 1000)));
        assert_eq!(f[1].composite.unwrap().to_fixed(2), "81.73");
        // Weights need not add up to 1: 3 / 5 / 2 gives the same composite.
        let c2 = crate::config::tests::config_with_parts(
            2,
            "[[composite]]\nid = \"meeting\"\nweight = 3\nsource = \"meeting\"\n\
             [[composite]]\nid = \"daily\"\nweight = 5\nfile = \"daily.csv\"\n\
             [[composite]]\nid = \"annual\"\nweight = 2\nfile = \"annual.csv\"\n",
            &[
                ("daily.csv", "org_id,score\nO1,85.5\nO2,92.25\n"),
                ("annual.csv", "org_id,score\nO2,88\nO1,70\n"),
            ],
        )
        .unwrap();
        let f2 = figures(&c2, &tally_of(&c2, &[(None, "AC"), (None, "B-")])).unwrap();
        assert_eq!(f2[0].composite, f[0].composite);
        // Without parts, no composite.
        let plain = Config::from_parts("", orgs(1)).unwrap();
        assert_eq!(
            figures(&plain, &tally_of(&plain, &[(None, "A")])).unwrap()[0].composite,
            None
        );
    }

    #[test]
    fn a_tie_on_every_meeting_figure_is_broken_by_the_composite() {
        // O1 and O2 get the same marks (A, B): score 90, top 0.5, approval 1 each — tied on
        // score, top_rate and approval_rate. Their daily scores differ: composite
        // (90 + 70) / 2 = 80 for O1, (90 + 75) / 2 = 82.5 for O2, so O2 ranks first.
        let c = crate::config::tests::config_with_parts(
            2,
            "tiers = [{ name = \"excellent\", quota = 1 }]\n\
             [rules]\ntie_breakers = [\"top_rate\", \"approval_rate\", \"composite\"]\n\
             [[composite]]\nid = \"meeting\"\nweight = 1\nsource = \"meeting\"\n\
             [[composite]]\nid = \"daily\"\nweight = 1\nfile = \"daily.csv\"\n",
            &[("daily.csv", "org_id,score\nO1,70\nO2,75\n")],
        )
        .unwrap();
        let f = figures(&c, &tally_of(&c, &[(None, "AA"), (None, "BB")])).unwrap();
        assert_eq!(f[0].composite, Some(Ratio::new_or_zero(80, 1)));
        assert_eq!(f[1].composite, Some(Ratio::new_or_zero(165, 2)));
        let ranking = crate::ranking::rank(&c, &f, &[]);
        let order: Vec<(usize, usize)> = ranking.rows.iter().map(|r| (r.org, r.rank)).collect();
        assert_eq!(order, [(1, 1), (0, 2)]);
        assert_eq!(
            ranking.rows[0].placement,
            crate::ranking::Placement::Tier(0)
        );
        // Without the composite as a tie-breaker they share rank 1 across the cutoff.
        let plain =
            Config::from_parts("tiers = [{ name = \"excellent\", quota = 1 }]\n", orgs(2)).unwrap();
        let f = figures(&plain, &tally_of(&plain, &[(None, "AA"), (None, "BB")])).unwrap();
        let ranking = crate::ranking::rank(&plain, &f, &[]);
        assert_eq!(ranking.rows[1].rank, 1);
    }

    #[test]
    fn a_groups_own_rates_are_over_its_own_base() {
        // Leaders (0.4): A, blank. Cadres (0.3): A, B, C, plus one invalid form (D with
        // max_marks D = 0). Members (0.3): no form.
        let forms = [
            (Some(0), "A"),
            (Some(0), "-"),
            (Some(1), "A"),
            (Some(1), "B"),
            (Some(1), "C"),
            (Some(1), "D"),
        ];
        let rules = "max_marks = { D = 0 }\nmin_marked = 0\n";
        // Per base: the leaders' top rate and the cadres' top and approval rates.
        // rated: leaders 1/1; cadres 1/3, 2/3. valid_forms: leaders 1/2; cadres 1/3, 2/3.
        // collected: leaders 1/2; cadres 1/4, 2/4.
        for (base, leaders_top, cadres_top, cadres_approval) in [
            ("rated", (1, 1), (1, 3), (2, 3)),
            ("valid_forms", (1, 2), (1, 3), (2, 3)),
            ("collected", (1, 2), (1, 4), (1, 2)),
        ] {
            let c = shares_config(1, &format!("rate_base = \"{base}\"\n{rules}"));
            let t = tally_of(&c, &forms);
            let leaders = group_row(&c, &t, 0, 0).unwrap();
            let cadres = group_row(&c, &t, 1, 0).unwrap();
            let ratio = |(n, d): (i128, i128)| Ratio::new_or_zero(n, d);
            assert_eq!(leaders.rates.unwrap().0, ratio(leaders_top), "{base}");
            assert_eq!(
                cadres.rates.unwrap(),
                (ratio(cadres_top), ratio(cadres_approval)),
                "{base}"
            );
            // The score is over the marks that rate whatever the base: cadres (100 + 80 + 60)
            // / 3 = 80; leaders 100 over 1 mark.
            assert_eq!((cadres.score, cadres.rated), (ratio((80, 1)), Milli(3000)));
            assert_eq!(
                (leaders.score, leaders.rated),
                (ratio((100, 1)), Milli(1000))
            );
            // A group with no form: nothing rated, score 0, rates 0.
            let members = group_row(&c, &t, 2, 0).unwrap();
            assert_eq!(members.rated, Milli(0));
            assert_eq!(members.rates, Some((Ratio::ZERO, Ratio::ZERO)));
        }
        // Under per_form the group's forms count its weight on both sides of a rate: the
        // cadres' (weight 0.5) top rate over their valid forms is 0.5 / (3 · 0.5) = 1/3.
        let c = Config::from_parts(
            &format!("groups = [{{ id = \"leaders\" }}, {{ id = \"cadres\", weight = 0.5 }}]\n[rules]\nrate_base = \"valid_forms\"\n{rules}"),
            orgs(1),
        )
        .unwrap();
        let t = tally_of(&c, &forms[..5]);
        let cadres = group_row(&c, &t, 1, 0).unwrap();
        assert_eq!(cadres.rated, Milli(1500));
        assert_eq!(cadres.rates.unwrap().0, Ratio::new_or_zero(1, 3));
        // Under present (per_form, every weight 1) a group has no rates: the people present
        // are not counted per group.
        let c = Config::from_parts(
            &format!("groups = [{{ id = \"leaders\" }}, {{ id = \"cadres\" }}]\n[attendance]\nexpected = 9\npresent = 8\n[rules]\nrate_base = \"present\"\n{rules}"),
            orgs(1),
        )
        .unwrap();
        let t = tally_of(&c, &forms[..5]);
        let cadres = group_row(&c, &t, 1, 0).unwrap();
        assert_eq!(
            (cadres.rates, cadres.score),
            (None, Ratio::new_or_zero(80, 1))
        );
        // The whole meeting's rates are still over the 8 present: top 2/8.
        assert_eq!(
            figures(&c, &t).unwrap()[0].top_rate,
            Ratio::new_or_zero(1, 4)
        );
    }

    #[test]
    fn statement_names_the_mode_the_shares_the_base_and_the_parts() {
        let c = shares_config(1, "rate_base = \"valid_forms\"\n");
        let lines = statement(&c, Lang::En);
        assert_eq!(lines.len(), 2);
        assert!(
            lines[0].contains("group_share")
                && lines[0].contains("leaders 0.4, cadres 0.3, members 0.3"),
            "{lines:?}"
        );
        assert!(lines[1].contains("the valid forms"), "{lines:?}");
        assert!(statement(&Config::from_parts("", orgs(1)).unwrap(), Lang::En).is_empty());
    }

    #[test]
    fn only_the_part_with_source_meeting_is_the_meetings_score() {
        let part = |source| CompositePart {
            id: "part".into(),
            label: "part".into(),
            weight: Milli::ONE,
            source,
        };
        assert!(part(PartSource::Meeting).is_meeting());
        let file = PartSource::File {
            name: "daily.csv".into(),
            scores: vec![Milli(85_500)],
        };
        assert!(!part(file).is_meeting());
        // So a file part listed before the meeting's part does not count as a second
        // meeting part: daily 0.5 (O1 85.5), meeting 0.5 (O1: A -> 100) gives
        // (0.5·85.5 + 0.5·100) / 1 = 42.75 + 50 = 92.75.
        let c = crate::config::tests::config_with_parts(
            1,
            "[[composite]]\nid = \"daily\"\nweight = 0.5\nfile = \"daily.csv\"\n\
             [[composite]]\nid = \"meeting\"\nweight = 0.5\nsource = \"meeting\"\n",
            &[("daily.csv", "org_id,score\nO1,85.5\n")],
        )
        .unwrap();
        let f = figures(&c, &tally_of(&c, &[(None, "A")])).unwrap();
        assert_eq!(f[0].composite, Some(Ratio::new_or_zero(9275, 100)));
    }
}
