/**
 * A CAB decision on one agenda item: Go, No-Go, or Conditional Go with conditions that
 * must each be marked met — by whom and when — before the deploy gate passes.
 */
import { Type, type Static } from '@sinclair/typebox';
import { StrictObject, StringEnum } from '../schema-kit.js';

export const CAB_DECISIONS = ['go', 'no-go', 'conditional-go'] as const;
export type CabDecisionKind = (typeof CAB_DECISIONS)[number];

export const CabDecisionInput = StrictObject({
  occurrence: Type.String({
    format: 'date-time',
    description: 'the meeting occurrence decided at: its start instant',
  }),
  release: Type.String({ minLength: 1, maxLength: 100, description: 'REL-42 or an id' }),
  decision: StringEnum(CAB_DECISIONS),
  rationale: Type.String({
    maxLength: 20000,
    description: 'why; required, a blank rationale is refused',
  }),
  conditions: Type.Optional(
    Type.Array(Type.String({ maxLength: 2000 }), {
      maxItems: 50,
      description: 'Conditional Go only: what must be true before deploying',
    }),
  ),
});
export type CabDecisionInput = Static<typeof CabDecisionInput>;

export interface CabCondition {
  number: number;
  text: string;
  metBy: string | null;
  metAt: string | null;
  note: string | null;
}

export interface CabDecision {
  id: string;
  meeting: string;
  occurrence: string;
  release: string;
  decision: CabDecisionKind;
  rationale: string;
  conditions: CabCondition[];
  decidedBy: string;
  decidedAt: string;
}

export interface DecisionProblem {
  field: string;
  reason: string;
}

/** What is wrong with a decision as given, each naming its field; empty when sound. */
export function decisionProblems(input: CabDecisionInput): DecisionProblem[] {
  const problems: DecisionProblem[] = [];
  if (!input.rationale.trim())
    problems.push({ field: '/rationale', reason: 'a decision must give its rationale' });
  const conditions = input.conditions ?? [];
  if (input.decision === 'conditional-go' && conditions.length === 0)
    problems.push({
      field: '/conditions',
      reason: 'a Conditional Go names at least one condition',
    });
  if (input.decision !== 'conditional-go' && conditions.length > 0)
    problems.push({
      field: '/conditions',
      reason: `only a Conditional Go carries conditions, not a ${input.decision}`,
    });
  conditions.forEach((text, i) => {
    if (!text.trim()) problems.push({ field: `/conditions/${i}`, reason: 'is blank' });
  });
  return problems;
}

export interface CabGateOutcome {
  result: 'pass' | 'fail';
  reason: string;
}

/** What the latest CAB decision means for the deploy gate. */
export function cabGateOutcome(releaseKey: string, decision: CabDecision | null): CabGateOutcome {
  if (!decision)
    return {
      result: 'fail',
      reason: `no CAB decision for ${releaseKey}: it goes on the agenda of the next CAB meeting (gatehouse cab agenda MEETING)`,
    };
  const at = `${decision.meeting} ${decision.occurrence}`;
  if (decision.decision === 'go')
    return { result: 'pass', reason: `Go by ${decision.decidedBy} at CAB ${at}` };
  if (decision.decision === 'no-go')
    return {
      result: 'fail',
      reason: `No-Go by ${decision.decidedBy} at CAB ${at} ("${decision.rationale}"); a new CAB decision is needed`,
    };
  const open = decision.conditions.filter((c) => !c.metBy);
  if (open.length === 0)
    return {
      result: 'pass',
      reason: `Conditional Go at CAB ${at}; all ${decision.conditions.length} condition(s) met (${decision.conditions
        .map((c) => `#${c.number} by ${c.metBy}`)
        .join(', ')})`,
    };
  return {
    result: 'fail',
    reason: `Conditional Go at CAB ${at} with ${open.length} of ${decision.conditions.length} condition(s) not yet met: ${open
      .map((c) => `#${c.number} ${c.text}`)
      .join('; ')}`,
  };
}
