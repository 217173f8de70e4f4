//! A generator of realistic meetings for benchmarks and fault tests: N forms × M
//! organizations with voter groups, near-uniform forms, spoiled marks and invalid forms,
//! all from a seed so a run can be repeated.

use crate::error::{Error, Result};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Number of forms.
    pub forms: u64,
    /// Number of organizations.
    pub orgs: usize,
    /// Seed of the pseudo-random marks.
    pub seed: u64,
    /// Serials with gaps (about one number in 50 unused) in shuffled order, as when stacks of
    /// forms are scanned in any order; otherwise 1 to N in order.
    pub shuffled: bool,
}

/// A small, fast, seeded generator (PCG-style LCG); quality is ample for test data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as u32
    }

    /// A number in 0..n.
    fn below(&mut self, n: u32) -> u32 {
        self.next() % n
    }
}

/// Writes a meeting folder (`meeting.toml`, `organizations.csv`) and, beside it in the same
/// folder, `ballots.csv` with the forms (not yet imported). Returns the ballots path.
pub fn write_meeting(dir: &Path, spec: Spec) -> Result<PathBuf> {
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let excellent = (spec.orgs * 11 / 30).max(1).min(spec.orgs);
    let better = (spec.orgs * 5 / 30).min(spec.orgs - excellent);
    let mut toml = format!(
        "title = \"生成的评议会议 {} 份 × {} 个组织\"\ndate = \"2026-01-01\"\n\
groups = [\n  {{ id = \"leaders\", label = \"镇领导班子成员\", weight = 1 }},\n  \
{{ id = \"cadres\", label = \"村（社区）干部\", weight = 1 }},\n  \
{{ id = \"members\", label = \"机关党员\", weight = 0.5 }},\n]\n\
tiers = [\n  {{ name = \"excellent\", label = \"优秀\", quota = {excellent} }},\n",
        spec.forms, spec.orgs
    );
    if better > 0 {
        toml.push_str(&format!(
            "  {{ name = \"better\", label = \"较好\", quota = {better} }},\n"
        ));
    }
    toml.push_str(&format!(
        "]\n\n[rules]\nmax_marks = {{ A = {excellent} }}\n"
    ));
    write_file(&dir.join("meeting.toml"), toml.as_bytes())?;

    let mut orgs = String::from("id,name,category\n");
    for i in 1..=spec.orgs {
        orgs.push_str(&format!("G{i:03},第{i}党支部,village\n"));
    }
    write_file(&dir.join("organizations.csv"), orgs.as_bytes())?;

    let path = dir.join("ballots.csv");
    let file = std::fs::File::create(&path).map_err(|e| Error::io(&path, e))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    write_ballots(&mut out, spec, excellent).map_err(|e| Error::io(&path, e))?;
    out.flush().map_err(|e| Error::io(&path, e))?;
    Ok(path)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    std::fs::write(path, bytes).map_err(|e| Error::io(path, e))
}

fn write_ballots(out: &mut impl Write, spec: Spec, max_a: usize) -> std::io::Result<()> {
    let mut rng = Rng(spec.seed ^ 0x9E37_79B9_7F4A_7C15);
    write!(out, "serial,group")?;
    for i in 1..=spec.orgs {
        write!(out, ",G{i:03}")?;
    }
    out.write_all(b"\n")?;
    // Each organization has a standing; most voters follow it with some noise.
    let standing: Vec<u32> = (0..spec.orgs).map(|_| rng.below(100)).collect();
    let mut row = Vec::with_capacity(spec.orgs * 2 + 32);
    for serial in serials(spec) {
        row.clear();
        let group = match rng.below(10) {
            0..=1 => "leaders",
            2..=6 => "cadres",
            _ => "members",
        };
        write!(row, "{serial},{group}")?;
        let kind = rng.below(1000);
        let mut a_given = 0;
        for &s in &standing {
            let cell: &[u8] = if kind < 5 {
                b"" // an all-blank form: invalid
            } else {
                let roll = s + rng.below(60);
                let mark: &[u8] = match roll {
                    _ if rng.below(200) == 0 => b"*",
                    _ if rng.below(100) == 0 => b"",
                    110.. => b"A",
                    80..=109 => b"B",
                    40..=79 => b"C",
                    _ => b"D",
                };
                // Most voters respect the quota of A; about 1% of forms give A to everyone.
                if mark == b"A" && a_given >= max_a && kind >= 15 {
                    b"B"
                } else if kind < 15 {
                    b"A"
                } else {
                    mark
                }
            };
            if cell == b"A" {
                a_given += 1;
            }
            row.push(b',');
            row.extend_from_slice(cell);
        }
        row.push(b'\n');
        out.write_all(&row)?;
    }
    Ok(())
}

/// The serials of the forms in file order.
fn serials(spec: Spec) -> Box<dyn Iterator<Item = u64>> {
    if !spec.shuffled {
        return Box::new(1..=spec.forms);
    }
    // Every 50th number is left out, then Fisher-Yates with its own generator, so the marks
    // of the seed are those of the ordered file, only on other serials.
    let mut serials: Vec<u64> = (1..=spec.forms).map(|k| k + k / 49).collect();
    let mut rng = Rng(spec.seed ^ 0x5851_F42D_4C95_7F2D);
    for i in (1..serials.len()).rev() {
        let j = ((u64::from(rng.next()) << 32 | u64::from(rng.next())) % (i as u64 + 1)) as usize;
        serials.swap(i, j);
    }
    Box::new(serials.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_meetings_load_and_are_repeatable() {
        let temp = tempfile::tempdir().unwrap();
        let spec = Spec {
            forms: 500,
            orgs: 30,
            seed: 7,
            shuffled: false,
        };
        let a = write_meeting(&temp.path().join("a"), spec).unwrap();
        let b = write_meeting(&temp.path().join("b"), spec).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        let config = crate::config::Config::load(&temp.path().join("a")).unwrap();
        assert_eq!(config.organizations.len(), 30);
        assert_eq!(config.tiers.iter().map(|t| t.quota).sum::<usize>(), 16);
        let lines = std::fs::read_to_string(&a).unwrap().lines().count();
        assert_eq!(lines, 501);
    }

    #[test]
    fn a_shuffled_meeting_has_every_serial_once_with_gaps_out_of_order() {
        let temp = tempfile::tempdir().unwrap();
        let spec = Spec {
            forms: 1000,
            orgs: 5,
            seed: 3,
            shuffled: true,
        };
        let path = write_meeting(temp.path(), spec).unwrap();
        let text = std::fs::read_to_string(path).unwrap();
        let serials: Vec<u64> = text
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(serials.len(), 1000);
        let mut sorted = serials.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 1000, "a serial twice");
        // 1000 forms on 1..=1020: numbers 49, 98, ... are left out ...
        assert_eq!(*sorted.last().unwrap(), 1000 + 1000 / 49);
        assert!(!sorted.contains(&49));
        // ... and the file is far from in order.
        let descents = serials.windows(2).filter(|w| w[0] > w[1]).count();
        assert!(descents > 400, "{descents}");
    }
}
