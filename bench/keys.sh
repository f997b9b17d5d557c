#!/usr/bin/env bash
# Composite keys against a single key: generation alone (no server, --jobs 1,
# to /dev/null), median of N runs, rows/s from the generator's own timing, for
# the shop's order_items (product_id hot set, quantity, price copied from the
# product) with KEYS_ROWS rows (default 10 M) over KEYS_ROWS / 10 orders,
# keyed three ways:
#   single     id bigint primary key (a sequence) + order_id picked uniformly
#   composite  primary key (order_id, line_no): dist: fanout + child_number
#   clustered  the same, cluster: parent (children stored by order)
# and the ratio of each to `single` (issue: within 10 %). Then the composite
# key's pairs of the whole table, sorted: duplicates must be 0.
#
#   bench/keys.sh                          # build/pgshape, 10 M rows, 3 runs
#   PGSHAPE=build-perf/pgshape KEYS_ROWS=2000000 KEYS_RUNS=5 bench/keys.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${PGSHAPE:-$ROOT/build/pgshape}"
ROWS="${KEYS_ROWS:-10000000}"
RUNS="${KEYS_RUNS:-3}"
DIR="$(mktemp -d "${TMPDIR:-/tmp}/pgshape-keys-XXXXXX")"
trap 'rm -rf "$DIR"' EXIT

profile() {  # $1 name, $2 the table's key lines, $3 its key columns
  cat >"$DIR/$1.yaml" <<YAML
name: keys
scales: { s: $((ROWS / 10)) }
tables:
  products:
    rows: 0.1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
      price: { type: "numeric(10,2)", dist: lognormal, mu: 3.3, sigma: 0.9, min: 0.99, max: 9999 }
  orders:
    rows: 1x
    columns:
      id: { type: bigint, primary_key: true, dist: sequence }
  order_items:
    rows: 10x
$2
    columns:
$3
      product_id: { type: bigint, ref: products.id, dist: hotset, hot: 3, share: 0.6, s: 1.0 }
      quantity: { type: smallint, dist: weighted, values: { 1: 70, 2: 20, 3: 7, 4: 2, 5: 1 } }
      price: { type: "numeric(10,2)", dist: copy, from: product_id.price }
YAML
}
# The shop's order_items, keyed by a sequence or by (order_id, line_no).
profile single "" "      id: { type: bigint, primary_key: true, dist: sequence }
      order_id: { type: bigint, ref: orders.id, dist: uniform }
      line_no: { type: integer, dist: uniform, min: 1, max: 20 }"
FANOUT="      order_id: { type: bigint, ref: orders.id, dist: fanout, values: { 1: 20, 5: 30, 10: 25, 20: 20, 40: 5 } }
      line_no: { type: integer, dist: child_number, of: order_id }"
profile composite "    primary_key: [order_id, line_no]" "$FANOUT"
profile clustered "    primary_key: [order_id, line_no]
    cluster: parent" "$FANOUT"

rate() {  # $1 profile, $2 format: rows/s of one run
  "$BIN" generate "$DIR/$1.yaml" --table order_items --format "$2" --out - --jobs 1 --json -q \
    2>&1 >/dev/null |
    awk '/"rows"/ {gsub(/[^0-9]/, ""); r=$0} /"seconds"/ && !s {gsub(/[^0-9.]/, ""); s=$0}
         END { printf "%.0f\n", r / s }'
}
median() { sort -n | awk '{a[NR]=$1} END {print NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| key | format | rows | median M rows/s | vs single |"
echo "|---|---|---:|---:|---:|"
for format in binary copy; do
  declare -A rates=()
  for ((i = 0; i < RUNS; i++)); do  # interleaved, so drift reaches each alike
    for key in single composite clustered; do rates[$key]+="$(rate "$key" "$format") "; done
  done
  base="$(printf '%s\n' ${rates[single]} | median)"
  for key in single composite clustered; do
    m="$(printf '%s\n' ${rates[$key]} | median)"
    awk -v k="$key" -v f="$format" -v n="$ROWS" -v m="$m" -v b="$base" \
      'BEGIN { printf "| %s | %s | %d | %.2f | %.3f |\n", k, f, n, m / 1e6, m / b }'
  done
  unset rates
done
for key in composite clustered; do
  "$BIN" generate "$DIR/$key.yaml" --table order_items --format copy --out - --jobs 1 -q |
    cut -f1,2 | sort -S 1G | uniq -d | wc -l |
    awk -v k="$key" -v n="$ROWS" '{ printf "%s: %d duplicate (order_id, line_no) pairs in %d rows\n", k, $1, n }'
done
