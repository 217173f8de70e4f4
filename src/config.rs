//! Loading a meeting's rules: `meeting.toml` and the `organizations.csv` it names.
//!
//! Every check of docs/RULES.md section 2 is made here, once, so the rest of the library can
//! trust a [`Config`]. Errors name the file, the line and the field.

use crate::attendance::{Attendance, Quorum};
use crate::decimal::Milli;
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::limits;
use crate::model::{Group, Organization, RankKey, Rules, Scale, ScaleOption, Tier};
use crate::text;
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use toml::Spanned;

mod composite;
mod list_file;
mod organizations;
use crate::scoring::{CompositePart, PartSource, RateBase, Scoring, Weighting};
pub use organizations::{load_organizations, parse_organizations};

/// The name of the rules file of a meeting folder.
pub const MEETING_FILE: &str = "meeting.toml";
/// The name of the store file of a meeting folder.
pub const STORE_FILE: &str = "meeting.db";

/// A loaded, checked meeting configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The meeting folder.
    pub dir: PathBuf,
    /// Title shown on screens and exports.
    pub title: String,
    /// Date of the meeting, as written.
    pub date: String,
    /// UI language from the file, if it names one.
    pub language: Option<Lang>,
    /// Forms handed out, as the file says (the store may hold a later figure).
    pub forms_issued: Option<u64>,
    /// The organizations, in file order.
    pub organizations: Vec<Organization>,
    /// The rating options, best first.
    pub scale: Scale,
    /// Voter groups; empty means one group of weight 1.
    pub groups: Vec<Group>,
    /// Quota tiers in order.
    pub tiers: Vec<Tier>,
    /// Validity and ranking rules.
    pub rules: Rules,
    /// `[rules] require_verified`: finalising is refused while any form is not verified.
    pub require_verified: bool,
    /// `[rules] verify_own_keying`: a named station (or clerk) may key the second keying of a
    /// form it keyed first; by default the second keying must come from another.
    pub verify_own_keying: bool,
    /// Where the meeting is held, as written (the tally sheet prints it).
    pub place: Option<String>,
    /// `[attendance]`: the people expected and present.
    pub attendance: Attendance,
    /// `[rules] quorum`: the attendance the meeting needs.
    pub quorum: Option<Quorum>,
    /// `[rules] weighting`, `[rules] rate_base` and the `[[composite]]` parts.
    pub scoring: Scoring,
}

