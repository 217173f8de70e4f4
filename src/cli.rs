//! The command line (README, "Command line"): clap definitions and thin calls into the library.

use clap::{Parser, Subcommand, ValueEnum};
use std::ffi::{OsStr, OsString};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use tallyclerk::config;
use tallyclerk::error::{Error, Result, Text};
use tallyclerk::export::{self, ResultsOptions};
use tallyclerk::import::{self, ImportOptions};
use tallyclerk::meeting::ballots::{disputed_fields, serial_runs, Verification};
use tallyclerk::meeting::create::{self, parse_tier, MaxMarks, NewMeeting};
use tallyclerk::meeting::files::{self, Destination, ExportKind, ExportRequest};
use tallyclerk::meeting::lifecycle::void_round_text;
use tallyclerk::model::{self, Ballot, Tier};
use tallyclerk::ranking::Decision;
use tallyclerk::store::postgres_copy::{is_database_url, shown_url};
use tallyclerk::{demo, tui, Lang, Meeting, Results};
use unicode_width::UnicodeWidthStr;

/// Prints a line to standard output; a reader that closed it (`| head -1`) ends the command
/// quietly, its work done ([`Error::ClosedOutput`]).
macro_rules! outln {
    () => {
        write_out(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        write_out(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

/// Prints to standard output, as [`outln!`] without the line end.
macro_rules! out {
    ($($arg:tt)*) => {
        write_out(format_args!($($arg)*))?
    };
}

/// Prints a line to standard error, for the user's eyes only: if nobody reads it, nothing
/// is lost.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

fn write_out(text: std::fmt::Arguments) -> Result<()> {
    use std::io::Write;
    std::io::stdout()
        .lock()
        .write_fmt(text)
        .map_err(Error::output)
}

/// Tally the evaluation forms of a review meeting: enter, rank, pick quota tiers, export.
///
/// Without a command, opens the terminal UI on the meeting in the current folder, or on a
/// fresh copy of the bundled demo when the current folder is not a meeting.
///
/// A station that names its meeting once in TALLYCLERK_DB (a database URL or a folder)
/// leaves it out of every command on a meeting: `tallyclerk tally`, `tallyclerk add 17 ...`.
/// A meeting folder or database URL given first is still the meeting; a folder without
/// meeting.toml given first, while TALLYCLERK_DB is set, is refused as unclear.
#[derive(Debug, Parser)]
#[command(name = "tallyclerk", version)]
pub struct Cli {
    /// Language of messages and headers: zh or en (default: meeting.toml, else LANG).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// The name of this station (or of its clerk): kept with each form keyed and in the
    /// audit log, so a second keying can be told to come from another station. `--clerk` is
    /// the same flag under its first name.
    #[arg(
        long = "station",
        visible_alias = "clerk",
        global = true,
        value_name = "NAME"
    )]
    pub clerk: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

/// `excellent: O2 (tie O1, O2, O3, places 1-3)`.
fn decision_line(meeting: &Meeting, decision: &Decision, lang: Lang) -> String {
    let config = &meeting.config;
    let ids = |orgs: &[usize]| {
        orgs.iter()
            .map(|&o| config.organizations[o].id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let tie = &decision.tie;
    let (named, tied) = (ids(&decision.orgs), ids(&tie.orgs));
    let tier = config.tiers[decision.tier].display(lang);
    match lang {
        Lang::En => format!(
            "{tier}: {named} (tie {tied}, places {}-{})",
            tie.first, tie.last
        ),
        Lang::Zh => format!(
            "{tier}：{named}（并列 {tied}，第 {}-{} 名）",
            tie.first, tie.last
        ),
    }
}

fn parse_lang(text: &str) -> std::result::Result<Lang, String> {
    Lang::parse(text).ok_or_else(|| format!("\"{text}\" is not zh or en"))
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Copy the bundled demo meeting to DIR (default: a fresh temporary folder) and open the
    /// terminal UI on it (when output is a terminal; otherwise only say where it is).
    Demo {
        /// Folder to create the demo meeting in.
        dir: Option<PathBuf>,
        /// The scoring demo instead: voter groups by fixed shares, rates over the valid
        /// forms, and a composite with two assessment files that ranks.
        #[arg(long)]
        scoring: bool,
    },
    /// Open the terminal UI on a meeting folder.
    Open {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
    },
    /// The projector view: the results tier by tier in large type, revealed by the clerk
    /// (Space: next tier, Enter: next organization, Backspace: hide the last, s: scores and
    /// counts, l: black on white, Esc: the tabs, q: quit). It follows the store live.
    Announce {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Black on white (for a bright room or a projector that washes out dark screens).
        #[arg(long)]
        light: bool,
    },
    /// Create a meeting folder from an organization list (.csv or .xlsx). Everything is
    /// checked before anything is written. With tiers, a form may give the first approving
    /// option (好) to at most as many organizations as the first tier has places. Without
    /// --orgs: create the store of a meeting folder written by hand (meeting.toml and its
    /// organizations file, no meeting.db yet).
    #[command(after_help = NEW_HELP)]
    New {
        /// The folder to create.
        dir: PathBuf,
        /// The organization list: CSV (UTF-8 or GB18030) or .xlsx, headed id,name[,category]
        /// or 序号/编号, 单位名称/党组织名称/名称, 类别; without an id column ids O01.. are
        /// made up.
        #[arg(long)]
        orgs: Option<PathBuf>,
        /// Meeting title (default: the folder name).
        #[arg(long, requires = "orgs")]
        title: Option<String>,
        /// Date of the meeting, as it should be printed, e.g. 2026-02-16.
        #[arg(long, requires = "orgs")]
        date: Option<String>,
        /// A quota tier, best first: NAME=QUOTA or NAME:LABEL=QUOTA, e.g. excellent:优秀=11.
        #[arg(long = "tier", value_parser = parse_tier, requires = "orgs")]
        tiers: Vec<Tier>,
        /// A validity limit KEY=N: a form giving more than N marks of option KEY is invalid
        /// (repeatable; replaces the limit the first tier sets).
        #[arg(long = "max-marks", value_parser = parse_max_marks, conflicts_with = "no_max_marks", requires = "orgs")]
        max_marks: Vec<(char, usize)>,
        /// No validity limit on any option, even with tiers.
        #[arg(long, requires = "orgs")]
        no_max_marks: bool,
        /// A voter group ID:LABEL=WEIGHT (LABEL and WEIGHT optional; weight 1 by default),
        /// e.g. members:机关党员=0.5.
        #[arg(long = "group", value_parser = parse_group, requires = "orgs")]
        groups: Vec<model::Group>,
        /// Forms handed out (can be set later with `issued`).
        #[arg(long, requires = "orgs")]
        issued: Option<u64>,
        /// Language of the meeting's screens and files: zh or en.
        #[arg(long, value_parser = parse_lang, requires = "orgs")]
        language: Option<Lang>,
    },
    /// Store one ballot. MARKS has one character per organization in organizations.csv
    /// order, as typed in the UI: an option key or its number 1-4, '-' or '0' for blank, '*'
    /// for spoiled; spaces are passed over, e.g. "AABAC -D*.." or "11213 0..."; a leading
    /// '-' needs no '--'.
    Add {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The number on the form.
        serial: u64,
        /// One character per organization (option key or 1-4, '-'/'0' blank, '*' spoiled).
        #[arg(allow_hyphen_values = true)]
        marks: String,
        /// The voter group (an id from meeting.toml).
        #[arg(long)]
        group: Option<String>,
    },
    /// Import ballots from CSV files (any common encoding and delimiter), .xlsx or .xls:
    /// wide (a row per form) or long (serial,org,rating rows); each file all or nothing.
    #[command(after_help = IMPORT_HELP)]
    Import {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Files to import.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// A map file: which column is which organization, the serial and group columns,
        /// columns to ignore, a value table (see below).
        #[arg(long)]
        map: Option<PathBuf>,
        /// Propose a map for each file, write it beside the file as FILE.map.toml, show
        /// what the file would import with it, and import nothing.
        #[arg(long, conflicts_with = "map")]
        propose_map: bool,
        /// Show what would be imported and change nothing.
        #[arg(long)]
        dry_run: bool,
        /// Import a file even though the same content was imported before.
        #[arg(long)]
        allow_same_file: bool,
        /// Leave out rows whose serial is already in the meeting instead of refusing.
        #[arg(long)]
        skip_existing: bool,
        /// Force the text encoding: utf-8, gb18030 (gbk), utf-16le, utf-16be.
        #[arg(long, value_parser = parse_encoding)]
        encoding: Option<tallyclerk::import::source::Encoding>,
        /// Force the delimiter: ',', ';' or 'tab'.
        #[arg(long, value_parser = parse_delimiter)]
        delimiter: Option<u8>,
        /// The worksheet of a workbook (default: the first).
        #[arg(long)]
        sheet: Option<String>,
    },
    /// Print blank numbered forms: one A4 form per serial, with the title, the instruction,
    /// a row per organization and a box per option; --omr adds bubbles, corner marks, the
    /// serial and group as bubbles, and writes OMRChecker's template.json and the MAP.toml
    /// that imports its Results.csv beside the PDF.
    Forms {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Where to write the forms (PDF).
        #[arg(long)]
        pdf: PathBuf,
        /// The serials: FIRST-LAST (e.g. 1-60) or one number.
        #[arg(long, value_parser = parse_serials)]
        serials: std::ops::RangeInclusive<u64>,
        /// Bubbles for form-scanning software, and its template and map beside the PDF.
        #[arg(long)]
        omr: bool,
        /// The font (.ttf, .otf, .ttc with Chinese); default: a CJK font of the system.
        #[arg(long)]
        font: Option<PathBuf>,
    },
    /// Print the tally and ranking with tiers.
    Tally {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Write the results CSV, the results workbook, the ballots CSV and/or the tally sheet
    /// PDF (default: all four into DIR: results.csv, results.xlsx, ballots.csv, results.pdf).
    Export {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Where to write the results CSV ('-' for standard output).
        #[arg(long)]
        results: Option<PathBuf>,
        /// Where to write the results as an .xlsx workbook laid out for printing.
        #[arg(long)]
        xlsx: Option<PathBuf>,
        /// Where to write the ballots CSV ('-' for standard output).
        #[arg(long)]
        ballots: Option<PathBuf>,
        /// Where to write the tally sheet (PDF, A4, with the forms report) to be signed.
        #[arg(long)]
        pdf: Option<PathBuf>,
        /// The font of the tally sheet (.ttf, .otf, .ttc with Chinese); default: a CJK font
        /// found on the system (Noto CJK, WenQuanYi, Microsoft YaHei, SimHei, SimSun).
        #[arg(long)]
        font: Option<PathBuf>,
        /// Leave out the UTF-8 byte order mark.
        #[arg(long)]
        no_bom: bool,
        /// Add rated_<group>, score_<group>, top_rate_<group> and approval_rate_<group>
        /// columns per voter group.
        #[arg(long)]
        by_group: bool,
        /// Export even though the round is void (the files then say VOID ROUND).
        #[arg(long)]
        force: bool,
    },
    /// Resolve a tie at a cutoff: the organizations named take places of tier NAME ahead of
    /// the rest of their tie group. The decision holds only while exactly that tie stands.
    Decide {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The tier the organizations named get.
        #[arg(long)]
        tier: String,
        /// Organization ids.
        #[arg(required = true)]
        orgs: Vec<String>,
        /// Why (kept with the decision and in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Withdraw the decisions of tier NAME (and those of later tiers made on top of them on
    /// the same tie); the tie is undecided again.
    Undecide {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The tier whose decisions are withdrawn.
        #[arg(long)]
        tier: String,
        /// Why (kept with the decision and in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Check the store's integrity, the audit chain and, while final, that the rules and
    /// results are those finalised; print the digest of the ballot set. Writes nothing.
    Check {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// An audit head noted earlier (printed by tally and check, carried by
        /// results.csv.sha256): refused unless the audit chain still holds it.
        #[arg(long, value_name = "HEAD")]
        expect: Option<String>,
    },
    /// Write one consistent copy of the store (meeting.db with what its -wal file holds) into
    /// a new FILE, while the meeting may be open elsewhere.
    Backup {
        /// The meeting folder.
        dir: PathBuf,
        /// The new file to write.
        file: PathBuf,
    },
    /// Copy a meeting folder into an empty PostgreSQL database (`copy DIR URL`), or a
    /// meeting in a database into a new folder (`copy URL DIR`): rules, organizations,
    /// ballots with their history, decisions and audit log, as stored (equal digests and
    /// audit chain on both sides). URL: postgres://USER@HOST:PORT/DBNAME.
    Copy {
        /// Where the meeting is: a folder, or a database URL.
        from: String,
        /// Where it goes: a database URL (from a folder), or a new folder (from a URL).
        to: String,
    },
    /// Set the number of forms handed out.
    Issued {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Forms handed out.
        n: u64,
    },
    /// Lock the meeting once results are announced: refused while a tie at a cutoff is
    /// undecided or the round is void; warns about unverified forms (refused while any is
    /// unverified where meeting.toml sets `[rules] require_verified = true`).
    Finalise {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
    },
    /// Unlock a finalised meeting.
    Reopen {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// Why it is reopened (kept in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Set a paper form aside as void: kept and shown, still collected (it counts against
    /// the forms issued), no longer counted in the tally. Also `void`.
    #[command(name = "set-aside", visible_alias = "void")]
    SetAside {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The serial of the ballot.
        serial: u64,
        /// Why (kept in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Withdraw a keying mistake (typed or imported): no paper form behind it, so it is no
    /// longer collected nor counted; kept in the store and the audit log.
    Withdraw {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The serial of the ballot.
        serial: u64,
        /// Why (kept in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Key a form again to verify it: MARKS (as for `add`) and --group read from the paper
    /// without looking at the first keying. Answers verified, or disputed with the rows that
    /// differ (never the readings); a disputed form is keyed again the same way, and two
    /// readings of three decide each disputed row. `verify DIR --list` shows what is left.
    Verify {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The serial on the form.
        #[arg(required_unless_present = "list", conflicts_with = "list")]
        serial: Option<u64>,
        /// One character per organization, read from the paper, as for `add`.
        #[arg(required_unless_present = "list", allow_hyphen_values = true)]
        marks: Option<String>,
        /// The voter group read from the paper.
        #[arg(long)]
        group: Option<String>,
        /// List what is left to verify: unverified, disputed and invalid forms.
        #[arg(long)]
        list: bool,
    },
    /// Replace the marks of a ballot, keeping its old version in its history.
    Edit {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
        /// The serial of the ballot.
        serial: u64,
        /// The corrected marks, as for `add`.
        #[arg(allow_hyphen_values = true)]
        marks: String,
        /// The voter group.
        #[arg(long)]
        group: Option<String>,
        /// Why (kept in the audit log).
        #[arg(long, required = true)]
        reason: String,
    },
    /// Print the audit log.
    Log {
        /// The meeting folder, or its database: postgres://USER@HOST:PORT/DBNAME. Left out
        /// where TALLYCLERK_DB names the meeting.
        dir: PathBuf,
    },
    /// Write a generated meeting with N forms (for benchmarks and fault tests).
    #[command(hide = true)]
    Gen {
        /// The folder to write (meeting.toml, organizations.csv, ballots.csv).
        dir: PathBuf,
        /// Number of forms.
        #[arg(long, default_value_t = 1000)]
        forms: u64,
        /// Number of organizations.
        #[arg(long, default_value_t = 30)]
        orgs: usize,
        /// Seed of the marks.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Serials with gaps in shuffled order (stacks scanned in any order).
        #[arg(long)]
        shuffled: bool,
    },
}

/// Output formats of `tally`.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Csv,
    Json,
}

const NEW_HELP: &str = "\
The seed meeting (30 organizations, 11 excellent and 5 better, three voter groups, 45 forms):

    tallyclerk new 2026评议 --orgs 名单.xlsx --title \"长兴镇2025年度基层党组织书记抓党建述职评议\" \\
      --date 2026-02-16 --language zh --tier excellent:优秀=11 --tier better:较好=5 \\
      --group leaders:镇领导班子成员=1 --group cadres:村（社区）干部=1 \\
      --group members:机关党员=0.5 --issued 45

This writes max_marks A = 11: a form giving more than 11 好 is invalid.";

const IMPORT_HELP: &str = "\
Columns are matched to organizations by org id or name; `serial` (or 序号/编号/表号) and
`group` (or 组别) columns are found by name; without a serial column the forms are numbered
in file order after the meeting's highest serial. Cells may hold an option key, label,
English label or 1-based position; several options in one cell (AB, A,B, A|B) are a spoiled
mark. Encoding (UTF-8, UTF-16, GB18030/GBK) and delimiter (, ; tab) are detected.

A map file for OMRChecker's Results.csv (file_id,input_path,output_path,score,q1,q2,...):

    serial = \"auto\"          # number the forms in file order
    numbered = \"q\"           # q1 is the 1st organization of organizations.csv, q2 the 2nd ...
    ignore = [\"file_id\", \"input_path\", \"output_path\", \"score\"]
                             # an ignored q column is left out of the numbering
    blank = [\"no\"]           # values that mean blank, besides the empty cell
    [values]                 # what other values mean: a key, label, position, - or *
    \"1\" = \"A\"
    \"好\" = \"A\"
    \"NR\" = \"*\"           # spoiled (\"-\" is blank)

Value keys match the whole cell, and inside brackets and multi-tick cells each value:
\"response 01\" (or \"[response 01]\") matches [response 01] and [response 01, response 03].

Other keys: layout = \"wide\" | \"long\"; group = \"COLUMN\"; org = / rating = \"COLUMN\" for
long files; [columns] \"HEADER\" = \"ORG_ID\"; ignore_others = true; spoiled = [\"...\"].

A file that does not match the meeting gets a proposed map: the numbered columns detected
(q1.., 题1.., question 01..), the serial column, the columns left out and a value table, shown
with the first problems. --propose-map writes it beside the file as FILE.map.toml; check it,
then import with --map FILE.map.toml.";

fn parse_encoding(text: &str) -> std::result::Result<tallyclerk::import::source::Encoding, String> {
    tallyclerk::import::source::Encoding::parse(text)
        .ok_or_else(|| format!("\"{text}\" is not utf-8, gb18030, gbk, utf-16le or utf-16be"))
}

fn parse_serials(text: &str) -> std::result::Result<std::ops::RangeInclusive<u64>, String> {
    let number = |t: &str| {
        t.trim()
            .parse::<u64>()
            .map_err(|_| format!("\"{text}\" is not FIRST-LAST (e.g. 1-60) or a number"))
    };
    match text.split_once('-') {
        Some((first, last)) => Ok(number(first)?..=number(last)?),
        None => {
            let n = number(text)?;
            Ok(n..=n)
        }
    }
}

fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    match text {
        "," | "comma" => Ok(b','),
        ";" | "semicolon" => Ok(b';'),
        "\\t" | "\t" | "tab" => Ok(b'\t'),
        _ => Err(format!("\"{text}\" is not ',', ';' or 'tab'")),
    }
}

/// A progress bar on standard error when it is a terminal: forms read and forms per second.
fn progress_bar(lang: Lang) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    let template = match lang {
        Lang::En => "{spinner} {pos} forms read ({per_sec})",
        Lang::Zh => "{spinner} 已读取 {pos} 份 ({per_sec})",
    };
    bar.set_style(indicatif::ProgressStyle::with_template(template).ok()?);
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(bar)
}

fn parse_max_marks(text: &str) -> std::result::Result<(char, usize), String> {
    let (key, max) = text
        .split_once('=')
        .ok_or_else(|| format!("\"{text}\" is not KEY=N, e.g. A=11"))?;
    let mut chars = key.trim().chars();
    let key = match (chars.next(), chars.next()) {
        (Some(c), None) if c.is_ascii_alphabetic() => c.to_ascii_uppercase(),
        _ => return Err(format!("\"{key}\" is not an option key (one letter)")),
    };
    let max = max
        .trim()
        .parse()
        .map_err(|_| format!("\"{max}\" is not a whole number"))?;
    Ok((key, max))
}

fn parse_group(text: &str) -> std::result::Result<model::Group, String> {
    let (id_label, weight) = match text.rsplit_once('=') {
        Some((head, weight)) => {
            let parsed = tallyclerk::decimal::Milli::parse(weight)
                .filter(|w| w.0 > 0)
                .ok_or_else(|| {
                    format!("\"{weight}\" is not a positive weight with at most 3 decimals")
                })?;
            (head, parsed)
        }
        None => (text, tallyclerk::decimal::Milli::ONE),
    };
    let (id, label) = match id_label.split_once(':') {
        Some((id, label)) => (id.trim(), label.trim()),
        None => (id_label.trim(), id_label.trim()),
    };
    if id.is_empty() {
        return Err(format!("\"{text}\" has no group id"));
    }
    Ok(model::Group {
        id: id.to_string(),
        label: if label.is_empty() { id } else { label }.to_string(),
        weight,
    })
}

/// "30 organizations" / "30 个组织".
fn organizations_count(n: usize, lang: Lang) -> String {
    match lang {
        Lang::En => tallyclerk::lang::count_en(n, "organization", "organizations"),
        Lang::Zh => format!("{n} 个组织"),
    }
}

/// What `new` made, and the validity limit it chose when it took one from the tiers.
fn print_created(meeting: &Meeting, spec: &NewMeeting, lang: Lang) -> Result<()> {
    let config = &meeting.config;
    outln!(
        "{} {} ({})",
        lang.pick("meeting created in", "会议已创建于"),
        config.dir.display(),
        organizations_count(config.organizations.len(), lang)
    );
    if !config.tiers.is_empty() {
        let tiers: Vec<String> = config
            .tiers
            .iter()
            .map(|t| format!("{} {}", t.display(lang), t.quota))
            .collect();
        outln!("{}: {}", lang.pick("tiers", "等次"), tiers.join(", "));
    }
    if !config.groups.is_empty() {
        let groups: Vec<String> = config
            .groups
            .iter()
            .map(|g| format!("{} ({}) ×{}", g.id, g.label, g.weight.to_shortest()))
            .collect();
        outln!(
            "{}: {}",
            lang.pick("voter groups", "投票人组别"),
            groups.join(", ")
        );
    }
    match spec.derived_limit(&config.scale) {
        Some(limit) => outln!("{}", create::derived_limit_text(&limit).get(lang)),
        None => {
            let limits: Vec<String> = config
                .scale
                .options
                .iter()
                .zip(&config.rules.max_marks)
                .filter_map(|(o, max)| max.map(|m| format!("{} ≤ {m}", o.key)))
                .collect();
            if limits.is_empty() {
                outln!("max_marks: {}", lang.pick("none", "无"));
            } else {
                outln!("max_marks: {}", limits.join(", "));
            }
        }
    }
    if let Some(issued) = config.forms_issued {
        outln!("{}: {issued}", lang.pick("forms issued", "发出评议表"));
    }
    Ok(())
}

/// The environment variable in which a station names its meeting once: a database URL (or a
/// folder), taken by every command on a meeting whose command line leaves the meeting out.
pub const MEETING_VARIABLE: &str = "TALLYCLERK_DB";

/// The commands that make a meeting folder or move one, whose folder argument is never taken
/// from [`MEETING_VARIABLE`].
const COMMANDS_WITHOUT_A_MEETING: [&str; 4] = ["new", "demo", "gen", "copy"];

/// Where the meeting of a command line comes from when the station names one in
/// [`MEETING_VARIABLE`].
#[derive(Debug, PartialEq, Eq)]
pub enum MeetingArgument {
    /// As the command line says: its first argument is a meeting folder or a database URL,
    /// or the command takes no meeting, or no meeting is named in the environment.
    Given,
    /// Left out of the command line: the environment's, put in as the command's first
    /// argument.
    FromEnvironment {
        /// The command line with the meeting put in.
        args: Vec<OsString>,
        /// The meeting, as it may be shown (without a password).
        shown: String,
    },
    /// The command's first argument is a folder that holds no meeting while the environment
    /// names one: which was meant is not clear, so nothing is done.
    Ambiguous {
        /// The folder given.
        folder: String,
        /// The environment's meeting, as it may be shown.
        shown: String,
        /// The command.
        command: String,
    },
}

/// Decides where the meeting of command line `args` (the program's name first) comes from,
/// `named` being the value of [`MEETING_VARIABLE`]. The rule, for a command on a meeting:
/// its first positional argument is the meeting when it is a database URL or a meeting
/// folder (one holding meeting.toml); a folder without meeting.toml is ambiguous; anything
/// else (no argument, a serial, a file) leaves the meeting out, and the environment's is
/// taken.
pub fn meeting_argument(args: &[OsString], named: Option<&OsStr>) -> MeetingArgument {
    let Some(named) = named.filter(|named| !named.is_empty()) else {
        return MeetingArgument::Given;
    };
    let root = <Cli as clap::CommandFactory>::command();
    let Some((at, command)) = find_command(&root, args) else {
        return MeetingArgument::Given;
    };
    if COMMANDS_WITHOUT_A_MEETING.contains(&command.get_name()) {
        return MeetingArgument::Given;
    }
    let shown = shown_url(&named.to_string_lossy());
    if let Some(first) = first_positional(&root, command, &args[at + 1..]) {
        let path = Path::new(first);
        if is_database_url(&first.to_string_lossy()) || config::is_meeting(path) {
            return MeetingArgument::Given;
        }
        if path.is_dir() {
            return MeetingArgument::Ambiguous {
                folder: path.display().to_string(),
                shown,
                command: command.get_name().to_string(),
            };
        }
    }
    let mut with_meeting = args.to_vec();
    with_meeting.insert(at + 1, named.to_os_string());
    MeetingArgument::FromEnvironment {
        args: with_meeting,
        shown,
    }
}

impl MeetingArgument {
    /// The refusal of an ambiguous command line, which changes nothing.
    pub fn refusal(&self) -> Option<Error> {
        let MeetingArgument::Ambiguous {
            folder,
            shown,
            command,
        } = self
        else {
            return None;
        };
        Some(Error::user(
            format!("{folder} is a folder that holds no meeting (no meeting.toml), while {MEETING_VARIABLE} names the meeting {shown}: which one is meant is not clear, so nothing was done. For the meeting of {MEETING_VARIABLE}, give it first (`tallyclerk {command} {shown} {folder} …`); for a meeting folder, give one that holds meeting.toml"),
            format!("{folder} 是文件夹，但其中没有会议（没有 meeting.toml），而 {MEETING_VARIABLE} 指定的会议是 {shown}：无法确定所指，未做任何操作。若指 {MEETING_VARIABLE} 的会议，请把它放在最前（`tallyclerk {command} {shown} {folder} …`）；若指会议文件夹，请给出含 meeting.toml 的文件夹"),
        ))
    }

    /// When the command line could not be read with the environment's meeting put in: which
    /// meeting was taken, and why.
    pub fn note(&self) -> Option<Text> {
        let MeetingArgument::FromEnvironment { shown, .. } = self else {
            return None;
        };
        Some(Text::new(
            format!("the meeting was {shown}, from {MEETING_VARIABLE}, as the command line does not start with a meeting folder or a database URL"),
            format!("会议取自 {MEETING_VARIABLE}：{shown}，因为命令行没有以会议文件夹或数据库 URL 开头"),
        ))
    }
}

/// The subcommand of `args` and its place, past the options given before it.
fn find_command<'a>(
    root: &'a clap::Command,
    args: &[OsString],
) -> Option<(usize, &'a clap::Command)> {
    let mut at = 1;
    while let Some(token) = args.get(at) {
        let text = token.to_string_lossy();
        if text == "--" {
            return None;
        }
        if text.starts_with('-') {
            at += if option_takes_next(&[root], &text) {
                2
            } else {
                1
            };
            continue;
        }
        return root.find_subcommand(token).map(|command| (at, command));
    }
    None
}

/// The first positional argument among `rest`, the arguments after the subcommand, passing
/// over options and their values (the subcommand's own, and the global ones).
fn first_positional<'a>(
    root: &clap::Command,
    command: &clap::Command,
    rest: &'a [OsString],
) -> Option<&'a OsStr> {
    let mut at = 0;
    while let Some(token) = rest.get(at) {
        let text = token.to_string_lossy();
        if text == "--" {
            return rest.get(at + 1).map(OsString::as_os_str);
        }
        if text.starts_with('-') && text.len() > 1 {
            at += if option_takes_next(&[root, command], &text) {
                2
            } else {
                1
            };
            continue;
        }
        return Some(token);
    }
    None
}

/// Whether option `token` (`--name`, `--name=value`, `-x`) of one of `commands` takes the
/// next argument as its value.
fn option_takes_next(commands: &[&clap::Command], token: &str) -> bool {
    let takes_value = |matches: &dyn Fn(&clap::Arg) -> bool| {
        commands
            .iter()
            .flat_map(|command| command.get_arguments())
            .any(|arg| matches(arg) && arg.get_action().takes_values())
    };
    if let Some(long) = token.strip_prefix("--") {
        if long.contains('=') {
            return false;
        }
        return takes_value(&|arg: &clap::Arg| {
            arg.get_long() == Some(long)
                || arg
                    .get_all_aliases()
                    .is_some_and(|aliases| aliases.contains(&long))
        });
    }
    let mut shorts = token.chars().skip(1);
    match (shorts.next(), shorts.next()) {
        (Some(short), None) => takes_value(&|arg: &clap::Arg| arg.get_short() == Some(short)),
        _ => false,
    }
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let flag = cli.lang;
    let clerk = cli.clerk;
    let Some(command) = cli.command else {
        // Checked first, so a script does not leave a demo copy behind for nothing.
        tui::require_terminal()?;
        // A station of a meeting held in a database names it once in its environment.
        if let Some(url) = std::env::var_os(MEETING_VARIABLE).filter(|url| !url.is_empty()) {
            let meeting = open_as_clerk(Path::new(&url), &clerk)?;
            return tui::run(meeting, flag, None);
        }
        let here = Path::new(".");
        if config::is_meeting(here) {
            let meeting = open_as_clerk(here, &clerk)?;
            return tui::run(meeting, flag, None);
        }
        return tui::run_start(flag, clerk);
    };
    // Errors are said of the meeting the command is about: its store file, its folder's
    // disk.
    let dir = command.dir().map(Path::to_path_buf);
    let makes_a_folder = matches!(
        command,
        Command::New { .. } | Command::Demo { .. } | Command::Gen { .. }
    );
    if let (Some(dir), true) = (&dir, makes_a_folder) {
        refuse_database_url(dir)?;
    }
    run_command(command, flag, clerk).map_err(|e| match &dir {
        Some(dir) => e.in_meeting(dir),
        None => e,
    })
}

impl Command {
    /// The meeting folder the command is about.
    fn dir(&self) -> Option<&Path> {
        match self {
            Command::Demo { dir, .. } => dir.as_deref(),
            Command::Copy { from, to } => {
                let folder = if is_database_url(from) { to } else { from };
                Some(Path::new(folder))
            }
            Command::Open { dir }
            | Command::Announce { dir, .. }
            | Command::New { dir, .. }
            | Command::Add { dir, .. }
            | Command::Import { dir, .. }
            | Command::Tally { dir, .. }
            | Command::Export { dir, .. }
            | Command::Forms { dir, .. }
            | Command::Decide { dir, .. }
            | Command::Undecide { dir, .. }
            | Command::Check { dir, .. }
            | Command::Backup { dir, .. }
            | Command::Issued { dir, .. }
            | Command::Finalise { dir, .. }
            | Command::Reopen { dir, .. }
            | Command::SetAside { dir, .. }
            | Command::Withdraw { dir, .. }
            | Command::Verify { dir, .. }
            | Command::Edit { dir, .. }
            | Command::Log { dir, .. }
            | Command::Gen { dir, .. } => Some(dir),
        }
    }
}

fn run_command(command: Command, flag: Option<Lang>, clerk: Option<String>) -> Result<()> {
    match command {
        Command::Demo { dir, scoring } => {
            let which = if scoring { demo::SCORING } else { demo::REVIEW };
            let meeting = match dir {
                Some(dir) => demo::install_demo(&dir, which)?,
                None => demo::install_fresh(which)?,
            };
            let lang = meeting.lang(flag);
            // Scripts (`tallyclerk demo DIR && tallyclerk tally DIR`) get the folder only.
            if std::io::stdout().is_terminal() {
                let notice = demo_notice(&meeting);
                return tui::run(meeting, flag, Some(notice));
            }
            outln!(
                "{} {}",
                lang.pick("demo meeting created in", "演示会议已创建于"),
                meeting.config.dir.display()
            );
        }
        Command::Announce { dir, light } => {
            let meeting = Meeting::open_to_read(&dir)?;
            tui::run_projector(meeting, flag, light)?;
        }
        Command::Open { dir } => {
            let meeting = open_as_clerk(&dir, &clerk)?;
            tui::run(meeting, flag, None)?;
        }
        Command::New {
            dir,
            orgs,
            title,
            date,
            tiers,
            max_marks,
            no_max_marks,
            groups,
            issued,
            language,
        } => {
            let Some(orgs) = orgs else {
                // A meeting written by hand: its files say everything, only the store is new.
                if !config::is_meeting(&dir) {
                    return Err(Error::user(
                        format!("{} has no meeting.toml: give the organization list with --orgs FILE to create a meeting", dir.display()),
                        format!("{} 中没有 meeting.toml：请用 --orgs FILE 给出组织名单以创建会议", dir.display()),
                    ));
                }
                let meeting = Meeting::create_store(&dir)?;
                let lang = meeting.lang(flag);
                outln!(
                    "{} {} ({})",
                    lang.pick("store created for the meeting in", "已为会议创建数据库："),
                    dir.display(),
                    organizations_count(meeting.config.organizations.len(), lang)
                );
                return Ok(());
            };
            let spec = NewMeeting {
                title,
                date,
                language,
                forms_issued: issued,
                tiers,
                groups,
                max_marks: if no_max_marks {
                    MaxMarks::Unlimited
                } else if max_marks.is_empty() {
                    MaxMarks::FirstTierQuota
                } else {
                    MaxMarks::Given(max_marks)
                },
            };
            let meeting = Meeting::create(&dir, &orgs, &spec)?;
            let lang = meeting.lang(flag);
            print_created(&meeting, &spec, lang)?;
        }
        Command::Add {
            dir,
            serial,
            marks,
            group,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            let parsed = parse_marks_arg(&meeting, &marks)?;
            let ballot = Ballot {
                serial,
                group,
                marks: parsed,
            };
            let stored = meeting.add(&ballot, tallyclerk::store::Source::Typed)?;
            print_ballot(&meeting, &stored, lang)?;
        }
        Command::Import {
            dir,
            files,
            map,
            propose_map,
            dry_run,
            allow_same_file,
            skip_existing,
            encoding,
            delimiter,
            sheet,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            let mapped = map.is_some();
            let map = match map {
                Some(path) => Some(tallyclerk::import::mapping::Mapping::load(
                    &path,
                    &meeting.config,
                )?),
                None => None,
            };
            let options = ImportOptions {
                dry_run,
                allow_same_file,
                skip_existing,
                map,
                source: tallyclerk::import::source::SourceOptions {
                    encoding,
                    delimiter,
                    sheet,
                },
                ..ImportOptions::default()
            };
            if propose_map {
                return write_proposed_maps(&mut meeting, &dir, &files, &options, lang);
            }
            let bar = progress_bar(lang);
            let reports = meeting.import_files(&files, &options, |_| {
                bar.clone().map(|bar| {
                    tallyclerk::import::Progress(std::sync::Arc::new(move |forms| {
                        bar.set_position(forms)
                    }))
                })
            });
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            let reports = match reports {
                Err(Error::Problems(problems)) if !mapped => {
                    return Err(with_proposed_map(
                        &mut meeting,
                        &dir,
                        problems,
                        &options,
                        lang,
                    ))
                }
                reports => reports?,
            };
            for report in reports {
                print_import(&meeting, &report, lang)?;
            }
        }
        Command::Tally { dir, format } => {
            let meeting = Meeting::open_to_read(&dir)?;
            let lang = meeting.lang(flag);
            let results = meeting.results()?;
            let stdout = std::io::stdout();
            match format {
                Format::Csv => export::write_results_csv(
                    stdout.lock(),
                    &meeting,
                    &results,
                    lang,
                    ResultsOptions::default(),
                    false,
                )?,
                Format::Table => out!("{}", table(&meeting, &results, lang)),
                Format::Json => outln!("{}", json(&meeting, &results, lang)),
            }
        }
        Command::Export {
            dir,
            results,
            xlsx,
            ballots,
            pdf,
            font,
            no_bom,
            by_group,
            force,
        } => {
            let meeting = Meeting::open_to_read(&dir)?;
            let lang = meeting.lang(flag);
            let destination = |path: PathBuf| {
                if path == Path::new("-") {
                    Destination::Stdout
                } else {
                    Destination::File(path)
                }
            };
            let mut request = ExportRequest::all_into(&meeting.files_dir(), lang);
            if results.is_some() || xlsx.is_some() || ballots.is_some() || pdf.is_some() {
                request.sheet_optional = false;
                request.files = [
                    (ExportKind::Workbook, xlsx),
                    (ExportKind::Results, results),
                    (ExportKind::Ballots, ballots),
                    (ExportKind::TallySheet, pdf),
                ]
                .into_iter()
                .filter_map(|(kind, path)| path.map(|p| (kind, destination(p))))
                .collect();
            }
            request.bom = !no_bom;
            request.by_group = by_group;
            request.force = force;
            request.font = font;
            let outcome = meeting.export(&request)?;
            for (kind, written) in &outcome.written {
                if let Destination::File(path) = written {
                    let what = match kind {
                        ExportKind::Results => lang.pick("results", "结果"),
                        ExportKind::Workbook => lang.pick("results workbook", "结果工作簿"),
                        ExportKind::Ballots => lang.pick("ballots", "评议表"),
                        ExportKind::Digests => lang.pick("digests", "摘要"),
                        ExportKind::TallySheet => lang.pick("tally sheet", "测评结果统计表"),
                    };
                    errln!("{what}: {}", path.display());
                }
            }
            if let Some(font) = &outcome.font {
                errln!(
                    "{}{font}",
                    lang.pick("font of the tally sheet: ", "统计表字体：")
                );
            }
            for notice in &outcome.notices {
                errln!("{}", notice.get(lang));
            }
            let summary = &outcome.summary;
            if summary.void_round() {
                errln!("{}", void_banner(summary, lang));
            }
            if summary.finalised {
                errln!(
                    "{}",
                    lang.pick(
                        "FINAL: the meeting is finalised",
                        "已定稿：本次会议结果为最终结果"
                    )
                );
            }
        }
        Command::Forms {
            dir,
            pdf,
            serials,
            omr,
            font,
        } => {
            let meeting = Meeting::open_to_read(&dir)?;
            let lang = meeting.lang(flag);
            let outcome = meeting.blank_forms(&files::FormsRequest {
                pdf,
                serials,
                omr,
                lang,
                font,
            })?;
            for path in &outcome.written {
                errln!("{}: {}", lang.pick("written", "已写出"), path.display());
            }
            errln!(
                "{}",
                match lang {
                    Lang::En => format!("{} forms, font {}", outcome.forms, outcome.font),
                    Lang::Zh => format!("评议表 {} 份，字体 {}", outcome.forms, outcome.font),
                }
            );
        }
        Command::Decide {
            dir,
            tier,
            orgs,
            reason,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            let decision = meeting.decide(&tier, &orgs, &reason)?;
            outln!(
                "{} {}",
                lang.pick("decided", "已裁定"),
                decision_line(&meeting, &decision, lang)
            );
        }
        Command::Undecide { dir, tier, reason } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            for decision in meeting.undecide(&tier, &reason)? {
                outln!(
                    "{} {}",
                    lang.pick("withdrawn", "已撤销"),
                    decision_line(&meeting, &decision, lang)
                );
            }
        }
        Command::Check { dir, expect } => {
            let meeting = Meeting::open_read_only(&dir)?;
            let lang = meeting.lang(flag);
            let mut problems = meeting.check()?;
            if let Some(head) = expect {
                problems.extend(meeting.check_expected_head(&head)?);
            }
            let summary = meeting.store.summary()?;
            if !problems.is_empty() {
                let lines: Vec<&str> = problems.iter().map(|p| p.get(lang)).collect();
                return Err(Error::user(
                    lines.join("\n"),
                    problems
                        .iter()
                        .map(|p| p.zh.as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ));
            }
            outln!("{}", lang.pick("store ok", "数据库完好"));
            outln!("{}: {}", lang.pick("ballots", "评议表"), summary.collected);
            outln!("{}: sha256:{}", lang.pick("digest", "摘要"), summary.digest);
            outln!(
                "{}: {}",
                lang.pick("audit head", "审计链头"),
                summary.audit_head
            );
            if let Some((rules, results)) = meeting.store.final_digests()? {
                outln!(
                    "{}: {} sha256:{rules}, {} sha256:{results}",
                    lang.pick("final", "已定稿"),
                    lang.pick("rules", "规则"),
                    lang.pick("results", "结果")
                );
            }
        }
        Command::Backup { dir, file } => {
            let meeting = Meeting::open_to_read(&dir)?;
            let lang = meeting.lang(flag);
            meeting.backup(&file)?;
            outln!(
                "{}: {}",
                lang.pick("store copied to", "数据库已备份到"),
                file.display()
            );
        }
        Command::Copy { from, to } => match (is_database_url(&from), is_database_url(&to)) {
            (false, true) => {
                let meeting = Meeting::open_to_read(Path::new(&from))?;
                let lang = meeting.lang(flag);
                meeting.copy_to_database(&to)?;
                outln!(
                    "{} {}",
                    lang.pick("meeting copied to", "会议已复制到"),
                    shown_url(&to)
                );
            }
            (true, false) => {
                let meeting = Meeting::copy_from_database(&from, Path::new(&to))?;
                let lang = meeting.lang(flag);
                outln!("{} {to}", lang.pick("meeting copied to", "会议已复制到"));
            }
            _ => {
                return Err(Error::user(
                    "copy takes a folder and a database URL (postgres://USER@HOST:PORT/DBNAME), one each way: `copy DIR URL` or `copy URL DIR`",
                    "copy 需要一个文件夹和一个数据库 URL（postgres://用户@主机:端口/数据库名）：`copy DIR URL` 或 `copy URL DIR`",
                ))
            }
        },
        Command::Issued { dir, n } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            meeting.set_issued(n)?;
            let summary = meeting.store.summary()?;
            outln!("{}: {n}", lang.pick("forms issued", "发出表格"));
            if summary.void_round() {
                outln!("{}", void_banner(&summary, lang));
            }
        }
        Command::Finalise { dir } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            let finalised = meeting.finalise()?;
            for warning in finalised.warnings.texts() {
                errln!("{}: {}", lang.pick("warning", "警告"), warning.get(lang));
            }
            outln!("{}", lang.pick("meeting finalised", "会议已定稿"));
            outln!(
                "{}: sha256:{}",
                lang.pick("rules", "规则"),
                finalised.rules_sha256
            );
            outln!(
                "{}: sha256:{}",
                lang.pick("results", "结果"),
                finalised.results_sha256
            );
        }
        Command::Reopen { dir, reason } => {
            let mut meeting = Meeting::open_to_reopen(&dir)?;
            meeting.set_clerk(clerk.as_deref());
            let lang = meeting.lang(flag);
            meeting.reopen(&reason)?;
            outln!("{}", lang.pick("meeting reopened", "会议已重新开放"));
        }
        Command::SetAside {
            dir,
            serial,
            reason,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            meeting.set_aside(serial, &reason)?;
            outln!(
                "{} {serial}",
                lang.pick(
                    "set aside (kept and collected, not counted): ballot",
                    "已作废搁置（保留并计入收回数，不计票）：评议表"
                )
            );
        }
        Command::Withdraw {
            dir,
            serial,
            reason,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            meeting.withdraw(serial, &reason)?;
            outln!(
                "{} {serial}",
                lang.pick(
                    "withdrawn (not collected, not counted): ballot",
                    "已撤回（不计入收回数，不计票）：评议表"
                )
            );
        }
        Command::Verify {
            dir,
            serial,
            marks,
            group,
            list,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            match (serial, marks) {
                (Some(serial), Some(marks)) if !list => {
                    let reading = tallyclerk::ballot_state::Reading {
                        group,
                        marks: parse_marks_arg(&meeting, &marks)?,
                    };
                    let outcome = meeting.verify(serial, &reading)?;
                    outln!("{}", verification_text(&meeting, serial, &outcome, lang));
                }
                _ => print_progress(&meeting, lang)?,
            }
        }
        Command::Edit {
            dir,
            serial,
            marks,
            group,
            reason,
        } => {
            let mut meeting = open_as_clerk(&dir, &clerk)?;
            let lang = meeting.lang(flag);
            let parsed = parse_marks_arg(&meeting, &marks)?;
            let stored = meeting.edit(serial, &parsed, group.as_deref(), &reason)?;
            print_ballot(&meeting, &stored, lang)?;
        }
        Command::Gen {
            dir,
            forms,
            orgs,
            seed,
            shuffled,
        } => {
            if orgs == 0 {
                return Err(Error::user("--orgs must be at least 1", "--orgs 至少为 1"));
            }
            let spec = tallyclerk::generate::Spec {
                forms,
                orgs,
                seed,
                shuffled,
            };
            let ballots = tallyclerk::generate::write_meeting(&dir, spec)?;
            outln!("{}", ballots.display());
        }
        Command::Log { dir } => {
            let meeting = Meeting::open_to_read(&dir)?;
            for (at, action, detail) in meeting.store.audit_log()? {
                outln!("{at}  {action:<9} {detail}");
            }
        }
    }
    Ok(())
}

/// Refuses a database URL where a command makes a meeting folder, saying what works.
fn refuse_database_url(dir: &Path) -> Result<()> {
    let text = dir.to_string_lossy();
    if !is_database_url(&text) {
        return Ok(());
    }
    let url = shown_url(&text);
    Err(Error::user(
        format!("{url}: this command makes a meeting folder; a meeting gets into a database by `tallyclerk copy DIR {url}`"),
        format!("{url}：本命令创建会议文件夹；会议通过 `tallyclerk copy DIR {url}` 放入数据库"),
    ))
}

/// Opens a meeting for a command that keys forms, naming the station's clerk (`--clerk`).
fn open_as_clerk(dir: &Path, clerk: &Option<String>) -> Result<Meeting> {
    let mut meeting = Meeting::open(dir)?;
    meeting.set_clerk(clerk.as_deref());
    Ok(meeting)
}

/// What a keying for verification did, as `verify` answers it: never a reading.
fn verification_text(meeting: &Meeting, serial: u64, outcome: &Verification, lang: Lang) -> String {
    match outcome {
        Verification::Verified => match lang {
            Lang::En => format!("ballot {serial} verified: both keyings agree"),
            Lang::Zh => format!("评议表 {serial} 核对无误：两次录入一致"),
        },
        Verification::Resolved { changed: false } => match lang {
            Lang::En => format!("ballot {serial} resolved: the first keying stands"),
            Lang::Zh => format!("评议表 {serial} 争议已解决：第一次录入成立"),
        },
        Verification::Resolved { changed: true } => match lang {
            Lang::En => format!("ballot {serial} resolved: corrected by the readings (audited)"),
            Lang::Zh => format!("评议表 {serial} 争议已解决：按多数录入更正（记入审计日志）"),
        },
        Verification::Disputed(dispute) => {
            let fields = disputed_fields(&meeting.config, dispute);
            match lang {
                Lang::En => format!(
                    "ballot {serial} DISPUTED: {}; key the form again from the paper (verify DIR {serial} MARKS)",
                    fields.en
                ),
                Lang::Zh => format!(
                    "评议表 {serial} 有争议：{}；请对照纸质表格再次录入（verify DIR {serial} MARKS）",
                    fields.zh
                ),
            }
        }
    }
}

/// `verify DIR --list`: the progress line, then the unverified, disputed and invalid forms.
fn print_progress(meeting: &Meeting, lang: Lang) -> Result<()> {
    let progress = meeting.progress(i64::MAX as usize)?;
    let disputed = progress.disputed.len();
    outln!(
        "{}",
        match lang {
            Lang::En => format!(
                "verified {}/{}, disputed {disputed}, unverified {}",
                progress.verified, progress.counted, progress.unverified
            ),
            Lang::Zh => format!(
                "已核对 {}/{}，有争议 {disputed}，待核对 {}",
                progress.verified, progress.counted, progress.unverified
            ),
        }
    );
    if progress.unverified > 0 {
        outln!(
            "{}: {}",
            lang.pick("unverified", "待核对"),
            serial_runs(&progress.unverified_serials)
        );
    }
    for (serial, dispute) in &progress.disputed {
        outln!(
            "{} {serial}: {}",
            lang.pick("disputed", "有争议"),
            disputed_fields(&meeting.config, dispute).get(lang)
        );
    }
    if progress.invalid > 0 {
        outln!(
            "{}: {}",
            lang.pick("invalid", "无效"),
            serial_runs(&progress.invalid_serials)
        );
    }
    if let Some(next) = meeting.next_unverified(0)? {
        outln!("{}: {next}", lang.pick("next to verify", "下一张待核对"));
    }
    Ok(())
}

/// Reads the MARKS argument of `add` and `edit`: one character per organization.
fn parse_marks_arg(meeting: &Meeting, marks: &str) -> Result<Vec<model::Mark>> {
    let scale = &meeting.config.scale;
    model::parse_typed_marks(marks, scale).map_err(|(at, c)| {
        let marks = tallyclerk::text::echo(marks);
        let c = tallyclerk::text::echo(&c.to_string());
        let keys: String = scale.options.iter().map(|o| o.key).collect();
        let n = scale.options.len();
        Error::user(
            format!(
                "MARKS \"{marks}\": character {} \"{c}\" is not an option key ({keys}) or number (1-{n}), '-' or '0' (blank) or '*' (spoiled)",
                at + 1
            ),
            format!(
                "MARKS \"{marks}\"：第 {} 个字符 \"{c}\" 不是选项键（{keys}）或序号（1-{n}）、'-' 或 '0'（空白）或 '*'（无效标记）",
                at + 1
            ),
        )
    })
}

fn void_banner(summary: &tallyclerk::store::Summary, lang: Lang) -> String {
    let text = void_round_text(summary.collected, summary.issued.unwrap_or_default());
    format!("*** {} ***", text.get(lang))
}

/// The status note of a TUI opened on a copy of the demo: where the copy is.
fn demo_notice(meeting: &Meeting) -> Text {
    let dir = meeting.config.dir.display();
    Text::new(
        format!("demo meeting: a fresh copy in {dir}"),
        format!("演示会议：新副本位于 {dir}"),
    )
}

fn print_ballot(
    meeting: &Meeting,
    stored: &tallyclerk::store::StoredBallot,
    lang: Lang,
) -> Result<()> {
    let config = &meeting.config;
    let ballot = &stored.ballot;
    let validity = match model::validity(&ballot.marks, &config.scale, &config.rules) {
        Ok(()) => lang.pick("valid", "有效").to_string(),
        Err(reason) => format!(
            "{}: {}",
            lang.pick("INVALID", "无效"),
            reason.message(&config.scale, lang)
        ),
    };
    outln!(
        "{} {} [{}] {} {validity}",
        lang.pick("ballot", "评议表"),
        ballot.serial,
        ballot.group.as_deref().unwrap_or("-"),
        model::marks_string(&ballot.marks, &config.scale),
    );
    Ok(())
}

/// How many of a refused file's problems are shown beside a proposed map.
const PROBLEMS_BESIDE_A_MAP: usize = files::PROBLEMS_BESIDE_A_MAP;

/// The command that imports `file` with the map at `map_path`.
fn import_command(dir: &Path, file: &Path, map_path: &Path) -> String {
    format!(
        "tallyclerk import {} {} --map {}",
        dir.display(),
        file.display(),
        map_path.display()
    )
}

/// The refusal of an import without a map, its first problems followed by a map proposed
/// for the first file refused, when the map helps (the file then imports, or has fewer
/// problems); otherwise the refusal as it was.
fn with_proposed_map(
    meeting: &mut Meeting,
    dir: &Path,
    problems: tallyclerk::error::Problems,
    options: &ImportOptions,
    lang: Lang,
) -> Error {
    let Some(file) = problems.listed.first().map(|p| PathBuf::from(&p.file)) else {
        return Error::Problems(problems);
    };
    let proposed = match meeting.propose_map(&file, options, lang) {
        Ok(proposed) => proposed,
        Err(_) => return Error::Problems(problems),
    };
    if !proposed.helps(&problems) {
        return Error::Problems(problems);
    }
    let mut lines: Vec<String> = problems
        .listed
        .iter()
        .take(PROBLEMS_BESIDE_A_MAP)
        .map(|p| p.render(lang))
        .collect();
    let rest = problems.total() - lines.len();
    if rest > 0 {
        lines.push(match lang {
            Lang::En if rest == 1 => "... and 1 more problem".to_string(),
            Lang::En => format!("... and {rest} more problems"),
            Lang::Zh => format!("……另有 {rest} 个问题"),
        });
    }
    let map_path = proposed.map_path.display().to_string();
    lines.push(match lang {
        Lang::En => format!("A map proposed for {}:", file.display()),
        Lang::Zh => format!("为 {} 提议的映射：", file.display()),
    });
    lines.extend(proposed.lines(lang));
    let command = import_command(dir, &file, &proposed.map_path);
    lines.push(match (lang, proposed.preview.is_ok()) {
        (Lang::En, true) => format!(
            "Save it as {map_path} (`--propose-map` writes it there), check it, and run\n  {command}"
        ),
        (Lang::En, false) => format!(
            "Save it as {map_path} (`--propose-map` writes it there), finish it (what is left is listed above), and run\n  {command}"
        ),
        (Lang::Zh, true) => format!(
            "请保存为 {map_path}（加 `--propose-map` 即写入该处），核对后运行\n  {command}"
        ),
        (Lang::Zh, false) => format!(
            "请保存为 {map_path}（加 `--propose-map` 即写入该处），按上面列出的尚需处理的内容补全后运行\n  {command}"
        ),
    });
    for line in proposed.proposal.text.lines() {
        lines.push(format!("    {line}"));
    }
    let text = lines.join("\n");
    Error::user(text.clone(), text)
}

/// `import --propose-map`: a proposed map for each file, written beside it, with what the
/// file would import with it. Refused (exit 1) when a file still does not import with its
/// map, the map being written all the same for the clerk to finish.
fn write_proposed_maps(
    meeting: &mut Meeting,
    dir: &Path,
    files: &[PathBuf],
    options: &ImportOptions,
    lang: Lang,
) -> Result<()> {
    let mut unfinished = Vec::new();
    for file in files {
        let proposed = meeting.propose_map(file, options, lang)?;
        let written = meeting.save_proposed_map(&proposed)?;
        outln!(
            "{}: {} {}",
            file.display(),
            lang.pick("map proposed and written to", "已提议映射并写入"),
            written.display()
        );
        for line in proposed.lines(lang) {
            outln!("{line}");
        }
        match &proposed.preview {
            Ok(_) => outln!(
                "  {}{}",
                lang.pick("check it, then import: ", "核对后导入："),
                import_command(dir, file, &written)
            ),
            Err(_) => unfinished.push(written.display().to_string()),
        }
    }
    if unfinished.is_empty() {
        return Ok(());
    }
    Err(Error::user(
        format!(
            "finish the map before importing (the lines above say what is left): {}",
            unfinished.join(", ")
        ),
        format!(
            "导入前请补全映射（上面列出了尚需处理的内容）：{}",
            unfinished.join("、")
        ),
    ))
}

fn print_import(meeting: &Meeting, report: &import::ImportReport, lang: Lang) -> Result<()> {
    let verb = if report.committed {
        lang.pick("imported", "已导入")
    } else {
        lang.pick(
            "would import (dry run, nothing changed)",
            "将导入（试运行，未做任何修改）",
        )
    };
    outln!(
        "{}: {verb} {} {}: {} {}, {} {}, {} {}",
        report.file,
        report.forms,
        lang.pick(if report.forms == 1 { "form" } else { "forms" }, "份"),
        report.valid,
        lang.pick("valid", "有效"),
        report.invalid,
        lang.pick("invalid", "无效"),
        report.spoiled_marks,
        lang.pick(
            if report.spoiled_marks == 1 {
                "spoiled mark"
            } else {
                "spoiled marks"
            },
            "个无效标记"
        ),
    );
    let layout = match report.layout {
        tallyclerk::import::mapping::LayoutKind::Wide => {
            lang.pick("a row per form", "每行一份表格")
        }
        tallyclerk::import::mapping::LayoutKind::Long => {
            lang.pick("a row per mark", "每行一个评价")
        }
    };
    let delimiter = match report.delimiter {
        Some('\t') => ", tab".to_string(),
        Some(d) => format!(", '{d}'"),
        None => String::new(),
    };
    outln!("  {}{delimiter}, {layout}", report.format);
    if let Some(first) = report.numbered_from {
        outln!(
            "  {} {first}",
            lang.pick(
                "no serial column: forms numbered in file order from",
                "无编号列：按文件顺序编号，起始于"
            )
        );
    }
    if !report.skipped.is_empty() {
        let serials: Vec<String> = report.skipped.iter().map(u64::to_string).collect();
        outln!(
            "{}: {}",
            lang.pick("skipped, already in the meeting", "已跳过（已在会议中）"),
            serials.join(", ")
        );
    }
    if !report.committed {
        let config = &meeting.config;
        for (index, org) in config.organizations.iter().enumerate() {
            let counts = &report.tally.orgs[index];
            outln!(
                "  {} {} {} blank={}",
                org.id,
                org.name,
                report.option_counts(config, index),
                counts.blank.to_shortest()
            );
        }
    }
    Ok(())
}

fn summary_lines(meeting: &Meeting, results: &Results, lang: Lang) -> Vec<String> {
    let s = &results.summary;
    let issued = s.issued.map_or_else(
        || lang.pick("unset", "未设置").to_string(),
        |n| n.to_string(),
    );
    let mut lines = vec![
        format!("{}  {}", meeting.config.title, meeting.config.date),
        match lang {
            Lang::En => format!(
                "forms issued {issued}, collected {}, valid {}, invalid {}, set aside {}, withdrawn {}, verified {}, disputed {}",
                s.collected, s.valid, s.invalid, s.set_aside, s.withdrawn, s.verified, s.disputed
            ),
            Lang::Zh => format!(
                "发出 {issued} 份，收回 {} 份，有效 {} 份，无效 {} 份，作废搁置 {} 份，撤回 {} 份，已核对 {} 份，有争议 {} 份",
                s.collected, s.valid, s.invalid, s.set_aside, s.withdrawn, s.verified, s.disputed
            ),
        },
        format!(
            "{}: sha256:{}",
            lang.pick("ballot set digest", "评议表集摘要"),
            s.digest
        ),
        format!("{}: {}", lang.pick("audit head", "审计链头"), s.audit_head),
    ];
    if s.finalised {
        lines.push(
            lang.pick(
                "FINAL: the meeting is finalised",
                "已定稿：本次会议结果为最终结果",
            )
            .to_string(),
        );
    }
    if s.void_round() {
        lines.push(void_banner(s, lang));
    }
    let config = &meeting.config;
    if let Some(attendance) = config.attendance.text(lang) {
        lines.insert(2, attendance);
    }
    if let Some(breach) = config.attendance.quorum_breach(config.quorum) {
        lines.push(format!("*** {} ***", breach.get(lang)));
    }
    lines.extend(tallyclerk::scoring::statement(config, lang));
    lines
}

fn table(meeting: &Meeting, results: &Results, lang: Lang) -> String {
    let (header, rows) =
        export::results_table(&meeting.config, results, lang, ResultsOptions::default());
    let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let numeric = |i: usize| i == 0 || (5..header.len() - 1).contains(&i);
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i] - cell.width());
                if numeric(i) {
                    format!("{pad}{cell}")
                } else {
                    format!("{cell}{pad}")
                }
            })
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut out = summary_lines(meeting, results, lang).join("\n");
    out.push_str("\n\n");
    out.push_str(&line(&header));
    out.push('\n');
    let rule = "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1));
    for (i, (row, ranked)) in rows.iter().zip(&results.ranking.rows).enumerate() {
        out.push_str(&line(row));
        out.push('\n');
        let more = i + 1 < rows.len();
        if more && tallyclerk::ranking::tier_ending_at(&meeting.config, ranked.place).is_some() {
            out.push_str(&rule);
            out.push('\n');
        }
    }
    out
}

fn json(meeting: &Meeting, results: &Results, lang: Lang) -> String {
    let config = &meeting.config;
    let s = &results.summary;
    // Figures keep the exact decimal text of the CSV: integers stay integers.
    let number = |text: String| -> serde_json::Value {
        if let Ok(whole) = text.parse::<i64>() {
            return serde_json::Value::from(whole);
        }
        text.parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(serde_json::Value::String(text), serde_json::Value::Number)
    };
    let rows: Vec<serde_json::Value> = results
        .ranking
        .rows
        .iter()
        .map(|row| {
            let org = &config.organizations[row.org];
            let counts = &results.tally.orgs[row.org];
            let f = &row.figures;
            let count_map: serde_json::Map<String, serde_json::Value> = config
                .scale
                .options
                .iter()
                .zip(&counts.counts)
                .map(|(o, n)| (o.key.to_string(), number(n.to_shortest())))
                .collect();
            serde_json::json!({
                "rank": row.rank,
                "org_id": org.id,
                "org_name": org.name,
                "category": org.category,
                "tier": row.placement.text(config, lang),
                "score": number(f.score.to_fixed(2)),
                "rated": number(f.rated.to_shortest()),
                "counts": count_map,
                "blank": number(counts.blank.to_shortest()),
                "top_rate": number(f.top_rate.to_fixed(4)),
                "approval_rate": number(f.approval_rate.to_fixed(4)),
                "composite": f.composite.map(|c| number(c.to_fixed(2))),
                "note": row.note.text(config, lang),
            })
        })
        .collect();
    let value = serde_json::json!({
        "title": config.title,
        "date": config.date,
        "forms": {
            "issued": s.issued,
            "collected": s.collected,
            "valid": s.valid,
            "invalid": s.invalid,
            "set_aside": s.set_aside,
            "withdrawn": s.withdrawn,
            "verified": s.verified,
            "disputed": s.disputed,
            "unverified": s.unverified,
        },
        "digest": format!("sha256:{}", s.digest),
        "audit_head": s.audit_head,
        "final": s.finalised,
        "void_round": s.void_round(),
        "ranking": rows,
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    fn words(line: &str) -> Vec<OsString> {
        line.split_whitespace().map(OsString::from).collect()
    }

    const URL: &str = "postgres://tally@host:5432/meeting";

    /// The command line `line` with the meeting of the environment (URL) put in, when it is.
    fn taken(line: &str) -> Option<String> {
        match meeting_argument(&words(line), Some(OsStr::new(URL))) {
            MeetingArgument::FromEnvironment { args, .. } => Some(
                args.iter()
                    .map(|a| a.to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
            _ => None,
        }
    }

    #[test]
    fn the_environments_meeting_is_put_in_where_the_command_line_leaves_it_out() {
        let cases = [
            ("tallyclerk tally", "tallyclerk tally URL"),
            (
                "tallyclerk tally --format csv",
                "tallyclerk tally URL --format csv",
            ),
            (
                "tallyclerk --station east add 17 AB-C",
                "tallyclerk --station east add URL 17 AB-C",
            ),
            (
                "tallyclerk --lang=en --clerk east verify --list",
                "tallyclerk --lang=en --clerk east verify URL --list",
            ),
            (
                "tallyclerk import scans.csv more.csv",
                "tallyclerk import URL scans.csv more.csv",
            ),
            (
                "tallyclerk import --map m.toml scans.csv",
                "tallyclerk import URL --map m.toml scans.csv",
            ),
            (
                "tallyclerk export --results r.csv",
                "tallyclerk export URL --results r.csv",
            ),
            (
                "tallyclerk decide --tier top O1 --reason lot",
                "tallyclerk decide URL --tier top O1 --reason lot",
            ),
            (
                "tallyclerk void 3 --reason torn",
                "tallyclerk void URL 3 --reason torn",
            ),
            ("tallyclerk check", "tallyclerk check URL"),
            ("tallyclerk open", "tallyclerk open URL"),
        ];
        for (line, expected) in cases {
            let expected = expected.replace("URL", URL);
            assert_eq!(taken(line).as_deref(), Some(expected.as_str()), "{line}");
            // What is put in reads as the command line with the meeting given.
            Cli::try_parse_from(expected.split_whitespace()).unwrap();
        }
    }

    #[test]
    fn a_meeting_given_first_wins_over_the_environments() {
        let temp = tempfile::tempdir().unwrap();
        let meeting = temp.path().join("meeting");
        std::fs::create_dir(&meeting).unwrap();
        std::fs::write(meeting.join("meeting.toml"), "").unwrap();
        let meeting = meeting.display();
        for line in [
            format!("tallyclerk tally {meeting}"),
            format!("tallyclerk --station east add {meeting} 17 ABC"),
            format!("tallyclerk tally --format csv {meeting}"),
            "tallyclerk tally postgres://other@host/elsewhere".to_string(),
            // Commands that make or move a meeting never take the environment's.
            "tallyclerk new fresh --orgs orgs.csv".to_string(),
            "tallyclerk demo".to_string(),
            "tallyclerk copy here postgres://other@host/db".to_string(),
            // No command: the UI opens the environment's meeting itself.
            "tallyclerk".to_string(),
            "tallyclerk --help".to_string(),
        ] {
            assert_eq!(
                meeting_argument(&words(&line), Some(OsStr::new(URL))),
                MeetingArgument::Given,
                "{line}"
            );
        }
        assert_eq!(
            meeting_argument(&words("tallyclerk tally"), None),
            MeetingArgument::Given
        );
        assert_eq!(
            meeting_argument(&words("tallyclerk tally"), Some(OsStr::new(""))),
            MeetingArgument::Given
        );
    }

    #[test]
    fn a_folder_without_a_meeting_given_first_is_refused_as_unclear() {
        let temp = tempfile::tempdir().unwrap();
        let folder = temp.path().join("17");
        std::fs::create_dir(&folder).unwrap();
        let line = format!("tallyclerk add {} 17 ABC", folder.display());
        let decided = meeting_argument(&words(&line), Some(OsStr::new(URL)));
        assert_eq!(
            decided,
            MeetingArgument::Ambiguous {
                folder: folder.display().to_string(),
                shown: URL.to_string(),
                command: "add".to_string(),
            }
        );
        let refusal = decided.refusal().unwrap().message(Lang::En);
        assert!(refusal.contains("holds no meeting"), "{refusal}");
        assert!(refusal.contains(URL), "{refusal}");
        assert!(decided.note().is_none());
    }

    #[test]
    fn a_password_in_the_environments_url_is_not_shown() {
        let line = words("tallyclerk tally");
        let decided = meeting_argument(&line, Some(OsStr::new("postgres://tally:secret@host/db")));
        let note = decided.note().unwrap();
        assert!(note.get(Lang::En).contains("postgres://tally:***@host/db"));
        assert!(!note.get(Lang::En).contains("secret"));
    }

    #[test]
    fn tiers_parse_with_and_without_labels() {
        let t = parse_tier("excellent=11").unwrap();
        assert_eq!(
            (t.name.as_str(), t.label.as_str(), t.quota),
            ("excellent", "优秀", 11)
        );
        let t = parse_tier("top:一等=3").unwrap();
        assert_eq!(
            (t.name.as_str(), t.label.as_str(), t.quota),
            ("top", "一等", 3)
        );
        assert!(parse_tier("excellent").is_err());
        assert!(parse_tier("excellent=0").is_err());
    }

    #[test]
    fn groups_parse_with_and_without_label_and_weight() {
        let g = parse_group("members:机关党员=0.5").unwrap();
        assert_eq!(
            (g.id.as_str(), g.label.as_str(), g.weight.0),
            ("members", "机关党员", 500)
        );
        let g = parse_group("leaders=2").unwrap();
        assert_eq!(
            (g.id.as_str(), g.label.as_str(), g.weight.0),
            ("leaders", "leaders", 2000)
        );
        let g = parse_group("cadres:村（社区）干部").unwrap();
        assert_eq!((g.label.as_str(), g.weight.0), ("村（社区）干部", 1000));
        assert!(parse_group("x=0").is_err());
        assert!(parse_group("x=0.0001").is_err());
        assert!(parse_group(":label=1").is_err());
    }

    #[test]
    fn max_marks_parse_as_key_and_limit() {
        assert_eq!(parse_max_marks("a=11"), Ok(('A', 11)));
        assert_eq!(parse_max_marks(" B = 0 "), Ok(('B', 0)));
        assert!(parse_max_marks("A").is_err());
        assert!(parse_max_marks("AB=3").is_err());
        assert!(parse_max_marks("1=3").is_err());
        assert!(parse_max_marks("A=-1").is_err());
    }
}
