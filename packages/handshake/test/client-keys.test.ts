import { describe, expect, it } from 'vitest';
import {
  type ClientKeys,
  computeHandshakeResponse,
  createChallenge,
  generateClientKeys,
  MAX_KEY_NUMBER,
  md5,
  parseHandshakeKey,
} from '../src/index.js';
import { seededRandom } from './helpers.js';

/** Every requirement of 5.1 steps 19–26 on one generated key: the first one broken, or ''. */
function keyProblem(key: string, spaces: number, num: number): string {
  // Step 19: spaces_n is 1..12.
  if (!(spaces >= 1 && spaces <= 12)) return `spaces ${spaces}`;
  // Steps 20–21: number_n is an integer in 0..floor(4294967295 / spaces_n).
  if (!Number.isInteger(num) || num < 0 || num > Math.floor(MAX_KEY_NUMBER / spaces)) {
    return `number ${num}`;
  }
  // Step 25: exactly spaces_n spaces, never first or last.
  if (key.split(' ').length - 1 !== spaces) return 'space count';
  if (key.startsWith(' ') || key.endsWith(' ')) return 'space at an end';
  // Steps 22–23: the digits, in order, are product_n in base ten.
  if (key.replace(/[^0-9]/g, '') !== String(num * spaces)) return 'digits';
  // Step 24: 1..12 other characters, all from U+0021–U+002F and U+003A–U+007E.
  const others = key.replace(/[0-9 ]/g, '');
  if (others.length < 1 || others.length > 12) return `${others.length} random characters`;
  if (!/^[\x21-\x2f\x3a-\x7e]+$/.test(others)) return 'random character out of range';
  return '';
}

function keysProblem(keys: ClientKeys): string {
  const p =
    keyProblem(keys.key1, keys.spaces1, keys.number1) ||
    keyProblem(keys.key2, keys.spaces2, keys.number2);
  if (p !== '') return p;
  // Step 29.
  if (!(keys.key3 instanceof Uint8Array) || keys.key3.length !== 8) return 'key_3';
  // The server reads back exactly number_n (5.2.2 steps 4–7).
  if (parseHandshakeKey(keys.key1).part !== keys.number1) return 'server part 1';
  if (parseHandshakeKey(keys.key2).part !== keys.number2) return 'server part 2';
  return '';
}

describe('generateClientKeys (5.1 steps 19–26, 29)', () => {
  it('10,000 key pairs all satisfy steps 19–26 and are all accepted by the server core', () => {
    const problems: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const keys = generateClientKeys();
      const problem = keysProblem(keys);
      if (problem !== '')
        problems.push(`${JSON.stringify(keys.key1)} ${JSON.stringify(keys.key2)}: ${problem}`);
      // The server's answer is the client's expected value (5.1 steps 45–46, 5.2.2 steps 8–9).
      const answer = computeHandshakeResponse(keys.key1, keys.key2, keys.key3);
      const expected = md5(createChallenge(keys.number1, keys.number2, keys.key3));
      if (answer.some((b, j) => b !== expected[j])) problems.push(`${keys.key1}: answer differs`);
    }
    expect(problems).toEqual([]);
  });

  it('a single key pair passes every check (and a broken one would not)', () => {
    const keys = generateClientKeys(seededRandom(1));
    expect(keysProblem(keys)).toBe('');
    expect(keysProblem({ ...keys, key1: ` ${keys.key1}` })).not.toBe('');
    expect(keysProblem({ ...keys, key2: `${keys.key2}7` })).not.toBe('');
    expect(keysProblem({ ...keys, spaces1: 13 })).not.toBe('');
  });

  it('is deterministic for an injected random source, and differs across seeds', () => {
    expect(generateClientKeys(seededRandom(7))).toEqual(generateClientKeys(seededRandom(7)));
    expect(generateClientKeys(seededRandom(7))).not.toEqual(generateClientKeys(seededRandom(8)));
  });

  it('covers the whole range of spaces and of inserted characters', () => {
    const spaces = new Set<number>();
    const extras = new Set<number>();
    for (let seed = 0; seed < 2000; seed++) {
      const k = generateClientKeys(seededRandom(seed));
      spaces.add(k.spaces1);
      extras.add(k.key1.replace(/[0-9 ]/g, '').length);
    }
    expect([...spaces].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect([...extras].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('draws small ranges without modulo bias (spaces_n is uniform over 1..12)', () => {
    const counts = new Array<number>(13).fill(0);
    const random = seededRandom(42);
    const n = 24_000;
    for (let i = 0; i < n / 2; i++) {
      const k = generateClientKeys(random);
      counts[k.spaces1]!++;
      counts[k.spaces2]!++;
    }
    // Each value expects 2000; a chi-square over 11 degrees of freedom stays far below 40.
    const chi = counts.slice(1).reduce((s, c) => s + (c - n / 12) ** 2 / (n / 12), 0);
    expect(chi).toBeLessThan(40);
  });

  it('terminates even with a constant (broken) random source', () => {
    expect(keysProblem(generateClientKeys((b) => b.fill(0xff)))).toBe('');
  });
});
