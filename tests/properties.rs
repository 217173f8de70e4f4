//! Property tests of the tally invariants and of the export/import round trip.

use proptest::prelude::*;
use tallyclerk::ballot_state::Reading;
use tallyclerk::config::Config;
use tallyclerk::export::{write_ballots_csv, write_results_csv, ResultsOptions};
use tallyclerk::import::{import_bytes, ImportOptions};
use tallyclerk::model::{validity, Ballot, Mark, Organization};
use tallyclerk::ranking::rank;
use tallyclerk::store::Source;
use tallyclerk::tally::{Figures, Tally};
use tallyclerk::{Lang, Meeting};

const MEETING_TOML: &str = r#"
title = "property"
groups = [
  { id = "g1", label = "一", weight = 1 },
  { id = "g2", label = "二", weight = 0.5 },
  { id = "g3", label = "三", weight = 0.333 },
  { id = "g4", label = "四", weight = 2.25 },
]
tiers = [
  { name = "excellent", label = "优秀", quota = 2 },
  { name = "better", label = "较好", quota = 1 },
]
[rules]
max_marks = { A = 3 }
"#;

const ORGS: usize = 6;

fn organizations() -> Vec<Organization> {
    (1..=ORGS)
        .map(|i| Organization {
            id: format!("O{i}"),
            name: format!("组织{i}"),
            category: String::new(),
        })
        .collect()
}

fn config() -> Config {
    Config::from_parts(MEETING_TOML, organizations()).unwrap()
}

/// A mark: mostly options, sometimes blank or spoiled.
fn mark() -> impl Strategy<Value = Mark> {
    prop_oneof![
        6 => (0u8..4).prop_map(Mark::Option),
        1 => Just(Mark::Blank),
        1 => Just(Mark::Spoiled),
    ]
}

/// Ballots with serials 1..n, a group each, marks few enough in kind to make ties common.
fn ballots() -> impl Strategy<Value = Vec<Ballot>> {
    prop::collection::vec(
        (
            prop::option::of(0usize..4),
            prop::collection::vec(mark(), ORGS),
        ),
        0..40,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (group, marks))| Ballot {
                serial: i as u64 + 1,
                group: group.map(|g| format!("g{}", g + 1)),
                marks,
            })
            .collect()
    })
}

/// The tally of the ballots that count: valid ones counted, invalid ones as collected.
fn tally_of(config: &Config, ballots: &[Ballot]) -> Tally {
    let mut tally = Tally::new(ORGS, config.scale.options.len(), config.groups.len());
    for b in ballots {
        let group = b
            .group
            .as_deref()
            .and_then(|g| config.groups.iter().position(|x| x.id == g));
        if validity(&b.marks, &config.scale, &config.rules).is_ok() {
            tally.add(
                &b.marks,
                config.weight_of(b.group.as_deref()).unwrap(),
                group,
            );
        } else {
            tally.add_invalid(group);
        }
    }
    tally
}

fn figures_of(config: &Config, ballots: &[Ballot]) -> Vec<Figures> {
    tallyclerk::scoring::figures(config, &tally_of(config, ballots)).unwrap()
}

/// The meeting of the property tests under `weighting = "group_share"`, its rates over
/// `rate_base`.
fn group_share_config(rate_base: &str) -> Config {
    let toml = MEETING_TOML.replace(
        "[rules]\n",
        &format!("[rules]\nweighting = \"group_share\"\nrate_base = \"{rate_base}\"\n"),
    );
    Config::from_parts(&toml, organizations()).unwrap()
}

/// Ballots as [`ballots`] makes them, each with a group.
fn ballots_with_groups() -> impl Strategy<Value = Vec<Ballot>> {
    ballots().prop_map(|ballots| {
        ballots
            .into_iter()
            .map(|b| Ballot {
                group: Some(b.group.unwrap_or_else(|| "g1".to_string())),
                ..b
            })
            .collect()
    })
}

/// `ballots` with every form of group `group` given twice (the copies get new serials).
fn with_group_twice(ballots: &[Ballot], group: &str) -> Vec<Ballot> {
    let mut twice = ballots.to_vec();
    let copies = ballots
        .iter()
        .filter(|b| b.group.as_deref() == Some(group))
        .enumerate()
        .map(|(i, b)| Ballot {
            serial: 1000 + i as u64,
            ..b.clone()
        });
    twice.extend(copies);
    twice
}

