#!/usr/bin/env bash
# pgshape workload driver: runs this folder's pgbench scripts as a staged
# arrival-rate load test (the campaign burst in stages.tsv) against a database
# that `pgshape load` filled with the same profile, scale and seed, and prints
# latency percentiles per stage. Written by `pgshape workload`.
#
#   ./run.sh [options]
#     --dsn URI          the database (default: $DATABASE_URL, else libpq's PG* variables)
#     --factor F         scale every stage's duration and rate by F (e.g. 0.05 on a laptop)
#     --time-factor F    scale durations only
#     --rate-factor F    scale arrival rates only
#     --clients N        pgbench connections (default 16)
#     --threads N        pgbench threads (default 2)
#     --mix M            transactions (default when the profile has any), queries, all,
#                        or script names separated by commas
#     --stages FILE      stages to run instead of stages.tsv (same columns)
#     --logs DIR         where pgbench's per-transaction logs go (default runs/<time>)
#     --keep-params      leave the parameter tables in the database afterwards
#
# Each stage runs pgbench -R (its own Poisson arrival-rate limiter; a ramp is a
# series of steps), so a latency is measured from the transaction's scheduled
# start and includes any time it waited for a free connection. Exit status:
# 0 done, 1 the database or pgbench failed, 2 bad options.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"
# shellcheck source=/dev/null
. ./workload.conf

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() {
  echo "run.sh: $1" >&2
  exit "${2:-1}"
}
positive() { awk -v x="$1" 'BEGIN { exit !(x ~ /^[0-9]*\.?[0-9]+([eE][-+]?[0-9]+)?$/ && x + 0 > 0) }'; }
need_value() { [[ $# -ge 2 && -n "$2" ]] || die "$1 needs a value" 2; }

dsn="${DATABASE_URL:-}"
time_factor=1 rate_factor=1 clients=16 threads=2 mix="" stages_file=stages.tsv logs=""
keep_params=0
while (($#)); do
  case "$1" in
  --dsn | --factor | --time-factor | --rate-factor | --clients | --threads | --mix | --stages | --logs)
    need_value "$@"
    opt="$1" value="$2"
    shift 2
    ;;
  --*=*)
    opt="${1%%=*}" value="${1#*=}"
    shift
    ;;
  --keep-params)
    keep_params=1
    shift
    continue
    ;;
  -h | --help)
    usage
    exit 0
    ;;
  *) die "unknown option '$1' (see --help)" 2 ;;
  esac
  case "$opt" in
  --dsn) dsn="$value" ;;
  --factor) time_factor="$value" rate_factor="$value" ;;
  --time-factor) time_factor="$value" ;;
  --rate-factor) rate_factor="$value" ;;
  --clients) clients="$value" ;;
  --threads) threads="$value" ;;
  --mix) mix="$value" ;;
  --stages) stages_file="$value" ;;
  --logs) logs="$value" ;;
  *) die "unknown option '$opt' (see --help)" 2 ;;
  esac
done
for f in "$time_factor" "$rate_factor"; do
  positive "$f" || die "a factor must be a positive number, not '$f'" 2
done
[[ "$clients" =~ ^[1-9][0-9]*$ ]] || die "--clients must be a positive integer" 2
[[ "$threads" =~ ^[1-9][0-9]*$ ]] || die "--threads must be a positive integer" 2
((threads <= clients)) || threads=$clients
[[ -r "$stages_file" ]] || die "cannot read stages file '$stages_file'" 2
for tool in pgbench psql; do
  command -v "$tool" >/dev/null ||
    die "$tool not found on PATH (Debian: pgbench comes with postgresql-15, psql with postgresql-client-15)"
done

# The scripts' queries name tables without a schema, as the application does.
export PGOPTIONS="$SEARCH_PATH_OPTION${PGOPTIONS:+ $PGOPTIONS}"
conn=()
[[ -z "$dsn" ]] || conn=("$dsn")
run_psql() {
  if [[ -n "$dsn" ]]; then
    psql -X -q -v ON_ERROR_STOP=1 -d "$dsn" "$@"
  else
    psql -X -q -v ON_ERROR_STOP=1 "$@"
  fi
}

# --- the mix: pgbench -f script@weight --------------------------------------
has_transactions=0
grep -q $'\ttransaction\t' scripts.tsv && has_transactions=1
[[ -n "$mix" ]] || mix=$([[ $has_transactions == 1 ]] && echo transactions || echo queries)
scripts=() names=() weights=()
while IFS=$'\t' read -r stem kind weight name; do
  [[ -z "$stem" || "$stem" == \#* ]] && continue
  case "$mix" in
  transactions) [[ "$kind" == transaction ]] || continue ;;
  queries) [[ "$kind" == query ]] || continue ;;
  all) ;;
  *) [[ ",$mix," == *",$stem,"* || ",$mix," == *",$name,"* ]] || continue ;;
  esac
  scripts+=("scripts/$stem.sql") names+=("$name") weights+=("$weight")
