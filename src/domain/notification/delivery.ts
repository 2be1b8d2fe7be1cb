/**
 * How an event leaves: which subscriptions want it (event-type globs), what body each
 * format sends, how the body is signed, and how long to wait before the next attempt.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { minimatch } from 'minimatch';
import type { GatehouseEvent } from './events.js';

export const SUBSCRIPTION_FORMATS = ['cloudevents', 'slack'] as const;
export type SubscriptionFormat = (typeof SUBSCRIPTION_FORMATS)[number];

export const SIGNATURE_HEADER = 'x-gatehouse-signature-256';
export const TIMESTAMP_HEADER = 'x-gatehouse-timestamp';
export const DELIVERY_HEADER = 'x-gatehouse-delivery';

/**
 * Event types are dotted names, not paths, so `*` matches across dots:
 * `dev.gatehouse.release.*` and `*.rollout.decided` both work as a person expects.
 */
export function wantsEventType(eventType: string, globs: readonly string[]): boolean {
  return globs.some((glob) => minimatch(eventType, glob, { nocomment: true, nonegate: true }));
}

/** The body a subscription of this format receives. */
export function renderBody(event: GatehouseEvent, format: SubscriptionFormat): string {
  if (format === 'cloudevents') return JSON.stringify(event);
  return JSON.stringify(slackMessage(event));
}

export function contentTypeOf(format: SubscriptionFormat): string {
  // Structured-mode CloudEvents announce themselves by media type (CloudEvents HTTP binding).
  return format === 'cloudevents'
    ? 'application/cloudevents+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

/** A Slack incoming-webhook message: `text` for notifications, `blocks` for the channel. */
export function slackMessage(event: GatehouseEvent): { text: string; blocks: unknown[] } {
  const escape = (s: string) =>
    s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const summary = escape(event.data.summary);
  return {
    text: summary,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: summary } },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: escape(
              `${event.type} · ${event.subject ?? event.data.subjectId} · ${event.time} · by ${event.data.actor}`,
            ),
          },
        ],
      },
    ],
  };
}

/** What is signed: the timestamp, a dot, and the exact body bytes. */
export function signedContent(timestamp: string, body: string): string {
  return `${timestamp}.${body}`;
}

export function signature(secret: string, timestamp: string, body: string): string {
  return (
    'sha256=' + createHmac('sha256', secret).update(signedContent(timestamp, body)).digest('hex')
  );
}

/**
 * What a receiver does (and what our tests do): recompute, compare in constant time, and
 * refuse a timestamp too far from its own clock so a captured request cannot be replayed.
 */
export function verifySignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): boolean {
  if (!input.timestamp || !input.signature || !/^\d+$/.test(input.timestamp)) return false;
  if (Math.abs(input.nowSeconds - Number(input.timestamp)) > (input.toleranceSeconds ?? 300))
    return false;
  const expected = Buffer.from(signature(input.secret, input.timestamp, input.body));
  const given = Buffer.from(input.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export interface DeliverySettings {
  /** Per attempt: connect, send and read the answer. */
  attemptTimeoutMs: number;
  /** Attempts before a delivery is given up as failed (a redeliver starts a new round). */
  maxAttempts: number;
  /** Delay after the first failure; doubles each attempt. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  attemptTimeoutMs: 10_000,
  maxAttempts: 8,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
};

/** The dispatcher job's settings: delivery tuning plus its rhythm and event source. */
export interface NotificationJobSettings extends DeliverySettings {
  /** How often the dispatcher looks for new audit entries and due deliveries. */
  intervalMs: number;
  /** The CloudEvents `source` of every event this installation sends. */
  source: string;
  /** How long the dispatcher's job lease lasts unrenewed; by default derived from the above. */
  leaseMs?: number;
}

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationJobSettings = {
  ...DEFAULT_DELIVERY_SETTINGS,
  intervalMs: 2_000,
  source: 'urn:gatehouse',
};

/**
 * Exponential backoff with "equal jitter": after failed attempt n the wait is drawn
 * from [d/2, d] with d = base·2^(n-1) (capped). Jitter spreads receivers' recoveries;
 * keeping the lower half means waits still grow attempt by attempt.
 */
export function backoffDelayMs(
  failedAttempt: number,
  settings: Pick<DeliverySettings, 'backoffBaseMs' | 'backoffMaxMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    settings.backoffMaxMs,
    settings.backoffBaseMs * 2 ** Math.max(0, failedAttempt - 1),
  );
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** 2xx is delivered; anything else, a timeout or a refused connection is retried. */
export function isDelivered(statusCode: number | null): boolean {
  return statusCode !== null && statusCode >= 200 && statusCode < 300;
}
