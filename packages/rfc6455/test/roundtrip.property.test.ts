import { EventCollector } from '@ws02/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rfc6455ClientConnection, Rfc6455ServerConnection } from '../src/index.js';
import type { Rfc6455Connection } from '../src/rfc6455-connection.js';
import {
  AcceptingCollector,
  concat,
  oneByOne,
  openPair,
  sameBytes,
  splitAt,
  utf8,
} from './helpers.js';

/** Payload sizes: mostly tiny, sometimes across the 7/16/64-bit length boundaries (5.2). */
const payloadArb = fc.oneof(
  { weight: 8, arbitrary: fc.uint8Array({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.integer({ min: 120, max: 130 }).map(bytesOf) },
  { weight: 1, arbitrary: fc.integer({ min: 65534, max: 65537 }).map(bytesOf) },
);
function bytesOf(n: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) & 0xff);
}
const textArb = fc.string({ unit: 'grapheme', maxLength: 30 });

type Action =
  | { kind: 'text'; text: string }
  | { kind: 'binary'; data: Uint8Array }
  | { kind: 'fragmented-text'; text: string; cuts: number[]; pings: boolean[] }
  | { kind: 'fragmented-binary'; parts: Uint8Array[]; pings: boolean[] }
  | { kind: 'ping' | 'pong'; data: Uint8Array };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  textArb.map((text) => ({ kind: 'text' as const, text })),
  payloadArb.map((data) => ({ kind: 'binary' as const, data })),
  fc
    .record({
      text: textArb,
      cuts: fc.array(fc.nat(), { maxLength: 4 }),
      pings: fc.array(fc.boolean(), { maxLength: 4 }),
    })
    .map((r) => ({ kind: 'fragmented-text' as const, ...r })),
  fc
    .record({
      parts: fc.array(payloadArb, { minLength: 1, maxLength: 4 }),
      pings: fc.array(fc.boolean(), { maxLength: 4 }),
    })
    .map((r) => ({ kind: 'fragmented-binary' as const, ...r })),
  fc.record({
    kind: fc.constantFrom('ping' as const, 'pong' as const),
    data: fc.uint8Array({ maxLength: 125 }),
  }),
);

/** Sends the actions; returns the events a receiver should report. */
function perform(sender: Rfc6455Connection, actions: readonly Action[]): unknown[] {
  const expected: unknown[] = [];
  const ping = (on: boolean | undefined, i: number) => {
    if (!on) return;
    sender.sendPing(Uint8Array.of(i));
    expected.push(['ping', digest(Uint8Array.of(i))]);
  };
  for (const a of actions) {
    switch (a.kind) {
      case 'text':
        sender.sendText(a.text);
        expected.push(['message', a.text, false]);
        break;
      case 'binary':
        sender.sendBinary(a.data);
        expected.push(['message', digest(a.data), true]);
        break;
      case 'fragmented-text': {
        // UTF-8 bytes cut anywhere: sequences split between frames (5.6).
        const text = utf8(a.text);
        const pieces = splitAt(
          text,
          a.cuts.map((c) => c % (text.length + 1)),
        );
        pieces.forEach((piece, i) => {
          sender.sendFragment(piece, i === pieces.length - 1, false);
          if (i < pieces.length - 1) ping(a.pings[i], i);
        });
        // The Pings between its fragments were reported first, as on the wire.
        expected.push(['message', a.text, false]);
        break;
      }
      case 'fragmented-binary':
        a.parts.forEach((part, i) => {
          sender.sendFragment(part, i === a.parts.length - 1, true);
          if (i < a.parts.length - 1) ping(a.pings[i], i);
        });
        expected.push(['message', digest(concat(a.parts)), true]);
        break;
      default:
        if (a.kind === 'ping') sender.sendPing(a.data);
        else sender.sendPong(a.data);
        expected.push([a.kind, digest(a.data)]);
    }
  }
  return expected;
}

function normal(events: ReturnType<EventCollector['takeEvents']>): unknown[] {
  return events.map((e) => {
    if (e.type === 'message') return ['message', digest(e.data), e.binary];
    if (e.type === 'ping' || e.type === 'pong') return [e.type, digest(e.data)];
    return [e.type];
  });
}

/** Text as is; bytes as their length and FNV-1a hash (deep equality of 64 KiB arrays is slow). */
function digest(data: string | Uint8Array): string {
  if (typeof data === 'string') return data;
  let h = 0x811c9dc5;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, 0x01000193);
  return `bytes ${data.length} ${(h >>> 0).toString(16)}`;
}

