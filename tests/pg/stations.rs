//! Several stations keying into one meeting database at once: their writes follow one
//! another, so a serial is stored once, the audit log stays one chain, and the meeting ends
//! as if the same forms had been keyed one by one at one laptop.

use crate::contract::{ballot, Place};
use std::sync::{Arc, Barrier};
use tallyclerk::store::Source;
use tallyclerk::{Lang, Meeting};

const STATIONS: u64 = 4;
const FORMS_EACH: u64 = 40;
/// Serials every station keys, each its own reading: exactly one of them may store each.
const COLLIDING: [u64; 5] = [901, 902, 903, 904, 905];

/// The marks a station keys for a serial: different stations read differently, so the
/// tally shows whose form was stored.
fn marks_of(station: u64, serial: u64) -> String {
    let keys = ['A', 'B', 'C', 'D'];
    (0..3)
        .map(|org| keys[((station + serial + org) % 4) as usize])
        .collect()
}

/// A form a station keyed: serial, marks, and whether it was stored (else what was said).
type Keyed = (u64, String, Result<(), String>);

#[test]
fn four_stations_keying_at_once_end_as_one_station_keying_one_by_one() {
    let place = Place::database();
    let barrier = Arc::new(Barrier::new(STATIONS as usize));
    let outcomes: Vec<Vec<Keyed>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..STATIONS)
            .map(|station| {
                let barrier = barrier.clone();
                let place = &place;
                scope.spawn(move || {
                    let mut meeting = place.open(&format!("station{station}"));
                    barrier.wait();
                    let mut serials: Vec<u64> = (1..=FORMS_EACH)
                        .map(|i| station * 100 + i)
                        .chain(COLLIDING)
                        .collect();
                    // The colliding serials among the others, at the same places on every
                    // station, so they are tried at about the same moment.
                    serials.sort_by_key(|s| (s % 100) * 10 + s / 100);
                    serials
                        .into_iter()
                        .map(|serial| {
                            let marks = marks_of(station, serial);
                            let b = ballot(&meeting, serial, &marks);
                            let stored = meeting
                                .add(&b, Source::Typed)
                                .map(|_| ())
                                .map_err(|e| e.message(Lang::En));
                            (serial, marks, stored)
                        })
                        .collect()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });

    // Every distinct serial stored; of each colliding one exactly one keying, the others
    // told so.
    let mut stored: Vec<(u64, String)> = Vec::new();
    for outcome in &outcomes {
        for (serial, marks, result) in outcome {
            match result {
                Ok(()) => stored.push((*serial, marks.clone())),
                Err(said) => {
                    assert!(COLLIDING.contains(serial), "serial {serial}: {said}");
                    assert!(
                        said.contains(&format!("serial {serial} is already in the meeting")),
                        "{said}"
                    );
                }
            }
        }
    }
    for serial in COLLIDING {
        let winners = stored.iter().filter(|(s, _)| *s == serial).count();
        assert_eq!(winners, 1, "serial {serial} stored {winners} times");
    }
    assert_eq!(
        stored.len() as u64,
        STATIONS * FORMS_EACH + COLLIDING.len() as u64
    );

    // The same forms keyed one by one into a folder meeting end the same.
    let folder = Place::folder();
    let mut alone = folder.open("alone");
    stored.sort();
    for (serial, marks) in &stored {
        let b = ballot(&alone, *serial, marks);
        alone.add(&b, Source::Typed).unwrap();
    }
    let shared = place.open("reader");
    let (together, one_by_one) = (shared.results().unwrap(), alone.results().unwrap());
    assert_eq!(together.summary.digest, one_by_one.summary.digest);
    assert_eq!(together.tally, one_by_one.tally);
    assert_eq!(
        format!("{:?}", together.ranking),
        format!("{:?}", one_by_one.ranking)
    );
    let problems = shared.check().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    // One audit entry per form stored, in one chain (check verified it link by link).
    let adds = shared
        .store
        .audit_log()
        .unwrap()
        .iter()
        .filter(|(_, action, _)| action == "add")
        .count();
    assert_eq!(adds, stored.len());
    assert!(Meeting::open_read_only(place.location())
        .unwrap()
        .check()
        .unwrap()
        .is_empty());
}

/// Runs `a` and `b` at the same moment on two threads; their results.
fn at_once<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    let barrier = Barrier::new(2);
    std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            barrier.wait();
            a()
        });
        let second = scope.spawn(|| {
            barrier.wait();
            b()
        });
        (first.join().unwrap(), second.join().unwrap())
    })
}

