//! Creating a meeting folder from an organization list and the choices of `new`.
//!
//! Everything is checked before anything is written: the organization list is read, the
//! meeting.toml that would be written is built and loaded exactly as a later `open` loads it,
//! and only then are the files written, into a fresh folder that appears under its name in
//! one rename. A refused `new` leaves nothing behind, so the clerk can simply run it again.

use super::Meeting;
use crate::config::{self, Config};
use crate::error::{Error, Result, Text};
use crate::lang::Lang;
use crate::model::{Group, Organization, Scale, Tier};
use crate::store::Store;
use std::path::Path;

/// What a new meeting is set up with, besides its organizations.
#[derive(Debug, Clone, Default)]
pub struct NewMeeting {
    /// Title shown on screens and exports (default: the folder's name).
    pub title: Option<String>,
    /// Date of the meeting, as the clerk writes it.
    pub date: Option<String>,
    /// UI language of the meeting.
    pub language: Option<Lang>,
    /// Forms handed out, when already known.
    pub forms_issued: Option<u64>,
    /// Quota tiers, best first.
    pub tiers: Vec<Tier>,
    /// Voter groups; none means one group of weight 1.
    pub groups: Vec<Group>,
    /// The `max_marks` rule to write.
    pub max_marks: MaxMarks,
}

/// Which `max_marks` a new meeting gets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum MaxMarks {
    /// The rule of such meetings: a form may give the first approving option (好) to at
    /// most as many organizations as the first tier has places. No limit without tiers.
    #[default]
    FirstTierQuota,
    /// No limit on any option.
    Unlimited,
    /// These limits: option key and the most marks of it a valid form gives.
    Given(Vec<(char, usize)>),
}

/// A limit `new` derived from the first tier, for its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedLimit {
    /// The option limited.
    pub key: char,
    /// Its label, e.g. 好.
    pub label: String,
    /// Its English label (its label when it has none), e.g. Excellent.
    pub label_en: String,
    /// The most marks of it a valid form gives.
    pub max: usize,
    /// The tier whose quota it is.
    pub tier: Tier,
}

impl NewMeeting {
    /// The `max_marks` entries to write, as (option key, limit), for this scale.
    pub fn max_marks_for(&self, scale: &Scale) -> Vec<(char, usize)> {
        match &self.max_marks {
            MaxMarks::Unlimited => Vec::new(),
            MaxMarks::Given(limits) => limits.clone(),
            MaxMarks::FirstTierQuota => self
                .derived_limit(scale)
                .map(|limit| vec![(limit.key, limit.max)])
                .unwrap_or_default(),
        }
    }

    /// The limit taken from the first tier's quota, when that is the rule chosen and the
    /// meeting has tiers and an approving option.
    pub fn derived_limit(&self, scale: &Scale) -> Option<DerivedLimit> {
        if self.max_marks != MaxMarks::FirstTierQuota {
            return None;
        }
        let tier = self.tiers.first()?;
        let option = scale.options.iter().find(|o| o.approve)?;
        Some(DerivedLimit {
            key: option.key,
            label: option.label.clone(),
            label_en: option
                .label_en
                .clone()
                .unwrap_or_else(|| option.label.clone()),
            max: tier.quota,
            tier: tier.clone(),
        })
    }
}

impl Meeting {
    /// Creates the meeting folder `dir`: meeting.toml with the default scale and the choices
    /// of `spec`, organizations.csv from the clerk's list `orgs_file` (any form
    /// [`config::load_organizations`] reads), and an empty store. Refused, with nothing
    /// written, when `dir` is a meeting already or any choice would make a meeting that
    /// does not load.
    pub fn create(dir: &Path, orgs_file: &Path, spec: &NewMeeting) -> Result<Meeting> {
        if config::is_meeting(dir) {
            return Err(Error::user(
                format!("{} is already a meeting", dir.display()),
                format!("{} 已经是会议文件夹", dir.display()),
            ));
        }
        let organizations = config::load_organizations(orgs_file)?;
        let title = spec.title.clone().unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let scale = config::default_scale();
        let toml = meeting_toml(&title, spec, &scale)
            .and_then(|toml| Config::from_parts(&toml, organizations.clone()).map(|_| toml))
            .map_err(|e| not_created(dir, e))?;
        write_folder(dir, orgs_file, &organizations, &toml)?;
        Meeting::create_store(dir)
    }

