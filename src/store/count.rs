//! The tally of the ballot set, kept in the store so that opening, tallying or exporting a
//! large meeting does not read every ballot again.
//!
//! The cached count is stored under a tag: the incremental hash of the ballot set it was
//! computed from plus a digest of everything in meeting.toml it depends on. A cached value is
//! only ever used when its tag is the current one, and only ever written with the tag of the
//! ballots it was computed from, so a change that forgets to carry it along (or a changed
//! meeting.toml) can make it unused, never wrong.

use super::db::{args, Db};
use super::metas_in;
use super::set_hash::SetHash;
use crate::config::Config;
use crate::decimal::Milli;
use crate::error::{Error, Result};
use crate::model::{validity, Mark};
use crate::tally::{OrgCounts, Tally};
use sha2::{Digest, Sha256};

/// The weighted count passed what 64 bits of thousandths hold (some 9.2 × 10^15 forms of
/// weight 1): never in a real meeting, but refused rather than wrapped round.
fn too_heavy() -> Error {
    Error::user(
        "the weighted count of the forms passes the largest figure tallyclerk counts (9,223,372,036,854,775.807); nothing was changed",
        "评议表的加权计数超过 tallyclerk 能计的最大数（9,223,372,036,854,775.807）；未做任何修改",
    )
}

/// What the ballots that count (neither withdrawn nor set aside) add up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Count {
    /// Ballots that count, valid or not.
    pub counted: u64,
    /// The weighted counts of the valid ones.
    pub tally: Tally,
}

impl Count {
    /// Nothing counted yet.
    pub fn empty(config: &Config) -> Count {
        Count {
            counted: 0,
            tally: Tally::new(
                config.organizations.len(),
                config.scale.len(),
                config.groups.len(),
            ),
        }
    }

    /// Counts one ballot of voter group `group` with these marks.
    pub fn add(&mut self, config: &Config, group: Option<&str>, marks: &[Mark]) -> Result<()> {
        let valid = validity(marks, &config.scale, &config.rules).is_ok();
        self.add_judged(config, group, marks, valid)
    }

    /// [`Count::add`] for a ballot whose validity under `config` is already known.
    pub(super) fn add_judged(
        &mut self,
        config: &Config,
        group: Option<&str>,
        marks: &[Mark],
        valid: bool,
    ) -> Result<()> {
        if valid {
            let (weight, index) = weight(config, group)?;
            // Weights are positive, so no count of an organization passes the total: one
            // checked sum per ballot keeps every count from overflowing.
            self.tally
                .weight
                .0
                .checked_add(weight.0)
                .ok_or_else(too_heavy)?;
            self.tally.add(marks, weight, index);
        } else {
            self.tally.add_invalid(group_index(config, group));
        }
        self.counted += 1;
        Ok(())
    }

    /// Takes back a ballot counted by [`Count::add`] with the same arguments.
    pub fn remove(&mut self, config: &Config, group: Option<&str>, marks: &[Mark]) -> Result<()> {
        self.counted -= 1;
        if validity(marks, &config.scale, &config.rules).is_ok() {
            let (weight, index) = weight(config, group)?;
            self.tally.remove(marks, weight, index);
        } else {
            self.tally.remove_invalid(group_index(config, group));
        }
        Ok(())
    }

    /// Adds the counts of `other`, taken under the same config.
    pub fn merge(&mut self, other: &Count) -> Result<()> {
        let weight = (self.tally.weight.0)
            .checked_add(other.tally.weight.0)
            .ok_or_else(too_heavy)?;
        self.counted += other.counted;
        let tally = &mut self.tally;
        tally.ballots += other.tally.ballots;
        tally.weight.0 = weight;
        let ours = tally
            .orgs
            .iter_mut()
            .chain(tally.by_group.iter_mut().flatten());
        let theirs = other
            .tally
            .orgs
            .iter()
            .chain(other.tally.by_group.iter().flatten());
        for (mine, more) in ours.zip(theirs) {
            for (n, m) in mine.counts.iter_mut().zip(&more.counts) {
                n.0 += m.0;
            }
            mine.blank.0 += more.blank.0;
        }
        for (mine, more) in tally.forms.iter_mut().zip(&other.tally.forms) {
            mine.valid += more.valid;
            mine.invalid += more.invalid;
            mine.set_aside += more.set_aside;
        }
        Ok(())
    }

