// floor.js: the reference parse floor of the benchmark. Sends the same eth_getLogs requests as
// lendex (one JSON body per line of REQUESTS), CONC at a time over kept-alive connections, and
// JSON.parse()s each answer (V8's parser, the fastest general JSON reader on the machine), doing
// nothing else with it. Prints the seconds taken and the logs counted.
//
// usage: node floor.js URL REQUESTS CONC [gzip]
'use strict';
const http = require('http');
const fs = require('fs');
const zlib = require('zlib');

const [url, file, concArg, gz] = process.argv.slice(2);
const bodies = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
const conc = Number(concArg) || 4;
const agent = new http.Agent({ keepAlive: true, maxSockets: conc });
const u = new URL(url);

function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', ...(gz === 'gzip' ? { 'Accept-Encoding': 'gzip' } : {}) } },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let buf = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') buf = zlib.gunzipSync(buf);
        resolve(JSON.parse(buf.toString('utf8')));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

(async () => {
  const t0 = process.hrtime.bigint();
  let next = 0, logs = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const a = await post(bodies[next++]);
      if (!Array.isArray(a.result)) throw new Error('bad answer: ' + JSON.stringify(a).slice(0, 200));
      logs += a.result.length;
    }
  };
  await Promise.all(Array.from({ length: conc }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`${s.toFixed(3)} ${logs}`);
  agent.destroy();
})().catch((e) => { console.error('floor.js: ' + e.message); process.exit(2); });
