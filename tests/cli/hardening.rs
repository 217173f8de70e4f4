//! Hardening of settings and files out: every number and text within its stated bound, at
//! load with the place; serials at their bound; ids a spreadsheet would run refused.

use crate::harness::*;
use tallyclerk::config::Config;
use tallyclerk::limits::MAX_SERIAL;
use tallyclerk::Lang;

/// A meeting folder with this meeting.toml and organizations.csv, and why it is refused.
fn refusal(toml: &str, orgs: &str) -> String {
    let temp = tempfile::tempdir().unwrap();
    std::fs::write(temp.path().join("meeting.toml"), toml).unwrap();
    std::fs::write(temp.path().join("organizations.csv"), orgs).unwrap();
    match Config::load(temp.path()) {
        Ok(_) => panic!("{toml}\n{orgs}\nwas accepted"),
        Err(e) => e.message(Lang::En),
    }
}

const ORGS3: &str = "id,name\nV1,甲村党支部\nV2,乙村党支部\nV3,丙村党支部\n";

#[test]
fn numbers_outside_their_bounds_are_refused_with_file_line_and_field() {
    let cases = [
        (
            "groups = [\n  { id = \"g\", weight = 1000000000000 },\n]\n",
            "meeting.toml:2: field \"groups.weight\": 1000000000000 is not a number from 0.001 to 1000",
        ),
        (
            "scale = [\n  { key = \"A\", label = \"好\", points = 2000000 },\n]\n",
            "meeting.toml:2: field \"scale.points\": 2000000 is not a number from -1000000 to 1000000",
        ),
        // Quotas of 2^63 - 1 wrapped round the check once.
        (
            "tiers = [\n  { name = \"a\", quota = 9223372036854775807 },\n  { name = \"b\", quota = 9223372036854775807 },\n]\n",
            "field \"tiers\": quotas add up to 18446744073709551614, more than the 3 organizations",
        ),
        (
            "tiers = [\n  { name = \"a\", quota = 9223372036854775807 },\n  { name = \"b\", quota = 9223372036854775807 },\n  { name = \"c\", quota = 9223372036854775807 },\n]\n",
            "field \"tiers\": quotas add up to more than 18446744073709551615, more than the 3 organizations",
        ),
        (
            "forms_issued = 1000000000000000\n",
            "meeting.toml:1: field \"forms_issued\": 1000000000000000 is not a number of forms from 0 to 999999999999999",
        ),
        (
            "title = \"t\"\n\n[rules]\nmin_marked = 4\n",
            "meeting.toml:4: field \"rules.min_marked\": 4 is more than the 3 organizations",
        ),
    ];
    for (toml, expected) in cases {
        let err = refusal(toml, ORGS3);
        assert!(err.contains(expected), "{toml}: {err}");
    }
}

#[test]
fn texts_with_line_ends_or_past_their_length_are_refused_at_load_with_the_place() {
    // A line end in the title would add a line (a false status) to the results' companion.
    let err = refusal("title = \"评议\\n# status: FINAL\"\n", ORGS3);
    assert!(
        err.contains("meeting.toml:1: field \"title\": \"评议\\n# status: FINAL\" holds the control character U+000A"),
        "{err}"
    );
    let err = refusal("date = \"2022\\r02\"\n", ORGS3);
    assert!(err.contains("meeting.toml:1: field \"date\""), "{err}");
    let err = refusal(
        "groups = [\n  { id = \"g\", label = \"a\\tb\" },\n]\n",
        ORGS3,
    );
    assert!(
        err.contains("meeting.toml:2: field \"groups.label\""),
        "{err}"
    );
    // A name longer than a workbook cell broke the workbook export with no place named.
    let long = "村".repeat(40_000);
    let err = refusal("", &format!("id,name\nV1,甲\nV2,{long}\n"));
    assert!(
        err.contains(&format!(
            "organizations.csv:3: column \"name\": value \"{}…\": 40000 characters, more than the 200 allowed",
            "村".repeat(60)
        )),
        "{err}"
    );
    let err = refusal("", "id,name,category\nV1,甲,\"village\nx\"\n");
    assert!(
        err.contains("organizations.csv:2: column \"category\""),
        "{err}"
    );
}

