#!/usr/bin/env bash
# chains/ against npm @bgd-labs/aave-address-book at the version tests/devnet/package.json pins
# (tests/devnet/address_book.js): every address-book Aave V3 market of a shipped chain is in
# chains/ with the same contracts, and the check catches a changed address and a missing market.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
js="$root/tests/devnet/address_book.js"
[ -d "$root/tests/devnet/node_modules/@bgd-labs/aave-address-book" ] ||
  { echo "address book missing: run 'npm ci' in tests/devnet"; exit 1; }
node "$js" "$root/chains"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one digit of Lido's oracle changed: named with the book's value
cp "$root"/chains/*.json "$tmp/"
sed -i 's/0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE6/0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE7/' \
  "$tmp/ethereum.json"
set +e
err=$(node "$js" "$tmp" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || { echo "changed oracle: exit $rc, want 1"; exit 1; }
echo "$err" | grep -q "aave-v3-ethereum-lido: oracle 0xE3C061981870C0C7b1f3C4F4bB36B95f1F260BE7" ||
  { echo "changed oracle not named: $err"; exit 1; }
# the Gnosis market left out: the book's market is named as missing
cp "$root"/chains/*.json "$tmp/"
node -e '
const fs = require("fs"); const p = process.argv[1]; const c = JSON.parse(fs.readFileSync(p, "utf8"));
c.deployments = c.deployments.filter((d) => d.name !== "aave-v3-gnosis");
fs.writeFileSync(p, JSON.stringify(c));' "$tmp/gnosis.json"
set +e
err=$(node "$js" "$tmp" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || { echo "missing market: exit $rc, want 1"; exit 1; }
echo "$err" | grep -q "address book AaveV3Gnosis (chain 100, pool 0xb50201558B00496A145fE76f7424749556E326D8) has no deployment" ||
  { echo "missing market not named: $err"; exit 1; }
# a group token the market does not list
cp "$root"/chains/*.json "$tmp/"
sed -i '0,/"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",/s//"0x000000000000000000000000000000000000dEaD",/' \
  "$tmp/ethereum.json"
set +e
err=$(node "$js" "$tmp" 2>&1); rc=$?
set -e
[ "$rc" = 1 ] || { echo "foreign group token: exit $rc, want 1"; exit 1; }
echo "$err" | grep -q "aave-v3-ethereum: group eth token 0x000000000000000000000000000000000000dEaD is not an asset of AaveV3Ethereum" ||
  { echo "foreign group token not named: $err"; exit 1; }
echo "chains_address_book: ok"
