import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadMapper, type Mapper, shortPath, workspaceRoot } from './cpu-profile.js';

/** The parts of V8's `.heapsnapshot` format (what `v8.writeHeapSnapshot` writes) used here. */
interface HeapSnapshotFile {
  readonly snapshot: {
    readonly meta: {
      readonly node_fields: readonly string[];
      readonly node_types: readonly [readonly string[], ...unknown[]];
      readonly edge_fields: readonly string[];
      readonly edge_types: readonly [readonly string[], ...unknown[]];
      readonly location_fields?: readonly string[];
    };
  };
  readonly nodes: readonly number[];
  readonly edges: readonly number[];
  readonly locations?: readonly number[];
  readonly strings: readonly string[];
}

/**
 * Where each closure was created: `locations` gives its script id, line and column; the script's
 * URL is the name of the Script node reached through the closure's `shared` edge
 * (SharedFunctionInfo) → `script_or_debug_info`.
 * Locations in bundled dist files are mapped back to the TypeScript sources.
 */
function closureLocations(file: HeapSnapshotFile): Map<number, string> {
  const out = new Map<number, string>();
  const meta = file.snapshot.meta;
  const locations = file.locations;
  const locFields = meta.location_fields;
  if (locations === undefined || locFields === undefined) return out;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const edgeCountAt = meta.node_fields.indexOf('edge_count');
  const nameAt = meta.node_fields.indexOf('name');
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const elementType = meta.edge_types[0].indexOf('element');
  const hiddenType = meta.edge_types[0].indexOf('hidden');
  const nodes = file.nodes;
  const edges = file.edges;
  // First edge of every node (edges are stored node after node).
  const nodeCount = nodes.length / nodeWidth;
  const firstEdge = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < nodeCount; i++) {
    firstEdge[i + 1] = firstEdge[i]! + nodes[i * nodeWidth + edgeCountAt]! * edgeWidth;
  }
  const edgeTo = (nodeIndex: number, name: string): number => {
    for (let e = firstEdge[nodeIndex]!; e < firstEdge[nodeIndex + 1]!; e += edgeWidth) {
      const type = edges[e + edgeTypeAt]!;
      if (type === elementType || type === hiddenType) continue;
      if (file.strings[edges[e + edgeNameAt]!] === name) return edges[e + edgeToAt]! / nodeWidth;
    }
    return -1;
  };
  const scriptNames = new Map<number, string>();
  const mappers = new Map<string, Mapper | undefined>();
  const root = workspaceRoot(process.cwd());
  const width = locFields.length;
  const objectAt = locFields.indexOf('object_index');
  const lineAt = locFields.indexOf('line');
  const columnAt = locFields.indexOf('column');
  for (let i = 0; i < locations.length; i += width) {
    const nodeIndex = locations[i + objectAt]! / nodeWidth;
    const line = locations[i + lineAt]!;
    const column = locations[i + columnAt]!;
    const shared = edgeTo(nodeIndex, 'shared');
    let script = shared === -1 ? -1 : edgeTo(shared, 'script_or_debug_info');
    if (script === -1 && shared !== -1) script = edgeTo(shared, 'script');
    let url = scriptNames.get(script);
    if (url === undefined) {
      // A Script node is named by its URL.
      url = script === -1 ? '' : (file.strings[nodes[script * nodeWidth + nameAt]!] ?? '');
      scriptNames.set(script, url);
    }
    let where = `${url}:${line + 1}`;
    if (url.startsWith('file:') || url.startsWith('/')) {
      const path = url.startsWith('file:') ? fileURLToPath(url) : url;
      if (!mappers.has(path)) mappers.set(path, loadMapper(path));
      const mapped = mappers.get(path)?.(line, column);
      where = `${shortPath(mapped?.file ?? path, root)}:${mapped?.line ?? line + 1}`;
    }
    out.set(nodeIndex, where);
  }
  return out;
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
  const closures = closureLocations(file);
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
    let key = name === '' ? type : `${type} ${name.length > 60 ? `${name.slice(0, 57)}…` : name}`;
    // Closures: where they were created (which listener or callback each connection keeps).
    if (type === 'closure') key = `${key} @ ${closures.get(i / width) ?? '?'}`;
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
