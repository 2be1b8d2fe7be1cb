/**
 * The scheduled work a Gatehouse process runs, registered in one place. Add a job with
 * one `registerJob` line: a name (its lease row), an interval, and what it runs.
 */
import {
  DEFAULT_DELIVERY_SETTINGS,
  type DeliverySettings,
} from '../../domain/notification/delivery.js';
import { deliverNotifications } from '../notifications/deliverNotifications.js';
import { dispatchNotifications } from '../notifications/dispatchNotifications.js';
import type { JobScheduler } from './jobScheduler.js';

export interface NotificationJobSettings extends DeliverySettings {
  /** How often the dispatcher looks for new audit entries and due deliveries. */
  intervalMs: number;
  /** The CloudEvents `source` of every event this installation sends. */
  source: string;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationJobSettings = {
  ...DEFAULT_DELIVERY_SETTINGS,
  intervalMs: 2_000,
  source: 'urn:gatehouse',
};

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
    { leaseMs: Math.max(30_000, n.intervalMs * 3, n.attemptTimeoutMs * 4) },
  );
}
