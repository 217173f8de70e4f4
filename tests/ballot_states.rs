//! A ballot's lifecycle (docs/ballot-states.md) driven through the real use cases on a meeting
//! in a temp folder, by random sequences of steps, against a small model of it: a map of
//! serial to where the model says the ballot stands.

use proptest::prelude::*;
use std::collections::HashMap;
use tallyclerk::ballot_state::{Reading, State};
use tallyclerk::meeting::ballots::Verification;
use tallyclerk::model::{parse_marks, Ballot};
use tallyclerk::store::Source;
use tallyclerk::Meeting;

const ORGS: usize = 2;

const MEETING_TOML: &str = r#"
title = "t"
groups = [{ id = "g", label = "G", weight = 1 }]
"#;

/// A reading as the model sees it: the group (`-` for none), then one mark character per row.
type Fields = Vec<String>;

fn fields(reading: &Reading, meeting: &Meeting) -> Fields {
    let mut out = vec![reading.group.clone().unwrap_or_else(|| "-".into())];
    out.extend(
        reading
            .marks
            .iter()
            .map(|m| m.to_char(&meeting.config.scale).to_string()),
    );
    out
}

/// Where the model says a ballot stands.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Model {
    Entered,
    Verified,
    Resolved,
    /// The disputed fields (0 the group, 1.. the rows) with their readings so far.
    Disputed(Vec<(usize, Vec<String>)>),
    Withdrawn,
    SetAside,
}

/// The ballot of a serial: its fields as stored and where it stands.
#[derive(Debug, Clone)]
struct Entry {
    fields: Fields,
    model: Model,
}

#[derive(Debug, Clone)]
enum Step {
    Add(u64, Fields),
    Edit(u64, Fields),
    Withdraw(u64),
    SetAside(u64),
    /// A keying for verification: the second keying, or a further reading of a dispute.
    Key(u64, Fields),
}

fn reading() -> impl Strategy<Value = Fields> {
    // Few values, so keyings agree and disagree often.
    (
        prop::sample::select(vec!["-", "g"]),
        prop::collection::vec(prop::sample::select(vec!["A", "B", "C"]), ORGS),
    )
        .prop_map(|(group, marks)| {
            let mut out = vec![group.to_string()];
            out.extend(marks.into_iter().map(str::to_string));
            out
        })
}

fn step() -> impl Strategy<Value = Step> {
    let serial = 1u64..4;
    prop_oneof![
        2 => (serial.clone(), reading()).prop_map(|(s, r)| Step::Add(s, r)),
        1 => (serial.clone(), reading()).prop_map(|(s, r)| Step::Edit(s, r)),
        1 => serial.clone().prop_map(Step::Withdraw),
        1 => serial.clone().prop_map(Step::SetAside),
        4 => (serial, reading()).prop_map(|(s, r)| Step::Key(s, r)),
    ]
}

fn to_reading(fields: &Fields, meeting: &Meeting) -> Reading {
    Reading {
        group: (fields[0] != "-").then(|| fields[0].clone()),
        marks: parse_marks(&fields[1..].concat(), &meeting.config.scale).unwrap(),
    }
}

/// The real state in the model's terms.
fn model_of(state: &State, meeting: &Meeting) -> Model {
    match state {
        State::Entered => Model::Entered,
        State::Verified => Model::Verified,
        State::Resolved => Model::Resolved,
        State::Withdrawn => Model::Withdrawn,
        State::SetAside => Model::SetAside,
        State::Disputed(dispute) => {
            let mut out = Vec::new();
            if let Some(group) = &dispute.group {
                let readings = group
                    .readings
                    .iter()
                    .map(|g| g.clone().unwrap_or_else(|| "-".into()))
                    .collect();
                out.push((0, readings));
            }
            for (row, d) in &dispute.rows {
                let readings = d
                    .readings
                    .iter()
                    .map(|m| m.to_char(&meeting.config.scale).to_string())
                    .collect();
                out.push((row + 1, readings));
            }
            Model::Disputed(out)
        }
    }
}

/// What a step answers, in the model's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Refused,
    /// Done (a step that is not a keying).
    Done,
    Verified,
    Disputed,
    Resolved {
        changed: bool,
    },
}

impl Outcome {
    fn of(real: &tallyclerk::Result<Option<Verification>>) -> Outcome {
        match real {
            Err(_) => Outcome::Refused,
            Ok(None) => Outcome::Done,
            Ok(Some(Verification::Verified)) => Outcome::Verified,
            Ok(Some(Verification::Disputed(_))) => Outcome::Disputed,
            Ok(Some(Verification::Resolved { changed })) => Outcome::Resolved { changed: *changed },
        }
    }
}

/// The model's step: changes `live` (and the counts of forms taken out) and says what the
/// real use case must answer.
fn model_step(
    step: &Step,
    live: &mut HashMap<u64, Entry>,
    out: &mut HashMap<u64, Model>,
) -> Outcome {
    let Some(outcome) = model_outcome(step, live, out) else {
        return Outcome::Refused;
    };
    outcome
}

