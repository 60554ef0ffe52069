import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  clientHandshakeTarget,
  frameConnectionTarget,
  frameDecoderTarget,
  serverHandshakeTarget,
} from '../../fuzz/targets.js';
import { cuts, framesLike, mutated, RUNS, requestLike, responseLike } from './arbitraries.js';

// Property-based fuzzing of the protocol cores: random and structured-then-mutated inputs, cut
// into random chunks. fuzz/targets.ts states the invariants (typed errors only, chunking
// invariance, memory bounded by the limits). A counterexample fast-check prints goes into
// fuzz/corpus/<target>/ as a regression input.
const params = { numRuns: RUNS };

describe('@ws02/handshake ServerHandshakeParser (5.2.1)', () => {
  it('raw bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), cuts, (d, c) => serverHandshakeTarget(d, c)),
      params,
    );
  });
  it('structured requests, mutated', () => {
    fc.assert(
      fc.property(mutated(requestLike), cuts, (d, c) => serverHandshakeTarget(d, c)),
      params,
    );
  });
});

describe('@ws02/handshake ClientHandshakeParser (5.1 steps 31–48)', () => {
  it('raw bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), cuts, (d, c) => clientHandshakeTarget(d, c)),
      params,
    );
  });
  it('structured responses, mutated', () => {
    fc.assert(
      fc.property(mutated(responseLike), cuts, (d, c) => clientHandshakeTarget(d, c)),
      params,
    );
  });
});

describe('@ws02/frame FrameDecoder (4.2–4.4) and FrameConnection (4.3, 6, 7)', () => {
  it('raw bytes through the decoder', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), cuts, (d, c) => frameDecoderTarget(d, c)),
      params,
    );
  });
  it('structured frames, mutated, through the decoder', () => {
    fc.assert(
      fc.property(mutated(framesLike), cuts, (d, c) => frameDecoderTarget(d, c)),
      params,
    );
  });
  it('structured frames, mutated, through the connection', () => {
    fc.assert(
      fc.property(mutated(framesLike), cuts, (d, c) => frameConnectionTarget(d, c)),
      params,
    );
  });
});
