/**
 * Throughput of @ws02/rfc6455 against `ws` 8's own Receiver/Sender (same frames, same process):
 * decoding and encoding small messages, and masking 1 MiB.
 *
 *   pnpm bench                    (= node --import tsx bench/index.ts)
 *   pnpm bench -- --time=300      (ms per task; default 500)
 *   pnpm bench -- --only=mask     (only groups whose title contains the text)
 *
 * Each timed operation handles a batch of frames so that the harness's per-call cost does not
 * flatten small-frame figures; results are per frame. Each task starts after a full GC. ws's
 * Receiver is driven through `_write` directly (skipping its stream machinery: this favours ws);
 * ws masks with the native `bufferutil` addon when it is installed (it is here), we in JavaScript. A server decodes
 * masked frames (it unmasks in place); a client decodes unmasked ones and masks what it sends.
 * Each group's first row is ws02; "first ÷ this" is how many times faster it is than that row.
 */
import { isUtf8 } from 'node:buffer';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Utf8Validator } from '@ws02/protocol';
import { Bench } from 'tinybench';
import * as wsModule from 'ws';
import {
  applyMask,
  encodeFrame,
  Opcode,
  Rfc6455ClientConnection,
  type Rfc6455Connection,
  Rfc6455ServerConnection,
} from '../src/index.js';

