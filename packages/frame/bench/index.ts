/**
 * Throughput of @ws02/frame against `ws` 8's own Receiver/Sender, same sizes, same process.
 *
 *   pnpm bench                    (= node --import tsx bench/index.ts)
 *   pnpm bench -- --time=300      (ms per task; default 500)
 *   pnpm bench -- --only=arriving (only groups whose title contains the text)
 *
 * "single": every chunk holds one frame; "many": one chunk holds many frames. Each timed
 * operation handles a batch of chunks (or of sends) so that the harness's own per-call timing
 * cost does not flatten the small-frame figures; results are per frame. Each task starts after
 * a full GC, so garbage left by the previous task is not billed to it.
 *
 * ws speaks RFC 6455 framing; it is fed the equivalent frames (FIN + binary/text opcode), both as
 * a client receives them (unmasked, `isServer: false`) and as a server does (masked,
 * `isServer: true`: it must unmask, we need not). ws's Receiver is driven through `_write`
 * directly, skipping the Writable machinery its socket path goes through: this favours ws.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Bench } from 'tinybench';
import * as wsModule from 'ws';
import {
  encodeFrame,
  encodeFrameChunks,
  FrameConnection,
  FrameDecoder,
  Opcode,
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

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const timeArg = process.argv.find((a) => a.startsWith('--time='));
const TIME = timeArg ? Number(timeArg.slice(7)) : 500;
const onlyArg = process.argv.find((a) => a.startsWith('--only='));
const ONLY = onlyArg ? onlyArg.slice(7) : '';

const KiB = 1024;
const MiB = 1024 * KiB;
/** size, frames per chunk in "many" mode, chunks (or sends) per timed operation. */
const SIZES = [
  { label: '32 B', size: 32, many: 1024, batch: 1024 },
  { label: '1 KiB', size: KiB, many: 64, batch: 256 },
  { label: '64 KiB', size: 64 * KiB, many: 16, batch: 64 },
  { label: '1 MiB', size: MiB, many: 4, batch: 16 },
];

function payloadOf(size: number, text = false): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = text ? 97 + (i % 26) : (i * 31) & 0xff;
  return b;
}

/** RFC 6455 frame as ws receives it: FIN, opcode, optional mask. */
function rfc6455(payload: Buffer, opcode: number, mask: boolean): Buffer {
  return Buffer.concat(
    Sender.frame(Buffer.from(payload), { fin: true, opcode, mask, readOnly: true, rsv1: false }),
  );
}

/** `count` separate chunks, each holding `perChunk` copies of `frame`. */
function chunksOf(frame: Buffer, perChunk: number, count: number): Buffer[] {
  const one = Buffer.concat(Array.from({ length: perChunk }, () => frame));
  return Array.from({ length: count }, () => Buffer.from(one));
}

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

function feed(receive: (c: Buffer) => void, chunks: readonly Buffer[]): () => void {
  return () => {
    for (let i = 0; i < chunks.length; i++) receive(chunks[i]!);
  };
}

function ourConnection(allocate?: (n: number) => Uint8Array): FrameConnection {
  return new FrameConnection({
    maxFrameSize: 2 * MiB,
    allocate,
    onEvent: (e) => {
      if (e.type === 'message') sink += e.data.length;
    },
  });
}

function wsReceiver(isServer: boolean): WsReceiver {
  const r = new Receiver({ isServer, maxPayload: 0 });
  r.on('message', (d) => {
    sink += d.length;
  });
  return r;
}

// ---- decode ----------------------------------------------------------------------------

for (const { label, size, many, batch } of SIZES) {
  for (const [mode, perChunk, count] of [
    ['single', 1, batch],
    ['many', many, Math.max(1, Math.floor(batch / many))],
  ] as const) {
    const group = `decode binary ${label}, ${mode} (${perChunk} frame${perChunk > 1 ? 's' : ''}/chunk)`;
    const payload = payloadOf(size);
    const frames = perChunk * count;
    const ours = chunksOf(
      Buffer.from(encodeFrame({ opcode: Opcode.Binary, payload })),
      perChunk,
      count,
    );
    const plain = chunksOf(rfc6455(payload, 2, false), perChunk, count);
    const masked = chunksOf(rfc6455(payload, 2, true), perChunk, count);
    const conn = ourConnection();
    add(
      group,
      'ws02 FrameConnection',
      frames,
      size,
      feed((c) => conn.receiveData(c), ours),
    );
    const client = wsReceiver(false);
    add(
      group,
      'ws Receiver, client (unmasked)',
      frames,
      size,
      feed((c) => client._write(c, 'buffer', noop), plain),
    );
    const server = wsReceiver(true);
    add(
      group,
      'ws Receiver, server (masked)',
      frames,
      size,
      feed((c) => server._write(c, 'buffer', noop), masked),
    );
  }
}

// Text: we decode to a string (TextDecoder), ws only validates and hands out a Buffer.
for (const { label, size, many, batch } of SIZES.slice(0, 2)) {
  const group = `decode text ${label}, many (${many} frames/chunk)`;
  const count = Math.max(1, Math.floor(batch / many));
  const payload = payloadOf(size, true);
  const ours = chunksOf(Buffer.from(encodeFrame({ opcode: Opcode.Text, payload })), many, count);
  const plain = chunksOf(rfc6455(payload, 1, false), many, count);
  const conn = ourConnection();
  add(
    group,
    'ws02 FrameConnection (→ string)',
    many * count,
    size,
    feed((c) => conn.receiveData(c), ours),
  );
  const client = wsReceiver(false);
  add(
    group,
    'ws Receiver, client (→ checked Buffer)',
    many * count,
    size,
    feed((c) => client._write(c, 'buffer', noop), plain),
  );
}

