import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ClientHandshakeParser,
  createClientHandshake,
  createServerResponse,
  ServerHandshakeParser,
} from '../src/index.js';
import { concat, feed, seededRandom, split } from './helpers.js';

const protocolName = fc.stringMatching(/^[!-~]{1,8}$/);

describe('client core ↔ server core, in memory (5.1 ↔ 5.2)', () => {
  it('every generated handshake is accepted and answered; frames on both sides survive', () => {
    fc.assert(
      fc.property(
        fc.record({
          host: fc.constantFrom(
            'example.com',
            'localhost',
            '127.0.0.1',
            '[::1]',
            'xn--caf-dma.example',
          ),
          port: fc.constantFrom(80, 443, 8080, 1),
          secure: fc.boolean(),
          path: fc.stringMatching(/^\/[!-~]{0,20}$/),
          origin: fc.constantFrom('http://example.com', 'null', 'https://a.example:8443'),
          offered: fc.uniqueArray(protocolName, { maxLength: 4 }),
          supported: fc.uniqueArray(protocolName, { maxLength: 4 }),
          cookies: fc.array(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{0,5}$/), { maxLength: 3 }),
          setCookies: fc.array(fc.stringMatching(/^[a-z]{1,5}=[a-z0-9]{0,5}$/), { maxLength: 3 }),
          seed: fc.integer(),
          clientFrames: fc.uint8Array({ maxLength: 20 }),
          serverFrames: fc.uint8Array({ maxLength: 20 }),
          cuts: fc.array(fc.nat(400), { maxLength: 6 }),
        }),
        (c) => {
          // The server supports some of the offered protocols, or not.
          const supported = [...c.supported, ...c.offered.slice(1)];
          const hs = createClientHandshake({
            url: { host: c.host, port: c.port, resourceName: c.path, secure: c.secure },
            origin: c.origin,
            protocols: c.offered,
            cookies: c.cookies,
            random: seededRandom(c.seed),
          });
          const toServer = concat(hs.request, c.clientFrames);
          const server = feed(
            new ServerHandshakeParser({ secure: c.secure, protocols: supported }),
            split(toServer, c.cuts),
          );
          const expectedProtocol = c.offered.find((p) => supported.includes(p));
          if (c.offered.length > 0 && expectedProtocol === undefined) {
            expect(server.result.kind === 'failed' && server.result.error.code).toBe(
              'HANDSHAKE_UNSUPPORTED_PROTOCOL',
            );
            return;
          }
          if (server.result.kind !== 'request') throw new Error(JSON.stringify(server.result));
          const request = server.result.request;
          expect(server.after).toEqual(c.clientFrames);
          expect(request.resourceName).toBe(c.path);
          expect(request.origin).toBe(c.origin);
          expect(request.protocols).toEqual(c.offered);
          expect(request.protocol).toBe(expectedProtocol);
          // Step 27 shuffles every field, Cookie fields included.
          expect([...(request.fields.cookie ?? [])].sort()).toEqual([...c.cookies].sort());
          const response = createServerResponse({ request, setCookies: c.setCookies });
          const toClient = concat(response, c.serverFrames);
          const client = feed(new ClientHandshakeParser(hs), split(toClient, c.cuts));
          if (client.result.kind !== 'established') throw new Error(JSON.stringify(client.result));
          expect(client.result.protocol).toBe(expectedProtocol);
          expect(client.result.cookies).toEqual(
            c.setCookies.map((value) => ({ name: 'set-cookie', value })),
          );
          expect(client.after).toEqual(c.serverFrames);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a server answer for a different handshake fails the client at step 48', () => {
    const a = createClientHandshake({ url: 'ws://h/', origin: 'null' });
    const b = createClientHandshake({ url: 'ws://h/', origin: 'null' });
    const r = new ServerHandshakeParser().receiveData(b.request);
    if (r.kind !== 'request') throw new Error(r.kind);
    const result = new ClientHandshakeParser(a).receiveData(
      createServerResponse({ request: r.request }),
    );
    expect(result.kind === 'failed' && [result.error.code, result.error.step]).toEqual([
      'HANDSHAKE_CHALLENGE_MISMATCH',
      48,
    ]);
  });
});
