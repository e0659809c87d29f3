#!/usr/bin/env bash
# scripts/test.sh [--sanitize | --tsan | --unit]: installs what is missing (Debian packages through
# scripts/deps.sh, the test node with npm ci), builds, and runs every test — cmocka unit tests
# and the integration tests against anvil. --sanitize builds and runs the same suite under
# AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/. --tsan builds with
# ThreadSanitizer in build-tsan/ and runs the tests that exercise the sync's two threads: the
# unit tests (test_sync drives the fetch thread against a scripted node, strict and hostile)
# and three sync integration tests against anvil (devnet_positions, sync_reorg, sync_verify:
# its verify thread) — the whole
# suite under TSan would take most of CI's budget. --unit runs the unit tests only (no npm,
# no anvil). LX_WERROR=ON (set by .ci/run) builds with -Werror.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${1:-}
case "$mode" in
  "" | --sanitize | --tsan | --unit) ;;
  *) echo "usage: scripts/test.sh [--sanitize | --tsan | --unit]" >&2; exit 1 ;;
esac
if [ "$mode" = --unit ]; then
  bash scripts/deps.sh unit
else
  bash scripts/deps.sh test
  # npm never writes the lock's root entry into node_modules/.package-lock.json, so the two
  # files always differ: a stamp with the lock's hash says whether node_modules is current.
  lock=$(sha256sum tests/devnet/package-lock.json | cut -d' ' -f1)
  if [ ! -x tests/devnet/node_modules/.bin/anvil ] ||
     [ "$(cat tests/devnet/node_modules/.lendex-lock 2>/dev/null)" != "$lock" ]; then
    (cd tests/devnet && npm ci --no-audit --no-fund --loglevel=error)
    echo "$lock" > tests/devnet/node_modules/.lendex-lock
  fi
fi
dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "$mode" = --sanitize ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DLX_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
elif [ "$mode" = --tsan ]; then
  dir=build-tsan
  flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLX_TSAN=ON)
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
fi
flags+=(-DBUILD_TESTING=ON "-DLX_WERROR=${LX_WERROR:-OFF}")
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
if [ "$mode" = --unit ]; then
  ctest --test-dir "$dir" --output-on-failure -j2 -L unit
elif [ "$mode" = --tsan ]; then
  ctest --test-dir "$dir" --output-on-failure -j2 -L unit
  ctest --test-dir "$dir" --output-on-failure -j2 -R '^(devnet_positions|sync_reorg|sync_verify)$'
else
  ctest --test-dir "$dir" --output-on-failure -j2
fi
