import { afterEach, describe, expect, it, vi } from 'vitest';
import { peer, startChat, user } from './chat-fixture.js';
import { ChatPeer, OP, until } from './chat-peer.js';

/**
 * The times that are behaviour here (hello timeout, resume window, heartbeat) are an hour of a
 * fake clock: no stalled scheduler gets there by itself, the test jumps over them with
 * `vi.advanceTimersByTime`. Only the clock the server takes the time from is faked (sockets
 * and the tests' waits run on real time: `shouldAdvanceTime` keeps the fake clock moving).
 */
const HOUR = 3_600_000;

afterEach(() => {
  vi.useRealTimers();
});

describe('nick rules and uniqueness', () => {
  it('a taken nick is refused at hello and at nick, case-insensitively', async () => {
    const { port } = await startChat();
    const alice = await user(port, 'Alice');
    const other = await peer(port);
    expect(await other.request({ type: 'hello', nick: 'alice' })).toMatchObject({
      type: 'error',
      code: 'NICK_TAKEN',
      for: 'hello',
    });
    // Still connected, and free to pick another nick.
    await other.hello('bob');
    expect(await other.request({ type: 'nick', nick: 'ALICE' })).toMatchObject({
      code: 'NICK_TAKEN',
      for: 'nick',
    });
    // Changing only the case of one's own nick is fine.
    expect(await alice.request({ type: 'nick', nick: 'alice' })).toMatchObject({ nick: 'alice' });
  });

  it('invalid nicks: NICK_INVALID', async () => {
    const { port } = await startChat({ limits: { maxNickLength: 8 } });
    const p = await peer(port);
    for (const nick of ['', '1abc', 'has space', 'toolongnick', 'émile', 42]) {
      expect(await p.request({ type: 'hello', nick })).toMatchObject({ code: 'NICK_INVALID' });
    }
    await p.hello('ok_[x]');
  });

  it('a nick is free again once its holder is gone and the resume window has passed', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    // No hello timeout: the connection asking for the nick must outlive the jump.
    const { port, server } = await startChat({ limits: { resumeWindow: HOUR, helloTimeout: 0 } });
    const alice = await user(port, 'alice');
    await alice.close();
    await until(() => server.stats().held === 1, 'alice’s session held for a resume');
    const again = await peer(port);
    // Held for a resume right after the drop; freed when the window passes.
    expect((await again.request({ type: 'hello', nick: 'alice' })).code).toBe('NICK_TAKEN');
    vi.advanceTimersByTime(HOUR);
    expect(server.stats().held).toBe(0);
    expect(await again.request({ type: 'hello', nick: 'alice' })).toMatchObject({
      type: 'welcome',
      nick: 'alice',
    });
  });
});

describe('rate limiting (token bucket)', () => {
  it('past the burst, messages are refused with RATE_LIMITED; flooding on gets a Close', async () => {
    // The buckets' clock (performance.now) stands still: no token comes back during the test,
    // however slowly a busy machine works through the messages. 3 pass, 3 are refused.
    vi.useFakeTimers({ toFake: ['performance'] });
    const { port, server } = await startChat({ limits: { rate: 1, burst: 3 } });
    const p = await peer(port);
    const burst = Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ type: 'ping', ref: `p${i}` }),
    );
    p.socket.write(
      Buffer.concat(
        burst.map((t) => Buffer.concat([Buffer.from([OP.TEXT, t.length]), Buffer.from(t)])),
      ),
    );
    for (let i = 0; i < 3; i++) expect(await p.next('pong', (m) => m.ref === `p${i}`)).toBeTruthy();
    for (let i = 3; i < 6; i++) {
      expect(await p.next('error', (m) => m.ref === `p${i}`)).toMatchObject({
        code: 'RATE_LIMITED',
        for: 'ping',
      });
    }
    expect(p.closed).toBe(false);
    // Keep flooding: the debt passes the burst and the server closes with a reason.
    for (let i = 0; i < 10; i++) p.send({ type: 'ping' });
    await p.waitClosed();
    expect(JSON.parse(p.closeBody ?? '{}')).toMatchObject({ code: 'RATE_LIMITED' });
    const metrics = await server.metrics.registry.metrics();
    expect(metrics).toMatch(/chat_server_closes_total\{reason="RATE_LIMITED"\} 1/);
    expect(metrics).toMatch(/chat_errors_total\{code="RATE_LIMITED"\} [1-9]/);
  });
});

