import { notFound } from '../../domain/errors.js';
import {
  durationMs,
  runbookTimings,
  stepKey,
  RUNBOOK_SECTIONS,
  type RunbookInput,
  type RunbookSection,
  type RunbookStep,
  type RunbookTimings,
  type StepStatus,
} from '../../domain/runbook.js';
import type { Tx } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface Runbook {
  release: string;
  contacts: NonNullable<RunbookInput['contacts']>;
  revision: number;
  updatedAt: string;
  preChecks: RunbookStep[];
  steps: RunbookStep[];
  validation: RunbookStep[];
  rollback: RunbookStep[];
  timings: RunbookTimings;
}

export async function loadSteps(tx: Tx, releaseId: string): Promise<RunbookStep[]> {
  const rows = await tx
    .selectFrom('runbook_steps')
    .leftJoin('users', 'users.id', 'runbook_steps.marked_by')
    .select([
      'runbook_steps.section',
      'runbook_steps.position',
      'runbook_steps.title',
      'runbook_steps.description',
      'runbook_steps.owner',
      'runbook_steps.status',
      'runbook_steps.started_at',
      'runbook_steps.finished_at',
      'runbook_steps.note',
      'users.name as marked_by',
    ])
    .where('runbook_steps.release_id', '=', releaseId)
    .execute();
  const order = (s: string) => RUNBOOK_SECTIONS.indexOf(s as RunbookSection);
  return rows
    .sort((a, b) => order(a.section) - order(b.section) || a.position - b.position)
    .map((r) => ({
      key: stepKey(r.section as RunbookSection, r.position),
      section: r.section as RunbookSection,
      position: r.position,
      title: r.title,
      description: r.description,
      owner: r.owner,
      status: r.status as StepStatus,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
      durationMs: durationMs(r.started_at, r.finished_at),
      markedBy: r.marked_by ?? null,
      note: r.note,
    }));
}

export async function readRunbook(tx: Tx, releaseIdOrKey: string): Promise<Runbook> {
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const runbook = await tx
    .selectFrom('runbooks')
    .selectAll()
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  if (!runbook) throw notFound('runbook', release.key);
  const steps = await loadSteps(tx, release.id);
  const of = (section: RunbookSection) => steps.filter((s) => s.section === section);
  return {
    release: release.key,
    contacts: JSON.parse(runbook.contacts) as Runbook['contacts'],
    revision: Number(runbook.revision),
    updatedAt: runbook.updated_at,
    preChecks: of('pre-check'),
    steps: of('step'),
    validation: of('validation'),
    rollback: of('rollback'),
    timings: runbookTimings(steps),
  };
}

export async function getRunbook(ctx: Ctx, releaseIdOrKey: string): Promise<Runbook> {
  authorize(ctx.actor, 'release:read');
  return readRunbook(ctx.tx, releaseIdOrKey);
}
