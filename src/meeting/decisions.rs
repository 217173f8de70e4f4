//! Decisions at a cutoff tie: decide and withdraw.

use super::Meeting;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ranking::{self, Decision};
use crate::store::{self, Change};

impl Meeting {
    /// Records that `org_ids` take places of tier `tier` ahead of the rest of their tie, for
    /// `reason`. Returns the decision as recorded: bound to the tie it settles.
    pub fn decide(&mut self, tier: &str, org_ids: &[String], reason: &str) -> Result<Decision> {
        let config = &self.config;
        let tier_index = tier_index(config, tier)?;
        let mut orgs = Vec::new();
        for id in org_ids {
            let echoed = crate::text::echo(id);
            let index = config.org_index(id).ok_or_else(|| {
                Error::user(
                    format!("unknown organization id \"{echoed}\""),
                    format!("未知组织编号 \"{echoed}\""),
                )
            })?;
            if orgs.contains(&index) {
                return Err(Error::user(
                    format!("organization \"{echoed}\" named twice"),
                    format!("组织 \"{echoed}\" 重复列出"),
                ));
            }
            orgs.push(index);
        }
        // The store refuses these too; say so before any tie analysis.
        store::require_reason(reason)?;
        self.store.refuse_when_final(Change::Decide)?;
        // Noted before the ranking is read: a change by another station after it refuses
        // the decision (the tie may be another by then).
        let seen_head = self.store.audit_head()?;
        let tally = self.tally()?;
        let decisions = self.store.decisions()?;
        let figures = crate::scoring::figures(config, &tally)?;
        let decision = ranking::propose(config, &figures, &decisions, tier_index, &orgs).map_err(
            |refusal| {
                let why = refusal.message(config, tier_index);
                Error::user(
                    format!("decision refused: {}", why.en),
                    format!("裁定被拒绝：{}", why.zh),
                )
            },
        )?;
        self.store.add_decision(&decision, reason, &seen_head)?;
        Ok(decision)
    }

    /// Withdraws the decisions of tier `tier` — the one settling the tie at its cutoff and
    /// any that lapsed — with those of later tiers made on top of them on the same tie, for
    /// `reason`. Returns them; refused when the tier has none.
    pub fn undecide(&mut self, tier: &str, reason: &str) -> Result<Vec<Decision>> {
        tier_index(&self.config, tier)?;
        store::require_reason(reason)?;
        self.store.refuse_when_final(Change::Undecide)?;
        let withdrawn = self.to_withdraw(tier)?;
        self.store.withdraw_decisions(&withdrawn, reason)?;
        Ok(withdrawn.into_iter().map(|(_, d)| d).collect())
    }

    /// The decisions [`Meeting::undecide`] would withdraw for tier `tier` now; refused when
    /// there are none (for a face to say so before asking a reason).
    pub fn withdrawable(&self, tier: &str) -> Result<Vec<Decision>> {
        Ok(self
            .to_withdraw(tier)?
            .into_iter()
            .map(|(_, d)| d)
            .collect())
    }

    fn to_withdraw(&self, tier: &str) -> Result<Vec<(i64, Decision)>> {
        let config = &self.config;
        let tier_index = tier_index(config, tier)?;
        let active = self.store.active_decisions()?;
        let decisions: Vec<Decision> = active.iter().map(|(_, d)| d.clone()).collect();
        let figures = crate::scoring::figures(config, &self.tally()?)?;
        let ranking = ranking::rank(config, &figures, &decisions);
        let withdrawn: Vec<(i64, Decision)> =
            ranking::withdrawals(&ranking, &decisions, tier_index)
                .into_iter()
                .map(|i| active[i].clone())
                .collect();
        if withdrawn.is_empty() {
            let name = &config.tiers[tier_index].name;
            let label = &config.tiers[tier_index].label;
            return Err(Error::user(
                format!("no decision of tier {name} to withdraw"),
                format!("“{label}”没有可撤销的裁定"),
            ));
        }
        Ok(withdrawn)
    }
}

fn tier_index(config: &Config, tier: &str) -> Result<usize> {
    config.tier_index(tier).ok_or_else(|| {
        let names: Vec<&str> = config.tiers.iter().map(|t| t.name.as_str()).collect();
        let tier = crate::text::echo(tier);
        Error::user(
            format!("unknown tier \"{tier}\" (tiers: {})", names.join(", ")),
            format!("未知等次 \"{tier}\"（等次：{}）", names.join("、")),
        )
    })
}
