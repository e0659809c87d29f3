#!/usr/bin/env bash
# Failure paths of the CLI against a real devnet: every failure is exactly one non-empty line
# on stderr naming the input ("lendex: ..."), with the documented exit code (1 usage, 2
# runtime), and under --json also {"error":{"code","kind","message"}} on stdout carrying the
# same message; no failure is silent and no success hides a problem (nothing to sync, head
# behind the store, logs from unknown emitters).
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
n=0

# fails RC PATTERN CMD...: runs lendex CMD, requires exit RC, one stderr line matching PATTERN
# (grep -E) and, with --json, the JSON error object on stdout with that same message.
fails() {
  local want=$1 pat=$2 out err rc line
  shift 2
  set +e
  out=$("$bin" "$@" 2>"$state/stderr")
  rc=$?
  set -e
  err=$(cat "$state/stderr")
  [ "$rc" = "$want" ] || { echo "FAIL lendex $*: exit $rc, want $want; stderr: $err"; exit 1; }
  line=$(printf '%s\n' "$err" | head -1)
  case "$line" in
    "lendex: "?*) ;;
    *) echo "FAIL lendex $*: first stderr line is not 'lendex: <message>': '$err'"; exit 1 ;;
  esac
  if [ "$want" = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" != 1 ]; then
    echo "FAIL lendex $*: want one line on stderr, got: $err"; exit 1
  fi
  if printf '%s' "$err" | grep -qE 'lendex bug|: $|: :'; then
    echo "FAIL lendex $*: empty or missing detail in: $err"; exit 1
  fi
  printf '%s' "$line" | grep -qE -- "$pat" || { echo "FAIL lendex $*: '$line' does not match /$pat/"; exit 1; }
  if printf '%s\n' "$@" | grep -qx -- --json; then
    node -e '
      const [out, line, want] = process.argv.slice(1);
      const j = JSON.parse(out);
      if (!j.error || j.error.code !== Number(want) || "lendex: " + j.error.message !== line)
        { console.error("FAIL json error object: " + out); process.exit(1); }' "$out" "$line" "$want"
  elif [ -n "$out" ] && [ "$want" = 2 ]; then
    echo "FAIL lendex $*: stdout not empty on failure: $out"; exit 1
  fi
  n=$((n + 1))
}

# usage errors, with and without --json
fails 1 "unknown command 'snyc'" snyc
fails 1 "unknown option '--bogus' for 'sync'" sync --bogus --json
fails 1 "bad value 'x' for --to" sync --to x --rpc "$rpc" --datadir "$state/u" --json
fails 1 "no deployment 'nope' on chain devnet" position 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --deployment nope --datadir "$state/u" --json
# runtime errors
fails 2 "no store in '$state/none'" dump --datadir "$state/none"
fails 2 "no store in '$state/none'" position 0x70997970c51812dc3a010c7d01b50e0d17dc79c8 --datadir "$state/none" --json

# start block after the reserves were initialised: the message says so and names the reserve
mkdir -p "$state/late"
sed 's/"start_block": [0-9]*/"start_block": 100/' "$root/chains/devnet.json" >"$state/late/devnet.json"
fails 2 "reserve 0x[0-9a-f]{40}, not initialised since start_block 100 of aave-v3-devnet" \
  sync --chains-dir "$state/late" --rpc "$rpc" --datadir "$state/db-late" --quiet --json

echo "cli_errors: ok ($n failure paths)"
