import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import type { EnvironmentInfo } from './types.js';

const require = createRequire(import.meta.url);

/** The version in a package's package.json, resolved from `from` (or this package). */
function versionOf(name: string, from?: string): string {
  try {
    const req = from === undefined ? require : createRequire(from);
    const file = req.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/**
 * How `ws` runs here: does it load bufferutil's native code (its optional helper for masking)
 * from its own location, and how does it validate UTF-8 (Node's `buffer.isUtf8` when present —
 * then utf-8-validate is not used).
 */
export function wsNativeHelpers(): Record<string, string | boolean> {
  const wsEntry = require.resolve('ws');
  const fromWs = createRequire(wsEntry);
  let bufferutil: string | boolean = false;
  try {
    const mod = fromWs('bufferutil') as { mask?: { toString(): string } };
    bufferutil =
      mod.mask?.toString().includes('[native code]') === true ? true : 'loaded, JS fallback';
  } catch (error) {
    bufferutil = `not loadable: ${(error as Error).message}`;
  }
  let utf8: string;
  const isUtf8 = (require('node:buffer') as { isUtf8?: unknown }).isUtf8;
  if (typeof isUtf8 === 'function') utf8 = 'node:buffer isUtf8 (utf-8-validate unused)';
  else {
    try {
      fromWs('utf-8-validate');
      utf8 = 'utf-8-validate';
    } catch {
      utf8 = 'JS fallback';
    }
  }
  return {
    bufferutil,
    bufferutilVersion: versionOf('bufferutil', wsEntry),
    utf8Validation: utf8,
    WS_NO_BUFFER_UTIL: process.env.WS_NO_BUFFER_UTIL !== undefined,
  };
}

function ulimitNoFile(): string {
  try {
    return execFileSync('/bin/sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function kernel(): string {
  try {
    return execFileSync('uname', ['-srm'], { encoding: 'utf8' }).trim();
  } catch {
    return release();
  }
}

export function describeEnvironment(
  ws02Client: string,
): Omit<EnvironmentInfo, 'loadAverageEnd' | 'distBuilt' | 'rebuiltDuringRun'> {
  const cpuList = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    kernel: kernel(),
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cpus: cpuList.length,
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    ulimitNoFile: ulimitNoFile(),
    loadAverageStart: loadavg().map((x) => Math.round(x * 100) / 100),
    versions: {
      '@ws02/server': versionOf('@ws02/server'),
      '@ws02/client': versionOf('@ws02/client'),
      '@ws02/frame': versionOf('@ws02/frame'),
      ws: versionOf('ws'),
    },
    wsNative: wsNativeHelpers(),
    ws02Client,
  };
}

/**
 * Which build of each @ws02 package is measured: `<mtime of dist/index.js> sha256:<first 12 hex
 * of its content>`. Other people may rebuild a package during a long run; comparing the hashes
 * at the start and the end shows whether the code measured changed.
 */
export function distBuildTimes(): Record<string, string> {
  const out: Record<string, string> = {};
  const found = (name: string, from: string): string | undefined => {
    try {
      return createRequire(from).resolve(`${name}/package.json`);
    } catch {
      return undefined;
    }
  };
  const self = require.resolve('ws');
  const server = found('@ws02/server', self) ?? '';
  const client = found('@ws02/client', self) ?? '';
  const places: [string, string | undefined][] = [
    ['@ws02/server', server],
    ['@ws02/client', client],
    ['@ws02/socket', server ? found('@ws02/socket', server) : undefined],
    ['@ws02/frame', server ? found('@ws02/frame', server) : undefined],
    ['@ws02/handshake', server ? found('@ws02/handshake', server) : undefined],
    ['@ws02/url', server ? found('@ws02/url', server) : undefined],
  ];
  for (const [name, pkg] of places) {
    if (!pkg) continue;
    try {
      const file = join(dirname(pkg), 'dist', 'index.js');
      const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
      out[name] = `${statSync(file).mtime.toISOString()} sha256:${hash}`;
    } catch {
      out[name] = 'not built';
    }
  }
  return out;
}

export function loadAverageNow(): number[] {
  return loadavg().map((x) => Math.round(x * 100) / 100);
}