proptest! {
    #[test]
    fn counts_plus_blanks_equal_the_valid_weight(ballots in ballots()) {
        let config = config();
        let tally = tally_of(&config, &ballots);
        let valid_weight: i64 = ballots
            .iter()
            .filter(|b| validity(&b.marks, &config.scale, &config.rules).is_ok())
            .map(|b| config.weight_of(b.group.as_deref()).unwrap().0)
            .sum();
        prop_assert_eq!(tally.weight.0, valid_weight);
        for org in &tally.orgs {
            prop_assert_eq!(org.rated().0 + org.blank.0, valid_weight);
        }
    }

    #[test]
    fn ranking_is_independent_of_ballot_order(
        (ballots, shuffled) in ballots().prop_flat_map(|b| (Just(b.clone()), Just(b).prop_shuffle()))
    ) {
        let config = config();
        let a = rank(&config, &figures_of(&config, &ballots), &[]);
        let b = rank(&config, &figures_of(&config, &shuffled), &[]);
        prop_assert_eq!(a, b);
    }

    /// Under `group_share` a group's say does not grow with its turnout: twice the forms of
    /// one group leave every figure of every organization as it was.
    #[test]
    fn group_shares_ignore_how_many_of_a_group_came(
        ballots in ballots_with_groups(),
        group in 1usize..=4,
        rate_base in prop_oneof![Just("rated"), Just("valid_forms"), Just("collected")],
    ) {
        let config = group_share_config(rate_base);
        let group = format!("g{group}");
        let once = figures_of(&config, &ballots);
        let twice = figures_of(&config, &with_group_twice(&ballots, &group));
        for (a, b) in once.iter().zip(&twice) {
            prop_assert_eq!(a.score, b.score);
            prop_assert_eq!(a.top_rate, b.top_rate);
            prop_assert_eq!(a.approval_rate, b.approval_rate);
        }
    }

    /// Under `per_form` it does: twice the forms of one group move an organization's score
    /// exactly when that group's own score of it differs from the score of all the forms
    /// (a weighted mean moves towards what is added to it).
    #[test]
    fn per_form_scores_move_with_a_groups_turnout(
        ballots in ballots_with_groups(),
        group in 0usize..4,
    ) {
        let config = config();
        let id = format!("g{}", group + 1);
        let tally = tally_of(&config, &ballots);
        let once = tallyclerk::scoring::figures(&config, &tally).unwrap();
        let twice = figures_of(&config, &with_group_twice(&ballots, &id));
        for org in 0..ORGS {
            let own = tally.by_group[group][org].figures(&config.scale);
            let moves = own.rated.0 > 0 && own.score != once[org].score;
            prop_assert_eq!(once[org].score != twice[org].score, moves);
        }
    }
}

fn meeting_in(dir: &std::path::Path) -> Meeting {
    std::fs::write(dir.join("meeting.toml"), MEETING_TOML).unwrap();
    let mut orgs = String::from("id,name\n");
    for o in organizations() {
        orgs.push_str(&format!("{},{}\n", o.id, o.name));
    }
    std::fs::write(dir.join("organizations.csv"), orgs).unwrap();
    Meeting::create_store(dir).unwrap()
}

fn results_bytes(meeting: &Meeting) -> Vec<u8> {
    let mut out = Vec::new();
    let results = meeting.results().unwrap();
    write_results_csv(
        &mut out,
        meeting,
        &results,
        Lang::En,
        ResultsOptions { by_group: true },
        true,
    )
    .unwrap();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn exported_ballots_import_to_byte_identical_results(ballots in ballots()) {
        prop_assume!(!ballots.is_empty());
        let temp = tempfile::tempdir().unwrap();
        let (first, second) = (temp.path().join("a"), temp.path().join("b"));
        std::fs::create_dir_all(&first).unwrap();
        std::fs::create_dir_all(&second).unwrap();
        let mut original = meeting_in(&first);
        for b in &ballots {
            original.store.add(b, Source::Typed).unwrap();
        }
        let mut exported = Vec::new();
        write_ballots_csv(&mut exported, &original, true).unwrap();

        let mut copy = meeting_in(&second);
        import_bytes(&mut copy, "ballots.csv", &exported, ImportOptions::default(), Source::Import).unwrap();
        prop_assert_eq!(results_bytes(&original), results_bytes(&copy));
        prop_assert_eq!(original.store.digest().unwrap(), copy.store.digest().unwrap());
    }
}

/// One change to a meeting, as a clerk or a second process might make it.
#[derive(Debug, Clone)]
enum Change {
    Add(Ballot),
    Import(Vec<Ballot>, bool),
    Edit(Ballot),
    SetAside(u64),
    Withdraw(u64),
    Verify(Ballot),
    Rules {
        max_a: usize,
        min_marked: usize,
        weight: &'static str,
    },
}

fn ballot() -> impl Strategy<Value = Ballot> {
    (
        1u64..25,
        prop::option::of(0usize..4),
        prop::collection::vec(mark(), ORGS),
    )
        .prop_map(|(serial, group, marks)| Ballot {
            serial,
            group: group.map(|g| format!("g{}", g + 1)),
            marks,
        })
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => ballot().prop_map(Change::Add),
        2 => (prop::collection::vec(ballot(), 1..12), any::<bool>())
            .prop_map(|(ballots, skip)| Change::Import(ballots, skip)),
        2 => ballot().prop_map(Change::Edit),
        2 => (1u64..25).prop_map(Change::SetAside),
        1 => (1u64..25).prop_map(Change::Withdraw),
        1 => ballot().prop_map(Change::Verify),
        1 => (1usize..5, 0usize..3, prop_oneof![Just("0.5"), Just("1.25")])
            .prop_map(|(max_a, min_marked, weight)| Change::Rules { max_a, min_marked, weight }),
    ]
}

