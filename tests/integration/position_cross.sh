#!/usr/bin/env bash
# issue 11: one account on two protocols. The Aave V3 devnet scenario and the Aave V2 one
# (tests/devnet/aave_v2.js) are played on the same anvil, so the same accounts hold positions on
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
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
mkdir -p "$state/v2" "$state/chains"
DEVNET_QUIET=1 node "$root/tests/devnet/aave_v2.js" "$rpc" "$state/v2" 7 >/dev/null
node -e '
  const fs = require("fs"), [v3f, v2f, out] = process.argv.slice(1);
  const c = JSON.parse(fs.readFileSync(v3f));
  c.deployments.push(...JSON.parse(fs.readFileSync(v2f)).deployments);
  fs.writeFileSync(out, JSON.stringify(c));' \
  "$root/chains/devnet.json" "$state/v2/chains/devnet.json" "$state/chains/devnet.json"
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
    if (all.total.suppliedUSD !== all.markets[0].suppliedUSD || all.total.borrowedUSD !== all.markets[0].borrowedUSD) fail("total " + JSON.stringify(all.total));
    console.log(1);' "$all" "$v3" "$v2")))
done
[ "$n" -ge 3 ] || { echo "FAIL position_cross: only $n accounts on both protocols"; exit 1; }
acct=${both%% *}
text=$("$bin" position "$acct" --datadir "$state/db")
grep -qi "^== $acct on 2 markets (chains: devnet)$" <<<"$text" || { echo "FAIL position_cross text: $text"; exit 1; }
grep -q "^devnet     aave-v2-devnet .*no USD price" <<<"$text" || { echo "FAIL position_cross text row"; exit 1; }
echo "position_cross: ok ($n accounts on both protocols)"
