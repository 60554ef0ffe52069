#!/usr/bin/env node
// `npm test`: the whole suite from a fresh clone, needing only Node >= 20 and npm.
//   1. installs the workspace (scripts/bootstrap.mjs);
//   2. installs the programs the tests start, or says how (scripts/system-deps.mjs);
//   3. runs build, typecheck, lint and test in every package with turbo, continuing past
//      failures so every package reports;
//   4. prints the summary (scripts/test-summary.mjs); its last line is "N passed, M failed".
// Exits non-zero on any failure. Extra arguments go to turbo (`npm test -- --force`,
// `npm test -- --filter=@ws02/frame`); TURBO_FORCE=1 ignores turbo's cache.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { installWorkspace } from './bootstrap.mjs';
import { installSystemDeps } from './system-deps.mjs';
import { newestTurboSummary, packageDirs, printSummary, ROOT, summarize } from './test-summary.mjs';

const started = Date.now();
let status = installWorkspace();
if (status === 0) status = installSystemDeps();
if (status !== 0) process.exit(status);

// No report of an earlier run may stand in for this one: turbo restores the reports of the
// tasks it replays from its cache, and a test task that crashes writes none.
for (const dir of packageDirs()) rmSync(join(dir, '.vitest', 'results.json'), { force: true });
rmSync(join(ROOT, '.turbo', 'runs'), { recursive: true, force: true });

// The load tests open thousands of sockets: the soft file-descriptor limit is raised to the
// hard one (Node cannot set it itself, so turbo starts under a shell that does).
const turboArgs = ['run', 'build', 'typecheck', 'lint', 'test', '--continue', '--summarize'];
const turbo = spawnSync(
  'sh',
  [
    '-c',
    'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$0" "$@"',
    join(ROOT, 'node_modules', '.bin', 'turbo'),
    ...turboArgs,
    ...process.argv.slice(2),
  ],
  { stdio: 'inherit', cwd: ROOT, env: { TURBO_TELEMETRY_DISABLED: '1', ...process.env } },
);
const summary = summarize({
  turbo: newestTurboSummary(),
  turboExit: turbo.status ?? turbo.signal ?? 1,
});
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
summary.rows.push(`(whole run: ${minutes} min)`);
printSummary(summary);
process.exit(summary.ok ? 0 : 1);
