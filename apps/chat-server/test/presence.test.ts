import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { WAIT_MS } from '../../../scripts/test-utils/wait.js';
import {
  ClusterAdapter,
  ClusterRouter,
  HELD,
  HistoryStore,
  type IpcPort,
  Presence,
  type PresenceDelta,
} from '../src/index.js';
import { startChat } from './chat-fixture.js';
import { hello } from './scale-helpers.js';

describe('Presence: ownership rules shared by the cluster primary, the Redis scripts and replicas', () => {
  it('nick claims: one session per nick; the same session moving to another instance takes it over', () => {
    const p = new Presence();
    expect(p.claim('alice', 's1', 'A')).toEqual({ ok: true, delta: ['n', 'alice', 's1', 'A'] });
    expect(p.claim('alice', 's2', 'B')).toEqual({ ok: false });
    expect(p.claim('alice', 's1', 'A')).toEqual({ ok: true }); // no change, no delta
    // A resume on B: the claim moves, and A is named so that it can let go.
    expect(p.claim('alice', 's1', 'B')).toEqual({
      ok: true,
      movedFrom: 'A',
      delta: ['n', 'alice', 's1', 'B'],
    });
    // A's late release changes nothing: the claim is B's now.
    expect(p.release('alice', 's1', 'A')).toBeUndefined();
    expect(p.owner('alice')).toBe('s1');
    expect(p.hasSession('s1')).toBe(true);
    expect(p.release('alice', 's1', 'B')).toEqual(['n-', 'alice']);
    expect(p.owner('alice')).toBeUndefined();
    expect(p.hasSession('s1')).toBe(false);
  });

  it('members: joining order, owner-checked removal and rename, takeover keeps the place', () => {
    const p = new Presence();
    p.add('r', 'alice', 'A');
    p.add('r', 'bob', 'B');
    expect(p.members('r')).toEqual(['alice', 'bob']);
    expect(p.remove('r', 'alice', 'B')).toBeUndefined(); // not B's
    expect(p.add('r', 'alice', 'B')).toEqual(['m', 'r', 'alice', 'B']); // moved to B
    expect(p.remove('r', 'alice', 'A')).toBeUndefined(); // A's late clean-up: no effect
    expect(p.members('r')).toEqual(['alice', 'bob']);
    expect(p.rename('r', 'bob', 'alice', 'B')).toBeUndefined(); // taken in the room
    expect(p.rename('r', 'bob', 'robert', 'B')).toEqual(['mr', 'r', 'bob', 'robert']);
    expect(p.members('r')).toEqual(['alice', 'robert']);
    expect(p.rooms()).toEqual([{ room: 'r', members: 2 }]);
    p.remove('r', 'alice', 'B');
    p.remove('r', 'robert', 'B');
    expect(p.roomCount()).toBe(0);
    expect(p.members('r')).toEqual([]);
  });

  it('a dead instance: memberships removed (listed as lost), nicks held for their sessions', () => {
    const p = new Presence();
    p.claim('alice', 's1', 'A');
    p.claim('bob', 's2', 'B');
    p.add('r', 'alice', 'A');
    p.add('r', 'bob', 'B');
    p.add('q', 'alice', 'A');
    const { deltas, lost, held } = p.dropInstance('A');
    expect(held).toEqual([['alice', 's1']]);
    expect([...lost]).toEqual([
      ['r', ['alice']],
      ['q', ['alice']],
    ]);
    expect(p.claimOf('alice')).toEqual({ sid: 's1', inst: HELD });
    expect(p.claim('alice', 's9', 'B').ok).toBe(false); // held: still hers
    expect(p.claim('alice', 's1', 'B')).toEqual({ ok: true, delta: ['n', 'alice', 's1', 'B'] });
    expect(p.rooms()).toEqual([{ room: 'r', members: 1 }]);
    // A replica fed the deltas reaches the same state as the authority.
    const replica = new Presence();
    replica.load({
      nicks: [
        ['alice', 's1', 'A'],
        ['bob', 's2', 'B'],
      ],
      rooms: [
        [
          'r',
          [
            ['alice', 'A'],
            ['bob', 'B'],
          ],
        ],
        ['q', [['alice', 'A']]],
      ],
    });
    for (const d of deltas) replica.apply(d);
    replica.apply(['n', 'alice', 's1', 'B']);
    expect(replica.snapshot()).toEqual(p.snapshot());
  });

  it("replicas: 'x' drops everything an instance owns; snapshots round-trip", () => {
    const p = new Presence();
    p.claim('alice', 's1', 'A');
    p.add('r', 'alice', 'A');
    p.add('r', 'bob', 'B');
    const copy = new Presence();
    copy.load(p.snapshot());
    expect(copy.snapshot()).toEqual(p.snapshot());
    const x: PresenceDelta = ['x', 'A'];
    copy.apply(x);
    expect(copy.members('r')).toEqual(['bob']);
    expect(copy.owner('alice')).toBeUndefined();
    expect(p.ownedBy('A')).toEqual({ nicks: [['alice', 's1']], members: [['r', 'alice']] });
  });

  it('HistoryStore keeps the same id once (a re-sent entry)', () => {
    const h = new HistoryStore({ historySize: 3 });
    h.append('r', { id: '0000000001-0000-a', json: '1' });
    h.append('r', { id: '0000000002-0000-a', json: '2' });
    h.append('r', { id: '0000000001-0000-a', json: '1' });
    expect(h.read('r', undefined, 10).events.map((e) => e.json)).toEqual(['1', '2']);
  });
});

