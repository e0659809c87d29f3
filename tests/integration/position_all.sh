#!/usr/bin/env bash
# issue 11: `position ADDRESS` lists every market the address is on — each deployment of each
# synced chain (and each isolated sub-market) — with per-market rows and a total in USD from
# the chain's USD price book. The devnet has one protocol, so this checks the listing against
# the one-market output, a deployment with no handler (listed as not covered), a chain whose
# only oracle does not answer in USD (every position "no USD price", never a guess), an empty
# listing and an unsynced chain; the book across markets is in test_usd. Then `cascade
# --all-markets` (one cascade over every market of the store) against the one-market cascade.
set -euo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
acct=$(node -e "console.log(require('$state/scenario.json').looped_account)")
fail() { echo "FAIL position_all: $*"; exit 1; }

# one deployment: the listing's market is exactly the --deployment object, the total its sum
one=$("$bin" position "$acct" --deployment aave-v3-devnet --datadir "$state/db" --json)
all=$("$bin" position "$acct" --datadir "$state/db" --json)
node -e '
  const [one, all] = process.argv.slice(1).map((s) => JSON.parse(s));
  const fail = (m) => { console.error("FAIL position_all (one deployment): " + m); process.exit(1); };
  if (all.markets.length !== 1 || all.chains.join() !== "devnet") fail("markets/chains " + JSON.stringify(all));
  const m = all.markets[0];
  for (const k of Object.keys(one)) if (JSON.stringify(one[k]) !== JSON.stringify(m[k]) && k !== "reserves") fail("field " + k);
  if (m.base !== "USD" || m.market !== null) fail("base/market");
  let s = 0n, b = 0n;
  for (const [i, r] of m.reserves.entries()) {
    for (const k of Object.keys(one.reserves[i])) if (JSON.stringify(one.reserves[i][k]) !== JSON.stringify(r[k])) fail("reserve " + k);
    // a USD market values in USD at its own oracle: base 8 decimals = USD 8 decimals
    if (r.suppliedUSD !== r.suppliedBase || r.borrowedUSD !== r.borrowedBase || r.usdPriceFrom !== "aave-v3-devnet") fail("reserve USD " + JSON.stringify(r));
    s += BigInt(r.suppliedUSD); b += BigInt(r.borrowedUSD);
  }
  if (BigInt(all.total.suppliedUSD) !== s || BigInt(all.total.borrowedUSD) !== b || BigInt(all.total.netUSD) !== s - b) fail("total " + JSON.stringify(all.total));
  if (b === 0n || !all.total.complete || all.total.usdDecimals !== 8 || all.notCovered.length) fail("total flags " + JSON.stringify(all.total));
  ' "$one" "$all"

# a deployment of a protocol this lendex has no handler for is listed as not covered
mkdir -p "$state/chains" "$state/nousd"
node -e '
  const fs = require("fs"), [src, dst, nousd] = process.argv.slice(1), c = JSON.parse(fs.readFileSync(src));
  const d = c.deployments[0];
  c.deployments.push({ name: "some-other-lender", protocol: "spark", start_block: 1,
    version: "3.0.0", contracts: { pool: "0x00000000000000000000000000000000000c0de1" } });
  fs.writeFileSync(dst + "/devnet.json", JSON.stringify(c));
  c.deployments = [{ ...d, base_currency_decimals: 18 }];
  fs.writeFileSync(nousd + "/devnet.json", JSON.stringify(c));' \
  "$root/chains/devnet.json" "$state/chains" "$state/nousd"
multi=$("$bin" position "$acct" --chains-dir "$state/chains" --datadir "$state/db" --json)
node -e '
  const [all, multi] = process.argv.slice(1).map((s) => JSON.parse(s));
  const fail = (m) => { console.error("FAIL position_all (unsupported deployment): " + m); process.exit(1); };
  if (JSON.stringify(multi.markets) !== JSON.stringify(all.markets) || JSON.stringify(multi.total) !== JSON.stringify(all.total)) fail("markets or total changed");
  if (multi.notCovered.length !== 1 || multi.notCovered[0].deployment !== "some-other-lender") fail("notCovered " + JSON.stringify(multi.notCovered));
  ' "$all" "$multi"
