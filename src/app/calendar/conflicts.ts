/** `GET /calendar/conflicts`: what clashes among planned releases in a period. */
import { detectConflicts, type Conflict } from '../../domain/calendar/conflicts.js';
import { invalid } from '../../domain/errors.js';
import { listFreezeExceptions, listWindows, plannedReleases } from '../../store/calendar.js';
import { dependencyEdges, listEnvironments, listServices } from '../../store/catalog.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface ConflictQuery {
  from?: string;
  to?: string;
  /** Only conflicts this release is part of. */
  release?: string;
}

const DAY = 86_400_000;
/** A quarter ahead by default: the horizon release planning usually looks at. */
const DEFAULT_HORIZON_DAYS = 92;

function instant(field: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalid(field, `'${value}' is not an ISO 8601 date-time`);
  return parsed;
}

export async function listConflicts(
  ctx: Ctx,
  input: ConflictQuery = {},
): Promise<{ from: string; to: string; releases: number; conflicts: Conflict[] }> {
  authorize(ctx.actor, 'release:read');
  const from = instant('from', input.from, ctx.now.getTime());
  const to = instant('to', input.to, from + DEFAULT_HORIZON_DAYS * DAY);
  if (to <= from) throw invalid('to', 'must be after from');
  if (to - from > 3 * 366 * DAY) throw invalid('to', 'at most three years after from');
  const range = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
  const [releases, windows, edges, services, environments, exceptions] = await Promise.all([
    plannedReleases(ctx.tx, range),
    listWindows(ctx.tx),
    dependencyEdges(ctx.tx),
    listServices(ctx.tx),
    listEnvironments(ctx.tx),
    listFreezeExceptions(ctx.tx),
  ]);
  const wanted = input.release?.toUpperCase();
  if (wanted && !releases.some((r) => r.key === wanted))
    throw invalid('release', `release '${input.release}' has no planned window in this period`);
  const conflicts = detectConflicts({
    releases: releases.map((r) => ({
      key: r.key,
      services: r.services,
      environment: r.environment,
      changeType: r.changeType,
      start: Date.parse(r.start),
      end: Date.parse(r.end),
    })),
    windows,
    edges,
    services: new Map(services.map((s) => [s.name, { tier: s.tier }])),
    environments: new Map(
      environments.map((e) => [e.name, { capacity: e.capacity, regions: e.regions }]),
    ),
    exceptions,
  });
  return {
    ...range,
    releases: releases.length,
    conflicts: wanted ? conflicts.filter((c) => c.releases.includes(wanted)) : conflicts,
  };
}