/** Both ends of an in-memory IPC channel, with structured clone (as with 'advanced'). */
function channel(): { worker: IpcPort; primary: IpcPort; sent: { toWorker: unknown[] } } {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  const sent = { toWorker: [] as unknown[] };
  return {
    sent,
    worker: {
      send(message, callback) {
        const copy = structuredClone(message);
        setImmediate(() => toPrimary.emit('message', copy));
        callback(null);
        return true;
      },
      on: (e, l) => toWorker.on(e, l),
      off: (e, l) => toWorker.off(e, l),
    },
    primary: {
      send(message, callback) {
        const copy = structuredClone(message);
        sent.toWorker.push(copy);
        setImmediate(() => toWorker.emit('message', copy));
        callback(null);
        return true;
      },
      on: (e, l) => toPrimary.on(e, l),
      off: (e, l) => toPrimary.off(e, l),
    },
  };
}

/** Events of `room` the primary forwarded to one worker. */
function forwarded(sent: unknown[], room: string): number {
  let n = 0;
  for (const batch of sent as { chat: unknown[][] }[]) {
    for (const m of batch.chat) if (m[0] === 'e' && m[1] === room) n++;
  }
  return n;
}

describe('ClusterRouter with ClusterAdapters (in one process, over in-memory IPC)', () => {
  it('a room’s events go only to the workers with members in it (per-room channels)', async () => {
    const router = new ClusterRouter({ historySize: 10 });
    const links = [channel(), channel(), channel()];
    const ports: number[] = [];
    for (const [i, link] of links.entries()) {
      router.attach(i, link.primary);
      const adapter = new ClusterAdapter({
        instanceId: `w${i}`,
        port: link.worker,
        requestTimeout: WAIT_MS,
      });
      await adapter.connect();
      ports.push((await startChat({ adapter })).port);
    }
    const { peer: alice } = await hello(ports[0]!, 'alice', { rooms: ['r'] });
    await alice.next('joined');
    const { peer: bob } = await hello(ports[1]!, 'bob', { rooms: ['r'] });
    await bob.next('joined');
    const { peer: carol } = await hello(ports[2]!, 'carol', { rooms: ['other'] });
    await carol.next('joined');
    await alice.next('join', (m) => m.nick === 'bob');

    for (let i = 0; i < 5; i++) await alice.request({ type: 'post', room: 'r', text: `m${i}` });
    for (let i = 0; i < 5; i++) expect((await bob.next('message')).text).toBe(`m${i}`);
    expect(forwarded(links[1]!.sent.toWorker, 'r')).toBeGreaterThanOrEqual(5);
    expect(forwarded(links[2]!.sent.toWorker, 'r')).toBe(0); // carol's worker: never
    expect(forwarded(links[0]!.sent.toWorker, 'r')).toBe(1); // bob's join only, not its own posts
    // Presence is everywhere, without asking: carol's worker lists #r.
    expect((await carol.request({ type: 'rooms' })).rooms).toEqual([
      { room: 'other', members: 1 },
      { room: 'r', members: 2 },
    ]);
    expect(router.stats()).toEqual({ workers: 3, channels: 5 }); // r, other, 3 inboxes

    // Worker 0 dies: its members are announced lost in their rooms by a survivor.
    router.detach(0, true);
    expect(await bob.next('leave', (m) => m.nick === 'alice')).toMatchObject({ reason: 'lost' });
    expect((await bob.request({ type: 'who', room: 'r' })).members).toEqual(['bob']);
    router.close();
  });
});
