/**
 * The scheduled work a Gatehouse process runs, registered in one place. Add a job with
 * one `registerJob` line: a name (its lease row), an interval, and what it runs.
 */
import type { NotificationJobSettings } from '../../domain/notification/delivery.js';
import { deliverNotifications } from '../notifications/deliverNotifications.js';
import { dispatchNotifications } from '../notifications/dispatchNotifications.js';
import type { JobScheduler } from './jobScheduler.js';

export const NOTIFICATION_JOB = 'notifications.dispatch';

export function registerStandardJobs(
  scheduler: JobScheduler,
  settings: { notifications: NotificationJobSettings },
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
}
