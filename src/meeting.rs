//! A meeting folder opened for work: its checked config and its store, and the results
//! computed from them in one pass over the ballots.

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::model::Tier;
use crate::ranking::{self, Decision, Ranking};
use crate::store::{Store, Summary};
use crate::tally::Tally;
use std::path::Path;

/// An open meeting.
pub struct Meeting {
    /// The rules.
    pub config: Config,
    /// The ballots, decisions and audit log.
    pub store: Store,
}

/// Everything the tally shows: counts, ranking and the state of the ballot set.
#[derive(Debug, Clone)]
pub struct Results {
    /// Weighted counts of the valid ballots.
    pub tally: Tally,
    /// The ranking with tiers and notes.
    pub ranking: Ranking,
    /// Counts, digest, final flag.
    pub summary: Summary,
}

impl Meeting {
    /// Opens the meeting in `dir`, creating its store if the folder has none yet.
    pub fn open(dir: &Path) -> Result<Meeting> {
        let config = Config::load(dir)?;
        let store = Store::open(&config)?;
        Ok(Meeting { config, store })
    }

    /// Creates a meeting folder: meeting.toml with the default scale, the organizations file
    /// copied in, and an empty store.
    pub fn create(
        dir: &Path,
        orgs_file: &Path,
        title: Option<&str>,
        tiers: &[Tier],
    ) -> Result<Meeting> {
        if config::is_meeting(dir) {
            return Err(Error::user(
                format!("{} is already a meeting", dir.display()),
                format!("{} 已经是会议文件夹", dir.display()),
            ));
        }
        let organizations = config::load_organizations(orgs_file)?;
        let quota: usize = tiers.iter().map(|t| t.quota).sum();
        if quota > organizations.len() {
            return Err(Error::user(
                format!(
                    "--tier quotas add up to {quota}, more than the {} organizations in {}",
                    organizations.len(),
                    orgs_file.display()
                ),
                format!(
                    "--tier 名额合计 {quota}，多于 {} 中的 {} 个组织",
                    orgs_file.display(),
                    organizations.len()
                ),
            ));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let mut orgs_csv = csv::Writer::from_writer(Vec::new());
        let write = |w: &mut csv::Writer<Vec<u8>>, row: [&str; 3]| {
            w.write_record(row)
                .map_err(|e| Error::Internal(e.to_string()))
        };
        write(&mut orgs_csv, ["id", "name", "category"])?;
        for org in &organizations {
            write(&mut orgs_csv, [&org.id, &org.name, &org.category])?;
        }
        let orgs_bytes = orgs_csv
            .into_inner()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let orgs_path = dir.join("organizations.csv");
        std::fs::write(&orgs_path, orgs_bytes).map_err(|e| Error::io(&orgs_path, e))?;
        let title = title.map(str::to_string).unwrap_or_else(|| {
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        });
        let toml_path = dir.join(config::MEETING_FILE);
        std::fs::write(&toml_path, meeting_toml(&title, tiers))
            .map_err(|e| Error::io(&toml_path, e))?;
        Meeting::open(dir)
    }

    /// Counts the valid ballots (from the store's cached count when it is current).
    pub fn tally(&self) -> Result<Tally> {
        Ok(self.store.count()?.tally)
    }

    /// Tally, ranking and summary.
    pub fn results(&self) -> Result<Results> {
        let count = self.store.count()?;
        let ranking = ranking::rank(&self.config, &count.tally, &self.store.decisions()?);
        Ok(Results {
            summary: self.store.summary_of(&count)?,
            tally: count.tally,
            ranking,
        })
    }

    /// Records that `org_ids` take places of tier `tier` ahead of the rest of their tie.
    pub fn decide(&mut self, tier: &str, org_ids: &[String]) -> Result<()> {
        let config = &self.config;
        let tier_index = config.tier_index(tier).ok_or_else(|| {
            let names: Vec<&str> = config.tiers.iter().map(|t| t.name.as_str()).collect();
            Error::user(
                format!("unknown tier \"{tier}\" (tiers: {})", names.join(", ")),
                format!("未知等次 \"{tier}\"（等次：{}）", names.join("、")),
            )
        })?;
        let mut orgs = Vec::new();
        for id in org_ids {
            let index = config.org_index(id).ok_or_else(|| {
                Error::user(
                    format!("unknown organization id \"{id}\""),
                    format!("未知组织编号 \"{id}\""),
                )
            })?;
            if orgs.contains(&index) {
                return Err(Error::user(
                    format!("organization \"{id}\" named twice"),
                    format!("组织 \"{id}\" 重复列出"),
                ));
            }
            orgs.push(index);
        }
        let decision = Decision {
            tier: tier_index,
            orgs,
        };
        let tally = self.tally()?;
        let decisions = self.store.decisions()?;
        if self.store.is_final()? {
            // The store refuses too; say so before any tie analysis.
            return self.store.add_decision(&decision);
        }
        ranking::check_decision(config, &tally, &decisions, &decision).map_err(|refusal| {
            let why = refusal.message(config, tier_index);
            Error::user(
                format!("decision refused: {}", why.en),
                format!("裁定被拒绝：{}", why.zh),
            )
        })?;
        self.store.add_decision(&decision)
    }

    /// The UI language: the command line's, else meeting.toml's, else the environment's.
    pub fn lang(&self, flag: Option<Lang>) -> Lang {
        flag.or(self.config.language).unwrap_or_else(Lang::from_env)
    }
}

fn meeting_toml(title: &str, tiers: &[Tier]) -> String {
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    let mut out = format!(
        "title = {}\norganizations = \"organizations.csv\"\n\n\
scale = [\n  \
{{ key = \"A\", label = \"好\",   label_en = \"Excellent\", points = 100, approve = true }},\n  \
{{ key = \"B\", label = \"较好\", label_en = \"Good\",      points = 80,  approve = true }},\n  \
{{ key = \"C\", label = \"一般\", label_en = \"Fair\",      points = 60 }},\n  \
{{ key = \"D\", label = \"差\",   label_en = \"Poor\",      points = 0 }},\n]\n\n",
        quote(title)
    );
    out.push_str("tiers = [\n");
    for tier in tiers {
        out.push_str(&format!(
            "  {{ name = {}, label = {}, quota = {} }},\n",
            quote(&tier.name),
            quote(&tier.label),
            tier.quota
        ));
    }
    out.push_str("]\n\n[rules]\nmin_marked = 1\nrank_by = \"score\"\ntie_breakers = [\"top_rate\", \"approval_rate\"]\n");
    out
}
