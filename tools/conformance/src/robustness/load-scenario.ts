/**
 * Load: N concurrent connections on one server, each sending M checksummed messages with one in
 * flight at a time (all connections at once: messages flowing), every echo verified; then every
 * connection closed with a closing handshake. Lost and corrupted messages must both be 0.
 */
import { binaryFrame, OP } from '../wire/frame-bytes.js';
import { checkedMessage, classicRequest, LoadPeer, verifyMessage } from './load-peer.js';
import {
  mib,
  percentile,
  pool,
  type ScenarioContext,
  type ScenarioResult,
  until,
} from './scenario.js';

export interface LoadOptions {
  readonly connections: number;
  readonly messages: number;
  /** Body bytes per message (plus 12 bytes of header and checksum). */
  readonly bodyBytes: number;
}

export async function loadScenario(
  ctx: ScenarioContext,
  options: LoadOptions,
): Promise<ScenarioResult> {
  const started = performance.now();
  const problems: string[] = [];
  const request = classicRequest(ctx.target);
  const peers: LoadPeer[] = [];
  let handshakeFailures = 0;
  const baseline = ctx.server ? await ctx.server.stats(true) : undefined;
  ctx.log(`load: opening ${options.connections} connections`);
  const ids = Array.from({ length: options.connections }, (_, i) => i);
  await pool(ids, 500, async (i) => {
    try {
      peers[i] = await LoadPeer.open(ctx.target, request, 60_000);
    } catch {
      handshakeFailures++;
    }
  });
  const open = peers.filter((p): p is LoadPeer => p !== undefined);
  const openMs = Math.round(performance.now() - started);
  const peak = ctx.server ? await ctx.server.stats() : undefined;
  ctx.log(
    `load: ${open.length} open in ${openMs} ms${peak ? `, server sees ${peak.connections}, RSS ${mib(peak.rss)} MiB` : ''}; sending ${options.messages} messages each`,
  );

  let sent = 0;
  let received = 0;
  let corrupted = 0;
  const latencies: number[] = [];
  const flowStarted = performance.now();
  await Promise.all(
    open.map(
      (peer, conn) =>
        new Promise<void>((resolve) => {
          let seq = 0;
          let sentAt = 0;
          const next = () => {
            if (seq >= options.messages || peer.closed) {
              resolve();
              return;
            }
            sentAt = performance.now();
            sent++;
            peer.send(binaryFrame(checkedMessage(conn, seq, options.bodyBytes)));
          };
          peer.onFrame = ({ op, payload }) => {
            if (op !== OP.BINARY) return;
            received++;
            latencies.push(performance.now() - sentAt);
            const bad = verifyMessage(payload, conn, seq);
            if (bad !== undefined) {
              corrupted++;
              if (problems.length < 5) problems.push(`connection ${conn} message ${seq}: ${bad}`);
            }
            seq++;
            next();
          };
          peer.onClosed = () => resolve();
          next();
        }),
    ),
  );
  const flowMs = Math.round(performance.now() - flowStarted);
  const during = ctx.server ? await ctx.server.stats() : undefined;
  ctx.log(`load: ${received}/${sent} echoes in ${flowMs} ms; closing`);

  let clean = 0;
  await pool(open, 1000, async (peer) => {
    if (await peer.closeCleanly(20_000)) clean++;
  });
  const freed = ctx.server
    ? await until(async () => {
        const s = await ctx.server!.stats();
        return s.connections === 0 && s.sockets === 0;
      }, 30_000)
    : true;
  const after = ctx.server ? await ctx.server.stats(true) : undefined;

  const lost = sent - received;
  if (handshakeFailures > 0) problems.push(`${handshakeFailures} handshakes failed`);
  if (lost > 0) problems.push(`${lost} messages lost`);
  if (corrupted > 0) problems.push(`${corrupted} messages corrupted`);
  if (peak !== undefined && peak.connections < open.length)
    problems.push(`the server counted ${peak.connections} connections, ${open.length} expected`);
  if (clean < open.length)
    problems.push(`${open.length - clean} connections did not close cleanly`);
  if (!freed) problems.push('the server still had connections 30 s after every client closed');
  if (after !== undefined && after.sendErrors > 0)
    problems.push(`${after.sendErrors} echo sends threw in the server`);
  return {
    name: 'load',
    passed: problems.length === 0,
    problems,
    durationMs: Math.round(performance.now() - started),
    figures: {
      connections: options.connections,
      established: open.length,
      handshakeFailures,
      openMs,
      messagesPerConnection: options.messages,
      messageBytes: options.bodyBytes + 12,
      messagesSent: sent,
      messagesEchoed: received,
      lost,
      corrupted,
      flowMs,
      messagesPerSecond: flowMs > 0 ? Math.round((received / flowMs) * 1000) : 0,
      latencyP50Ms: round(percentile(latencies, 50)),
      latencyP99Ms: round(percentile(latencies, 99)),
      latencyMaxMs: round(percentile(latencies, 100)),
      cleanCloses: clean,
      ...(baseline ? { serverRssBeforeMiB: mib(baseline.rss) } : {}),
      ...(peak
        ? {
            serverConnectionsAtPeak: peak.connections,
            serverRssOpenMiB: mib(peak.rss),
            serverArrayBuffersOpenMiB: mib(peak.arrayBuffers),
          }
        : {}),
      ...(during
        ? {
            serverRssFlowingMiB: mib(during.rss),
            serverHeapFlowingMiB: mib(during.heapUsed),
            serverArrayBuffersFlowingMiB: mib(during.arrayBuffers),
          }
        : {}),
      ...(after
        ? {
            serverRssAfterMiB: mib(after.rss),
            serverHeapAfterMiB: mib(after.heapUsed),
            serverConnectionsAfter: after.connections,
          }
        : {}),
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
