// cross_cascade.js: one shock on the token Aave V3, Morpho Blue and Compound V3 share on the
// cross.js devnet (after lendex synced it), round 1 of `lendex cascade --all-markets` against
// the three contracts at once (cascade_onchain.js with aave_cascade.js, morpho_cascade.js and
// comet_cascade.js): every price source of the token moves in one block (Aave's oracle
// source, Comet's feed, each Morpho oracle that prices it — as collateral, or inversely as the
// loan token); lendex must list liquidations on all three protocols, exactly the positions
// each contract lets a liquidator into, and each sent in one block must seize and repay what
// lendex said. Round 1 needs no market model (its liquidations are at the shocked oracle
// prices), so --all-markets' percentage model is no limit here.
//
// usage: node cross_cascade.js STATEDIR LENDEX DATADIR SYMBOL PCT
'use strict';
const fs = require('fs');
const path = require('path');
const { net, run, lendexCascade } = require('./cascade_onchain');

async function main() {
  const [stateDir, bin, dataDir, sym, pctArg] = process.argv.slice(2);
  if (!pctArg) { console.error('usage: node cross_cascade.js STATEDIR LENDEX DATADIR SYMBOL PCT'); process.exit(1); }
  const sc = JSON.parse(fs.readFileSync(path.join(stateDir, 'scenario.json'), 'utf8'));
  const n = net(sc.rpc);
  const all = await n.rpc('eth_accounts');
  const env = { n, admin: all[0], liquidator: all[all.length - 2] };
  const token = sc.tokens[sym];
  const accounts = Object.keys(sc.accounts);
  const modules = [
    require('./aave_cascade').module(env, { pool: sc.pool, oracle: sc.oracle, accounts }, token),
    require('./morpho_cascade').module(env, { morpho: sc.morpho, markets: sc.markets, accounts }, token),
    require('./comet_cascade').module(env, { comet: sc.comet, accounts }, token),
  ];
  const byDeployment = { 'aave-v3-cross': 'aave', 'morpho-blue-cross': 'morpho', 'compound-v3-cross': 'comet' };
  const bps = Math.round(Number(pctArg) * 100);
  const res = await run({
    n, modules, bps,
    lendex: (T) => {
      const j = lendexCascade(bin, ['--all-markets', '--chain', 'devnet', '--datadir', dataDir,
        '--shock', `${token}=${pctArg}%`, '--rounds', '1', '--at', String(T)]);
      const out = {};
      for (const m of j.markets) if (byDeployment[m.deployment]) out[byDeployment[m.deployment]] = m.cascade;
      return out;
    },
    log: (s) => console.log('cross_cascade: ' + s),
  });
  let bad = res.bad;
  const counts = modules.map((m) => `${m.name} ${(res.listed[m.name] || []).length}`);
  for (const m of modules)
    if (!(res.listed[m.name] || []).length) { bad++; console.error(`cross_cascade: no ${m.name} liquidation in round 1: the shared shock must liquidate on every protocol`); }
  console.log(`cross_cascade: ${sym} ${pctArg}% liquidates ${counts.join(', ')} in round 1, sent in block ${res.block}: ` +
    (bad ? `${bad} mismatches` : 'every amount equals the chain'));
  process.exit(bad ? 1 : 0);
}
main().catch((e) => { console.error('cross_cascade: ' + (e.stack || e.message)); process.exit(2); });
