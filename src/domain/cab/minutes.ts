/** CAB minutes as Markdown: who sat, what was on the agenda, what was decided and why. */
import type { AgendaItem, Criterion } from './agenda.js';
import type { CabDecision } from './decision.js';
import type { CabMeeting, MeetingOccurrence } from './meeting.js';

export interface MinutesInput {
  meeting: CabMeeting;
  occurrence: MeetingOccurrence;
  nextMeeting: MeetingOccurrence | null;
  items: AgendaItem[];
  /** Decisions taken at this occurrence, agenda or not (an item may have left the agenda). */
  decisions: CabDecision[];
  generatedAt: string;
}

/** Text from people goes into Markdown: keep it from opening tables, headings or HTML. */
function inline(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/([\\`*_[\]<>|#])/g, '\\$1')
    .trim();
}

const LABEL: Record<CabDecision['decision'], string> = {
  go: 'Go',
  'no-go': 'No-Go',
  'conditional-go': 'Conditional Go',
};

function criterion(name: string, c: Criterion): string {
  const links = c.links.map((l) => `[${inline(l.title)}](${l.href})`).join(', ');
  return `- **${name}** (${c.status}): ${inline(c.summary)}${links ? ` — evidence: ${links}` : ''}`;
}

function decisionLines(d: CabDecision): string[] {
  const lines = [
    `- **Decision: ${LABEL[d.decision]}** by ${inline(d.decidedBy)} at ${d.decidedAt}`,
    `- Rationale: ${inline(d.rationale)}`,
  ];
  for (const c of d.conditions)
    lines.push(
      `  - [${c.metBy ? 'x' : ' '}] Condition ${c.number}: ${inline(c.text)}${
        c.metBy
          ? ` — met by ${inline(c.metBy)} at ${c.metAt}${c.note ? ` (${inline(c.note)})` : ''}`
          : ''
      }`,
    );
  return lines;
}

export function renderMinutes(input: MinutesInput): string {
  const { meeting, occurrence } = input;
  const out: string[] = [
    `# CAB minutes: ${inline(meeting.title)}`,
    '',
    `- Meeting: ${meeting.name}${meeting.rrule ? ` (recurring: ${meeting.rrule}, ${meeting.timeZone})` : ` (${meeting.timeZone})`}`,
    `- Sitting: ${occurrence.start} – ${occurrence.end}`,
    `- Next sitting: ${input.nextMeeting ? input.nextMeeting.start : 'none scheduled'}`,
    `- Members: ${meeting.members.length ? meeting.members.map(inline).join(', ') : 'none'}`,
    `- Generated: ${input.generatedAt}`,
    '',
    '## Agenda',
    '',
  ];
  if (input.items.length === 0) out.push('No release needed a CAB decision at this sitting.', '');
  const decidedHere = new Map(input.decisions.map((d) => [d.release, d]));
  input.items.forEach((item, i) => {
    out.push(
      `### ${i + 1}. ${item.release} — ${inline(item.title)} ${inline(item.version)}`,
      '',
      `- Policy ${item.policy ?? 'none'} (${item.approvalPath}) for ${item.environment}; ${item.classification}, state ${item.state}, team ${item.team ?? 'none'}`,
      `- Planned window: ${item.plannedWindow.start} – ${item.plannedWindow.end}`,
      criterion(`Risk ${item.risk.score} (${item.risk.level})`, item.risk),
      criterion('Testing status', item.testing),
      criterion('Business impact', item.businessImpact),
      criterion('Rollback readiness', item.rollbackReadiness),
      criterion('Operational readiness', item.operationalReadiness),
    );
    const decision = decidedHere.get(item.release);
    out.push(...(decision ? decisionLines(decision) : ['- **Decision: none recorded**']), '');
    decidedHere.delete(item.release);
  });
  if (decidedHere.size > 0) {
    out.push('## Other decisions at this sitting', '');
    for (const d of decidedHere.values()) out.push(`### ${d.release}`, '', ...decisionLines(d), '');
  }
  return out.join('\n');
}
