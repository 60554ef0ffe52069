import { afterEach, describe, expect, it, vi } from 'vitest';
import { createClientHandshake } from '../src/index.js';

afterEach(() => {
  vi.restoreAllMocks();
});

// Node only: counts the platform's getRandomValues calls (not our code) behind 5.1 steps 19–29.
describe('the process-wide random pool', () => {
  it('500 handshakes with the default source call getRandomValues a handful of times', () => {
    createClientHandshake({ url: 'ws://h/', origin: 'null' }); // the pool exists from here on
    const spy = vi.spyOn(globalThis.crypto, 'getRandomValues');
    for (let i = 0; i < 500; i++) createClientHandshake({ url: 'ws://h/', origin: 'null' });
    // About 70 bytes per handshake from an 8 KiB pool: 4–5 refills, not 500.
    expect(spy.mock.calls.length).toBeGreaterThanOrEqual(1);
    expect(spy.mock.calls.length).toBeLessThanOrEqual(10);
    for (const [bytes] of spy.mock.calls) expect((bytes as Uint8Array).length).toBe(8192);
  });
});
