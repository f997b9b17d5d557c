#!/usr/bin/env bash
# Installs what pgshape needs (Debian 12), then builds it into build/.
# Idempotent: when every package is already installed apt is not touched at
# all, so repeated runs only rebuild what changed.
#
#   scripts/setup.sh          everything the test suite needs, then build every target
#   scripts/setup.sh --run    only what building and running pgshape needs (RUN_PACKAGES),
#                             then build only the `pgshape` target (scripts/run.sh uses this)
#
# Installing PostgreSQL never creates a system cluster: pgshape, its tests and
# the embedded mode start their own servers in private directories, so a
# cluster on 5432 started and enabled at boot would only be a surprise.
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

# Building pgshape and running it, embedded server included (initdb, pg_ctl,
# pgbench and contrib come with postgresql-15; hypopg for --hypothetical).
# postgresql-15 rather than the `postgresql` metapackage: the version the
# tests are run against, and no dependency on whatever becomes the default.
RUN_PACKAGES=(
  build-essential cmake pkg-config ca-certificates
  libpqxx-dev libpq-dev libboost-random-dev libyaml-cpp-dev libcli11-dev libfmt-dev
  nlohmann-json3-dev
  postgresql-15 postgresql-contrib postgresql-15-hypopg
)
# Only the test suite and its extra stages.
TEST_PACKAGES=(
  git googletest libgtest-dev libxml2-utils
  clang libclang-rt-14-dev  # the libFuzzer stage
  time bc                   # bench/run.sh: peak RSS (/usr/bin/time -v) and sums
  zsh man-db groff-base     # the generated zsh completion and man page are run, not just read
  debootstrap               # scripts/package.sh --check: the .deb in a bare Debian root
  tmux                      # the load's progress is checked on a real terminal
  chromium                  # report.html is rendered headless and measured
  curl openssl              # scripts/pg-servers.sh: PostgreSQL 16-18 for the test matrix
)
CREATECLUSTER_CONF=/etc/postgresql-common/createcluster.conf
MODE=all  # or run

section() { printf '\n==> %s\n' "$*"; }

wanted_packages() {
  printf '%s\n' "${RUN_PACKAGES[@]}"
  [[ "$MODE" == run ]] || printf '%s\n' "${TEST_PACKAGES[@]}"
}

missing_packages() {
  local pkg
  while read -r pkg; do
    if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null | grep -q '^install ok installed$'; then
      echo "$pkg"
    fi
  done < <(wanted_packages)
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

# Without root and without sudo nothing can be installed: say what to run as
# root instead of dying on `sudo: command not found`.
refuse_without_root() {
  local cmd=(apt-get install -y --no-install-recommends -o Dpkg::Options::=--force-confold
    -o Dpkg::Options::=--force-confdef "$@")
  {
    echo "setup.sh: cannot install $# missing package(s): this user is not root and sudo is" \
      "not installed."
    echo "Run as root (the first line keeps Debian from creating a PostgreSQL cluster pgshape never uses):"
    echo
    echo "  [ -e $CREATECLUSTER_CONF ] || { mkdir -p ${CREATECLUSTER_CONF%/*} &&" \
      "echo 'create_main_cluster = false' > $CREATECLUSTER_CONF; }"
    echo "  apt-get update && DEBIAN_FRONTEND=noninteractive ${cmd[*]}"
    echo
    echo "then run this script again."
  } >&2
  exit 1
}

# Debian's postgresql-common creates (and under systemd starts and enables) a
# "main" cluster for every server version it installs, unless told not to. Only
# when the file is absent: an administrator's own settings are theirs; dpkg
# keeps ours later (--force-confold) instead of asking about a changed conffile.
disable_cluster_creation() {
  if as_root test -e "$CREATECLUSTER_CONF"; then
    if ! grep -Eq '^[[:space:]]*create_main_cluster[[:space:]]*=[[:space:]]*(false|off|no|0)' \
      "$CREATECLUSTER_CONF" 2>/dev/null; then
      echo "note: $CREATECLUSTER_CONF exists and does not say create_main_cluster = false;" \
        "left as it is"
    fi
    return
  fi
  as_root mkdir -p "${CREATECLUSTER_CONF%/*}"
  printf '%s\n' "# Written by pgshape's scripts/setup.sh: no cluster when a server version is" \
    "# installed (pgshape starts its own servers). Remove to get Debian's default." \
    "create_main_cluster = false" | as_root tee "$CREATECLUSTER_CONF" >/dev/null
  echo "wrote $CREATECLUSTER_CONF (create_main_cluster = false)"
}

install_packages() {
  section "Dependencies ($([[ "$MODE" == run ]] && echo "to build and run" || echo "to build and test"))"
  local missing total
  mapfile -t missing < <(missing_packages)
  total="$(wanted_packages | wc -l)"
  if [[ ${#missing[@]} -eq 0 ]]; then
    echo "all $total packages are installed"
    return
  fi
  echo "missing: ${missing[*]}"
  if [[ "$(id -u)" -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    refuse_without_root "${missing[@]}"
  fi
  disable_cluster_creation
  local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o Dpkg::Options::=--force-confold
    -o Dpkg::Options::=--force-confdef)
  as_root "${apt[@]}" update
  as_root "${apt[@]}" install -y --no-install-recommends "${missing[@]}"
}

build() {
  local build_dir="${PGSHAPE_BUILD_DIR:-build}" configure=() target=()
  if [[ "$MODE" == run ]]; then
    target=(--target pgshape)
    # The test binaries need GoogleTest, which --run does not install; a build
    # directory already set up for tests keeps its setting.
    if ! dpkg-query -W -f='${Status}\n' libgtest-dev 2>/dev/null | grep -q 'ok installed'; then
      configure=(-DPGSHAPE_BUILD_TESTS=OFF)
    fi
  else
    configure=(-DPGSHAPE_BUILD_TESTS=ON)
  fi
  section "Build ($build_dir, ${PGSHAPE_BUILD_TYPE:-Release}${target:+, ${target[*]}})"
  # shellcheck disable=SC2086  # PGSHAPE_CMAKE_ARGS is a list of words on purpose
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE="${PGSHAPE_BUILD_TYPE:-Release}" \
    "${configure[@]}" ${PGSHAPE_CMAKE_ARGS:-}
  cmake --build "$build_dir" -j 2 "${target[@]}"
}

main() {
  case "${1:-}" in
    --run) MODE=run ;;
    "") ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
      return
      ;;
    *)
      echo "setup.sh: unknown argument '$1' (--run, --help)" >&2
      return 2
      ;;
  esac
  install_packages
  if [[ "${PGSHAPE_SKIP_BUILD:-0}" != 1 ]]; then
    build
  fi
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
