#!/usr/bin/env bash
# Sets up and builds pgshape, then runs the main job: the shop profile's plan
# sweep on an embedded, throwaway PostgreSQL — the incident's 12K (`test`) and
# 340K (`production`) products, every query with hot, mid and rare parameters,
# without and with the composite index — and prints where the report is.
# Extra arguments are passed to `pgshape explain`, e.g. `--keep` or `--dsn URI`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
printf '\n==> pgshape explain profiles/shop.yaml %s\n' "$*"
exec "./${PGSHAPE_BUILD_DIR:-build}/pgshape" explain profiles/shop.yaml "$@"
