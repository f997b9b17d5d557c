#!/usr/bin/env bash
# Sets up and builds pgshape, then runs the main job: the shop profile's plan
# sweep on an embedded, throwaway PostgreSQL — the incident's 12K (`test`) and
# 340K (`production`) products, every query with hot, mid and rare parameters,
# without and with the composite index — and prints where the report is.
#
#   scripts/run.sh [EXPLAIN OPTIONS]    e.g. --keep, or --dsn URI for your own server
#
# Installs only what building and running needs (`scripts/setup.sh --run`) and
# builds only the pgshape program, not the test binaries.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

case "${1:-}" in
  -h | --help)
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
    echo
    echo "The options \`pgshape explain\` takes:"
    if [[ -x "./${PGSHAPE_BUILD_DIR:-build}/pgshape" ]]; then
      "./${PGSHAPE_BUILD_DIR:-build}/pgshape" explain --help
    else
      echo "  (build first, then: ./${PGSHAPE_BUILD_DIR:-build}/pgshape explain --help)"
    fi
    exit 0
    ;;
esac

bash scripts/setup.sh --run
printf '\n==> pgshape explain profiles/shop.yaml %s\n' "$*"
exec "./${PGSHAPE_BUILD_DIR:-build}/pgshape" explain profiles/shop.yaml "$@"
