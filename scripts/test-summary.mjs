#!/usr/bin/env node
// Adds up every package's vitest JSON report (written by vitest.shared.ts) and turbo's run
// summary into one closing line, "N passed, M failed", for people and CI alike. M counts
// every kind of failure, so a green line means nothing failed anywhere:
//   - failed tests;
//   - failed test files whose tests did not fail one by one (an import error, a failing
//     beforeAll: their tests are reported as skipped);
//   - an unsuccessful vitest run with nothing else to show for it (an unhandled error);
//   - skipped or todo tests (the project has none; one hides a test);
//   - failed turbo tasks with no test report (build, typecheck, lint, or a test task that
//     crashed before writing one).
// Run alone it reads the reports and the newest turbo run summary in .turbo/runs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const GROUPS = ['packages', 'apps', 'tools'];

/** Every workspace package folder that can hold a `.vitest/results.json`. */
export function packageDirs(root = ROOT) {
  const dirs = [];
  for (const group of GROUPS) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) {
      if (existsSync(join(dir, name, 'package.json'))) dirs.push(join(dir, name));
    }
  }
  return dirs;
}

/** The newest turbo run summary (`turbo run … --summarize`), or undefined. */
export function newestTurboSummary(root = ROOT) {
  const dir = join(root, '.turbo', 'runs');
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  return files.length === 0 ? undefined : JSON.parse(readFileSync(files[0], 'utf8'));
}

/** One package's counts from its vitest JSON report. */
function countReport(report, rootDir) {
  const problems = [];
  let failedFiles = 0;
  for (const file of report.testResults ?? []) {
    if (file.status !== 'failed') continue;
    const failedTests = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    const name = relative(rootDir, file.name);
    if (failedTests.length === 0) {
      failedFiles++;
      problems.push(`failed file ${name}: ${String(file.message ?? '').split('\n')[0]}`);
    } else {
      for (const t of failedTests) problems.push(`failed test ${name} > ${t.fullName}`);
    }
  }
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  let runErrors = 0;
  if (report.success === false && report.numFailedTests === 0 && failedFiles === 0) {
    runErrors = 1;
    problems.push('the vitest run failed (an unhandled error: see its output above)');
  }
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + failedFiles + runErrors,
    skipped,
    problems,
  };
}

/**
 * The summary: one row per package, the problems, and the closing line. `turbo` is a turbo run
 * summary (or undefined when turbo did not get to run); `turboExit` its exit status.
 */
export function summarize({ root = ROOT, turbo, turboExit = 0 } = {}) {
  const rows = [];
  const problems = [];
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  const reported = new Set();
  for (const dir of packageDirs(root)) {
    const file = join(dir, '.vitest', 'results.json');
    if (!existsSync(file)) continue;
    const name = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name;
    reported.add(name);
    const c = countReport(JSON.parse(readFileSync(file, 'utf8')), root);
    passed += c.passed;
    failed += c.failed;
    skipped += c.skipped;
    const extra = c.skipped > 0 ? `, ${c.skipped} skipped` : '';
    rows.push(`${relative(root, dir)}: ${c.passed} passed, ${c.failed} failed${extra}`);
    for (const p of c.problems) problems.push(`${name}: ${p}`);
  }
  for (const task of turbo?.tasks ?? []) {
    const code = task.execution?.exitCode;
    if (code === 0 || code === undefined || code === null) continue;
    const [pkg, name] = [task.package, task.task];
    // A test task that wrote a report is counted by its tests above.
    if (name === 'test' && reported.has(pkg)) continue;
    failed++;
    problems.push(`${task.taskId}: exited with ${code}`);
  }
  if (turbo === undefined) {
    failed++;
    problems.push('turbo did not run to the end (no run summary): see the output above');
  } else if (turboExit !== 0 && failed === 0) {
    // turbo failed in a way no task recorded (a bad flag, a crash): still a failure.
    failed++;
    problems.push(`turbo exited with ${turboExit}`);
  }
  if (rows.length === 0) {
    failed++;
    problems.push('no test reports found');
  }
  if (skipped > 0) problems.push(`${skipped} skipped or todo tests (the suite allows none)`);
  const tail = skipped > 0 ? `, ${skipped} skipped` : '';
  return {
    passed,
    failed,
    skipped,
    rows,
    problems,
    line: `${passed} passed, ${failed} failed${tail}`,
    ok: failed === 0 && skipped === 0,
  };
}

/** Prints the summary, the closing line last. */
export function printSummary(summary) {
  console.log(`\n${summary.rows.join('\n')}`);
  if (summary.problems.length > 0) console.log(`\n${summary.problems.join('\n')}\n`);
  console.log(summary.line);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const summary = summarize({ turbo: newestTurboSummary() });
  printSummary(summary);
  process.exit(summary.ok ? 0 : 1);
}