#[test]
fn ids_a_spreadsheet_would_run_are_refused_at_load() {
    let err = refusal("", "id,name\n\"=HYPERLINK(\"\"http://x\"\")\",甲\n");
    assert!(
        err.contains("organizations.csv:2: column \"id\"") && err.contains("begins with '='"),
        "{err}"
    );
    let err = refusal("groups = [\n  { id = \"=cmd|' /C calc'!A0\" },\n]\n", ORGS3);
    assert!(
        err.contains("meeting.toml:2: field \"groups.id\"") && err.contains("begins with '='"),
        "{err}"
    );
}

#[test]
fn the_organization_list_new_writes_guards_formula_cells_and_reads_back_the_same() {
    let temp = tempfile::tempdir().unwrap();
    let orgs = temp.path().join("orgs.csv");
    std::fs::write(
        &orgs,
        "id,name,category\nO1,=HYPERLINK(\"x\"),+village\nO2,@SUM(1),x\n",
    )
    .unwrap();
    let dir = temp.path().join("m");
    tallyclerk_cmd()
        .arg("new")
        .arg(&dir)
        .arg("--orgs")
        .arg(&orgs)
        .assert()
        .success();
    let written = read(&dir.join("organizations.csv"));
    assert!(written.contains("'=HYPERLINK"), "{written}");
    assert!(
        written.contains("'+village") && written.contains("'@SUM(1)"),
        "{written}"
    );
    let config = Config::load(&dir).unwrap();
    let names: Vec<(&str, &str)> = config
        .organizations
        .iter()
        .map(|o| (o.name.as_str(), o.category.as_str()))
        .collect();
    assert_eq!(names, [("=HYPERLINK(\"x\")", "+village"), ("@SUM(1)", "x")]);
}

#[test]
fn every_cell_of_the_ballots_file_is_safe_to_open_in_a_spreadsheet() {
    let f = Fixture::new();
    let toml = f.path("meeting.toml");
    let text = read(&toml).replace(
        "[rules]",
        "groups = [{ id = \"leaders\", weight = 2 }, { id = \"members\" }]\n\n[rules]",
    );
    std::fs::write(&toml, text).unwrap();
    f.run("add", &["1", "AB-*C", "--group", "leaders"])
        .success();
    f.run("add", &["2", "CCCCC"]).success();
    let out = f.path("ballots.csv");
    f.run("export", &["--ballots", out.to_str().unwrap()])
        .success();
    let text = read(&out);
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let mut cells: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for record in reader.records() {
        cells.extend(record.unwrap().iter().map(String::from));
    }
    assert!(cells.contains(&"leaders".to_string()), "{text}");
    for cell in cells {
        assert!(
            !cell.starts_with(['=', '+', '-', '@']),
            "{cell:?} in\n{text}"
        );
    }
}

