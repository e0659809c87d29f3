// proxy.js: a loopback JSON-RPC proxy that makes a well-behaved node (anvil) behave like a
// public one. On a schedule drawn from --seed it injects what public endpoints do and a real
// node will not do on demand: eth_getLogs range refusals in several providers' wordings (with
// and without a suggested range), result-count refusals, HTTP 429 with Retry-After, 5xx,
// answers slower than the client's timeout, truncated bodies, malformed JSON, a lagging head,
// and reorgs (snapshot/revert on anvil, then different blocks mined). Not in 'all': 'jitter'
// holds every answer a random 0..--jitter-ms, so concurrent answers come back out of order;
// 'strict' is a strict free-tier provider: every eth_getLogs over --max-range blocks (default
// 10) refused, without a hint of what would work.
//
// --hostile LIST spoils answers the way a hostile or broken node does, the first --times N of
// each kind (default 1; -1 = every one):
//   dup_log       an eth_getLogs answer repeats a log (same block and logIndex)
//   outside_log   an eth_getLogs answer has a log one block past the range asked for
//   wrong_hash    a log's blockHash is not its block's (a load balancer's other fork)
//   call_error    eth_call fails: "missing trie node" (a pruned full node)
//   call_garbage  eth_call answers 2 bytes
//   head_back     eth_blockNumber goes back 100 blocks
//   dup_batch     a JSON-RPC batch answer repeats an id (with another result)
//   batch_id      a batch of eth_calls: one entry answers an id that was not asked
//   batch_error   a batch of eth_calls: one entry is the node's error ("missing trie node")
//   batch_short   a batch of eth_calls: the answer lacks its last entry
//   batch_refuse  every batch (an array) refused: one error object, as nodes without batch
//                 support or over their batch limit answer (with --times -1: a node that never
//                 takes a batch)
//   gzip_bomb     an eth_getBlockByNumber answer is 300 kB of gzip that inflates to 300 MiB
//   chunked_bomb  an eth_getLogs answer streams chunks without end
//
// usage: node proxy.js --upstream URL [--listen 127.0.0.1:0] [--seed N] [--faults LIST|all]
//          [--rate 0.2] [--max-range 50] [--max-results 40] [--delay-ms 1500]
//          [--jitter-ms 40] [--hostile LIST] [--times N] [--port-file F]
// Admin: GET /admin/stats (fault counts), POST /admin/reorg {"depth":D}.
// Lies for `sync --verify` (see the tamper block below): [--tamper log-value|drop-log|
//          drop-block|forged-from|wrong-parent|no-block-receipts] [--tamper-from BLOCK]
'use strict';
const http = require('http');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const upstream = new URL(args.upstream || 'http://127.0.0.1:8545');
const [host, port] = (args.listen || '127.0.0.1:0').split(':');
const ALL = ['range', 'count', '429', '5xx', 'delay', 'truncate', 'malformed', 'lag'];
const faults = new Set(!args.faults ? [] : args.faults === 'all' ? ALL : args.faults.split(','));
const rate = Number(args.rate || 0.2);
const strict = faults.has('strict');
const maxRange = Number(args['max-range'] || (strict ? 10 : 50));
const hostile = new Set(args.hostile ? args.hostile.split(',') : []);
const times = Number(args.times || 1);
const maxResults = Number(args['max-results'] || 40);
const delayMs = Number(args['delay-ms'] || 1500);
const jitterMs = Number(args['jitter-ms'] || 40);
let seed = BigInt(args.seed || 1) * 0x9e3779b97f4a7c15n + 1n;
const rnd = () => { // xorshift64*, deterministic per seed
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xffffffffffffffffn; seed ^= seed >> 27n;
  return Number(((seed * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn) >> 11n) / 2 ** 53;
};
const stats = {};
const count = (k) => { stats[k] = (stats[k] || 0) + 1; };
// spoil this answer with hostile fault k? (counts it)
const spoil = (k) => {
  if (!hostile.has(k) || (times >= 0 && (stats[k] || 0) >= times)) return false;
  count(k);
  return true;
};

function up(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: upstream.hostname, port: upstream.port, path: '/', method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on('error', reject);
    req.end(body);
  });
}
let bombBuf = null; // 300 MiB of JSON text, gzipped once (about 300 kB)
const bomb = () => {
  if (!bombBuf) {
    const z = require('zlib');
    const head = Buffer.from('{"jsonrpc":"2.0","id":1,"result":"0x');
    bombBuf = z.gzipSync(Buffer.concat([head, Buffer.alloc(300 << 20, 0x30)]), { level: 1 });
  }
  return bombBuf;
};
const call = async (method, params) => JSON.parse(await up(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }))).result;

