import { describe, expect, it } from 'vitest';
import {
  type BenchResults,
  type ContenderId,
  MARKDOWN_END,
  MARKDOWN_START,
  type Measurement,
  type RoundResult,
  renderCharts,
  renderMarkdown,
  renderTable,
  replaceMarkdownSection,
  selectScenarios,
  summariseScenario,
} from '../src/index.js';

const contenders: ContenderId[] = ['ws02', 'ws', 'raw'];
const ok = (metrics: Record<string, number>): Measurement => ({ ok: true, metrics, details: {} });

/** Three rounds of echo-32B-c32 with known values. */
function echoRounds(): RoundResult[] {
  const values: Record<ContenderId, number[]> = {
    ws02: [1000, 1200, 900],
    'ws02-cores': [],
    'ws02-base': [],
    ws: [200, 200, 300],
    raw: [2000, 2000, 2000],
  };
  return [0, 1, 2].map((i) => ({
    round: i + 1,
    order: contenders,
    results: Object.fromEntries(
      contenders.map((c) => [
        c,
        ok({ messagesPerSec: values[c][i]!, mbPerSec: values[c][i]! / 1e4 }),
      ]),
    ),
  }));
}

const echoSpec = selectScenarios({ mode: 'quick', only: ['echo-32B-c32'] })[0]!;
const memSpec = selectScenarios({ mode: 'quick', only: ['idle-memory'] })[0]!;

describe('summariseScenario', () => {
  const result = summariseScenario(echoSpec, echoRounds(), contenders);

  it('takes medians per contender', () => {
    expect(result.summary.ws02?.messagesPerSec?.median).toBe(1000);
    expect(result.summary.ws?.messagesPerSec?.median).toBe(200);
    expect(result.summary.ws02?.messagesPerSec?.values).toEqual([1000, 1200, 900]);
  });

  it('computes per-round ratios and their median (not the ratio of medians)', () => {
    const r = result.ratios['ws02/ws']!.messagesPerSec!;
    expect(r.perRound).toEqual([5, 6, 3]);
    expect(r.median).toBe(5);
    expect(r.min).toBe(3);
    expect(r.max).toBe(6);
    expect(result.ratios['ws02/raw']!.messagesPerSec!.median).toBe(0.5);
  });

  it('judges the issue 8 targets (≥5× ws, ≥0.5× raw at 32 B × 32)', () => {
    expect(result.targetResults.map((t) => [t.against, t.ratio, t.measured, t.met])).toEqual([
      ['ws', 5, 5, true],
      ['raw', 0.5, 0.5, true],
    ]);
  });

  it('leaves failed rounds out of medians and ratios', () => {
    const rounds = echoRounds();
    rounds[1] = {
      ...rounds[1]!,
      results: { ...rounds[1]!.results, ws: { ok: false, metrics: {}, details: {}, error: 'x' } },
    };
    const r = summariseScenario(echoSpec, rounds, contenders);
    expect(r.summary.ws?.messagesPerSec?.values).toEqual([200, 300]);
    expect(r.ratios['ws02/ws']!.messagesPerSec!.perRound).toEqual([5, 3]);
  });

  it('judges "at most" targets for memory (≤0.7× ws)', () => {
    const rounds: RoundResult[] = [
      {
        round: 1,
        order: contenders,
        results: {
          ws02: ok({ rssBytesPerConnection: 3000, heapBytesPerConnection: 2000 }),
          ws: ok({ rssBytesPerConnection: 6000, heapBytesPerConnection: 2500 }),
          raw: ok({ rssBytesPerConnection: 500, heapBytesPerConnection: 400 }),
        },
      },
    ];
    const r = summariseScenario(memSpec, rounds, contenders);
    expect(r.targetResults.map((t) => [t.metric, t.measured, t.met])).toEqual([
      ['rssBytesPerConnection', 0.5, true],
      ['heapBytesPerConnection', 0.8, false],
    ]);
  });
});

function results(): BenchResults {
  return {
    schema: 'ws02-bench/1',
    mode: 'quick',
    command: 'node dist/cli.js --quick',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 1000,
    rounds: 3,
    contenders,
    environment: {
      node: 'v20',
      v8: '11',
      platform: 'linux x64',
      kernel: 'Linux',
      cpuModel: 'Test <CPU> & co',
      cpus: 2,
      totalMemoryMiB: 1024,
      ulimitNoFile: '20000',
      loadAverageStart: [0, 0, 0],
      loadAverageEnd: [0, 0, 0],
      versions: { ws: '8.23.0' },
      wsNative: { bufferutil: true },
      ws02Client: '@ws02/client',
      distBuilt: { '@ws02/server': '2025-01-01T00:00:00.000Z' },
      rebuiltDuringRun: ['@ws02/frame'],
    },
    scenarios: [summariseScenario(echoSpec, echoRounds(), contenders)],
  };
}

describe('reports', () => {
  it('renders a terminal table with values, ratios and target status', () => {
    const text = renderTable(results(), { color: false });
    expect(text).toContain('echo-32B-c32');
    expect(text).toContain('5.00× (3.00–6.00)');
    expect(text).toContain('≥5× ws ✓');
    expect(text).toContain('targets met: 2/2');
    expect(text).not.toContain('\u001b[');
  });

  it('renders the markdown section and replaces it in a document', () => {
    const section = renderMarkdown(results());
    expect(section.startsWith(MARKDOWN_START)).toBe(true);
    expect(section.endsWith(MARKDOWN_END)).toBe(true);
    expect(section).toContain('`node dist/cli.js --quick`');
    expect(section).toContain(
      '**Changed during the run** (later rounds measured newer code): @ws02/frame',
    );
    const doc = `# Title\n\nintro\n\n${MARKDOWN_START}\nold\n${MARKDOWN_END}\n\nafter\n`;
    const updated = replaceMarkdownSection(doc, section);
    expect(updated).toContain('intro');
    expect(updated).toContain('after');
    expect(updated).not.toContain('\nold\n');
    expect(replaceMarkdownSection('# Only a title\n', section)).toContain(MARKDOWN_START);
  });

  it('renders SVG charts from the results, escaping text', () => {
    const charts = renderCharts(results());
    expect([...charts.keys()].sort()).toEqual([
      'echo-messages.svg',
      'echo-throughput.svg',
      'server-cpu.svg',
      'targets.svg',
    ]);
    for (const svg of charts.values()) {
      expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
      expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
      expect(svg).toContain('Test &lt;CPU&gt; &amp; co');
      expect(svg).not.toContain('<CPU>');
    }
    const echo = charts.get('echo-messages.svg')!;
    for (const c of contenders) expect(echo).toContain(`>${c}</text>`);
    expect(echo).toContain('1.0k msg/s');
  });
});
