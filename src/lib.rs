//! tallyclerk: tally the evaluation forms of a review meeting.
//!
//! Attendees rate each grassroots organization on a paper form; the clerk enters the forms
//! (typed, or imported from scanning software), and tallyclerk counts them, ranks the
//! organizations, picks the quota tiers and exports the results.
//!
//! The library holds the whole domain; the command line and the terminal UI are thin layers:
//! - [`config`]: `meeting.toml` and `organizations.csv`, checked;
//! - [`effective`]: the parts of them that decide results, as finalising stores them;
//! - [`model`]: organizations, scale, ballots, marks, validity;
//! - [`tally`] and [`ranking`]: the rules of docs/RULES.md (sections 5-8), exact;
//! - [`ballot_state`]: a ballot's lifecycle (verified, disputed, withdrawn, set aside);
//! - [`store`]: the durable SQLite store with its audit log;
//! - [`meeting`]: a meeting folder opened for work;
//! - [`import`] and [`export`]: the files in and out;
//! - [`demo`]: the bundled demo meeting;
//! - [`tui`]: the clerk's terminal UI.

pub mod attendance;
pub mod ballot_state;
pub mod config;
pub mod decimal;
pub mod demo;
pub mod effective;
pub mod error;
pub mod export;
pub mod generate;
pub mod import;
pub mod lang;
pub mod limits;
pub mod meeting;
pub mod model;
pub mod pdf;
pub mod ranking;
pub mod scoring;
pub mod store;
pub mod tally;
pub mod text;
pub mod tui;

pub use error::{Error, Result};
pub use lang::Lang;
pub use meeting::{Meeting, Results};
