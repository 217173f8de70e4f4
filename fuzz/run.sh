#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600). Each starts from the short corpus
# committed in corpus/<target> and works in target/corpus/<target>, so the committed corpus
# stays short. Needs cargo-fuzz (`cargo install cargo-fuzz`); RUSTC_BOOTSTRAP lets the stable
# toolchain take the sanitizer flags cargo-fuzz passes.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
export RUSTC_BOOTSTRAP=1
for target in $(cargo fuzz list); do
  work="target/corpus/$target"
  mkdir -p "$work"
  echo "== $target for ${seconds}s"
  cargo fuzz run -O "$target" "$work" "corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 2>&1 \
    | grep -E "^(Done|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)|Test unit written" || true
done
