/** Defining, listing and removing calendar windows. */
import { randomUUID } from 'node:crypto';
import {
  occurrencesBetween,
  windowProblems,
  type CalendarWindow,
  type WindowInput,
  type WindowKind,
} from '../../domain/calendar/window.js';
import { conflict, invalid, notFound, type FieldProblem } from '../../domain/errors.js';
import { listWindows, loadWindow } from '../../store/calendar.js';
import { listEnvironments } from '../../store/catalog.js';
import type { Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { throwIfProblems } from '../releases/releaseContent.js';

/** Names in the window's scope must exist in the catalog, each problem naming its field. */
async function catalogProblems(tx: Tx, input: WindowInput): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  const environments = await listEnvironments(tx);
  const environmentNames = new Set(environments.map((e) => e.name));
  (input.environments ?? []).forEach((name, i) => {
    if (!environmentNames.has(name))
      problems.push({
        field: `/environments/${i}`,
        reason: `environment '${name}' does not exist`,
      });
  });
  const region = input.scope?.region;
  if (region && !environments.some((e) => e.regions.includes(region)))
    problems.push({ field: '/scope/region', reason: `no environment has the region '${region}'` });
  const services = input.scope?.services ?? [];
  if (services.length > 0) {
    const known = new Set(
      (await tx.selectFrom('services').select('name').where('name', 'in', services).execute()).map(
        (r) => r.name,
      ),
    );
    services.forEach((name, i) => {
      if (!known.has(name))
        problems.push({
          field: `/scope/services/${i}`,
          reason: `service '${name}' does not exist`,
        });
    });
  }
  return problems;
}

export async function createWindow(ctx: Ctx, input: WindowInput): Promise<CalendarWindow> {
  authorize(ctx.actor, 'calendar:write');
  const problems = [...windowProblems(input), ...(await catalogProblems(ctx.tx, input))];
  throwIfProblems(problems, 'invalid-window');
  if (await loadWindow(ctx.tx, input.name))
    throw conflict('window-exists', `a window named '${input.name}' already exists`, {
      name: input.name,
    });
  const now = ctx.now.toISOString();
  await ctx.tx
    .insertInto('calendar_windows')
    .values({
      id: randomUUID(),
      name: input.name,
      kind: input.kind,
      time_zone: input.timeZone,
      local_start: input.start,
      local_end: input.end,
      rrule: input.rrule ? input.rrule.replace(/^RRULE:/i, '').toUpperCase() : null,
      scope: JSON.stringify(input.scope ?? {}),
      environments: JSON.stringify(input.environments ?? []),
      capacity: input.capacity ?? null,
      description: input.description ?? '',
      created_by: ctx.actor.userId,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const window = (await loadWindow(ctx.tx, input.name))!;
  await recordAudit(ctx, {
    action: 'calendar.window-created',
    subjectType: 'calendar-window',
    subjectId: window.name,
    after: window,
  });
  return window;
}

export async function readWindows(
  ctx: Ctx,
  filter: { kind?: WindowKind } = {},
): Promise<CalendarWindow[]> {
  authorize(ctx.actor, 'release:read');
  return listWindows(ctx.tx, filter);
}

export async function deleteWindow(ctx: Ctx, name: string): Promise<void> {
  authorize(ctx.actor, 'calendar:write');
  const window = await loadWindow(ctx.tx, name);
  if (!window) throw notFound('window', name);
  const used = await ctx.tx
    .selectFrom('freeze_exceptions')
    .select('id')
    .where('window_id', '=', window.id)
    .executeTakeFirst();
  if (used)
    throw conflict(
      'window-has-exceptions',
      `freeze ${name} has emergency exceptions recorded against it; they are evidence, so it stays`,
    );
  await ctx.tx.deleteFrom('calendar_windows').where('id', '=', window.id).execute();
  await recordAudit(ctx, {
    action: 'calendar.window-deleted',
    subjectType: 'calendar-window',
    subjectId: name,
    before: window,
  });
}

/** Occurrences of one window in a period, as UTC instants; at most a year at a time. */
export async function readOccurrences(
  ctx: Ctx,
  name: string,
  range: { from: string; to: string },
): Promise<Array<{ start: string; end: string }>> {
  authorize(ctx.actor, 'release:read');
  const window = await loadWindow(ctx.tx, name);
  if (!window) throw notFound('window', name);
  const from = Date.parse(range.from);
  const to = Date.parse(range.to);
  if (to <= from) throw invalid('to', 'must be after from');
  if (to - from > 366 * 86_400_000) throw invalid('to', 'at most a year after from');
  return occurrencesBetween(window, from, to).map((o) => ({
    start: new Date(o.start).toISOString(),
    end: new Date(o.end).toISOString(),
  }));
}
