import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { renderHtml } from './html-report.js';
import type { SuiteReport } from './suite-report.js';

/** A file-name-safe form of an agent name. */
export function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '') || 'agent';
}

/** Writes `<dir>/<agent>.json` and `<dir>/<agent>.html`; returns their paths. */
export async function writeReport(
  dir: string,
  report: SuiteReport,
): Promise<{ json: string; html: string }> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, slug(report.agent));
  const json = `${base}.json`;
  const html = `${base}.html`;
  await writeFile(json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(html, renderHtml(report));
  return { json, html };
}
