#!/usr/bin/env bash
# scripts/fuzz.sh [SECONDS]: builds every libFuzzer target (tests/fuzz/, clang with ASan+UBSan)
# and runs each for SECONDS (default 60) from its seed corpus, tests/fuzz/corpus/<name>/. New
# inputs go to a scratch folder, so the tree is left as it was. CI runs it as a short smoke.
# A crash stops the script with the fuzzer's report and the input that caused it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
secs=${1:-60}
case "$secs" in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 1 ;; esac
bash scripts/deps.sh fuzz
CC=clang cmake -S . -B build-fuzz -DLX_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  "-DLX_WERROR=${LX_WERROR:-OFF}" >/dev/null
targets=$(sed -n 's/^lx_fuzz_target(\(fuzz_[a-z0-9_]*\) .*/\1/p' tests/fuzz/CMakeLists.txt)
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $targets
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for t in $targets; do
  name=${t#fuzz_}
  corpus=tests/fuzz/corpus/$name
  [ -d "$corpus" ] || corpus=tests/fuzz/corpus/${name%%_*}
  [ -d "$corpus" ] || { echo "fuzz.sh: no seed corpus for $t" >&2; exit 1; }
  mkdir -p "$scratch/$t"
  echo "== $t: ${secs}s from $corpus"
  if ! (cd "$scratch/$t" && "$root/build-fuzz/tests/fuzz/$t" -max_total_time="$secs" \
         -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$root/build-fuzz/" \
         . "$root/$corpus" >"$scratch/$t.log" 2>&1); then
    cat "$scratch/$t.log" >&2
    echo "fuzz.sh: $t failed; the input is in the report above and in build-fuzz/" \
         "(crash-*, leak-*, timeout-*)" >&2
    exit 1
  fi
  grep -E '^stat::(number_of_executed_units|new_units_added)' "$scratch/$t.log" | tr '\n' ' '
  echo
done
