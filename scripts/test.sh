#!/usr/bin/env bash
# scripts/test.sh [--sanitize]: installs the test node (npm ci), builds, and runs every test —
# cmocka unit tests and the integration tests against anvil. --sanitize builds and runs the
# same suite under AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ ! -x tests/devnet/node_modules/.bin/anvil ] ||
   ! cmp -s tests/devnet/package-lock.json tests/devnet/node_modules/.package-lock.json 2>/dev/null; then
  (cd tests/devnet && npm ci --no-audit --no-fund --loglevel=error)
fi
dir=build
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [ "${1:-}" = "--sanitize" ]; then
  dir=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DLX_SANITIZE=ON)
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fi
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$(nproc)"
ctest --test-dir "$dir" --output-on-failure -j2
