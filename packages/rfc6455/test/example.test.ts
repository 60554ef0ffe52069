import { describe, expect, it, vi } from 'vitest';

describe('examples/echo.ts (the README example)', () => {
  it('opens, echoes, closes', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('../examples/echo.js');
    const lines = log.mock.calls.map((c) => c.join(' '));
    log.mockRestore();
    expect(lines).toEqual([
      'client: open, subprotocol chat',
      'client: echo: Hello',
      'server: the client closed with 1000',
      'client: closed, 1000 ',
      'states: client 3, server 3',
    ]);
  });
});
