#!/usr/bin/env bash
# Builds pgshape's Debian package, and checks it the way a user meets it.
#
#   scripts/package.sh             build, then `cpack -G DEB`: build/pgshape_<version>_<arch>.deb
#   scripts/package.sh --contents  also check the .deb's files and control fields (no root needed)
#   scripts/package.sh --check     also install it with apt into a bare Debian 12 root
#                                  (debootstrap minbase + man-db, in a chroot; needs root and
#                                  the network to the mirror) and run pgshape, man pgshape and
#                                  the bash completion there
#   scripts/package.sh --check-image
#                                  the Dockerfile's final stage without docker: its RUN in a
#                                  bare Debian 12 root, then `pgshape load` as the image's user
#                                  on the embedded server (root, network)
#
# The debootstrap download is cached as a tarball in the build directory
# (package-check/bookworm-minbase.tgz, debootstrap --make-tarball), and the
# bootstrapped root next to it, so a re-run takes seconds before apt fetches
# pgshape's dependencies. Environment:
#   PGSHAPE_BUILD_DIR         build directory (default: build)
#   PGSHAPE_DEBIAN_MIRROR     Debian mirror (default: http://deb.debian.org/debian)
#   PGSHAPE_PACKAGE_SKIP_BUILD=1  package what is built, do not build first
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="${PGSHAPE_BUILD_DIR:-build}"
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR="$ROOT/$BUILD_DIR"
MIRROR="${PGSHAPE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SUITE=bookworm
CHROOT=""
DEB=""
APT_LOG=""

section() { printf '\n==> %s\n' "$*"; }
fail() {
  echo "package.sh: $*" >&2
  exit 1
}

build_deb() {
  if [[ "${PGSHAPE_PACKAGE_SKIP_BUILD:-0}" != 1 ]]; then
    section "Build ($BUILD_DIR: pgshape, man page, completion)"
    if [[ ! -f "$BUILD_DIR/CMakeCache.txt" ]]; then
      # A fresh build directory for packaging only: no GoogleTest needed.
      cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPGSHAPE_BUILD_TESTS=OFF
    fi
    cmake --build "$BUILD_DIR" -j 2 --target pgshape pgshape_docs
  fi
  section "cpack -G DEB"
  local version
  version="$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD_DIR/CMakeCache.txt")"
  [[ -n "$version" ]] || fail "no project version in $BUILD_DIR/CMakeCache.txt"
  rm -f "$BUILD_DIR"/pgshape_*.deb
  (cd "$BUILD_DIR" && cpack -G DEB) >"$BUILD_DIR/cpack.log" 2>&1 || {
    cat "$BUILD_DIR/cpack.log" >&2
    fail "cpack failed"
  }
  DEB="$BUILD_DIR/pgshape_${version}_$(dpkg --print-architecture).deb"
  [[ -f "$DEB" ]] || fail "cpack did not write $DEB (see $BUILD_DIR/cpack.log)"
  echo "$DEB"
}

# What a user would look for in the package: the program, its man page and
# completions, the example profile with its SQL, and the declared dependencies.
check_contents() {
  section "Contents of ${DEB##*/}"
  local files field bad=0
  files="$(dpkg-deb -c "$DEB" | awk '{print $NF}')"
  for field in ./usr/bin/pgshape ./usr/share/man/man1/pgshape.1.gz \
    ./usr/share/bash-completion/completions/pgshape ./usr/share/zsh/vendor-completions/_pgshape \
    ./usr/share/pgshape/profiles/shop.yaml ./usr/share/pgshape/sql/shop/queries.sql \
    ./usr/share/doc/pgshape/README.md; do
    if grep -qxF "$field" <<<"$files"; then
      echo "has $field"
    else
      echo "MISSING $field" >&2
      bad=1
    fi
  done
  if grep -q '^\./usr/local/' <<<"$files"; then
    echo "files under /usr/local: a package installs into /usr" >&2
    bad=1
  fi
  local depends recommends
  depends="$(dpkg-deb -f "$DEB" Depends)"
  recommends="$(dpkg-deb -f "$DEB" Recommends)"
  echo "Depends: $depends"
  echo "Recommends: $recommends"
  for field in libpqxx-6.4 libpq5 libyaml-cpp0.7 libfmt9 libstdc++6 libc6; do
    grep -q "\b$field\b" <<<"$depends" || {
      echo "Depends lacks $field" >&2
      bad=1
    }
  done
  grep -q '\bpostgresql-15\b' <<<"$recommends" || {
    echo "Recommends lacks postgresql-15 (the embedded mode needs the server)" >&2
    bad=1
  }
  [[ $bad -eq 0 ]] || fail "${DEB##*/} is incomplete"
}

