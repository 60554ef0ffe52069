import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildReport,
  type CaseResult,
  renderHtml,
  summaryLine,
  VERDICTS,
  writeReport,
} from '../../src/index.js';

function result(id: string, verdict: CaseResult['verdict']): CaseResult {
  return {
    id,
    section: id.split('.')[0]!,
    sectionTitle: 'Framing',
    title: `case <${id}> & "quotes"`,
    draft: '4.2',
    expectation: 'an echo',
    verdict,
    reason: 'because',
    durationMs: 3,
    notes: ['a note'],
    wire: [{ t: 0, dir: 'tx', length: 2, hex: '04 00', text: '\\x04\\x00' }],
  };
}

const fields = {
  mode: 'server' as const,
  agent: 'test <agent>',
  target: 'ws://x/',
  startedAt: '2024-01-01T00:00:00Z',
  durationMs: 5,
  quick: true,
};

describe('reports', () => {
  it('counts FAILED as failed and every other verdict as passed', () => {
    const cases = VERDICTS.map((v, i) => result(`1.${i + 1}`, v));
    expect(summaryLine(cases)).toBe('4 passed, 1 failed');
    const report = buildReport(fields, cases);
    expect(report).toMatchObject({ passed: 4, failed: 1, summary: '4 passed, 1 failed' });
    expect(report.counts).toEqual({
      OK: 1,
      'NON-STRICT': 1,
      INFORMATIONAL: 1,
      UNIMPLEMENTED: 1,
      FAILED: 1,
    });
  });

  it('renders one self-contained table, a row per case, with verdict and section filters', () => {
    const html = renderHtml(buildReport(fields, [result('1.1', 'OK'), result('15.2', 'FAILED')]));
    expect(html.match(/<tr data-verdict=/g)).toHaveLength(2);
    expect(html).toContain('data-verdict="FAILED" data-section="15"');
    expect(html).toContain('<select id="fv">');
    expect(html).toContain('<select id="fs">');
    expect(html).toContain('case &#60;1.1&#62; &#38; &#34;quotes&#34;'); // escaped
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/); // no external assets
    expect(html).toContain('1 passed, 1 failed');
  });

  it('writes <agent>.json and <agent>.html', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ws02-report-'));
    const files = await writeReport(dir, buildReport(fields, [result('1.1', 'OK')]));
    expect(files.json).toBe(join(dir, 'test-agent.json'));
    expect(JSON.parse(await readFile(files.json, 'utf8'))).toMatchObject({
      summary: '1 passed, 0 failed',
      cases: [{ id: '1.1' }],
    });
    expect(await readFile(files.html, 'utf8')).toMatch(/^<!doctype html>/);
  });
});
