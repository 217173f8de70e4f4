//! The meeting and PostgreSQL: each test starts a throwaway server of its own (see
//! [`server`]), so `cargo test` needs Debian's `postgresql` package and fails, saying so,
//! without it.

mod server;

mod copy;

mod commands;
mod contract;
mod faults;
mod stations;
mod ui;
