#!/usr/bin/env bash
# Composite keys against a single key, for the shop's order_items
# (product_id hot set, quantity, price copied from the product) with
# KEYS_ROWS rows (default 10 M) over KEYS_ROWS / 10 orders, keyed three ways:
#   single     id bigint primary key (a sequence) + order_id picked uniformly
#   composite  primary key (order_id, line_no): dist: fanout + child_number
#   clustered  the same, cluster: parent (children stored by order)
# and for a stock table of the same rows whose key is two skewed columns,
# neither a foreign key nor unique (built by pairing, pgshape/pairs.hpp):
#   pair_single  id bigint primary key; store (zipf over 2,000) and sku
#                (zipf over 4 x rows, s 0.5) plain columns
#   pairs        the same columns, primary key (store, sku)
#   pair_shuffled  id bigint primary key whose values come in random order
#                (uniform over 1..rows, unique): a sequence arrives sorted, so
#                its index build skips the sort any random key (the pair's
#                included, and production's) pays; this one is the fair
#                single-key equivalent of the pair's load
#   pair_indexed  pair_single plus a plain index on (store, sku): the server
#                builds the same two-column index the pair key needs, so the
#                ratio of pairs to it is pgshape's own cost of pairing
#   pairs_dense  pairs with sku zipf s 0.1 over 1.2 x rows: nearly every rank
#                gets a row or two, so no tail rule applies (memory: the head)
#   pairs_clustered  pairs with cluster: store (rows stored along the key)
# Each composite key's ratio to its single-key table (issue: within 10 %);
# pairs also against pair_shuffled and pair_indexed.
#
# KEYS_MODE=generate (default): generation alone (no server, --jobs 1, to
# /dev/null), median of KEYS_RUNS runs, rows/s from the generator's own
# timing; then each composite key's pairs of the whole table, sorted:
# duplicates must be 0.
# KEYS_MODE=load: `pgshape load` of the table (COPY, keys, ANALYZE) into
# KEYS_DSN (else an embedded server started once, --keep, and stopped at the
# end), median wall seconds of KEYS_RUNS runs and the peak RSS of pgshape
# (/usr/bin/time -v), each against its single-key table.
#
#   bench/keys.sh                          # build/pgshape, 10 M rows, 3 runs
#   PGSHAPE=build-perf/pgshape KEYS_ROWS=2000000 KEYS_RUNS=5 bench/keys.sh
#   KEYS_MODE=load KEYS_ROWS=2000000 bench/keys.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${PGSHAPE:-$ROOT/build/pgshape}"
ROWS="${KEYS_ROWS:-10000000}"
RUNS="${KEYS_RUNS:-3}"
MODE="${KEYS_MODE:-generate}"
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

# A stock table keyed by two skewed value columns, or by a sequence beside them.
stock() {  # $1 name, $2 the table's key lines, $3 the id column's options[, $4 sku's dist]
  local sku="${4:-dist: zipf, n: $((ROWS * 4)), s: 0.5}"
  cat >"$DIR/$1.yaml" <<YAML
name: keys
scales: { s: $((ROWS / 10)) }
tables:
  stock:
    rows: 10x
$2
    columns:
      id: { type: bigint, $3 }
      store: { type: integer, dist: zipf, n: 2000, s: 1.0 }
      sku: { type: bigint, $sku }
      quantity: { type: smallint, dist: weighted, values: { 1: 70, 2: 20, 3: 7, 4: 2, 5: 1 } }
YAML
}
stock pair_single "" "primary_key: true, dist: sequence"
stock pair_shuffled "" "primary_key: true, dist: uniform, min: 1, max: $ROWS"
stock pair_indexed "    indexes: [{ columns: [store, sku] }]" "primary_key: true, dist: sequence"
stock pairs "    primary_key: [store, sku]" "dist: sequence"
# Two shapes whose domains were once lists: a small s over about as many
# ranks as rows (every rank a row or two), and the key clustered by store.
stock pairs_dense "    primary_key: [store, sku]" "dist: sequence" \
  "dist: zipf, n: $((ROWS * 12 / 10)), s: 0.1"
stock pairs_clustered "    primary_key: [store, sku]
    cluster: store" "dist: sequence"
table_of() { case "$1" in pair*) echo stock ;; *) echo order_items ;; esac; }
base_of() { case "$1" in pair*) echo pair_single ;; *) echo single ;; esac; }
# KEYS_ONLY=pairs: the stock table's three alone (a 10 M run in less time).
KEYS=(single composite clustered pair_single pair_shuffled pair_indexed pairs pairs_dense
  pairs_clustered)
