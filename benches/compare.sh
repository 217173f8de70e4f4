#!/usr/bin/env bash
# Import + tally + results export of N generated forms x 30 organizations with tallyclerk,
# against DuckDB reading the same CSV and counting ratings per organization. Each side runs
# RUNS times (each tallyclerk run into a new meeting); prints the median wall times, their
# ratio and tallyclerk's peak memory.
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

"$bin" gen "$work/meeting" --forms "$forms" --orgs 30 --seed 1 >/dev/null
csv=$work/meeting/ballots.csv
echo "file: $forms forms x 30 organizations, $(du -m "$csv" | cut -f1) MB"
# Neither side should pay for the generator's file still being written back to disk.
sync

now() { date +%s.%N; }
peak=0
measure() { # run a command, remember the peak resident set size in KiB
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  local rss; rss=$(tail -n 1 "$work/rss")
  [ "$rss" -gt "$peak" ] && peak=$rss
  return 0
}

median() { sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }

for run in $(seq "$runs"); do
  rm -f "$work/meeting/meeting.db" "$work/meeting/meeting.db-wal" "$work/meeting/meeting.db-shm"
  "$bin" new "$work/meeting" >/dev/null
  start=$(now)
  measure "$bin" import "$work/meeting" "$csv"
  measure "$bin" tally "$work/meeting" --format csv
  measure "$bin" export "$work/meeting" --results "$work/results.csv"
  echo "$(now) - $start" | bc >> "$work/ours"
done
ours=$(median < "$work/ours")

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
for run in $(seq "$runs"); do
  start=$(now)
  "$venv/bin/python" "$work/count.py" "$csv" >/dev/null
  echo "$(now) - $start" | bc >> "$work/duck"
done
duck=$(median < "$work/duck")

printf 'tallyclerk import + tally + export: %.2f s (median of %d), peak memory %d MB\n' "$ours" "$runs" $((peak / 1024))
printf 'duckdb read + count per organization: %.2f s (median of %d)\n' "$duck" "$runs"
printf 'ratio tallyclerk / duckdb: %.2f\n' "$(echo "$ours / $duck" | bc -l)"