    /// Every figure as one line of integers: ballots counted, valid ballots, weight, then per organization
    /// (overall, then per group) each option's count and the blank, then per group (and
    /// without one) the valid and invalid forms. Forms set aside are not counted here: the
    /// store reads them when it gives the count ([`super::Store::count`]).
    fn encode(&self) -> String {
        let mut numbers = vec![
            self.counted as i64,
            self.tally.ballots as i64,
            self.tally.weight.0,
        ];
        for counts in self.org_counts() {
            numbers.extend(counts.counts.iter().map(|n| n.0));
            numbers.push(counts.blank.0);
        }
        for forms in &self.tally.forms {
            numbers.extend([forms.valid as i64, forms.invalid as i64]);
        }
        let words: Vec<String> = numbers.iter().map(i64::to_string).collect();
        words.join(" ")
    }

    /// Reads [`Count::encode`]'s line back; `None` when it does not fit this config.
    fn decode(config: &Config, line: &str) -> Option<Count> {
        let mut numbers = line.split(' ').map(|w| w.parse::<i64>().ok());
        let mut next = || numbers.next().flatten();
        let mut count = Count::empty(config);
        count.counted = u64::try_from(next()?).ok()?;
        count.tally.ballots = u64::try_from(next()?).ok()?;
        count.tally.weight = Milli(next()?);
        let tally = &mut count.tally;
        for counts in tally
            .orgs
            .iter_mut()
            .chain(tally.by_group.iter_mut().flatten())
        {
            for n in counts.counts.iter_mut() {
                *n = Milli(next()?);
            }
            counts.blank = Milli(next()?);
        }
        for forms in tally.forms.iter_mut() {
            forms.valid = u64::try_from(next()?).ok()?;
            forms.invalid = u64::try_from(next()?).ok()?;
        }
        if next().is_some() {
            return None;
        }
        Some(count)
    }

    fn org_counts(&self) -> impl Iterator<Item = &OrgCounts> {
        self.tally
            .orgs
            .iter()
            .chain(self.tally.by_group.iter().flatten())
    }
}

fn weight(config: &Config, group: Option<&str>) -> Result<(Milli, Option<usize>)> {
    let weight = config.weight_of(group).ok_or_else(|| {
        Error::Internal(format!(
            "a stored ballot has the unknown group {}",
            group.unwrap_or_default()
        ))
    })?;
    Ok((weight, group_index(config, group)))
}

/// The index of a form's voter group among the configured ones.
fn group_index(config: &Config, group: Option<&str>) -> Option<usize> {
    group.and_then(|g| config.groups.iter().position(|x| x.id == g))
}

/// The tag of the count of the ballot set `set` under `config`.
fn tag(config: &Config, set: &SetHash) -> String {
    let groups: Vec<String> = config
        .groups
        .iter()
        .map(|g| format!("{}={}", g.id, g.weight.0))
        .collect();
    // The weighting decides what each form counts for.
    let depends_on = format!(
        "{}\n{}\n{}\n{}",
        config.layout_fingerprint(),
        config.rules_fingerprint(),
        groups.join(","),
        config.scoring.weighting.word()
    );
    format!(
        "{} {}",
        set.hex(),
        super::hex(&Sha256::digest(depends_on.as_bytes()))
    )
}

/// The cached count of the ballot set `set`, when there is one for it.
pub(super) fn load(conn: &Db, config: &Config, set: &SetHash) -> Result<Option<Count>> {
    let Some(mut count) = load_kept(conn, config, set)? else {
        return Ok(None);
    };
    fill_set_aside(conn, config, &mut count)?;
    Ok(Some(count))
}

/// The cached count of the ballot set `set` as kept: without the forms set aside, which are
/// not kept (see [`fill_set_aside`]).
fn load_kept(conn: &Db, config: &Config, set: &SetHash) -> Result<Option<Count>> {
    let [count_for, kept] = metas_in(conn, ["count_for", "count"])?;
    if count_for.as_deref() != Some(tag(config, set).as_str()) {
        return Ok(None);
    }
    Ok(kept.and_then(|line| Count::decode(config, &line)))
}

/// Writes into `count` the forms set aside per voter group (and without one). They are few
/// and found by a small partial index, so they are read afresh rather than kept.
pub(super) fn fill_set_aside(conn: &Db, config: &Config, count: &mut Count) -> Result<()> {
    let forms = &mut count.tally.forms;
    for slot in forms.iter_mut() {
        slot.set_aside = 0;
    }
    conn.query_each(
        "SELECT grp, COUNT(*) FROM ballots WHERE voided_at IS NOT NULL AND void_kind = 'set_aside' GROUP BY grp",
        args![],
        |row| {
            let group: Option<String> = row.get(0)?;
            let n: i64 = row.get(1)?;
            let none = forms.len() - 1;
            let slot = group_index(config, group.as_deref()).unwrap_or(none);
            forms[slot].set_aside += n as u64;
            Ok(())
        },
    )
}

