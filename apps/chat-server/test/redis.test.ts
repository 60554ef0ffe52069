// Two chat-server instances on different ports joined by a real redis-server (started by the
// test on a free port, no persistence): the Redis adapter end to end.
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { WAIT_MS } from '../../../scripts/test-utils/wait.js';
import { type ChatServer, RedisAdapter, type RedisAdapterOptions } from '../src/index.js';
import { startChat } from './chat-fixture.js';
import { until } from './chat-peer.js';
import { freePort, RedisServer } from './redis-server.js';
import { collectingLogger, eventually, hello, type LogEntry } from './scale-helpers.js';
import { startBin } from './spawned.js';

const adapters: RedisAdapter[] = [];
const clients: Redis[] = [];
afterEach(async () => {
  // Servers (and their adapters) are stopped by chat-fixture; these are the ones a failed
  // test may have left without a server.
  await Promise.all(adapters.splice(0).map((a) => a.close()));
  for (const c of clients.splice(0)) c.disconnect();
});

interface Instance {
  readonly port: number;
  readonly server: ChatServer;
  readonly adapter: RedisAdapter;
  readonly log: LogEntry[];
}

/**
 * An in-process instance. Its times are generous: a 30 s instance TTL and command timeout, so a
 * stalled test process is never taken for a dead instance nor a slow Redis reply for a lost
 * one; the chat's default resume window (60 s) outlasts every wait, so a session held is held
 * for the whole test.
 */
async function instance(
  redis: RedisServer,
  id: string,
  options: Partial<RedisAdapterOptions> = {},
): Promise<Instance> {
  const { logger, entries } = collectingLogger();
  const adapter = new RedisAdapter({
    url: redis.url,
    instanceId: id,
    heartbeatInterval: 200,
    instanceTtl: WAIT_MS,
    commandTimeout: WAIT_MS,
    maxReconnectDelay: 300,
    logger,
    ...options,
  });
  adapters.push(adapter);
  await adapter.connect();
  const { server, port } = await startChat({ adapter, logger });
  return { port, server, adapter, log: entries };
}

function texts(events: { text: string }[]): string[] {
  return events.map((m) => m.text);
}

