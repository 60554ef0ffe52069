import { afterEach } from 'vitest';
import { type ChatServer, type ChatServerOptions, createChatServer } from '../src/index.js';
import { ChatPeer, type PeerOptions } from './chat-peer.js';

const servers: ChatServer[] = [];
const peers: ChatPeer[] = [];

/** Every test's servers are stopped and peers destroyed after it, whatever happened. */
afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
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
