//! A temporary meeting folder and a way to run the binary on it.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// A temporary folder with a meeting of five organizations O1..O5 in it.
pub struct Fixture {
    pub temp: TempDir,
    pub dir: PathBuf,
}

pub const ORGS: &str = "id,name,category\nO1,长兴村党支部,village\nO2,东门社区党支部,community\nO3,兴华纺织有限公司党支部,enterprise\nO4,南湖村党支部,village\nO5,西山村党支部,village\n";

impl Fixture {
    /// A meeting created with `new`, tiers excellent 2 and better 1: at most 2 A per form, the
    /// first tier's quota, as `new` writes it.
    pub fn new() -> Fixture {
        let temp = tempfile::tempdir().unwrap();
        let orgs = temp.path().join("orgs.csv");
        std::fs::write(&orgs, ORGS).unwrap();
        let dir = temp.path().join("meeting");
        tallyclerk_cmd()
            .args(["new"])
            .arg(&dir)
            .arg("--orgs")
            .arg(&orgs)
            .args([
                "--title",
                "测试会议",
                "--tier",
                "excellent=2",
                "--tier",
                "better=1",
            ])
            .assert()
            .success();
        Fixture { temp, dir }
    }

    /// Runs `tallyclerk <args> DIR <rest>` with English messages.
    pub fn run(&self, command: &str, rest: &[&str]) -> assert_cmd::assert::Assert {
        tallyclerk_cmd()
            .arg("--lang")
            .arg("en")
            .arg(command)
            .arg(&self.dir)
            .args(rest)
            .assert()
    }

    /// Writes a file in the temporary folder and returns its path.
    pub fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.temp.path().join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// The ballot-set digest as `check` prints it.
    pub fn digest(&self) -> String {
        let out = self.run("check", &[]).success().get_output().stdout.clone();
        let text = String::from_utf8(out).unwrap();
        text.lines()
            .find(|l| l.starts_with("digest"))
            .unwrap()
            .to_string()
    }

    /// The results as `tally --format csv` prints them.
    pub fn results_csv(&self) -> String {
        let out = self
            .run("tally", &["--format", "csv"])
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    }

    /// Path inside the meeting folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
}

/// The command line, without the locale or a meeting named by the environment of whoever
/// runs the tests.
pub fn tallyclerk_cmd() -> Command {
    let mut cmd = Command::cargo_bin("tallyclerk").unwrap();
    cmd.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("TALLYCLERK_DB");
    cmd
}

pub fn stderr_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stderr).into_owned()
}

pub fn stdout_of(assert: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&assert.get_output().stdout).into_owned()
}

pub fn read(path: &Path) -> String {
    String::from_utf8(std::fs::read(path).unwrap()).unwrap()
}