    /// Creates the store of a meeting folder that has its meeting.toml and organizations
    /// file but no store yet (a meeting written by hand, the demo), and opens it.
    pub fn create_store(dir: &Path) -> Result<Meeting> {
        let config = Config::load(dir)?;
        let store = Store::create(&config)?;
        Ok(Meeting { config, store })
    }
}

/// Reads a tier as the clerk writes it, `NAME=QUOTA` or `NAME:LABEL=QUOTA` (e.g.
/// `excellent=11`, `top:一等=3`); `excellent` and `better`/`good` get their Chinese labels.
/// The error says what is wrong with the text, for `new --tier` and the UI's form alike.
pub fn parse_tier(text: &str) -> std::result::Result<Tier, String> {
    let (name, quota) = text
        .rsplit_once('=')
        .ok_or_else(|| format!("\"{text}\" is not NAME=QUOTA"))?;
    let quota: usize = quota
        .trim()
        .parse()
        .ok()
        .filter(|q| *q >= 1)
        .ok_or_else(|| format!("\"{quota}\" is not a quota of at least 1"))?;
    let (name, label) = match name.split_once(':') {
        Some((name, label)) => (name.trim(), label.trim().to_string()),
        None => {
            let name = name.trim();
            let label = match name {
                "excellent" => "优秀",
                "better" | "good" => "较好",
                other => other,
            };
            (name, label.to_string())
        }
    };
    if name.is_empty() {
        return Err(format!("\"{text}\" has no tier name"));
    }
    Ok(Tier {
        name: name.to_string(),
        label,
        quota,
    })
}

/// A refusal of the meeting `new` would have written, said as such.
fn not_created(dir: &Path, error: Error) -> Error {
    match error {
        Error::User(why) => Error::user(
            format!("{} not created, nothing written: {}", dir.display(), why.en),
            format!("{} 未创建，未写入任何文件：{}", dir.display(), why.zh),
        ),
        other => other,
    }
}

/// The text of organizations.csv for these organizations. A name or category a spreadsheet
/// would run as a formula gets the leading `'` of a text cell, which the list reader takes
/// off again.
fn organizations_csv(organizations: &[Organization]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let internal = |e: csv::Error| Error::Internal(e.to_string());
    writer
        .write_record(["id", "name", "category"])
        .map_err(internal)?;
    for org in organizations {
        writer
            .write_record([
                org.id.as_str(),
                &crate::export::neutralise(&org.name),
                &crate::export::neutralise(&org.category),
            ])
            .map_err(internal)?;
    }
    writer
        .into_inner()
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Writes the two files of a meeting. A folder that does not exist yet is made under a
/// temporary name beside it and renamed into place, so it appears whole or not at all; in
/// a folder that exists, meeting.toml (what makes a folder a meeting) is written last and a
/// failure takes back organizations.csv.
fn write_folder(
    dir: &Path,
    orgs_file: &Path,
    organizations: &[Organization],
    toml: &str,
) -> Result<()> {
    let orgs_bytes = organizations_csv(organizations)?;
    let orgs_target = dir.join("organizations.csv");
    if !dir.exists() {
        let parent = match dir.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        crate::text::create_folder(parent).map_err(|e| Error::io(parent, e))?;
        let staging = tempfile::Builder::new()
            .prefix(".tallyclerk-new-")
            .tempdir_in(parent)
            .map_err(|e| Error::io(parent, e))?;
        // The folder others may read but not write, whatever the umask.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755))
                .map_err(|e| Error::io(parent, e))?;
        }
        let staged_orgs = staging.path().join("organizations.csv");
        crate::text::write_file(&staged_orgs, &orgs_bytes)
            .map_err(|e| Error::io(&staged_orgs, e))?;
        let staged_toml = staging.path().join(config::MEETING_FILE);
        crate::text::write_file(&staged_toml, toml.as_bytes())
            .map_err(|e| Error::io(&staged_toml, e))?;
        std::fs::rename(staging.path(), dir).map_err(|e| Error::io(dir, e))?;
        // Renamed: the staging name is gone, so there is nothing left to clean up.
        let _ = staging.keep();
        return Ok(());
    }
    // The clerk may run `new` in the folder that holds the list itself: a list already
    // named organizations.csv there is the meeting's list as it is (it loads the same).
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let write_orgs = if orgs_target.exists() {
        if !same_file(&orgs_target, orgs_file) {
            return Err(Error::user(
                format!(
                    "{} exists already; new does not overwrite it (give it with --orgs, or choose another folder)",
                    orgs_target.display()
                ),
                format!(
                    "{} 已存在；new 不会覆盖它（可用 --orgs 指定它，或换一个文件夹）",
                    orgs_target.display()
                ),
            ));
        }
        false
    } else {
        true
    };
    if write_orgs {
        crate::text::write_file(&orgs_target, &orgs_bytes)
            .map_err(|e| Error::io(&orgs_target, e))?;
    }
    let toml_target = dir.join(config::MEETING_FILE);
    let written = tempfile::NamedTempFile::new_in(dir)
        .and_then(|mut file| {
            use std::io::Write;
            file.write_all(toml.as_bytes())?;
            file.persist_noclobber(&toml_target).map_err(|e| e.error)?;
            Ok(())
        })
        .map_err(|e| Error::io(&toml_target, e));
    if written.is_err() && write_orgs {
        let _ = std::fs::remove_file(&orgs_target);
    }
    written
}