/// Ballots as the canonical ballots CSV, for an import.
fn ballots_csv(ballots: &[Ballot]) -> Vec<u8> {
    let mut text = String::from("serial,group");
    for o in organizations() {
        text.push_str(&format!(",{}", o.id));
    }
    text.push('\n');
    let scale = tallyclerk::config::default_scale();
    for b in ballots {
        text.push_str(&format!(
            "{},{}",
            b.serial,
            b.group.as_deref().unwrap_or("")
        ));
        for m in &b.marks {
            let cell = match m {
                Mark::Blank => String::new(),
                other => other.to_cell(&scale),
            };
            text.push_str(&format!(",{cell}"));
        }
        text.push('\n');
    }
    text.into_bytes()
}

/// The ballot-set digest computed here from the listed ballots, independently of the store.
fn digest_of_listed_ballots(meeting: &Meeting) -> String {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    for stored in meeting.store.ballots().unwrap() {
        let b = &stored.ballot;
        let marks = tallyclerk::model::marks_string(&b.marks, &meeting.config.scale);
        hasher.update(format!(
            "{},{},{marks}\n",
            b.serial,
            b.group.as_deref().unwrap_or("")
        ));
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// The count and digest the store keeps between changes are always those of a full pass,
    /// whatever the changes and their order, including meeting.toml edited in between.
    #[test]
    fn kept_count_and_digest_equal_a_full_pass(changes in prop::collection::vec(change(), 1..14)) {
        let temp = tempfile::tempdir().unwrap();
        let mut meeting = meeting_in(temp.path());
        for (step, change) in changes.into_iter().enumerate() {
            // Refusals (a serial taken, no such ballot) are part of the game: they must
            // change nothing.
            let _ = match change {
                Change::Add(b) => meeting.store.add(&b, Source::Typed).map(|_| ()),
                Change::Import(ballots, skip_existing) => import_bytes(
                    &mut meeting,
                    &format!("batch{step}.csv"),
                    &ballots_csv(&ballots),
                    ImportOptions { skip_existing, ..ImportOptions::default() },
                    Source::Import,
                )
                .map(|_| ()),
                Change::Edit(b) => meeting
                    .edit(b.serial, &b.marks, b.group.as_deref(), "misread")
                    .map(|_| ()),
                Change::SetAside(serial) => meeting.set_aside(serial, "torn").map(|_| ()),
                Change::Withdraw(serial) => meeting.withdraw(serial, "typo").map(|_| ()),
                // A keying for verification: agreeing or not, a further reading settling
                // a dispute may change the ballot.
                Change::Verify(b) => meeting
                    .verify(b.serial, &Reading { group: b.group, marks: b.marks })
                    .map(|_| ()),
                Change::Rules { max_a, min_marked, weight } => {
                    let toml = MEETING_TOML
                        .replace("max_marks = { A = 3 }", &format!("max_marks = {{ A = {max_a} }}\nmin_marked = {min_marked}"))
                        .replace("weight = 0.5", &format!("weight = {weight}"));
                    std::fs::write(temp.path().join("meeting.toml"), toml).unwrap();
                    meeting = Meeting::open(temp.path()).unwrap();
                    Ok(())
                }
            };
            let kept = meeting.store.count().unwrap();
            prop_assert_eq!(&kept, &meeting.store.count_by_scan().unwrap());
            let listed = meeting.store.ballots().unwrap();
            prop_assert_eq!(kept.counted, listed.len() as u64);
            let counted: Vec<Ballot> = listed.iter().map(|s| s.ballot.clone()).collect();
            // Forms set aside are no longer listed: the kept count reads them per group.
            let mut expected = tally_of(&meeting.config, &counted);
            for (slot, kept) in expected.forms.iter_mut().zip(&kept.tally.forms) {
                slot.set_aside = kept.set_aside;
            }
            prop_assert_eq!(&kept.tally, &expected);
            let set_aside: u64 = kept.tally.forms.iter().map(|f| f.set_aside).sum();
            prop_assert_eq!(meeting.store.digest().unwrap(), digest_of_listed_ballots(&meeting));
            let counts = meeting.store.ballot_counts().unwrap();
            prop_assert_eq!(counts.valid + counts.invalid + counts.set_aside, counts.collected);
            prop_assert_eq!(set_aside, counts.set_aside);
        }
        prop_assert!(meeting.store.check().unwrap().is_empty());
    }
}