text=$("$bin" position "$acct" --chains-dir "$state/chains" --datadir "$state/db")
grep -qi "^== $acct on 1 market (chains: devnet)$" <<<"$text" || fail "text header: $text"
grep -q "^total (USD)" <<<"$text" || fail "text total"
grep -q "^net (USD) " <<<"$text" || fail "text net"
grep -q "^not covered: devnet's deployment some-other-lender" <<<"$text" || fail "text not covered"
[ "$(grep -c '^account  ' <<<"$text")" = 1 ] || fail "text: one block per market"

# no oracle answering in USD: no USD price for anything, said, and the total says it is partial
nousd=$("$bin" position "$acct" --chains-dir "$state/nousd" --datadir "$state/db" --json)
node -e '
  const j = JSON.parse(process.argv[1]);
  const fail = (m) => { console.error("FAIL position_all (no USD oracle): " + m); process.exit(1); };
  const m = j.markets[0];
  if (m.suppliedUSD !== null || m.borrowedUSD !== null) fail("market USD");
  if (m.reserves.some((r) => r.suppliedUSD !== null || r.usdPriceFrom !== null)) fail("reserve USD");
  if (j.total.complete || j.total.noUSDPrice.length !== m.reserves.length || j.total.suppliedUSD !== "0") fail("total " + JSON.stringify(j.total));
  ' "$nousd"
"$bin" position "$acct" --chains-dir "$state/nousd" --datadir "$state/db" | grep -q "no USD price: " || fail "text no USD price"

# an address on no market; one not synced chain named explicitly is an error, not an empty list
none=$("$bin" position 0x000000000000000000000000000000000000dEaD --datadir "$state/db" --json)
node -e 'const j = JSON.parse(process.argv[1]); if (j.markets.length || j.total.suppliedUSD !== "0" || !j.total.complete) process.exit(1)' "$none" || fail "empty listing: $none"
"$bin" position 0x000000000000000000000000000000000000dEaD --datadir "$state/db" | grep -q "no positions on any synced market (chains: devnet)" || fail "empty text"
if "$bin" position "$acct" --chain ethereum --datadir "$state/db" --json >/dev/null 2>"$state/err"; then fail "unsynced chain accepted"; fi
grep -q "chain ethereum has not been synced" "$state/err" || fail "unsynced chain message: $(cat "$state/err")"
# cascade --all-markets: with one market it is exactly the one-market cascade (the coupling of
# markets that share a token is in test_cascade_views); its shock names the token it moved
single=$("$bin" cascade --shock WETH=-30% --market percent --datadir "$state/db" --json)
allc=$("$bin" cascade --all-markets --shock WETH=-30% --datadir "$state/db" --json)
node -e '
  const [one, all] = process.argv.slice(1).map((s) => JSON.parse(s));
  const fail = (m) => { console.error("FAIL position_all (cascade --all-markets): " + m); process.exit(1); };
  if (all.markets.length !== 1 || all.markets[0].deployment !== "aave-v3-devnet" || all.markets[0].notComputed !== null) fail("markets");
  if (all.shocks.length !== 1 || all.shocks[0].bps !== -3000 || all.shocks[0].chainId !== 31337) fail("shocks " + JSON.stringify(all.shocks));
  for (const k of ["block", "timestamp", "market"]) delete one[k];
  if (JSON.stringify(one) !== JSON.stringify(all.markets[0].cascade)) fail("differs from the one-market cascade");
  if (!one.liquidations || one.liquidations.length === 0) fail("no liquidation: a weak check");
  ' "$single" "$allc"
"$bin" cascade --all-markets --shock WETH=-30% --datadir "$state/db" | grep -q "^== devnet aave-v3-devnet (aave_v3, base USD)$" || fail "cascade text"
if "$bin" cascade --all-markets --shock NOPE=-30% --datadir "$state/db" 2>"$state/err"; then fail "unknown asset accepted"; fi
grep -q "bad shock 'NOPE=-30%': no asset or group of that name in any market" "$state/err" || fail "shock message: $(cat "$state/err")"
echo "position_all: ok"
