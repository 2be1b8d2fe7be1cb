/**
 * The scheduled work a Gatehouse process runs, registered in one place. Add a job with
 * one `registerJob` line: a name (its lease row), an interval, and what it runs.
 */
import type { NotificationJobSettings } from '../../domain/notification/delivery.js';
import { deliverNotifications } from '../notifications/deliverNotifications.js';
import { dispatchNotifications } from '../notifications/dispatchNotifications.js';
import { sweepOverdueApprovals } from '../approvals/escalateOverdueApprovals.js';
import { execute, SYSTEM_ACTOR } from '../context.js';
import { checkHypercareWatches } from '../hypercare/checkHypercareWatches.js';
import { announceOverdueActionItems } from '../reviews/announceOverdueActionItems.js';
import type { JobScheduler } from './jobScheduler.js';
import { dispatchItsm } from '../itsm/dispatchItsm.js';
import { DEFAULT_ITSM_SETTINGS, syncItsm, type ItsmSyncSettings } from '../itsm/syncItsm.js';

export const NOTIFICATION_JOB = 'notifications.dispatch';
export const ESCALATION_JOB = 'approvals.escalate';
export const HYPERCARE_JOB = 'hypercare.check';
export const OVERDUE_ACTION_ITEMS_JOB = 'reviews.action-items.overdue';
export const ITSM_JOB = 'itsm.sync';

/** Overdue action items announced per transaction by their job. */
const NOTICES_PER_TRANSACTION = 5;

export function registerStandardJobs(
  scheduler: JobScheduler,
  settings: {
    notifications: NotificationJobSettings;
    itsm?: Partial<ItsmSyncSettings> & { intervalMs?: number };
    /** Sweep intervals (tests and small installations shorten them). */
    sweeps?: { escalationMs?: number; hypercareMs?: number; actionItemsMs?: number };
  },
): void {
  const n = settings.notifications;
  scheduler.registerJob(
    NOTIFICATION_JOB,
    n.intervalMs,
    async (app) => {
      await dispatchNotifications(app, { source: n.source });
      await deliverNotifications(app, n);
    },
    // A run may wait out a few attempt timeouts; the lease outlasts it.
    { leaseMs: n.leaseMs ?? Math.max(30_000, n.intervalMs * 3, n.attemptTimeoutMs * 4) },
  );
  // Idempotent sweeps: an escalation level is recorded once, whichever replica runs it.
  scheduler.registerJob(ESCALATION_JOB, settings.sweeps?.escalationMs ?? 60_000, async (app) => {
    await sweepOverdueApprovals(app, SYSTEM_ACTOR);
  });
  // Pulls from Prometheus: a lease long enough for its timeouts.
  scheduler.registerJob(
    HYPERCARE_JOB,
    settings.sweeps?.hypercareMs ?? 5 * 60_000,
    async (app) => {
      await checkHypercareWatches(app, SYSTEM_ACTOR);
    },
    { leaseMs: 2 * 60_000 },
  );
  // Idempotent sweep: each action item is announced overdue once per due date.
  scheduler.registerJob(
    OVERDUE_ACTION_ITEMS_JOB,
    settings.sweeps?.actionItemsMs ?? 5 * 60_000,
    async (app) => {
      // A few notices per transaction, until none is left (see announceOverdueActionItems).
      let announced;
      do {
        announced = await execute(app, SYSTEM_ACTOR, (ctx) =>
          announceOverdueActionItems(ctx, NOTICES_PER_TRANSACTION),
        );
      } while (announced.length === NOTICES_PER_TRANSACTION);
    },
  );
  // ITSM change records: from the audit log to ServiceNow / Jira, off the release's path.
  const itsm = { ...DEFAULT_ITSM_SETTINGS, ...settings.itsm };
  scheduler.registerJob(
    ITSM_JOB,
    settings.itsm?.intervalMs ?? 5_000,
    async (app) => {
      await dispatchItsm(app);
      await syncItsm(app, itsm);
    },
    { leaseMs: Math.max(30_000, itsm.timeoutMs * 6) },
  );
}