cleanup_chroot() {
  if [[ -n "$CHROOT" && -d "$CHROOT" ]]; then
    local m
    for m in proc dev/shm dev/pts dev; do
      if mountpoint -q "$CHROOT/$m" 2>/dev/null; then umount -l "$CHROOT/$m" || true; fi
    done
    # Only once nothing is mounted in it: rm must never reach the host's /dev.
    if ! grep -qF " $CHROOT/" /proc/mounts; then rm -rf "$CHROOT"; fi
  fi
  CHROOT=""
}

in_chroot() {
  chroot "$CHROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# Asserts that `$2...` run in the chroot prints something matching $1.
expect() {
  local pattern="$1" out
  shift
  if ! out="$(in_chroot "$@" 2>&1)"; then
    printf '%s\n' "$out" | tail -n 20 >&2
    fail "in the Debian root, '$*' failed"
  fi
  if ! grep -Eq -- "$pattern" <<<"$out"; then
    printf '%s\n' "$out" | tail -n 20 >&2
    fail "in the Debian root, '$*' did not print /$pattern/"
  fi
  echo "ok: $* ~ /$pattern/"
}

# A fresh Debian root in $CHROOT: debootstrap minbase + man-db, from the
# cached download (and the cached bootstrapped root when there is one).
bare_root() {
  [[ "$(id -u)" -eq 0 ]] || fail "$1 needs root (debootstrap and chroot)"
  command -v debootstrap >/dev/null || fail "$1 needs debootstrap (apt-get install debootstrap)"
  local started=$SECONDS cache="$BUILD_DIR/package-check"
  local tarball="$cache/$SUITE-minbase.tgz" boot=(--variant=minbase --include=man-db)
  mkdir -p "$cache"
  if [[ ! -s "$tarball" ]]; then
    section "Downloading a Debian $SUITE minbase (cached in $tarball)"
    rm -rf "$cache/download"
    debootstrap "${boot[@]}" --make-tarball="$tarball.tmp" "$SUITE" "$cache/download" "$MIRROR" \
      >"$cache/debootstrap.log" 2>&1 || {
      tail -n 30 "$cache/debootstrap.log" >&2
      rm -rf "$cache/download" "$tarball.tmp"
      fail "debootstrap --make-tarball failed (network to $MIRROR?)"
    }
    mv "$tarball.tmp" "$tarball"
    rm -rf "$cache/download"
  fi
  section "A bare Debian $SUITE root (debootstrap minbase from $tarball)"
  trap cleanup_chroot EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  CHROOT="$(mktemp -d "$cache/root-XXXXXX")"
  # A root directory mktemp made 0700 would lock out the chroot's own system
  # users (_apt downloads, man-db's mandb runs as `man`).
  chmod 0755 "$CHROOT"
  # The bootstrapped root is cached too (second stage done: minutes on 2 cores),
  # and only as long as the download it came from.
  local bootstrapped="$cache/$SUITE-minbase-root.tar.gz"
  if [[ -s "$bootstrapped" && "$bootstrapped" -nt "$tarball" ]]; then
    tar -C "$CHROOT" -xzf "$bootstrapped" || fail "cannot unpack $bootstrapped"
  else
    debootstrap "${boot[@]}" --unpack-tarball="$tarball" "$SUITE" "$CHROOT" "$MIRROR" \
      >"$cache/debootstrap.log" 2>&1 || {
      tail -n 30 "$cache/debootstrap.log" >&2
      fail "debootstrap --unpack-tarball failed"
    }
    tar -C "$CHROOT" -czf "$bootstrapped.tmp" . && mv "$bootstrapped.tmp" "$bootstrapped"
  fi
  echo "root in $CHROOT ($((SECONDS - started)) s)"
  cp /etc/resolv.conf "$CHROOT/etc/resolv.conf"
  # No service may start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$CHROOT/usr/sbin/policy-rc.d"
  chmod 0755 "$CHROOT/usr/sbin/policy-rc.d"
  mountpoint -q "$CHROOT/proc" || mount -t proc proc "$CHROOT/proc"
  APT_LOG="$cache/apt.log"
  : >"$APT_LOG"
}

check_install() {
  local started=$SECONDS
  bare_root --check
  cp "$DEB" "$CHROOT/tmp/"
  section "apt-get install ./${DEB##*/} in the root"
  in_chroot apt-get update -q >>"$APT_LOG" 2>&1 || {
    tail -n 30 "$APT_LOG" >&2
    fail "apt-get update failed in the Debian root"
  }
  # Recommends (postgresql-15) left out: the server is ~100 MB that only the
  # embedded mode needs; --check-image installs it the way the image does.
  in_chroot sh -c "cd /tmp && apt-get install -y -q --no-install-recommends ./${DEB##*/}" \
    >>"$APT_LOG" 2>&1 || {
    tail -n 30 "$APT_LOG" >&2
    fail "apt-get install ./${DEB##*/} failed in the Debian root"
  }
  tail -n 3 "$APT_LOG"

  section "pgshape as installed"
  local version="${DEB##*/pgshape_}"
  version="${version%%_*}"
  expect "^pgshape ${version//./\\.}" pgshape --version
  expect '^SYNOPSIS' sh -c 'MANPAGER=cat MANWIDTH=80 man pgshape'
  expect '-F _pgshape pgshape$' bash -c \
    'source /usr/share/bash-completion/completions/pgshape && complete -p pgshape'
  # shellcheck disable=SC2016  # expanded by the chroot's bash, not this one
  expect 'pgshape load profiles/shop.yaml' bash -c \
    'source /usr/share/bash-completion/completions/pgshape &&
     COMP_WORDS=(pgshape lo) COMP_CWORD=1 COMP_LINE="pgshape lo" && _pgshape &&
     echo "pgshape ${COMPREPLY[*]} profiles/shop.yaml"'
  expect 'products' pgshape validate /usr/share/pgshape/profiles/shop.yaml
  cleanup_chroot
  trap - EXIT
  echo "package check: $((SECONDS - started)) s"
}

# The Dockerfile's final stage without docker: its RUN commands, as written,
# in a bare Debian 12 root with the .deb where COPY puts it, then pgshape as
# its USER with the embedded server (no --dsn), as `docker run IMAGE load ...`.
check_image() {
  local started=$SECONDS dockerfile="$ROOT/Dockerfile"
  # The final stage's RUN commands, continuation lines joined, one per line.
  local runs user workdir
  runs="$(awk '/^FROM /{final = ($0 == "FROM debian:12"); on = 0}
    final && /^RUN /{on = 1; cmd = ""}
    on {line = $0; more = (line ~ /\\$/); sub(/^RUN /, "", line); sub(/\\$/, "", line)
        cmd = cmd " " line; if (!more) {print cmd; on = 0}}' "$dockerfile")"
  user="$(awk '/^FROM /{final = ($0 == "FROM debian:12")} final && /^USER /{print $2}' "$dockerfile")"
  workdir="$(awk '/^FROM /{final = ($0 == "FROM debian:12")} final && /^WORKDIR /{print $2}' \
    "$dockerfile")"
  grep -q '^COPY --from=build /deb/ /tmp/deb/$' "$dockerfile" ||
    fail "the Dockerfile's final stage no longer copies the .deb to /tmp/deb/: update check_image"
  [[ -n "$runs" && -n "$user" && -n "$workdir" ]] || fail "no RUN, USER or WORKDIR in $dockerfile"
  bare_root --check-image
  mkdir -p "$CHROOT/tmp/deb" "$CHROOT/dev/shm"
  cp "$DEB" "$CHROOT/tmp/deb/"
  # docker gives every container a /dev/shm tmpfs; PostgreSQL's shared memory needs one.
  mountpoint -q "$CHROOT/dev/shm" || mount -t tmpfs -o size=256m tmpfs "$CHROOT/dev/shm"
  section "The Dockerfile's RUN in the root"
  local cmd
  while read -r cmd; do
    in_chroot sh -ec "$cmd" >>"$APT_LOG" 2>&1 || {
      tail -n 30 "$APT_LOG" >&2
      fail "the Dockerfile's RUN failed in the Debian root: $cmd"
    }
  done <<<"$runs"
  tail -n 3 "$APT_LOG"
  section "pgshape as the image's user ($user) with the embedded server"
  expect '^Ver Cluster' pg_lsclusters
  if in_chroot pg_lsclusters -h | grep -q .; then fail "installing the server created a cluster"; fi
  echo "ok: no PostgreSQL cluster was created"
  local as_user=(chroot --userspec="$user" "$CHROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin
    HOME="$workdir" LANG=C.UTF-8 sh -c "cd '$workdir' && pgshape load /usr/share/pgshape/profiles/shop.yaml --scale test")
  local out
  out="$("${as_user[@]}" 2>&1)" || {
    printf '%s\n' "$out" | tail -n 20 >&2
    fail "as $user, pgshape load with the embedded server failed"
  }
  grep -q 'shape achieved' <<<"$out" || {
    printf '%s\n' "$out" | tail -n 20 >&2
    fail "as $user, pgshape load did not report the shape it achieved"
  }
  echo "ok: as $user, pgshape load /usr/share/pgshape/profiles/shop.yaml --scale test (embedded)"
  cleanup_chroot
  trap - EXIT
  echo "image check: $((SECONDS - started)) s"
}

main() {
  local mode=build
  case "${1:-}" in
    "") ;;
    --contents) mode=contents ;;
    --check) mode=check ;;
    --check-image) mode=image ;;
    -h | --help)
      sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
      return
      ;;
    *)
      echo "package.sh: unknown argument '$1' (--contents, --check, --check-image, --help)" >&2
      return 2
      ;;
  esac
  build_deb
  [[ "$mode" == build ]] || check_contents
  [[ "$mode" != check ]] || check_install
  [[ "$mode" != image ]] || check_image
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  main "$@"
fi
