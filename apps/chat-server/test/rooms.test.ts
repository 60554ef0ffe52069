import { describe, expect, it } from 'vitest';
import { isMessageId } from '../src/index.js';
import { startChat, user } from './chat-fixture.js';

describe('rooms: join, post, broadcast to the room only', () => {
  it('a post reaches every member of the room (the sender too) and no one else', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice', 'lobby');
    const bob = await user(port, 'bob', 'lobby');
    const carol = await user(port, 'carol', 'elsewhere');

    const ack = await alice.request({ type: 'post', room: 'lobby', text: 'hello lobby' });
    expect(ack).toMatchObject({ type: 'ok', for: 'post', room: 'lobby' });
    expect(isMessageId(ack.id)).toBe(true);
    expect(typeof ack.ts).toBe('number');

    const atBob = await bob.next('message');
    expect(atBob).toEqual({
      type: 'message',
      id: ack.id,
      ts: ack.ts,
      room: 'lobby',
      from: 'alice',
      text: 'hello lobby',
    });
    expect((await alice.next('message')).id).toBe(ack.id);

    // Carol is in another room: a later post there arrives, the lobby post never did.
    await bob.request({ type: 'join', room: 'elsewhere' });
    await bob.request({ type: 'post', room: 'elsewhere', text: 'hi carol' });
    expect((await carol.next('message')).text).toBe('hi carol');
    expect(carol.log.filter((m) => m.type === 'message').map((m) => m.text)).toEqual(['hi carol']);
  });

  it('many members (encode-once broadcast path): each post once to each, in order', async () => {
    const { port } = await startChat();
    // Eight members holding every connection: fan-out goes through the server's broadcast.
    const members = await Promise.all(
      Array.from({ length: 8 }, (_, i) => user(port, `u${i}`, 'big')),
    );
    for (const m of members) {
      // A joiner's own join event waits until its `joined` (with the history) was sent.
      const nick = m.log[0]!.nick as string;
      const event = await m.next('join', (e) => e.nick === nick);
      expect(m.log.indexOf(event)).toBeGreaterThan(m.log.findIndex((e) => e.type === 'joined'));
    }
    for (let i = 0; i < 5; i++) {
      await members[i % 3]!.request({ type: 'post', room: 'big', text: `m${i}` });
    }
    for (const m of members) {
      const texts: string[] = [];
      for (let i = 0; i < 5; i++) texts.push((await m.next('message')).text);
      expect(texts).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    }
  });

  it('room names are case-insensitive and a leading # is accepted', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice');
    const joined = await alice.join('#General');
    expect(joined.room).toBe('general');
    const ack = await alice.request({ type: 'post', room: 'GENERAL', text: 'x' });
    expect(ack.room).toBe('general');
  });
});

describe('history on join', () => {
  it('a joiner gets the room’s last messages, oldest first, then live ones', async () => {
    const { port } = await startChat({ limits: { historySize: 3 } });
    const alice = await user(port, 'alice', 'h');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push((await alice.request({ type: 'post', room: 'h', text: `m${i}` })).id);
    }
    const bob = await user(port, 'bob');
    const joined = await bob.join('h');
    expect(joined.members).toEqual(['alice', 'bob']);
    expect(joined.history.map((m: { text: string }) => m.text)).toEqual(['m3', 'm4', 'm5']);
    expect(joined.history.map((m: { id: string }) => m.id)).toEqual(ids.slice(2));
    expect(joined.history[0]).toMatchObject({ type: 'message', room: 'h', from: 'alice' });
    await alice.request({ type: 'post', room: 'h', text: 'live' });
    expect((await bob.next('message')).text).toBe('live');
  });

  it('`since` gives only what came after that id, and says when some were lost', async () => {
    const { port } = await startChat({ limits: { historySize: 3 } });
    const alice = await user(port, 'alice', 'h');
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push((await alice.request({ type: 'post', room: 'h', text: `m${i}` })).id);
    }
    const bob = await user(port, 'bob');
    const recent = await bob.join('h', { since: ids[3] });
    expect(recent.history.map((m: { text: string }) => m.text)).toEqual(['m5']);
    expect(recent.truncated).toBe(false);
    await bob.request({ type: 'leave', room: 'h' });
    // m2 is gone from a 3-message history: what followed it can't be complete.
    const old = await bob.join('h', { since: ids[0] });
    expect(old.history.map((m: { text: string }) => m.text)).toEqual(['m3', 'm4', 'm5']);
    expect(old.truncated).toBe(true);
  });

  it('history size 0 keeps nothing', async () => {
    const { port } = await startChat({ limits: { historySize: 0 } });
    const alice = await user(port, 'alice', 'h');
    await alice.request({ type: 'post', room: 'h', text: 'gone' });
    const bob = await user(port, 'bob');
    expect((await bob.join('h')).history).toEqual([]);
  });
});

