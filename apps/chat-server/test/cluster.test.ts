// `ws02-chat-server --workers 2` spawned for real: a node:cluster primary and two worker
// processes sharing one port, joined by the cluster adapter (IPC through the primary).
import { describe, expect, it } from 'vitest';
import { until } from './chat-peer.js';
import {
  eventually,
  helloWhere,
  logLines,
  onTwoInstances,
  open,
  waitLog,
} from './scale-helpers.js';
import { type Spawned, startBin } from './spawned.js';

const LISTENING = /listening on ws:\/\/127\.0\.0\.1:(\d+)\/ \(2 workers, cluster adapter\)/;

async function startCluster(...extra: string[]): Promise<{ server: Spawned; port: number }> {
  const server = startBin('main.js', [
    '--workers',
    '2',
    '--port',
    '0',
    '--rate',
    '1000',
    '--burst',
    '1000',
    ...extra,
  ]);
  const [, port] = await server.waitOut(LISTENING);
  return { server, port: Number(port) };
}

describe('--workers 2 (node:cluster, cluster adapter)', () => {
  it('members on different workers share rooms: messages, presence, history, DMs, nicks, resume elsewhere', async () => {
    const { server, port } = await startCluster('--resume-window', '20000');
    const { a: alice, b: bob, instA, instB } = await onTwoInstances(port, 'alice', 'bob');
    expect(instA).not.toBe(instB);
    expect(instA).toMatch(/w\d+$/);

    // Presence: bob's worker knows alice is in #r before bob joins (replica, no waiting).
    await alice.join('r');
    await eventually(
      bob,
      { type: 'who', room: 'r' },
      (m) => m.type === 'who' && m.members.includes('alice'),
      "alice in bob's worker's replica",
    );
    const joined = await bob.join('r');
    expect(joined.members).toEqual(['alice', 'bob']);
    expect((await alice.next('join', (m) => m.nick === 'bob')).room).toBe('r');

    // A message from one worker reaches the member on the other, once, in order.
    const ack = await alice.request({ type: 'post', room: 'r', text: 'from worker A' });
    expect(ack.id.endsWith(`-${instA}`)).toBe(true);
    expect(await bob.next('message')).toMatchObject({
      id: ack.id,
      from: 'alice',
      text: 'from worker A',
    });
    await bob.request({ type: 'post', room: 'r', text: 'from worker B' });
    expect((await alice.next('message', (m) => m.from === 'bob')).text).toBe('from worker B');
    expect(alice.log.filter((m) => m.type === 'message').map((m) => m.text)).toEqual([
      'from worker A',
      'from worker B',
    ]);

    // Rooms listing is the cluster's; nicks are unique across workers.
    expect((await bob.request({ type: 'rooms' })).rooms).toEqual([{ room: 'r', members: 2 }]);
    const thief = await helloWhere(port, { nick: 'carol' }, (i) => i === instB);
    expect(await thief.peer.request({ type: 'nick', nick: 'ALICE' })).toMatchObject({
      code: 'NICK_TAKEN',
    });

    // History on join, whichever worker the joiner lands on (the primary keeps it).
    for (const inst of [instA, instB]) {
      const { peer } = await helloWhere(port, { nick: `dave${inst}` }, (i) => i === inst);
      const page = await peer.join('r');
      expect(page.history.map((m: { text: string }) => m.text)).toEqual([
        'from worker A',
        'from worker B',
      ]);
      await peer.close();
    }

    // DMs cross workers.
    await bob.request({ type: 'dm', to: 'alice', text: 'psst' });
    expect((await alice.next('dm')).text).toBe('psst');

    // Resume after a blip on the *other* worker: missed messages and DMs come back.
    const welcome = alice.log[0]!;
    const seen = ack.id;
    alice.destroy();
    await bob.next('leave', (m) => m.nick === 'alice');
    await bob.request({ type: 'post', room: 'r', text: 'missed' });
    await bob.request({ type: 'dm', to: 'alice', text: 'are you there?' });
    const back = await helloWhere(
      port,
      { nick: 'alice', token: welcome.token, since: seen, rooms: ['r'] },
      (i) => i === instB,
    );
    expect(back.welcome.resumed).toBe(true);
    expect(back.welcome.dms.map((m: { text: string }) => m.text)).toEqual([
      'psst',
      'are you there?',
    ]);
    const rejoined = await back.peer.next('joined');
    expect(rejoined.history.map((m: { text: string }) => m.text)).toEqual([
      'from worker B',
      'missed',
    ]);
    // The session moved: worker A has let go, so the nick stays hers on both workers.
    const other = await helloWhere(port, { nick: 'eve' }, (i) => i === instA);
    expect(await other.peer.request({ type: 'nick', nick: 'alice' })).toMatchObject({
      code: 'NICK_TAKEN',
    });

    server.child.kill('SIGTERM');
    expect(await server.exit()).toEqual({ code: 0, signal: null });
  });

  it('a killed worker: the primary restarts it, the other keeps serving, its users resume on the survivor', async () => {
    const { server, port } = await startCluster();
    const { a: alice, b: bob, instA, instB } = await onTwoInstances(port, 'alice', 'bob');
    await alice.join('r');
    await bob.join('r');
    await alice.next('join', (m) => m.nick === 'bob');
    const welcome = alice.log[0]!;
    const listening = await waitLog(
      server,
      (l) => l.event === 'worker-listening' && l.instance === instA,
      `worker ${instA} listening`,
    );

    process.kill(listening.workerPid as number, 'SIGKILL');
    await alice.waitClosed();
    // The survivor announces that alice is gone (her worker can't).
    expect(await bob.next('leave', (m) => m.nick === 'alice')).toMatchObject({ reason: 'lost' });
    // It keeps serving: bob can post and gets his own message.
    await bob.request({ type: 'post', room: 'r', text: 'still here' });
    expect((await bob.next('message')).text).toBe('still here');

    // The primary logged the death and started a replacement that listens.
    await waitLog(
      server,
      (l) => l.event === 'worker-died' && l.signal === 'SIGKILL',
      'worker-died',
    );
    await waitLog(
      server,
      (l) => l.event === 'worker-listening' && l.instance !== instA && l.instance !== instB,
      'a replacement worker listening',
    );

    // Alice's nick was held for her: she resumes (on whichever worker) with what she missed.
    const back = await open(port);
    const resumed = await back.hello('alice', {
      token: welcome.token,
      since: welcome.cursor,
      rooms: ['r'],
    });
    expect(resumed.resumed).toBe(true);
    const rejoined = await back.next('joined');
    expect(rejoined.history.map((m: { text: string }) => m.text)).toEqual(['still here']);
    expect(rejoined.members.sort()).toEqual(['alice', 'bob']);

    server.child.kill('SIGTERM');
    expect((await server.exit()).code).toBe(0);
  });

  it('SIGTERM to the primary stops every worker gracefully: clients get SERVER_SHUTDOWN, exit 0', async () => {
    const { server, port } = await startCluster();
    const { a, b } = await onTwoInstances(port, 'alice', 'bob');
    server.child.kill('SIGTERM');
    for (const p of [a, b]) {
      await p.waitClosed();
      expect(JSON.parse(p.closeBody ?? '{}').code).toBe('SERVER_SHUTDOWN');
    }
    expect(await server.exit()).toEqual({ code: 0, signal: null });
    expect(server.stdout).toMatch(/SIGTERM: shutting down \(2 workers\)/);
    expect(server.stdout).toContain('chat server stopped');
    await until(
      () => logLines(server).filter((l) => l.event === 'worker-stopping').length === 2,
      'both workers stopping',
    );
    expect(logLines(server).some((l) => l.event === 'worker-died')).toBe(false);
  });
});