{
  const group = 'decode binary 32 B, many, frame level (no message assembly)';
  const ours = chunksOf(
    Buffer.from(encodeFrame({ opcode: Opcode.Binary, payload: payloadOf(32) })),
    1024,
    1,
  );
  const dec = new FrameDecoder({
    onFrame: (f) => {
      sink += f.payload.length;
    },
  });
  add(
    group,
    'ws02 FrameDecoder',
    1024,
    32,
    feed((c) => dec.receiveData(c), ours),
  );
}

// A 1 MiB frame arriving in 64 KiB chunks must be copied once: compare with a memory copy.
{
  const group = 'decode binary 1 MiB arriving in 64 KiB chunks';
  const payload = payloadOf(MiB);
  const split = (wire: Buffer) => {
    const out: Buffer[] = [];
    for (let i = 0; i < wire.length; i += 64 * KiB) out.push(wire.subarray(i, i + 64 * KiB));
    return out;
  };
  const conn = ourConnection();
  add(
    group,
    'ws02 FrameConnection',
    1,
    MiB,
    feed(
      (c) => conn.receiveData(c),
      split(Buffer.from(encodeFrame({ opcode: Opcode.Binary, payload }))),
    ),
  );
  const unsafe = ourConnection((n) => Buffer.allocUnsafe(n));
  add(
    group,
    'ws02 FrameConnection, allocate: allocUnsafe',
    1,
    MiB,
    feed(
      (c) => unsafe.receiveData(c),
      split(Buffer.from(encodeFrame({ opcode: Opcode.Binary, payload }))),
    ),
  );
  const client = wsReceiver(false);
  add(
    group,
    'ws Receiver, client (unmasked)',
    1,
    MiB,
    feed((c) => client._write(c, 'buffer', noop), split(rfc6455(payload, 2, false))),
  );
  add(group, 'baseline: new Uint8Array(1 MiB) + copy', 1, MiB, () => {
    const out = new Uint8Array(MiB);
    out.set(payload);
    sink += out[5]!;
  });
  add(group, 'baseline: Buffer.allocUnsafe(1 MiB) + copy', 1, MiB, () => {
    const out = Buffer.allocUnsafe(MiB);
    out.set(payload);
    sink += out[5]!;
  });
  const dst = new Uint8Array(MiB);
  add(group, 'baseline: copy into a preallocated buffer', 1, MiB, () => {
    dst.set(payload);
    sink += dst[5]!;
  });
}

// ---- encode ----------------------------------------------------------------------------

for (const { label, size, batch } of SIZES) {
  const group = `encode binary ${label} (${batch} frames/op)`;
  const payload = payloadOf(size);
  const conn = new FrameConnection();
  add(group, 'ws02 FrameConnection send all, take once', batch, size, () => {
    for (let i = 0; i < batch; i++) conn.sendBinary(payload);
    sink += conn.takeOutgoing().length;
  });
  add(group, 'ws02 FrameConnection send + take each', batch, size, () => {
    for (let i = 0; i < batch; i++) {
      conn.sendBinary(payload);
      sink += conn.takeOutgoing().length;
    }
  });
  add(group, 'ws02 encodeFrameChunks', batch, size, () => {
    for (let i = 0; i < batch; i++)
      sink += encodeFrameChunks({ opcode: Opcode.Binary, payload }).length;
  });
  const plain = { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false };
  add(group, 'ws Sender.frame (unmasked, server)', batch, size, () => {
    for (let i = 0; i < batch; i++) sink += Sender.frame(payload, plain).length;
  });
  const masked = { fin: true, opcode: 2, mask: true, readOnly: true, rsv1: false };
  add(group, 'ws Sender.frame (masked, client)', batch, size, () => {
    for (let i = 0; i < batch; i++) sink += Sender.frame(payload, masked).length;
  });
}

{
  const group = 'encode text 32 B (1024 frames/op)';
  const text = 'abcdefghijklmnopqrstuvwxyz012345';
  const conn = new FrameConnection();
  add(group, 'ws02 FrameConnection sendText, take once', 1024, 32, () => {
    for (let i = 0; i < 1024; i++) conn.sendText(text);
    sink += conn.takeOutgoing().length;
  });
  const plain = { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false };
  add(group, 'ws Sender.frame(string) (unmasked)', 1024, 32, () => {
    for (let i = 0; i < 1024; i++) sink += Sender.frame(text, plain).length;
  });
}

{
  const group = 'encode binary 1 MiB into one buffer';
  const payload = payloadOf(MiB);
  add(group, 'ws02 encodeFrame (header + copy)', 1, MiB, () => {
    sink += encodeFrame({ opcode: Opcode.Binary, payload }).length;
  });
  add(group, 'baseline: new Uint8Array(1 MiB) + copy', 1, MiB, () => {
    const out = new Uint8Array(MiB);
    out.set(payload);
    sink += out[5]!;
  });
}

function noop() {}

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
    row === base ? '' : `   ws02 ÷ this = ${(base.opsPerSec / row.opsPerSec).toFixed(2)}×`;
  lines.push(
    `  ${row.name.padEnd(42)} ${fmt(framesPerSec).padStart(9)} frames/s ${mbPerSec.toFixed(0).padStart(8)} MB/s${ratio}`,
  );
}
console.log(lines.join('\n'));
if (sink === -1) console.log('unreachable');
