/**
 * Server-side handshake processing, single core: parse a complete client handshake (request
 * line, fields, key_3) and build the full 101 response, in handshakes per second.
 *
 *   pnpm bench                    (= node --import tsx bench/index.ts)
 *   pnpm bench -- --time=300      (ms per task; default 1000)
 *
 * Baseline, measured in the same run: a conventional hixie-76-style implementation (decode the
 * head to a string, split lines, regex per field, parseInt on the key digits, node:crypto MD5),
 * the way pre-RFC Node servers did it. Ratios are against that baseline.
 *
 * Then the client side (5.1 steps 1 and 6–46): building a request and its expected answer. The
 * baseline there is the former default, a fresh 256-byte Web Crypto pool per handshake (an
 * injected source still gets one), against the process-wide pool and a prepared template.
 */
import { createHash } from 'node:crypto';
import { Bench } from 'tinybench';
import {
  computeHandshakeResponse,
  createClientHandshake,
  createServerResponse,
  type Md5,
  md5,
  prepareClientHandshake,
  ServerHandshakeParser,
} from '../src/index.js';

const timeArg = process.argv.find((a) => a.startsWith('--time='));
const TIME = timeArg ? Number(timeArg.slice(7)) : 1000;

const nodeMd5: Md5 = (d) => createHash('md5').update(d).digest();

// A realistic browser-like draft-02 request (~400 bytes head + key_3).
const handshake = createClientHandshake({
  url: 'ws://example.com:8080/chat?room=1',
  origin: 'http://example.com',
  protocols: ['chat'],
  extraHeaders: [
    [
      'User-Agent',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/534.10 (KHTML, like Gecko) Chrome/8.0',
    ],
    ['Cookie', 'session=0123456789abcdef; theme=dark'],
  ],
});
const REQUEST = handshake.request;
const REQUEST_BUFFER = Buffer.from(REQUEST);
const HEAD_LENGTH = REQUEST.length - 8;
const SPLIT_AT = Math.floor(HEAD_LENGTH / 2);
const FIRST_HALF = REQUEST.subarray(0, SPLIT_AT);
const SECOND_HALF = REQUEST.subarray(SPLIT_AT);
const OPTIONS = { protocols: ['chat'] };

// Node's http parser output for the same request (the `upgrade` path).
const headText = Buffer.from(REQUEST.subarray(0, HEAD_LENGTH)).toString('latin1');
const headLines = headText.split('\r\n').slice(1, -2);
const RAW_HEADERS = headLines.flatMap((l) => {
  const c = l.indexOf(':');
  return [l.slice(0, c), l.slice(c + 1).trim()];
});
const PARSED = {
  method: 'GET',
  url: headText.slice(4, headText.indexOf(' ', 4)),
  httpVersion: '1.1',
  rawHeaders: RAW_HEADERS,
};
const KEY3 = REQUEST.subarray(HEAD_LENGTH);

let sink = 0;

function ours(md: Md5): void {
  const r = new ServerHandshakeParser(OPTIONS).receiveData(REQUEST);
  if (r.kind !== 'request') throw new Error(r.kind);
  sink += createServerResponse({ request: r.request, md5: md }).length;
}

