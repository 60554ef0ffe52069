import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHAT_DEFAULTS,
  canonicalRoom,
  compareIds,
  ERROR_CODES,
  isMessageId,
  MemoryAdapter,
  MessageIdGenerator,
  nickKey,
  parseCommand,
  TokenBucket,
  validNick,
} from '../src/index.js';

describe('MessageIdGenerator', () => {
  it('ids are time-ordered strings, unique and increasing even when the clock steps back', () => {
    let now = 1_700_000_000_000;
    const gen = new MessageIdGenerator('abc', () => now);
    const a = gen.next();
    now -= 5000; // clock stepped back
    const b = gen.next();
    now += 10_000;
    const c = gen.next();
    expect(a.id).toMatch(/^[0-9a-z]{9}-0000-abc$/);
    expect(compareIds(a.id, b.id)).toBeLessThan(0);
    expect(compareIds(b.id, c.id)).toBeLessThan(0);
    expect(b.ts).toBe(a.ts); // the last time used, not the earlier clock
    expect(isMessageId(a.id)).toBe(true);
  });

  it('property: any clock sequence gives strictly increasing ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 2, maxLength: 50 }),
        (times) => {
          let i = 0;
          const gen = new MessageIdGenerator('x1', () => times[i++ % times.length]!);
          let last = '';
          for (let n = 0; n < times.length; n++) {
            const { id } = gen.next();
            if (!(id > last)) return false;
            last = id;
          }
          return true;
        },
      ),
      { numRuns: 100 },
    );
  });

  it('instances with different ids never collide in the same millisecond', () => {
    const a = new MessageIdGenerator('aaa', () => 5);
    const b = new MessageIdGenerator('bbb', () => 5);
    expect(a.next().id).not.toBe(b.next().id);
    expect(() => new MessageIdGenerator('Bad-Id')).toThrow(TypeError);
  });

  it('isMessageId rejects other strings', () => {
    for (const v of ['', 'x', '000000000-0000-', 'ZZZZZZZZZ-0000-a', 5, null]) {
      expect(isMessageId(v)).toBe(false);
    }
  });
});