#[test]
fn serials_past_the_largest_are_refused_where_they_come_in() {
    let f = Fixture::new();
    // 2^63 wrapped round to a negative serial once; 10^15 is one past the largest.
    for serial in ["9223372036854775808", "1000000000000000"] {
        let out = f.run("add", &[serial, "ABCDA"]).code(1);
        assert!(
            stderr_of(&out)
                .contains("out of range: a serial is a whole number from 1 to 999999999999999"),
            "{}",
            stderr_of(&out)
        );
    }
    f.run("add", &[&(MAX_SERIAL - 1).to_string(), "ABCDA"])
        .success();
    // Numbered in file order after the highest: one form fits, the second would not.
    let two = f.file("two.csv", "O1,O2,O3,O4,O5\nA,B,C,D,A\nB,B,C,D,A\n");
    let out = f.run("import", &[two.to_str().unwrap()]).code(1);
    assert!(
        stderr_of(&out).contains(&format!(
            "two.csv:3: numbering the forms in file order from {MAX_SERIAL} passes the largest serial"
        )),
        "{}",
        stderr_of(&out)
    );
    let one = f.file("one.csv", "O1,O2,O3,O4,O5\nA,B,C,D,A\n");
    f.run("import", &[one.to_str().unwrap()]).success();
    let out = f.run("issued", &["1000000000000000"]).code(1);
    assert!(
        stderr_of(&out).contains("the number is at most"),
        "{}",
        stderr_of(&out)
    );
    // The exported ballots, serials at the bound, import into a fresh meeting unchanged.
    let ballots = f.path("ballots.csv");
    f.run("export", &["--ballots", ballots.to_str().unwrap()])
        .success();
    let text = read(&ballots);
    assert!(text.contains(&format!("\r\n{MAX_SERIAL},")), "{text}");
    let g = Fixture::new();
    g.run("import", &[ballots.to_str().unwrap()]).success();
    assert_eq!(g.digest(), f.digest());
}

#[test]
fn a_reason_with_a_line_end_is_refused_and_cannot_forge_a_log_line() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    let out = f
        .run(
            "withdraw",
            &["1", "--reason", "typed twice\n2026-01-01  finalise"],
        )
        .code(1);
    assert!(
        stderr_of(&out).contains("the reason holds the control character U+000A"),
        "{}",
        stderr_of(&out)
    );
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(!log.contains("typed twice"), "{log}");
}

/// Whether `results.csv` in the meeting folder matches the SHA-256 its companion names, as
/// `sha256sum -c results.csv.sha256` checks it.
fn pair_consistent(f: &Fixture) -> bool {
    use sha2::{Digest, Sha256};
    let companion = read(&f.path("results.csv.sha256"));
    let line = companion.lines().find(|l| !l.starts_with('#')).unwrap();
    let (sha, name) = line.split_once("  ").unwrap();
    assert_eq!(name, "results.csv");
    let bytes = std::fs::read(f.path("results.csv")).unwrap();
    tallyclerk::store::hex(&Sha256::digest(&bytes)) == sha
}

/// The names in the meeting folder that begin with a dot (what an export stages).
fn hidden(f: &Fixture) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&f.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    names.sort();
    names
}

#[test]
fn a_results_pair_cut_by_a_crash_is_named_by_check_and_completed_by_the_next_export() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    f.run("export", &[]).success();
    assert!(pair_consistent(&f));
    assert!(f.run("check", &[]).get_output().status.success());
    let old_results = std::fs::read(f.path("results.csv")).unwrap();
    // An export killed between its two renames: the companion of new results is in place,
    // the new results are still staged, and the mark says both were complete.
    f.run("add", &["2", "BBBBB"]).success();
    f.run(
        "export",
        &["--results", f.path("next.csv").to_str().unwrap()],
    )
    .success();
    std::fs::copy(f.path("next.csv"), f.path(".results.csv.new")).unwrap();
    let companion = read(&f.path("next.csv.sha256")).replace("next.csv", "results.csv");
    std::fs::write(f.path("results.csv.sha256"), companion).unwrap();
    std::fs::write(f.path(".results.csv.pending"), "").unwrap();
    assert_eq!(std::fs::read(f.path("results.csv")).unwrap(), old_results);
    assert!(!pair_consistent(&f));
    let out = f.run("check", &[]).code(1);
    assert!(
        stderr_of(&out).contains("was interrupted between the file and its companion: the next export completes the pair"),
        "{}",
        stderr_of(&out)
    );
    // The next export completes that pair, then writes its own.
    f.run(
        "export",
        &["--results", f.path("results.csv").to_str().unwrap()],
    )
    .success();
    assert!(pair_consistent(&f));
    assert_eq!(hidden(&f), Vec::<String>::new());
    assert!(f.run("check", &[]).get_output().status.success());
}