done <scripts.tsv
if ((${#scripts[@]} == 0)); then
  die "--mix '$mix' selects no script; scripts: $(grep -v '^#' scripts.tsv | cut -f1 | paste -sd, -)" 2
fi
if [[ "$mix" != transactions && "$mix" != queries && "$mix" != all ]]; then
  IFS=',' read -ra wanted <<<"$mix"
  for w in "${wanted[@]}"; do
    awk -F'\t' -v w="$w" '$1 == w || $4 == w { found = 1 } END { exit !found }' scripts.tsv ||
      die "--mix: no script '$w'; scripts: $(grep -v '^#' scripts.tsv | cut -f1 | paste -sd, -)" 2
  done
fi
fargs=()
for i in "${!scripts[@]}"; do fargs+=(-f "${scripts[$i]}@${weights[$i]}"); done

# --- the stages, scaled, as pgbench steps: stage step rate seconds -----------
steps="$(awk -v tf="$time_factor" -v rf="$rate_factor" '
  /^[[:space:]]*(#|$)/ { next }
  NF != 4 || $1 !~ /^[A-Za-z0-9_-]+$/ || $2 !~ /^[0-9.]+$/ || $3 !~ /^[0-9.]+$/ || $4 !~ /^[0-9.]+$/ {
    printf "%s:%d: expected: stage-name from_tx_per_s to_tx_per_s seconds\n", FILENAME, FNR > "/dev/stderr"
    bad = 1; exit
  }
  {
    total = int($4 * tf + 0.5); if (total < 1) total = 1
    k = ($2 == $3) ? 1 : (total < 10 ? total : 10)
    base = int(total / k); extra = total - base * k
    for (j = 0; j < k; j++) {
      rate = ($2 + ($3 - $2) * (j + 0.5) / k) * rf
      if (rate < 0.01) rate = 0.01
      printf "%s %d %.3f %d\n", $1, j, rate, base + (j < extra ? 1 : 0)
    }
  }
  END { exit bad }' "$stages_file")" || die "bad stages file '$stages_file'" 2
[[ -n "$steps" ]] || die "stages file '$stages_file' has no stages" 2

logs="${logs:-runs/$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$logs"
logs="$(cd "$logs" && pwd)"

# --- parameters into the database --------------------------------------------
cleanup() { [[ $keep_params == 1 ]] || run_psql -f teardown.sql >/dev/null 2>&1 || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "pgshape workload: profile $PROFILE, scale $SCALE, seed $SEED, schema $DATA_SCHEMA"
run_psql -f setup.sql || die "could not load the parameter tables (setup.sql)"
missing="$(run_psql -At -F $'\t' -f checks.sql)" || die "could not check the parameters (checks.sql)"
bad="$(awk -F'\t' '$3 > 0' <<<"$missing")"
if [[ -n "$bad" ]]; then
  while IFS=$'\t' read -r script source count; do
    echo "run.sh: $count of $PARAM_ROWS values of $source ($script) are not in the database" >&2
  done <<<"$bad"
  die "was it loaded with this profile at scale $SCALE and seed $SEED? (pgshape load PROFILE --scale $SCALE --seed $SEED)"
fi
mix_text=""
for i in "${!names[@]}"; do mix_text+="${mix_text:+, }${names[$i]}@${weights[$i]}"; done
echo "mix: $mix_text; $clients clients, $threads threads; factors: time $time_factor, rate $rate_factor"
echo "logs: $logs"

# --- run ---------------------------------------------------------------------
while read -r stage step rate seconds; do
  printf '  %-14s step %-2s %9s tx/s for %3s s\n' "$stage" "$step" "$rate" "$seconds"
  if ! pgbench -n -M prepared -c "$clients" -j "$threads" -R "$rate" -T "$seconds" \
    -l --log-prefix="$logs/tx.$stage.$step" "${fargs[@]}" "${conn[@]}" \
    >"$logs/pgbench.$stage.$step.txt" 2>&1; then
    tail -n 15 "$logs/pgbench.$stage.$step.txt" >&2
    die "pgbench failed in stage $stage (its output: $logs/pgbench.$stage.$step.txt)"
  fi
done <<<"$steps"

# --- latency percentiles per stage (nearest rank, from the per-transaction logs)
summary="$logs/summary.tsv"
printf 'stage\tfrom_tx_per_s\tto_tx_per_s\tseconds\ttransactions\ttx_per_s\tp50_ms\tp95_ms\tp99_ms\tmax_ms\n' >"$summary"
stage_names="$(awk '!seen[$1]++ { print $1 }' <<<"$steps")"
while read -r stage; do
  seconds="$(awk -v s="$stage" '$1 == s { t += $4 } END { print t }' <<<"$steps")"
  rates="$(awk -v s="$stage" -v rf="$rate_factor" '
    /^[[:space:]]*(#|$)/ { next } $1 == s { printf "%g\t%g", $2 * rf, $3 * rf; exit }' "$stages_file")"
  find "$logs" -maxdepth 1 -name "tx.$stage.*" -type f -exec cat {} + |
    awk '$3 ~ /^[0-9]+$/ { print $3 / 1000 }' | sort -g >"$logs/latencies.$stage"
  awk -v stage="$stage" -v rates="$rates" -v secs="$seconds" '
    { v[NR] = $1 }
    function rank(p,   i) { i = int(p * NR); if (i < p * NR) i++; if (i < 1) i = 1; return v[i] }
    END {
      if (NR == 0) { printf "%s\t%s\t%s\t0\t0\t-\t-\t-\t-\n", stage, rates, secs; exit }
      printf "%s\t%s\t%s\t%d\t%.1f\t%.2f\t%.2f\t%.2f\t%.2f\n", stage, rates, secs, NR, NR / secs,
             rank(0.50), rank(0.95), rank(0.99), v[NR]
    }' "$logs/latencies.$stage" >>"$summary"
done <<<"$stage_names"

echo
awk -F'\t' '
  NR == 1 { printf "%-14s %17s %6s %8s %8s %9s %9s %9s %9s\n", "stage", "target tx/s", "secs",
            "tx", "tx/s", "p50 ms", "p95 ms", "p99 ms", "max ms"; next }
  { target = ($2 == $3) ? $2 : $2 " -> " $3
    printf "%-14s %17s %6s %8s %8s %9s %9s %9s %9s\n", $1, target, $4, $5, $6, $7, $8, $9, $10 }
' "$summary"
echo
echo "per-transaction logs and summary.tsv: $logs"
