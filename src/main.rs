//! The `tallyclerk` binary: parse the command line, run it, map errors to exit codes.

mod cli;

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp
                | clap::error::ErrorKind::DisplayVersion
                | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(1),
            };
        }
    };
    let lang = cli.lang;
    match cli::run(cli) {
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
