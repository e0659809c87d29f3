#!/usr/bin/env bash
# The risk pass against the chain: (1) shock WETH's oracle on-chain by 20%; the accounts lendex's
# cascade marks liquidatable in round 1 are exactly those getUserAccountData puts below HF 1,
# and liquidating them on-chain repays and seizes exactly what lendex predicts (to the wei);
# (2) report.html renders in headless Chromium with its four charts, axes and labels, and no
# console errors; the CSV and JSON outputs exist and parse.
set -euo pipefail
bin=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
state=$(mktemp -d)
trap '"$root/tests/devnet/devnet.sh" down "$state"; rm -rf "$state"' EXIT
"$root/tests/devnet/devnet.sh" up "$state" >/dev/null
rpc=$(cat "$state/rpc")
"$bin" sync --chain devnet --rpc "$rpc" --datadir "$state/db" --quiet
# reports first (the store is as synced; the on-chain shock below does not touch it)
"$bin" report --chain devnet --datadir "$state/db" --out "$state/report" >/dev/null
for f in report.json report.html leverage.csv hf_bands.csv clusters.csv ladder.csv \
         liquidations_defillama.csv cascade.csv sweep.csv; do
  [ -s "$state/report/$f" ] || { echo "missing $f"; exit 1; }
done
node -e 'const r=require(process.argv[1]); if(!r.healthFactors.bands.length||!r.sweep.length||!r.leverage.depthHistogram) process.exit(1)' "$state/report/report.json"
"$bin" leverage --chain devnet --datadir "$state/db" --json | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s);if(j.looped<2)process.exit(1)})'
chrome=$(command -v chromium || command -v chromium-browser || true)
[ -n "$chrome" ] || { echo "chromium is not installed (Debian package chromium)"; exit 1; }
prof=$(mktemp -d)
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --user-data-dir="$prof" --enable-logging=stderr --v=0)
timeout 90 "$chrome" "${flags[@]}" --window-size=1400,1800 --screenshot="$state/report/shot.png" \
  "file://$state/report/report.html" 2>"$state/chrome.err" >/dev/null || true
timeout 90 "$chrome" "${flags[@]}" --dump-dom "file://$state/report/report.html" >"$state/dom.html" 2>>"$state/chrome.err"
rm -rf "$prof"
[ "$(stat -c %s "$state/report/shot.png")" -gt 20000 ] || { echo "screenshot missing or empty"; exit 1; }
if grep -E "CONSOLE|Uncaught|Failed to load" "$state/chrome.err"; then echo "console errors"; exit 1; fi
node -e '
const dom = require("fs").readFileSync(process.argv[1], "utf8");
const charts = { "hf-histogram": 0, "ladder-": 0, "depth-distribution": 0, "cascade-curve": 0 };
const svgs = dom.split("<svg").slice(1);
for (const s of svgs) {
  const id = (s.match(/id="([^"]+)"/) || [])[1] || "";
  for (const k of Object.keys(charts)) if (id.startsWith(k)) {
    const ok = /class="title"/.test(s) && (s.match(/class="axis-title"/g) || []).length >= 2 &&
      /class="axis x-axis"/.test(s) && /class="axis y-axis"/.test(s) && (s.match(/class="tick/g) || []).length >= 5;
    if (!ok) { console.error("chart " + id + " lacks a title, axes or labels"); process.exit(1); }
    charts[k]++;
  }
}
for (const [k, n] of Object.entries(charts)) if (!n) { console.error("no chart " + k); process.exit(1); }
console.log("report.html: charts " + JSON.stringify(charts));
' "$state/dom.html"
# the cascade referee (changes the chain: last)
node "$root/tests/devnet/cascade_check.js" "$state" "$bin" "$state/db" 20
echo "risk_devnet: ok"