/** A fresh open receiver of the given role, fed `chunks`; its events. */
function receive(role: 'server' | 'client', chunks: readonly Uint8Array[]): unknown[] {
  const { client, server, clientEvents, serverEvents } = openPair();
  const receiver = role === 'server' ? server : client;
  for (const chunk of chunks) receiver.receiveData(chunk);
  expect(receiver.failure).toBe(undefined);
  return normal((role === 'server' ? serverEvents : clientEvents).takeEvents());
}

describe('round trip of the two cores, any split (RFC 6455 5.2–5.5)', () => {
  for (const direction of ['client → server', 'server → client'] as const) {
    it(`${direction}: messages, fragments with Pings between them, control frames`, () => {
      fc.assert(
        fc.property(
          fc.array(actionArb, { maxLength: 6 }),
          fc.array(fc.nat(), { maxLength: 8 }),
          (actions, cuts) => {
            const { client, server } = openPair();
            const sender = direction === 'client → server' ? client : server;
            // Pings between fragments are reported in wire order: rebuild the expectation from
            // what the sender did, in order.
            const expected = perform(sender, actions);
            const wire = concat(sender.takeOutgoing());
            const role = direction === 'client → server' ? 'server' : 'client';
            const whole = receive(role, [wire.slice()]);
            expect(whole).toEqual(expected);
            expect(
              receive(
                role,
                splitAt(
                  wire,
                  cuts.map((c) => c % (wire.length + 1)),
                ),
              ),
            ).toEqual(whole);
            if (wire.length < 2000) expect(receive(role, oneByOne(wire))).toEqual(whole);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('every client frame is masked, each with its own key (5.3); server frames never are', () => {
    const { client, server } = openPair();
    for (let i = 0; i < 50; i++) client.sendText('x');
    const wire = concat(client.takeOutgoing());
    const keys = new Set<string>();
    for (let p = 0; p < wire.length; p += 7) {
      expect(wire[p + 1]! & 0x80).toBe(0x80);
      keys.add(wire.subarray(p + 2, p + 6).join(','));
    }
    expect(keys.size).toBe(50);
    server.sendText('x');
    expect(concat(server.takeOutgoing())[1]! & 0x80).toBe(0);
  });

  it("a large masked message is masked into a copy: the caller's bytes are never modified", () => {
    const { client, server, serverEvents } = openPair();
    const data = bytesOf(100_000);
    const copy = data.slice();
    client.sendBinary(data);
    client.sendText('é'.repeat(30_000));
    expect(sameBytes(data, copy)).toBe(true);
    for (const chunk of client.takeOutgoing()) server.receiveData(chunk.slice());
    const events = serverEvents.takeEvents();
    expect(events[0]).toMatchObject({ type: 'message', binary: true });
    expect(sameBytes((events[0] as { data: Uint8Array }).data, copy)).toBe(true);
    expect(events[1]).toEqual({ type: 'message', data: 'é'.repeat(30_000), binary: false });
  });
});

describe('streaming mode: fragments as they arrive', () => {
  it('binary and text fragments, a UTF-8 sequence split between frames, a frame spanning chunks', () => {
    const events = new AcceptingCollector();
    const server = new Rfc6455ServerConnection(events, { streaming: true });
    events.connection = server;
    const client = new Rfc6455ClientConnection(new EventCollector(), { url: 'ws://h/' });
    for (const c of client.takeOutgoing()) server.receiveData(c.slice());
    for (const c of server.takeOutgoing()) client.receiveData(c.slice());
    events.takeEvents();
    client.sendFragment(Uint8Array.of(1, 2), false);
    client.sendFragment(Uint8Array.of(3), true);
    client.sendFragment(utf8('a€').subarray(0, 3), false, false); // "a" and 2 bytes of "€"
    client.sendFragment(utf8('€b').subarray(2), true);
    client.sendText('whole');
    client.sendFragment(bytesOf(3000), false);
    client.sendFragment(bytesOf(10), true);
    const wire = concat(client.takeOutgoing());
    for (const chunk of splitAt(wire, [40, 1000, 2000])) server.receiveData(chunk);
    const shape = events.takeEvents().map((e) => {
      if (e.type === 'fragment') {
        const data = typeof e.data === 'string' ? e.data : e.data.length;
        return [e.type, data, e.first, e.last];
      }
      return e.type === 'message' ? [e.type, e.data] : [e.type];
    });
    expect(shape).toEqual([
      ['fragment', 2, true, false],
      ['fragment', 1, false, true],
      ['fragment', 'a', true, false],
      ['fragment', '€b', false, true],
      ['message', 'whole'],
      ['fragment', 3000, true, false],
      ['fragment', 10, false, true],
    ]);
  });
});