describe('presence', () => {
  it('join, leave and nick changes are announced to the room, with ids', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice', 'p');
    const bob = await user(port, 'bob', 'p');
    const join = await alice.next('join', (m) => m.nick === 'bob');
    expect(join).toMatchObject({ type: 'join', room: 'p', nick: 'bob' });
    expect(isMessageId(join.id)).toBe(true);
    // A member receives its own presence events too.
    await bob.next('join', (m) => m.nick === 'bob');

    expect(await bob.request({ type: 'nick', nick: 'robert' })).toMatchObject({
      type: 'ok',
      for: 'nick',
      nick: 'robert',
    });
    expect(await alice.next('nick')).toMatchObject({ room: 'p', from: 'bob', to: 'robert' });
    expect((await alice.request({ type: 'who', room: 'p' })).members).toEqual(['alice', 'robert']);

    expect(await bob.request({ type: 'leave', room: 'p' })).toMatchObject({
      type: 'left',
      room: 'p',
    });
    expect(await alice.next('leave')).toMatchObject({ room: 'p', nick: 'robert', reason: 'left' });

    await bob.close();
    // Bob left #p already: nothing more about him there; a clean close of a member says "quit".
    const carol = await user(port, 'carol', 'p');
    await carol.close();
    expect(await alice.next('leave', (m) => m.nick === 'carol')).toMatchObject({ reason: 'quit' });
    const dropped = await user(port, 'dave', 'p');
    dropped.destroy();
    expect(await alice.next('leave', (m) => m.nick === 'dave')).toMatchObject({ reason: 'lost' });
  });

  it('rooms lists rooms with members and their counts; who lists members', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice', 'b-room', 'a-room');
    await user(port, 'bob', 'a-room');
    expect((await alice.request({ type: 'rooms' })).rooms).toEqual([
      { room: 'a-room', members: 2 },
      { room: 'b-room', members: 1 },
    ]);
    expect((await alice.request({ type: 'who', room: '#a-room' })).members).toEqual([
      'alice',
      'bob',
    ]);
    expect(await alice.request({ type: 'who', room: 'nobody-here' })).toMatchObject({
      type: 'error',
      code: 'NO_SUCH_ROOM',
      for: 'who',
    });
  });
});

describe('direct messages', () => {
  it('reach only the recipient (by nick, any case); the sender gets an ack', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice', 'r');
    const bob = await user(port, 'Bob', 'r');
    const carol = await user(port, 'carol', 'r');
    const ack = await alice.request({ type: 'dm', to: 'bob', text: 'psst' });
    expect(ack).toMatchObject({ type: 'ok', for: 'dm', to: 'Bob' });
    expect(await bob.next('dm')).toEqual({
      type: 'dm',
      id: ack.id,
      ts: ack.ts,
      from: 'alice',
      to: 'Bob',
      text: 'psst',
    });
    await alice.request({ type: 'post', room: 'r', text: 'public' });
    await carol.next('message');
    expect(carol.log.some((m) => m.type === 'dm')).toBe(false);
    expect(alice.log.some((m) => m.type === 'dm')).toBe(false);
  });

  it('to an unknown nick: NO_SUCH_NICK', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'alice');
    expect(await alice.request({ type: 'dm', to: 'ghost', text: 'hi' })).toMatchObject({
      type: 'error',
      code: 'NO_SUCH_NICK',
      for: 'dm',
    });
    expect(await alice.request({ type: 'dm', to: '!!', text: 'hi' })).toMatchObject({
      code: 'NO_SUCH_NICK',
    });
  });
});
