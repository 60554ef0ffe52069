import { describe, expect, it, vi } from 'vitest';

describe('examples/round-trip.ts (the README example)', () => {
  it('runs to an established connection', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/round-trip.js');
    const lines = log.mock.calls.map((c) => c.join(' '));
    log.mockRestore();
    expect(lines).toContain('client established, subprotocol superchat');
  });
});
