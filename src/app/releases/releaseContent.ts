/**
 * Checks that go beyond the schema for a release's content (services exist, window is
 * ordered, team exists) and resolves names to ids. Shared by create and update.
 */
import { GatehouseError, type FieldProblem } from '../../domain/errors.js';
import type { PlannedWindow, ReleaseServiceInput } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';

export async function resolveServices(
  tx: Tx,
  services: ReleaseServiceInput[],
  problems: FieldProblem[],
): Promise<Map<string, string>> {
  const names = services.map((s) => s.service);
  const rows = names.length
    ? await tx.selectFrom('services').select(['id', 'name']).where('name', 'in', names).execute()
    : [];
  const ids = new Map(rows.map((r) => [r.name, r.id]));
  services.forEach((s, i) => {
    if (!ids.has(s.service))
      problems.push({
        field: `/services/${i}/service`,
        reason: `service '${s.service}' does not exist in the catalog`,
      });
    if (names.indexOf(s.service) !== i)
      problems.push({
        field: `/services/${i}/service`,
        reason: `service '${s.service}' is listed twice`,
      });
  });
  return ids;
}

export function checkWindow(
  window: PlannedWindow | null | undefined,
  problems: FieldProblem[],
): void {
  if (!window) return;
  if (Date.parse(window.end) <= Date.parse(window.start)) {
    problems.push({
      field: '/plannedWindow/end',
      reason: `the window must end after it starts (${window.start})`,
    });
  }
}

export async function checkWindowEnvironment(
  tx: Tx,
  window: PlannedWindow | null | undefined,
  problems: FieldProblem[],
): Promise<void> {
  if (!window?.environment) return;
  const row = await tx
    .selectFrom('environments')
    .select('id')
    .where('name', '=', window.environment)
    .executeTakeFirst();
  if (!row)
    problems.push({
      field: '/plannedWindow/environment',
      reason: `environment '${window.environment}' does not exist in the catalog`,
    });
}

export async function resolveTeam(
  tx: Tx,
  team: string | undefined,
  problems: FieldProblem[],
): Promise<string | null> {
  if (!team) return null;
  const row = await tx.selectFrom('teams').select('id').where('name', '=', team).executeTakeFirst();
  if (!row) problems.push({ field: '/team', reason: `team '${team}' does not exist` });
  return row?.id ?? null;
}

export function throwIfProblems(problems: FieldProblem[], code = 'invalid-release'): void {
  if (problems.length === 0) return;
  const first = problems[0]!;
  throw new GatehouseError(
    'invalid',
    code,
    `${first.field}: ${first.reason}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    {
      field: first.field,
      problems,
    },
  );
}

/** Instants are stored in UTC whatever offset they arrived with. */
export function toUtc(instant: string): string {
  return new Date(instant).toISOString();
}
