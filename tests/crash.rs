//! A crash test: an import killed with SIGKILL at random moments leaves the store whole, with
//! all of the file's ballots or none of them.

use std::process::{Command, Stdio};
use std::time::Duration;
use tallyclerk::Meeting;

const ORGS: usize = 30;
const FORMS: u64 = 5_000;

/// Rounds of each fault test (`TALLYCLERK_FAULT_ROUNDS` overrides).
fn rounds() -> u64 {
    std::env::var("TALLYCLERK_FAULT_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(50)
}

/// A small seeded generator, so a failing round can be replayed.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn write_meeting(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("meeting.toml"),
        "title = \"crash\"\n[rules]\nmax_marks = { A = 11 }\n",
    )
    .unwrap();
    let mut orgs = String::from("id,name\n");
    for i in 1..=ORGS {
        orgs.push_str(&format!("V{i:02},村{i}\n"));
    }
    std::fs::write(dir.join("organizations.csv"), orgs).unwrap();
    drop(Meeting::create_store(dir).unwrap());
}

fn write_ballots(path: &std::path::Path, rng: &mut Lcg) {
    let mut csv = String::from("serial,group");
    for i in 1..=ORGS {
        csv.push_str(&format!(",V{i:02}"));
    }
    csv.push('\n');
    for serial in 1..=FORMS {
        csv.push_str(&format!("{serial},"));
        for _ in 0..ORGS {
            csv.push(',');
            csv.push_str(["A", "B", "C", "D", "", "*"][(rng.next() % 6) as usize]);
        }
        csv.push('\n');
    }
    std::fs::write(path, csv).unwrap();
}

#[test]
fn killed_imports_leave_all_or_nothing() {
    let temp = tempfile::tempdir().unwrap();
    let mut rng = Lcg(20_261_125);
    let file = temp.path().join("ballots.csv");
    write_ballots(&file, &mut rng);
    let binary = assert_cmd::cargo::cargo_bin("tallyclerk");
    // One import run to the end tells how long the kill window is (not a timed test: the
    // figure only spreads the kills over the import).
    let full = temp.path().join("full");
    write_meeting(&full);
    let started = std::time::Instant::now();
    let status = Command::new(&binary)
        .arg("import")
        .arg(&full)
        .arg(&file)
        .output()
        .unwrap();
    assert!(status.status.success());
    let window = started.elapsed().as_millis().max(1) as u64;

    let mut outcomes = (0, 0);
    for round in 0..rounds() {
        let dir = temp.path().join(format!("round{round}"));
        write_meeting(&dir);
        // A ballot typed before the import must survive every kill.
        let mut meeting = Meeting::open(&dir).unwrap();
        let marks = vec![tallyclerk::model::Mark::Option(1); ORGS];
        let typed = tallyclerk::model::Ballot {
            serial: FORMS + 1,
            group: None,
            marks,
        };
        meeting
            .store
            .add(&typed, tallyclerk::store::Source::Typed)
            .unwrap();
        drop(meeting);

        let mut child = Command::new(&binary)
            .arg("import")
            .arg(&dir)
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(rng.next() % (window + window / 3)));
        let _ = child.kill(); // SIGKILL on Unix
        let _ = child.wait();

        let meeting = Meeting::open(&dir).unwrap();
        assert_eq!(meeting.store.check().unwrap(), vec![], "round {round}");
        let collected = meeting.store.summary().unwrap().collected;
        assert!(
            collected == 1 || collected == FORMS + 1,
            "round {round}: {collected} ballots after the kill"
        );
        assert!(meeting.store.ballot(FORMS + 1).unwrap().is_some());
        if collected == 1 {
            outcomes.0 += 1;
        } else {
            outcomes.1 += 1;
        }
    }
    eprintln!(
        "killed before commit: {}, after: {}",
        outcomes.0, outcomes.1
    );
}

#[test]
fn two_processes_writing_one_meeting_are_serialized() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("meeting");
    write_meeting(&dir);
    let binary = assert_cmd::cargo::cargo_bin("tallyclerk");
    // One process imports a big file while another adds typed ballots one by one.
    let mut rng = Lcg(7);
    let file = temp.path().join("ballots.csv");
    write_ballots(&file, &mut rng);
    let mut import = Command::new(&binary)
        .arg("import")
        .arg(&dir)
        .arg(&file)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let marks: String = "B".repeat(ORGS);
    for serial in FORMS + 1..=FORMS + 20 {
        let status = Command::new(&binary)
            .arg("add")
            .arg(&dir)
            .arg(serial.to_string())
            .arg(&marks)
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(
            status.success(),
            "add {serial} failed while an import was running"
        );
    }
    assert!(import.wait().unwrap().success());
    let meeting = Meeting::open(&dir).unwrap();
    assert_eq!(meeting.store.check().unwrap(), vec![]);
    assert_eq!(meeting.store.summary().unwrap().collected, FORMS + 20);
}

#[test]
fn killed_typed_entry_loses_no_saved_form() {
    let temp = tempfile::tempdir().unwrap();
    let binary = assert_cmd::cargo::cargo_bin("tallyclerk");
    let mut rng = Lcg(42);
    let marks: String = "ABCD".repeat(ORGS).chars().take(ORGS).collect();
    for round in 0..rounds() {
        let dir = temp.path().join(format!("typed{round}"));
        write_meeting(&dir);
        // The clerk saves forms 1..k-1, each reported saved; form k is killed (SIGKILL) at a
        // random moment while it is being saved.
        let k = 1 + rng.next() % 5;
        for serial in 1..=k {
            let mut child = Command::new(&binary)
                .arg("add")
                .arg(&dir)
                .arg(serial.to_string())
                .arg(&marks)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            if serial < k {
                let out = child.wait_with_output().unwrap();
                assert!(out.status.success(), "round {round}: add {serial}");
                assert!(
                    String::from_utf8_lossy(&out.stdout).starts_with(&format!("ballot {serial} "))
                );
            } else {
                std::thread::sleep(Duration::from_micros(rng.next() % 30_000));
                let _ = child.kill(); // SIGKILL on Unix, this one process only
                let _ = child.wait();
            }
        }
        let meeting = Meeting::open(&dir).unwrap();
        assert_eq!(meeting.store.check().unwrap(), vec![], "round {round}");
        let stored = meeting.store.summary().unwrap().collected;
        assert!(
            stored == k - 1 || stored == k,
            "round {round}: {} saved, {stored} stored",
            k - 1
        );
        for serial in 1..=stored {
            assert!(
                meeting.store.ballot(serial).unwrap().is_some(),
                "round {round}: ballot {serial} lost"
            );
        }
    }
}
