/**
 * The package's `index.html`: one self-contained page (no scripts, no links out, inline
 * style) an auditor opens from the unpacked folder. Every value is escaped.
 */
import type { ControlCoverage } from './controls.js';
import type { Manifest } from './package.js';

export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export interface IndexSection {
  title: string;
  /** The records file the rows come from. */
  file: string;
  columns: string[];
  rows: Array<Record<string, unknown>>;
}

/** A value as readable text: objects as `key: value` pairs, list items one per line. */
function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cell).join('<br>');
  if (typeof value === 'object')
    return Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined && v !== '')
      .map(
        ([k, v]) =>
          `${escapeHtml(k)}: ${typeof v === 'object' ? escapeHtml(JSON.stringify(v)) : escapeHtml(v)}`,
      )
      .join('; ');
  return escapeHtml(value);
}

function table(columns: string[], rows: Array<Record<string, unknown>>): string {
  if (rows.length === 0) return '<p class="none">None recorded.</p>';
  const head = columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((r) => `<tr>${columns.map((c) => `<td>${cell(r[c])}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function renderIndexPage(input: {
  header: Omit<Manifest, 'files'>;
  title: string;
  sections: IndexSection[];
  coverage: ControlCoverage[];
  files: Array<{ path: string; sha256: string; size: number }>;
}): string {
  const { header } = input;
  const controls = input.coverage
    .map((c) => ({
      control: `${c.control} (${c.framework})`,
      title: c.title,
      'satisfied by': c.satisfiedBy.map((s) => `${s.record} ×${s.count}`).join(', '),
      missing: c.missing.join(', '),
      status: c.satisfied ? 'evidenced' : 'incomplete',
    }))
    .map((r) => r as Record<string, unknown>);
  const sections = input.sections
    .map(
      (s) =>
        `<section><h2>${escapeHtml(s.title)}</h2><p class="file">${escapeHtml(s.file)}</p>${table(s.columns, s.rows)}</section>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Evidence package ${escapeHtml(header.release.key)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:2rem;color:#111;max-width:80rem}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top;font-size:.9rem;word-break:break-word}
th{background:#eee}.file,.none{color:#444;font-size:.85rem}code{font-size:.85rem}
</style>
</head>
<body>
<h1>Evidence package: ${escapeHtml(header.release.key)} — ${escapeHtml(input.title)}</h1>
<p>Exported ${escapeHtml(header.exportedAt)} by ${escapeHtml(header.exportedBy)}. Audit chain covered from entry
${escapeHtml(header.audit.chainFrom)} to head entry ${escapeHtml(header.audit.headSeq)}
(<code>${escapeHtml(header.audit.headHash)}</code>); ${escapeHtml(header.audit.entries)} entries concern this release.
Check every file with <code>sha256sum -c SHA256SUMS</code> and the manifest with <code>sha256sum -c manifest.sha256</code>,
then compare the manifest digest with the one Gatehouse printed and recorded at export.</p>
<section><h2>Controls</h2><p class="file">controls.json</p>
${table(['control', 'title', 'satisfied by', 'missing', 'status'], controls)}</section>
${sections}
<section><h2>Files</h2><p class="file">manifest.json</p>
${table(['path', 'sha256', 'size'], input.files as unknown as Array<Record<string, unknown>>)}</section>
</body>
</html>
`;
}
