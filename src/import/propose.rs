//! A proposed map file for a file whose columns or values do not match the meeting.
//!
//! From the header and the distinct values of a file's first rows ([`Survey`]) it guesses
//! what a clerk would write by hand: the numbered columns that stand for the organizations
//! (`q1..q30`, `题1..题30`, `Q01..`, `question 01..`), the serial and group columns, the
//! columns to leave out, and a `[values]` table for the cell values the meeting's scale does
//! not read by itself (`response 01` → the 1st option, `优 良 中 差` → the options in order,
//! `no`/`NA` → blank, `error-multi-select` → spoiled). A value it cannot place is left for
//! the clerk as a commented line. The result is the text of a map file that
//! [`Mapping::parse`](super::mapping::Mapping::parse) reads.

use super::cells::CellReader;
use super::{named, GROUP_NAMES, SERIAL_NAMES};
use crate::config::Config;
use crate::error::Text;
use crate::lang::Lang;
use crate::limits::MAX_SERIAL;
use crate::model::Mark;
use std::collections::BTreeMap;

/// How many distinct values of a column a survey keeps; the rest are counted only.
pub const MAX_DISTINCT: usize = 64;

/// How many forms a survey reads: enough to see every value a scanner writes.
pub const SURVEY_ROWS: u64 = 10_000;

/// Up to this many left-out columns are listed in `ignore`; more are left out by
/// `ignore_others`, so the map stays a few lines long.
const IGNORE_LISTED: usize = 12;

/// The header and the distinct values of the first rows of a file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Survey {
    /// The file as the user named it.
    pub file: String,
    /// The column headers, trimmed.
    pub headers: Vec<String>,
    /// Rows read.
    pub rows: u64,
    /// Per column, its distinct cell values (trimmed) and how often each was seen.
    pub values: Vec<BTreeMap<String, u64>>,
    /// Per column, whether it held more distinct values than were kept.
    pub overflow: Vec<bool>,
}

impl Survey {
    /// An empty survey of a file with these headers.
    pub fn new(file: &str, headers: Vec<String>) -> Survey {
        let width = headers.len();
        Survey {
            file: file.to_string(),
            headers,
            rows: 0,
            values: vec![BTreeMap::new(); width],
            overflow: vec![false; width],
        }
    }

    /// Counts one row's cells (cells past the header are left out).
    pub fn add_row<'a>(&mut self, cells: impl IntoIterator<Item = &'a str>) {
        self.rows += 1;
        for (column, cell) in cells.into_iter().enumerate().take(self.headers.len()) {
            let cell = cell.trim();
            let seen = &mut self.values[column];
            if let Some(n) = seen.get_mut(cell) {
                *n += 1;
            } else if seen.len() < MAX_DISTINCT {
                seen.insert(cell.to_string(), 1);
            } else {
                self.overflow[column] = true;
            }
        }
    }
}

/// A proposed map: what was detected, the map file's text, and what was left unsure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// What was detected, a line each.
    pub detected: Vec<Text>,
    /// Cell values left for the clerk, with how often each was seen.
    pub unsure: Vec<(String, u64)>,
    /// The text of the map file.
    pub text: String,
}

/// Words scanners and spreadsheets write for an unanswered question.
const BLANK_WORDS: [&str; 11] = [
    "no", "na", "n/a", "none", "null", "nan", "0", "空", "无", "未填", "未选",
];

/// Words written for a question with several boxes ticked.
const SPOILED_WORDS: [&str; 8] = [
    "error-multi-select",
    "multi",
    "multiple",
    "error",
    "invalid",
    "多选",
    "无效",
    "废",
];

/// Four-option scales as Chinese forms word them, best first: a file's words are read as
/// the meeting's options in order when all of them are of one row and the meeting has
/// four options.
const FOUR_WORDS: [[&str; 4]; 6] = [
    ["好", "较好", "一般", "差"],
    ["优秀", "良好", "一般", "较差"],
    ["优秀", "良好", "合格", "不合格"],
    ["优", "良", "中", "差"],
    ["非常满意", "满意", "基本满意", "不满意"],
    ["优秀", "称职", "基本称职", "不称职"],
];

/// A header split into its prefix and trailing number: `q7` → (`q`, 7), `question 01` →
/// (`question `, 1), `题12` → (`题`, 12), `3` → (``, 3).
fn split_number(header: &str) -> Option<(&str, usize)> {
    let digits = header.len() - header.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 6 {
        return None;
    }
    let (prefix, number) = header.split_at(header.len() - digits);
    Some((prefix, number.parse().ok()?))
}

