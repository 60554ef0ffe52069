import { describe, expect, it } from 'vitest';
import { peer, startChat, user } from './chat-fixture.js';
import { until } from './chat-peer.js';

describe('resume after reconnect', () => {
  it('a network blip loses nothing: missed room messages and DMs come back', async () => {
    const { port } = await startChat();
    const alice = await peer(port);
    const welcome = await alice.hello('alice');
    expect(welcome.resumed).toBe(false);
    expect(welcome.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await alice.join('r');
    const bob = await user(port, 'bob', 'r');
    await bob.request({ type: 'post', room: 'r', text: 'before' });
    const seen = (await alice.next('message')).id as string;

    alice.destroy(); // the blip: no closing handshake
    await bob.next('leave', (m) => m.nick === 'alice');
    await bob.request({ type: 'post', room: 'r', text: 'missed 1' });
    await bob.request({ type: 'post', room: 'r', text: 'missed 2' });
    // Alice's nick is held for her: a DM reaches her inbox.
    expect(await bob.request({ type: 'dm', to: 'alice', text: 'are you there?' })).toMatchObject({
      type: 'ok',
    });

    const back = await peer(port);
    const resumed = await back.hello('alice', { token: welcome.token, since: seen, rooms: ['r'] });
    expect(resumed).toMatchObject({ nick: 'alice', token: welcome.token, resumed: true });
    expect(resumed.dms.map((m: { text: string }) => m.text)).toEqual(['are you there?']);
    expect(resumed.dmsTruncated).toBe(false);
    const joined = await back.next('joined');
    expect(joined.ref).toBe(resumed.ref);
    expect(joined.history.map((m: { text: string }) => m.text)).toEqual(['missed 1', 'missed 2']);
    expect(joined.truncated).toBe(false);
    expect(await bob.next('join', (m) => m.nick === 'alice')).toBeTruthy();
  });

  it('the welcome cursor is a valid `since`: everything after the welcome', async () => {
    const { port } = await startChat();
    const bob = await user(port, 'bob', 'r');
    await bob.request({ type: 'post', room: 'r', text: 'old' });
    const alice = await peer(port);
    const welcome = await alice.hello('alice');
    await bob.request({ type: 'post', room: 'r', text: 'new' });
    const joined = await alice.join('r', { since: welcome.cursor });
    expect(joined.history.map((m: { text: string }) => m.text)).toEqual(['new']);
  });

  it('a resume over a connection the server still thinks is alive replaces it', async () => {
    const { port } = await startChat();
    const old = await peer(port);
    const welcome = await old.hello('alice');
    await old.join('r');
    const bob = await user(port, 'bob', 'r');
    const fresh = await peer(port);
    const resumed = await fresh.hello('alice', { token: welcome.token, since: welcome.cursor });
    expect(resumed.resumed).toBe(true);
    // The session's rooms come with it.
    const joined = await fresh.next('joined');
    expect(joined).toMatchObject({ room: 'r', members: ['alice', 'bob'] });
    await old.waitClosed();
    expect(JSON.parse(old.closeBody ?? '{}').code).toBe('REPLACED');
    await bob.request({ type: 'post', room: 'r', text: 'still with us?' });
    expect((await fresh.next('message')).text).toBe('still with us?');
    // No one saw alice leave: the session never left the room.
    expect(bob.log.some((m) => m.type === 'leave')).toBe(false);
  });

  it('a held nick is not given to someone without the token', async () => {
    const { port, server } = await startChat();
    const alice = await peer(port);
    await alice.hello('alice');
    alice.destroy();
    await until(() => server.stats().held === 1, 'alice’s session held for a resume');
    const thief = await peer(port);
    const token = 'A'.repeat(43);
    expect(await thief.request({ type: 'hello', nick: 'alice', token })).toMatchObject({
      code: 'NICK_TAKEN',
    });
    expect(await thief.request({ type: 'hello', nick: 'alice', token: 'short' })).toMatchObject({
      code: 'BAD_MESSAGE',
    });
  });
});
