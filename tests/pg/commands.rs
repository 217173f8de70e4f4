//! The commands on a meeting in a database (`postgres://...` where they take DIR) answer as
//! they do on the same meeting in a folder.

use crate::contract::Place;
use crate::tallyclerk;

fn run(args: &[&str]) -> (i32, String, String) {
    answer(tallyclerk().args(args))
}

/// `log` of the meeting at `at`: its exit code and its lines without their times (a local
/// date and clock), which differ from run to run.
fn log_actions(at: &str) -> (i32, String) {
    let (code, log, _) = run(&["log", at]);
    let actions: Vec<String> = log
        .lines()
        .map(|l| l.split_whitespace().skip(2).collect::<Vec<_>>().join(" "))
        .collect();
    (code, actions.join("\n"))
}

/// A command's exit code, output and errors.
fn answer(command: &mut assert_cmd::Command) -> (i32, String, String) {
    let out = command.output().unwrap();
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
        let (code, actions) = log_actions(at);
        assert_eq!(code, 0);
        said.push(("log".into(), code, actions, String::new()));
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

/// Runs `args` with the meeting named by `TALLYCLERK_DB` only.
fn run_on(meeting: &str, args: &[&str]) -> (i32, String, String) {
    answer(tallyclerk().env("TALLYCLERK_DB", meeting).args(args))
}

/// A station that named its meeting once in `TALLYCLERK_DB` runs every command without it,
/// and gets the answers of the same session with the URL given on every command line.
#[test]
fn commands_without_the_meeting_take_the_one_tallyclerk_db_names() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("ballots.csv");
    let mut csv = String::from("serial,O1,O2,O3\n");
    for serial in 1..=40 {
        csv.push_str(&format!("{serial},A,B,C\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let file = file.to_str().unwrap();
    let mut answers = Vec::new();
    for named in [false, true] {
        let place = Place::database();
        let url = place.location().to_str().unwrap().to_string();
        let results = temp.path().join(format!("results-{named}.csv"));
        let results = results.to_str().unwrap();
        // The session as a station with TALLYCLERK_DB types it; the meeting goes first where
        // the URL is given.
        let session: Vec<(Vec<&str>, &str)> = vec![
            (vec!["import", file], "import"),
            (vec!["--station", "east", "add", "2000", "ABC"], "add"),
            (vec!["--station", "east", "add", "2000", "CCC"], "add"),
            (vec!["--station", "west", "verify", "2000", "ABC"], "verify"),
            (vec!["verify", "--list"], "verify"),
            (vec!["withdraw", "8", "--reason", "keyed twice"], "withdraw"),
            (vec!["void", "15", "--reason", "torn"], "void"),
            (vec!["edit", "22", "CBA", "--reason", "misread"], "edit"),
            (vec!["issued", "400"], "issued"),
            (vec!["tally", "--format", "csv"], "tally"),
            (
                vec!["decide", "--tier", "top", "O1", "--reason", "lot"],
                "decide",
            ),
            (vec!["export", "--results", results], "export"),
            (vec!["check"], "check"),
        ];
        let said_of = |text: &str| -> String {
            text.replace(&url, "AT")
                .replace(results, "RESULTS")
                .lines()
                .filter(|l| !l.contains("audit head"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let mut said = Vec::new();
        for (args, command) in session {
            let (code, out, err) = if named {
                run_on(&url, &args)
            } else {
                let mut given = args.clone();
                let at = given.iter().position(|a| *a == command).unwrap();
                given.insert(at + 1, &url);
                run(&given)
            };
            said.push((said_of(&args.join(" ")), code, said_of(&out), said_of(&err)));
        }
        let written = std::fs::read_to_string(results).unwrap();
        said.push(("results.csv".into(), 0, written, String::new()));
        let (code, actions) = log_actions(&url);
        said.push(("log".into(), code, actions, String::new()));
        answers.push(said);
    }
    for (given, named) in answers[0].iter().zip(&answers[1]) {
        assert_eq!(given, named);
    }
    let by_name = |command: &str| {
        answers[1]
            .iter()
            .find(|(args, ..)| args.starts_with(command))
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("import").1, 0, "{:?}", by_name("import"));
    assert!(by_name("check").2.contains("store ok"));
    assert!(by_name("tally").2.contains("O1"));
    let log = &answers[1].last().unwrap().2;
    assert!(
        log.contains("serial 2000") && log.contains("clerk east"),
        "{log}"
    );
}

/// A meeting given on the command line wins over `TALLYCLERK_DB`; a folder that holds no
/// meeting given first is refused as unclear, and so is a command line that does not read
/// with the meeting put in; `new` never takes it. None of them changes anything.
#[test]
fn a_meeting_given_wins_over_tallyclerk_db_and_unclear_lines_change_nothing() {
    let database = Place::database();
    let url = database.location().to_str().unwrap().to_string();
    let folder = Place::folder();
    let at = folder.location().to_str().unwrap();
    let (code, _, err) = run_on(&url, &["add", "1", "AAB"]);
    assert_eq!(code, 0, "{err}");
    // The folder given is the meeting: the form goes there, not into the database.
    let (code, _, err) = run_on(&url, &["add", at, "5", "CCC"]);
    assert_eq!(code, 0, "{err}");
    let (_, in_folder, _) = run(&["tally", at, "--format", "csv"]);
    let (_, named_folder, _) = run_on(&url, &["tally", at, "--format", "csv"]);
    assert_eq!(named_folder, in_folder);
    let (_, in_database, _) = run(&["tally", &url, "--format", "csv"]);
    assert_ne!(in_database, in_folder);
    let log_before = run(&["log", &url]).1;
    let folder_log_before = run(&["log", at]).1;

    let empty = tempfile::tempdir().unwrap();
    let empty_at = empty.path().to_str().unwrap();
    let (code, out, err) = run_on(&url, &["add", empty_at, "17", "ABC"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("holds no meeting (no meeting.toml)"), "{err}");
    assert!(err.contains(&url), "{err}");
    assert_eq!(std::fs::read_dir(empty.path()).unwrap().count(), 0);

    let (code, _, err) = run_on(&url, &["tally", "no-such-meeting"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("the meeting was {url}, from TALLYCLERK_DB")),
        "{err}"
    );

    let orgs = empty.path().join("orgs.csv");
    std::fs::write(&orgs, "id,name\nO1,a\n").unwrap();
    let (code, _, err) = run_on(&url, &["new", "--orgs", orgs.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = run_on(&url, &["new", &url, "--orgs", orgs.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("makes a meeting folder"), "{err}");

    assert_eq!(run(&["log", &url]).1, log_before);
    assert_eq!(run(&["log", at]).1, folder_log_before);
}