fn model_outcome(
    step: &Step,
    live: &mut HashMap<u64, Entry>,
    out: &mut HashMap<u64, Model>,
) -> Option<Outcome> {
    match step {
        Step::Add(serial, fields) => {
            if live.contains_key(serial) {
                return None;
            }
            live.insert(
                *serial,
                Entry {
                    fields: fields.clone(),
                    model: Model::Entered,
                },
            );
            Some(Outcome::Done)
        }
        Step::Edit(serial, fields) => {
            let entry = live.get_mut(serial)?;
            entry.fields = fields.clone();
            entry.model = Model::Entered;
            Some(Outcome::Done)
        }
        Step::Withdraw(serial) | Step::SetAside(serial) => {
            live.remove(serial)?;
            let kind = if matches!(step, Step::Withdraw(_)) {
                Model::Withdrawn
            } else {
                Model::SetAside
            };
            out.insert(*serial, kind);
            Some(Outcome::Done)
        }
        Step::Key(serial, fields) => {
            let entry = live.get_mut(serial)?;
            match entry.model.clone() {
                Model::Entered => {
                    let differing: Vec<(usize, Vec<String>)> = (0..fields.len())
                        .filter(|&f| entry.fields[f] != fields[f])
                        .map(|f| (f, vec![entry.fields[f].clone(), fields[f].clone()]))
                        .collect();
                    if differing.is_empty() {
                        entry.model = Model::Verified;
                        Some(Outcome::Verified)
                    } else {
                        entry.model = Model::Disputed(differing);
                        // The dispute itself is compared through the state afterwards.
                        Some(Outcome::Disputed)
                    }
                }
                Model::Disputed(disputed) => {
                    let before = entry.fields.clone();
                    let mut rest = Vec::new();
                    for (f, mut readings) in disputed {
                        if readings.contains(&fields[f]) {
                            entry.fields[f] = fields[f].clone();
                        } else {
                            readings.push(fields[f].clone());
                            rest.push((f, readings));
                        }
                    }
                    if rest.is_empty() {
                        entry.model = Model::Resolved;
                        Some(Outcome::Resolved {
                            changed: entry.fields != before,
                        })
                    } else {
                        entry.model = Model::Disputed(rest);
                        Some(Outcome::Disputed)
                    }
                }
                Model::Verified | Model::Resolved => None,
                Model::Withdrawn | Model::SetAside => unreachable!("not live"),
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every sequence of steps does to the stored ballots what the model does to its map:
    /// the same refusals, the same outcomes, the same states, readings and counts.
    #[test]
    fn random_steps_follow_the_model(steps in prop::collection::vec(step(), 1..24)) {
        let temp = tempfile::tempdir().unwrap();
        std::fs::write(temp.path().join("meeting.toml"), MEETING_TOML).unwrap();
        std::fs::write(temp.path().join("organizations.csv"), "id,name\nO1,a\nO2,b\n").unwrap();
        let mut meeting = Meeting::create_store(temp.path()).unwrap();
        let mut live: HashMap<u64, Entry> = HashMap::new();
        let mut out: HashMap<u64, Model> = HashMap::new();
        let (mut withdrawn, mut set_aside) = (0u64, 0u64);
        for step in &steps {
            let expected = model_step(step, &mut live, &mut out);
            let outcome: tallyclerk::Result<Option<Verification>> = match step {
                Step::Add(serial, f) => {
                    let reading = to_reading(f, &meeting);
                    let ballot = Ballot { serial: *serial, group: reading.group, marks: reading.marks };
                    meeting.add(&ballot, Source::Typed).map(|_| None)
                }
                Step::Edit(serial, f) => {
                    let reading = to_reading(f, &meeting);
                    meeting
                        .edit(*serial, &reading.marks, reading.group.as_deref(), "misread")
                        .map(|_| None)
                }
                Step::Withdraw(serial) => meeting.withdraw(*serial, "typed twice").map(|_| None),
                Step::SetAside(serial) => meeting.set_aside(*serial, "torn").map(|_| None),
                Step::Key(serial, f) => {
                    let reading = to_reading(f, &meeting);
                    meeting.verify(*serial, &reading).map(Some)
                }
            };
            prop_assert_eq!(&expected, &Outcome::of(&outcome), "{:?}: {:?}", step, outcome);
            if expected != Outcome::Refused {
                match step {
                    Step::Withdraw(_) => withdrawn += 1,
                    Step::SetAside(_) => set_aside += 1,
                    _ => {}
                }
            }
            for serial in 1u64..4 {
                let real = meeting.ballot_state(serial).unwrap();
                match (live.get(&serial), out.get(&serial), real) {
                    (Some(entry), _, Some((stored, state))) => {
                        let reading = Reading {
                            group: stored.ballot.group.clone(),
                            marks: stored.ballot.marks.clone(),
                        };
                        prop_assert_eq!(&fields(&reading, &meeting), &entry.fields);
                        prop_assert_eq!(model_of(&state, &meeting), entry.model.clone());
                    }
                    (None, Some(kind), Some((_, state))) => {
                        prop_assert_eq!(model_of(&state, &meeting), kind.clone());
                    }
                    (None, None, None) => {}
                    (entry, kind, real) => {
                        prop_assert!(false, "serial {}: model {:?} {:?}, real {:?}", serial, entry, kind, real);
                    }
                }
            }
            let counts = meeting.store.ballot_counts().unwrap();
            let count = |want: fn(&Model) -> bool| live.values().filter(|e| want(&e.model)).count() as u64;
            prop_assert_eq!(counts.withdrawn, withdrawn);
            prop_assert_eq!(counts.set_aside, set_aside);
            prop_assert_eq!(counts.collected, live.len() as u64 + set_aside);
            prop_assert_eq!(counts.verified, count(|m| matches!(m, Model::Verified | Model::Resolved)));
            prop_assert_eq!(counts.disputed, count(|m| matches!(m, Model::Disputed(_))));
            prop_assert_eq!(counts.unverified, count(|m| matches!(m, Model::Entered)));
        }
        prop_assert_eq!(meeting.store.count().unwrap(), meeting.store.count_by_scan().unwrap());
        prop_assert!(meeting.store.check().unwrap().is_empty());
    }
}
