import { describe, expect, it } from 'vitest';
import { connect } from '../src/index.js';
import { closed, nextEvent, startEcho } from './helpers.js';

describe('smoke', () => {
  it('echoes', async () => {
    const { wss, url } = await startEcho();
    const ws = await connect(url);
    ws.send('hello');
    const [data, isBinary] = await nextEvent<[string, boolean]>(ws, 'message');
    expect(data).toBe('hello');
    expect(isBinary).toBe(false);
    ws.close();
    const [, wasClean] = await closed(ws);
    expect(wasClean).toBe(true);
    await wss.close();
  });
});
