//! The meeting and PostgreSQL: each test starts a throwaway server of its own (see
//! [`server`]), so `cargo test` needs Debian's `postgresql` package and fails, saying so,
//! without it.

mod server;

mod copy;

mod commands;
mod contract;
mod faults;
mod import;
mod stations;
mod ui;

/// The command line in English, whatever the test machine's locale, and without a meeting
/// database named by the environment.
pub fn tallyclerk() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("tallyclerk").unwrap();
    cmd.env_remove("LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env_remove("TALLYCLERK_DB")
        .args(["--lang", "en"]);
    cmd
}
