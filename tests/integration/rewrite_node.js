// rewrite_node.js UPSTREAM PORTFILE MODE: a loopback JSON-RPC proxy in front of anvil that
// rewrites answers the way a wrong or hostile node would, for cli_errors.sh. Writes its port to
// PORTFILE. MODE:
//   foreign   every log in an eth_getLogs answer comes from 0x…dEaD (a node ignoring the filter)
//   revert    every eth_call answers "execution reverted" (no price read at this block)
//   maxprice  every eth_call answers 2^256-1 (a bogus oracle price)
'use strict';
const http = require('http');
const fs = require('fs');
const [upstream, portFile, mode] = process.argv.slice(2);
const up = new URL(upstream);
const MAX = '0x' + 'f'.repeat(64);

function rewrite(req, res) {
  if (mode === 'foreign' && Array.isArray(res.result))
    for (const l of res.result) if (l && l.address) l.address = '0x000000000000000000000000000000000000dEaD';
  if (req && req.method === 'eth_call' && mode === 'revert') {
    delete res.result;
    res.error = { code: 3, message: 'execution reverted' };
  }
  if (req && req.method === 'eth_call' && mode === 'maxprice' && 'result' in res) res.result = MAX;
  return res;
}

http.createServer((q, r) => {
  let body = '';
  q.on('data', (d) => (body += d));
  q.on('end', () => {
    let reqs;
    try { reqs = JSON.parse(body); } catch { reqs = null; }
    const byId = new Map();
    for (const x of Array.isArray(reqs) ? reqs : [reqs]) if (x && 'id' in x) byId.set(x.id, x);
    const u = http.request({ host: up.hostname, port: up.port, method: 'POST', path: '/',
      headers: { 'content-type': 'application/json' } }, (ur) => {
      let out = '';
      ur.on('data', (d) => (out += d));
      ur.on('end', () => {
        let j;
        try { j = JSON.parse(out); } catch { r.writeHead(502); r.end(); return; }
        j = Array.isArray(j) ? j.map((x) => rewrite(byId.get(x.id), x)) : rewrite(byId.get(j.id), j);
        r.writeHead(200, { 'content-type': 'application/json' });
        r.end(JSON.stringify(j));
      });
    });
    u.on('error', () => { r.writeHead(502); r.end(); });
    u.end(body);
  });
}).listen(0, '127.0.0.1', function () { fs.writeFileSync(portFile, String(this.address().port)); });