/// Caches `count` as the count of the ballot set `set` (one statement).
pub(super) fn save(conn: &Db, config: &Config, set: &SetHash, count: &Count) -> Result<()> {
    conn.set_meta(&[("count", &count.encode()), ("count_for", &tag(config, set))])
}

/// Carries the cached count across a change from ballot set `before` to `after` (inside the
/// change's transaction): when it was current, `change` updates it; when it was not, it stays
/// unused until the next full count.
pub(super) fn carry(
    conn: &Db,
    config: &Config,
    before: &SetHash,
    after: &SetHash,
    change: impl FnOnce(&mut Count) -> Result<()>,
) -> Result<()> {
    // The forms set aside are not kept, so they are not read for a count carried along.
    if let Some(mut count) = load_kept(conn, config, before)? {
        change(&mut count)?;
        save(conn, config, after, &count)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_marks;

    fn config() -> Config {
        let orgs = crate::config::parse_organizations("organizations.csv", "id,name\nA1,a\nA2,b\n")
            .unwrap();
        Config::from_parts(
            "groups = [{ id = \"g\", label = \"G\", weight = 0.5 }]\n[rules]\nmax_marks = { A = 1 }\n",
            orgs,
        )
        .unwrap()
    }

    #[test]
    fn counts_encode_and_decode_exactly() {
        let config = config();
        let mut count = Count::empty(&config);
        let marks = parse_marks("AB", &config.scale).unwrap();
        count.add(&config, Some("g"), &marks).unwrap();
        count.add(&config, None, &marks).unwrap();
        // Two A marks: invalid, counted but not tallied.
        let invalid = parse_marks("AA", &config.scale).unwrap();
        count.add(&config, None, &invalid).unwrap();
        assert_eq!(count.counted, 3);
        assert_eq!(count.tally.ballots, 2);
        assert_eq!(count.tally.weight, Milli(1500));
        assert_eq!(count.tally.orgs[0].counts[0], Milli(1500));
        assert_eq!(count.tally.by_group[0][1].counts[1], Milli(500));
        let line = count.encode();
        assert_eq!(Count::decode(&config, &line), Some(count.clone()));
        // A line of another shape is not read as a count.
        assert_eq!(Count::decode(&config, &format!("{line} 0")), None);
        assert_eq!(Count::decode(&config, "3 2 1500"), None);
        count.remove(&config, None, &invalid).unwrap();
        count.remove(&config, Some("g"), &marks).unwrap();
        let mut one = Count::empty(&config);
        one.add(&config, None, &marks).unwrap();
        assert_eq!(count, one);
    }

    #[test]
    fn a_weighted_count_past_64_bits_is_refused_not_wrapped() {
        let config = config();
        let marks = parse_marks("AB", &config.scale).unwrap();
        // A count whose total weight is a thousandth short of the largest: one more ballot
        // (of weight 0.5) would pass it.
        let mut count = Count::empty(&config);
        count.tally.weight = Milli(i64::MAX - 1);
        let before = count.clone();
        assert!(count.add(&config, Some("g"), &marks).is_err());
        assert_eq!(count, before);
        let mut other = Count::empty(&config);
        other.add(&config, Some("g"), &marks).unwrap();
        assert!(count.merge(&other).is_err());
        assert_eq!(count, before);
        // Within the bound nothing is refused.
        let mut small = Count::empty(&config);
        small.merge(&other).unwrap();
        assert_eq!(small.tally.weight, Milli(500));
    }

    #[test]
    fn merged_counts_are_the_counts_of_both() {
        let config = config();
        let (mut left, mut right, mut both) = (
            Count::empty(&config),
            Count::empty(&config),
            Count::empty(&config),
        );
        for (i, text) in ["AB", "BC", "-D", "A*"].iter().enumerate() {
            let marks = parse_marks(text, &config.scale).unwrap();
            let group = (i % 2 == 0).then_some("g");
            let side = if i < 2 { &mut left } else { &mut right };
            side.add(&config, group, &marks).unwrap();
            both.add(&config, group, &marks).unwrap();
        }
        left.merge(&right).unwrap();
        assert_eq!(left, both);
    }
}
