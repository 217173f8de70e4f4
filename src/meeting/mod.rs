//! The use-case layer: a meeting opened for work, and every use case of it.
//!
//! The command line and the terminal UI only parse input, call one of these functions and
//! render what it returns, so both follow the same rules. Each use case lives in the file of
//! its part of the meeting:
//! - this file: open, create, results;
//! - [`ballots`]: add, edit, withdraw, set aside, verify;
//! - [`decisions`]: decide and withdraw a decision at a cutoff tie;
//! - [`lifecycle`]: forms issued, finalise, reopen, check;
//! - [`files`]: import files, export results.
//!
//! The rules themselves are pure code elsewhere ([`crate::tally`], [`crate::ranking`],
//! [`crate::model`]); the store ([`crate::store`]) keeps, it does not decide.

pub mod ballots;
pub mod decisions;
pub mod files;
pub mod lifecycle;

use crate::config::{self, Config};
use crate::error::{Error, Result};
use crate::lang::Lang;
use crate::model::Tier;
use crate::ranking::{self, Ranking};
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