/// The meeting.toml of a new meeting: the default scale written out, so the clerk sees
/// what can be changed, and every choice of `spec`.
fn meeting_toml(title: &str, spec: &NewMeeting, scale: &Scale) -> Result<String> {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!("title = {}\n", quote(title));
    if let Some(date) = &spec.date {
        out.push_str(&format!("date = {}\n", quote(date)));
    }
    if let Some(lang) = spec.language {
        out.push_str(&format!("language = \"{}\"\n", lang.code()));
    }
    out.push_str("organizations = \"organizations.csv\"\n");
    if let Some(issued) = spec.forms_issued {
        out.push_str(&format!("forms_issued = {issued}\n"));
    }
    out.push_str("\nscale = [\n");
    for option in &scale.options {
        out.push_str(&format!(
            "  {{ key = \"{}\", label = {}, label_en = {}, points = {}, approve = {} }},\n",
            option.key,
            quote(&option.label),
            quote(option.label_en.as_deref().unwrap_or(&option.label)),
            option.points.to_shortest(),
            option.approve
        ));
    }
    out.push_str("]\n");
    if !spec.groups.is_empty() {
        out.push_str("\ngroups = [\n");
        for group in &spec.groups {
            out.push_str(&format!(
                "  {{ id = {}, label = {}, weight = {} }},\n",
                quote(&group.id),
                quote(&group.label),
                group.weight.to_shortest()
            ));
        }
        out.push_str("]\n");
    }
    out.push_str("\ntiers = [\n");
    for tier in &spec.tiers {
        out.push_str(&format!(
            "  {{ name = {}, label = {}, quota = {} }},\n",
            quote(&tier.name),
            quote(&tier.label),
            tier.quota
        ));
    }
    out.push_str("]\n\n[rules]\n");
    let limits = spec.max_marks_for(scale);
    let mut seen = Vec::new();
    for (key, _) in &limits {
        let key = key.to_ascii_uppercase();
        if seen.contains(&key) {
            return Err(Error::user(
                format!("max_marks: option {key} is limited twice"),
                format!("max_marks：选项 {key} 被限制了两次"),
            ));
        }
        seen.push(key);
    }
    if !limits.is_empty() {
        let entries: Vec<String> = limits
            .iter()
            .map(|(key, max)| format!("{} = {max}", key.to_ascii_uppercase()))
            .collect();
        out.push_str(&format!("max_marks = {{ {} }}", entries.join(", ")));
        if let Some(limit) = spec.derived_limit(scale) {
            out.push_str(&format!(
                "   # the quota of {}: a form giving more than {} \"{}\" is invalid",
                limit.tier.name, limit.max, limit.label
            ));
        }
        out.push('\n');
    }
    out.push_str(
        "min_marked = 1\nrank_by = \"score\"\ntie_breakers = [\"top_rate\", \"approval_rate\"]\n",
    );
    Ok(out)
}