[[ "${KEYS_ONLY:-}" == pairs ]] &&
  KEYS=(pair_single pair_shuffled pair_indexed pairs pairs_dense pairs_clustered)

if [[ "$MODE" == load ]]; then
  DSN="${KEYS_DSN:-}"
  if [[ -z "$DSN" ]]; then  # one embedded server for every run
    printf 'name: keys\nscales: { s: 1 }\ntables:\n  t:\n    rows: 1x\n    columns:\n      id: { type: int, primary_key: true }\n' >"$DIR/tiny.yaml"
    DSN="$("$BIN" load "$DIR/tiny.yaml" --schema keys_tiny --keep 2>"$DIR/kept.txt" | tail -1)"
    # The hint reads "stop it with: CMD; then rm -rf DIR": run CMD, then remove DIR
    # (as one shell line, "then" would not parse and the server would stay up).
    KEPT="$(grep -o 'stop it with: [^)]*' "$DIR/kept.txt" | sed 's/^stop it with: //' || true)"
    STOP="${KEPT%%; then rm -rf *}"
    SERVER_DIR=""
    [[ "$KEPT" == *"; then rm -rf "* ]] && SERVER_DIR="${KEPT##*; then rm -rf }"
    trap 'if [[ -n "$STOP" ]]; then sh -c "$STOP" >/dev/null 2>&1 || true; fi
          if [[ -n "$SERVER_DIR" ]]; then rm -rf "$SERVER_DIR"; fi; rm -rf "$DIR"' EXIT
  fi
  load_run() {  # $1 key: "seconds peak_kb"
    local start end
    start="$(date +%s.%N)"
    /usr/bin/time -v -o "$DIR/time.txt" "$BIN" load "$DIR/$1.yaml" --schema "keys_$1" --force \
      --dsn "$DSN" -q >/dev/null
    end="$(date +%s.%N)"
    echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')" \
      "$(awk -F': ' '/Maximum resident/ { print $2 }' "$DIR/time.txt")"
  }
  echo "| key | rows | median load s | vs single | peak RSS MB |"
  echo "|---|---:|---:|---:|---:|"
  declare -A secs=() peak=()
  for ((i = 0; i < RUNS; i++)); do
    for key in "${KEYS[@]}"; do
      read -r s kb < <(load_run "$key")
      secs[$key]+="$s "
      peak[$key]="$kb"
    done
  done
  for key in "${KEYS[@]}"; do
    m="$(printf '%s\n' ${secs[$key]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    b="$(printf '%s\n' ${secs[$(base_of "$key")]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
    awk -v k="$key" -v n="$ROWS" -v m="$m" -v b="$b" -v kb="${peak[$key]}" \
      'BEGIN { printf "| %s | %d | %.2f | %.3f | %.0f |\n", k, n, m, m / b, kb / 1024 }'
  done
  m="$(printf '%s\n' ${secs[pairs]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  b="$(printf '%s\n' ${secs[pair_shuffled]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  awk -v m="$m" -v b="$b" 'BEGIN { printf "pairs vs pair_shuffled: %.3f\n", m / b }'
  b="$(printf '%s\n' ${secs[pair_indexed]} | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')"
  awk -v m="$m" -v b="$b" 'BEGIN { printf "pairs vs pair_indexed: %.3f\n", m / b }'
  exit 0
fi

rate() {  # $1 profile, $2 format: rows/s of one run
  "$BIN" generate "$DIR/$1.yaml" --table "$(table_of "$1")" --format "$2" --out - --jobs 1 --json -q \
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
    for key in "${KEYS[@]}"; do rates[$key]+="$(rate "$key" "$format") "; done
  done
  for key in "${KEYS[@]}"; do
    base="$(printf '%s\n' ${rates[$(base_of "$key")]} | median)"
    m="$(printf '%s\n' ${rates[$key]} | median)"
    awk -v k="$key" -v f="$format" -v n="$ROWS" -v m="$m" -v b="$base" \
      'BEGIN { printf "| %s | %s | %d | %.2f | %.3f |\n", k, f, n, m / 1e6, m / b }'
  done
  unset rates
done
for key in composite clustered pairs pairs_dense pairs_clustered; do
  fields=1,2
  [[ "$key" == pairs* ]] && fields=2,3
  "$BIN" generate "$DIR/$key.yaml" --table "$(table_of "$key")" --format copy --out - --jobs 1 -q |
    cut -f"$fields" | sort -S 1G | uniq -d | wc -l |
    awk -v k="$key" -v n="$ROWS" '{ printf "%s: %d duplicate key pairs in %d rows\n", k, $1, n }'
done