#[test]
fn finalising_while_another_station_saves_never_finalises_other_results() {
    let place = Place::database();
    let mut east = place.open("east");
    let mut west = place.open("west");
    for serial in 1..=3 {
        let b = ballot(&east, serial, "ABC");
        east.add(&b, Source::Typed).unwrap();
    }
    east.set_issued(100).unwrap();
    let mut outcomes = std::collections::BTreeMap::new();
    for round in 0..10u64 {
        let form = ballot(&west, 10 + round, "ABC");
        // The save a little later each round: before, during and after finalising.
        let (finalised, saved) = at_once(
            || east.finalise(),
            || {
                std::thread::sleep(std::time::Duration::from_millis(round * 3));
                west.add(&form, Source::Typed)
            },
        );
        let key = (finalised.is_ok(), saved.is_ok());
        *outcomes.entry(key).or_insert(0) += 1;
        if let Err(e) = &saved {
            assert!(e.message(Lang::En).contains("finalised"), "{e:?}");
        }
        if let Err(e) = &finalised {
            assert!(e.message(Lang::En).contains("changed while"), "{e:?}");
        }
        assert!(finalised.is_ok() || saved.is_ok(), "round {round}: neither");
        // Whatever came first, the results finalised are those of the ballots stored.
        let problems = east.check().unwrap();
        assert!(problems.is_empty(), "round {round}: {problems:?}");
        if east.store.is_final().unwrap() {
            east.reopen("next round").unwrap();
        }
    }
    eprintln!("(finalised, saved) outcomes: {outcomes:?}");
}

#[test]
fn two_stations_deciding_one_tie_at_once_record_one_decision() {
    let place = Place::database();
    let mut east = place.open("east");
    let mut west = place.open("west");
    // O1 and O2 tie at the cutoff of the one place of `top`.
    for serial in 1..=2 {
        let b = ballot(&east, serial, "AAC");
        east.add(&b, Source::Typed).unwrap();
    }
    for round in 0..10 {
        let (a, b) = at_once(
            || east.decide("top", &["O1".to_string()], "lot drawn at east"),
            || west.decide("top", &["O2".to_string()], "lot drawn at west"),
        );
        assert!(
            a.is_ok() != b.is_ok(),
            "round {round}: exactly one decision: {a:?} {b:?}"
        );
        let refused = a.err().or(b.err()).unwrap().message(Lang::En);
        assert!(
            refused.contains("changed while the decision") || refused.contains("decision refused"),
            "{refused}"
        );
        assert_eq!(east.store.decisions().unwrap().len(), 1);
        assert!(east.check().unwrap().is_empty());
        east.undecide("top", "next round").unwrap();
    }
}

/// A form saved at a station costs few statements, each a round trip to the server: the
/// meeting's `meta` is read once per change and what the change sets there written in one
/// statement, the state tables the change did not write are not hashed again, the count is
/// carried along without reading the forms set aside, and the ballot as stored comes back
/// with its INSERT (28 statements before these).
#[test]
fn a_save_costs_few_round_trips() {
    let place = Place::database();
    let mut east = place.open("east");
    east.results().unwrap();
    for serial in 1..=3 {
        let before = east.store.statements_run();
        let form = ballot(&east, serial, "ABC");
        let stored = east.add(&form, Source::Typed).unwrap();
        let spent = east.store.statements_run() - before;
        assert!(spent <= 11, "a save cost {spent} statements");
        assert_eq!(Some(stored), east.store.ballot(serial).unwrap());
    }
    assert!(east.check().unwrap().is_empty());
}