describe('bad input gets an error, not a disconnect', () => {
  it('bad JSON, non-objects, unknown types, binary messages, bad fields', async () => {
    const { port } = await startChat();
    const p = await peer(port);
    p.sendText('{not json');
    expect(await p.next('error')).toMatchObject({ code: 'BAD_JSON' });
    p.sendText('[1,2,3]');
    expect(await p.next('error')).toMatchObject({ code: 'BAD_JSON' });
    p.sendText('null');
    expect(await p.next('error')).toMatchObject({ code: 'BAD_JSON' });
    expect(await p.request({ type: 'shout' })).toMatchObject({ code: 'UNKNOWN_TYPE' });
    expect(await p.request({ type: 7 })).toMatchObject({ code: 'BAD_MESSAGE' });
    p.send({ type: 'ping', ref: { nested: true } });
    expect(await p.next('error')).toMatchObject({ code: 'BAD_MESSAGE' });
    p.sendFrame(OP.BINARY, Buffer.from([1, 2, 3]));
    expect(await p.next('error')).toMatchObject({ code: 'NOT_TEXT' });
    expect(await p.request({ type: 'join', room: 'x' })).toMatchObject({ code: 'HELLO_REQUIRED' });
    await p.hello('alice');
    expect(await p.request({ type: 'hello', nick: 'again' })).toMatchObject({
      code: 'ALREADY_HELLO',
    });
    expect(await p.request({ type: 'join', room: 'bad room!' })).toMatchObject({
      code: 'ROOM_INVALID',
    });
    expect(await p.request({ type: 'post', room: 'x', text: 'hi' })).toMatchObject({
      code: 'NOT_IN_ROOM',
    });
    expect(await p.request({ type: 'leave', room: 'x' })).toMatchObject({ code: 'NOT_IN_ROOM' });
    await p.join('x');
    expect(await p.request({ type: 'post', room: 'x', text: '' })).toMatchObject({
      code: 'BAD_MESSAGE',
    });
    expect(await p.request({ type: 'post', room: 'x', text: 'bell\u0007' })).toMatchObject({
      code: 'BAD_MESSAGE',
    });
    expect(await p.request({ type: 'join', room: 'x', since: 'yesterday' })).toMatchObject({
      code: 'BAD_MESSAGE',
    });
    // Still connected and working.
    expect(await p.request({ type: 'post', room: 'x', text: 'still here' })).toMatchObject({
      type: 'ok',
    });
    expect(p.closed).toBe(false);
  });
});

describe('message size', () => {
  it('text over maxTextLength: TEXT_TOO_LONG error; code points, not UTF-16 units', async () => {
    const { port } = await startChat({ limits: { maxTextLength: 10 } });
    const p = await user(port, 'alice', 'x');
    expect(await p.request({ type: 'post', room: 'x', text: 'x'.repeat(11) })).toMatchObject({
      code: 'TEXT_TOO_LONG',
      for: 'post',
    });
    // Ten astral characters are 20 UTF-16 units but 10 characters: accepted.
    expect(await p.request({ type: 'post', room: 'x', text: '😀'.repeat(10) })).toMatchObject({
      type: 'ok',
    });
    expect(await p.request({ type: 'dm', to: 'alice', text: 'y'.repeat(11) })).toMatchObject({
      code: 'TEXT_TOO_LONG',
      for: 'dm',
    });
  });

  it('a message over maxMessageBytes: clean close with MESSAGE_TOO_LARGE', async () => {
    const { port } = await startChat({ limits: { maxMessageBytes: 1024 } });
    const p = await user(port, 'alice', 'x');
    p.send({ type: 'post', room: 'x', text: 'z'.repeat(2000) });
    await p.waitClosed();
    expect(JSON.parse(p.closeBody ?? '{}')).toEqual({
      code: 'MESSAGE_TOO_LARGE',
      message: 'message larger than the maximum',
    });
  });

  it('a frame declaring more than 4× the cap is cut off from its header', async () => {
    const { port } = await startChat({ limits: { maxMessageBytes: 1024 } });
    const p = await user(port, 'alice');
    // Header only: 10 MB declared, nothing sent; the server must not wait for (or buffer) it.
    const h = Buffer.alloc(10);
    h[0] = OP.TEXT;
    h[1] = 127;
    h.writeBigUInt64BE(10_000_000n, 2);
    p.socket.write(h);
    await p.waitClosed();
    expect(p.closeBody).toBeUndefined();
  });
});

