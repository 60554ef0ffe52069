import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { constructWebSocketUrl, parseWebSocketUrl, validateWebSocketUrl } from '../src/index.js';

// Characters the WHATWG URL parser leaves as they are in paths and queries of special URLs
// (no percent-encoding, no dot-segment meaning on their own).
const pathChar = fc.constantFrom(...'abcxyzABCXYZ0189-_~!$&()*+,;=:@'.split(''));
const segment = fc
  .array(fc.oneof(pathChar, fc.constant('.')), { minLength: 1, maxLength: 8 })
  .map((cs) => cs.join(''))
  .filter((s) => s !== '.' && s !== '..');
const path = fc.array(segment, { maxLength: 4 }).map((segs) => `/${segs.join('/')}`);
const query = fc.option(
  fc
    .array(fc.oneof(pathChar, fc.constantFrom('/', '?', '.')), { maxLength: 12 })
    .map((cs) => `?${cs.join('')}`),
  { nil: '' },
);
const label = fc
  .stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((l) => !l.startsWith('xn--'));
const domain = fc
  .tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.stringMatching(/^[a-z]{2,6}$/))
  .map(([labels, tld]) => [...labels, tld].join('.'));
const ipv4 = fc.ipV4();
// Eight non-zero groups: the canonical form has no "::" compression and no leading zeros.
const ipv6 = fc
  .array(fc.integer({ min: 1, max: 0xffff }), { minLength: 8, maxLength: 8 })
  .map((groups) => `[${groups.map((g) => g.toString(16)).join(':')}]`);
const parts = fc.record({
  host: fc.oneof(domain, ipv4, ipv6),
  port: fc.integer({ min: 1, max: 65535 }),
  resourceName: fc.tuple(path, query).map(([p, q]) => p + q),
  secure: fc.boolean(),
});

describe('sections 3.1 + 3.2 round trip (property)', () => {
  it('parseWebSocketUrl(constructWebSocketUrl(p)) equals p, and p is valid per 3.3', () => {
    fc.assert(
      fc.property(parts, (p) => {
        validateWebSocketUrl(p);
        expect(parseWebSocketUrl(constructWebSocketUrl(p))).toEqual(p);
      }),
      { numRuns: 2000 },
    );
  });

  it('constructWebSocketUrl(parseWebSocketUrl(s)) is a fixed point of parsing', () => {
    fc.assert(
      fc.property(parts, (p) => {
        const once = parseWebSocketUrl(constructWebSocketUrl(p));
        expect(parseWebSocketUrl(constructWebSocketUrl(once))).toEqual(once);
      }),
      { numRuns: 500 },
    );
  });
});
