//! Meetings for import tests, and running the binary on them.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tallyclerk::import::mapping::Mapping;
use tallyclerk::import::{import_file, ImportOptions, ImportReport};
use tallyclerk::Meeting;
use tempfile::TempDir;

/// A meeting of `orgs` organizations O1..On with the options `keys` (4 or 5).
pub fn meeting(orgs: usize, keys: &str) -> (TempDir, Meeting) {
    let temp = tempfile::tempdir().unwrap();
    let labels = ["好", "较好", "一般", "差", "很差"];
    let english = ["Excellent", "Good", "Fair", "Poor", "Bad"];
    let points = [100, 80, 60, 0, 0];
    let scale: Vec<String> = keys
        .chars()
        .enumerate()
        .map(|(i, k)| {
            format!(
                "{{ key = \"{k}\", label = \"{}\", label_en = \"{}\", points = {} }}",
                labels[i], english[i], points[i]
            )
        })
        .collect();
    let toml = format!(
        "title = \"导入测试\"\nscale = [{}]\ngroups = [{{ id = \"leaders\", label = \"领导\", weight = 1 }}, {{ id = \"members\", label = \"党员\", weight = 0.5 }}]\n",
        scale.join(", ")
    );
    std::fs::write(temp.path().join("meeting.toml"), toml).unwrap();
    let mut csv = String::from("id,name\n");
    for i in 1..=orgs {
        csv.push_str(&format!("O{i},第{i}党支部\n"));
    }
    std::fs::write(temp.path().join("organizations.csv"), csv).unwrap();
    let meeting = Meeting::create_store(temp.path()).unwrap();
    (temp, meeting)
}

pub fn data(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(path)
}

/// Imports a file of tests/data with an optional map of tests/data/maps.
pub fn import(meeting: &mut Meeting, file: &Path, map: Option<&str>) -> ImportReport {
    let map = map.map(|m| Mapping::load(&data(&format!("maps/{m}")), &meeting.config).unwrap());
    import_file(
        meeting,
        file,
        ImportOptions {
            map,
            ..ImportOptions::default()
        },
    )
    .unwrap()
}

/// Weighted count of option `k` (0-based) for organization `o` (0-based), as a decimal.
pub fn count(report: &ImportReport, o: usize, k: usize) -> String {
    report.tally.orgs[o].counts[k].to_shortest()
}

pub fn blank(report: &ImportReport, o: usize) -> String {
    report.tally.orgs[o].blank.to_shortest()
}

pub fn tallyclerk() -> Command {
    let mut cmd = Command::cargo_bin("tallyclerk").unwrap();
    cmd.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .args(["--lang", "en"]);
    cmd
}

/// Runs `import DIR` with the arguments `add` gives, expects exit 1 and returns stderr.
pub fn import_refused(dir: &Path, add: impl FnOnce(&mut Command)) -> String {
    let mut cmd = tallyclerk();
    cmd.arg("import").arg(dir);
    add(&mut cmd);
    let out = cmd.assert().code(1);
    String::from_utf8_lossy(&out.get_output().stderr).into_owned()
}

/// The ballot-set digest line of `check`.
pub fn digest(dir: &Path) -> String {
    let out = tallyclerk()
        .arg("check")
        .arg(dir)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .find(|l| l.starts_with("digest"))
        .unwrap()
        .to_string()
}

/// The results as `tally --format csv` prints them.
pub fn results_csv(dir: &Path) -> String {
    let out = tallyclerk()
        .arg("tally")
        .arg(dir)
        .args(["--format", "csv"])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}