describe('room caps', () => {
  it('TOO_MANY_ROOMS, ROOM_FULL, ROOM_LIMIT', async () => {
    const { port } = await startChat({
      limits: { maxRoomsPerUser: 2, maxRoomMembers: 2, maxRooms: 3 },
    });
    const alice = await user(port, 'alice', 'a', 'b');
    expect(await alice.request({ type: 'join', room: 'c' })).toMatchObject({
      code: 'TOO_MANY_ROOMS',
    });
    // Rejoining a room one is in is not a new room: it answers `joined` again.
    expect(await alice.request({ type: 'join', room: 'a' })).toMatchObject({ type: 'joined' });
    await user(port, 'bob', 'a');
    const carol = await user(port, 'carol');
    expect(await carol.request({ type: 'join', room: 'a' })).toMatchObject({ code: 'ROOM_FULL' });
    await carol.join('c');
    // a, b, c exist: a fourth room can't be created, existing ones can still be joined.
    const dave = await user(port, 'dave');
    expect(await dave.request({ type: 'join', room: 'd' })).toMatchObject({ code: 'ROOM_LIMIT' });
    await dave.join('b');
  });
});

describe('connection manners', () => {
  it('no hello in time: closed with HELLO_TIMEOUT; one that said hello stays', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'], shouldAdvanceTime: true });
    const { port, server } = await startChat({ limits: { helloTimeout: HOUR } });
    const q = await peer(port);
    await q.hello('alice');
    const p = await peer(port);
    await until(() => server.stats().connections === 2, 'both connections attached');
    vi.advanceTimersByTime(HOUR);
    await p.waitClosed();
    expect(JSON.parse(p.closeBody ?? '{}').code).toBe('HELLO_TIMEOUT');
    // The client that said hello in time stays: its timer (due first) did not close it.
    expect(await q.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    expect(q.closeBody).toBeUndefined();
    expect(q.closed).toBe(false);
  });

  it('section 8: only allowed Origins may connect', async () => {
    const { port } = await startChat({ allowedOrigins: ['https://chat.example'] });
    await expect(ChatPeer.open(port, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    // No Origin at all is already refused by the handshake core (5.2.1 requires the field).
    await expect(ChatPeer.open(port, { origin: null })).rejects.toThrow(/refused: HTTP\/1.1 4/);
    const ok = await peer(port, { origin: 'https://chat.example' });
    await ok.hello('alice');
  });

  it('heartbeat: a peer that stops answering Pings is dropped, live ones stay', async () => {
    // The heartbeat's clock: its sweep (setInterval) and the time it compares (Date).
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'], shouldAdvanceTime: true });
    const { port } = await startChat({ heartbeat: { interval: HOUR, timeout: HOUR } });
    const live = await user(port, 'live', 'hb');
    const dead = await peer(port, { autoPong: false });
    await dead.hello('dead');
    await dead.join('hb');
    // An interval passes: both are pinged.
    vi.advanceTimersByTime(HOUR);
    await until(() => live.pings === 1 && dead.pings === 1, 'a Ping to each peer');
    // The live peer answered at once: a reply to a command sent after its Pong proves the
    // server has read the Pong.
    expect(await live.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
    // The Pong deadline passes: the silent peer is dropped, the live one pinged again.
    vi.advanceTimersByTime(HOUR);
    await dead.waitClosed();
    expect(dead.pings).toBe(1);
    expect(dead.closeBody).toBeUndefined(); // terminated: no closing handshake with the dead
    expect(await live.next('leave', (m) => m.nick === 'dead')).toMatchObject({ reason: 'lost' });
    await until(() => live.pings === 2, 'the live peer’s second Ping');
    expect(live.closed).toBe(false);
    expect(await live.request({ type: 'ping' })).toMatchObject({ type: 'pong' });
  });
});
