//! The meeting's lifecycle: forms issued, finalise, reopen, check.
//!
//! Finalising is refused while a tie at a cutoff is undecided or the round is void, and
//! while forms are unverified where `[rules] require_verified = true`; otherwise it warns
//! about unverified forms. It stores the effective rules ([`EffectiveRules`]) and a digest of
//! the results, so a meeting.toml edited afterwards is refused by name and `check` can tell
//! the results still are those finalised.

use super::files::ExportKind;
use super::{Meeting, Results};
use crate::config::Config;
use crate::effective::{self, EffectiveRules};
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::ranking::Placement;
use crate::store::{hex, FinalRecord, Summary};
use sha2::{Digest, Sha256};

/// Why finalising is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinaliseRefusal {
    /// The meeting is final already.
    AlreadyFinal,
    /// These organizations (indexes) are tied across a cutoff, touching these tiers (`None`:
    /// no tier), and no decision places them.
    UndecidedTie {
        /// The organizations of the tie, in ranking order.
        orgs: Vec<usize>,
        /// The tiers their places touch.
        tiers: Vec<Option<usize>>,
    },
    /// More forms were collected than issued.
    VoidRound {
        /// Forms collected.
        collected: u64,
        /// Forms issued.
        issued: u64,
    },
    /// Forms are not verified and meeting.toml sets `[rules] require_verified = true`.
    Unverified {
        /// Forms keyed once only.
        unverified: u64,
        /// Forms whose keyings disagree.
        disputed: u64,
    },
}

/// What finalising warns about without refusing: forms not verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FinaliseWarnings {
    /// Forms keyed once only, waiting for a second keying.
    pub unverified: u64,
    /// Forms whose keyings disagree, waiting for a further reading.
    pub disputed: u64,
}

/// What finalising the meeting now would meet: refusals, warnings, and the state they were
/// found in.
#[derive(Debug, Clone)]
pub struct FinaliseCheck {
    /// Why it would be refused (empty: it would not).
    pub refusals: Vec<FinaliseRefusal>,
    /// What it would warn about.
    pub warnings: FinaliseWarnings,
    audit_head: String,
    results: Results,
}

/// A finalised meeting's record: the warnings given and the digests stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finalised {
    /// What finalising warned about.
    pub warnings: FinaliseWarnings,
    /// SHA-256 of the effective rules stored.
    pub rules_sha256: String,
    /// SHA-256 of the results stored ([`results_digest`]).
    pub results_sha256: String,
}

impl Meeting {
    /// Sets the number of forms handed out.
    pub fn set_issued(&mut self, issued: u64) -> Result<()> {
        self.store.set_issued(issued)
    }

    /// What finalising now would meet, for a question before it (the UI's dialog).
    pub fn finalise_check(&self) -> Result<FinaliseCheck> {
        // Read first: a change after it moves the head, and finalising is then refused.
        let audit_head = self.store.audit_head()?;
        let results = self.results()?;
        Ok(FinaliseCheck {
            refusals: finalise_refusals(&self.config, &results),
            warnings: FinaliseWarnings::of(&results.summary),
            audit_head,
            results,
        })
    }

    /// Locks the meeting once results are announced, storing the effective rules and the
    /// results' digest. Refused, naming why, while a tie at a cutoff is undecided, the round
    /// is void, or (with `require_verified`) forms are unverified.
    pub fn finalise(&mut self) -> Result<Finalised> {
        let check = self.finalise_check()?;
        if !check.refusals.is_empty() {
            return Err(refused(&self.config, &check.refusals));
        }
        let rules = EffectiveRules::of(&self.config);
        let results_sha256 = results_digest(&self.config, &check.results);
        self.store.finalise(&FinalRecord {
            rules: rules.text(),
            results_sha256: results_sha256.clone(),
            audit_head: check.audit_head,
        })?;
        Ok(Finalised {
            warnings: check.warnings,
            rules_sha256: rules.digest(),
            results_sha256,
        })
    }

