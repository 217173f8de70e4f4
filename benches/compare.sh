#!/usr/bin/env bash
# Import + tally + results export of N generated forms x 30 organizations with tallyclerk,
# against DuckDB reading the same CSV and counting ratings per organization. Prints both wall
# times, the ratio and tallyclerk's peak memory.
#
#   benches/compare.sh [FORMS]        (default 1000000; DuckDB comes from PyPI into target/)
set -euo pipefail
forms=${1:-1000000}
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

now() { date +%s.%N; }
peak=0
measure() { # run a command, remember the peak resident set size in KiB
  /usr/bin/time -f '%M' -o "$work/rss" "$@" >/dev/null 2>"$work/err" || { cat "$work/err"; exit 1; }
  local rss; rss=$(tail -n 1 "$work/rss")
  [ "$rss" -gt "$peak" ] && peak=$rss
  return 0
}

start=$(now)
measure "$bin" import "$work/meeting" "$csv"
measure "$bin" tally "$work/meeting" --format csv
measure "$bin" export "$work/meeting" --results "$work/results.csv"
ours=$(echo "$(now) - $start" | bc)

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
start=$(now)
"$venv/bin/python" "$work/count.py" "$csv" >/dev/null
duck=$(echo "$(now) - $start" | bc)

printf 'tallyclerk import + tally + export: %.2f s, peak memory %d MB\n' "$ours" $((peak / 1024))
printf 'duckdb read + count per organization: %.2f s\n' "$duck"
printf 'ratio tallyclerk / duckdb: %.2f\n' "$(echo "$ours / $duck" | bc -l)"
