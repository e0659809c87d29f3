// gen_abi_vectors.js: writes fixtures/abi/vectors.json — log encodings produced by ethers'
// AbiCoder (an independent encoder) with the values we expect lendex to decode, plus
// malformed variants with the error each must raise.
// usage: cd tests/devnet && node ../../scripts/gen_abi_vectors.js > ../../fixtures/abi/vectors.json
'use strict';
const { AbiCoder, keccak256, toUtf8Bytes, zeroPadValue, toBeHex } = require(require.resolve('ethers', { paths: [process.cwd()] }));
const coder = AbiCoder.defaultAbiCoder();
const ev = {
  type: 'event', name: 'Complex', anonymous: false,
  inputs: [
    { name: 'who', type: 'address', indexed: true },
    { name: 'small', type: 'uint8', indexed: false },
    { name: 'neg', type: 'int16', indexed: false },
    { name: 'tag', type: 'bytes3', indexed: false },
    { name: 'blob', type: 'bytes', indexed: false },
    { name: 'label', type: 'string', indexed: true },
    { name: 'text', type: 'string', indexed: false },
    { name: 'nums', type: 'uint256[]', indexed: false },
    { name: 'pairs', type: 'tuple[2]', indexed: false, components: [{ name: 'p', type: 'uint64' }, { name: 'q', type: 'string' }] },
    { name: 'nested', type: 'uint16[][]', indexed: false },
    { name: 'flag', type: 'bool', indexed: false },
  ],
};
const sig = 'Complex(address,uint8,int16,bytes3,bytes,string,string,uint256[],(uint64,string)[2],uint16[][],bool)';
const who = '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed';
const vals = [7, -300, '0xabcdef', '0x0102030405', 'héllo, abi', [1n, 2n ** 255n, 0n],
  [[5n, 'x'], [18446744073709551615n, '']], [[1, 2], [], [65535]], true];
const types = ['uint8', 'int16', 'bytes3', 'bytes', 'string', 'uint256[]', 'tuple(uint64 p,string q)[2]', 'uint16[][]', 'bool'];
const data = coder.encode(types, vals);
const topics = [keccak256(toUtf8Bytes(sig)), zeroPadValue(who, 32), keccak256(toUtf8Bytes('the label'))];
const args = { who, small: '7', neg: '-300', tag: '0xabcdef', blob: '0x0102030405', label: topics[2], text: 'héllo, abi',
  nums: ['1', (2n ** 255n).toString(), '0'], pairs: [{ p: '5', q: 'x' }, { p: '18446744073709551615', q: '' }],
  nested: [['1', '2'], [], ['65535']], flag: true };
const hex = data.slice(2);
const word = (i) => hex.slice(i * 64, i * 64 + 64);
const setWord = (h, i, w) => h.slice(0, i * 64) + w + h.slice(i * 64 + 64);
const bad = [];
bad.push({ why: 'short', data: '0x' + hex.slice(0, 64 * 3), error: 'LX_ESHORT' });
bad.push({ why: 'offset past end', data: '0x' + setWord(hex, 3, toBeHex(1n << 20n, 32).slice(2)), error: 'LX_EOFFSET' });
// the blob's length word lives where its offset points
const blobOff = Number(BigInt('0x' + word(3))) / 32;
bad.push({ why: 'length too large', data: '0x' + setWord(hex, blobOff, toBeHex(1n << 40n, 32).slice(2)), error: 'LX_ELENGTH' });
bad.push({ why: 'uint8 high bits', data: '0x' + setWord(hex, 0, toBeHex(256, 32).slice(2)), error: 'LX_EPADDING' });
bad.push({ why: 'int16 not sign extended', data: '0x' + setWord(hex, 1, '00'.repeat(30) + 'fed4'), error: 'LX_EPADDING' });
bad.push({ why: 'bytes3 padding', data: '0x' + setWord(hex, 2, 'abcdef' + '00'.repeat(28) + '01'), error: 'LX_EPADDING' });
bad.push({ why: 'bool 2', data: '0x' + setWord(hex, 8, toBeHex(2, 32).slice(2)), error: 'LX_EPADDING' });
bad.push({ why: 'blob padding', data: '0x' + setWord(hex, blobOff + 1, '0102030405' + '00'.repeat(26) + '09'), error: 'LX_EPADDING' });
bad.push({ why: 'topic count', topics: topics.slice(0, 2), data, error: 'LX_ETOPICS' });
bad.push({ why: 'dirty address topic', topics: [topics[0], '0x01' + topics[1].slice(4), topics[2]], data, error: 'LX_EPADDING' });
process.stdout.write(JSON.stringify({ abi: [ev], signature: sig, topics, data, args, bad }, null, 1) + '\n');