    /// Unlocks a finalised meeting, with the reason in the audit log; the rules stored by
    /// finalising are cleared.
    pub fn reopen(&mut self, reason: &str) -> Result<()> {
        self.store.reopen(reason)
    }

    /// Writes one consistent copy of the store into the new file `file`.
    pub fn backup(&self, file: &std::path::Path) -> Result<()> {
        self.store.backup_into(file)
    }

    /// Checks the store (it writes nothing: open it with [`Meeting::open_read_only`] to be
    /// sure of that) and, while final, that the rules and results are those finalised.
    /// Returns the problems found (none: the meeting is whole).
    pub fn check(&self) -> Result<Vec<Text>> {
        let mut problems = self.store.check()?;
        let changes = self.store.final_rules_changes()?;
        if !changes.is_empty() {
            problems.push(effective::changed_after_finalising(&self.config, &changes));
        } else if let (Some((_, finalised)), true) =
            (self.store.final_digests()?, problems.is_empty())
        {
            let now = results_digest(&self.config, &self.results()?);
            if now != finalised {
                problems.push(Text::new(
                    format!("the results differ from those finalised (sha256 {finalised} then, {now} now)"),
                    format!("结果与定稿时不符（定稿时 sha256 {finalised}，现在 {now}）"),
                ));
            }
        }
        // The exports kept beside a folder meeting; a meeting in a database has no folder of
        // its own, and the station's working folder may hold another meeting's.
        let kept_beside = if self.store.is_database() {
            &[][..]
        } else {
            &[ExportKind::Results, ExportKind::Ballots][..]
        };
        for &kind in kept_beside {
            let file = self.config.dir.join(kind.default_file_name());
            problems.extend(self.check_companion_head(&file)?);
            problems.extend(crate::export::pair_problems(&file)?);
        }
        Ok(problems)
    }

    /// Whether the store's audit chain holds `head`, an audit head noted earlier (printed by
    /// `tally` and `check`, carried by the companion files): `None` when it does, else
    /// why it matters. A store whose later entries were cut, or whose chain was written anew,
    /// no longer holds it.
    pub fn check_expected_head(&self, head: &str) -> Result<Option<Text>> {
        let head = head.trim().trim_start_matches("sha256:");
        if self.store.has_audit_entry(head)? {
            return Ok(None);
        }
        Ok(Some(Text::new(
            format!("the audit chain does not hold the expected head {head}: entries were cut or the chain was written anew since it was noted"),
            format!("审计链中没有预期的链头 {head}：记下它之后，审计日志被截断或整条链被重写"),
        )))
    }

    /// The audit head carried by the companion of `file` (a results or ballots CSV in the
    /// meeting folder), when there is one, against the store's audit chain.
    fn check_companion_head(&self, file: &std::path::Path) -> Result<Option<Text>> {
        let path = crate::export::companion_path(file);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let Some(head) = crate::export::companion_audit_head(&text) else {
            return Ok(None);
        };
        Ok(self.check_expected_head(head)?.map(|problem| {
            Text::new(
                format!("{}: {}", path.display(), problem.en),
                format!("{}：{}", path.display(), problem.zh),
            )
        }))
    }
}

impl FinaliseWarnings {
    fn of(summary: &Summary) -> FinaliseWarnings {
        FinaliseWarnings {
            unverified: summary.unverified,
            disputed: summary.disputed,
        }
    }

    /// Whether every form is verified.
    pub fn all_verified(&self) -> bool {
        self.unverified == 0 && self.disputed == 0
    }