describe('Redis adapter: two instances, one redis-server', () => {
  it('cross-instance delivery, consistent presence, history on join from Redis, DMs and nicks across instances', async () => {
    const redis = await RedisServer.start();
    const a = await instance(redis, 'insta');
    const b = await instance(redis, 'instb');

    const { peer: alice, welcome } = await hello(a.port, 'alice');
    expect(welcome.instance).toBe('insta');
    const { peer: bob } = await hello(b.port, 'bob');
    await alice.join('r');
    // Presence: instance B's replica learns of alice's membership (no request at query time).
    await eventually(
      bob,
      { type: 'who', room: 'r' },
      (m) => m.type === 'who' && m.members.includes('alice'),
      'alice on instance B',
    );
    expect((await bob.join('r')).members).toEqual(['alice', 'bob']);
    expect((await alice.next('join', (m) => m.nick === 'bob')).room).toBe('r');

    // A message posted on A reaches the member on B (and A's own member), with A's id.
    const ack = await alice.request({ type: 'post', room: 'r', text: 'hello from A' });
    expect(ack.id.endsWith('-insta')).toBe(true);
    expect(await bob.next('message')).toMatchObject({ id: ack.id, text: 'hello from A' });
    await bob.request({ type: 'post', room: 'r', text: 'hello from B' });
    expect((await alice.next('message', (m) => m.from === 'bob')).text).toBe('hello from B');

    // Both instances list the same rooms and members.
    for (const p of [alice, bob]) {
      expect((await p.request({ type: 'rooms' })).rooms).toEqual([{ room: 'r', members: 2 }]);
      expect((await p.request({ type: 'who', room: 'r' })).members).toEqual(['alice', 'bob']);
    }

    // History on join comes from Redis: instance B never held alice's message in its own
    // store (B only keeps a local copy of what B wrote), yet a joiner on B gets it.
    const { peer: carol } = await hello(b.port, 'carol');
    expect(texts((await carol.join('r')).history)).toEqual(['hello from A', 'hello from B']);
    const probe = new Redis(redis.url);
    clients.push(probe);
    expect(await probe.zcard('chat:history:r')).toBe(2);
    expect(await probe.hget('chat:nicks', 'alice')).toMatch(/^[0-9a-f]{32} insta$/);
    expect(await probe.hget('chat:members:r', 'bob')).toMatch(/^\d+ instb$/);
    // Per-room channels: an instance subscribes to a room only while it has members there.
    await alice.join('solo');
    expect(await probe.pubsub('NUMSUB', 'chat:room:r', 'chat:room:solo')).toEqual([
      'chat:room:r',
      2,
      'chat:room:solo',
      1,
    ]);
    await alice.request({ type: 'leave', room: 'solo' });
    expect(await probe.pubsub('NUMSUB', 'chat:room:solo')).toEqual(['chat:room:solo', 0]);

    // DMs and nick uniqueness across instances.
    await bob.request({ type: 'dm', to: 'alice', text: 'psst' });
    expect((await alice.next('dm')).text).toBe('psst');
    const { peer: thief } = await hello(b.port, 'mallory');
    expect(await thief.request({ type: 'nick', nick: 'Alice' })).toMatchObject({
      code: 'NICK_TAKEN',
    });

    // A member leaving on B: A sees the event and its replica drops her.
    await carol.close();
    await alice.next('leave', (m) => m.nick === 'carol');
    await eventually(
      alice,
      { type: 'who', room: 'r' },
      (m) => m.members.length === 2,
      "carol gone from A's replica",
    );
  });

  it('resume across instances: missed messages and DMs from Redis, the old instance lets go (held or live)', async () => {
    const redis = await RedisServer.start();
    const a = await instance(redis, 'insta');
    const b = await instance(redis, 'instb');
    const { peer: alice, welcome } = await hello(a.port, 'alice', { rooms: ['r'] });
    await alice.next('joined');
    const { peer: bob } = await hello(b.port, 'bob', { rooms: ['r'] });
    await bob.next('joined');
    const seen = (await alice.request({ type: 'post', room: 'r', text: 'seen' })).id as string;

    alice.destroy(); // a blip: instance A holds her session for its resume window
    await bob.next('leave', (m) => m.nick === 'alice');
    await bob.request({ type: 'post', room: 'r', text: 'missed' });
    await bob.request({ type: 'dm', to: 'alice', text: 'are you there?' });

    const { peer: back, welcome: resumed } = await hello(b.port, 'alice', {
      token: welcome.token,
      since: seen,
      rooms: ['r'],
    });
    expect(resumed).toMatchObject({ resumed: true, instance: 'instb', nick: 'alice' });
    expect(texts(resumed.dms)).toEqual(['are you there?']);
    expect(texts((await back.next('joined')).history)).toEqual(['missed']);
    expect((await bob.next('join', (m) => m.nick === 'alice')).room).toBe('r');

    // A dropped the session when it moved: it holds nothing its resume window could release.
    await until(() => a.server.stats().held === 0, 'A to let go of the moved session');
    const { peer: other } = await hello(a.port, 'eve');
    expect(await other.request({ type: 'nick', nick: 'alice' })).toMatchObject({
      code: 'NICK_TAKEN',
    });
    await bob.request({ type: 'dm', to: 'alice', text: 'still there' });
    expect((await back.next('dm')).text).toBe('still there');

    // A live takeover across instances: the connection on B is closed with REPLACED.
    const { peer: again, welcome: taken } = await hello(a.port, 'alice', {
      token: welcome.token,
      since: seen,
    });
    expect(taken.resumed).toBe(true);
    await back.waitClosed();
    expect(JSON.parse(back.closeBody ?? '{}').code).toBe('REPLACED');
    expect(again.closed).toBe(false);
  });

  it('redis-server restarted (data lost) while both run: local rooms keep working, both reconnect, cross-instance service and resume come back', async () => {
    const redis = await RedisServer.start();
    const a = await instance(redis, 'insta');
    const b = await instance(redis, 'instb');
    const { peer: alice, welcome } = await hello(a.port, 'alice', { rooms: ['r'] });
    const { peer: amy } = await hello(a.port, 'amy', { rooms: ['r'] });
    const { peer: bob } = await hello(b.port, 'bob', { rooms: ['r'] });
    for (const p of [alice, amy, bob]) await p.next('joined');
    await eventually(
      alice,
      { type: 'who', room: 'r' },
      (m) => m.members?.length === 3,
      'three members',
    );
    const before = await alice.request({ type: 'post', room: 'r', text: 'before' });
    await bob.next('message', (m) => m.id === before.id);

    await redis.kill();
    const disconnected = (i: Instance) =>
      i.log.some((e) => e.obj.event === 'redis-disconnected' && e.level === 'warn');
    await until(() => disconnected(a) && disconnected(b), 'both instances saw Redis go');

    // Meanwhile, local rooms: a post on A reaches A's members; a newcomer on A can join.
    const during = await alice.request({ type: 'post', room: 'r', text: 'during' });
    expect(during.type).toBe('ok');
    expect((await amy.next('message', (m) => m.id === during.id)).text).toBe('during');
    const { peer: ann } = await hello(a.port, 'ann');
    const local = await ann.join('r');
    expect(texts(local.history)).toContain('during');
    expect(local.truncated).toBe(true); // served locally: others' messages may be missing
    expect(a.log.some((e) => e.obj.event === 'redis-reconnecting')).toBe(true);

    const syncs = (i: Instance) => i.log.filter((e) => e.obj.event === 'redis-synced').length;
    const [syncedA, syncedB] = [syncs(a), syncs(b)];
    await redis.restart();
    await until(
      () => syncs(a) > syncedA && syncs(b) > syncedB && a.adapter.connected && b.adapter.connected,
      'both instances reconnected and re-asserted their state',
    );
    for (const i of [a, b]) {
      const back = i.log.find((e) => e.obj.event === 'redis-reconnected');
      expect(back?.obj.downMs).toBeGreaterThan(0);
    }

    // Presence re-asserted by both: B sees A's members, including ann who came meanwhile.
    await eventually(
      bob,
      { type: 'who', room: 'r' },
      (m) => ['alice', 'amy', 'ann', 'bob'].every((n) => m.members?.includes(n)),
      "A's members on B after the restart",
    );
    // Cross-instance delivery again.
    const after = await alice.request({ type: 'post', room: 'r', text: 'after' });
    expect((await bob.next('message', (m) => m.id === after.id)).text).toBe('after');

    // Resume across instances after the restart: alice drops from A and comes back on B;
    // Redis lost the old history but A re-wrote what it had, including the outage's post.
    alice.destroy();
    await bob.next('leave', (m) => m.nick === 'alice');
    await bob.request({ type: 'post', room: 'r', text: 'missed' });
    const { peer: back, welcome: resumed } = await hello(b.port, 'alice', {
      token: welcome.token,
      since: before.id,
      rooms: ['r'],
    });
    expect(resumed.resumed).toBe(true);
    expect(texts((await back.next('joined')).history)).toEqual(['during', 'after', 'missed']);
  });

  it('a dead instance (its Redis connections gone without a goodbye): survivors announce its members lost and hold its nicks for resumes', async () => {
    const redis = await RedisServer.start();
    const b = await instance(redis, 'instb');
    const { peer: bob } = await hello(b.port, 'bob', { rooms: ['r'] });
    await bob.next('joined');

    // Instance A lives in another process, killed with SIGKILL below. Its 10 s TTL is how long
    // B takes to find it dead, and how long A could stall without being taken for dead.
    const a = startBin('main.js', [
      '--port',
      '0',
      '--adapter',
      'redis',
      '--redis-url',
      redis.url,
      '--instance-id',
      'insta',
      '--redis-heartbeat',
      '200',
      '--redis-ttl',
      '10000',
      '--log-level',
      'warn',
    ]);
    const [, port] = await a.waitOut(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//);
    const { peer: alice, welcome } = await hello(Number(port), 'alice', { rooms: ['r'] });
    await alice.next('joined');
    await bob.next('join', (m) => m.nick === 'alice');

    a.child.kill('SIGKILL');
    await a.exited;
    // Instance B notices A's heartbeat stopped and announces alice's departure.
    expect(await bob.next('leave', (m) => m.nick === 'alice')).toMatchObject({
      reason: 'lost',
    });
    expect(b.log.some((e) => e.obj.event === 'redis-instances-reaped')).toBe(true);
    expect((await bob.request({ type: 'who', room: 'r' })).members).toEqual(['bob']);
    // Her nick is held for her: someone else can't take it, she can resume on B.
    const { peer: thief } = await hello(b.port, 'mallory');
    expect(await thief.request({ type: 'nick', nick: 'alice' })).toMatchObject({
      code: 'NICK_TAKEN',
    });
    const resumed = await (
      await hello(b.port, 'alice', { token: welcome.token, since: welcome.cursor })
    ).welcome;
    expect(resumed.resumed).toBe(true);
  });

  it('ws02-chat-server --adapter redis, two processes on two ports: a message crosses, SIGTERM says goodbye to Redis', async () => {
    const redis = await RedisServer.start();
    const spawnInstance = async (id: string) => {
      const p = startBin('main.js', ['--port', '0', '--instance-id', id], {
        CHAT_REDIS_URL: redis.url, // the adapter follows from the URL
        LOG_LEVEL: 'info',
      });
      const [, port] = await p.waitOut(
        new RegExp(`listening on ws://127\\.0\\.0\\.1:(\\d+)/ \\(redis adapter, instance ${id}\\)`),
      );
      return { p, port: Number(port) };
    };
    const [one, two] = await Promise.all([spawnInstance('one'), spawnInstance('two')]);
    expect(one.port).not.toBe(two.port);
    const { peer: alice } = await hello(one.port, 'alice', { rooms: ['r'] });
    await alice.next('joined');
    const { peer: bob } = await hello(two.port, 'bob', { rooms: ['r'] });
    expect((await bob.next('joined')).members).toEqual(['alice', 'bob']);
    const ack = await alice.request({ type: 'post', room: 'r', text: 'across processes' });
    expect((await bob.next('message', (m) => m.id === ack.id)).text).toBe('across processes');

    const probe = new Redis(redis.url);
    clients.push(probe);
    expect((await probe.smembers('chat:instances')).sort()).toEqual(['one', 'two']);
    one.p.child.kill('SIGTERM');
    two.p.child.kill('SIGTERM');
    expect((await one.p.exit()).code).toBe(0);
    expect((await two.p.exit()).code).toBe(0);
    // Graceful: each removed itself (no one has to wait for a TTL to clean up after it).
    expect(await probe.smembers('chat:instances')).toEqual([]);
    expect(await probe.hlen('chat:nicks')).toBe(0);
    expect(await probe.scard('chat:rooms')).toBe(0);
    expect(one.p.stderr).toContain('"event":"redis-synced"');
  });

  it('Redis unreachable at start: one clear line, exit status 1', async () => {
    const port = await freePort(); // nothing listens there
    const p = startBin('main.js', [
      '--port',
      '0',
      '--adapter',
      'redis',
      '--redis-url',
      `redis://127.0.0.1:${port}`,
      '--log-level',
      'silent',
    ]);
    expect((await p.exit()).code).toBe(1);
    expect(p.stderr).toMatch(
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port} within 5000 ms`),
    );
    expect(p.stdout).toBe('');
  });
});
