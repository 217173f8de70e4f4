//! Property tests of the tally invariants and of the export/import round trip.

use proptest::prelude::*;
use tallyclerk::config::Config;
use tallyclerk::export::{write_ballots_csv, write_results_csv, ResultsOptions};
use tallyclerk::import::{import_bytes, ImportOptions};
use tallyclerk::model::{validity, Ballot, Mark, Organization};
use tallyclerk::ranking::rank;
use tallyclerk::store::Source;
use tallyclerk::tally::Tally;
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

fn tally_of(config: &Config, ballots: &[Ballot]) -> Tally {
    let mut tally = Tally::new(ORGS, config.scale.len(), config.groups.len());
    for b in ballots {
        if validity(&b.marks, &config.scale, &config.rules).is_ok() {
            let group = b
                .group
                .as_deref()
                .and_then(|g| config.groups.iter().position(|x| x.id == g));
            tally.add(
                &b.marks,
                config.weight_of(b.group.as_deref()).unwrap(),
                group,
            );
        }
    }
    tally
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
        let a = rank(&config, &tally_of(&config, &ballots), &[]);
        let b = rank(&config, &tally_of(&config, &shuffled), &[]);
        prop_assert_eq!(a, b);
    }
}

fn meeting_in(dir: &std::path::Path) -> Meeting {
    std::fs::write(dir.join("meeting.toml"), MEETING_TOML).unwrap();
    let mut orgs = String::from("id,name\n");
    for o in organizations() {
        orgs.push_str(&format!("{},{}\n", o.id, o.name));
    }
    std::fs::write(dir.join("organizations.csv"), orgs).unwrap();
    Meeting::open(dir).unwrap()
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
