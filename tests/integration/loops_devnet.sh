#!/usr/bin/env bash
# Loop depth against the loops a scenario really built (tests/devnet/loops.js): directional and
# correlated loops over blocks, flash-loan loops in one transaction through a contract acting
# for the account (supply before borrow) and Aave's mode-2 flash loan, several rounds in one
# contract call, loops partly and fully closed, and borrow/repay noise. For every account the
# devnet touched, `lendex leverage --json` must report exactly the open rounds built, split into
# correlated / directional / flash-loan the same way, and no account that never looped (or no
# longer does) may be flagged. Also: bad-debt rows are listed first and flagged toxic.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
DEVNET_QUIET=1 node "$root/tests/devnet/loops.js" "$rpc" "$state"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
"$bin" leverage --chain devnet --datadir "$state/db" --top 100000 --json >"$state/lev.json"
"$bin" leverage --chain devnet --datadir "$state/db" --top 5 >"$state/lev.txt"
node -e '
const exp = require(process.argv[1]).accounts, j = require(process.argv[2]);
const got = {};
for (const r of j.top) got[r.account] = r;
let bad = 0, loopers = 0;
const none = { rounds: 0, correlated: 0, directional: 0, flashLoan: 0 };
for (const [a, x] of Object.entries(exp)) {
  const g = got[a] ? got[a].loops : none;
  if (x.rounds) loopers++;
  const ok = g.rounds === x.rounds && g.correlated === x.correlated && g.directional === x.directional &&
    g.flashLoan === x.flash && (got[a] ? got[a].loopDepth === x.rounds : true);
  if (!ok) { bad++; console.error(`${a}: built ${JSON.stringify(x)}, lendex ${JSON.stringify(g)}`); }
}
for (const [a, r] of Object.entries(got))
  if (!exp[a] && r.loops.rounds) { bad++; console.error(`${a}: not in the scenario, flagged ${r.loops.rounds}`); }
const looped = Object.values(exp).filter((x) => x.rounds).length;
if (j.looped !== looped) { bad++; console.error(`summary looped ${j.looped}, built ${looped}`); }
if (loopers < 8) { bad++; console.error(`scenario too small: ${loopers} loopers`); }
// bad debt: listed first, toxic, counted
const bd = j.top.filter((r) => r.badDebt);
if (!bd.length || j.badDebtAccounts !== bd.length) { bad++; console.error("bad debt not counted"); }
if (j.top.slice(0, bd.length).some((r) => !r.badDebt || !r.toxic || r.leverage !== null)) { bad++; console.error("bad debt rows not first / not toxic"); }
for (const r of j.top) if (!(r.debt > 0)) { bad++; console.error(`${r.account} listed without debt`); }
const lev = j.top.filter((r) => !r.badDebt).map((r) => r.leverage);
for (let i = 1; i < lev.length; i++) if (lev[i] > lev[i - 1]) { bad++; console.error("not sorted by leverage"); break; }
if (bad) process.exit(1);
console.log(`loops_devnet: ${Object.keys(exp).length} accounts, ${loopers} loopers: depth exact, no false loops`);
' "$state/loops.json" "$state/lev.json"
# the human table says bad debt and names its units
grep -q "bad debt" "$state/lev.txt" && grep -q "collateral USD" "$state/lev.txt" &&
  grep -q "leverage x" "$state/lev.txt" || { cat "$state/lev.txt"; echo "table lacks bad debt or units"; exit 1; }
[ "$(sed -n 5p "$state/lev.txt" | awk '{print $4, $5}')" = "bad debt" ] ||
  { cat "$state/lev.txt"; echo "first row is not bad debt"; exit 1; }
echo "loops_devnet: ok"
