import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  encodeFrame,
  encodeFrameChunks,
  type Frame,
  FrameConnection,
  FrameDecoder,
  fragmentMessage,
  Opcode,
} from '../src/index.js';
import { concat, digest, oneByOne, sameBytes, splitAt } from './helpers.js';

/** Payload lengths: mostly tiny, sometimes across the 7/16/63-bit length boundaries. */
const payloadArb = fc.oneof(
  { weight: 6, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer({ min: 120, max: 300 }).map(bytesOf) },
  { weight: 1, arbitrary: fc.integer({ min: 65530, max: 65540 }).map(bytesOf) },
);

function bytesOf(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + n) & 0xff;
  return out;
}

const controlArb = fc.record({
  opcode: fc.constantFrom(Opcode.Ping, Opcode.Pong),
  payload: fc.uint8Array({ maxLength: 10 }),
});

/** A valid frame sequence (section 4.3): messages, control frames between fragments. */
const framesArb = fc
  .array(
    fc.oneof(
      controlArb.map((c) => [{ ...c, more: false }]),
      fc
        .record({
          opcode: fc.constantFrom(Opcode.Text, Opcode.Binary),
          parts: fc.array(payloadArb, { minLength: 1, maxLength: 4 }),
          controls: fc.array(fc.option(controlArb), { maxLength: 4 }),
        })
        .map(({ opcode, parts, controls }) => {
          const out: { opcode: number; more: boolean; payload: Uint8Array }[] = [];
          parts.forEach((payload, i) => {
            const last = i === parts.length - 1;
            out.push({ opcode: i === 0 ? opcode : Opcode.Continuation, more: !last, payload });
            const c = controls[i];
            if (!last && c) out.push({ ...c, more: false });
          });
          return out;
        }),
    ),
    { maxLength: 8 },
  )
  .map((groups) => groups.flat());

function normal(frames: readonly Frame[]) {
  return frames.map((f) => ({
    opcode: f.opcode,
    more: f.more,
    rsv: f.rsv,
    payload: digest(f.payload),
  }));
}

describe('property: decode(encode(frames)) = frames (sections 4.2, 4.3)', () => {
  it('under random chunk splits', () => {
    fc.assert(
      fc.property(framesArb, fc.array(fc.nat(), { maxLength: 12 }), (frames, cuts) => {
        const wire = concat(frames.flatMap((f) => encodeFrameChunks(f)));
        const d = new FrameDecoder();
        for (const c of splitAt(
          wire,
          cuts.map((c) => c % (wire.length + 1)),
        ))
          d.receiveData(c);
        expect(d.frameOpen).toBe(false);
        expect(normal(d.takeFrames())).toEqual(
          normal(frames.map((f) => ({ ...f, rsv: 0, extensionData: new Uint8Array(0) }))),
        );
      }),
      { numRuns: 150 },
    );
  });

  it('fed one byte at a time (small frames)', () => {
    const smallFrames = framesArb.filter((fs) => fs.every((f) => f.payload.length < 400));
    fc.assert(
      fc.property(smallFrames, (frames) => {
        const wire = concat(frames.map((f) => encodeFrame(f)));
        const d = new FrameDecoder();
        for (const b of oneByOne(wire)) d.receiveData(b);
        expect(normal(d.takeFrames())).toEqual(
          normal(frames.map((f) => ({ ...f, rsv: 0, extensionData: new Uint8Array(0) }))),
        );
      }),
      { numRuns: 100 },
    );
  });

  it('any header fields, reserved ones included, survive the trip (extensions claim them)', () => {
    const frameArb = fc.record({
      opcode: fc.integer({ min: 6, max: 15 }),
      more: fc.boolean(),
      rsv: fc.integer({ min: 0, max: 15 }),
      payload: payloadArb,
    });
    const ext = { name: 'all', rsv: 0xf, opcodes: [6, 7, 8, 9, 10, 11, 12, 13, 14, 15] };
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 6 }), fc.nat(), (frames, cut) => {
        const wire = concat(frames.map((f) => encodeFrame(f)));
        const d = new FrameDecoder({ extensions: [ext] });
        for (const c of splitAt(wire, [cut % (wire.length + 1)])) d.receiveData(c);
        expect(normal(d.takeFrames())).toEqual(
          normal(frames.map((f) => ({ ...f, extensionData: new Uint8Array(0) }))),
        );
      }),
      { numRuns: 100 },
    );
  });
});

describe('property: FrameConnection peer to peer', () => {
  const messageArb = fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => ({ text })),
    payloadArb.map((bytes) => ({ bytes })),
  );

  it('what one sends (optionally fragmented) the other receives, under random splits', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(messageArb, fc.option(fc.integer({ min: 1, max: 50 }))), {
          maxLength: 10,
        }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (messages, cuts) => {
          const a = new FrameConnection();
          const b = new FrameConnection();
          for (const [m, size] of messages) {
            // Keep within the default maxFragments (65,536) for the largest payloads.
            if ('text' in m) a.sendText(m.text, size ?? undefined);
            else a.sendBinary(m.bytes, size ? Math.max(size, m.bytes.length >> 10) : undefined);
          }
          const wire = concat(a.takeOutgoing());
          for (const c of splitAt(
            wire,
            cuts.map((c) => c % (wire.length + 1)),
          ))
            b.receiveData(c);
          const got = b.takeEvents().map((e) => (e.type === 'message' ? digest(e.data) : e.type));
          expect(got).toEqual(messages.map(([m]) => digest('text' in m ? m.text : m.bytes)));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fragmentMessage output is received as the same message', () => {
    fc.assert(
      fc.property(payloadArb, fc.integer({ min: 1, max: 70000 }), (bytes, size) => {
        const b = new FrameConnection({ maxFragments: Number.POSITIVE_INFINITY });
        for (const c of fragmentMessage(Opcode.Binary, bytes, size)) b.receiveData(c);
        const events = b.takeEvents();
        expect(events.map((e) => e.type)).toEqual(['message']);
        expect(sameBytes((events[0] as { data: Uint8Array }).data, bytes)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
