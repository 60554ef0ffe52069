import { describe, expect, it } from 'vitest';
import { type RobustnessReport, runRobustness } from '../src/index.js';

/**
 * The quick robustness run CI does: 2,000 concurrent connections, every fault kind, a 10 s soak,
 * against @ws02/server spawned in its own process. The 10,000-connection and 10-minute figures
 * are in docs/ROBUSTNESS.md (long run: `ws02-conformance robustness`).
 */
describe('robustness, quick (our server in its own process)', () => {
  let report: RobustnessReport;

  it('runs load, faults and soak, each ending by itself', async () => {
    report = await runRobustness({ quick: true });
    expect(report.scenarios.map((s) => s.name)).toEqual(['load', 'faults', 'soak']);
    for (const s of report.scenarios) expect(s.problems, s.name).toEqual([]);
    expect(report.summary).toBe('3 passed, 0 failed');
  }, 240_000);

  it('load: 2,000 connections, every message echoed intact', () => {
    const load = report.scenarios.find((s) => s.name === 'load')!.figures;
    expect(load).toMatchObject({
      connections: 2000,
      established: 2000,
      lost: 0,
      corrupted: 0,
      cleanCloses: 2000,
      serverConnectionsAtPeak: 2000,
      serverConnectionsAfter: 0,
    });
    expect(load.messagesEchoed).toBe(10_000);
  });

  it('faults: every bad peer freed, no healthy round trip lost', () => {
    const faults = report.scenarios.find((s) => s.name === 'faults')!.figures;
    expect(faults.healthyFailures).toBe(0);
    expect(faults.healthyRoundTrips as number).toBeGreaterThan(0);
    expect(faults.badPeersFreed).toBe(faults.badPeersTried);
    expect(faults.serverSocketsAfter).toBe(50);
    expect(String(faults['slowloris (1 byte / 500 ms)'])).toMatch(/^20\/20 freed/);
  });

  // Counts, not rates: how many messages and churn rounds fit in the 10 s depends on how busy
  // the machine is, so the figures are checked against each other.
  it('soak: messages flowed with churn, none lost, memory sampled', () => {
    const soak = report.scenarios.find((s) => s.name === 'soak')!.figures;
    expect(soak).toMatchObject({ lost: 0, corrupted: 0 });
    const churned = soak.churnedConnections as number;
    // Churn: rounds of 2 connections closed cleanly and replaced, at least one round.
    expect(churned).toBeGreaterThanOrEqual(2);
    expect(churned % 2).toBe(0);
    expect(soak.connectionsOpened).toBe(50 + churned);
    // Every connection, the replacements too, had its messages echoed (none outstanding).
    expect(soak.messages as number).toBeGreaterThanOrEqual(soak.connectionsOpened as number);
    // Memory (heap after a full GC) sampled before, after every churn round, and at the end.
    expect(soak.samples).toBe(churned / 2 + 2);
    expect(soak.serverHeapAfterCloseMiB as number).toBeGreaterThan(0);
  });
});