#[test]
fn files_staged_by_a_killed_export_are_named_by_check_and_removed_by_the_next() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    f.run("export", &[]).success();
    // Killed while writing: half a new file staged beside each, no mark.
    for name in [
        ".results.csv.new",
        ".results.csv.sha256.new",
        ".ballots.csv.new",
    ] {
        std::fs::write(f.path(name), "half a fi").unwrap();
    }
    assert!(pair_consistent(&f), "the old pair stands");
    let out = f.run("check", &[]).code(1);
    assert!(
        stderr_of(&out).contains(".results.csv.new was left by an export that did not finish: the next export removes it"),
        "{}",
        stderr_of(&out)
    );
    f.run("export", &[]).success();
    assert_eq!(hidden(&f), Vec::<String>::new());
    assert!(pair_consistent(&f));
    // Results changed by hand no longer match their companion, and check says so.
    std::fs::write(f.path("results.csv"), "rank\r\n").unwrap();
    let out = f.run("check", &[]).code(1);
    assert!(
        stderr_of(&out).contains("results.csv does not match the SHA-256 in"),
        "{}",
        stderr_of(&out)
    );
}

#[test]
fn exports_killed_at_any_moment_leave_a_consistent_pair_or_one_the_next_export_completes() {
    use std::time::Duration;
    let f = Fixture::new();
    for serial in 1..=300 {
        f.run("add", &[&serial.to_string(), "ABCDA"]).success();
    }
    f.run("export", &[]).success();
    let rounds: u64 = std::env::var("TALLYCLERK_FAULT_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20);
    for round in 0..rounds {
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tallyclerk"))
            .arg("export")
            .arg(&f.dir)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(500 * (round % 40)));
        let _ = child.kill();
        child.wait().unwrap();
        // Either the pair is consistent, or the mark says an export was cut between its
        // renames and the next one completes it.
        let marked = f.path(".results.csv.pending").exists();
        assert!(marked || pair_consistent(&f), "round {round}");
    }
    f.run("export", &[]).success();
    assert!(pair_consistent(&f));
    assert_eq!(hidden(&f), Vec::<String>::new());
}

