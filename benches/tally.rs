//! Benchmarks of the core: counting ballots, ranking, and a full import + tally + export.
//!
//! Run with `cargo bench --bench tally`. Figures depend on the machine; compare ratios.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use std::hint::black_box;
use tallyclerk::config::Config;
use tallyclerk::decimal::Milli;
use tallyclerk::export::{write_results_csv, ResultsOptions};
use tallyclerk::import::{import_bytes, ImportOptions};
use tallyclerk::model::{Mark, Organization};
use tallyclerk::ranking::rank;
use tallyclerk::store::Source;
use tallyclerk::tally::Tally;
use tallyclerk::{Lang, Meeting};

const ORGS: usize = 30;
const TOML: &str = "title = \"bench\"\ntiers = [{ name = \"excellent\", label = \"优秀\", quota = 11 }, { name = \"better\", label = \"较好\", quota = 5 }]\n[rules]\nmax_marks = { A = 11 }\n";

fn organizations() -> Vec<Organization> {
    (1..=ORGS)
        .map(|i| Organization {
            id: format!("V{i:02}"),
            name: format!("第{i}村党支部"),
            category: "village".into(),
        })
        .collect()
}

/// Deterministic pseudo-random marks.
fn marks(seed: u64) -> Vec<Mark> {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..ORGS)
        .map(|_| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            match (x >> 33) % 10 {
                0..=3 => Mark::Option(0),
                4..=6 => Mark::Option(1),
                7 => Mark::Option(2),
                8 => Mark::Option(3),
                _ => Mark::Blank,
            }
        })
        .collect()
}

fn ballots_csv(forms: u64) -> Vec<u8> {
    let config = Config::from_parts(TOML, organizations()).unwrap();
    let mut out = String::from("serial,group");
    for org in &config.organizations {
        out.push(',');
        out.push_str(&org.id);
    }
    out.push('\n');
    for serial in 1..=forms {
        out.push_str(&format!("{serial},"));
        for mark in marks(serial) {
            out.push(',');
            out.push_str(&mark.to_cell(&config.scale));
        }
        out.push('\n');
    }
    out.into_bytes()
}

fn bench(c: &mut Criterion) {
    let config = Config::from_parts(TOML, organizations()).unwrap();
    let forms: Vec<Vec<Mark>> = (0..100_000).map(marks).collect();

    c.bench_function("tally 100k forms x 30 orgs", |b| {
        b.iter(|| {
            let mut tally = Tally::new(ORGS, 4, 0);
            for m in &forms {
                tally.add(m, Milli::ONE, None);
            }
            black_box(tally)
        })
    });

    let mut tally = Tally::new(ORGS, 4, 0);
    for m in &forms {
        tally.add(m, Milli::ONE, None);
    }
    c.bench_function("rank 30 orgs with tiers", |b| {
        b.iter(|| {
            let figures = tallyclerk::scoring::figures(&config, &tally).unwrap();
            black_box(rank(&config, &figures, &[]))
        })
    });

    let csv = ballots_csv(10_000);
    let mut group = c.benchmark_group("store");
    group.sample_size(10);
    group.bench_function("import + tally + results CSV, 10k forms", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                std::fs::write(dir.path().join("meeting.toml"), TOML).unwrap();
                let mut orgs = String::from("id,name\n");
                for o in organizations() {
                    orgs.push_str(&format!("{},{}\n", o.id, o.name));
                }
                std::fs::write(dir.path().join("organizations.csv"), orgs).unwrap();
                dir
            },
            |dir| {
                let mut meeting = Meeting::create_store(dir.path()).unwrap();
                import_bytes(
                    &mut meeting,
                    "bench.csv",
                    &csv,
                    ImportOptions::default(),
                    Source::Import,
                )
                .unwrap();
                let results = meeting.results().unwrap();
                let mut out = Vec::new();
                write_results_csv(
                    &mut out,
                    &meeting,
                    &results,
                    Lang::En,
                    ResultsOptions::default(),
                    true,
                )
                .unwrap();
                black_box(out)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