interface WsReceiver {
  on(event: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  _write(chunk: Buffer, encoding: string, cb: (error?: Error) => void): void;
}
interface WsReceiverCtor {
  new (options: { isServer: boolean; maxPayload?: number }): WsReceiver;
}
interface WsSenderStatic {
  frame(
    data: Buffer | string,
    options: { fin: boolean; opcode: number; mask: boolean; readOnly: boolean; rsv1: boolean },
  ): Buffer[];
}
const { Receiver, Sender } = wsModule as unknown as {
  Receiver: WsReceiverCtor;
  Sender: WsSenderStatic;
};
// Not in ws's exports map: loaded by path, next to its entry point.
const requireHere = createRequire(import.meta.url);
const bufferUtil = requireHere(
  join(dirname(requireHere.resolve('ws')), 'lib', 'buffer-util.js'),
) as {
  mask(source: Buffer, mask: Buffer, output: Buffer, offset: number, length: number): void;
  unmask(buffer: Buffer, mask: Buffer): void;
};

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const timeArg = process.argv.find((a) => a.startsWith('--time='));
const TIME = timeArg ? Number(timeArg.slice(7)) : 500;
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? onlyArg.slice(7) : '';
const MiB = 1024 * 1024;

interface Row {
  group: string;
  name: string;
  framesPerOp: number;
  bytesPerFrame: number;
  opsPerSec: number;
}
const rows: Row[] = [];
const bench = new Bench({ time: TIME, warmup: true, warmupTime: Math.min(200, TIME) });
let sink = 0;

function add(group: string, name: string, framesPerOp: number, bytes: number, fn: () => void) {
  if (!group.includes(ONLY)) return;
  rows.push({ group, name, framesPerOp, bytesPerFrame: bytes, opsPerSec: 0 });
  bench.add(`${group} | ${name}`, fn, { beforeAll: gc });
}

function textOf(size: number): string {
  let s = '';
  for (let i = 0; i < size; i++) s += String.fromCharCode(97 + (i % 26));
  return s;
}

const handler = {
  onMessage(data: string | Uint8Array) {
    sink += data.length;
  },
};

function openServer(): Rfc6455ServerConnection {
  const server = new Rfc6455ServerConnection(handler);
  const client = new Rfc6455ClientConnection(handler, { url: 'ws://h/' });
  for (const c of client.takeOutgoing()) server.receiveData(c.slice());
  for (const c of server.takeOutgoing()) client.receiveData(c.slice());
  return server;
}

function openClient(): Rfc6455ClientConnection {
  const server = new Rfc6455ServerConnection(handler);
  const client = new Rfc6455ClientConnection(handler, { url: 'ws://h/' });
  for (const c of client.takeOutgoing()) server.receiveData(c.slice());
  for (const c of server.takeOutgoing()) client.receiveData(c.slice());
  return client;
}

function wsReceiver(isServer: boolean): WsReceiver {
  const r = new Receiver({ isServer, maxPayload: 0 });
  r.on('message', (d) => {
    sink += d.length;
  });
  return r;
}

function noop() {}

// ---- decode small messages, many frames per chunk --------------------------------------

const FRAMES = 1024;
for (const size of [32, 256]) {
  const text = textOf(size);
  const payload = Buffer.from(text);
  for (const [kind, opcode] of [
    ['text', Opcode.Text],
    ['binary', Opcode.Binary],
  ] as const) {
    const key = Uint8Array.of(0x37, 0xfa, 0x21, 0x3d);
    const masked = Buffer.concat(
      Array.from({ length: FRAMES }, () => encodeFrame({ opcode, payload, maskKey: key })),
    );
    const plain = Buffer.concat(
      Array.from({ length: FRAMES }, () => encodeFrame({ opcode, payload })),
    );
    // A server unmasks in place: each operation gets a fresh copy of the masked chunk (the
    // copy is billed to both contenders alike).
    const serverGroup = `decode ${kind} ${size} B as a server (masked), ${FRAMES} frames per chunk`;
    const server = openServer();
    add(serverGroup, 'ws02 server (copy + unmask in place)', FRAMES, size, () => {
      server.receiveData(Buffer.from(masked));
    });
    const wsServer = wsReceiver(true);
    add(serverGroup, 'ws Receiver, server (copy + unmask)', FRAMES, size, () => {
      wsServer._write(Buffer.from(masked), 'buffer', noop);
    });
    const clientGroup = `decode ${kind} ${size} B as a client (unmasked), ${FRAMES} frames per chunk`;
    const client = openClient();
    add(clientGroup, 'ws02 client', FRAMES, size, () => {
      client.receiveData(plain);
    });
    const wsClient = wsReceiver(false);
    add(clientGroup, 'ws Receiver, client', FRAMES, size, () => {
      wsClient._write(plain, 'buffer', noop);
    });
  }
}

// ---- encode small messages -------------------------------------------------------------

for (const size of [32, 256]) {
  const text = textOf(size);
  const clientGroup = `encode text ${size} B as a client (masked), ${FRAMES} frames per op`;
  const client = openClient();
  add(clientGroup, 'ws02 client sendText, take once', FRAMES, size, () => {
    for (let i = 0; i < FRAMES; i++) client.sendText(text);
    sink += client.takeOutgoing().length;
  });
  const masked = { fin: true, opcode: 1, mask: true, readOnly: false, rsv1: false };
  add(clientGroup, 'ws Sender.frame(string), masked', FRAMES, size, () => {
    for (let i = 0; i < FRAMES; i++) sink += Sender.frame(text, masked).length;
  });
  const serverGroup = `encode text ${size} B as a server, ${FRAMES} frames per op`;
  const server = openServer();
  add(serverGroup, 'ws02 server sendText, take once', FRAMES, size, () => {
    for (let i = 0; i < FRAMES; i++) server.sendText(text);
    sink += server.takeOutgoing().length;
  });
  const plain = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
  add(serverGroup, 'ws Sender.frame(string), unmasked', FRAMES, size, () => {
    for (let i = 0; i < FRAMES; i++) sink += Sender.frame(text, plain).length;
  });
}

// ---- masking 1 MiB -----------------------------------------------------------------------

{
  const group = 'mask 1 MiB in place';
  const data = Buffer.alloc(MiB, 0x5a);
  const key = Buffer.of(0x37, 0xfa, 0x21, 0x3d);
  add(group, 'ws02 applyMask (4 bytes at a time where aligned)', 1, MiB, () => {
    applyMask(data, 0, MiB, key, 0, 0);
    sink += data[7]!;
  });
  const odd = Buffer.alloc(MiB + 1).subarray(1); // a view at an odd address
  add(group, 'ws02 applyMask, unaligned start', 1, MiB, () => {
    applyMask(odd, 0, MiB, key, 0, 1);
    sink += odd[7]!;
  });
  add(group, 'ws buffer-util unmask (native bufferutil addon)', 1, MiB, () => {
    bufferUtil.unmask(data, key);
    sink += data[7]!;
  });
  add(group, 'baseline: byte loop', 1, MiB, () => {
    for (let i = 0; i < MiB; i++) data[i] = data[i]! ^ key[i & 3]!;
    sink += data[7]!;
  });
}

{
  const group = 'send binary 1 MiB as a client (mask into a copy)';
  const payload = Buffer.alloc(MiB, 0x5a);
  const client: Rfc6455Connection = openClient();
  add(group, 'ws02 client sendBinary + take', 1, MiB, () => {
    client.sendBinary(payload);
    sink += client.takeOutgoing().length;
  });
  const masked = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
  add(group, 'ws Sender.frame (masked, readOnly: copies)', 1, MiB, () => {
    sink += Sender.frame(payload, masked).length;
  });
  add(group, 'baseline: Buffer.allocUnsafe + copy', 1, MiB, () => {
    const out = Buffer.allocUnsafe(MiB);
    out.set(payload);
    sink += out[5]!;
  });
}

// ---- UTF-8 validation (fail-fast, across pieces) -------------------------------------------

for (const [label, text] of [
  ['ASCII', textOf(64 * 1024)],
  ['mixed (1/4 non-ASCII)', 'abcé€😀xyz'.repeat(4096)],
] as const) {
  const group = `validate UTF-8 64 KiB-ish, ${label}`;
  const bytes = Buffer.from(text);
  const validator = new Utf8Validator();
  add(group, 'Utf8Validator.update + finish', 1, bytes.length, () => {
    validator.update(bytes);
    sink += validator.finish() ? 1 : 0;
  });
  const fatal = new TextDecoder('utf-8', { fatal: true });
  add(group, 'TextDecoder fatal decode (validates and decodes)', 1, bytes.length, () => {
    sink += fatal.decode(bytes).length;
  });
  add(group, 'baseline: Buffer.isUtf8 (native)', 1, bytes.length, () => {
    sink += isUtf8(bytes) ? 1 : 0;
  });
}

// ---- run and report --------------------------------------------------------------------

await bench.run();
for (const [i, task] of bench.tasks.entries()) {
  const r = task.result as { throughput?: { mean: number } } | undefined;
  rows[i]!.opsPerSec = r?.throughput?.mean ?? 0;
}

function fmt(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n.toFixed(1);
}

const lines = [`node ${process.version}, ${TIME} ms per task`];
let lastGroup = '';
for (const row of rows) {
  if (row.group !== lastGroup) {
    lastGroup = row.group;
    lines.push('', row.group);
  }
  const base = rows.find((r) => r.group === row.group)!;
  const framesPerSec = row.opsPerSec * row.framesPerOp;
  const mbPerSec = (framesPerSec * row.bytesPerFrame) / 1e6;
  const ratio =
    row === base ? '' : `   first ÷ this = ${(base.opsPerSec / row.opsPerSec).toFixed(2)}×`;
  lines.push(
    `  ${row.name.padEnd(48)} ${fmt(framesPerSec).padStart(9)} frames/s ${mbPerSec.toFixed(0).padStart(7)} MB/s${ratio}`,
  );
}
console.log(lines.join('\n'));
if (sink === -1) console.log('unreachable');
