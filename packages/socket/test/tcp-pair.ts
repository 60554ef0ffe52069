// Real TCP on 127.0.0.1 for the writer tests, and a count of the writes Node's socket receives.
import { connect, createServer, type Socket } from 'node:net';

/** A connected TCP pair on 127.0.0.1: `a` writes, `b` reads. */
export async function pair(): Promise<{ a: Socket; b: Socket; close: () => void }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => server.once('connection', r));
  const a = connect(port, '127.0.0.1');
  await new Promise((r) => a.once('connect', r));
  const b = await accepted;
  return {
    a,
    b,
    close: () => {
      a.destroy();
      b.destroy();
      server.close();
    },
  };
}

/** The byte length of every `socket.write` from now on (Node's method, wrapped to count). */
export function countWrites(socket: Socket): number[] {
  const writes: number[] = [];
  const realWrite = socket.write.bind(socket);
  socket.write = ((chunk: Uint8Array, ...rest: unknown[]) => {
    writes.push(chunk.byteLength);
    return (realWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof socket.write;
  return writes;
}
