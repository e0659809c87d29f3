#!/usr/bin/env bash
# issue 11: one account on two protocols. The Aave V3 devnet scenario, the Aave V2 one
# (tests/devnet/aave_v2.js) and the Aave V4 one (aave_v4.js) are played on the same anvil, so the same accounts hold positions on
# both; both deployments are synced into one store. `position ADDRESS` must list both markets,
# each exactly as `position --deployment` gives it (numbers the protocols' own tests check
# against getUserAccountData), and a USD total: V3's oracle answers in USD, V2's in ETH and no
# USD oracle of the chain lists V2's tokens, so V2's positions are "no USD price" and left out
# (total.complete false), never converted at a guessed rate.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
shared=$(cd "$root/../shared" && pwd)
DEVNET_ANVIL_ARGS="--hardfork cancun" "$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
mkdir -p "$state/v2" "$state/v4" "$state/chains"
DEVNET_QUIET=1 node "$root/tests/devnet/aave_v2.js" "$rpc" "$state/v2" 7 >/dev/null
DEVNET_QUIET=1 LX_SHARED="$shared" node "$root/tests/devnet/aave_v4.js" play "$rpc" "$state/v4" 20261203 >/dev/null
node -e '
  const fs = require("fs"), [v3f, v2f, v4f, out] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(v3f));
  for (const f of [v2f, v4f]) c.deployments.push(...JSON.parse(fs.readFileSync(f)).deployments);
  fs.writeFileSync(out, JSON.stringify(c));' \
  "$root/chains/devnet.json" "$state/v2/chains/devnet.json" "$state/v4/chains/devnet.json" \
  "$state/chains/devnet.json"
export LENDEX_CHAINS="$state/chains"
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
# accounts with positions on both protocols
both=$(node -e '
  const fs = require("fs"), [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f)).accounts.map((x) => x.toLowerCase()));
  console.log(a.filter((x) => b.includes(x)).join(" "))' "$state/scenario.json" "$state/v2/scenario.json")
