#!/usr/bin/env bash
# Installs everything pgshape needs to build and test (Debian 12), then builds
# it into build/. Idempotent: when every package is already installed apt is
# not touched at all, so repeated runs only rebuild what changed.
#
# Source this file to reuse the functions (main only runs when executed).
# Environment:
#   PGSHAPE_BUILD_DIR    build directory (default: build)
#   PGSHAPE_BUILD_TYPE   CMake build type (default: Release; RelWithDebInfo for debugging)
#   PGSHAPE_CMAKE_ARGS   extra arguments for the CMake configure step
#   PGSHAPE_SKIP_BUILD=1 install dependencies only
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  libpqxx-dev libpq-dev libboost-random-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  nlohmann-json3-dev googletest libgtest-dev
  tmux  # tests: the load's progress is checked on a real terminal
  postgresql postgresql-contrib postgresql-15-hypopg
  clang libclang-rt-14-dev libxml2-utils
  curl openssl  # scripts/pg-servers.sh: the PostgreSQL 16-18 server binaries of the test matrix
  time bc  # bench/run.sh: peak RSS (/usr/bin/time -v) and sums
  zsh man-db groff-base  # tests: the generated zsh completion and man page are run, not just read
  chromium  # tests: report.html is rendered headless and measured (report_browser_test)
)

section() { printf '\n==> %s\n' "$*"; }

missing_packages() {
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      echo "$pkg"
    fi
  done
}

# Root runs apt directly; anyone else through sudo (non-interactive when there
# is no terminal, so CI fails fast instead of waiting for a password).
as_root() {
  if [[ "$(id -u)" -eq 0 ]]; then
    "$@"
  elif [[ -t 0 ]]; then
    sudo "$@"
  else
    sudo -n "$@"
  fi
}

install_packages() {
  section "Dependencies"
  local missing
  mapfile -t missing < <(missing_packages)
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all ${#PACKAGES[@]} packages are installed"
    return
  fi
  echo "missing: ${missing[*]}"
  # Installing `postgresql` may create and try to start a default cluster
  # (systemd or policy-rc.d permitting). Nothing here depends on it: tests and
  # the embedded server start their own servers in private directories.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${PACKAGES[@]}"
}

build() {
  local build_dir="${PGSHAPE_BUILD_DIR:-build}"
  section "Build ($build_dir, ${PGSHAPE_BUILD_TYPE:-Release})"
  # shellcheck disable=SC2086  # PGSHAPE_CMAKE_ARGS is a list of words on purpose
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${PGSHAPE_BUILD_TYPE:-Release}" \
    ${PGSHAPE_CMAKE_ARGS:-}
  cmake --build "$build_dir" -j 2
}

main() {
  install_packages
  if [[ "${PGSHAPE_SKIP_BUILD:-0}" != 1 ]]; then
    build
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
