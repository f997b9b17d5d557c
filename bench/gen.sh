#!/usr/bin/env bash
# Generation alone, no server: one table of a profile, --jobs 1, to /dev/null,
# best and median of N runs per binary and format (rows/s from the generator's
# own timing, so start-up is left out). Compares builds side by side:
#
#   bench/gen.sh                                   # build-perf/pgshape, products x10
#   GEN_BINS="/tmp/pgshape-old build-perf/pgshape" GEN_RUNS=7 bench/gen.sh
#   GEN_TABLE=order_items GEN_SCALE=production GEN_FORMATS="copy binary csv" bench/gen.sh
#   GEN_NO_GIVEN=1 bench/gen.sh    # products without created_at's given: (as before #16.4)
#
# The x10 scale point (3.4 M products) is added to a copy of profiles/shop.yaml
# without its queries, as run.sh does for its 10x run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BINS="${GEN_BINS:-$ROOT/build-perf/pgshape}"
RUNS="${GEN_RUNS:-5}"
TABLE="${GEN_TABLE:-products}"
SCALE="${GEN_SCALE:-x10}"
FORMATS="${GEN_FORMATS:-copy binary}"
PROFILE="$(mktemp "${TMPDIR:-/tmp}/pgshape-gen-XXXXXX.yaml")"
trap 'rm -f "$PROFILE"' EXIT
sed 's/^  production: 340000$/  production: 340000\n  x10: 3400000/' "$ROOT/profiles/shop.yaml" |
  sed '/^queries:/,$d' >"$PROFILE"
if [[ -n "${GEN_NO_GIVEN:-}" ]]; then
  # created_at as it was before it depended on category_id: the column's own dist alone.
  sed -i '/^        given: category_id$/,/^          "601..800"/d' "$PROFILE"
fi

echo "| binary | format | table | scale | best M rows/s | median M rows/s | runs |"
echo "|---|---|---|---|---:|---:|---:|"
# Runs interleave the binaries (A B A B ...), so a drift in the machine's speed
# reaches each binary alike.
rate() {  # $1 binary, $2 format: M rows/s of one run
  "$1" generate "$PROFILE" --scale "$SCALE" --table "$TABLE" --format "$2" \
    --out - --jobs 1 --json -q 2>&1 >/dev/null |
    awk '/"rows"/ {gsub(/[^0-9]/, ""); r=$0} /"seconds"/ && !s {gsub(/[^0-9.]/, ""); s=$0}
         END { printf "%.4f\n", r / s / 1e6 }'
}
for format in $FORMATS; do
  declare -A rates=()
  for ((i = 0; i < RUNS; i++)); do
    for bin in $BINS; do rates[$bin]+="$(rate "$bin" "$format") "; done
  done
  for bin in $BINS; do
    printf '%s\n' ${rates[$bin]} | sort -n | awk -v b="$bin" -v f="$format" -v t="$TABLE" \
      -v s="$SCALE" '{a[NR]=$1} END {
        m = NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2
        printf "| %s | %s | %s | %s | %.2f | %.2f | %d |\n", b, f, t, s, a[NR], m, NR }'
  done
  unset rates
done
