import { describe, expect, it } from 'vitest';
import { gatedRelay, peer, startChat, user } from './chat-fixture.js';
import { until } from './chat-peer.js';
import { type Spawned, startBin } from './spawned.js';

/** The terminal client as a user runs it: spawned, typed into, its output read. */
function chatCli(url: string, ...args: string[]): Spawned {
  return startBin('chat-cli.js', [url, '--keepalive', '0', ...args]);
}

describe('ws02-chat, the terminal client (spawned)', () => {
  it('two users chat: rooms, history on join, DMs, /who, /rooms, /nick, /leave, /quit', async () => {
    const { url } = await startChat();
    const alice = chatCli(url, '--nick', 'alice', '--join', 'lobby');
    await alice.waitOut(/-- connected to ws:\/\/127\.0\.0\.1:\d+\/ as alice\n/);
    await alice.waitOut(/-- joined #lobby — members: alice\n/);
    const bob = chatCli(url, '--nick', 'bob', '--join', '#Lobby');
    await bob.waitOut(/-- joined #lobby — members: alice, bob\n/);
    await alice.waitOut(/\[\d\d:\d\d\] #lobby -> bob joined\n/);

    alice.type('hello everyone');
    await bob.waitOut(/\[\d\d:\d\d\] #lobby <alice> hello everyone\n/);
    await alice.waitOut(/#lobby <alice> hello everyone\n/);

    bob.type('/msg alice psst, a secret');
    await alice.waitOut(/\[\d\d:\d\d\] \*bob\* psst, a secret\n/);
    await bob.waitOut(/\[\d\d:\d\d\] -> \*alice\* psst, a secret\n/);

    alice.type('/who');
    await alice.waitOut(/-- #lobby: alice, bob \(2\)\n/);
    alice.type('/rooms');
    await alice.waitOut(/-- rooms: #lobby \(2\)\n/);

    bob.type('/nick robert');
    await bob.waitOut(/-- you are now known as robert\n/);
    await alice.waitOut(/#lobby bob is now known as robert\n/);

    // Another room: what is said there stays there.
    alice.type('/join side');
    await alice.waitOut(/-- joined #side — members: alice\n/);
    alice.type('only for side');
    await alice.waitOut(/#side <alice> only for side\n/);
    bob.type('back in the lobby');
    await alice.waitOut(/#lobby <robert> back in the lobby\n/);
    // Bob's own line came after anything of alice's side post could have reached him.
    await bob.waitOut(/#lobby <robert> back in the lobby\n/);
    expect(bob.stdout).not.toContain('only for side');

    // A newcomer sees the lobby's history on join.
    const carol = chatCli(url, '--nick', 'carol', '--join', 'lobby');
    await carol.waitOut(/-- #lobby: last 2 messages\n/);
    await carol.waitOut(/#lobby <alice> hello everyone\n[^\n]*#lobby <robert> back in the lobby\n/);
    expect(carol.stdout).not.toContain('psst');

    alice.type('/frob');
    await alice.waitOut(/!! unknown command \/frob; \/help lists them\n/);
    alice.type('/help');
    await alice.waitOut(/\/msg <nick> <text>/);
    alice.type('/leave side');
    await alice.waitOut(/-- left #side\n/);
    alice.type('/join nope!');
    await alice.waitOut(/!! ROOM_INVALID: "nope!" is not a valid room name/);

    alice.type('/quit');
    expect(await alice.exit()).toEqual({ code: 0, signal: null });
    await bob.waitOut(/#lobby <- alice left \(quit\)\n/);
    // End of input (Ctrl+D) quits too.
    bob.child.stdin!.end();
    expect((await bob.exit()).code).toBe(0);
    carol.type('/quit');
    expect((await carol.exit()).code).toBe(0);
  });

  it('reconnects with backoff after a drop and shows what it missed; survives a server shutdown', async () => {
    const { port, server } = await startChat();
    // Alice goes through a relay, whose gate holds her reconnection until bob has spoken.
    const relay = await gatedRelay(port);
    const alice = chatCli(
      relay.url,
      '--nick',
      'alice',
      '--join',
      'lobby',
      '--reconnect-delay',
      '500',
    );
    await alice.waitOut(/-- joined #lobby — members: alice\n/);
    const bob = await user(port, 'bob', 'lobby');
    await bob.request({ type: 'post', room: 'lobby', text: 'seen before' });
    await alice.waitOut(/<bob> seen before\n/);

    // The network drops alice's connection: the server side goes away without a Close. Her
    // reconnection waits at the gate while bob posts and writes to her meanwhile.
    relay.hold();
    for (const ws of server.wss.clients ?? []) {
      if (ws.remotePort !== bob.socket.localPort) ws.terminate();
    }
    await until(() => server.stats().held === 1, 'alice’s session to be held');
    await bob.request({ type: 'post', room: 'lobby', text: 'said while you were away' });
    await bob.request({ type: 'dm', to: 'alice', text: 'dm while away' });
    const mark = alice.stdout.length;
    relay.release();
    await alice.waitOut(
      /-- disconnected: connection lost\n-- reconnecting in \d+\.\d s \(attempt 1 of 20\)\n/,
    );
    await alice.waitOut(
      /-- reconnected to ws:\/\/127\.0\.0\.1:\d+\/ as alice \(session resumed\)\n/,
    );
    await alice.waitOut(/-- 1 missed direct message:\n[^\n]*\*bob\* dm while away\n/);
    await alice.waitOut(
      /-- #lobby: 1 missed message\n[^\n]*#lobby <bob> said while you were away\n/,
    );
    expect(alice.stdout.slice(mark)).not.toContain('seen before');

    // Typing works again on the resumed session.
    alice.type('back!');
    expect((await bob.next('message', (m) => m.text === 'back!')).from).toBe('alice');

    await server.stop();
    await alice.waitOut(/-- disconnected: the server is shutting down\n-- reconnecting in/);
    alice.type('/quit');
    expect((await alice.exit()).code).toBe(0);
  });

  it('a taken nick: tries nick_2', async () => {
    const { url, port } = await startChat();
    await user(port, 'alice');
    const cli = chatCli(url, '--nick', 'alice', '--join', '');
    await cli.waitOut(/!! alice is taken; trying alice_2\n/);
    await cli.waitOut(/-- connected to \S+ as alice_2\n/);
    cli.type('plain text');
    await cli.waitOut(/!! join a room first: \/join <room>\n/);
    cli.type('/quit');
    expect((await cli.exit()).code).toBe(0);
    // A nick the server's rules refuse: the error, then exit status 2.
    const invalid = chatCli(url, '--nick', '9lives');
    expect((await invalid.exit()).code).toBe(2);
    expect(invalid.stdout).toMatch(/!! NICK_INVALID: "9lives" is not a valid nick/);
  });

  it('an unreachable server: exit 1; a bad URL: exit 2', async () => {
    const { port, server } = await startChat();
    await server.stop();
    const down = chatCli(`ws://127.0.0.1:${port}/`, '--nick', 'x');
    expect((await down.exit()).code).toBe(1);
    expect(down.stdout).toMatch(/!! cannot connect to ws:\/\/127\.0\.0\.1:\d+\/: .*ECONNREFUSED/);
    const bad = chatCli('http://example.com/', '--nick', 'x');
    expect((await bad.exit()).code).toBe(2);
    expect(bad.stderr).toMatch(/^ws02-chat: /);
  });

  it('text from the network cannot drive the terminal', async () => {
    const { url, port } = await startChat();
    const cli = chatCli(url, '--nick', 'viewer', '--join', 'x');
    await cli.waitOut(/-- joined #x/);
    // Control characters are refused by the server; a DM's text with bidi overrides is not.
    const sender = await peer(port);
    await sender.hello('sender');
    await sender.request({ type: 'dm', to: 'viewer', text: 'abc\u202edef' });
    await cli.waitOut(/\*sender\* abc\ufffddef\n/);
    cli.type('/quit');
    expect((await cli.exit()).code).toBe(0);
  });
});
