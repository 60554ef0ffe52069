// Test helpers (runtime-neutral: these tests also run in the edge runtime, so no Buffer).
import type { RandomSource } from '../src/index.js';

/** Each character's code (≤ 0xFF) as one byte. */
export function bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new Error(`not a byte: ${c}`);
    out[i] = c;
  }
  return out;
}

/** Each byte as one character (latin1). */
export function text(u: Uint8Array): string {
  let s = '';
  for (const b of u) s += String.fromCharCode(b);
  return s;
}

/** "2E 50 31" → bytes. */
export function hex(s: string): Uint8Array {
  const parts = s.trim().split(/\s+/);
  return Uint8Array.from(parts, (p) => Number.parseInt(p, 16));
}

export function toHex(u: Uint8Array): string {
  return Array.from(u, (b) => b.toString(16).padStart(2, '0').toUpperCase()).join(' ');
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A deterministic RandomSource (mulberry32), for reproducible handshakes. */
export function seededRandom(seed: number): RandomSource {
  let a = seed >>> 0;
  return (target) => {
    for (let i = 0; i < target.length; i++) {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      target[i] = (t ^ (t >>> 14)) & 0xff;
    }
  };
}

/** Cuts `data` at the given offsets (any order, duplicates allowed → empty chunks). */
export function split(data: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [...cuts.map((c) => Math.min(Math.max(c, 0), data.length))].sort((x, y) => x - y);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    chunks.push(data.slice(from, p));
    from = p;
  }
  chunks.push(data.slice(from));
  return chunks;
}

interface Feedable<R extends { kind: string }> {
  receiveData(chunk: Uint8Array): R;
  receiveEof(): R;
}

/**
 * Feeds chunks until an outcome; then the outcome's `rest` plus every later chunk is what the
 * next layer gets. Ends with receiveEof when `eof` and the parser still needs more.
 */
export function feed<R extends { kind: string }>(
  parser: Feedable<R>,
  chunks: readonly Uint8Array[],
  eof = false,
): { result: R; after: Uint8Array } {
  for (let i = 0; i < chunks.length; i++) {
    const result = parser.receiveData(chunks[i]!);
    if (result.kind !== 'need-more') {
      const rest = 'rest' in result ? (result.rest as Uint8Array) : new Uint8Array(0);
      return { result, after: concat(rest, ...chunks.slice(i + 1)) };
    }
  }
  const result = eof ? parser.receiveEof() : ({ kind: 'need-more' } as R);
  return { result, after: new Uint8Array(0) };
}