impl Config {
    /// Loads `DIR/meeting.toml` and its organizations file.
    pub fn load(dir: &Path) -> Result<Config> {
        let path = dir.join(MEETING_FILE);
        if !path.is_file() {
            return Err(Error::user(
                format!(
                    "{} is not a meeting: it has no {MEETING_FILE}",
                    dir.display()
                ),
                format!("{} 不是会议文件夹：缺少 {MEETING_FILE}", dir.display()),
            ));
        }
        let bytes = text::read_small_file(&path)?;
        let source = String::from_utf8(bytes).map_err(|e| {
            Error::user(
                format!(
                    "{}: not UTF-8 text (byte {})",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
                format!(
                    "{}：不是 UTF-8 文本（第 {} 字节）",
                    path.display(),
                    e.utf8_error().valid_up_to()
                ),
            )
        })?;
        Config::parse(dir, &path, &source)
    }

    /// Parses the text of a meeting.toml found at `path` in folder `dir`.
    pub fn parse(dir: &Path, path: &Path, source: &str) -> Result<Config> {
        Config::parse_with(dir, path, source, |name| {
            load_organizations(&dir.join(name))
        })
    }

    /// Parses meeting.toml text with the organizations given instead of read from a file
    /// (for tests and tools that build a meeting in memory).
    pub fn from_parts(source: &str, organizations: Vec<Organization>) -> Result<Config> {
        let dir = Path::new(".");
        Config::parse_with(dir, Path::new(MEETING_FILE), source, |_| Ok(organizations))
    }

    fn parse_with(
        dir: &Path,
        path: &Path,
        source: &str,
        organizations: impl FnOnce(&str) -> Result<Vec<Organization>>,
    ) -> Result<Config> {
        let source = source.strip_prefix('\u{feff}').unwrap_or(source);
        let raw: RawMeeting = toml::from_str(source).map_err(|e| {
            let line = e.span().map(|s| line_of(source, s.start));
            let message = text::clip(e.message(), 300);
            config_error(path, line, None, Text::new(message.clone(), message))
        })?;
        let at = |span: std::ops::Range<usize>| Some(line_of(source, span.start));
        let file = ConfigFile { path, at: &at };

        let scale = build_scale(&file, raw.scale)?;
        let mut raw_rules = raw.rules.unwrap_or_default();
        let weighting = match raw_rules.weighting.take() {
            None => (Weighting::PerForm, None),
            Some(word) => match Weighting::parse(word.get_ref().trim()) {
                Some(w) => (w, Some(word.span())),
                None => {
                    return Err(file.error(
                        word.span(),
                        "rules.weighting",
                        Text::new(
                            format!(
                                "\"{}\" is not per_form or group_share",
                                text::echo(word.get_ref())
                            ),
                            format!(
                                "\"{}\" 不是 per_form 或 group_share",
                                text::echo(word.get_ref())
                            ),
                        ),
                    ))
                }
            },
        };
        let raw_groups = raw.groups.unwrap_or_default();
        if weighting.0 == Weighting::GroupShare {
            if let Some(group) = raw_groups.iter().find(|g| g.get_ref().weight.is_none()) {
                let id = text::echo(group.get_ref().id.get_ref());
                return Err(file.error(
                    group.span(),
                    "groups.weight",
                    crate::scoring::needs_weights(&id),
                ));
            }
            if raw_groups.is_empty() {
                return Err(file.error(
                    weighting.1.unwrap_or(0..0),
                    "rules.weighting",
                    Text::new(
                        "group_share needs voter groups with weights (groups = [...])",
                        "group_share 需要设置带权重的投票人组别（groups = [...]）",
                    ),
                ));
            }
        }
        let groups = build_groups(&file, raw_groups)?;
        let tiers = build_tiers(&file, raw.tiers.as_ref())?;
        let language = match &raw.language {
            None => None,
            Some(lang) => Some(Lang::parse(lang.get_ref()).ok_or_else(|| {
                file.error(
                    lang.span(),
                    "language",
                    Text::new(
                        format!("\"{}\" is not zh or en", text::echo(lang.get_ref())),
                        format!("\"{}\" 不是 zh 或 en", text::echo(lang.get_ref())),
                    ),
                )
            })?),
        };
        let forms_issued = match &raw.forms_issued {
            None => None,
            Some(n) if (0..=limits::MAX_ISSUED as i64).contains(n.get_ref()) => {
                Some(*n.get_ref() as u64)
            }
            Some(n) => {
                return Err(file.error(
                    n.span(),
                    "forms_issued",
                    Text::new(
                        format!(
                            "{} is not a number of forms from 0 to {}",
                            n.get_ref(),
                            limits::MAX_ISSUED
                        ),
                        format!(
                            "{} 不是 0 到 {} 之间的表格数",
                            n.get_ref(),
                            limits::MAX_ISSUED
                        ),
                    ),
                ))
            }
        };
        let orgs_name = raw
            .organizations
            .unwrap_or_else(|| "organizations.csv".to_string());
        let organizations = organizations(&orgs_name)?;
        let attendance = build_attendance(&file, raw.attendance)?;
        let rate_base = build_rate_base(
            &file,
            raw_rules.rate_base.take(),
            weighting.0,
            &groups,
            &attendance,
        )?;
        let composite = build_composite(
            &file,
            dir,
            raw.composite.unwrap_or_default(),
            &organizations,
        )?;
        let uses_composite = [&raw_rules.rank_by]
            .into_iter()
            .flatten()
            .chain(raw_rules.tie_breakers.iter().flat_map(|t| t.get_ref()))
            .find(|word| word.get_ref().trim() == RankKey::Composite.word());
        if let (Some(word), true) = (uses_composite, composite.is_empty()) {
            return Err(file.error(
                word.span(),
                "rules.rank_by",
                Text::new(
                    "\"composite\" needs [[composite]] parts to rank by",
                    "\"composite\" 需要先设置 [[composite]] 组成部分",
                ),
            ));
        }
        let min_marked_at = raw_rules.min_marked.as_ref().map(|m| m.span());
        let require_verified = raw_rules.require_verified.unwrap_or(false);
        let verify_own_keying = raw_rules.verify_own_keying.unwrap_or(false);
        let quorum = build_quorum(&file, raw_rules.quorum.as_ref())?;
        let rules = build_rules(&file, raw_rules, &scale)?;

        if let Some(tiers_span) = raw.tiers.as_ref().map(|t| t.span()) {
            // Checked: quotas near the largest number would wrap round and pass.
            let sum = tiers
                .iter()
                .try_fold(0usize, |sum, t| sum.checked_add(t.quota));
            if sum.is_none_or(|sum| sum > organizations.len()) {
                let sum =
                    sum.map_or_else(|| format!("more than {}", usize::MAX), |s| s.to_string());
                return Err(file.error(
                    tiers_span,
                    "tiers",
                    Text::new(
                        format!(
                            "quotas add up to {sum}, more than the {}",
                            crate::lang::count_en(
                                organizations.len(),
                                "organization",
                                "organizations"
                            )
                        ),
                        format!("名额合计 {sum}，多于组织数 {}", organizations.len()),
                    ),
                ));
            }
        }
        if rules.min_marked > organizations.len() {
            return Err(config_error(
                path,
                min_marked_at.map(|span| line_of(source, span.start)),
                Some("rules.min_marked"),
                Text::new(
                    format!(
                        "{} is more than the {}: every form would be invalid",
                        rules.min_marked,
                        crate::lang::count_en(organizations.len(), "organization", "organizations")
                    ),
                    format!(
                        "{} 大于组织数 {}：所有评议表都将无效",
                        rules.min_marked,
                        organizations.len()
                    ),
                ),
            ));
        }

        for (field, text) in [
            ("title", &raw.title),
            ("date", &raw.date),
            ("place", &raw.place),
        ] {
            if let Some(text) = text {
                file.check_text(text, field, limits::TEXT_CHARS)?;
            }
        }
        let title = raw.title.map(Spanned::into_inner).unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        Ok(Config {
            dir: dir.to_path_buf(),
            title,
            date: raw.date.map(Spanned::into_inner).unwrap_or_default(),
            language,
            forms_issued,
            organizations,
            scale,
            groups,
            tiers,
            rules,
            require_verified,
            verify_own_keying,
            place: raw.place.map(Spanned::into_inner),
            attendance,
            quorum,
            scoring: Scoring {
                weighting: weighting.0,
                rate_base,
                composite,
            },
        })
    }

    /// The weight of a ballot of `group`: its group's under `per_form` (1 without a group),
    /// 1 under `group_share`, where a form without a group has no place (`None`).
    pub fn weight_of(&self, group: Option<&str>) -> Option<Milli> {
        let weight = match group {
            None => Some(Milli::ONE),
            Some(id) => self.groups.iter().find(|g| g.id == id).map(|g| g.weight),
        };
        match self.scoring.weighting {
            Weighting::PerForm => weight,
            Weighting::GroupShare => group.and(weight).map(|_| Milli::ONE),
        }
    }

    /// The index of the organization with this id (case-insensitive).
    pub fn org_index(&self, id: &str) -> Option<usize> {
        let id = id.trim();
        self.organizations
            .iter()
            .position(|o| o.id.eq_ignore_ascii_case(id))
    }

    /// The index of the tier with this name (or Chinese label).
    pub fn tier_index(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.tiers
            .iter()
            .position(|t| t.name.eq_ignore_ascii_case(name) || t.label == name)
    }

    /// Path of the store file.
    pub fn store_path(&self) -> PathBuf {
        self.dir.join(STORE_FILE)
    }

    /// A digest of everything that gives meaning to the stored marks strings (organization
    /// ids in order, option keys in order), so a store can refuse a config that would
    /// reinterpret its ballots.
    pub fn layout_fingerprint(&self) -> String {
        let orgs: Vec<&str> = self.organizations.iter().map(|o| o.id.as_str()).collect();
        let keys: String = self.scale.options.iter().map(|o| o.key).collect();
        format!("orgs={};keys={}", orgs.join(","), keys)
    }

    /// A digest of the validity rules, so stored validity can be refreshed when they change.
    pub fn rules_fingerprint(&self) -> String {
        format!("{:?};{}", self.rules.max_marks, self.rules.min_marked)
    }
}

/// Whether `dir` holds a meeting (a meeting.toml).
pub fn is_meeting(dir: &Path) -> bool {
    dir.join(MEETING_FILE).is_file()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeeting {
    title: Option<Spanned<String>>,
    date: Option<Spanned<String>>,
    language: Option<Spanned<String>>,
    organizations: Option<String>,
    forms_issued: Option<Spanned<i64>>,
    scale: Option<Spanned<Vec<Spanned<RawOption>>>>,
    groups: Option<Vec<Spanned<RawGroup>>>,
    tiers: Option<Spanned<Vec<Spanned<RawTier>>>>,
    rules: Option<RawRules>,
    place: Option<Spanned<String>>,
    attendance: Option<RawAttendance>,
    composite: Option<Vec<Spanned<RawPart>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAttendance {
    expected: Option<Spanned<i64>>,
    present: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPart {
    id: Spanned<String>,
    label: Option<Spanned<String>>,
    weight: Spanned<toml::Value>,
    source: Option<Spanned<String>>,
    file: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    key: Spanned<String>,
    label: Spanned<String>,
    label_en: Option<Spanned<String>>,
    points: Spanned<toml::Value>,
    approve: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    id: Spanned<String>,
    label: Option<Spanned<String>>,
    weight: Option<Spanned<toml::Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    name: Spanned<String>,
    label: Option<Spanned<String>>,
    quota: Spanned<i64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawRules {
    max_marks: Option<BTreeMap<Spanned<String>, Spanned<i64>>>,
    min_marked: Option<Spanned<i64>>,
    rank_by: Option<Spanned<String>>,
    tie_breakers: Option<Spanned<Vec<Spanned<String>>>>,
    require_verified: Option<bool>,
    verify_own_keying: Option<bool>,
    quorum: Option<Spanned<String>>,
    weighting: Option<Spanned<String>>,
    rate_base: Option<Spanned<String>>,
}

/// Where config errors point: the file and a span-to-line lookup.
struct ConfigFile<'a> {
    path: &'a Path,
    at: &'a dyn Fn(std::ops::Range<usize>) -> Option<usize>,
}

impl ConfigFile<'_> {
    fn error(&self, span: std::ops::Range<usize>, field: &str, why: Text) -> Error {
        config_error(self.path, (self.at)(span), Some(field), why)
    }

    /// Refuses a text that is no one-line field of at most `chars` characters.
    fn check_text(&self, text: &Spanned<String>, field: &str, chars: usize) -> Result<()> {
        limits::one_line(text.get_ref(), chars).map_err(|why| self.bad_text(text, field, why))
    }

    /// Refuses an id that is no one-line id or that a spreadsheet would take for a formula.
    fn check_id(&self, id: &Spanned<String>, field: &str) -> Result<()> {
        limits::id(id.get_ref().trim()).map_err(|why| self.bad_text(id, field, why))
    }

    fn bad_text(&self, text: &Spanned<String>, field: &str, why: Text) -> Error {
        let value = text::echo(text.get_ref());
        self.error(
            text.span(),
            field,
            Text::new(
                format!("\"{value}\" {}", why.en),
                format!("\"{value}\" {}", why.zh),
            ),
        )
    }
}

fn config_error(path: &Path, line: Option<usize>, field: Option<&str>, why: Text) -> Error {
    let place = match line {
        Some(line) => format!("{}:{line}", path.display()),
        None => path.display().to_string(),
    };
    let field = field.map(text::echo);
    let (en_field, zh_field) = match field {
        Some(f) => (format!(": field \"{f}\""), format!(": 字段 \"{f}\"")),
        None => (String::new(), String::new()),
    };
    Error::user(
        format!("{place}{en_field}: {}", why.en),
        format!("{place}{zh_field}: {}", why.zh),
    )
}

fn line_of(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

fn decimal_value(value: &toml::Value) -> Option<Milli> {
    match value {
        toml::Value::Integer(i) => i.checked_mul(1000).map(Milli),
        toml::Value::Float(f) => Milli::from_f64(*f),
        toml::Value::String(s) => Milli::parse(s),
        _ => None,
    }
}

/// The default scale of docs/RULES.md section 2, used when meeting.toml names none.
pub fn default_scale() -> Scale {
    let option = |key, label: &str, en: &str, points: i64, approve| ScaleOption {
        key,
        label: label.to_string(),
        label_en: Some(en.to_string()),
        points: Milli(points * 1000),
        approve,
    };
    Scale {
        options: vec![
            option('A', "好", "Excellent", 100, true),
            option('B', "较好", "Good", 80, true),
            option('C', "一般", "Fair", 60, false),
            option('D', "差", "Poor", 0, false),
        ],
    }
}

fn build_scale(file: &ConfigFile, raw: Option<Spanned<Vec<Spanned<RawOption>>>>) -> Result<Scale> {
    let Some(raw) = raw else {
        return Ok(default_scale());
    };
    if raw.get_ref().is_empty() {
        return Err(file.error(
            raw.span(),
            "scale",
            Text::new("needs at least one option", "至少需要一个选项"),
        ));
    }
    let mut options = Vec::new();
    let mut keys = HashSet::new();
    let mut labels = HashSet::new();
    for (i, option) in raw.into_inner().into_iter().enumerate() {
        let option = option.into_inner();
        let key_text = option.key.get_ref().trim();
        let key_echo = text::echo(key_text);
        let mut chars = key_text.chars();
        let key = match (chars.next(), chars.next()) {
            (Some(c), None) if c.is_ascii_alphabetic() => c,
            _ => {
                return Err(file.error(
                    option.key.span(),
                    "scale.key",
                    Text::new(
                        format!("\"{key_echo}\" must be one letter (A-Z)"),
                        format!("\"{key_echo}\" 必须是一个字母（A-Z）"),
                    ),
                ))
            }
        };
        if !keys.insert(key.to_ascii_uppercase()) {
            return Err(file.error(
                option.key.span(),
                "scale.key",
                Text::new(
                    format!("duplicate option key \"{key}\""),
                    format!("选项键 \"{key}\" 重复"),
                ),
            ));
        }
        file.check_text(&option.label, "scale.label", limits::TEXT_CHARS)?;
        if let Some(label_en) = &option.label_en {
            file.check_text(label_en, "scale.label_en", limits::TEXT_CHARS)?;
        }
        let label = option.label.get_ref().trim().to_string();
        if label.is_empty() || !labels.insert(label.to_lowercase()) {
            let label = text::echo(&label);
            return Err(file.error(
                option.label.span(),
                "scale.label",
                Text::new(
                    format!("label \"{label}\" is empty or used twice"),
                    format!("标签 \"{label}\" 为空或重复"),
                ),
            ));
        }
        let max = limits::MAX_POINTS.to_shortest();
        let points = decimal_value(option.points.get_ref())
            .filter(|p| p.0.abs() <= limits::MAX_POINTS.0)
            .ok_or_else(|| {
                file.error(
                    option.points.span(),
                    "scale.points",
                    Text::new(
                        format!(
                            "{} is not a number from -{max} to {max} with at most 3 decimals",
                            option.points.get_ref()
                        ),
                        format!(
                            "{} 不是 -{max} 到 {max} 之间、最多 3 位小数的数",
                            option.points.get_ref()
                        ),
                    ),
                )
            })?;
        options.push(ScaleOption {
            key,
            label,
            label_en: option.label_en.map(|l| l.get_ref().trim().to_string()),
            points,
            approve: option.approve.unwrap_or(i < 2),
        });
    }
    Ok(Scale { options })
}

fn build_groups(file: &ConfigFile, raw: Vec<Spanned<RawGroup>>) -> Result<Vec<Group>> {
    let mut groups = Vec::new();
    let mut ids = HashSet::new();
    for group in raw {
        let group = group.into_inner();
        file.check_id(&group.id, "groups.id")?;
        if let Some(label) = &group.label {
            file.check_text(label, "groups.label", limits::TEXT_CHARS)?;
        }
        let id = group.id.get_ref().trim().to_string();
        if id.is_empty() || !ids.insert(id.clone()) {
            let id = text::echo(&id);
            return Err(file.error(
                group.id.span(),
                "groups.id",
                Text::new(
                    format!("group id \"{id}\" is empty or used twice"),
                    format!("组 id \"{id}\" 为空或重复"),
                ),
            ));
        }
        let weight = match &group.weight {
            None => Milli::ONE,
            Some(w) => match decimal_value(w.get_ref()) {
                Some(m) if m.0 > 0 && m <= limits::MAX_WEIGHT => m,
                _ => {
                    let max = limits::MAX_WEIGHT.to_shortest();
                    return Err(file.error(
                        w.span(),
                        "groups.weight",
                        Text::new(
                            format!(
                                "{} is not a number from 0.001 to {max} with at most 3 decimals",
                                w.get_ref()
                            ),
                            format!(
                                "{} 不是 0.001 到 {max} 之间、最多 3 位小数的数",
                                w.get_ref()
                            ),
                        ),
                    ));
                }
            },
        };
        groups.push(Group {
            label: group
                .label
                .map(Spanned::into_inner)
                .unwrap_or_else(|| id.clone()),
            id,
            weight,
        });
    }
    Ok(groups)
}

fn build_tiers(
    file: &ConfigFile,
    raw: Option<&Spanned<Vec<Spanned<RawTier>>>>,
) -> Result<Vec<Tier>> {
    let mut tiers = Vec::new();
    let mut names = HashSet::new();
    let mut labels = HashSet::new();
    for tier in raw.map(|r| r.get_ref().as_slice()).unwrap_or_default() {
        let tier = tier.get_ref();
        file.check_id(&tier.name, "tiers.name")?;
        if let Some(label) = &tier.label {
            file.check_text(label, "tiers.label", limits::TEXT_CHARS)?;
        }
        let name = tier.name.get_ref().trim().to_string();
        // `undecided` and `none` are what the results say of a tie at a cutoff and of the
        // places past the last tier; a tier of that name could not be told apart.
        if ["undecided", "none"].contains(&name.to_lowercase().as_str()) {
            return Err(file.error(
                tier.name.span(),
                "tiers.name",
                Text::new(
                    format!("tier name \"{name}\" is reserved (undecided and none are what the results call a tie at a cutoff and no tier)"),
                    format!("等次名称 \"{name}\" 是保留字（undecided 与 none 在结果中表示名额线并列待定和无等次）"),
                ),
            ));
        }
        if name.is_empty() {
            return Err(file.error(
                tier.name.span(),
                "tiers.name",
                Text::new("a tier name is empty", "等次名称为空"),
            ));
        }
        if !names.insert(name.to_lowercase()) {
            let name = text::echo(&name);
            return Err(file.error(
                tier.name.span(),
                "tiers.name",
                Text::new(
                    format!("tier name \"{name}\" is used twice"),
                    format!("等次名称 \"{name}\" 重复"),
                ),
            ));
        }
        let label = tier
            .label
            .as_ref()
            .map(|l| l.get_ref().clone())
            .unwrap_or_else(|| name.clone());
        let reserved_label =
            ["待定", "无等次", "undecided", "none"].contains(&label.trim().to_lowercase().as_str());
        if label.trim().is_empty() || reserved_label || !labels.insert(label.trim().to_lowercase())
        {
            let label = text::echo(&label);
            return Err(file.error(
                tier.name.span(),
                "tiers.label",
                Text::new(
                    format!(
                        "tier label \"{label}\" is empty, reserved (待定, 无等次) or used twice"
                    ),
                    format!("等次标签 \"{label}\" 为空、保留（待定、无等次）或重复"),
                ),
            ));
        }
        let quota = *tier.quota.get_ref();
        if quota < 1 {
            return Err(file.error(
                tier.quota.span(),
                "tiers.quota",
                Text::new(
                    format!("quota {quota} must be at least 1"),
                    format!("名额 {quota} 至少为 1"),
                ),
            ));
        }
        tiers.push(Tier {
            label: label.trim().to_string(),
            name,
            quota: quota as usize,
        });
    }
    Ok(tiers)
}

fn build_rules(file: &ConfigFile, raw: RawRules, scale: &Scale) -> Result<Rules> {
    let mut max_marks = vec![None; scale.len()];
    for (key, max) in raw.max_marks.unwrap_or_default() {
        let index = key
            .get_ref()
            .chars()
            .next()
            .filter(|_| key.get_ref().chars().count() == 1)
            .and_then(|c| scale.index_of_key(c))
            .ok_or_else(|| {
                file.error(
                    key.span(),
                    "rules.max_marks",
                    Text::new(
                        format!(
                            "\"{}\" is not an option key of the scale",
                            text::echo(key.get_ref())
                        ),
                        format!("\"{}\" 不是评价选项的键", text::echo(key.get_ref())),
                    ),
                )
            })?;
        if *max.get_ref() < 0 {
            return Err(file.error(
                max.span(),
                "rules.max_marks",
                Text::new("must not be negative", "不能为负数"),
            ));
        }
        max_marks[index] = Some(*max.get_ref() as usize);
    }
    let min_marked = match raw.min_marked {
        None => 1,
        Some(m) if *m.get_ref() >= 0 => *m.get_ref() as usize,
        Some(m) => {
            return Err(file.error(
                m.span(),
                "rules.min_marked",
                Text::new("must not be negative", "不能为负数"),
            ))
        }
    };
    let rank_key = |word: &Spanned<String>, field: &str| {
        RankKey::parse(word.get_ref().trim()).ok_or_else(|| {
            file.error(
                word.span(),
                field,
                Text::new(
                    format!(
                        "\"{}\" is not score, top_rate, approval_rate or composite",
                        text::echo(word.get_ref())
                    ),
                    format!(
                        "\"{}\" 不是 score、top_rate、approval_rate 或 composite",
                        text::echo(word.get_ref())
                    ),
                ),
            )
        })
    };
    let rank_by = match &raw.rank_by {
        None => RankKey::Score,
        Some(word) => rank_key(word, "rules.rank_by")?,
    };
    let tie_breakers = match &raw.tie_breakers {
        None => vec![RankKey::TopRate, RankKey::ApprovalRate],
        Some(words) => words
            .get_ref()
            .iter()
            .map(|w| rank_key(w, "rules.tie_breakers"))
            .collect::<Result<_>>()?,
    };
    Ok(Rules {
        max_marks,
        min_marked,
        rank_by,
        tie_breakers,
    })
}

/// `[rules] quorum`: `"half"` or nothing.
fn build_quorum(file: &ConfigFile, raw: Option<&Spanned<String>>) -> Result<Option<Quorum>> {
    let Some(word) = raw else {
        return Ok(None);
    };
    Quorum::parse(word.get_ref().trim())
        .map(Some)
        .ok_or_else(|| {
            file.error(
                word.span(),
                "rules.quorum",
                Text::new(
                    format!("\"{}\" is not half", text::echo(word.get_ref())),
                    format!("\"{}\" 不是 half", text::echo(word.get_ref())),
                ),
            )
        })
}

/// `[attendance] expected, present`: whole numbers of people, present not more than expected.
fn build_attendance(file: &ConfigFile, raw: Option<RawAttendance>) -> Result<Attendance> {
    let Some(raw) = raw else {
        return Ok(Attendance::default());
    };
    let people = |n: &Option<Spanned<i64>>, field: &str| -> Result<Option<u64>> {
        match n {
            None => Ok(None),
            Some(n) if (0..=limits::MAX_ISSUED as i64).contains(n.get_ref()) => {
                Ok(Some(*n.get_ref() as u64))
            }
            Some(n) => Err(file.error(
                n.span(),
                field,
                Text::new(
                    format!(
                        "{} is not a number of people from 0 to {}",
                        n.get_ref(),
                        limits::MAX_ISSUED
                    ),
                    format!(
                        "{} 不是 0 到 {} 之间的人数",
                        n.get_ref(),
                        limits::MAX_ISSUED
                    ),
                ),
            )),
        }
    };
    let attendance = Attendance {
        expected: people(&raw.expected, "attendance.expected")?,
        present: people(&raw.present, "attendance.present")?,
    };
    if let (Some(expected), Some(present), Some(span)) = (
        attendance.expected,
        attendance.present,
        raw.present.as_ref().map(|p| p.span()),
    ) {
        if present > expected {
            return Err(file.error(
                span,
                "attendance.present",
                Text::new(
                    format!("{present} present is more than the {expected} expected"),
                    format!("实到 {present} 人多于应到 {expected} 人"),
                ),
            ));
        }
    }
    Ok(attendance)
}

/// `[rules] rate_base`; `present` needs `[attendance] present`, and a head count is a base
/// only for forms that each count 1.
fn build_rate_base(
    file: &ConfigFile,
    raw: Option<Spanned<String>>,
    weighting: Weighting,
    groups: &[Group],
    attendance: &Attendance,
) -> Result<RateBase> {
    let Some(word) = raw else {
        return Ok(RateBase::Rated);
    };
    let echo = text::echo(word.get_ref());
    let refuse = |why: Text| Err(file.error(word.span(), "rules.rate_base", why));
    let Some(base) = RateBase::parse(word.get_ref().trim()) else {
        return refuse(Text::new(
            format!("\"{echo}\" is not rated, valid_forms, collected or present"),
            format!("\"{echo}\" 不是 rated、valid_forms、collected 或 present"),
        ));
    };
    if base == RateBase::Present {
        if attendance.present.is_none() {
            return refuse(Text::new(
                "\"present\" needs the people present: [attendance] present = N",
                "\"present\" 需要实到人数：[attendance] present = N",
            ));
        }
        if weighting == Weighting::GroupShare {
            return refuse(Text::new(
                "\"present\" cannot be a base under group_share: [attendance] counts the people of the whole meeting, not of each group",
                "group_share 下不能以 \"present\" 为分母：[attendance] 是全场人数，不是各组人数",
            ));
        }
        if let Some(group) = groups.iter().find(|g| g.weight != Milli::ONE) {
            return refuse(Text::new(
                format!("\"present\" counts people, but a form of group \"{}\" counts {}: a head count is a base only where every form counts 1", group.id, group.weight.to_shortest()),
                format!("\"present\" 计的是人数，而组别 \"{}\" 的每张表计 {}：只有每张表都计 1 时才能以人数为分母", group.id, group.weight.to_shortest()),
            ));
        }
    }
    Ok(base)
}

/// The `[[composite]]` parts, their files read and checked.
fn build_composite(
    file: &ConfigFile,
    dir: &Path,
    raw: Vec<Spanned<RawPart>>,
    organizations: &[Organization],
) -> Result<Vec<CompositePart>> {
    let mut parts = Vec::new();
    let mut ids = HashSet::new();
    for part in raw {
        let span = part.span();
        let part = part.into_inner();
        file.check_id(&part.id, "composite.id")?;
        if let Some(label) = &part.label {
            file.check_text(label, "composite.label", limits::TEXT_CHARS)?;
        }
        let id = part.id.get_ref().trim().to_string();
        if id.is_empty() || !ids.insert(id.to_lowercase()) {
            let id = text::echo(&id);
            return Err(file.error(
                part.id.span(),
                "composite.id",
                Text::new(
                    format!("part id \"{id}\" is empty or used twice"),
                    format!("组成部分 id \"{id}\" 为空或重复"),
                ),
            ));
        }
        let weight = match decimal_value(part.weight.get_ref()) {
            Some(m) if m.0 > 0 && m <= limits::MAX_WEIGHT => m,
            _ => {
                let max = limits::MAX_WEIGHT.to_shortest();
                return Err(file.error(
                    part.weight.span(),
                    "composite.weight",
                    Text::new(
                        format!(
                            "{} is not a number from 0.001 to {max} with at most 3 decimals",
                            part.weight.get_ref()
                        ),
                        format!(
                            "{} 不是 0.001 到 {max} 之间、最多 3 位小数的数",
                            part.weight.get_ref()
                        ),
                    ),
                ));
            }
        };
        let source = match (&part.source, &part.file) {
            (Some(source), None) if source.get_ref().trim() == "meeting" => {
                if parts.iter().any(CompositePart::is_meeting) {
                    return Err(file.error(
                        source.span(),
                        "composite.source",
                        Text::new(
                            "only one part can be this meeting's score",
                            "只能有一个组成部分取本次测评得分",
                        ),
                    ));
                }
                PartSource::Meeting
            }
            (None, Some(name)) => {
                let path = dir.join(name.get_ref());
                let bytes = text::read_small_file(&path)?;
                let shown = path.display().to_string();
                let scores = composite::read_part_scores(&shown, &bytes, organizations)
                    .map_err(|refusal| match refusal {
                        composite::PartRefusal::Problem(e) => e,
                        composite::PartRefusal::Missing(org) => {
                            let org = &organizations[org];
                            file.error(
                                name.span(),
                                "composite.file",
                                Text::new(
                                    format!("{shown} has no score for organization {} ({}): every organization needs exactly one", org.id, org.name),
                                    format!("{shown} 缺少组织 {}（{}）的分数：每个组织都需要恰好一个分数", org.id, org.name),
                                ),
                            )
                        }
                    })?;
                PartSource::File {
                    name: name.get_ref().clone(),
                    scores,
                }
            }
            _ => {
                return Err(file.error(
                    part.source.as_ref().map_or(span, |s| s.span()),
                    "composite.source",
                    Text::new(
                        "a part needs either source = \"meeting\" or file = \"NAME.csv\" (one of the two)",
                        "组成部分需要 source = \"meeting\" 或 file = \"文件名.csv\"（二者之一）",
                    ),
                ))
            }
        };
        parts.push(CompositePart {
            label: part
                .label
                .map(|l| l.into_inner().trim().to_string())
                .unwrap_or_else(|| id.clone()),
            id,
            weight,
            source,
        });
    }
    Ok(parts)
}

/// A csv crate error as a message.
pub(crate) fn csv_why(e: &csv::Error) -> Text {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => Text::new(
            format!("{len} fields where the header has {expected_len}"),
            format!("有 {len} 个字段，而表头有 {expected_len} 个"),
        ),
        csv::ErrorKind::Utf8 { .. } => Text::new("not valid text", "不是有效文本"),
        _ => Text::new(format!("malformed CSV: {e}"), format!("CSV 格式错误：{e}")),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A meeting of organizations O1 … O`orgs`, loaded from a folder holding `toml` and the
    /// files `files`.
    pub(crate) fn config_with_parts(
        orgs: usize,
        toml: &str,
        files: &[(&str, &str)],
    ) -> Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let list: String = (1..=orgs).map(|i| format!("O{i},org {i}\n")).collect();
        std::fs::write(
            dir.path().join("organizations.csv"),
            format!("id,name\n{list}"),
        )
        .unwrap();
        std::fs::write(dir.path().join(MEETING_FILE), toml).unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        Config::load(dir.path())
    }

    const RULES: &str = include_str!("../docs/RULES.md");

    fn organizations(n: usize) -> Vec<Organization> {
        (1..=n)
            .map(|i| Organization {
                id: format!("O{i:02}"),
                name: format!("org {i}"),
                category: String::new(),
            })
            .collect()
    }

    /// The keys a table of meeting.toml takes, as its refusal of an unknown key lists them.
    fn keys_of_table(with_unknown_key: &str) -> Vec<String> {
        let err = Config::from_parts(with_unknown_key, organizations(3))
            .unwrap_err()
            .message(Lang::En);
        // serde lists three keys or more as "one of `a`, `b`, `c`", two as "`a` or `b`".
        let list = err
            .split("expected one of")
            .nth(1)
            .or_else(|| err.split(", expected ").nth(1))
            .unwrap_or_else(|| panic!("no key list in {err}"))
            .replace(" or ", ",");
        list.split(',')
            .map(|key| key.trim().trim_matches('`').to_string())
            .collect()
    }

    fn refusal(toml: &str) -> String {
        Config::from_parts(toml, organizations(3))
            .unwrap_err()
            .message(Lang::En)
    }

    #[test]
    fn scoring_settings_are_refused_with_line_and_field() {
        // A group without a weight under group_share: the line of that group.
        let no_weight = refusal(
            "groups = [\n  { id = \"leaders\", weight = 0.4 },\n  { id = \"members\" },\n]\n[rules]\nweighting = \"group_share\"\n",
        );
        assert!(
            no_weight.starts_with(
                "meeting.toml:3: field \"groups.weight\": group \"members\" has no weight"
            ),
            "{no_weight}"
        );
        // The same groups under per_form: the weight defaults to 1.
        Config::from_parts(
            "groups = [\n  { id = \"leaders\", weight = 0.4 },\n  { id = \"members\" },\n]\n",
            organizations(3),
        )
        .unwrap();
        let no_groups = refusal("[rules]\nweighting = \"group_share\"\n");
        assert!(
            no_groups.starts_with("meeting.toml:2: field \"rules.weighting\""),
            "{no_groups}"
        );
        let bad = refusal("[rules]\nweighting = \"by_group\"\n");
        assert!(
            bad.contains("\"by_group\" is not per_form or group_share"),
            "{bad}"
        );
        // rank_by composite without parts; a tie-breaker too.
        let no_parts = refusal("[rules]\nrank_by = \"composite\"\n");
        assert!(
            no_parts.starts_with("meeting.toml:2:") && no_parts.contains("[[composite]]"),
            "{no_parts}"
        );
        let no_parts = refusal("[rules]\ntie_breakers = [\"top_rate\", \"composite\"]\n");
        assert!(no_parts.starts_with("meeting.toml:2:"), "{no_parts}");
        // rate_base present needs the people present, per_form and weights of 1.
        let absent = refusal("[rules]\nrate_base = \"present\"\n");
        assert!(
            absent.starts_with("meeting.toml:2: field \"rules.rate_base\"")
                && absent.contains("[attendance] present"),
            "{absent}"
        );
        let weighted = refusal(
            "groups = [{ id = \"g\", weight = 0.5 }]\n[attendance]\npresent = 9\n[rules]\nrate_base = \"present\"\n",
        );
        assert!(
            weighted.starts_with("meeting.toml:5:") && weighted.contains("counts 0.5"),
            "{weighted}"
        );
        let shares = refusal(
            "groups = [{ id = \"g\", weight = 1 }]\n[attendance]\npresent = 9\n[rules]\nweighting = \"group_share\"\nrate_base = \"present\"\n",
        );
        assert!(shares.contains("under group_share"), "{shares}");
        // A part needs exactly one of source and file; one meeting part at most.
        let neither = refusal("[[composite]]\nid = \"p\"\nweight = 1\n");
        assert!(
            neither.contains("source = \"meeting\" or file"),
            "{neither}"
        );
        let two = refusal(
            "[[composite]]\nid = \"a\"\nweight = 1\nsource = \"meeting\"\n[[composite]]\nid = \"b\"\nweight = 1\nsource = \"meeting\"\n",
        );
        assert!(
            two.starts_with("meeting.toml:8:") && two.contains("only one part"),
            "{two}"
        );
        let zero = refusal("[[composite]]\nid = \"a\"\nweight = 0\nsource = \"meeting\"\n");
        assert!(
            zero.starts_with("meeting.toml:3: field \"composite.weight\""),
            "{zero}"
        );
    }

    #[test]
    fn a_part_file_missing_an_organization_is_refused_naming_it_and_the_line_that_lists_it() {
        let toml = "[[composite]]\nid = \"daily\"\nweight = 1\nfile = \"daily.csv\"\n";
        let err = config_with_parts(3, toml, &[("daily.csv", "org_id,score\nO1,80\nO2,70\n")])
            .map(|_| ())
            .unwrap_err();
        // The organization list has O1, O2 and O3.
        let message = err.message(Lang::En);
        assert!(
            message.contains("meeting.toml:4: field \"composite.file\""),
            "{message}"
        );
        assert!(
            message.contains("daily.csv has no score for organization O3"),
            "{message}"
        );
        // A problem inside the file names the file and its line.
        let twice = config_with_parts(
            3,
            toml,
            &[("daily.csv", "org_id,score\nO1,80\nO2,70\nO1,90\n")],
        )
        .map(|_| ())
        .unwrap_err()
        .message(Lang::En);
        assert!(twice.contains("daily.csv:4"), "{twice}");
        let range = config_with_parts(
            3,
            toml,
            &[("daily.csv", "org_id,score\nO1,80\nO2,101\nO3,9\n")],
        )
        .map(|_| ())
        .unwrap_err()
        .message(Lang::En);
        assert!(
            range.contains("daily.csv:3") && range.contains("101"),
            "{range}"
        );
    }

    #[test]
    fn attendance_place_and_quorum_are_read_and_checked() {
        let config = Config::from_parts(
            "place = \"会议室\"\n[rules]\nquorum = \"half\"\n[attendance]\nexpected = 45\npresent = 43\n",
            organizations(3),
        )
        .unwrap();
        assert_eq!(config.place.as_deref(), Some("会议室"));
        assert_eq!(config.quorum, Some(Quorum::Half));
        assert_eq!(
            config.attendance,
            Attendance {
                expected: Some(45),
                present: Some(43)
            }
        );
        let none = Config::from_parts("", organizations(3)).unwrap();
        assert_eq!(none.attendance, Attendance::default());
        assert_eq!((none.place, none.quorum), (None, None));

        let refused = |source: &str| {
            Config::from_parts(source, organizations(3))
                .unwrap_err()
                .message(Lang::En)
        };
        let e = refused("[attendance]\nexpected = 10\npresent = 11\n");
        assert!(e.contains(":3:") && e.contains("attendance.present"), "{e}");
        assert!(e.contains("11 present is more than the 10 expected"), "{e}");
        let e = refused("[attendance]\nexpected = -1\n");
        assert!(
            e.contains("attendance.expected") && e.contains("not a number of people"),
            "{e}"
        );
        let e = refused("[rules]\nquorum = \"most\"\n");
        assert!(
            e.contains("rules.quorum") && e.contains("\"most\" is not half"),
            "{e}"
        );
        let e = refused("place = \"a\\nb\"\n");
        assert!(e.contains("place"), "{e}");
    }

    #[test]
    fn the_rules_document_explains_every_key_of_meeting_toml() {
        let tables = [
            "unknown_key = 1\n",
            "[rules]\nunknown_key = 1\n",
            "scale = [{ key = \"A\", label = \"a\", points = 1, unknown_key = 1 }]\n",
            "groups = [{ id = \"g\", unknown_key = 1 }]\n",
            "tiers = [{ name = \"t\", quota = 1, unknown_key = 1 }]\n",
            "[attendance]\nunknown_key = 1\n",
            "[[composite]]\nid = \"p\"\nweight = 1\nunknown_key = 1\n",
        ];
        for table in tables {
            let keys = keys_of_table(table);
            assert!(keys.len() >= 2, "{table}: {keys:?}");
            for key in keys {
                assert!(
                    RULES.contains(&format!("| `{key}` |")),
                    "docs/RULES.md has no row for the key `{key}` ({table})"
                );
            }
        }
    }

    #[test]
    fn the_rules_documents_example_meeting_toml_loads_as_it_says() {
        let example = RULES
            .split("### The whole file, with every key")
            .nth(1)
            .and_then(|rest| rest.split("```toml\n").nth(1))
            .and_then(|rest| rest.split("```").next())
            .expect("the example meeting.toml");
        let config = Config::from_parts(example, organizations(30)).unwrap();
        assert_eq!(config.forms_issued, Some(45));
        assert_eq!(config.groups.len(), 3);
        assert_eq!(config.rules.max_marks, vec![Some(11), None, None, None]);
        assert_eq!(config.scale, default_scale());
    }
}
