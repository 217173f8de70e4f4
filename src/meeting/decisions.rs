//! Decisions at a cutoff tie: decide and withdraw.

use super::Meeting;
use crate::error::{Error, Result};
use crate::ranking::{self, Decision};

impl Meeting {
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
}
