#!/usr/bin/env bash
# Sets up and builds pgshape, then loads the shop profile into an embedded,
# throwaway PostgreSQL (or the server named by --dsn / DATABASE_URL).
# Extra arguments are passed to pgshape, e.g. `bash scripts/run.sh --keep`.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

bash scripts/setup.sh
printf '\n==> pgshape load profiles/shop.yaml %s\n' "$*"
exec "./${PGSHAPE_BUILD_DIR:-build}/pgshape" load profiles/shop.yaml "$@"
