/**
 * The robustness run: spawn our echo server in its own process (or take a URL), run the
 * scenarios in order, report figures. Every scenario is bounded and stops by itself.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConformanceError } from '../conformance-error.js';
import { serverTarget } from '../runner/server-runner.js';
import { faultScenario } from './fault-scenario.js';
import type { PeerTarget } from './load-peer.js';
import { loadScenario } from './load-scenario.js';
import type { ScenarioContext, ScenarioResult } from './scenario.js';
import { ServerProcess } from './server-process.js';
import { soakScenario } from './soak-scenario.js';

export const SCENARIOS = ['load', 'faults', 'soak'] as const;

export interface RobustnessOptions {
  /** A running server to test; default: spawn @ws02/server in its own process. */
  readonly url?: string;
  readonly scenarios?: readonly string[];
  /** CI sizes (2,000 connections, 10 s soak) unless sizes are given. */
  readonly quick?: boolean;
  readonly connections?: number;
  readonly messages?: number;
  readonly soakSeconds?: number;
  readonly reportDir?: string;
  readonly log?: (line: string) => void;
}

export interface RobustnessReport {
  readonly tool: 'ws02-conformance robustness';
  readonly startedAt: string;
  readonly target: string;
  readonly quick: boolean;
  /** The server's settings when it was spawned by the run. */
  readonly server: Readonly<Record<string, number | string>> | undefined;
  readonly scenarios: readonly ScenarioResult[];
  readonly passed: number;
  readonly failed: number;
  readonly summary: string;
}

export async function runRobustness(options: RobustnessOptions = {}): Promise<RobustnessReport> {
  const log = options.log ?? (() => {});
  const names = options.scenarios ?? SCENARIOS;
  for (const n of names) {
    if (!(SCENARIOS as readonly string[]).includes(n)) {
      throw new ConformanceError(
        'CONFORMANCE_BAD_OPTION',
        '-',
        `unknown scenario ${n}: use ${SCENARIOS.join(', ')}`,
      );
    }
  }
  const quick = options.quick === true;
  const handshakeTimeout = quick ? 2000 : 5000;
  const maxBufferedBytes = 4 * 1024 * 1024;
  const startedAt = new Date().toISOString();
  let server: ServerProcess | undefined;
  let target: PeerTarget;
  if (options.url === undefined) {
    server = await ServerProcess.start({ handshakeTimeout, maxBufferedBytes });
    target = {
      host: '127.0.0.1',
      port: server.port,
      hostField: `127.0.0.1:${server.port}`,
      resource: '/',
    };
    log(
      `robustness: @ws02/server spawned (pid ${server.child.pid}, port ${server.port}, handshakeTimeout ${handshakeTimeout} ms, maxBufferedBytes ${maxBufferedBytes})`,
    );
  } else {
    const t = serverTarget(options.url);
    target = { host: t.host, port: t.port, hostField: t.hostField, resource: t.resource };
    log(`robustness: testing ${options.url} (server memory not observable)`);
  }
  const ctx: ScenarioContext = { target, server, quick, log };
  const results: ScenarioResult[] = [];
  try {
    for (const name of names) {
      log(`── ${name} ──`);
      const result =
        name === 'load'
          ? await loadScenario(ctx, {
              connections: options.connections ?? (quick ? 2000 : 10_000),
              messages: options.messages ?? (quick ? 5 : 10),
              bodyBytes: 128,
            })
          : name === 'faults'
            ? await faultScenario(ctx, {
                healthy: 50,
                perKind: quick ? 20 : 200,
                handshakeTimeout,
                maxBufferedBytes,
                nonReaders: quick ? 4 : 20,
              })
            : await soakScenario(ctx, {
                seconds: options.soakSeconds ?? (quick ? 10 : 600),
                connections: quick ? 50 : 200,
                churnPerSecond: quick ? 2 : 5,
              });
      results.push(result);
      log(
        `${name}: ${result.passed ? 'passed' : `FAILED — ${result.problems.join('; ')}`} (${result.durationMs} ms)`,
      );
      for (const [k, v] of Object.entries(result.figures)) log(`  ${k}: ${v}`);
    }
  } finally {
    await server?.stop();
  }
  const passed = results.filter((r) => r.passed).length;
  const report: RobustnessReport = {
    tool: 'ws02-conformance robustness',
    startedAt,
    target: options.url ?? `@ws02/server (spawned) ws://${target.hostField}/`,
    quick,
    server: server ? { handshakeTimeout, maxBufferedBytes } : undefined,
    scenarios: results,
    passed,
    failed: results.length - passed,
    summary: `${passed} passed, ${results.length - passed} failed`,
  };
  if (options.reportDir !== undefined) {
    await mkdir(options.reportDir, { recursive: true });
    await writeFile(
      join(options.reportDir, 'robustness.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  }
  return report;
}