/** The baseline: how a typical hixie-76 server handled the same bytes. */
function baseline(): void {
  const data = REQUEST_BUFFER;
  const s = data.toString('binary');
  const end = s.indexOf('\r\n\r\n');
  if (end === -1) throw new Error('incomplete');
  const lines = s.slice(0, end).split('\r\n');
  const m = /^(\S+) (\S+) HTTP\/(\d\.\d)$/.exec(lines[0]!);
  if (!m || m[1] !== 'GET') throw new Error('bad request line');
  const headers: Record<string, string> = {};
  for (let i = 1; i < lines.length; i++) {
    const fm = /^([^:]+):\s*(.*)$/.exec(lines[i]!);
    if (!fm) throw new Error('bad field');
    headers[fm[1]!.toLowerCase()] = fm[2]!;
  }
  if ((headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new Error('upgrade');
  if ((headers.connection ?? '').toLowerCase() !== 'upgrade') throw new Error('connection');
  const key1 = headers['sec-websocket-key1']!;
  const key2 = headers['sec-websocket-key2']!;
  const n1 = Number.parseInt(key1.replace(/[^\d]/g, ''), 10);
  const n2 = Number.parseInt(key2.replace(/[^\d]/g, ''), 10);
  const s1 = key1.replace(/[^ ]/g, '').length;
  const s2 = key2.replace(/[^ ]/g, '').length;
  if (s1 === 0 || s2 === 0 || n1 % s1 !== 0 || n2 % s2 !== 0) throw new Error('keys');
  const challenge = Buffer.alloc(16);
  challenge.writeUInt32BE(n1 / s1, 0);
  challenge.writeUInt32BE(n2 / s2, 4);
  data.copy(challenge, 8, end + 4, end + 12);
  const digest = createHash('md5').update(challenge).digest('binary');
  const out = Buffer.from(
    'HTTP/1.1 101 WebSocket Protocol Handshake\r\n' +
      'Upgrade: WebSocket\r\n' +
      'Connection: Upgrade\r\n' +
      `Sec-WebSocket-Location: ws://${headers.host}${m[2]}\r\n` +
      `Sec-WebSocket-Origin: ${headers.origin}\r\n` +
      `Sec-WebSocket-Protocol: ${headers['sec-websocket-protocol']}\r\n` +
      `\r\n${digest}`,
    'binary',
  );
  sink += out.length;
}

// Sanity: the baseline and ours answer identically.
{
  const r = new ServerHandshakeParser(OPTIONS).receiveData(REQUEST);
  if (r.kind !== 'request') throw new Error('fixture rejected');
  const a = Buffer.from(createServerResponse({ request: r.request }));
  const b = Buffer.from(createServerResponse({ request: r.request, md5: nodeMd5 }));
  if (!a.equals(b)) throw new Error('TS MD5 and node:crypto MD5 disagree');
}

const bench = new Bench({ time: TIME, warmup: true });
bench
  .add('baseline: split + regex + parseInt + node:crypto MD5', baseline)
  .add('@ws02/handshake parse + respond, TS MD5 (default)', () => ours(md5))
  .add('@ws02/handshake parse + respond, node:crypto MD5', () => ours(nodeMd5))
  .add('@ws02/handshake, head split across 2 chunks, TS MD5', () => {
    const p = new ServerHandshakeParser(OPTIONS);
    p.receiveData(FIRST_HALF);
    const r = p.receiveData(SECOND_HALF);
    if (r.kind !== 'request') throw new Error(r.kind);
    sink += createServerResponse({ request: r.request }).length;
  })
  .add('@ws02/handshake fromParsedRequest (Node upgrade path) + respond', () => {
    const r = ServerHandshakeParser.fromParsedRequest(PARSED, OPTIONS).receiveData(KEY3);
    if (r.kind !== 'request') throw new Error(r.kind);
    sink += createServerResponse({ request: r.request }).length;
  })
  .add('parse only (ServerHandshakeParser)', () => {
    const r = new ServerHandshakeParser(OPTIONS).receiveData(REQUEST);
    if (r.kind !== 'request') throw new Error(r.kind);
    sink += r.rest.length;
  })
  .add('computeHandshakeResponse only, TS MD5', () => {
    sink += computeHandshakeResponse(handshake.keys.key1, handshake.keys.key2, KEY3)[0]!;
  })
  .add('computeHandshakeResponse only, node:crypto MD5', () => {
    sink += computeHandshakeResponse(handshake.keys.key1, handshake.keys.key2, KEY3, nodeMd5)[0]!;
  })
  .add('md5 of 16 bytes: TS', () => {
    sink += md5(KEY3.subarray(0, 8))[0]!;
  })
  .add('md5 of 16 bytes: node:crypto', () => {
    sink += nodeMd5(KEY3.subarray(0, 8))[0]!;
  });

const CLIENT = { url: 'ws://example.com:8080/chat?room=1', origin: 'http://example.com' };
const perHandshakePool = (bytes: Uint8Array) => {
  globalThis.crypto.getRandomValues(bytes);
};
const template = prepareClientHandshake(CLIENT);
const client = new Bench({ time: TIME, warmup: true });
client
  .add('client baseline: fresh 256-byte Web Crypto pool per handshake', () => {
    sink += createClientHandshake({ ...CLIENT, random: perHandshakePool }).request.length;
  })
  .add('createClientHandshake (process-wide 8 KiB pool)', () => {
    sink += createClientHandshake(CLIENT).request.length;
  })
  .add('prepareClientHandshake once, template.create() per handshake', () => {
    sink += template.create().request.length;
  });

await bench.run();
await client.run();

function report(b: Bench): void {
  const baseHz =
    b.tasks[0]!.result.state === 'completed' ? b.tasks[0]!.result.throughput.mean : Number.NaN;
  console.table(
    b.tasks.map((task) => {
      const result = task.result;
      if (result.state !== 'completed') return { task: task.name, state: result.state };
      const hz = result.throughput.mean;
      return {
        task: task.name,
        'ops/s': Math.round(hz).toLocaleString('en-US'),
        'ns/op': Math.round(1e9 / hz),
        '± %': result.throughput.rme.toFixed(1),
        'vs baseline': task === b.tasks[0] ? '1.00×' : `${(hz / baseHz).toFixed(2)}×`,
      };
    }),
  );
}
console.log(`Node ${process.version}, ${TIME} ms per task, request ${REQUEST.length} bytes`);
report(bench);
report(client);
if (sink === 0.5) console.log(sink);