    /// The warnings as lines (none: nothing to warn about).
    pub fn texts(&self) -> Vec<Text> {
        let mut texts = Vec::new();
        if self.unverified > 0 {
            texts.push(Text::new(
                format!(
                    "not verified: {} (keyed once only)",
                    forms_en(self.unverified)
                ),
                format!("尚未核对：{} 份（只录入了一次）", self.unverified),
            ));
        }
        if self.disputed > 0 {
            texts.push(Text::new(
                format!(
                    "disputed: {} (the keyings differ; a further reading settles them)",
                    forms_en(self.disputed)
                ),
                format!(
                    "有争议：{} 份（两次录入不一致，需再次读取纸质表格）",
                    self.disputed
                ),
            ));
        }
        texts
    }
}

impl FinaliseRefusal {
    /// The refusal as a message, naming the organizations and tiers or the figures.
    pub fn text(&self, config: &Config) -> Text {
        match self {
            FinaliseRefusal::AlreadyFinal => {
                Text::new("the meeting is already finalised", "会议已经定稿")
            }
            FinaliseRefusal::UndecidedTie { orgs, tiers } => {
                let ids: Vec<&str> = orgs
                    .iter()
                    .map(|&o| config.organizations[o].id.as_str())
                    .collect();
                let tier_names = |lang: Lang| -> Vec<&str> {
                    tiers
                        .iter()
                        .map(|t| match t {
                            Some(i) => config.tiers[*i].display(lang),
                            None => lang.pick("none", "无等次"),
                        })
                        .collect()
                };
                Text::new(
                    format!(
                        "a tie at a cutoff is undecided: {} ({}); decide it first (`decide`, or d on the Ranking tab)",
                        ids.join(", "),
                        tier_names(Lang::En).join(" or ")
                    ),
                    format!(
                        "名额线并列尚未裁定：{}（{}）；请先裁定（`decide` 命令，或在排名页按 d）",
                        ids.join("、"),
                        tier_names(Lang::Zh).join("或")
                    ),
                )
            }
            FinaliseRefusal::VoidRound { collected, issued } => {
                let void = void_round_text(*collected, *issued);
                Text::new(
                    format!(
                        "{}; if the number issued is wrong, correct it first (`issued DIR N`)",
                        void.en
                    ),
                    format!(
                        "{}；若发出数有误，请先更正（`issued DIR N`）",
                        void.zh
                    ),
                )
            }
            FinaliseRefusal::Unverified {
                unverified,
                disputed,
            } => Text::new(
                format!(
                    "{} not verified and {} disputed, and meeting.toml sets require_verified = true: verify them first",
                    forms_en(*unverified),
                    forms_en(*disputed)
                ),
                format!(
                    "{unverified} 份尚未核对、{disputed} 份有争议，而 meeting.toml 规定 require_verified = true：请先核对"
                ),
            ),
        }
    }
}

impl FinaliseCheck {
    /// All refusals as one message (for the UI's message line).
    pub fn refusal_text(&self, config: &Config) -> Option<Text> {
        if self.refusals.is_empty() {
            return None;
        }
        let texts: Vec<Text> = self.refusals.iter().map(|r| r.text(config)).collect();
        let join = |pick: fn(&Text) -> &str, sep: &str| {
            texts.iter().map(pick).collect::<Vec<_>>().join(sep)
        };
        Some(Text::new(
            format!("finalise refused: {}", join(|t| &t.en, "; ")),
            format!("拒绝定稿：{}", join(|t| &t.zh, "；")),
        ))
    }
}

