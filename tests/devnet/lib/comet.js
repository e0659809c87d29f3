// lib/comet.js: a Compound V3 (Comet) market from the compiled artifacts in ../shared/compound-v3
// — the classic `Comet` behind a TransparentUpgradeableProxy with its CometProxyAdmin and
// CometExt, as the shared smoke deploy's direct mode does, configured with mainnet cUSDCv3's
// rates and factors (deployments/mainnet/usdc/configuration.json). Used by comet.js (which later
// upgrades it to CometWithExtendedAssetList) and cross.js.
'use strict';
const fs = require('fs');
const path = require('path');
const { ethers } = require('ethers');
const { U } = require('./net');

const SHARED = process.env.LX_SHARED || path.join(__dirname, '../../../../shared');
let A = null;
const artifacts = () => (A || (A = JSON.parse(fs.readFileSync(path.join(SHARED, 'compound-v3', 'artifacts.json')))));

function mergeAbi(...abis) {
  const seen = new Set();
  const out = [];
  for (const abi of abis) for (const f of abi) {
    if (f.type === 'constructor' || f.type === 'fallback' || f.type === 'receive') continue;
    const key = f.type + ':' + ethers.Fragment.from(f).format('sighash');
    if (!seen.has(key)) { seen.add(key); out.push(f); }
  }
  return out;
}
// the proxy answers the implementation's functions and, through it, CometExt's
const cometAbi = () => mergeAbi(artifacts().CometWithExtendedAssetList.abi, artifacts().Comet.abi, artifacts().CometExt.abi);

const deploy = (net, name, signer, args = []) =>
  net.deploy(artifacts()[name].abi, artifacts()[name].bytecode, signer, args, `deploy ${name}`);

// an asset config: factors as decimals (0.825), cap in whole tokens
const asset = (addr, feed, dec, bcf, lcf, lf, cap) => ({ asset: addr, priceFeed: feed, decimals: dec,
  borrowCollateralFactor: U(bcf, 18), liquidateCollateralFactor: U(lcf, 18), liquidationFactor: U(lf, 18),
  supplyCap: U(cap, dec) });

// mainnet cUSDCv3's interest-rate and reserve parameters with this base and these assets
function configuration(governor, base, baseFeed, extensionDelegate, assetConfigs) {
  return {
    governor, pauseGuardian: governor, baseToken: base, baseTokenPriceFeed: baseFeed, extensionDelegate,
    supplyKink: U(0.8, 18), supplyPerYearInterestRateSlopeLow: U(0.0325, 18),
    supplyPerYearInterestRateSlopeHigh: U(0.4, 18), supplyPerYearInterestRateBase: 0n,
    borrowKink: U(0.8, 18), borrowPerYearInterestRateSlopeLow: U(0.035, 18),
    borrowPerYearInterestRateSlopeHigh: U(0.25, 18), borrowPerYearInterestRateBase: U(0.015, 18),
    storeFrontPriceFactor: U(0.5, 18), trackingIndexScale: U(1, 15), baseTrackingSupplySpeed: 0n,
    baseTrackingBorrowSpeed: 0n, baseMinForRewards: U(1000000, 6), baseBorrowMin: U(100, 6),
    targetReserves: U(5000000, 6), assetConfigs,
  };
}

// The market: proxy admin, extension, implementation, proxy, storage initialised.
// Returns { configuration, extConfig, cometAdmin, impl, proxy, address, startBlock, at(signer) }.
async function market(net, admin, { base, baseFeed, assets, name = 'Compound USDC', symbol = 'cUSDCv3' }) {
  const cometAdmin = await deploy(net, 'CometProxyAdmin', admin, [await admin.getAddress()]);
  const extConfig = { name32: ethers.encodeBytes32String(name), symbol32: ethers.encodeBytes32String(symbol) };
  const cometExt = await deploy(net, 'CometExt', admin, [extConfig]);
  const cfg = configuration(await admin.getAddress(), base, baseFeed, cometExt.target, assets);
  const impl = await deploy(net, 'Comet', admin, [cfg]);
  const proxy = await deploy(net, 'TransparentUpgradeableProxy', admin, [impl.target, cometAdmin.target, '0x']);
  const abi = cometAbi();
  const at = (signer) => new ethers.Contract(proxy.target, abi, signer);
  await net.send('initializeStorage', at(admin).initializeStorage());
  return { configuration: cfg, extConfig, cometAdmin, impl, proxy, address: proxy.target, startBlock: proxy.deployBlock, at };
}

function deployment(name, startBlock, address) {
  return { name, protocol: 'compound_v3', version: '3', start_block: startBlock, base_currency_decimals: 8,
    contracts: { comet: address } };
}

module.exports = { artifacts, deploy, asset, configuration, market, deployment, cometAbi };
