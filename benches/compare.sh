#!/usr/bin/env bash
# Import + tally + results export of N generated forms x 30 organizations with tallyclerk,
# against DuckDB reading the same CSV and counting ratings per organization, for two files:
# serials 1 to N in order, and serials with gaps in shuffled order (stacks scanned in any
# order). Each side runs RUNS times per file (each tallyclerk run into a new meeting); prints
# a table of the median wall times, their ratio and tallyclerk's peak memory.
#
#   benches/compare.sh [FORMS] [RUNS]   (default 1000000 3; DuckDB comes from PyPI into target/)
set -euo pipefail
forms=${1:-1000000}
runs=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin=$root/target/release/tallyclerk
venv=$root/target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import duckdb' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet duckdb
fi

cat > "$work/count.py" <<'PY'
import sys, duckdb
con = duckdb.connect()
rows = con.execute("""
    WITH b AS (SELECT * FROM read_csv(?, header = true, all_varchar = true))
    SELECT org, rating, count(*) FROM (
        UNPIVOT b ON COLUMNS(* EXCLUDE (serial, "group")) INTO NAME org VALUE rating
    ) GROUP BY ALL
""", [sys.argv[1]]).fetchall()
print(len(rows))
PY

now() { date +%s.%N; }
measure() { # run a command, remember the peak resident set size in KiB
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  local rss; rss=$(tail -n 1 "$work/rss")
  [ "$rss" -gt "$peak" ] && peak=$rss
  return 0
}
median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

echo "$forms forms x 30 organizations; median of $runs runs; $(nproc) cores"
printf '%-10s %6s %12s %10s %7s %9s\n' order MB tallyclerk duckdb ratio peak_MB
for order in in-order shuffled; do
  meeting=$work/$order
  flags=()
  [ "$order" = shuffled ] && flags=(--shuffled)
  "$bin" gen "$meeting" --forms "$forms" --orgs 30 --seed 1 "${flags[@]}" >/dev/null
  csv=$meeting/ballots.csv
  # Neither side should pay for the generator's file still being written back to disk.
  sync
  peak=0
  rm -f "$work/ours" "$work/duck"
  for run in $(seq "$runs"); do
    rm -f "$meeting/meeting.db" "$meeting/meeting.db-wal" "$meeting/meeting.db-shm"
    "$bin" new "$meeting" >/dev/null
    start=$(now)
    measure "$bin" import "$meeting" "$csv"
    measure "$bin" tally "$meeting" --format csv
    measure "$bin" export "$meeting" --results "$work/results.csv"
    echo "$(now) - $start" | bc >> "$work/ours"
    start=$(now)
    "$venv/bin/python" "$work/count.py" "$csv" >/dev/null
    echo "$(now) - $start" | bc >> "$work/duck"
  done
  ours=$(median < "$work/ours")
  duck=$(median < "$work/duck")
  printf '%-10s %6s %10.2f s %8.2f s %7.2f %9d\n' "$order" "$(du -m "$csv" | cut -f1)" \
    "$ours" "$duck" "$(echo "$ours / $duck" | bc -l)" $((peak / 1024))
  rm -rf "$meeting"
done
