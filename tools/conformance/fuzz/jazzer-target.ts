/**
 * Entry for a coverage-guided fuzzer (Jazzer.js: `export function fuzz(data)`). The first two
 * bytes of each input choose the chunk cut points, the rest is the input; FUZZ_TARGET picks the
 * target (server-handshake, client-handshake, frame-decoder, frame-connection). A crash is a
 * thrown Error from fuzz/targets.ts: save the input under fuzz/corpus/<target>/ as hex.
 */
import { TARGETS, type TargetName } from './targets.js';

const name = (process.env.FUZZ_TARGET ?? 'frame-decoder') as TargetName;
const target = TARGETS[name];
if (target === undefined)
  throw new Error(`FUZZ_TARGET must be one of ${Object.keys(TARGETS).join(', ')}`);

export function fuzz(data: Uint8Array): void {
  if (data.length < 2) return;
  const body = data.subarray(2);
  // Two cut points derived from the fuzzer's own bytes, so it explores chunking too.
  const cuts = [data[0]! % (body.length + 1), (data[0]! * 256 + data[1]!) % (body.length + 1)];
  target(body, cuts);
}
