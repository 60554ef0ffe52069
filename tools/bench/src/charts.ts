import { formatRatio, formatValue } from './format.js';
import type { BenchResults, ContenderId, ScenarioKind, ScenarioResult } from './types.js';

/** Colours of the contenders in every chart. */
export const CONTENDER_COLORS: Readonly<Record<ContenderId, string>> = {
  ws02: '#2563eb',
  'ws02-cores': '#7c3aed',
  'ws02-base': '#94a3b8',
  ws: '#d97706',
  raw: '#6b7280',
};

interface Bar {
  readonly series: string;
  readonly color: string;
  readonly value: number;
  readonly text: string;
  /** A marker drawn across the bar (a target). */
  readonly marker?: number;
}

interface Group {
  readonly label: string;
  readonly bars: readonly Bar[];
}

interface ChartSpec {
  readonly title: string;
  readonly subtitle: string;
  readonly groups: readonly Group[];
  /** 'group': bars scaled within each group (values differ by orders of magnitude). */
  readonly scale: 'group' | 'shared';
  readonly legend: readonly { label: string; color: string }[];
}

function esc(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

const WIDTH = 920;
const LABEL_W = 230;
const BAR_AREA = 520;
const BAR_H = 16;
const BAR_GAP = 4;
const GROUP_GAP = 14;
const TOP = 74;

/** A horizontal grouped bar chart as a standalone SVG document. */
export function renderBarChart(spec: ChartSpec): string {
  const parts: string[] = [];
  let y = TOP;
  const shared = Math.max(
    ...spec.groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.marker ?? 0))),
    1e-12,
  );
  for (const group of spec.groups) {
    const max =
      spec.scale === 'shared'
        ? shared
        : Math.max(...group.bars.map((b) => Math.max(b.value, b.marker ?? 0)), 1e-12);
    const height = group.bars.length * (BAR_H + BAR_GAP) - BAR_GAP;
    parts.push(
      `<text x="${LABEL_W - 10}" y="${y + height / 2 + 4}" text-anchor="end" class="label">${esc(group.label)}</text>`,
    );
    for (const bar of group.bars) {
      const w = Number.isFinite(bar.value) ? Math.max(0, (bar.value / max) * BAR_AREA) : 0;
      parts.push(
        `<rect x="${LABEL_W}" y="${y}" width="${w.toFixed(1)}" height="${BAR_H}" fill="${bar.color}" rx="2"><title>${esc(`${bar.series}: ${bar.text}`)}</title></rect>`,
      );
      parts.push(
        `<text x="${(LABEL_W + w + 6).toFixed(1)}" y="${y + BAR_H - 4}" class="value">${esc(bar.text)}</text>`,
      );
      if (bar.marker !== undefined) {
        const mx = LABEL_W + (bar.marker / max) * BAR_AREA;
        parts.push(
          `<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${y - 2}" y2="${y + BAR_H + 2}" stroke="#111827" stroke-width="2" stroke-dasharray="3 2"/>`,
        );
      }
      y += BAR_H + BAR_GAP;
    }
    y += GROUP_GAP - BAR_GAP;
  }
  const legend = spec.legend
    .map((l, i) => {
      const x = LABEL_W + i * 140;
      return `<rect x="${x}" y="46" width="12" height="12" fill="${l.color}" rx="2"/><text x="${x + 18}" y="56" class="value">${esc(l.label)}</text>`;
    })
    .join('');
  const height = y + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">`,
    '<style>.title{font-size:17px;font-weight:600;fill:#111827}.sub{font-size:12px;fill:#4b5563}.label{font-size:12px;fill:#111827}.value{font-size:11px;fill:#374151}</style>',
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" class="title">${esc(spec.title)}</text>`,
    `<text x="16" y="40" class="sub">${esc(spec.subtitle)}</text>`,
    legend,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}

function legendOf(results: BenchResults) {
  return results.contenders.map((c) => ({ label: c, color: CONTENDER_COLORS[c] }));
}

function scenariosOf(results: BenchResults, kind: ScenarioKind): ScenarioResult[] {
  return results.scenarios.filter((s) => s.kind === kind);
}

/** One group per scenario (and metric), one bar per contender. */
function contenderGroups(
  results: BenchResults,
  scenarios: readonly ScenarioResult[],
  metricKeys: readonly string[],
  label: (s: ScenarioResult, metric: string) => string,
): Group[] {
  const groups: Group[] = [];
  for (const s of scenarios) {
    for (const key of metricKeys) {
      const metric = s.metrics.find((m) => m.key === key);
      if (metric === undefined) continue;
      groups.push({
        label: label(s, metric.label),
        bars: results.contenders.map((c) => {
          const value = s.summary[c]?.[key]?.median ?? Number.NaN;
          return {
            series: c,
            color: CONTENDER_COLORS[c],
            value,
            text: formatValue(value, metric.unit),
          };
        }),
      });
    }
  }
  return groups;
}

