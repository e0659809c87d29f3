// lib/morpho.js: Morpho Blue 1.0 on a devnet — the contracts compiled by morpho_build.js (cached),
// the singleton with its IRMs and LLTVs enabled, market ids as Morpho computes them, and the
// event interface (solc 0.8.19 keeps EventsLib's events out of Morpho's ABI: both are needed).
// Used by morpho.js (its seeded scenario) and cross.js (markets on tokens shared with Aave V3
// and Compound V3).
'use strict';
const { ethers } = require('ethers');
const { build } = require('../morpho_build');

let C = null;
const contracts = () => (C || (C = build()));

const deploy = (net, name, signer, args = []) =>
  net.deploy(contracts()[name].abi, contracts()[name].bytecode, signer, args, `deploy ${name}`);

// the singleton owned by owner, with these IRMs (address(0) = no interest) and LLTVs enabled
async function singleton(net, owner, irms, lltvs) {
  const morpho = await deploy(net, 'Morpho', owner, [await owner.getAddress()]);
  for (const i of irms) await net.send('enableIrm', morpho.enableIrm(i));
  for (const l of lltvs) await net.send('enableLltv', morpho.enableLltv(l));
  return morpho;
}

const coder = ethers.AbiCoder.defaultAbiCoder();
const idOf = (m) => ethers.keccak256(coder.encode(['address', 'address', 'address', 'address', 'uint256'],
  [m.loanToken, m.collateralToken, m.oracle, m.irm, m.lltv]));
const iface = () => new ethers.Interface(contracts().Morpho.abi.concat(contracts().EventsLib.abi.filter((x) => x.type === 'event')));

function deployment(name, startBlock, morpho) {
  return { name, protocol: 'morpho_blue', version: '1.0.0', start_block: startBlock, contracts: { morpho: morpho.target } };
}

module.exports = { contracts, deploy, singleton, idOf, iface, coder, deployment };
