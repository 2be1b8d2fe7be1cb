/**
 * Brings the stored day aggregates of a range up to date before a metrics read (ADR
 * 2300-1), so the read itself sums stored rows. Not a state change of the release
 * record: it rewrites a cache the triggers keep honest, so it appends nothing to the
 * audit log. Reads stay exact without it (they compute unstored days live).
 */
import { checkRange, type Dimension } from '../../domain/metrics/range.js';
import {
  metricDaysStale,
  refreshMetricDays as refreshDays,
  wholeDays,
} from '../../store/metricDays.js';
import { authorize } from '../authorize.js';
import type { Actor, App } from '../context.js';

/**
 * Days per write transaction: on SQLite a refresh holds the only writer, so a year
 * computed after a bulk import is done a month at a time, letting writes in between.
 */
export const DAYS_PER_REFRESH = 31;

export async function refreshMetricDays(
  app: App,
  actor: Actor,
  input: { since?: string; until?: string; by?: Dimension },
): Promise<{ refreshed: number }> {
  authorize(actor, 'metrics:read');
  // A bad range is refused, naming its field, by the read that follows.
  const { range } = checkRange(input.since, input.until);
  const by = input.by ?? 'team';
  if (!range || !(await metricDaysStale(app.store.reader, range, by))) return { refreshed: 0 };
  let refreshed = 0;
  // Bounded: writes landing on the range all the while must not keep a request here (what
  // is still stale is computed live by the read).
  const steps = Math.ceil(wholeDays(range).length / DAYS_PER_REFRESH) + 2;
  for (let n = 0; n < steps; n++) {
    const step = await app.store.write((tx) =>
      refreshDays(tx, app.store.engine, range, by, DAYS_PER_REFRESH),
    );
    refreshed += step.refreshed;
    if (step.remaining === 0 || step.refreshed === 0) break;
  }
  return { refreshed };
}
