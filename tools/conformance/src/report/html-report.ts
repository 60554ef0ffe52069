/**
 * The report as one static HTML page: no external assets, one table (a row per case), filters
 * by verdict and section, each row's wire log folded under it.
 */
import { SECTIONS } from '../cases/case.js';
import { VERDICTS } from '../verdict.js';
import type { SuiteReport } from './suite-report.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const COLORS: Readonly<Record<string, string>> = {
  OK: '#1a7f37',
  'NON-STRICT': '#9a6700',
  INFORMATIONAL: '#0969da',
  UNIMPLEMENTED: '#6e7781',
  FAILED: '#cf222e',
};

export function renderHtml(report: SuiteReport): string {
  const sections = [...new Set(report.cases.map((c) => c.section))];
  const rows = report.cases
    .map((c) => {
      const wire = c.wire
        .map((w) =>
          w.dir === 'note'
            ? `${w.t} ms  · ${esc(w.note ?? '')}`
            : `${w.t} ms  ${w.dir === 'tx' ? '→' : '←'} ${w.length} B  ${esc(w.hex ?? '')}\n              ${esc(w.text ?? '')}`,
        )
        .join('\n');
      const notes = c.notes.map((n) => `<li>${esc(n)}</li>`).join('');
      return `<tr data-verdict="${esc(c.verdict)}" data-section="${esc(c.section)}">
<td class="id">${esc(c.id)}</td><td>${esc(c.draft)}</td>
<td><details><summary>${esc(c.title)}</summary><p><b>Expectation:</b> ${esc(c.expectation)}</p>${notes ? `<ul>${notes}</ul>` : ''}<pre>${wire}</pre></details></td>
<td class="v" style="color:${COLORS[c.verdict]}">${esc(c.verdict)}</td><td>${esc(c.reason)}</td><td class="n">${c.durationMs}</td></tr>`;
    })
    .join('\n');
  const verdictOptions = VERDICTS.map(
    (v) => `<option value="${v}">${v} (${report.counts[v]})</option>`,
  ).join('');
  const sectionOptions = sections
    .map((s) => `<option value="${esc(s)}">${esc(s)} ${esc(SECTIONS[s]?.title ?? '')}</option>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ws02-conformance: ${esc(report.agent)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1f2328}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;vertical-align:top;text-align:left}
th{background:#f6f8fa;position:sticky;top:0}td.id,td.n{white-space:nowrap;font-variant-numeric:tabular-nums}td.v{font-weight:600;white-space:nowrap}
pre{font-size:12px;background:#f6f8fa;padding:6px;overflow:auto;max-height:24em}summary{cursor:pointer}
.bar{margin:1em 0;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
</style></head><body>
<h1>ws02-conformance — ${esc(report.agent)}</h1>
<p>Draft-02 (draft-ietf-hybi-thewebsocketprotocol-02) conformance, ${report.mode === 'server' ? 'server' : 'client'} under test at <code>${esc(report.target)}</code>; ${esc(report.startedAt)}, ${report.durationMs} ms${report.quick ? ', quick run' : ''}.</p>
<p><b id="summary">${esc(report.summary)}</b> — ${VERDICTS.map((v) => `${v}: ${report.counts[v]}`).join(' · ')}</p>
<div class="bar"><label>Verdict <select id="fv"><option value="">all</option>${verdictOptions}</select></label>
<label>Section <select id="fs"><option value="">all</option>${sectionOptions}</select></label>
<label>Search <input id="fq" type="search" placeholder="id or text"></label><span id="shown"></span></div>
<table><thead><tr><th>Case</th><th>Draft §</th><th>Title</th><th>Verdict</th><th>Reason</th><th>ms</th></tr></thead>
<tbody>
${rows}
</tbody></table>
<script>
(function(){var v=document.getElementById('fv'),s=document.getElementById('fs'),q=document.getElementById('fq'),n=document.getElementById('shown');
function f(){var k=0,t=q.value.toLowerCase();document.querySelectorAll('tbody tr').forEach(function(r){var on=(!v.value||r.dataset.verdict===v.value)&&(!s.value||r.dataset.section===s.value)&&(!t||r.textContent.toLowerCase().indexOf(t)>=0);r.style.display=on?'':'none';if(on)k++;});n.textContent=k+' shown';}
v.onchange=f;s.onchange=f;q.oninput=f;f();})();
</script></body></html>
`;
}
