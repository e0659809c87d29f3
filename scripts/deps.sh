#!/usr/bin/env bash
# scripts/deps.sh MODE: makes sure the Debian packages lendex needs for MODE are installed.
#   build  compiler, cmake, pkg-config and the libraries lendex links
#   unit   build + CMocka (the unit tests)
#   demo   unit + curl, nodejs, npm (the devnet; CMocka too, so build/ serves both scripts)
#   test   unit + demo + chromium (the report test renders HTML)
#   fuzz   build + clang and its libFuzzer runtime (scripts/fuzz.sh)
# Missing packages are installed with apt-get (through sudo when not root). When that is not
# possible (no apt-get, no sudo, sudo wants a password without a terminal, LX_NO_INSTALL=1), it
# stops with ONE message listing every missing package and the command that installs them.
# Sourced by demo.sh and test.sh; runs on its own too. The library list matches
# cmake/LendexDeps.cmake.
set -euo pipefail
mode=${1:-test}
build="build-essential cmake pkg-config libcurl4-openssl-dev libjansson-dev libsecp256k1-dev
       liblmdb-dev"
case "$mode" in
  build) want="$build" ;;
  unit) want="$build libcmocka-dev" ;;
  demo) want="$build libcmocka-dev curl nodejs npm" ;;
  test) want="$build libcmocka-dev curl nodejs npm chromium" ;;
  fuzz) want="$build clang libclang-rt-dev" ;;
  *) echo "deps.sh: unknown mode '$mode' (build, unit, demo, test, fuzz)" >&2; exit 1 ;;
esac
if ! command -v dpkg-query >/dev/null; then
  # not Debian: nothing to ask; cmake names what is missing
  exit 0
fi
missing=()
for p in $want; do
  case "$p" in
    # node and npm may come from elsewhere (nodesource, nvm): the commands are what counts
    nodejs) command -v node >/dev/null && continue ;;
    npm) command -v npm >/dev/null && continue ;;
    chromium) { command -v chromium || command -v chromium-browser; } >/dev/null && continue ;;
  esac
  st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$st" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
list="${missing[*]}"
fail() {
  echo "lendex: missing Debian packages: $list" >&2
  echo "install them with: sudo apt-get install -y $list${1:+ ($1)}" >&2
  exit 1
}
[ "${LX_NO_INSTALL:-0}" = 1 ] && fail ""
command -v apt-get >/dev/null || fail "apt-get not found"
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null; then
  if [ -t 0 ]; then sudo=(sudo); else sudo=(sudo -n); fi
  "${sudo[@]}" true 2>/dev/null || fail "sudo needs a password: run this yourself"
else
  fail "not root and no sudo"
fi
echo "== installing Debian packages: $list" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
       apt-get install -y -qq "${missing[@]}" >/dev/null; }; then
  fail "apt-get failed"
fi
