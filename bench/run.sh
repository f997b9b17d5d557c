#!/usr/bin/env bash
# pgshape against its ceiling and against pgbench -i, interleaved, on a server
# this script starts itself (scripts/test.sh's throwaway server: the same
# settings as the embedded server, see bench/README.md).
#
#   bench/run.sh                  # production scale x3 reps, then 10x once
#   BENCH_REPS=5 BENCH_X10=0 bench/run.sh
#
# For each repetition, one after another on the same server:
#   (a) load     pgshape load profiles/shop.yaml --scale production
#   (b) ceiling  psql \copy of `pgshape generate --format copy` files (generated
#                beforehand, not timed) into empty tables, two psql sessions
#                like load's two jobs, COPY FREEZE, then the same keys, indexes
#                and ANALYZE (`pgshape load --finish`)
#   (c) pgbench  pgbench -i at the nearest scale to the same row count
#   (d) load of pgbench's own tables (bench/pgbench.yaml) at that scale: the
#                same work as (c), so the like-for-like end-to-end ratio
# and prints median wall time, rows/s, heap MB/s, peak RSS of the client and
# the ratios. Then generation alone (bench/gen.sh: products x10, one core,
# to /dev/null, best and median of 5).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PGSHAPE="${PGSHAPE:-$ROOT/build-perf/pgshape}"
REPS="${BENCH_REPS:-3}"
X10="${BENCH_X10:-1}"
JOBS="${BENCH_JOBS:-2}"
[[ -x "$PGSHAPE" ]] || { echo "no pgshape at $PGSHAPE (set PGSHAPE=...)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }

# shellcheck source=../scripts/test.sh
source "$ROOT/scripts/test.sh"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/pgshape-bench-XXXXXX")"
PROFILE_X10="$ROOT/bench/.shop-x10.yaml"  # beside profiles/: its sql/ paths resolve the same
cleanup() {
  stop_test_server
  rm -rf "$WORK" "$PROFILE_X10"
}
start_test_server >&2
trap cleanup EXIT
DSN="$PGSHAPE_TEST_DSN"
psql_() { psql "$DSN" -X -q -v ON_ERROR_STOP=1 "$@"; }

# $1 = label, rest = command. Prints "wall_seconds max_rss_kib" for the command.
timed() {
  local label="$1"
  shift
  # fsync is off: without this, the previous run's dirty pages are written
  # back during the next run and bill it for them.
  sync
  /usr/bin/time -f '%e %M' -o "$WORK/time.$label" "$@" >"$WORK/out.$label" 2>"$WORK/err.$label" || {
    cat "$WORK/err.$label" >&2
    echo "$label failed" >&2
    return 1
  }
  cat "$WORK/time.$label"
}

heap_mb() {  # heap + TOAST of every table in schema $1, MB
  psql_ -At -c "SELECT round(sum(pg_table_size(c.oid)) / 1e6, 1) FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = '$1' AND c.relkind = 'r'"
}

# The ceiling's COPY: tables split over two psql sessions (largest first,
# greedily), each table in its own transaction with TRUNCATE + COPY FREEZE.
ceiling_copy() {  # $1 profile, $2 scale, $3 schema, $4 files dir
  local profile="$1" scale="$2" schema="$3" dir="$4"
  "$PGSHAPE" load "$profile" --scale "$scale" --schema "$schema" --prepare --dsn "$DSN" -q
  local -a sessions=("" "")
  local -a load=(0 0)
  local table size
  while read -r size table; do
    local s=0
    ((load[1] < load[0])) && s=1
    load[s]=$((load[s] + size))
    sessions[s]+="BEGIN; TRUNCATE \"$schema\".\"$table\";
\\copy \"$schema\".\"$table\" FROM '$dir/$table.copy' WITH (FREEZE)
COMMIT;
"
  done < <(for f in "$dir"/*.copy; do echo "$(stat -c %s "$f") $(basename "$f" .copy)"; done |
    sort -rn)
  printf '%s' "${sessions[0]}" >"$WORK/s0.sql"
  printf '%s' "${sessions[1]}" >"$WORK/s1.sql"
  psql_ -f "$WORK/s0.sql" &
  local p0=$!
  psql_ -f "$WORK/s1.sql"
  wait "$p0"
  "$PGSHAPE" load "$profile" --scale "$scale" --schema "$schema" --finish --dsn "$DSN" -q
}
export -f ceiling_copy psql_
export PGSHAPE DSN WORK

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# $1 profile, $2 scale, $3 reps, $4 label
bench_scale() {
  local profile="$1" scale="$2" reps="$3" label="$4"
  local dir="$WORK/files-$label"
  echo "== $label: generating the ceiling's files" >&2
  "$PGSHAPE" generate "$profile" --scale "$scale" --format copy --out "$dir" --jobs "$JOBS" -q
  local rows file_mb
  rows="$("$PGSHAPE" generate "$profile" --scale "$scale" --format copy --out - --json -q \
    2>&1 >/dev/null | sed -n 's/.*"rows": \([0-9]*\).*/\1/p' | paste -sd+ | bc)" || rows=0
  file_mb="$(du -sm "$dir" | cut -f1)"
  local pgbench_scale=$(((rows + 50000) / 100000))
  : >"$WORK/a.$label" >"$WORK/b.$label" >"$WORK/c.$label" >"$WORK/d.$label"
  local pgbench_profile="$WORK/pgbench-$label.yaml"
  awk -v s="$pgbench_scale" '{ print } /^scales:$/ && s != 47 { printf "  s%d: %d\n", s, s }' \
    "$ROOT/bench/pgbench.yaml" >"$pgbench_profile"
  for ((i = 1; i <= reps; i++)); do
    echo "== $label rep $i/$reps: load" >&2
    read -r wall rss < <(timed load "$PGSHAPE" load "$profile" --scale "$scale" \
      --schema bench_load --jobs "$JOBS" --dsn "$DSN" --force --json)
    local copy_s
    copy_s="$(sed -n 's/^ *"copy_seconds": \([0-9.e+-]*\),*$/\1/p' "$WORK/out.load")"
    echo "$wall $rss $(heap_mb bench_load) ${copy_s:-0}" >>"$WORK/a.$label"
    echo "== $label rep $i/$reps: ceiling" >&2
    psql_ -c "DROP SCHEMA IF EXISTS bench_ceiling CASCADE"
    read -r wall rss < <(timed ceiling bash -c "ceiling_copy '$profile' '$scale' bench_ceiling '$dir'")
    echo "$wall $rss $(heap_mb bench_ceiling)" >>"$WORK/b.$label"
    psql_ -c "DROP SCHEMA IF EXISTS bench_ceiling CASCADE"
    echo "== $label rep $i/$reps: pgbench -i -s $pgbench_scale" >&2
    read -r wall rss < <(timed pgbench pgbench -i -q -s "$pgbench_scale" "$DSN")
    local generate_s  # "done in 6.49 s (..., client-side generate 4.10 s, vacuum ...)"
    generate_s="$(sed -n 's/.*client-side generate \([0-9.]*\) s.*/\1/p' "$WORK/err.pgbench")"
    echo "$wall $rss $(heap_mb public) ${generate_s:-0}" >>"$WORK/c.$label"
    psql_ -c "DROP TABLE IF EXISTS pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history"
    echo "== $label rep $i/$reps: load of pgbench's tables" >&2
    read -r wall rss < <(timed pgbench_like "$PGSHAPE" load "$pgbench_profile" \
      --scale "s$pgbench_scale" --schema bench_pgbench --jobs "$JOBS" --dsn "$DSN" --force -q)
    echo "$wall $rss $(heap_mb bench_pgbench)" >>"$WORK/d.$label"
    psql_ -c "DROP SCHEMA IF EXISTS bench_pgbench CASCADE"
  done
  psql_ -c "DROP SCHEMA IF EXISTS bench_load CASCADE"
  local a b c d
  a="$(cut -d' ' -f1 "$WORK/a.$label" | median)"
  d="$(cut -d' ' -f1 "$WORK/d.$label" | median)"
  b="$(cut -d' ' -f1 "$WORK/b.$label" | median)"
  c="$(cut -d' ' -f1 "$WORK/c.$label" | median)"
  local pgbench_rows=$((pgbench_scale * 100000 + pgbench_scale * 10 + pgbench_scale))
  local -A r=([a]="$rows" [b]="$rows" [c]="$pgbench_rows" [d]="$pgbench_rows")
  local -A w=([a]="$a" [b]="$b" [c]="$c" [d]="$d")
  local -A name=([a]="pgshape load" [b]="ceiling (\\copy + same indexes)" [c]="pgbench -i -s $pgbench_scale"
    [d]="pgshape load of pgbench's tables (same work as pgbench -i)")
  echo
  echo "### $label: $rows rows ($file_mb MB as COPY text), median of $reps, --jobs $JOBS"
  echo
  echo "| run | median wall s | runs (s) | rows/s | heap MB/s | peak RSS MiB (client) |"
  echo "|---|---:|---|---:|---:|---:|"
  for k in a b c d; do
    local runs rss heap
    runs="$(cut -d' ' -f1 "$WORK/$k.$label" | paste -sd' ')"
    rss="$(cut -d' ' -f2 "$WORK/$k.$label" | sort -n | tail -n 1)"
    heap="$(cut -d' ' -f3 "$WORK/$k.$label" | median)"
    awk -v n="${name[$k]}" -v w="${w[$k]}" -v runs="$runs" -v r="${r[$k]}" -v h="$heap" \
      -v rss="$rss" 'BEGIN { printf "| %s | %.2f | %s | %.0f | %.1f | %.1f |\n",
        n, w, runs, r / w, h / w, rss / 1024 }'
  done
  local copy_a generate_c
  copy_a="$(cut -d' ' -f4 "$WORK/a.$label" | median)"
  generate_c="$(cut -d' ' -f4 "$WORK/c.$label" | median)"
  awk -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v ra="$rows" -v rc="$pgbench_rows" -v ca="$copy_a" \
    -v gc="$generate_c" 'BEGIN {
    printf "\nload/ceiling wall time: %.2f x (target <= 1.0)\n", a / b
    printf "load/pgbench rows/s:    %.2f x (target >= 1.0; the shop builds 13 indexes and 4 foreign keys, pgbench 3 primary keys)\n", (ra / a) / (rc / c)
    printf "same work, pgbench'"'"'s tables: load/pgbench rows/s %.2f x\n", c / d
    if (ca > 0 && gc > 0)
      printf "data phase alone (pgshape COPY %.2f s, %.0f rows/s; pgbench client-side generate %.2f s, %.0f rows/s): %.2f x\n",
        ca, ra / ca, gc, rc / gc, (ra / ca) / (rc / gc) }'
}

if [[ "$X10" == 1 ]]; then
  sed 's/^  production: 340000$/  production: 340000\n  x10: 3400000/' "$ROOT/profiles/shop.yaml" \
    >"$PROFILE_X10"
fi

bench_scale "$ROOT/profiles/shop.yaml" production "$REPS" production

echo
echo "### generation alone: products, --jobs 1, to /dev/null (target >= 5 M rows/s on one core)"
# 3.4 M rows per run (340 K finish in ~70 ms, within the host's jitter), after
# the loads' dirty pages are written back, so that no writeback shares the core.
sync
GEN_BINS="$PGSHAPE" GEN_RUNS="${BENCH_GEN_RUNS:-5}" "$ROOT/bench/gen.sh"
echo

if [[ "$X10" == 1 ]]; then
  bench_scale "$PROFILE_X10" x10 1 x10
fi
