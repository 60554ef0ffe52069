import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The parts of V8's `.cpuprofile` format (what `node --cpu-prof` writes) used here. */
export interface CpuProfile {
  readonly nodes: readonly {
    readonly id: number;
    readonly callFrame: {
      readonly functionName: string;
      readonly url: string;
      readonly lineNumber: number;
      readonly columnNumber: number;
    };
    readonly children?: readonly number[];
  }[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileEntry {
  readonly functionName: string;
  /** `packages/socket/src/websocket.ts:312` (source-mapped when a map exists), or a URL. */
  readonly location: string;
  readonly selfMs: number;
  readonly selfPct: number;
  /** Time with this function anywhere on the stack (inclusive). */
  readonly totalMs: number;
  readonly totalPct: number;
}

export interface ProfileSummary {
  readonly totalMs: number;
  /** By self time, descending. */
  readonly functions: readonly ProfileEntry[];
  /** Self time summed per source file (or package / Node internals), descending. */
  readonly files: readonly {
    readonly file: string;
    readonly selfMs: number;
    readonly selfPct: number;
  }[];
}

export interface SummariseOptions {
  /** Map bundled dist code back to the TypeScript sources (default true). */
  readonly sourceMaps?: boolean;
  /** Locations are shown relative to this directory (default: the monorepo root). */
  readonly root?: string;
}

export type Mapper = (line: number, column: number) => { file: string; line: number } | undefined;

/** Loads the source map a script names in its `sourceMappingURL` comment, if any. */
export function loadMapper(path: string): Mapper | undefined {
  try {
    const code = readFileSync(path, 'utf8');
    const match = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(code);
    if (match === null || match[1]!.startsWith('data:')) return undefined;
    const mapPath = resolve(dirname(path), match[1]!);
    const map = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
    return (line, column) => {
      const entry = map.findEntry(line, column) as {
        originalSource?: string;
        originalLine?: number;
      };
      if (entry.originalSource === undefined || entry.originalLine === undefined) return undefined;
      const source = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : resolve(dirname(mapPath), entry.originalSource);
      return { file: source, line: entry.originalLine + 1 };
    };
  } catch {
    return undefined;
  }
}

/** The nearest directory holding pnpm-workspace.yaml (the monorepo root), else `from`. */
export function workspaceRoot(from: string): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** node_modules/.pnpm/ws@8.23.0…/node_modules/ws/lib/sender.js → ws/lib/sender.js */
export function shortPath(path: string, root: string): string {
  const nm = path.lastIndexOf('/node_modules/');
  if (nm !== -1) return path.slice(nm + '/node_modules/'.length);
  const rel = relative(root, path);
  return rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

/**
 * Sums a CPU profile's samples by function: self time (the function itself was running) and
 * total time (anywhere on the stack), with locations mapped back to TypeScript sources.
 */
export function summariseCpuProfile(
  profile: CpuProfile,
  options: SummariseOptions = {},
): ProfileSummary {
  const root = options.root ?? workspaceRoot(process.cwd());
  const useMaps = options.sourceMaps !== false;
  const mappers = new Map<string, Mapper | undefined>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Each node → a function key and a display location / file.
  const keyOf = new Map<number, { key: string; name: string; location: string; file: string }>();
  for (const n of profile.nodes) {
    const f = n.callFrame;
    const name = f.functionName === '' ? '(anonymous)' : f.functionName;
    let file = f.url === '' ? name : f.url;
    let location = f.url === '' ? '' : `${f.url}:${f.lineNumber + 1}`;
    if (f.url.startsWith('file:')) {
      const path = fileURLToPath(f.url);
      let mapper = mappers.get(path);
      if (useMaps && !mappers.has(path)) {
        mapper = loadMapper(path);
        mappers.set(path, mapper);
      }
      const mapped = mapper?.(f.lineNumber, f.columnNumber);
      file = shortPath(mapped?.file ?? path, root);
      location = `${file}:${mapped?.line ?? f.lineNumber + 1}`;
    } else if (f.url.startsWith('node:')) {
      file = f.url;
    }
    keyOf.set(n.id, { key: `${name}@${location}`, name, location, file });
  }

  // Sample i lasts until the next sample (V8's timeDeltas[i] is the gap before sample i).
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  const samples = profile.samples;
  let totalMicros = 0;
  for (let i = 0; i < samples.length; i++) {
    const duration = i + 1 < samples.length ? profile.timeDeltas[i + 1]! : 0;
    if (duration <= 0) continue;
    totalMicros += duration;
    const leaf = keyOf.get(samples[i]!);
    if (leaf === undefined) continue;
    self.set(leaf.key, (self.get(leaf.key) ?? 0) + duration);
    files.set(leaf.file, (files.get(leaf.file) ?? 0) + duration);
    const seen = new Set<string>();
    for (let id: number | undefined = samples[i]; id !== undefined; id = parent.get(id)) {
      const k = keyOf.get(id);
      if (k === undefined || seen.has(k.key) || byId.get(id) === undefined) continue;
      seen.add(k.key);
      total.set(k.key, (total.get(k.key) ?? 0) + duration);
    }
  }
  const info = new Map([...keyOf.values()].map((k) => [k.key, k]));
  const totalMs = totalMicros / 1000;
  const pct = (micros: number) => (totalMicros > 0 ? (100 * micros) / totalMicros : 0);
  const functions = [...self.entries()]
    .map(([key, micros]) => {
      const k = info.get(key)!;
      const inclusive = total.get(key) ?? micros;
      return {
        functionName: k.name,
        location: k.location,
        selfMs: micros / 1000,
        selfPct: pct(micros),
        totalMs: inclusive / 1000,
        totalPct: pct(inclusive),
      };
    })
    .sort((a, b) => b.selfMs - a.selfMs);
  const fileList = [...files.entries()]
    .map(([file, micros]) => ({ file, selfMs: micros / 1000, selfPct: pct(micros) }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs, functions, files: fileList };
}

export function readCpuProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

/**
 * A plain-text (markdown-friendly) table of the top functions (by self time, or by total time
 * to see which subtrees cost most) and files.
 */
export function formatProfileSummary(
  summary: ProfileSummary,
  top = 20,
  by: 'self' | 'total' = 'self',
): string {
  const functions =
    by === 'self'
      ? summary.functions
      : [...summary.functions].sort((a, b) => b.totalMs - a.totalMs);
  const lines = [
    `sampled ${summary.totalMs.toFixed(0)} ms`,
    '',
    '| self % | total % | function | location |',
    '| ---: | ---: | --- | --- |',
    ...functions
      .slice(0, top)
      .map(
        (f) =>
          `| ${f.selfPct.toFixed(1)} | ${f.totalPct.toFixed(1)} | \`${f.functionName}\` | ${f.location} |`,
      ),
    '',
    '| self % | file |',
    '| ---: | --- |',
    ...summary.files
      .slice(0, Math.min(12, top))
      .map((f) => `| ${f.selfPct.toFixed(1)} | ${f.file} |`),
  ];
  return `${lines.join('\n')}\n`;
}
