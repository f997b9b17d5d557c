#!/usr/bin/env bash
# A partitioned table's load: every leaf COPY FREEZE'd on its own (pgshape
# routes the rows; this branch) against one COPY through the parent
# (PostgreSQL routes, no FREEZE; the binary before it), the same command on the
# same throwaway server, interleaved, median of PART_REPS runs. Prints the
# load's wall time and the first VACUUM's after it (a leaf written frozen has
# nothing left for it to do; rows through the parent are all still to be
# marked visible and frozen), and the ratios after / before.
#
#   PGSHAPE=build/pgshape BEFORE=build-before/pgshape bench/partitions.sh
#   PART_ROWS=2000000 PART_REPS=3 PART_JOBS=2 (the defaults)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
AFTER="${PGSHAPE:-$ROOT/build/pgshape}"
BEFORE="${BEFORE:?set BEFORE to a pgshape built without leaf routing}"
ROWS="${PART_ROWS:-2000000}"
REPS="${PART_REPS:-3}"
JOBS="${PART_JOBS:-2}"

source "$ROOT/scripts/test.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgshape-parts-XXXXXX")"
cleanup() {
  stop_test_server
  rm -rf "$WORK"
}
start_test_server >&2
trap cleanup EXIT
DSN="$PGSHAPE_TEST_DSN"

# Monthly RANGE leaves of 2024 and a DEFAULT, a time column that grows with
# the ids (recent leaves hold more rows, as in production), five columns.
{
  cat <<YAML
name: parts_bench
seed: 7
scales: { s: $ROWS }
tables:
  events:
    rows: 1x
    partition_by: "RANGE (created_at)"
    partitions:
YAML
  for m in $(seq 1 12); do
    next=$((m + 1)); year=2024
    [[ $next == 13 ]] && next=1 && year=2025
    printf '      - {name: events_%02d, bound: "FOR VALUES FROM (%s) TO (%s)"}\n' "$m" \
      "'2024-$(printf %02d "$m")-01 00:00:00+00'" "'$year-$(printf %02d "$next")-01 00:00:00+00'"
  done
  cat <<YAML
      - {name: events_later, bound: DEFAULT}
    columns:
      id: { type: bigint, dist: sequence }
      created_at: { type: timestamptz, dist: timeline, min: "2024-01-01", max: "2025-02-01", jitter: 0.01 }
      user_id: { type: integer, dist: zipf, s: 0.9, n: 100000, start: 1 }
      kind: { type: text, dist: weighted, values: { view: 70, click: 25, buy: 5 } }
      amount: { type: "numeric(10,2)", dist: lognormal, mu: 3, sigma: 1, min: 0.01, max: 99999 }
YAML
} >"$WORK/parts.yaml"

run() {  # $1 binary: prints "load_seconds vacuum_seconds"
  sync
  local t0 t1 t2
  t0=$(date +%s.%N)
  "$1" load "$WORK/parts.yaml" --dsn "$DSN" --schema parts_bench --jobs "$JOBS" --force -q \
    >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; exit 1; }
  t1=$(date +%s.%N)
  psql "$DSN" -X -q -c "VACUUM parts_bench.events" >/dev/null
  t2=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.2f %.2f\n", b - a, c - b }'
}
median() { sort -n | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A load=() vacuum=()
for ((i = 0; i < REPS; i++)); do
  for which in before after; do
    bin="$BEFORE"; [[ $which == after ]] && bin="$AFTER"
    read -r l v < <(run "$bin")
    load[$which]+="$l "; vacuum[$which]+="$v "
  done
done
echo "| $ROWS rows, 13 leaves, --jobs $JOBS | load s (median of $REPS) | first VACUUM s |"
echo "|---|---:|---:|"
for which in before after; do
  echo "| $which | $(printf '%s\n' ${load[$which]} | median) | $(printf '%s\n' ${vacuum[$which]} | median) |"
done
lb=$(printf '%s\n' ${load[before]} | median); la=$(printf '%s\n' ${load[after]} | median)
vb=$(printf '%s\n' ${vacuum[before]} | median); va=$(printf '%s\n' ${vacuum[after]} | median)
awk -v lb="$lb" -v la="$la" -v vb="$vb" -v va="$va" \
  'BEGIN { printf "| after / before | %.3f | %.3f |\n", la / lb, (vb > 0 ? va / vb : 0) }'
