import { readFileSync } from 'node:fs';

/** The parts of V8's `.heapsnapshot` format (what `v8.writeHeapSnapshot` writes) used here. */
interface HeapSnapshotFile {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
    };
  };
  readonly nodes: readonly number[];
  readonly strings: readonly string[];
}

/** Objects of one kind: `object Foo` (constructor name), `closure bar`, `array (…)`, … */
export interface HeapGroup {
  readonly key: string;
  readonly count: number;
  readonly selfSize: number;
}

/** Sums a heap snapshot's nodes by type and name (constructor name for objects). */
export function groupHeapSnapshot(text: string): Map<string, HeapGroup> {
  const file = JSON.parse(text) as HeapSnapshotFile;
  const fields = file.snapshot.meta.node_fields;
  const types = file.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, { count: number; selfSize: number }>();
  const nodes = file.nodes;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + typeAt]!] ?? '?';
    // Strings and numbers are grouped by type only (their "name" is their value).
    const name =
      type === 'string' ||
      type === 'number' ||
      type === 'concatenated string' ||
      type === 'sliced string'
        ? ''
        : (file.strings[nodes[i + nameAt]!] ?? '');
    const key = name === '' ? type : `${type} ${name.length > 60 ? `${name.slice(0, 57)}…` : name}`;
    const g = groups.get(key);
    const size = nodes[i + sizeAt]!;
    if (g === undefined) groups.set(key, { count: 1, selfSize: size });
    else {
      g.count++;
      g.selfSize += size;
    }
  }
  return new Map([...groups].map(([key, g]) => [key, { key, ...g }]));
}

export interface HeapDiffEntry {
  readonly key: string;
  /** Objects added per connection (loaded − baseline) / connections. */
  readonly countPer: number;
  /** Self bytes added per connection. */
  readonly bytesPer: number;
}

/**
 * What each connection adds to the heap, by kind of object: (loaded − baseline) / connections,
 * largest first. The sum of `bytesPer` approximates the heap per connection.
 */
export function diffHeapSnapshots(
  baseline: Map<string, HeapGroup>,
  loaded: Map<string, HeapGroup>,
  connections: number,
): HeapDiffEntry[] {
  const keys = new Set([...baseline.keys(), ...loaded.keys()]);
  const out: HeapDiffEntry[] = [];
  for (const key of keys) {
    const a = baseline.get(key);
    const b = loaded.get(key);
    out.push({
      key,
      countPer: ((b?.count ?? 0) - (a?.count ?? 0)) / connections,
      bytesPer: ((b?.selfSize ?? 0) - (a?.selfSize ?? 0)) / connections,
    });
  }
  return out.sort((x, y) => y.bytesPer - x.bytesPer);
}

export function readHeapDiff(
  baselinePath: string,
  loadedPath: string,
  connections: number,
): HeapDiffEntry[] {
  return diffHeapSnapshots(
    groupHeapSnapshot(readFileSync(baselinePath, 'utf8')),
    groupHeapSnapshot(readFileSync(loadedPath, 'utf8')),
    connections,
  );
}

/** A markdown table of the kinds of object that grow most per connection. */
export function formatHeapDiff(entries: readonly HeapDiffEntry[], top = 25): string {
  const total = entries.reduce((sum, e) => sum + e.bytesPer, 0);
  const lines = [
    `heap self size added per connection: ${total.toFixed(0)} B`,
    '',
    '| bytes/conn | objects/conn | kind |',
    '| ---: | ---: | --- |',
    ...entries
      .slice(0, top)
      .map((e) => `| ${e.bytesPer.toFixed(0)} | ${e.countPer.toFixed(2)} | \`${e.key}\` |`),
  ];
  return `${lines.join('\n')}\n`;
}
