//! Several stations on one PostgreSQL meeting: four stations keying forms at once (the save
//! latency each clerk feels, p50 / p99 / max) and a big import into PostgreSQL against the
//! same import into a folder's SQLite store, of a file in serial order and of one shuffled. A throwaway server of its own (Debian's
//! `postgresql` package, as for `cargo test`), with `fsync` on: saves are durable, as on a
//! real server.
//!
//!   cargo bench --bench stations
//!   STATION_FORMS=2000 STATIONS=4 IMPORT_FORMS=1000000 cargo bench --bench stations
//!
//! Prints a table; figures depend on the machine (say which when quoting them).

#[allow(dead_code)] // the tests' helpers this benchmark does not use
#[path = "../tests/pg/server.rs"]
mod server;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use tallyclerk::generate::{write_meeting, Spec};
use tallyclerk::model::{Ballot, Mark};
use tallyclerk::store::Source;
use tallyclerk::Meeting;

const BIN: &str = env!("CARGO_BIN_EXE_tallyclerk");
const ORGS: usize = 30;

fn number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A meeting folder of `ORGS` organizations with its store and no ballots; `forms` are
/// generated into its ballots.csv (not imported), in serial order or `shuffled` (stacks
/// scanned in any order). Returns the CSV's path.
fn folder_meeting(dir: &Path, forms: u64, shuffled: bool) -> std::path::PathBuf {
    let csv = write_meeting(
        dir,
        Spec {
            forms,
            orgs: ORGS,
            seed: 1,
            shuffled,
        },
    )
    .expect("generate the meeting");
    Meeting::create_store(dir).expect("create the store");
    csv
}

/// An empty PostgreSQL meeting with the rules of a generated folder meeting.
fn database_meeting(
    server: &server::Server,
    name: &str,
    forms: u64,
) -> (String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let csv = folder_meeting(dir.path(), forms, false);
    let url = server.database(name);
    Meeting::open(dir.path())
        .unwrap()
        .copy_to_database(&url)
        .expect("copy the empty meeting into the database");
    assert!(csv.is_file());
    (url, dir)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Four (or `STATIONS`) stations each save `STATION_FORMS` forms one by one, all at once;
/// every save is timed as the clerk waits for it.
fn stations_keying(server: &server::Server) {
    let stations = number("STATIONS", 4);
    let per_station = number("STATION_FORMS", 2000);
    let (url, _dir) = database_meeting(server, "keying", 0);
    let started = Instant::now();
    let workers: Vec<_> = (0..stations)
        .map(|station| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut meeting = Meeting::open(Path::new(&url)).expect("open the meeting");
                meeting.set_clerk(Some(&format!("station-{}", station + 1)));
                let mut seed = station * 7919 + 1;
                let mut times = Vec::with_capacity(per_station as usize);
                let statements_before = meeting.store.statements_run();
                for i in 0..per_station {
                    let marks = (0..ORGS)
                        .map(|_| {
                            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                            Mark::Option(((seed >> 33) % 4) as u8)
                        })
                        .collect();
                    // Interleaved serials: the stations' forms meet in the serial index.
                    let ballot = Ballot {
                        serial: 1 + station + i * stations,
                        group: None,
                        marks,
                    };
                    let start = Instant::now();
                    meeting.add(&ballot, Source::Typed).expect("save a form");
                    times.push(start.elapsed());
                }
                (times, meeting.store.statements_run() - statements_before)
            })
        })
        .collect();
    let mut times: Vec<Duration> = Vec::new();
    let mut statements = 0;
    for worker in workers {
        let (worker_times, worker_statements) = worker.join().expect("a station failed");
        times.extend(worker_times);
        statements += worker_statements;
    }
    let wall = started.elapsed();
    times.sort();
    let check = Command::new(BIN)
        .args(["--lang", "en", "check"])
        .arg(&url)
        .output()
        .unwrap();
    assert!(check.status.success(), "check: {check:?}");
    println!(
        "{stations} stations x {per_station} forms, each saved durably: p50 {}, p99 {}, max {} \
         ({} saves in {:.1} s, {:.0} saves/s; {:.1} statements per save)",
        ms(percentile(&times, 0.5)),
        ms(percentile(&times, 0.99)),
        ms(*times.last().unwrap()),
        times.len(),
        wall.as_secs_f64(),
        times.len() as f64 / wall.as_secs_f64(),
        statements as f64 / times.len() as f64
    );
}

fn timed_import(meeting: &str, csv: &Path) -> Duration {
    let start = Instant::now();
    let out = Command::new(BIN)
        .args(["--lang", "en", "import"])
        .arg(meeting)
        .arg(csv)
        .output()
        .unwrap();
    let spent = start.elapsed();
    assert!(out.status.success(), "import: {out:?}");
    spent
}

/// The same generated file, in serial order or `shuffled`, imported into a folder (SQLite)
/// and into PostgreSQL.
fn import_both(server: &server::Server, shuffled: bool) {
    let forms = number("IMPORT_FORMS", 1_000_000);
    let folder = tempfile::tempdir().unwrap();
    let csv = folder_meeting(folder.path(), forms, shuffled);
    let sqlite = timed_import(folder.path().to_str().unwrap(), &csv);
    let name = if shuffled {
        "import_shuffled"
    } else {
        "import"
    };
    let (url, _dir) = database_meeting(server, name, 0);
    let postgres = timed_import(&url, &csv);
    let order = if shuffled { "shuffled" } else { "in order" };
    println!(
        "import of {forms} forms x {ORGS} organizations, {order}: SQLite folder {:.2} s, \
         PostgreSQL {:.2} s ({:.1} x)",
        sqlite.as_secs_f64(),
        postgres.as_secs_f64(),
        postgres.as_secs_f64() / sqlite.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used here.
    let server = server::Server::start_durable();
    println!(
        "PostgreSQL on 127.0.0.1, fsync on; {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    stations_keying(&server);
    import_both(&server, false);
    import_both(&server, true);
}