/// How `new` reports the limit it derived, in both languages.
pub fn derived_limit_text(limit: &DerivedLimit) -> Text {
    Text::new(
        format!(
            "max_marks {key} = {max}: a form giving more than {max} \"{label}\" ({key}) is invalid, as {tier} has {max} places (--max-marks or --no-max-marks to change)",
            key = limit.key,
            max = limit.max,
            label = limit.label_en,
            tier = limit.tier.name
        ),
        format!(
            "max_marks {key} = {max}：一张评议表给出超过 {max} 个\"{label}\"（{key}）即为无效，因为\"{tier}\"名额为 {max} 个（可用 --max-marks 或 --no-max-marks 更改）",
            key = limit.key,
            max = limit.max,
            label = limit.label,
            tier = limit.tier.label
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decimal::Milli;

    fn tier(name: &str, label: &str, quota: usize) -> Tier {
        Tier {
            name: name.into(),
            label: label.into(),
            quota,
        }
    }

    fn orgs(n: usize) -> Vec<Organization> {
        (1..=n)
            .map(|i| Organization {
                id: format!("O{i:02}"),
                name: format!("第{i}党支部"),
                category: String::new(),
            })
            .collect()
    }

    fn config_of(spec: &NewMeeting, n: usize) -> Result<Config> {
        let toml = meeting_toml("t", spec, &config::default_scale())?;
        Config::from_parts(&toml, orgs(n))
    }

    #[test]
    fn tiers_limit_the_first_approving_option_to_the_first_quota() {
        let spec = NewMeeting {
            tiers: vec![tier("excellent", "优秀", 11), tier("better", "较好", 5)],
            ..NewMeeting::default()
        };
        let config = config_of(&spec, 30).unwrap();
        assert_eq!(config.rules.max_marks, vec![Some(11), None, None, None]);
        let limit = spec.derived_limit(&config.scale).unwrap();
        assert_eq!(
            (limit.key, limit.max, limit.label.as_str()),
            ('A', 11, "好")
        );
    }

    #[test]
    fn no_tiers_or_no_max_marks_means_no_limit_and_given_limits_win() {
        assert_eq!(
            config_of(&NewMeeting::default(), 5)
                .unwrap()
                .rules
                .max_marks,
            vec![None; 4]
        );
        let unlimited = NewMeeting {
            tiers: vec![tier("excellent", "优秀", 2)],
            max_marks: MaxMarks::Unlimited,
            ..NewMeeting::default()
        };
        assert_eq!(
            config_of(&unlimited, 5).unwrap().rules.max_marks,
            vec![None; 4]
        );
        let given = NewMeeting {
            tiers: vec![tier("excellent", "优秀", 2)],
            max_marks: MaxMarks::Given(vec![('A', 3), ('d', 1)]),
            ..NewMeeting::default()
        };
        assert_eq!(
            config_of(&given, 5).unwrap().rules.max_marks,
            vec![Some(3), None, None, Some(1)]
        );
        assert!(given.derived_limit(&config::default_scale()).is_none());
    }

    #[test]
    fn every_choice_is_written_and_loads_back() {
        let spec = NewMeeting {
            title: None,
            date: Some("2026-02-16".into()),
            language: Some(Lang::Zh),
            forms_issued: Some(45),
            tiers: vec![tier("excellent", "优秀", 11)],
            groups: vec![
                Group {
                    id: "leaders".into(),
                    label: "镇领导班子成员".into(),
                    weight: Milli::ONE,
                },
                Group {
                    id: "members".into(),
                    label: "机关党员".into(),
                    weight: Milli(500),
                },
            ],
            max_marks: MaxMarks::FirstTierQuota,
        };
        let config = config_of(&spec, 30).unwrap();
        assert_eq!(config.date, "2026-02-16");
        assert_eq!(config.language, Some(Lang::Zh));
        assert_eq!(config.forms_issued, Some(45));
        assert_eq!(config.groups, spec.groups);
        assert_eq!(config.tiers, spec.tiers);
    }

    #[test]
    fn a_limit_given_twice_or_for_no_option_is_refused() {
        let twice = NewMeeting {
            max_marks: MaxMarks::Given(vec![('A', 3), ('a', 4)]),
            ..NewMeeting::default()
        };
        assert!(config_of(&twice, 5).is_err());
        let unknown = NewMeeting {
            max_marks: MaxMarks::Given(vec![('E', 3)]),
            ..NewMeeting::default()
        };
        let err = config_of(&unknown, 5).unwrap_err().message(Lang::En);
        assert!(err.contains("\"E\" is not an option key"), "{err}");
    }
}
