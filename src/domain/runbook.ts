/**
 * A release's runbook: pre-checks, ordered deployment steps, validation and rollback
 * steps, and who to call. People and pipelines mark each step started, completed, failed
 * or skipped, with the instant, so the deployment's duration and where the time went are
 * known. The rules here are pure: which marks are allowed when, and the timings.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from './errors.js';
import { Instant, ShortText, StrictObject, StringEnum } from './schema-kit.js';

export const RUNBOOK_SECTIONS = ['pre-check', 'step', 'validation', 'rollback'] as const;
export type RunbookSection = (typeof RUNBOOK_SECTIONS)[number];

export const STEP_STATUSES = ['pending', 'in-progress', 'done', 'failed', 'skipped'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const STEP_ACTIONS = ['start', 'complete', 'fail', 'skip'] as const;
export type StepAction = (typeof STEP_ACTIONS)[number];

const StepInput = StrictObject({
  title: ShortText,
  description: Type.Optional(Type.String({ maxLength: 5000 })),
  owner: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
});
const Steps = Type.Array(StepInput, { maxItems: 200 });

export const RunbookInput = StrictObject({
  preChecks: Type.Optional(Steps),
  steps: Type.Array(StepInput, { minItems: 1, maxItems: 200 }),
  validation: Type.Optional(Steps),
  rollback: Type.Optional(Steps),
  contacts: Type.Optional(
    Type.Array(
      StrictObject({
        name: ShortText,
        role: ShortText,
        contact: Type.String({ minLength: 1, maxLength: 200, description: 'phone, e-mail, pager' }),
      }),
      { maxItems: 50 },
    ),
  ),
});
export type RunbookInput = Static<typeof RunbookInput>;

export const MarkStepInput = StrictObject({
  action: StringEnum(STEP_ACTIONS),
  at: Type.Optional(Instant),
  note: Type.Optional(Type.String({ maxLength: 2000 })),
});
export type MarkStepInput = Static<typeof MarkStepInput>;

export interface RunbookStep {
  /** `pre-check-1`, `step-3`, `validation-1`, `rollback-2`: stable, typed by people. */
  key: string;
  section: RunbookSection;
  position: number;
  title: string;
  description: string;
  owner: string | null;
  status: StepStatus;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  markedBy: string | null;
  note: string;
}

export interface RunbookTimings {
  /** From the first step started to the last one finished (so far). */
  totalMs: number | null;
  /** Time spent inside steps, per section. */
  bySectionMs: Record<RunbookSection, number>;
  /** Time between steps: waiting, hand-offs. */
  waitingMs: number | null;
  /** The finished steps, longest first, with their share of the total. */
  longest: Array<{ key: string; title: string; durationMs: number; share: number }>;
}

export function stepKey(section: RunbookSection, position: number): string {
  return `${section}-${position}`;
}

const FINAL: StepStatus[] = ['done', 'skipped'];

/** What a mark moves a step to, or why it may not. */
export function markStep(
  step: Pick<RunbookStep, 'key' | 'section' | 'position' | 'status' | 'startedAt'>,
  action: StepAction,
  at: string,
  others: Array<Pick<RunbookStep, 'key' | 'section' | 'position' | 'status'>>,
): { status: StepStatus; startedAt: string | null; finishedAt: string | null } | FieldProblem {
  if (FINAL.includes(step.status))
    return { field: '/action', reason: `${step.key} is already ${step.status}` };
  if (step.startedAt && at < step.startedAt)
    return {
      field: '/at',
      reason: `${step.key} started at ${step.startedAt}; it cannot be marked before that`,
    };
  if (action === 'start' || (action === 'complete' && step.status === 'pending')) {
    // Deployment steps run in order, after every pre-check; the other sections are
    // checklists whose items may run in any order.
    if (step.section === 'step') {
      const blocking = others.find(
        (o) =>
          !FINAL.includes(o.status) &&
          (o.section === 'pre-check' || (o.section === 'step' && o.position < step.position)),
      );
      if (blocking)
        return {
          field: '/action',
          reason: `${step.key} cannot start before ${blocking.key} is done or skipped (it is ${blocking.status})`,
        };
    }
  }
  switch (action) {
    case 'start':
      if (step.status === 'in-progress')
        return { field: '/action', reason: `${step.key} is already in progress` };
      return { status: 'in-progress', startedAt: at, finishedAt: null };
    case 'complete':
      return { status: 'done', startedAt: step.startedAt ?? at, finishedAt: at };
    case 'fail':
      if (step.status !== 'in-progress')
        return { field: '/action', reason: `${step.key} has not started, so it cannot fail` };
      return { status: 'failed', startedAt: step.startedAt, finishedAt: at };
    case 'skip':
      return { status: 'skipped', startedAt: step.startedAt, finishedAt: at };
  }
}

export function durationMs(startedAt: string | null, finishedAt: string | null): number | null {
  return startedAt && finishedAt ? Date.parse(finishedAt) - Date.parse(startedAt) : null;
}

/** Where the time went: the total span, time in steps per section, and waiting between. */
export function runbookTimings(steps: RunbookStep[]): RunbookTimings {
  const bySectionMs = { 'pre-check': 0, step: 0, validation: 0, rollback: 0 };
  const timed = steps.filter((s) => s.durationMs !== null && s.status !== 'skipped');
  for (const s of timed) bySectionMs[s.section] += s.durationMs!;
  const starts = steps.map((s) => s.startedAt).filter((v): v is string => v !== null);
  const ends = steps.map((s) => s.finishedAt).filter((v): v is string => v !== null);
  const first = starts.sort()[0];
  const last = ends.sort().at(-1);
  const totalMs = first && last && last >= first ? Date.parse(last) - Date.parse(first) : null;
  // Waiting is the span not covered by any step (overlapping steps count once).
  let covered = 0;
  let reach = -Infinity;
  for (const s of [...timed].sort((a, b) => a.startedAt!.localeCompare(b.startedAt!))) {
    const start = Date.parse(s.startedAt!);
    const end = Date.parse(s.finishedAt!);
    if (end <= reach) continue;
    covered += end - Math.max(start, reach);
    reach = end;
  }
  return {
    totalMs,
    bySectionMs,
    waitingMs: totalMs === null ? null : Math.max(0, totalMs - covered),
    longest: timed
      .map((s) => ({
        key: s.key,
        title: s.title,
        durationMs: s.durationMs!,
        share: totalMs ? Math.round((s.durationMs! / totalMs) * 1000) / 1000 : 0,
      }))
      .sort((a, b) => b.durationMs - a.durationMs || a.key.localeCompare(b.key)),
  };
}
