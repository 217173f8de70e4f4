//! The commands on a meeting in a database (`postgres://...` where they take DIR) answer as
//! they do on the same meeting in a folder.

use crate::contract::Place;
use crate::tallyclerk;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = tallyclerk().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The same session of commands on a folder and on a database: every answer the same but
/// for the times and the place named.
#[test]
fn a_session_of_commands_answers_alike_on_a_folder_and_a_database() {
    let temp = tempfile::tempdir().unwrap();
    // Serials out of order from the 143rd row on, as stacks scanned in any order come.
    let mut csv = String::from("serial,O1,O2,O3\n");
    for i in 1..=300 {
        csv.push_str(&format!("{},A,B,C\n", i * 7 % 1000 + 1));
    }
    let file = temp.path().join("ballots.csv");
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let mut answers = Vec::new();
    for place in [Place::folder(), Place::database()] {
        let at = place.location().to_str().unwrap().to_string();
        let at = at.as_str();
        let session: Vec<Vec<&str>> = vec![
            vec!["import", at, file],
            vec!["--station", "east", "add", at, "2000", "ABC"],
            vec!["--station", "east", "add", at, "2000", "CCC"],
            vec!["--station", "west", "verify", at, "2000", "ABC"],
            vec!["withdraw", at, "8", "--reason", "keyed twice"],
            vec!["set-aside", at, "15", "--reason", "torn"],
            vec!["edit", at, "22", "CBA", "--reason", "misread"],
            vec!["issued", at, "400"],
            vec!["tally", at, "--format", "csv"],
            vec!["decide", at, "--tier", "top", "O1", "--reason", "lot"],
            vec!["check", at],
        ];
        // The audit head hashes the times of the entries: it differs, as between any two
        // sessions.
        let said_of = |text: String| -> String {
            text.replace(at, "AT")
                .lines()
                .filter(|l| !l.contains("audit head"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut said = Vec::new();
        for args in session {
            let (code, out, err) = run(&args);
            said.push((said_of(args.join(" ")), code, said_of(out), said_of(err)));
        }
        let (code, log, _) = run(&["log", at]);
        assert_eq!(code, 0);
        let actions: Vec<String> = log
            .lines()
            .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
            .collect();
        said.push(("log".into(), code, actions.join("\n"), String::new()));
        answers.push(said);
    }
    for (folder, database) in answers[0].iter().zip(&answers[1]) {
        assert_eq!(folder, database);
    }
    let check = &answers[1][10];
    assert_eq!(check.1, 0, "{check:?}");
    assert!(check.2.contains("store ok"), "{check:?}");
    let twice = &answers[1][2];
    assert_eq!(twice.1, 1);
    assert!(
        twice.3.contains("serial 2000 is already in the meeting"),
        "{twice:?}"
    );
}
