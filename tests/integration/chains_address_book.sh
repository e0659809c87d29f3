#!/usr/bin/env bash
# chains/ against the Aave address books tests/devnet/package.json pins (npm
# @bgd-labs/aave-address-book and @aave-dao/aave-address-book; tests/devnet/address_book.js):
# every book's Aave V3 market of a shipped chain is in chains/ with the same contracts, the V4
# Hubs, Spokes and oracles are the book's. Then one copy of chains/ with five faults — a changed
# V3 oracle, a V3 market left out, a foreign group token, a changed V4 oracle, a V4 Hub left out —
# must fail naming each.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
js="$root/tests/devnet/address_book.js"
for p in @bgd-labs/aave-address-book @aave-dao/aave-address-book; do
  [ -d "$root/tests/devnet/node_modules/$p" ] || { echo "$p missing: run 'npm ci' in tests/devnet"; exit 1; }
done
node "$js" "$root/chains"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp "$root"/chains/*.json "$tmp/"
node -e '
const fs = require("fs");
const dir = process.argv[1];
const edit = (f, fn) => {
  const p = dir + "/" + f; const c = JSON.parse(fs.readFileSync(p, "utf8")); fn(c);
  fs.writeFileSync(p, JSON.stringify(c));
};
const dep = (c, name) => c.deployments.find((d) => d.name === name);
edit("ethereum.json", (c) => {
  dep(c, "aave-v3-ethereum-lido").contracts.oracle = "0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE7";
  dep(c, "aave-v3-ethereum").groups.eth[0] = "0x000000000000000000000000000000000000dEaD";
  const v4 = dep(c, "aave-v4-ethereum");
  v4.contracts["oracle:main"] = "0x000000000000000000000000000000000000bEEF";
  delete v4.contracts["hub:global_dollar"];
});
edit("gnosis.json", (c) => { c.deployments = c.deployments.filter((d) => d.name !== "aave-v3-gnosis"); });
' "$tmp"
set +e
err=$(node "$js" "$tmp" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || { echo "faulty chains/: exit $rc, want 1: $err"; exit 1; }
want=(
  "aave-v3-ethereum-lido: oracle 0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE7, @bgd-labs/aave-address-book@4.44.22 AaveV3EthereumLido.ORACLE = 0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE6"
  "aave-v3-ethereum-lido: oracle 0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE7, @aave-dao/aave-address-book@4.68.1 AaveV3EthereumLido.ORACLE"
  "@bgd-labs/aave-address-book@4.44.22 AaveV3Gnosis (chain 100, pool 0xb50201558B00496A145fE76f7424749556E326D8) has no deployment in chains/"
  "@aave-dao/aave-address-book@4.68.1 AaveV3Gnosis (chain 100, pool 0xb50201558B00496A145fE76f7424749556E326D8) has no deployment in chains/"
  "aave-v3-ethereum: group eth token 0x000000000000000000000000000000000000dEaD is not an asset of AaveV3Ethereum"
  "aave-v4-ethereum: oracle:main 0x000000000000000000000000000000000000bEEF, @aave-dao/aave-address-book@4.68.1 AaveV4Ethereum.MAIN_SPOKE_ORACLE = 0x99B2B6CEa9C3D2fd8F4d90f86741C44B212a6127"
  "aave-v4-ethereum: @aave-dao/aave-address-book@4.68.1 AaveV4Ethereum.HUBS.GLOBAL_DOLLAR_HUB (0x62d63197660c080236193CA60b70E49A08E90368) is not listed"
)
for w in "${want[@]}"; do
  grep -qF "$w" <<<"$err" || { echo "not named: $w"; echo "got: $err"; exit 1; }
done
echo "chains_address_book: ok"