/// A run of numbered columns sharing a prefix.
#[derive(Debug)]
struct Numbered {
    prefix: String,
    /// Column of each number, by number (1-based; 0 unused).
    columns: BTreeMap<usize, usize>,
    /// The largest `k` with columns 1..=k all present.
    run: usize,
    /// Distinct options the meeting's scale reads in these columns.
    options_seen: usize,
}

/// The cells of one value split as the reader splits them: the parts inside brackets and
/// between separators, or each letter of concatenated ticks (`BC`) when each is an option.
fn atoms(plain: &CellReader, value: &str) -> Vec<String> {
    let inner = value
        .trim()
        .trim_start_matches(['[', '(', '{'])
        .trim_end_matches([']', ')', '}'])
        .trim();
    let parts: Vec<String> = inner
        .split([',', '|', ';', '/', '、', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect();
    let ticks = inner.len() >= 2
        && inner.chars().all(|c| {
            c.is_ascii_alphabetic()
                && plain
                    .read(c.encode_utf8(&mut [0; 4]))
                    .is_some_and(|m| m.is_rated())
        });
    if parts.len() == 1 && ticks {
        return inner.chars().map(|c| c.to_string()).collect();
    }
    parts
}

/// The meaning guessed for a value the scale does not read, with the reason.
fn guess(config: &Config, atom: &str) -> Option<Mark> {
    let lower = atom.to_lowercase();
    if BLANK_WORDS.contains(&lower.as_str()) {
        return Some(Mark::Blank);
    }
    if SPOILED_WORDS.contains(&lower.as_str()) {
        return Some(Mark::Spoiled);
    }
    // "response 01", "option 3", "选项2": the number is the option's position.
    let (prefix, number) = split_number(atom)?;
    let prefix = prefix.trim();
    let letters = prefix.chars().any(|c| c.is_alphabetic());
    (letters && (1..=config.scale.options.len()).contains(&number))
        .then(|| Mark::Option((number - 1) as u8))
}

/// The meeting's options in the words of the four-option row that holds the most of
/// `words` (the first such row), for a meeting of four options; words of no row are left.
fn guess_words(config: &Config, words: &[&str]) -> Vec<(String, Mark)> {
    if config.scale.options.len() != 4 {
        return Vec::new();
    }
    let placed = |row: &[&str; 4]| -> Vec<(String, Mark)> {
        words
            .iter()
            .filter_map(|w| {
                let i = row.iter().position(|r| r == w)?;
                Some((w.to_string(), Mark::Option(i as u8)))
            })
            .collect()
    };
    let mut best = Vec::new();
    for row in &FOUR_WORDS {
        let found = placed(row);
        if found.len() > best.len() {
            best = found;
        }
    }
    best
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// What a mark means in a map file's `[values]`.
fn meaning(config: &Config, mark: Mark) -> String {
    match mark {
        Mark::Option(i) => config.scale.options[i as usize].key.to_string(),
        Mark::Blank => "-".into(),
        Mark::Spoiled => "*".into(),
    }
}

/// The text of `what` in the map file's comments and the detected lines, in `lang`.
fn say(lang: Lang, text: &Text) -> String {
    text.get(lang).to_string()
}

/// Proposes a map for a surveyed file; comments are written in `lang`.
pub fn propose(config: &Config, survey: &Survey, lang: Lang) -> Proposal {
    let orgs = config.organizations.len();
    let headers = &survey.headers;
    let plain = CellReader::new(config, &[]);
    let mut detected = Vec::new();
    // The map is saved beside the file: its name says which.
    let file_name = std::path::Path::new(&survey.file)
        .file_name()
        .map_or(survey.file.clone(), |n| n.to_string_lossy().into_owned());
    let mut lines: Vec<String> = vec![format!(
        "# {}",
        say(
            lang,
            &Text::new(
                format!(
                    "Map proposed by tallyclerk for {} ({} {} read): check it, then import with --map.",
                    file_name,
                    survey.rows,
                    if survey.rows == 1 { "row" } else { "rows" }
                ),
                format!(
                    "tallyclerk 为 {} 提议的映射（读了 {} 行）：请核对，再用 --map 导入。",
                    file_name, survey.rows
                ),
            )
        )
    )];
    let mut used = vec![false; headers.len()];

    // The serial column: a serial's name holding serials only, else numbering in file order.
    let serial = headers.iter().position(|h| named(h, &SERIAL_NAMES));
    let serial_ok = serial.filter(|&c| {
        survey.values[c].keys().all(|v| {
            v.parse::<u64>()
                .is_ok_and(|n| (1..=MAX_SERIAL).contains(&n))
        })
    });
    match (serial, serial_ok) {
        (_, Some(c)) => {
            used[c] = true;
            let text = Text::new(
                format!("serial column: {}", headers[c]),
                format!("编号列：{}", headers[c]),
            );
            lines.push(format!("serial = {}", toml_string(&headers[c])));
            detected.push(text);
        }
        (named_column, None) => {
            let text = match named_column {
                Some(c) => Text::new(
                    format!(
                        "column {} holds other than serials: forms numbered in file order",
                        headers[c]
                    ),
                    format!("列 {} 不全是编号：按文件顺序编号", headers[c]),
                ),
                None => Text::new(
                    "no serial column: forms numbered in file order",
                    "无编号列：按文件顺序编号",
                ),
            };
            lines.push(format!("serial = \"auto\"  # {}", say(lang, &text)));
            detected.push(text);
        }
    }
    if let Some(c) = headers.iter().position(|h| named(h, &GROUP_NAMES)) {
        used[c] = true;
        lines.push(format!("group = {}", toml_string(&headers[c])));
        detected.push(Text::new(
            format!("voter group column: {}", headers[c]),
            format!("组别列：{}", headers[c]),
        ));
    }

    // Columns already named by organization id or name.
    let direct: Vec<Option<usize>> = headers
        .iter()
        .enumerate()
        .map(|(c, h)| {
            if used[c] {
                return None;
            }
            config
                .org_index(h)
                .or_else(|| config.organizations.iter().position(|o| o.name == *h))
        })
        .collect();
    let direct_count = direct.iter().flatten().count();
    let mut org_columns: Vec<usize> = Vec::new();
    for (c, org) in direct.iter().enumerate() {
        if org.is_some() {
            used[c] = true;
            org_columns.push(c);
        }
    }

    if direct_count > 0 && direct_count < orgs {
        detected.push(Text::new(
            format!("{direct_count} of {orgs} organizations have a column by id or name: name the others' columns in [columns]"),
            format!("{orgs} 个组织中有 {direct_count} 个按编号或名称找到了列：其余的请在 [columns] 中指定"),
        ));
    }
    // Numbered columns, when no column names an organization.
    if direct_count == 0 {
        let mut runs: BTreeMap<String, Numbered> = BTreeMap::new();
        for (c, h) in headers.iter().enumerate() {
            let Some((prefix, number)) = split_number(h).filter(|_| !used[c]) else {
                continue;
            };
            let run = runs
                .entry(prefix.to_lowercase())
                .or_insert_with(|| Numbered {
                    prefix: prefix.to_string(),
                    columns: BTreeMap::new(),
                    run: 0,
                    options_seen: 0,
                });
            run.columns.entry(number).or_insert(c);
        }
        for run in runs.values_mut() {
            run.run = (1..).take_while(|n| run.columns.contains_key(n)).count();
            let mut seen = std::collections::BTreeSet::new();
            for &c in run.columns.values() {
                for value in survey.values[c].keys() {
                    if let Some(Mark::Option(i)) = plain.read(value) {
                        seen.insert(i);
                    }
                }
            }
            run.options_seen = seen.len();
        }
        let mut candidates: Vec<&Numbered> = runs.values().filter(|r| r.run >= 1).collect();
        // Most organizations covered, then the most options seen (answers, not points),
        // then the leftmost.
        candidates.sort_by_key(|r| {
            (
                std::cmp::Reverse(r.run.min(orgs)),
                std::cmp::Reverse(r.options_seen),
                r.columns[&1],
            )
        });
        if let Some(best) = candidates.first() {
            let covered = best.run.min(orgs);
            let last = best.columns.keys().next_back().copied().unwrap_or(1);
            let (first, last_covered) =
                (&headers[best.columns[&1]], &headers[best.columns[&covered]]);
            let text = Text::new(
                format!(
                    "numbered columns {first}..{last_covered} are the 1st..{} organization of organizations.csv",
                    crate::lang::ordinal_en(covered),
                ),
                format!(
                    "编号列 {first}..{last_covered} 依次对应 organizations.csv 的第 1..{covered} 个组织",
                ),
            );
            lines.push(format!(
                "numbered = {}  # {}",
                toml_string(&best.prefix),
                say(lang, &text)
            ));
            detected.push(text);
            if covered < orgs {
                detected.push(Text::new(
                    format!(
                        "the file numbers {covered} columns in a row, the meeting has {orgs} organizations: the rest have no column"
                    ),
                    format!("文件连续编号的列只有 {covered} 个，而会议有 {orgs} 个组织：其余组织没有列"),
                ));
            }
            for (&number, &c) in &best.columns {
                if number <= covered {
                    used[c] = true;
                    org_columns.push(c);
                }
            }
            if last > covered {
                detected.push(Text::new(
                    format!(
                        "{p}{} and after: more numbered columns than organizations, left out",
                        covered + 1,
                        p = best.prefix
                    ),
                    format!(
                        "{p}{} 起：编号列多于组织数，不导入",
                        covered + 1,
                        p = best.prefix
                    ),
                ));
            }
            let others: Vec<String> = candidates[1..]
                .iter()
                .filter(|r| r.run >= covered.min(2))
                .map(|r| format!("{}..{}", headers[r.columns[&1]], headers[r.columns[&r.run]]))
                .collect();
            if !others.is_empty() {
                lines.push(format!(
                    "# {}",
                    say(
                        lang,
                        &Text::new(
                            format!("also numbered (left out): {}", others.join(", ")),
                            format!("另有编号列（不导入）：{}", others.join("、")),
                        )
                    )
                ));
            }
        }
    }

    // Everything else is left out.
    let left_out: Vec<&String> = headers
        .iter()
        .enumerate()
        .filter(|(c, _)| !used[*c])
        .map(|(_, h)| h)
        .collect();
    if !left_out.is_empty() {
        let listed: Vec<String> = left_out.iter().map(|h| toml_string(h)).collect();
        let names: Vec<&str> = left_out.iter().take(6).map(|h| h.as_str()).collect();
        let more = left_out.len().saturating_sub(names.len());
        let shown = if more > 0 {
            format!("{} (+{more})", names.join(", "))
        } else {
            names.join(", ")
        };
        detected.push(Text::new(
            format!("left out: {shown}"),
            format!("不导入的列：{shown}"),
        ));
        if left_out.len() <= IGNORE_LISTED {
            lines.push(format!("ignore = [{}]", listed.join(", ")));
        } else {
            lines.push(format!(
                "ignore_others = true  # {}",
                say(
                    lang,
                    &Text::new(
                        format!("{} columns left out: {shown}", left_out.len()),
                        format!("{} 列不导入：{shown}", left_out.len()),
                    )
                )
            ));
        }
    }

    // The values of the organizations' columns the scale does not read.
    let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
    for &c in &org_columns {
        for (value, n) in &survey.values[c] {
            *seen.entry(value.as_str()).or_default() += n;
        }
    }
    let mut unread: BTreeMap<String, u64> = BTreeMap::new();
    for (value, n) in &seen {
        if plain.read(value).is_some() {
            continue;
        }
        // A whole value of its own ("NA", "error-multi-select") before its parts.
        if guess(config, value).is_some() {
            *unread.entry(value.to_string()).or_default() += n;
            continue;
        }
        for atom in atoms(&plain, value) {
            if plain.read(&atom).is_none() {
                *unread.entry(atom).or_default() += n;
            }
        }
    }
    let mut values: Vec<(String, Mark)> = Vec::new();
    let mut words: Vec<&str> = Vec::new();
    for atom in unread.keys() {
        match guess(config, atom) {
            Some(mark) => values.push((atom.clone(), mark)),
            None => words.push(atom),
        }
    }
    values.extend(guess_words(config, &words));
    let reader = CellReader::new(config, &values);
    let unsure: Vec<(String, u64)> = seen
        .iter()
        .filter(|(value, _)| reader.read(value).is_none())
        .map(|(value, n)| (value.to_string(), *n))
        .collect();
    if !values.is_empty() || !unsure.is_empty() {
        lines.push("[values]".into());
    }
    let mut shown_values = Vec::new();
    for (value, mark) in &values {
        let n = unread.get(value).copied().unwrap_or(0);
        let what = match mark {
            Mark::Option(i) => config.scale.options[*i as usize].label.clone(),
            Mark::Blank => lang.pick("blank", "空白").to_string(),
            Mark::Spoiled => lang.pick("spoiled", "无效标记").to_string(),
        };
        lines.push(format!(
            "{} = {}  # {what}{}{}",
            toml_string(value),
            toml_string(&meaning(config, *mark)),
            lang.pick(", ", "，"),
            say(
                lang,
                &Text::new(
                    format!("seen {}", crate::lang::count_en(n, "time", "times")),
                    format!("出现 {n} 次"),
                )
            )
        ));
        shown_values.push(format!("{value} → {}", meaning(config, *mark)));
    }
    if !shown_values.is_empty() {
        detected.push(Text::new(
            format!("values: {}", shown_values.join(", ")),
            format!("取值：{}", shown_values.join("，")),
        ));
    }
    let keys: Vec<String> = config
        .scale
        .options
        .iter()
        .map(|o| o.key.to_string())
        .collect();
    for (value, n) in &unsure {
        lines.push(format!(
            "# {} = \"\"  # {}",
            toml_string(value),
            say(
                lang,
                &Text::new(
                    format!(
                        "seen {}: which option ({}), blank (-) or spoiled (*)?",
                        crate::lang::count_en(*n, "time", "times"),
                        keys.join(", ")
                    ),
                    format!(
                        "出现 {n} 次：是哪个选项（{}）、空白（-）还是无效（*）？",
                        keys.join("、")
                    ),
                )
            )
        ));
    }
    if !unsure.is_empty() {
        let names: Vec<String> = unsure
            .iter()
            .take(6)
            .map(|(v, _)| format!("\"{}\"", crate::text::echo(v)))
            .collect();
        detected.push(Text::new(
            format!(
                "left for you to say in [values]: {}{}",
                names.join(", "),
                if unsure.len() > names.len() {
                    ", …"
                } else {
                    ""
                }
            ),
            format!(
                "需您在 [values] 中说明：{}{}",
                names.join("、"),
                if unsure.len() > names.len() {
                    "……"
                } else {
                    ""
                }
            ),
        ));
    }
    if org_columns.iter().any(|&c| survey.overflow[c]) {
        detected.push(Text::new(
            format!(
                "more than {MAX_DISTINCT} distinct values in a column: only the first are placed"
            ),
            format!("某列取值超过 {MAX_DISTINCT} 种：只处理了前面的"),
        ));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    Proposal {
        detected,
        unsure,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::mapping::{Mapping, SerialSource};
    use crate::model::Organization;

    fn config(orgs: usize, scale: &str) -> Config {
        let organizations = (1..=orgs)
            .map(|i| Organization {
                id: format!("O{i}"),
                name: format!("org {i}"),
                category: String::new(),
            })
            .collect();
        Config::from_parts(&format!("title = \"t\"\n{scale}"), organizations).unwrap()
    }

    fn survey(rows: &[&[&str]]) -> Survey {
        let headers = rows[0].iter().map(|h| h.to_string()).collect();
        let mut survey = Survey::new("f.csv", headers);
        for row in &rows[1..] {
            survey.add_row(row.iter().copied());
        }
        survey
    }

    fn loads(config: &Config, proposal: &Proposal) -> Mapping {
        Mapping::parse("f.csv.map.toml", &proposal.text, config)
            .unwrap_or_else(|e| panic!("{}\n{}", e.message(Lang::En), proposal.text))
    }

    #[test]
    fn headers_split_into_prefix_and_number() {
        assert_eq!(split_number("q7"), Some(("q", 7)));
        assert_eq!(split_number("Q01"), Some(("Q", 1)));
        assert_eq!(split_number("question 12"), Some(("question ", 12)));
        assert_eq!(split_number("题3"), Some(("题", 3)));
        assert_eq!(split_number("5"), Some(("", 5)));
        assert_eq!(split_number("score"), None);
        assert_eq!(split_number("x12345678"), None);
    }

    #[test]
    fn omrchecker_columns_numbered_and_the_rest_left_out() {
        let config = config(3, "");
        let s = survey(&[
            &[
                "file_id",
                "input_path",
                "output_path",
                "score",
                "q1",
                "q2",
                "q3",
            ],
            &["a.jpg", "in/a.jpg", "out/a.jpg", "3.0", "B", "", "BC"],
            &["b.jpg", "in/b.jpg", "out/b.jpg", "-1", "A", "D", "C"],
        ]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert_eq!(map.numbered.as_deref(), Some("q"));
        assert_eq!(map.serial, Some(SerialSource::Auto));
        assert_eq!(
            map.ignore,
            ["file_id", "input_path", "output_path", "score"]
        );
        assert!(map.values.is_empty(), "{}", p.text);
        assert!(p.unsure.is_empty());
        assert!(
            p.detected[1]
                .en
                .starts_with("numbered columns q1..q3 are the 1st..3rd organization"),
            "{:?}",
            p.detected
        );
    }

    #[test]
    fn formscanner_responses_read_by_their_number() {
        let config = config(2, "");
        let s = survey(&[
            &["Nome file", "question 01", "question 02"],
            &["f1", "[response 01]", "[response 01, response 03]"],
            &["f2", "[response 04]", "[]"],
        ]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert_eq!(map.numbered.as_deref(), Some("question "));
        assert_eq!(map.ignore, ["Nome file"]);
        let reader = CellReader::new(&config, &map.values);
        assert_eq!(reader.read("[response 01]"), Some(Mark::Option(0)));
        assert_eq!(reader.read("[response 04]"), Some(Mark::Option(3)));
        assert_eq!(
            reader.read("[response 01, response 03]"),
            Some(Mark::Spoiled)
        );
        assert!(p.unsure.is_empty(), "{:?}", p.unsure);
    }

    #[test]
    fn chinese_words_blank_and_spoiled_words_and_unsure_values() {
        let config = config(4, "");
        let s = survey(&[
            &["序号", "题1", "题2", "题3", "题4"],
            &["1", "优", "良", "NA", "error-multi-select"],
            &["2", "中", "差", "maybe", "maybe"],
        ]);
        let p = propose(&config, &s, Lang::Zh);
        let map = loads(&config, &p);
        assert_eq!(map.serial, Some(SerialSource::Column("序号".into())));
        assert_eq!(map.numbered.as_deref(), Some("题"));
        let reader = CellReader::new(&config, &map.values);
        let read: Vec<Option<Mark>> = ["优", "良", "中", "差", "NA", "error-multi-select"]
            .iter()
            .map(|v| reader.read(v))
            .collect();
        assert_eq!(
            read,
            [
                Some(Mark::Option(0)),
                Some(Mark::Option(1)),
                Some(Mark::Option(2)),
                Some(Mark::Option(3)),
                Some(Mark::Blank),
                Some(Mark::Spoiled)
            ]
        );
        // "maybe" seen twice is left for the clerk as a commented line.
        assert_eq!(p.unsure, [("maybe".to_string(), 2)]);
        assert!(
            p.text.contains("# \"maybe\" = \"\"  # 出现 2 次"),
            "{}",
            p.text
        );
        assert_eq!(reader.read("maybe"), None);
    }

    #[test]
    fn a_serial_column_of_other_than_serials_numbers_in_file_order() {
        let config = config(2, "");
        let s = survey(&[&["serial", "Q01", "Q02"], &["x7", "A", "B"]]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert_eq!(map.serial, Some(SerialSource::Auto));
        assert_eq!(map.ignore, ["serial"]);
        assert_eq!(map.numbered_org("Q02", 2), Some(1));
    }

    #[test]
    fn the_answer_columns_win_over_points_and_the_leftmost_over_keys() {
        // ZipGrade-like: Stu<n> answers, Key<n> the answer key, PossPt<n> always 1.
        let config = config(2, "");
        let s = survey(&[
            &["Name", "Stu1", "Key1", "PossPt1", "Stu2", "Key2", "PossPt2"],
            &["x", "A", "B", "1", "C", "D", "1"],
            &["y", "B", "B", "1", "D", "D", "1"],
        ]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert_eq!(map.numbered.as_deref(), Some("Stu"));
        assert!(p.text.contains("also numbered (left out)"), "{}", p.text);
        assert_eq!(map.numbered_org("Stu2", 2), Some(1));
        assert_eq!(map.numbered_org("Key1", 2), None);
    }

    #[test]
    fn many_left_out_columns_are_left_out_by_ignore_others_and_extras_named() {
        // q1..q20 in a meeting of 3: q4.. are left out, with the other 20 columns.
        let config = config(3, "");
        let mut headers: Vec<String> = (1..=17).map(|i| format!("x{i}_info")).collect();
        headers.extend((1..=20).map(|i| format!("q{i}")));
        let refs: Vec<&str> = headers.iter().map(String::as_str).collect();
        let s = survey(&[&refs]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert!(map.ignore_others, "{}", p.text);
        assert!(
            p.detected
                .iter()
                .any(|d| d.en == "q4 and after: more numbered columns than organizations, left out"),
            "{:?}",
            p.detected
        );
    }

    #[test]
    fn org_id_columns_need_no_numbering_and_the_group_column_is_found() {
        let config = config(2, "");
        let s = survey(&[&["组别", "O1", "O2"], &["g", "A", "0"]]);
        let p = propose(&config, &s, Lang::En);
        let map = loads(&config, &p);
        assert_eq!(map.numbered, None);
        assert_eq!(map.group.as_deref(), Some("组别"));
        // "0" is read as blank, as `add` reads it.
        let reader = CellReader::new(&config, &map.values);
        assert_eq!(reader.read("0"), Some(Mark::Blank));
    }

    /// The text of a cell meaning `mark` (0-3 an option, 4 blank, 5 spoiled) as a scanner
    /// of `style` writes it: keys, labels, FormScanner's responses, SDAPS's positions.
    fn cell(style: usize, mark: u8) -> String {
        const LABELS: [&str; 4] = ["好", "较好", "一般", "差"];
        let k = mark as usize;
        match (style, mark) {
            (0, 0..=3) => ["A", "B", "C", "D"][k].into(),
            (0, 4) => String::new(),
            (0, _) => "AC".into(),
            (1, 0..=3) => LABELS[k].into(),
            (1, 4) => String::new(),
            (1, _) => "好,差".into(),
            (2, 0..=3) => format!("[response 0{}]", k + 1),
            (2, 4) => "[]".into(),
            (2, _) => "[response 01, response 03]".into(),
            (_, 0..=3) => (k + 1).to_string(),
            (_, 4) => "NA".into(),
            (_, _) => "error-multi-select".into(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]

        /// Files as OMR software writes them, with any numbering of the question columns,
        /// leading columns of its own and any way of writing the marks: the proposed map
        /// reads every column as its organization and every cell as the mark it means.
        #[test]
        fn the_proposal_reads_generated_scanner_files_as_written(
            orgs in 1usize..8,
            prefix in proptest::sample::select(vec!["q", "Q", "题", "question ", "Stu", ""]),
            padded in proptest::bool::ANY,
            extras in 0usize..4,
            style in 0usize..4,
            forms in proptest::collection::vec(proptest::collection::vec(0u8..6, 8), 1..6),
        ) {
            let config = config(orgs, "");
            let extra_names = ["file_id", "input_path", "score", "Roll"];
            let mut headers: Vec<String> =
                extra_names[..extras].iter().map(|h| h.to_string()).collect();
            for i in 1..=orgs {
                headers.push(if padded {
                    format!("{prefix}{i:02}")
                } else {
                    format!("{prefix}{i}")
                });
            }
            let mut survey = Survey::new("Results.csv", headers.clone());
            let mut expected = Vec::new();
            for form in &forms {
                let mut row: Vec<String> = (0..extras).map(|e| format!("x{e}.jpg")).collect();
                for &mark in &form[..orgs] {
                    row.push(cell(style, mark));
                    expected.push((cell(style, mark), mark));
                }
                survey.add_row(row.iter().map(String::as_str));
            }
            let p = propose(&config, &survey, Lang::En);
            let map = Mapping::parse("Results.csv.map.toml", &p.text, &config)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.message(Lang::En)))?;
            proptest::prop_assert!(p.unsure.is_empty(), "{}", p.text);
            proptest::prop_assert_eq!(map.serial.clone(), Some(SerialSource::Auto));
            for (i, header) in headers[extras..].iter().enumerate() {
                proptest::prop_assert_eq!(map.numbered_org(header, orgs), Some(i), "{}", p.text);
            }
            for header in &headers[..extras] {
                proptest::prop_assert!(map.ignore.contains(header), "{}", p.text);
            }
            let reader = CellReader::new(&config, &map.values);
            for (text, mark) in expected {
                let want = match mark {
                    0..=3 => Mark::Option(mark),
                    4 => Mark::Blank,
                    _ => Mark::Spoiled,
                };
                proptest::prop_assert_eq!(reader.read(&text), Some(want), "{:?}\n{}", text, p.text);
            }
        }
    }
}
