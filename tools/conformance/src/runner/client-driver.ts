/**
 * Drives a WHATWG-shaped WebSocket client through the fuzzing server's protocol (getCaseCount,
 * runCase for each case, updateReports), echoing every message. Any client with `new
 * WebSocket(url)`-like behaviour can be tested this way from a few lines of script.
 */

/** The part of the WHATWG WebSocket interface the driver uses. */
export interface WebSocketLike {
  binaryType?: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { readonly data: unknown }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  send(data: string | Uint8Array): unknown;
  close(): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface DriveOptions {
  /** Deadline for one connection (a case), ms. Default 60 000. */
  readonly caseTimeout?: number;
  /** Called after each case with its number. */
  readonly onCase?: (index: number, total: number) => void;
}

/** Opens one connection, echoes until it closes (or the deadline); resolves with the text messages. */
export function echoSession(factory: WebSocketFactory, url: string, ms: number): Promise<string[]> {
  return new Promise((resolve) => {
    const texts: string[] = [];
    let ws: WebSocketLike;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(texts);
    };
    const timer = setTimeout(() => {
      try {
        ws?.close();
      } catch {
        // already closed
      }
      finish();
    }, ms);
    try {
      ws = factory(url);
    } catch {
      finish();
      return;
    }
    if ('binaryType' in ws) ws.binaryType = 'arraybuffer';
    ws.onmessage = (event) => {
      const data = event.data;
      try {
        if (typeof data === 'string') {
          texts.push(data);
          ws.send(data);
        } else if (data instanceof ArrayBuffer) ws.send(new Uint8Array(data));
        else if (ArrayBuffer.isView(data))
          ws.send(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      } catch {
        // The connection is closing: nothing to echo into.
      }
    };
    ws.onerror = () => {};
    ws.onclose = () => finish();
  });
}

/**
 * Runs every case of the fuzzing server at `baseUrl` (e.g. `ws://127.0.0.1:9001`) with the client
 * made by `factory`, then asks for the report. Resolves with the summary line.
 */
export async function driveClient(
  factory: WebSocketFactory,
  baseUrl: string,
  agent: string,
  options: DriveOptions = {},
): Promise<string> {
  const base = baseUrl.replace(/\/+$/, '');
  const ms = options.caseTimeout ?? 60_000;
  const [count] = await echoSession(factory, `${base}/getCaseCount`, ms);
  const total = Number(count);
  if (!Number.isInteger(total) || total < 1)
    throw new Error(`getCaseCount answered ${JSON.stringify(count)}`);
  const name = encodeURIComponent(agent);
  for (let i = 1; i <= total; i++) {
    await echoSession(factory, `${base}/runCase?case=${i}&agent=${name}`, ms);
    options.onCase?.(i, total);
  }
  const [summary] = await echoSession(factory, `${base}/updateReports?agent=${name}`, ms);
  return summary ?? '';
}
