// Shared by every package's packaging test: `pnpm pack` the package (and the workspace packages
// it depends on), install the tarballs into a fresh temporary project with npm, then load the
// package through ESM `import` and CommonJS `require` and type-check a consumer with `tsc` in
// both module systems. Proves the published `exports` map, the CJS build and the `.d.ts`/.d.cts
// files work for a real consumer, not only inside the workspace.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

export interface PackagingCheck {
  /** Package folders relative to the repo root, dependencies first (e.g. ['packages/url']). */
  packages: string[];
  /** ESM program (.mjs); must print `ok` last. */
  esm: string;
  /** CommonJS program (.cjs); must print `ok` last. */
  cjs: string;
  /** TypeScript consumer checked as ESM (.mts) and as CommonJS (.cts). */
  ts: string;
}

export interface PackagingResult {
  esmOutput: string;
  cjsOutput: string;
  tarballs: string[];
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function checkPackaging(check: PackagingCheck): PackagingResult {
  const dir = mkdtempSync(join(tmpdir(), 'ws02-pack-'));
  try {
    const packs = join(dir, 'packs');
    for (const pkg of check.packages) {
      run(join(BIN, 'pnpm'), ['pack', '--pack-destination', packs], join(ROOT, pkg));
    }
    const tarballs = readdirSync(packs).map((f) => join(packs, f));
    const app = join(dir, 'app');
    run('mkdir', ['-p', app], dir);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true }));
    run(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...tarballs],
      app,
    );
    writeFileSync(join(app, 'esm.mjs'), check.esm);
    writeFileSync(join(app, 'cjs.cjs'), check.cjs);
    const esmOutput = run(process.execPath, ['esm.mjs'], app);
    const cjsOutput = run(process.execPath, ['cjs.cjs'], app);
    writeFileSync(join(app, 'consumer.mts'), check.ts);
    writeFileSync(join(app, 'consumer.cts'), check.ts);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          types: [],
          lib: ['es2022', 'dom'],
        },
        files: ['consumer.mts', 'consumer.cts'],
      }),
    );
    run(join(BIN, 'tsc'), ['-p', 'tsconfig.json'], app);
    return { esmOutput, cjsOutput, tarballs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