/// Every reason to refuse finalising these results, in the order the clerk deals with them.
fn finalise_refusals(config: &Config, results: &Results) -> Vec<FinaliseRefusal> {
    let summary = &results.summary;
    let mut refusals = Vec::new();
    if summary.finalised {
        refusals.push(FinaliseRefusal::AlreadyFinal);
    }
    if let (true, Some(issued)) = (summary.void_round(), summary.issued) {
        refusals.push(FinaliseRefusal::VoidRound {
            collected: summary.collected,
            issued,
        });
    }
    // Tied rows share a rank and are listed together: one refusal per tie group.
    let mut rows = results.ranking.rows.iter().peekable();
    while let Some(row) = rows.next() {
        let Placement::Undecided(tiers) = &row.placement else {
            continue;
        };
        let mut orgs = vec![row.org];
        while let Some(next) = rows.next_if(|next| {
            next.rank == row.rank && matches!(next.placement, Placement::Undecided(_))
        }) {
            orgs.push(next.org);
        }
        refusals.push(FinaliseRefusal::UndecidedTie {
            orgs,
            tiers: tiers.clone(),
        });
    }
    let warnings = FinaliseWarnings::of(summary);
    if config.require_verified && !warnings.all_verified() {
        refusals.push(FinaliseRefusal::Unverified {
            unverified: warnings.unverified,
            disputed: warnings.disputed,
        });
    }
    refusals
}

/// "1 form", "2 forms".
fn forms_en(n: u64) -> String {
    crate::lang::count_en(n, "form", "forms")
}

fn refused(config: &Config, refusals: &[FinaliseRefusal]) -> Error {
    let texts: Vec<Text> = refusals.iter().map(|r| r.text(config)).collect();
    let lines = |pick: fn(&Text) -> &str| {
        texts
            .iter()
            .map(|t| format!("\n  {}", pick(t)))
            .collect::<String>()
    };
    Error::user(
        format!("finalise refused:{}", lines(|t| &t.en)),
        format!("拒绝定稿：{}", lines(|t| &t.zh)),
    )
}

/// SHA-256 of the results in a form of their own, independent of language and export
/// layout: the ballot set's digest, then per ranking row its rank, organization id, tier
/// name and weighted counts (which with the effective rules give every figure).
pub fn results_digest(config: &Config, results: &Results) -> String {
    let mut text = format!(
        "ballots sha256:{} collected {} valid {}\n",
        results.summary.digest, results.summary.collected, results.summary.valid
    );
    for row in &results.ranking.rows {
        let tier = match &row.placement {
            Placement::Tier(i) => config.tiers[*i].name.as_str(),
            Placement::NoTier => "",
            Placement::Undecided(_) => "undecided",
        };
        let counts = &results.tally.orgs[row.org];
        let marks: Vec<String> = counts.counts.iter().map(|n| n.to_shortest()).collect();
        text.push_str(&format!(
            "{},{},{tier},{},{}\n",
            row.rank,
            config.organizations[row.org].id,
            marks.join(" "),
            counts.blank.to_shortest()
        ));
    }
    hex(&Sha256::digest(text.as_bytes()))
}

