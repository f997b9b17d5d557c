#!/usr/bin/env bash
# Rewrites README.md's generated sections from the built binary: the profile
# reference, the command reference and the error codes, each between its
# <!-- NAME:begin --> and <!-- NAME:end --> markers. Tests fail until they match.
#   scripts/update-readme.sh [path/to/pgshape]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="${1:-$ROOT/${PGSHAPE_BUILD_DIR:-build}/pgshape}"
replace() {  # marker, then the command whose output goes between the markers
  local marker="$1" text
  shift
  text="$("$@")"
  MARKER="$marker" TEXT="$text" python3 - "$ROOT/README.md" <<'PY'
import os, sys
path, marker, text = sys.argv[1], os.environ["MARKER"], os.environ["TEXT"]
readme = open(path).read()
begin, end = f"<!-- {marker}:begin -->\n", f"<!-- {marker}:end -->"
a, b = readme.index(begin) + len(begin), readme.index(end)
open(path, "w").write(readme[:a] + text + "\n" + readme[b:])
PY
}
replace profile-reference "$BIN" reference
replace command-reference "$BIN" reference --commands
replace error-codes "$BIN" reference --errors