/// Runs `tallyclerk ARGS` with its standard output closed by the reader before it writes,
/// as `tallyclerk ... | head -1` does; returns the exit code and what it said on stderr.
fn with_closed_output(args: &[&std::ffi::OsStr]) -> (Option<i32>, String) {
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("tallyclerk"))
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the command has opened the meeting.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_output_ends_every_command_quietly() {
    let f = Fixture::new();
    for serial in 1..=50 {
        f.run("add", &[&serial.to_string(), "ABCDA"]).success();
    }
    let dir = f.dir.as_os_str();
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    let cases: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![os("tally"), dir],
        vec![os("tally"), dir, os("--format"), os("csv")],
        vec![os("tally"), dir, os("--format"), os("json")],
        vec![os("check"), dir],
        vec![os("log"), dir],
        vec![os("export"), dir, os("--ballots"), os("-")],
        vec![os("add"), dir, os("51"), os("ABCDA")],
    ];
    for args in cases {
        let (code, stderr) = with_closed_output(&args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // The add was done before its line could not be printed.
    let log = stdout_of(&f.run("log", &[]).success());
    assert!(log.contains("serial 51"), "{log}");
}

/// Whether this machine lets a test mount file systems as root of a user namespace of its own.
fn user_namespaces() -> bool {
    std::process::Command::new("unshare")
        .args(["-rm", "true"])
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs `script` in bash as root of a user namespace of its own, with `BIN` the tallyclerk
/// binary and these variables; its output and errors. A script exits 99 when it could not
/// mount what it needs, which fails the test.
fn in_user_namespace(script: &str, vars: &[(&str, &std::path::Path)]) -> String {
    let mut command = std::process::Command::new("unshare");
    command
        .args(["-rm", "bash", "-c", script])
        .env("BIN", assert_cmd::cargo::cargo_bin("tallyclerk"));
    for (name, value) in vars {
        command.env(name, value);
    }
    let out = command.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_ne!(out.status.code(), Some(99), "{text}");
    text
}

#[test]
fn a_full_disk_is_said_with_its_folder_exit_1_and_changes_nothing() {
    // A full disk needs a small file system: a tmpfs of 1 MB mounted in a user namespace.
    if !user_namespaces() {
        eprintln!("skipped: no user namespace to mount a small file system in");
        return;
    }
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    let big = f.temp.path().join("big.csv");
    let mut csv = String::from("serial,O1,O2,O3,O4,O5\n");
    for serial in 2..3_000 {
        csv.push_str(&format!("{serial},A,B,C,D,A\n"));
    }
    std::fs::write(&big, csv).unwrap();
    let disk = f.temp.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let script = r#"
        set -u
        mount -t tmpfs -o size=1m tmpfs "$DISK" || exit 99
        cp -a "$MEETING"/. "$DISK"/
        "$BIN" --lang en export "$DISK" > /dev/null 2>&1 || echo "first export failed"
        dd if=/dev/zero of="$DISK/filler" bs=4k 2>/dev/null
        "$BIN" --lang en import "$DISK" "$BIG"; echo "import exit $?"
        "$BIN" --lang en export "$DISK"; echo "export exit $?"
        "$BIN" --lang en check "$DISK"; echo "check exit $?"
        ls -a "$DISK"
        rm "$DISK/filler"
        "$BIN" --lang en import "$DISK" "$BIG" > /dev/null; echo "import again exit $?"
    "#;
    let text = in_user_namespace(
        script,
        &[("DISK", &disk), ("MEETING", &f.dir), ("BIG", &big)],
    );
    let full = format!(
        "tallyclerk: the disk holding {} is full: free some space there and try again; nothing was changed",
        disk.display()
    );
    assert_eq!(text.matches(&full).count(), 2, "{text}");
    assert!(text.contains("import exit 1"), "{text}");
    assert!(text.contains("export exit 1"), "{text}");
    // Reading needs no room: check reads the store as it was.
    assert!(
        text.contains("check exit 0") && text.contains("ballots: 1\n"),
        "{text}"
    );
    assert!(!text.contains(".new"), "nothing staged is left: {text}");
    assert!(text.contains("import again exit 0"), "{text}");
    assert!(!text.contains("first export failed"), "{text}");
}

#[test]
fn reading_commands_work_on_a_meeting_on_read_only_media() {
    // Read-only media: the meeting folder bound read-only in a user namespace.
    if !user_namespaces() {
        eprintln!("skipped: no user namespace to mount a read-only folder in");
        return;
    }
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    f.run("add", &["2", "BBCDA"]).success();
    let digest = f.digest();
    let out_dir = f.temp.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let script = r#"
        set -u
        mount --bind "$DISK" "$DISK" && mount -o remount,bind,ro "$DISK" || exit 99
        for command in tally check log; do
            "$BIN" --lang en $command "$DISK"; echo "$command exit $?"
        done
        "$BIN" --lang en export "$DISK" --results "$OUT/results.csv" --ballots "$OUT/ballots.csv"
        echo "export exit $?"
        "$BIN" --lang en add "$DISK" 3 ABCDA; echo "add exit $?"
    "#;
    let text = in_user_namespace(script, &[("DISK", &f.dir), ("OUT", &out_dir)]);
    for command in ["tally", "check", "log", "export"] {
        assert!(text.contains(&format!("{command} exit 0")), "{text}");
    }
    assert!(text.contains(&digest), "{text}");
    assert!(text.contains("add exit 1"), "{text}");
    assert!(
        text.contains("cannot be written (read-only media, such as a locked USB stick or a CD?)"),
        "{text}"
    );
    assert!(read(&out_dir.join("ballots.csv")).contains("\r\n2,"));
    assert_eq!(f.digest(), digest);
}

#[test]
fn an_import_cut_off_while_it_wrote_around_the_log_is_undone_and_never_read_half_done() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    let digest = f.digest();
    let mut csv = String::from("serial,O1,O2,O3,O4,O5\n");
    for serial in 2..=400_000 {
        csv.push_str(&format!("{serial},B,C,D,B,C\n"));
    }
    let file = f.file("big.csv", &csv);
    let store = f.path("meeting.db");
    let journal = f.path("meeting.db-journal");
    let size = |path: &std::path::Path| std::fs::metadata(path).map_or(0, |m| m.len());
    let before = size(&store);
    let mut import = std::process::Command::new(assert_cmd::cargo::cargo_bin("tallyclerk"))
        .arg("import")
        .arg(&f.dir)
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Killed once part of it is in meeting.db, the old content of what it changed in the
    // journal beside it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !(size(&journal) > 0 && size(&store) > before + (1 << 20)) {
        assert!(
            import.try_wait().unwrap().is_none(),
            "the import ended before it could be cut off"
        );
        assert!(std::time::Instant::now() < deadline, "no journal seen");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    import.kill().unwrap();
    import.wait().unwrap();
    assert!(size(&journal) > 0);
    // On read-only media the store is refused, not read half imported.
    if user_namespaces() {
        let script = r#"
            mount --bind "$DISK" "$DISK" && mount -o remount,bind,ro "$DISK" || exit 99
            "$BIN" --lang en tally "$DISK"; echo "tally exit $?"
        "#;
        let text = in_user_namespace(script, &[("DISK", &f.dir)]);
        assert!(text.contains("tally exit 1"), "{text}");
        assert!(
            text.contains(
                "an import cut off before it ended is still to be undone from its -journal file"
            ),
            "{text}"
        );
    }
    // Where it can be written, the next command undoes the import first.
    assert_eq!(f.digest(), digest);
    assert_eq!(size(&journal), 0);
    f.run("check", &[]).success();
}

#[test]
fn new_under_umask_000_writes_nothing_others_may_write() {
    use std::os::unix::fs::PermissionsExt;
    let temp = tempfile::tempdir().unwrap();
    let orgs = temp.path().join("orgs.csv");
    std::fs::write(&orgs, ORGS3).unwrap();
    let dir = temp.path().join("new/parents/meeting");
    let script = r#"umask 000
        "$BIN" new "$DIR" --orgs "$ORGS" > /dev/null &&
        "$BIN" add "$DIR" 1 ABC > /dev/null &&
        "$BIN" export "$DIR" 2> /dev/null"#;
    let status = std::process::Command::new("sh")
        .args(["-c", script])
        .env("BIN", assert_cmd::cargo::cargo_bin("tallyclerk"))
        .env("DIR", &dir)
        .env("ORGS", &orgs)
        .status()
        .unwrap();
    assert!(status.success());
    let mut paths = vec![temp.path().join("new"), temp.path().join("new/parents")];
    paths.extend(std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()));
    paths.push(dir.clone());
    assert!(paths.len() > 6, "{paths:?}");
    for path in paths {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o022, 0, "{path:?} has mode {mode:o}");
    }
}

#[test]
fn a_store_error_names_the_meeting_db_it_concerns() {
    let f = Fixture::new();
    f.run("add", &["1", "ABCDA"]).success();
    let store = f.path("meeting.db");
    let mut bytes = std::fs::read(&store).unwrap();
    bytes[..16].copy_from_slice(b"not a database!\0");
    std::fs::write(&store, bytes).unwrap();
    for command in ["tally", "add"] {
        let rest: &[&str] = if command == "add" {
            &["2", "ABCDA"]
        } else {
            &[]
        };
        let out = f.run(command, rest).code(1);
        assert!(
            stderr_of(&out).contains(&format!(
                "{}: the meeting store cannot be used",
                store.display()
            )),
            "{command}: {}",
            stderr_of(&out)
        );
    }
}
