//! Benchmarks of the terminal UI and of typed entry: a key event to a rendered frame with
//! 10,000 forms stored, the projector view and the Ballots tab after a change over 100,000
//! forms, the first frame of a meeting of 100,000 forms, and saving one typed form durably.
//!
//! Run with `cargo bench --bench tui`. Figures depend on the machine and its disk.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use tallyclerk::generate::{write_meeting, Spec};
use tallyclerk::import::{import_file, ImportOptions};
use tallyclerk::model::{Ballot, Mark};
use tallyclerk::store::Source;
use tallyclerk::tui::{render, App, Tab};
use tallyclerk::{Lang, Meeting};

/// A generated meeting of `forms` forms x 30 organizations, imported.
fn meeting_with(dir: &Path, forms: u64) {
    let ballots = write_meeting(
        dir,
        Spec {
            forms,
            orgs: 30,
            seed: 7,
            shuffled: false,
        },
    )
    .unwrap();
    let mut meeting = Meeting::create_store(dir).unwrap();
    import_file(&mut meeting, &ballots, ImportOptions::default()).unwrap();
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn bench(c: &mut Criterion) {
    let temp = tempfile::tempdir().unwrap();
    let ten_thousand = temp.path().join("10k");
    meeting_with(&ten_thousand, 10_000);
    let hundred_thousand = temp.path().join("100k");
    meeting_with(&hundred_thousand, 100_000);

    let mut app = App::new(Meeting::open(&ten_thousand).unwrap(), Lang::Zh).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    terminal.draw(|frame| render(&app, frame)).unwrap();
    // On the Entry tab: accept the suggested serial, then type a mark and step back, over and
    // over — each key changes the form, its live counts and its validity.
    app.update(key(KeyCode::Enter));
    let mut typed = false;
    c.bench_function("key to frame, Entry, 10k forms, 120x40", |b| {
        b.iter(|| {
            let code = if typed {
                KeyCode::Backspace
            } else {
                KeyCode::Char('1')
            };
            typed = !typed;
            app.update(key(code));
            terminal.draw(|frame| render(&app, frame)).unwrap();
            black_box(terminal.backend().buffer().area);
        })
    });
    app.go_tab(Tab::Ranking);
    let mut down = true;
    c.bench_function("key to frame, Ranking, 10k forms, 120x40", |b| {
        b.iter(|| {
            app.update(key(if down { KeyCode::Down } else { KeyCode::Up }));
            down = !down;
            terminal.draw(|frame| render(&app, frame)).unwrap();
            black_box(terminal.backend().buffer().area);
        })
    });

    // The projector view over 100,000 forms: reveal a tier and take it back, each drawn at
    // 160x48 (the view regroups the ranking and picks its type size on every frame).
    let mut projector = App::new(Meeting::open(&hundred_thousand).unwrap(), Lang::Zh).unwrap();
    let mut big = Terminal::new(TestBackend::new(160, 48)).unwrap();
    projector.update(key(KeyCode::Char('P')));
    let mut reveal = true;
    c.bench_function("key to frame, projector view, 100k forms, 160x48", |b| {
        b.iter(|| {
            projector.update(key(if reveal {
                KeyCode::Char(' ')
            } else {
                KeyCode::Backspace
            }));
            reveal = !reveal;
            big.draw(|frame| render(&projector, frame)).unwrap();
            black_box(big.backend().buffer().area);
        })
    });

    // The Ballots tab over 100,000 forms. A ballot withdrawn: Enter on the reason prompt
    // saves it (durably) and the screen follows — the counts and the page around the cursor
    // read again — then draws.
    let mut ballots = App::new(Meeting::open(&hundred_thousand).unwrap(), Lang::Zh).unwrap();
    ballots.go_tab(Tab::Ballots);
    ballots.update(key(KeyCode::Char('/')));
    for c in "50000".chars() {
        ballots.update(key(KeyCode::Char(c)));
    }
    ballots.update(key(KeyCode::Enter));
    c.bench_function(
        "key to frame, Ballots, 100k forms, withdraw saved, 120x40",
        |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for _ in 0..iterations {
                    ballots.update(key(KeyCode::Down));
                    ballots.update(key(KeyCode::Char('w')));
                    ballots.update(key(KeyCode::Char('x')));
                    let start = Instant::now();
                    ballots.update(key(KeyCode::Enter));
                    terminal.draw(|frame| render(&ballots, frame)).unwrap();
                    spent += start.elapsed();
                    black_box(terminal.backend().buffer().area);
                }
                spent
            })
        },
    );
    // A form saved at another station: the next key follows the change (everything read
    // again: counts, ranking, the page around the cursor) and draws.
    let mut other = Meeting::open(&hundred_thousand).unwrap();
    let mut next_serial = other.store.max_serial().unwrap();
    let marks = vec![Mark::Option(1); 30];
    c.bench_function(
        "key to frame, Ballots, 100k forms, after a change elsewhere, 120x40",
        |b| {
            b.iter_custom(|iterations| {
                let mut spent = Duration::ZERO;
                for i in 0..iterations {
                    next_serial += 1;
                    let ballot = Ballot {
                        serial: next_serial,
                        group: None,
                        marks: marks.clone(),
                    };
                    other.add(&ballot, Source::Typed).unwrap();
                    let start = Instant::now();
                    ballots.follow_store();
                    ballots.update(key(if i % 2 == 0 {
                        KeyCode::Down
                    } else {
                        KeyCode::Up
                    }));
                    terminal.draw(|frame| render(&ballots, frame)).unwrap();
                    spent += start.elapsed();
                    black_box(terminal.backend().buffer().area);
                }
                spent
            })
        },
    );

    let mut group = c.benchmark_group("open");
    group.sample_size(10);
    group.bench_function("open 100k forms to first frame, 120x40", |b| {
        b.iter(|| {
            let app = App::new(Meeting::open(&hundred_thousand).unwrap(), Lang::Zh).unwrap();
            let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
            terminal.draw(|frame| render(&app, frame)).unwrap();
            black_box(app.counts().collected)
        })
    });
    group.finish();

    let mut meeting = Meeting::open(&ten_thousand).unwrap();
    let mut serial = meeting.store.max_serial().unwrap();
    let marks = vec![Mark::Option(1); 30];
    let mut group = c.benchmark_group("store");
    group.sample_size(50);
    group.bench_function("save one typed form durably", |b| {
        b.iter_batched(
            || {
                serial += 1;
                Ballot {
                    serial,
                    group: None,
                    marks: marks.clone(),
                }
            },
            |ballot| meeting.store.add(&ballot, Source::Typed).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
