// Interop with an independent draft-02 implementation: em-websocket (Ruby, Debian package
// ruby-em-websocket), whose Sec-WebSocket-Draft 1–3 handler speaks this framing. It is started
// here; if Ruby or em-websocket is missing this suite FAILS (it never skips); `npm test`
// installs it (scripts/system-deps.mjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmWebsocket } from '../../../scripts/test-utils/peers.js';
import { connect, type WebSocket } from '../src/index.js';
import { closed, nextEvent, until, waitFor } from './helpers.js';

let em: Awaited<ReturnType<typeof startEmWebsocket>>;
let url = '';

beforeAll(async () => {
  em = await startEmWebsocket();
  url = em.url;
});

afterAll(() => em?.stop());

async function open(): Promise<WebSocket> {
  return connect(url, { origin: 'http://interop.test' });
}

describe('interop: @ws02/client ↔ em-websocket (draft 1–3 handler)', () => {
  it('opens (request head and key_3 in one write) and echoes text, including non-ASCII', async () => {
    const ws = await open();
    const got: string[] = [];
    ws.on('message', (d) => got.push(d as string));
    ws.send('hello em-websocket');
    ws.send('draft-02 ✓ — ünïcödé');
    await waitFor(() => got.length === 2);
    expect(got).toEqual(['hello em-websocket', 'draft-02 ✓ — ünïcödé']);
    ws.close();
    expect((await closed(ws))[1]).toBe(true);
  });

  it('echoes binary messages of every length encoding (7-bit, 16-bit, 63-bit)', async () => {
    const ws = await open();
    const sizes = [0, 125, 126, 65535, 65536, 200_000];
    const got: Buffer[] = [];
    const binary: boolean[] = [];
    ws.on('message', (d, isBinary) => {
      binary.push(isBinary);
      got.push(d as Buffer);
    });
    const sent = sizes.map((n) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff)));
    for (const b of sent) ws.send(b);
    await until(() => got.length === sizes.length, 'every echo');
    expect(binary).toEqual(sizes.map(() => true));
    expect(got.map((b) => b.length)).toEqual(sizes);
    for (let i = 0; i < sizes.length; i++) expect(got[i]!.equals(sent[i]!)).toBe(true);
    ws.close();
    await closed(ws);
  });

  it('a fragmented message (4.3) is reassembled by em-websocket and echoed whole', async () => {
    const ws = await open();
    ws.sendFragments(['frag', 'men', 'ted'], {});
    const [data] = await nextEvent<[string]>(ws, 'message');
    expect(data).toBe('fragmented');
    ws.sendFragments([Buffer.from([1, 2]), Buffer.from([3])], { binary: true });
    const [bin] = await nextEvent<[Buffer]>(ws, 'message');
    expect([...bin]).toEqual([1, 2, 3]);
    ws.close();
    await closed(ws);
  });

  it('ping is answered with a pong carrying the same data (4.4)', async () => {
    const ws = await open();
    ws.ping('marco');
    const [pong] = await nextEvent<[Buffer]>(ws, 'pong');
    expect(String(pong)).toBe('marco');
    ws.close();
    await closed(ws);
  });

  it('the closing handshake completes cleanly (section 7)', async () => {
    const ws = await open();
    ws.send('last words');
    await nextEvent(ws, 'message');
    ws.close('goodbye');
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(true);
    expect(ws.closeError).toBeUndefined();
  });
});