const rangeMsgs = [
  (a, b) => ({ code: -32005, message: `query returned more than 10000 results. Try with this block range [0x${a.toString(16)}, 0x${b.toString(16)}].` }),
  () => ({ code: -32602, message: 'block range is too large' }),
  () => ({ code: -32600, message: `eth_getLogs is limited to a ${maxRange} range` }),
  (a, b) => ({ code: -32602, message: `Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x${a.toString(16)}, 0x${b.toString(16)}]` }),
];

async function reorgSnap(depth) {
  // anvil_reorg replaces the last `depth` blocks with new (empty, hence different) ones
  const r = JSON.parse(await up(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_reorg', params: [depth, []] })));
  if (r.error) throw new Error('anvil_reorg: ' + r.error.message);
  count('reorg');
}

// ---- tamper modes: what a hostile node could answer, for `sync --verify` tests ----
// Each mode lies once in a way only verification can see, at the first chance at or after
// --tamper-from: log-value flips a digit of a log's data, drop-log removes a log, drop-block
// removes every log of a block (only the header's logsBloom shows it), forged-from
// claims another sender for the transactions of a block, wrong-parent gives the header of
// block --tamper-from another parentHash. Counted in /admin/stats as tamper-<mode>.
const tamper = args.tamper || '';
const tamperFrom = Number(args['tamper-from'] || 0);
const flipHex = (h) => h.slice(0, -1) + (h.slice(-1) === '0' ? '1' : '0');
function tamperAnswer(reqObj, res) {
  if (tamper === 'no-block-receipts' && reqObj.method === 'eth_getBlockReceipts') {
    // not a lie: a node without the method (the verifier falls back to one receipt per tx)
    count('tamper-' + tamper);
    return { jsonrpc: '2.0', id: reqObj.id, error: { code: -32601, message: 'the method eth_getBlockReceipts does not exist/is not available' } };
  }
  if (!tamper || !res || res.result === null || res.result === undefined) return res;
  const m = reqObj.method, r = res.result;
  if (m === 'eth_getLogs' && Array.isArray(r) && (tamper === 'log-value' || tamper === 'drop-log')) {
    const i = r.findIndex((l) => parseInt(l.blockNumber, 16) >= tamperFrom && (tamper === 'drop-log' || l.data.length > 2));
    if (i < 0) return res;
    if (tamper === 'log-value') r[i].data = flipHex(r[i].data);
    else r.splice(i, 1);
    count('tamper-' + tamper);
  }
  if (m === 'eth_getLogs' && Array.isArray(r) && tamper === 'drop-block') {
    const first = r.find((l) => parseInt(l.blockNumber, 16) >= tamperFrom);
    if (!first) return res;
    res.result = r.filter((l) => l.blockNumber !== first.blockNumber);
    count('tamper-' + tamper);
  }
  if (m === 'eth_getBlockByNumber' && typeof r === 'object' && parseInt(r.number, 16) >= tamperFrom) {
    if (tamper === 'wrong-parent' && parseInt(r.number, 16) === tamperFrom) {
      r.parentHash = flipHex(r.parentHash);
      count('tamper-' + tamper);
    }
    if (tamper === 'forged-from' && Array.isArray(r.transactions)) {
      for (const tx of r.transactions) {
        if (typeof tx !== 'object') continue;
        tx.from = '0x000000000000000000000000000000000000dead';
        count('tamper-' + tamper);
      }
    }
  }
  if (m === 'eth_getTransactionByHash' && tamper === 'forged-from' && typeof r === 'object' && parseInt(r.blockNumber, 16) >= tamperFrom) {
    r.from = '0x000000000000000000000000000000000000dead';
    count('tamper-' + tamper);
  }
  return res;
}

async function handleOne(reqObj, realHead) {
  const m = reqObj.method;
  if (m === 'eth_getLogs' && strict) {
    const f = reqObj.params[0] || {};
    const a = parseInt(f.fromBlock, 16), b = parseInt(f.toBlock, 16);
    if (b - a + 1 > maxRange) {
      count('strict');
      return { jsonrpc: '2.0', id: reqObj.id, error: { code: -32602, message: 'block range is too large' } };
    }
  }
  if (m === 'eth_call' && spoil('call_error'))
    return { jsonrpc: '2.0', id: reqObj.id, error: { code: -32000, message: 'missing trie node 0f3a1b (path ) state 0x0f3a is not available' } };
  if (m === 'eth_call' && spoil('call_garbage')) return { jsonrpc: '2.0', id: reqObj.id, result: '0x1234' };
  if (m === 'eth_blockNumber' && realHead !== null && realHead > 100 && spoil('head_back'))
    return { jsonrpc: '2.0', id: reqObj.id, result: '0x' + (realHead - 100).toString(16) };
  if (m === 'eth_getLogs' && faults.has('range')) {
    const f = reqObj.params[0] || {};
    const a = parseInt(f.fromBlock, 16), b = parseInt(f.toBlock, 16);
    if (b - a + 1 > maxRange) {
      count('range');
      const k = Math.floor(rnd() * rangeMsgs.length);
      return { jsonrpc: '2.0', id: reqObj.id, error: rangeMsgs[k](a, a + Math.max(1, Math.floor(maxRange / 2)) - 1) };
    }
  }
  if (m === 'eth_blockNumber' && faults.has('lag') && rnd() < rate && realHead !== null) {
    count('lag');
    const lagged = Math.max(0, realHead - 1 - Math.floor(rnd() * 3));
    return { jsonrpc: '2.0', id: reqObj.id, result: '0x' + lagged.toString(16) };
  }
  const res = JSON.parse(await up(JSON.stringify(reqObj)));
  if (m === 'eth_getLogs' && Array.isArray(res.result) && res.result.length > 0) {
    const logs = res.result;
    if (spoil('dup_log')) logs.push({ ...logs[0] });
    else if (spoil('outside_log')) {
      const to = parseInt(reqObj.params[0].toBlock, 16);
      logs.push({ ...logs[logs.length - 1], blockNumber: '0x' + (to + 1).toString(16), logIndex: '0x7ff' });
    } else if (spoil('wrong_hash')) logs[0] = { ...logs[0], blockHash: '0x' + 'ab'.repeat(32) };
  }
  if (m === 'eth_getLogs' && faults.has('count') && Array.isArray(res.result) && res.result.length > maxResults) {
    count('count');
    return { jsonrpc: '2.0', id: reqObj.id, error: { code: -32005, message: `query returned more than ${maxResults} results` } };
  }
  return tamperAnswer(reqObj, res);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('error', () => {});
  req.on('end', async () => {
    try {
      const body = Buffer.concat(chunks).toString();
      if (req.url === '/admin/stats') { res.end(JSON.stringify(stats)); return; }
      if (req.url === '/admin/reorg') { await reorgSnap(JSON.parse(body || '{}').depth || 1); res.end('{"ok":true}'); return; }
      // transport-level faults first, drawn once per HTTP request
      const roll = rnd();
      const pick = (k, p) => faults.has(k) && roll < p;
      if (pick('429', rate * 0.25)) {
        count('429');
        const ra = rnd() < 0.5 ? '0' : (rnd() < 0.5 ? '1' : new Date(Date.now() + 1000).toUTCString());
        res.writeHead(429, { 'Retry-After': ra, 'Content-Type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":null,"error":{"code":429,"message":"Too Many Requests"}}');
        return;
      }
      if (pick('5xx', rate * 0.45)) {
        count('5xx');
        res.writeHead([500, 502, 503][Math.floor(rnd() * 3)], { 'Content-Type': 'text/html' });
        res.end('<html><body>upstream error</body></html>');
        return;
      }
      if (pick('malformed', rate * 0.6)) {
        count('malformed');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":1,"result":');
        return;
      }
      const delayed = pick('delay', rate * 0.7);
      const truncate = !delayed && pick('truncate', rate * 0.85);
      const reqObj = JSON.parse(body);
      if (!Array.isArray(reqObj) && reqObj.method === 'eth_getBlockByNumber' && spoil('gzip_bomb')) {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': String(bomb().length) });
        res.end(bomb());
        return;
      }
      if (!Array.isArray(reqObj) && reqObj.method === 'eth_getLogs' && spoil('chunked_bomb')) {
        // no Content-Length: chunked, and no end until the client hangs up
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`{"jsonrpc":"2.0","id":${reqObj.id},"result":[{"data":"0x`);
        const chunk = Buffer.alloc(1 << 20, 0x30);
        let sent = 0;
        const more = () => {
          while (sent < 4096 && !res.destroyed) {
            sent++;
            if (!res.write(chunk)) { res.once('drain', more); return; }
          }
          res.end();
        };
        res.on('close', () => { sent = 4096; });
        more();
        return;
      }
      if (Array.isArray(reqObj) && reqObj.length > 1 && spoil('batch_refuse')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch requests are not supported"}}');
        return;
      }
      let realHead = null;
      const needHead = (Array.isArray(reqObj) ? reqObj : [reqObj]).some((r) => r.method === 'eth_blockNumber');
      if (needHead) realHead = Number(await call('eth_blockNumber', []));
      const out = Array.isArray(reqObj) ? await Promise.all(reqObj.map((r) => handleOne(r, realHead))) : await handleOne(reqObj, realHead);
      if (Array.isArray(out) && out.length > 1 && spoil('dup_batch'))
        out.push({ ...out[1], id: out[0].id });
      const calls = Array.isArray(out) && out.length > 1 && reqObj.every((r) => r.method === 'eth_call');
      if (calls && spoil('batch_id')) {
        const k = Math.floor(out.length / 2);
        out[k] = { ...out[k], id: Math.max(...reqObj.map((r) => Number(r.id))) + 1000 };
      } else if (calls && spoil('batch_error')) {
        const k = out.length - 1;
        out[k] = { jsonrpc: '2.0', id: out[k].id, error: { code: -32000, message: 'missing trie node 3c1f (path ) state is not available' } };
      } else if (calls && spoil('batch_short')) out.pop();
      const text = JSON.stringify(out);
      if (faults.has('jitter')) {
        count('jitter');
        await new Promise((r) => setTimeout(r, rnd() * jitterMs));
      }
      if (delayed) {
        count('delay');
        await new Promise((r) => setTimeout(r, delayMs));
      }
      if (truncate && text.length > 20) {
        count('truncate');
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(text.length) });
        res.write(text.slice(0, Math.floor(text.length / 2)));
        res.socket.destroy();
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(text);
    } catch (e) {
      try { res.writeHead(502); res.end(String(e.message)); } catch (_) { /* client gone */ }
    }
  });
});
server.on('clientError', (e, s) => { try { s.destroy(); } catch (_) { /* ignore */ } });
server.listen(Number(port), host, () => {
  const url = `http://${host}:${server.address().port}`;
  if (args['port-file']) require('fs').writeFileSync(args['port-file'], url + '\n');
  console.log(url);
});
process.on('SIGTERM', () => { console.error('faultproxy: ' + JSON.stringify(stats)); process.exit(0); });