[ -n "$both" ] || { echo "FAIL position_cross: no account on both protocols"; exit 1; }
n=0
for acct in $both; do
  all=$("$bin" position "$acct" --datadir "$state/db" --json)
  v3=$("$bin" position "$acct" --deployment aave-v3-devnet --datadir "$state/db" --json)
  v2=$("$bin" position "$acct" --deployment aave-v2-devnet --datadir "$state/db" --json)
  n=$((n + $(node -e '
    const [all, v3, v2] = process.argv.slice(1).map((s) => JSON.parse(s));
    const fail = (m) => { console.error("FAIL position_cross " + all.account + ": " + m); process.exit(1); };
    const on = (p) => p.reserves.some((r) => r.supplied !== "0" || r.borrowed !== "0");
    if (!on(v3) || !on(v2)) { console.log(0); process.exit(0); } // not on both at the head
    all.markets = all.markets.filter((m) => m.deployment !== "aave-v4-devnet"); // checked below
    const names = all.markets.map((m) => m.deployment).join();
    if (names !== "aave-v3-devnet,aave-v2-devnet") fail("markets " + names);
    for (const [m, one] of [[all.markets[0], v3], [all.markets[1], v2]])
      for (const k of Object.keys(one))
        if (k !== "reserves" && JSON.stringify(one[k]) !== JSON.stringify(m[k])) fail(m.deployment + " field " + k);
    if (all.markets[0].base !== "USD" || all.markets[1].base !== "ETH") fail("bases");
    if (all.markets[1].suppliedUSD !== null) fail("V2 valued in USD without a USD oracle");
    if (all.total.complete) fail("total complete with unpriced positions");
    const v2held = v2.reserves.filter((r) => r.supplied !== "0" || r.borrowed !== "0").length;
    if (all.total.noUSDPrice.length !== v2held || all.total.noUSDPrice.some((x) => x.deployment !== "aave-v2-devnet")) fail("noUSDPrice " + JSON.stringify(all.total.noUSDPrice));
    const sum = (k) => String(JSON.parse(process.argv[1]).markets.reduce((s, m) => s + BigInt(m[k] || 0), 0n));
    if (all.total.suppliedUSD !== sum("suppliedUSD") || all.total.borrowedUSD !== sum("borrowedUSD")) fail("total " + JSON.stringify(all.total));
    console.log(1);' "$all" "$v3" "$v2")))
done
[ "$n" -ge 3 ] || { echo "FAIL position_cross: only $n accounts on both protocols"; exit 1; }
# Aave V3 and V4 (issue 18): the V4 scenario's users hold positions on several Spokes; those also
# on V3 are listed with one market per Spoke, each with the Spoke's own health factor and
# balances (as `position --deployment aave-v4-devnet` prints them, which aave_v4.sh checks
# against the Spokes' views), and a USD total over every market (V4's oracle answers in USD)
both4=$(node -e '
  const fs = require("fs"), [a, b] = process.argv.slice(1).map((f) => JSON.parse(fs.readFileSync(f)));
  const v4 = b.users.map((x) => x.toLowerCase());
  console.log(a.accounts.map((x) => x.toLowerCase()).filter((x) => v4.includes(x)).join(" "))' "$state/scenario.json" "$state/v4/scenario.json")
n4=0
for acct in $both4; do
  all=$("$bin" position "$acct" --datadir "$state/db" --json)
  v4=$("$bin" position "$acct" --deployment aave-v4-devnet --datadir "$state/db" --json)
  n4=$((n4 + $(node -e '
    const [all, v4] = process.argv.slice(1).map((s) => JSON.parse(s));
    const fail = (m) => { console.error("FAIL position_cross V4 " + all.account + ": " + m); process.exit(1); };
    const spokes = v4.markets.filter((m) => m.positions.some((p) => p.supplied !== "0" || p.drawnDebt !== "0" || p.collateral));
    const mine = all.markets.filter((m) => m.deployment === "aave-v4-devnet");
    const v3 = all.markets.filter((m) => m.deployment === "aave-v3-devnet");
    if (!spokes.length || !v3.length) { console.log(0); process.exit(0); }
    if (mine.length !== v4.markets.length) fail(`${mine.length} V4 markets listed, ${v4.markets.length} Spokes`);
    for (const s of v4.markets) {
      const m = mine.find((x) => x.market.slice(-40) === s.market.slice(2).toLowerCase());
      if (!m) fail("Spoke " + s.market + " not listed");
      if (m.protocol !== "aave_v4" || m.base !== "USD") fail("V4 market " + JSON.stringify([m.protocol, m.base]));
      if (m.healthFactor !== s.healthFactor) fail(`Spoke ${s.market} HF ${m.healthFactor}, --deployment ${s.healthFactor}`);
      for (const p of s.positions) {
        const r = m.reserves.find((x) => x.asset === p.asset);
        const debt = String(BigInt(p.drawnDebt) + BigInt(p.premiumDebt));
        if (!r || r.supplied !== p.supplied || r.borrowed !== debt || r.symbol !== p.symbol || !r.symbol) fail(`Spoke ${s.market} reserve ${p.reserveId}: ${JSON.stringify(r)} vs ${JSON.stringify(p)}`);
      }
      if (m.suppliedUSD === null || m.borrowedUSD === null) fail("V4 positions without a USD value");
    }
    const sum = (k) => String(all.markets.reduce((s, m) => s + BigInt(m[k] || 0), 0n));
    if (all.total.suppliedUSD !== sum("suppliedUSD") || all.total.borrowedUSD !== sum("borrowedUSD")) fail("total " + JSON.stringify(all.total));
    if (!all.total.complete && all.total.noUSDPrice.some((x) => x.deployment === "aave-v4-devnet")) fail("V4 positions left out of the USD total");
    console.log(1);' "$all" "$v4")))
done
[ "$n4" -ge 2 ] || { echo "FAIL position_cross: only $n4 accounts on Aave V3 and V4"; exit 1; }
acct=${both4%% *}
"$bin" position "$acct" --datadir "$state/db" | grep -q "^devnet     aave-v4-devnet " || { echo "FAIL position_cross: no V4 row in the text"; exit 1; }
acct=${both%% *}
text=$("$bin" position "$acct" --datadir "$state/db")
grep -qi "^== $acct on [0-9]* markets (chains: devnet)$" <<<"$text" || { echo "FAIL position_cross text: $text"; exit 1; }
grep -q "^devnet     aave-v2-devnet .*no USD price" <<<"$text" || { echo "FAIL position_cross text row"; exit 1; }
echo "position_cross: ok ($n accounts on Aave V3 and V2, $n4 on Aave V3 and V4)"
