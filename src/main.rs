//! The `tallyclerk` binary: parse the command line, run it, map errors to exit codes.

mod cli;

use clap::Parser;
use std::ffi::OsString;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let named = std::env::var_os(cli::MEETING_VARIABLE);
    let meeting = cli::meeting_argument(&args, named.as_deref());
    let parsed = match &meeting {
        cli::MeetingArgument::FromEnvironment { args, .. } => cli::Cli::try_parse_from(args),
        _ => cli::Cli::try_parse_from(&args),
    };
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitCode::SUCCESS
                }
                _ => {
                    if let Some(note) = meeting.note() {
                        let lang = tallyclerk::Lang::from_env();
                        let _ = writeln!(std::io::stderr(), "tallyclerk: {}", note.get(lang));
                    }
                    ExitCode::from(1)
                }
            };
        }
    };
    let lang = cli.lang;
    let outcome = match meeting.refusal() {
        Some(refusal) => Err(refusal),
        None => cli::run(cli),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of standard output closed it (`| head -1`): nothing more to say.
        Err(tallyclerk::Error::ClosedOutput) => ExitCode::SUCCESS,
        Err(e) => {
            let lang = lang.unwrap_or_else(tallyclerk::Lang::from_env);
            // A closed standard error loses the message, not the exit code.
            let _ = writeln!(std::io::stderr(), "tallyclerk: {}", e.message(lang));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