/// What a void round is, said once for every face (the command line's banner and refusal,
/// the UI's banner): more forms collected than issued, so the round must be re-voted.
pub fn void_round_text(collected: u64, issued: u64) -> Text {
    Text::new(
        format!(
            "VOID ROUND: {} collected, only {issued} issued: the round must be re-voted",
            forms_en(collected)
        ),
        format!("本轮无效（VOID ROUND）：收回 {collected} 份，多于发出的 {issued} 份，应重新投票"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot_state::Reading;
    use crate::model::{parse_marks, Ballot};
    use crate::store::Source;
    use proptest::prelude::*;

    /// Three organizations, one place of tier excellent; `extra` goes at the end of the file.
    fn meeting(extra: &str) -> (tempfile::TempDir, Meeting) {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(
            temp.path().join("meeting.toml"),
            format!(
                "tiers = [{{ name = \"excellent\", label = \"优秀\", quota = 1 }}]\n[rules]\n{extra}"
            ),
        )
        .unwrap();
        std::fs::write(
            temp.path().join("organizations.csv"),
            "id,name\nO1,甲\nO2,乙\nO3,丙\n",
        )
        .unwrap();
        let meeting = Meeting::create_store(temp.path()).unwrap();
        (temp, meeting)
    }

    fn add(meeting: &mut Meeting, serial: u64, marks: &str) -> Result<()> {
        let ballot = Ballot {
            serial,
            group: None,
            marks: parse_marks(marks, &meeting.config.scale).unwrap(),
        };
        meeting.add(&ballot, Source::Typed).map(|_| ())
    }

    #[test]
    fn a_tie_at_the_cutoff_refuses_naming_its_organizations_and_tiers() {
        // O1 and O2 both 90 (one A and one B each), top and approval rates equal: tied for
        // place 1, across the cutoff after excellent's one place.
        let (_temp, mut meeting) = meeting("");
        add(&mut meeting, 1, "ABC").unwrap();
        add(&mut meeting, 2, "BAC").unwrap();
        let check = meeting.finalise_check().unwrap();
        assert_eq!(
            check.refusals,
            [FinaliseRefusal::UndecidedTie {
                orgs: vec![0, 1],
                tiers: vec![Some(0), None]
            }]
        );
        let error = meeting.finalise().unwrap_err();
        assert_eq!(
            error.message(Lang::En),
            "finalise refused:\n  a tie at a cutoff is undecided: O1, O2 (excellent or none); decide it first (`decide`, or d on the Ranking tab)"
        );
        assert!(!meeting.store.is_final().unwrap());
    }

    #[test]
    fn a_void_round_refuses_with_both_figures() {
        let (_temp, mut meeting) = meeting("");
        add(&mut meeting, 1, "ABC").unwrap();
        add(&mut meeting, 2, "ABC").unwrap();
        meeting.set_issued(1).unwrap();
        assert_eq!(
            meeting.finalise_check().unwrap().refusals,
            [FinaliseRefusal::VoidRound {
                collected: 2,
                issued: 1
            }]
        );
        meeting.set_issued(2).unwrap();
        assert!(meeting.finalise_check().unwrap().refusals.is_empty());
    }

    fn reading(meeting: &Meeting, marks: &str) -> Reading {
        Reading {
            group: None,
            marks: parse_marks(marks, &meeting.config.scale).unwrap(),
        }
    }

    #[test]
    fn unverified_and_disputed_forms_warn_and_refuse_only_where_required() {
        // Five forms: 1 verified, 2 disputed (its second keying differs), 3 and 4 keyed once,
        // 5 set aside (a paper form, but not one to verify).
        for (extra, refused) in [("", false), ("require_verified = true\n", true)] {
            let (_temp, mut meeting) = meeting(extra);
            for serial in 1..=5 {
                add(&mut meeting, serial, "ABC").unwrap();
            }
            meeting.set_aside(5, "torn").unwrap();
            let same = reading(&meeting, "ABC");
            meeting.second_keying(1, &same).unwrap();
            let other = reading(&meeting, "ACC");
            meeting.second_keying(2, &other).unwrap();
            let check = meeting.finalise_check().unwrap();
            let warnings = FinaliseWarnings {
                unverified: 2,
                disputed: 1,
            };
            assert_eq!(check.warnings, warnings);
            let texts: Vec<String> = warnings.texts().into_iter().map(|t| t.en).collect();
            assert_eq!(
                texts,
                [
                    "not verified: 2 forms (keyed once only)",
                    "disputed: 1 form (the keyings differ; a further reading settles them)"
                ]
            );
            let expected = if refused {
                vec![FinaliseRefusal::Unverified {
                    unverified: 2,
                    disputed: 1,
                }]
            } else {
                vec![]
            };
            assert_eq!(check.refusals, expected);
            assert_eq!(meeting.finalise().is_ok(), !refused);
        }
        let (_temp, mut meeting) = meeting("require_verified = true\n");
        add(&mut meeting, 1, "ABC").unwrap();
        let same = reading(&meeting, "ABC");
        meeting.second_keying(1, &same).unwrap();
        let finalised = meeting.finalise().unwrap();
        assert!(finalised.warnings.texts().is_empty());
    }

    #[test]
    fn the_results_digest_covers_the_ballot_set_tiers_and_weighted_counts() {
        let (_temp, mut meeting) = meeting("");
        add(&mut meeting, 1, "ABC").unwrap();
        add(&mut meeting, 2, "AB-").unwrap();
        let results = meeting.results().unwrap();
        // O1 2 A; O2 2 B; O3 1 C and 1 blank. One place of excellent: O1.
        let text = format!(
            "ballots sha256:{} collected 2 valid 2\n\
             1,O1,excellent,2 0 0 0,0\n\
             2,O2,,0 2 0 0,0\n\
             3,O3,,0 0 1 0,1\n",
            results.summary.digest
        );
        assert_eq!(
            results_digest(&meeting.config, &results),
            hex(&Sha256::digest(text.as_bytes()))
        );
    }

    #[test]
    fn finalising_stores_the_rules_and_results_that_check_then_compares() {
        let (temp, mut meeting) = meeting("");
        add(&mut meeting, 1, "ABC").unwrap();
        let finalised = meeting.finalise().unwrap();
        assert_eq!(
            finalised.rules_sha256,
            EffectiveRules::of(&meeting.config).digest()
        );
        assert_eq!(
            meeting.store.final_digests().unwrap(),
            Some((
                finalised.rules_sha256.clone(),
                finalised.results_sha256.clone()
            ))
        );
        assert!(meeting.check().unwrap().is_empty());
        // Under other points the same ballots give other results: named as a rule change.
        let toml = temp.path().join("meeting.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(
            &toml,
            format!("scale = [{{ key = \"A\", label = \"好\", points = 90 }}, {{ key = \"B\", label = \"较好\", points = 80 }}, {{ key = \"C\", label = \"一般\", points = 60 }}, {{ key = \"D\", label = \"差\", points = 0 }}]\n{text}"),
        )
        .unwrap();
        let refused = Meeting::open(temp.path()).err().unwrap();
        assert!(
            refused
                .message(Lang::En)
                .starts_with("meeting.toml changed after finalising: scale[0].points 100 → 90;"),
            "{}",
            refused.message(Lang::En)
        );
        let read_only = Meeting::open_read_only(temp.path()).unwrap();
        let problems = read_only.check().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        drop(read_only);
        let mut reopening = Meeting::open_to_reopen(temp.path()).unwrap();
        reopening.reopen("points corrected").unwrap();
        assert_eq!(reopening.store.final_digests().unwrap(), None);
        drop(reopening);
        let reopened = Meeting::open(temp.path()).unwrap();
        assert!(reopened.check().unwrap().is_empty());
    }

    #[test]
    fn finalising_is_refused_when_the_meeting_changed_since_it_was_checked() {
        let (temp, mut meeting) = meeting("");
        add(&mut meeting, 1, "ABC").unwrap();
        let check = meeting.finalise_check().unwrap();
        // Another station adds a form between the check and the commit.
        let mut other = Meeting::open(temp.path()).unwrap();
        add(&mut other, 2, "BAC").unwrap();
        let record = FinalRecord {
            rules: EffectiveRules::of(&meeting.config).text(),
            results_sha256: results_digest(&meeting.config, &check.results),
            audit_head: check.audit_head,
        };
        let refused = meeting.store.finalise(&record).unwrap_err();
        assert!(
            refused
                .message(Lang::En)
                .starts_with("the meeting changed while"),
            "{refused}"
        );
        assert!(!meeting.store.is_final().unwrap());
    }

    /// A step of the lifecycle: the forms are "ABC" (O1 ahead) or "BAC" (O2 ahead).
    #[derive(Debug, Clone)]
    enum Step {
        Add { o1_ahead: bool },
        SetAside(usize),
        Withdraw(usize),
        Issued(u64),
        Finalise,
        Reopen,
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => any::<bool>().prop_map(|o1_ahead| Step::Add { o1_ahead }),
            1 => (0usize..4).prop_map(Step::SetAside),
            1 => (0usize..4).prop_map(Step::Withdraw),
            1 => (0u64..5).prop_map(Step::Issued),
            2 => Just(Step::Finalise),
            1 => Just(Step::Reopen),
        ]
    }

    /// What the lifecycle should do: the paper forms by serial, who they put ahead and
    /// whether they were set aside; the figure issued; whether the meeting is final.
    #[derive(Debug, Default)]
    struct Model {
        forms: Vec<(u64, bool, bool)>,
        issued: Option<u64>,
        finalised: bool,
    }

    impl Model {
        /// Whether finalising is accepted: not final, the round not void (forms set aside
        /// are collected too), and O1 and O2 not tied for excellent's one place (they tie
        /// when as many counted forms put each ahead).
        fn finalise_accepted(&self) -> bool {
            let counted: Vec<bool> = self
                .forms
                .iter()
                .filter(|(_, _, set_aside)| !set_aside)
                .map(|(_, o1_ahead, _)| *o1_ahead)
                .collect();
            let o1_ahead = counted.iter().filter(|ahead| **ahead).count();
            let void = self
                .issued
                .is_some_and(|issued| self.forms.len() as u64 > issued);
            !self.finalised && !void && o1_ahead * 2 != counted.len()
        }

        /// The serial of the `i`-th form that still counts, if any.
        fn counted(&self, i: usize) -> Option<u64> {
            self.forms
                .iter()
                .filter(|(_, _, set_aside)| !set_aside)
                .nth(i)
                .map(|(serial, _, _)| *serial)
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn finalise_and_reopen_follow_the_model(steps in proptest::collection::vec(step(), 1..14)) {
            let (_temp, mut meeting) = meeting("");
            let mut model = Model::default();
            let mut next_serial = 1;
            for step in steps {
                let (accepted, expected) = match &step {
                    Step::Add { o1_ahead } => {
                        let marks = if *o1_ahead { "ABC" } else { "BAC" };
                        let done = add(&mut meeting, next_serial, marks).is_ok();
                        if !model.finalised {
                            model.forms.push((next_serial, *o1_ahead, false));
                            next_serial += 1;
                        }
                        (done, !model.finalised)
                    }
                    Step::SetAside(i) => {
                        let Some(serial) = model.counted(*i) else { continue };
                        let done = meeting.set_aside(serial, "torn").is_ok();
                        if !model.finalised {
                            for form in model.forms.iter_mut().filter(|f| f.0 == serial) {
                                form.2 = true;
                            }
                        }
                        (done, !model.finalised)
                    }
                    Step::Withdraw(i) => {
                        let Some(serial) = model.counted(*i) else { continue };
                        let done = meeting.withdraw(serial, "keyed by mistake").is_ok();
                        if !model.finalised {
                            model.forms.retain(|f| f.0 != serial);
                        }
                        (done, !model.finalised)
                    }
                    Step::Issued(n) => {
                        let done = meeting.set_issued(*n).is_ok();
                        if !model.finalised {
                            model.issued = Some(*n);
                        }
                        (done, !model.finalised)
                    }
                    Step::Finalise => {
                        let expected = model.finalise_accepted();
                        let done = meeting.finalise().is_ok();
                        model.finalised |= expected;
                        (done, expected)
                    }
                    Step::Reopen => {
                        let expected = model.finalised;
                        let done = meeting.reopen("recount").is_ok();
                        model.finalised = false;
                        (done, expected)
                    }
                };
                prop_assert_eq!(accepted, expected, "{:?} with {:?}", step, model);
                prop_assert_eq!(meeting.store.is_final().unwrap(), model.finalised);
                prop_assert_eq!(
                    meeting.store.final_digests().unwrap().is_some(),
                    model.finalised
                );
                let problems = meeting.check().unwrap();
                prop_assert!(problems.is_empty(), "{:?}", problems);
            }
        }
    }
}
