import { connect, createServer, type Socket } from 'node:net';
import { afterEach } from 'vitest';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../src/index.js';
import { ChatPeer, type PeerOptions } from './chat-peer.js';

const servers: ChatServer[] = [];
const peers: ChatPeer[] = [];
const relays: (() => void)[] = [];

/** Every test's servers and relays are stopped and peers destroyed after it, whatever happened. */
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  for (const closeRelay of relays.splice(0)) closeRelay();
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

/** A chat server on 127.0.0.1 and a free port, with quiet defaults for tests. */
export async function startChat(
  options: ChatServerOptions = {},
): Promise<{ server: ChatServer; port: number; url: string }> {
  const server = createChatServer({
    port: 0,
    host: '127.0.0.1',
    processMetrics: false,
    ...options,
    // Generous rate limits unless a test sets its own: the machine may be busy.
    limits: { rate: 1000, burst: 1000, ...options.limits },
  });
  servers.push(server);
  const address = await server.start();
  return { server, port: address.port, url: address.url };
}

/** A raw-socket chat peer, destroyed after the test. */
export async function peer(port: number, options?: PeerOptions): Promise<ChatPeer> {
  const p = await ChatPeer.open(port, options);
  peers.push(p);
  return p;
}

/** A peer that said hello as `nick` and joined `rooms`. */
export async function user(port: number, nick: string, ...rooms: string[]): Promise<ChatPeer> {
  const p = await peer(port);
  await p.hello(nick);
  for (const room of rooms) await p.join(room);
  return p;
}

/** A TCP relay in front of a server, whose new connections can be held at a gate. */
export interface GatedRelay {
  readonly port: number;
  /** ws:// URL of the relay. */
  readonly url: string;
  /** From now on, new connections are accepted but wait (nothing passed on) until `release`. */
  hold(): void;
  /** Lets the waiting connections (and all later ones) through. */
  release(): void;
}

/**
 * A relay to 127.0.0.1:`port`, closed after the test. It puts an order where a client would
 * otherwise race the test: a reconnection held at the gate happens after whatever the test
 * does before `release()`, however long a busy machine takes for it.
 */
export async function gatedRelay(port: number): Promise<GatedRelay> {
  let gate: Promise<void> | undefined;
  let open = () => {};
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('error', () => {});
    s.once('close', () => sockets.delete(s));
  };
  const server = createServer(async (client) => {
    track(client);
    client.pause();
    if (gate !== undefined) await gate;
    if (client.destroyed) return;
    const upstream = connect(port, '127.0.0.1');
    track(upstream);
    upstream.once('close', () => client.destroy());
    client.once('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  relays.push(() => {
    server.close();
    open();
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayPort = (server.address() as { port: number }).port;
  return {
    port: relayPort,
    url: `ws://127.0.0.1:${relayPort}/`,
    hold() {
      gate ??= new Promise((resolve) => {
        open = resolve;
      });
    },
    release() {
      gate = undefined;
      open();
    },
  };
}
