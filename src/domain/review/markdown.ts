/** A review as Markdown: the shape people paste into a wiki or attach to a ticket. */
import type { LanguageFlag } from './blameless.js';
import type { Cause, Review, TimelineEntry } from './review.js';

const cell = (s: string | null) => (s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function whysChains(causes: readonly Cause[]): string[] {
  const whys = causes.filter((c) => c.method === 'five-whys');
  const children = (parent: string | null) => whys.filter((c) => c.parent === parent);
  const lines: string[] = [];
  const walk = (cause: Cause, depth: number) => {
    lines.push(`${'  '.repeat(depth)}- Why? ${describe(cause)}`);
    for (const child of children(cause.id)) walk(child, depth + 1);
  };
  for (const root of children(null)) walk(root, 0);
  return lines;
}

function describe(cause: Cause): string {
  const evidence = cause.evidence.map((e) => `${e.kind}:${e.ref}`).join(', ');
  return `${cause.text}${cause.factor ? ` _(${cause.factor})_` : ''} — ${
    cause.speculative ? '**speculative: no evidence linked**' : `evidence: ${evidence}`
  }`;
}

export function reviewMarkdown(
  review: Review,
  timeline: readonly TimelineEntry[],
  flags: readonly LanguageFlag[],
): string {
  const out: string[] = [
    `# ${review.key}: post-release review of ${review.release}`,
    '',
    `${review.releaseTitle} — services: ${review.services.join(', ')}`,
    '',
    `- Status: ${review.status}${review.closedAt ? ` (closed ${review.closedAt} by ${review.closedBy})` : ''}`,
    `- Template: ${review.template}${review.mandatory ? ', mandatory before the release closes' : ''}`,
    `- Due: ${review.dueAt}${review.overdue ? ' (overdue)' : ''}`,
    `- Opened because: ${review.triggers.map((t) => t.reason).join('; ')}`,
    '',
  ];
  for (const [kind, heading] of [
    ['fact', 'Facts'],
    ['analysis', 'Analysis'],
  ] as const) {
    out.push(`## ${heading}`, '');
    for (const s of review.sections.filter((x) => x.kind === kind))
      out.push(`### ${s.title}`, '', s.text.trim() || '_(empty)_', '');
  }
  out.push('## Timeline', '', '| at (UTC) | source | what happened | by |', '|---|---|---|---|');
  for (const e of timeline) out.push(`| ${e.at} | ${e.source} | ${cell(e.text)} | ${cell(e.by)} |`);
  out.push('', '## Root causes', '');
  const chains = whysChains(review.causes);
  if (chains.length) out.push('### 5 Whys', '', ...chains, '');
  const fishbone = review.causes.filter((c) => c.method === 'fishbone');
  if (fishbone.length) {
    out.push('### Fishbone', '');
    const categories = [...new Set(fishbone.map((c) => c.category ?? 'uncategorised'))];
    for (const category of categories) {
      out.push(`- **${category}**`);
      for (const c of fishbone.filter((x) => (x.category ?? 'uncategorised') === category))
        out.push(`  - ${describe(c)}`);
    }
    out.push('');
  }
  if (!review.causes.length) out.push('_(no cause recorded)_', '');
  out.push('## Contributing factors', '');
  for (const f of review.factors) out.push(`- ${f.factor}${f.note ? `: ${f.note}` : ''}`);
  if (!review.factors.length) out.push('_(none recorded)_');
  out.push(
    '',
    '## Action items',
    '',
    '| action | owner | due | success criteria | status |',
    '|---|---|---|---|---|',
  );
  for (const a of review.actionItems)
    out.push(
      `| ${cell(a.title)} | ${cell(a.owner ?? '(no owner)')} | ${a.dueAt ?? ''}${a.overdue ? ' (overdue)' : ''} | ${cell(a.successCriteria)} | ${a.status} |`,
    );
  if (flags.length) {
    out.push('', '## Blameless-language flags', '');
    for (const f of flags) out.push(`- \`${f.field}\`: "${f.sentence}" — ${f.reason}`);
  }
  return out.join('\n') + '\n';
}
