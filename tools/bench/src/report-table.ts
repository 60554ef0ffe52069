import { styleText } from 'node:util';
import { formatRatio, formatValue } from './format.js';
import type { BenchResults, ContenderId, ScenarioResult, TargetResult } from './types.js';

/** The results as rows of text cells, shared by the terminal table and the markdown. */
export interface ReportTable {
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** Per row: all targets on that row met (true), one missed (false), none (null). */
  readonly status: readonly (boolean | null)[];
}

/** `ws02/ws`, `ws02/raw`, … in the order the results hold them. */
export function ratioKeys(results: BenchResults): string[] {
  const keys = new Set<string>();
  for (const s of results.scenarios) for (const k of Object.keys(s.ratios)) keys.add(k);
  return [...keys];
}

function ratioCell(scenario: ScenarioResult, key: string, metric: string): string {
  const r = scenario.ratios[key]?.[metric];
  if (r === undefined || r.perRound.length === 0) return '—';
  if (r.perRound.length === 1) return formatRatio(r.median);
  return `${formatRatio(r.median)} (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
}

function targetText(t: TargetResult): string {
  return `${t.op === '>=' ? '≥' : '≤'}${t.ratio}× ${t.against}`;
}

function valueCell(scenario: ScenarioResult, contender: ContenderId, index: number): string {
  const metric = scenario.metrics[index]!;
  const summary = scenario.summary[contender];
  const first = scenario.rounds.map((r) => r.results[contender]).find((m) => m && !m.ok);
  if (summary === undefined) return '—';
  const main = summary[metric.key];
  if ((main === undefined || main.values.length === 0) && first !== undefined) return 'failed';
  let text = formatValue(main?.median, metric.unit);
  const next = scenario.metrics[index + 1];
  if (next?.inline) text += ` · ${formatValue(summary[next.key]?.median, next.unit)}`;
  return text;
}

/**
 * `main`: the compared metrics with targets; `cpu`: CPU time per operation of the server and
 * of the load generator (diagnostics, robust to CPU contention).
 */
export function buildReportTable(
  results: BenchResults,
  which: 'main' | 'cpu' = 'main',
): ReportTable {
  const contenders = results.contenders;
  const keys = ratioKeys(results);
  const header = [
    'scenario',
    'metric',
    ...contenders,
    ...keys,
    ...(which === 'main' ? ['target (ws02 vs)'] : []),
  ];
  const rows: string[][] = [];
  const status: (boolean | null)[] = [];
  for (const scenario of results.scenarios) {
    let first = true;
    scenario.metrics.forEach((metric, index) => {
      if (metric.inline) return;
      if ((metric.diagnostic === true) !== (which === 'cpu')) return;
      const targets = scenario.targetResults.filter((t) => t.metric === metric.key);
      rows.push([
        first ? scenario.id : '',
        metric.label,
        ...contenders.map((c) => valueCell(scenario, c, index)),
        ...keys.map((k) => ratioCell(scenario, k, metric.key)),
        ...(which === 'main'
          ? [targets.map((t) => `${targetText(t)} ${t.met ? '✓' : '✗'}`).join(', ')]
          : []),
      ]);
      first = false;
      status.push(targets.length === 0 ? null : targets.every((t) => t.met));
    });
  }
  return { header, rows, status };
}

export interface TableStyle {
  readonly color: boolean;
}

/** Whether to colour: a TTY, no NO_COLOR, no --no-color. */
export function shouldColor(stream: NodeJS.WriteStream, flag = true): boolean {
  return flag && stream.isTTY === true && process.env.NO_COLOR === undefined;
}

function alignedTable(table: ReportTable, style: TableStyle): string[] {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const paint = (text: string, format: 'green' | 'red' | 'bold' | 'dim') =>
    style.color ? styleText(format, text) : text;
  const out = [paint(line(table.header), 'bold')];
  out.push(paint(widths.map((w) => '─'.repeat(w)).join('  '), 'dim'));
  table.rows.forEach((row, i) => {
    const s = table.status[i];
    const text = line(row);
    out.push(s === true ? paint(text, 'green') : s === false ? paint(text, 'red') : text);
  });
  return out;
}

/** The aligned terminal tables: results and targets, then CPU per operation. */
export function renderTable(results: BenchResults, style: TableStyle = { color: false }): string {
  const out = alignedTable(buildReportTable(results, 'main'), style);
  const cpu = buildReportTable(results, 'cpu');
  if (cpu.rows.length > 0) {
    out.push('');
    out.push('CPU time per operation (µs; lower is better; robust to CPU contention):');
    out.push(...alignedTable(cpu, style));
  }
  const targets = results.scenarios.flatMap((s) => s.targetResults);
  const met = targets.filter((t) => t.met).length;
  out.push('');
  out.push(
    `targets met: ${met}/${targets.length} (median of per-round ratios; ` +
      `${results.rounds} round${results.rounds === 1 ? '' : 's'}, mode ${results.mode})`,
  );
  return `${out.join('\n')}\n`;
}
