#!/usr/bin/env bash
# Mutation testing of the pure rules files (listed in .cargo/mutants.toml) against the
# library's unit tests. Extra arguments go to cargo-mutants, e.g. `-e src/ranking.rs` to leave
# a file out, `-F 'Milli::parse'` for some mutants only, or `-j 2` on a machine with cores to
# spare.
#
#   benches/mutants.sh [CARGO-MUTANTS ARGS...]
#
# Needs cargo-mutants: `cargo install cargo-mutants --locked`. The report is written into the
# build folder, as mutants.out/ (outcomes.json, caught.txt, missed.txt, timeout.txt, unviable.txt).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# One job at a low priority by default (each mutant is a build and a test run); `-j N` or
# CARGO_MUTANTS_JOBS overrides it.
export CARGO_MUTANTS_JOBS=${CARGO_MUTANTS_JOBS:-1}
exec nice -n 10 cargo mutants --output target "$@"
