import { computeHandshakeResponse } from '@ws02/handshake';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkKeyShape } from '../../src/wire/client-request-check.js';
import {
  challengeAnswer,
  DRAFT_EXAMPLES,
  makeClientKeys,
  makeKey,
  readKey,
  SeededRandom,
} from '../../src/wire/handshake-keys.js';

describe('the key challenge, independently (5.1 steps 19–46, 5.2.2 steps 4–9)', () => {
  it('reads the 5.2.2 example keys as the draft does (parts 0x36096565 and 0x0AB96733)', () => {
    const k1 = readKey(DRAFT_EXAMPLES.server.key1);
    const k2 = readKey(DRAFT_EXAMPLES.server.key2);
    expect([k1.keyNumber, k1.spaces, k1.part]).toEqual([3626341780n, 4, 0x36096565]);
    expect([k2.keyNumber, k2.spaces, k2.part]).toEqual([1799227390n, 10, 0x0ab96733]);
  });

  it('reads the 5.1 example keys back to number_1 777007543 and number_2 114997259', () => {
    expect(readKey(DRAFT_EXAMPLES.client.key1).part).toBe(777_007_543);
    expect(readKey(DRAFT_EXAMPLES.client.key2).part).toBe(114_997_259);
  });

  it('answers every worked example of the draft with its published 16 bytes', () => {
    for (const ex of Object.values(DRAFT_EXAMPLES)) {
      const answer = challengeAnswer(readKey(ex.key1).part!, readKey(ex.key2).part!, ex.key3);
      expect(answer.toString('latin1')).toBe(ex.answer.toString('latin1'));
    }
  });

  it('names every abort of 5.2.2 steps 4–6', () => {
    expect(readKey('x  8589934590y').abort).toMatch(/step 4/); // part fits, key-number does not
    expect(readKey('x1234y').abort).toMatch(/step 5/);
    expect(readKey('x  11y').abort).toMatch(/step 6/);
    expect(readKey('x 4294967295y').abort).toBeUndefined();
  });

  it('generates keys that follow steps 19–25 (property)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = new SeededRandom(seed);
        const { key, number } = makeKey(random);
        expect(checkKeyShape(key)).toBeUndefined();
        expect(readKey(key).part).toBe(number);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with @ws02/handshake on the answer for random valid keys (two independent MD5 paths)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const keys = makeClientKeys(new SeededRandom(seed));
        const ours = challengeAnswer(keys.number1, keys.number2, keys.key3);
        const theirs = computeHandshakeResponse(keys.key1, keys.key2, keys.key3);
        expect(Buffer.from(theirs).equals(ours)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