describe('TokenBucket', () => {
  it('burst, refusal, abuse past a debt of one more burst, refill with time', () => {
    let now = 0;
    const bucket = new TokenBucket(2, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual(['ok', 'ok', 'ok']);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([
      'limited',
      'limited',
      'limited',
    ]);
    expect(bucket.take()).toBe('abuse');
    now += 10_000; // refilled to the burst, not beyond
    expect(bucket.tokens).toBe(3);
    expect(bucket.take()).toBe('ok');
    // 2 per second: after 500 ms one more token.
    bucket.take();
    bucket.take();
    expect(bucket.take()).toBe('limited');
    now += 1000;
    expect(bucket.take()).toBe('ok');
  });
});

describe('MemoryAdapter', () => {
  const ev = (n: number, json = `{"n":${n}}`) => ({ id: `00000000${n}-0000-t`.slice(-16), json });

  it('history: bounded per channel, oldest first, after an id, with truncation flags', async () => {
    const a = new MemoryAdapter({ historySize: 3 });
    for (let n = 1; n <= 5; n++) await a.appendHistory('r', ev(n));
    const all = await a.readHistory('r', undefined, 10);
    expect(all.events.map((e) => e.json)).toEqual(['{"n":3}', '{"n":4}', '{"n":5}']);
    expect(all.truncated).toBe(false);
    expect((await a.readHistory('r', ev(3).id, 10)).events.map((e) => e.json)).toEqual([
      '{"n":4}',
      '{"n":5}',
    ]);
    // Asking for what followed #1: #2 was dropped, so the page is known to be incomplete.
    expect((await a.readHistory('r', ev(1).id, 10)).truncated).toBe(true);
    // More matches than the limit: the newest ones, flagged.
    const page = await a.readHistory('r', undefined, 2);
    expect(page.events.map((e) => e.json)).toEqual(['{"n":4}', '{"n":5}']);
    expect(page.truncated).toBe(true);
    expect((await a.readHistory('nope', undefined, 5)).events).toEqual([]);
    await a.dropHistory('r');
    expect((await a.readHistory('r', undefined, 5)).events).toEqual([]);
  });

  it('history: an out-of-order id is placed where it sorts', async () => {
    const a = new MemoryAdapter({ historySize: 10 });
    await a.appendHistory('r', ev(1));
    await a.appendHistory('r', ev(3));
    await a.appendHistory('r', ev(2));
    const page = await a.readHistory('r', undefined, 10);
    expect(page.events.map((e) => e.json)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('history budgets: whole channels are forgotten, least recently written first', async () => {
    const a = new MemoryAdapter({ historySize: 10, maxHistoryChannels: 2, maxHistoryChars: 1000 });
    await a.appendHistory('a', ev(1));
    await a.appendHistory('b', ev(2));
    await a.appendHistory('a', ev(3));
    await a.appendHistory('c', ev(4)); // 3 channels > 2: b (least recently written) goes
    expect((await a.readHistory('b', undefined, 10)).events).toEqual([]);
    expect((await a.readHistory('a', undefined, 10)).events).toHaveLength(2);
    // Over the character budget: a (written before c) goes, which is enough.
    await a.appendHistory('d', ev(5, 'x'.repeat(990)));
    expect((await a.readHistory('a', undefined, 10)).events).toEqual([]);
    expect((await a.readHistory('c', undefined, 10)).events).toHaveLength(1);
    expect((await a.readHistory('d', undefined, 10)).events).toHaveLength(1);
  });

  it('fan-out only to subscribed channels; presence claims and members', async () => {
    const a = new MemoryAdapter();
    const got: string[] = [];
    a.setListener((channel, e) => got.push(`${channel}:${e.json}`));
    await a.publish('r', ev(1));
    await a.subscribe('r');
    await a.publish('r', ev(2));
    await a.unsubscribe('r');
    await a.publish('r', ev(3));
    expect(got).toEqual(['r:{"n":2}']);

    expect(await a.claimNick('alice', 's1')).toBe(true);
    expect(await a.claimNick('alice', 's1')).toBe(true);
    expect(await a.claimNick('alice', 's2')).toBe(false);
    await a.releaseNick('alice', 's2'); // not the owner: no effect
    expect(a.nickOwner('alice')).toBe('s1');
    await a.releaseNick('alice', 's1');
    expect(a.nickOwner('alice')).toBeUndefined();

    await a.addMember('r', 'alice');
    await a.addMember('r', 'bob');
    await a.addMember('q', 'bob');
    await a.renameMember('r', 'alice', 'al');
    expect(a.members('r')).toEqual(['al', 'bob']);
    expect(a.rooms()).toEqual([
      { room: 'q', members: 1 },
      { room: 'r', members: 2 },
    ]);
    await a.removeMember('q', 'bob');
    expect(a.roomCount()).toBe(1);
    expect(a.members('q')).toEqual([]);
  });
});

describe('names', () => {
  it('nicks: ASCII, letter or _ first, length-bounded; the key is lowercase', () => {
    expect(validNick('Alice_[1]', 24)).toBe('Alice_[1]');
    for (const bad of ['', '9lives', 'a b', 'a'.repeat(25), 'ünï', '#chan', 'a@b', null]) {
      expect(validNick(bad, 24)).toBeUndefined();
    }
    expect(nickKey('AlIcE')).toBe('alice');
  });

  it('rooms: optional #, lowercase canonical form, no @', () => {
    expect(canonicalRoom('#Dev-Ops_2', 32)).toBe('dev-ops_2');
    for (const bad of ['', '#', '-x', 'a b', '@inbox', 'x'.repeat(33), 'é', 7]) {
      expect(canonicalRoom(bad, 32)).toBeUndefined();
    }
  });
});

describe('parseCommand', () => {
  it('property: never throws, always a command or a documented error code', () => {
    const anyJson = fc.oneof(
      fc.string(),
      fc.json(),
      fc
        .record(
          {
            type: fc.constantFrom(
              'hello',
              'nick',
              'join',
              'leave',
              'post',
              'dm',
              'rooms',
              'who',
              'ping',
              'x',
            ),
            nick: fc.oneof(fc.string(), fc.integer()),
            room: fc.oneof(fc.string(), fc.constant('#ok')),
            text: fc.oneof(fc.string(), fc.integer()),
            to: fc.string(),
            since: fc.string(),
            ref: fc.oneof(fc.string(), fc.integer(), fc.object()),
            rooms: fc.array(fc.string()),
          },
          { requiredKeys: ['type'] },
        )
        .map((o) => JSON.stringify(o)),
    );
    fc.assert(
      fc.property(anyJson, (text) => {
        const result = parseCommand(text, CHAT_DEFAULTS);
        if ('code' in result) return result.code in ERROR_CODES;
        return typeof result.type === 'string';
      }),
      { numRuns: 500 },
    );
  });

  it('hello normalises rooms and keeps token and since', () => {
    const token = 'a'.repeat(43);
    const since = '0000000001-0000-x'.slice(1);
    expect(
      parseCommand(
        JSON.stringify({
          type: 'hello',
          nick: 'al',
          rooms: ['#A', 'a', 'b'],
          token,
          since,
          ref: 3,
        }),
        CHAT_DEFAULTS,
      ),
    ).toEqual({ type: 'hello', ref: 3, nick: 'al', token, since, rooms: ['a', 'b'] });
    expect(
      parseCommand(JSON.stringify({ type: 'hello', nick: 'al', rooms: 'a' }), CHAT_DEFAULTS),
    ).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(
      parseCommand(
        JSON.stringify({ type: 'hello', nick: 'al', rooms: ['bad room'] }),
        CHAT_DEFAULTS,
      ),
    ).toMatchObject({ code: 'ROOM_INVALID' });
    expect(
      parseCommand(
        JSON.stringify({ type: 'post', room: 'a', text: 'x', ref: 'r'.repeat(65) }),
        CHAT_DEFAULTS,
      ),
    ).toMatchObject({ code: 'BAD_MESSAGE' });
  });
});