function runLine(results: BenchResults, scale: string): string {
  return (
    `${results.environment.cpus} × ${results.environment.cpuModel}, Node ${results.environment.node}; ` +
    `medians of ${results.rounds} round${results.rounds === 1 ? '' : 's'} (${results.mode}); ${scale}`
  );
}

/**
 * Every chart for a result set, as `file name → SVG text`: echo messages/s and MB/s, latency,
 * handshakes, memory, broadcast, and the targets (ws02's ratios against the target lines).
 */
export function renderCharts(results: BenchResults): Map<string, string> {
  const charts = new Map<string, string>();
  const legend = legendOf(results);
  const perGroup = 'bars scaled per scenario';
  const echo = scenariosOf(results, 'echo');
  if (echo.length > 0) {
    charts.set(
      'echo-messages.svg',
      renderBarChart({
        title: 'Echo throughput — messages/s (higher is better)',
        subtitle: runLine(results, perGroup),
        groups: contenderGroups(results, echo, ['messagesPerSec'], (s) =>
          s.id.replace('echo-', ''),
        ),
        scale: 'group',
        legend,
      }),
    );
    charts.set(
      'echo-throughput.svg',
      renderBarChart({
        title: 'Echo throughput — MB/s of payload echoed (higher is better)',
        subtitle: runLine(results, perGroup),
        groups: contenderGroups(results, echo, ['mbPerSec'], (s) => s.id.replace('echo-', '')),
        scale: 'group',
        legend,
      }),
    );
  }
  const simple: [ScenarioKind, string, string][] = [
    ['latency', 'latency.svg', 'Latency at a fixed offered rate (lower is better)'],
    ['handshake', 'handshakes.svg', 'Opening handshakes per second (higher is better)'],
    ['idle-memory', 'memory.svg', 'Server memory per idle connection (lower is better)'],
    ['broadcast', 'broadcast.svg', 'Broadcast fan-out — deliveries/s (higher is better)'],
  ];
  for (const [kind, file, title] of simple) {
    const list = scenariosOf(results, kind);
    if (list.length === 0) continue;
    // CPU per operation has its own chart (server-cpu.svg).
    const keys = list[0]!.metrics.filter((m) => !m.diagnostic).map((m) => m.key);
    charts.set(
      file,
      renderBarChart({
        title,
        subtitle: runLine(results, list.length === 1 ? list[0]!.title : perGroup),
        groups: contenderGroups(results, list, keys, (s, metric) =>
          list.length === 1 ? metric : s.id,
        ),
        scale: 'group',
        legend,
      }),
    );
  }
  const withCpu = results.scenarios.filter((s) =>
    s.metrics.some((m) => m.key === 'serverCpuMicrosPerOp'),
  );
  if (withCpu.length > 0) {
    charts.set(
      'server-cpu.svg',
      renderBarChart({
        title: 'Server CPU time per operation — µs (lower is better)',
        subtitle: runLine(results, `${perGroup}; per message echoed, handshake or delivery`),
        groups: contenderGroups(results, withCpu, ['serverCpuMicrosPerOp'], (s) => s.id),
        scale: 'group',
        legend,
      }),
    );
  }
  const targets = results.scenarios.flatMap((s) => s.targetResults.map((t) => ({ s, t })));
  if (targets.length > 0) {
    charts.set(
      'targets.svg',
      renderBarChart({
        title: 'Issue 8 targets — ws02 / baseline, median per-round ratio',
        subtitle: `${runLine(results, 'shared scale')}; dashed line = target; green = met`,
        groups: targets.map(({ s, t }) => ({
          label: `${s.id.replace('-memory', '')} ${t.op === '>=' ? '≥' : '≤'}${t.ratio}× ${t.against}${t.metric.startsWith('heap') ? ' (heap)' : t.metric.startsWith('rss') ? ' (RSS)' : ''}`,
          bars: [
            {
              series: `${t.contender}/${t.against}`,
              color: t.met ? '#16a34a' : '#dc2626',
              value: t.measured ?? 0,
              text: `${formatRatio(t.measured)} ${t.met ? 'met' : 'missed'}`,
              marker: t.ratio,
            },
          ],
        })),
        scale: 'shared',
        legend: [
          { label: 'met', color: '#16a34a' },
          { label: 'missed', color: '#dc2626' },
        ],
      }),
    );
  }
  return charts;
}
