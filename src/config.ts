/** Process configuration from flags and environment, with the embedded defaults. */
import { join, resolve } from 'node:path';
import type { NotificationJobSettings } from './domain/notification/delivery.js';

export interface ServeConfig {
  dataDir: string;
  databaseUrl: string;
  host: string;
  port: number;
  demo: boolean;
  logLevel: string;
  /** Prometheus base URL canary analyses pull from; none when absent. */
  prometheusUrl?: string;
  /** Path of the Sigstore trusted root (trusted_root.json) bundles are verified against. */
  sigstoreTrustedRoot?: string;
  /** Base URL of an OFREP flag service feature-flag rollouts are read from. */
  flagsOfrepUrl?: string;
  /** Run scheduled jobs (notification dispatch…) in this process; off unless asked for. */
  scheduler?: boolean;
  notifications?: Partial<NotificationJobSettings>;
  /** Serve /metrics without a token (GATEHOUSE_METRICS_PUBLIC=true; ADR 1900-1). */
  metricsPublic?: boolean;
  /** How long a stopping process lets in-flight requests finish (default 10 s). */
  shutdownTimeoutMs?: number;
  http?: HttpSettings;
}

/** `GATEHOUSE_METRICS_PUBLIC=true` serves /metrics to anyone who can reach the port. */
export function metricsPublic(env = process.env): boolean {
  return /^(on|true|1|yes)$/i.test(env.GATEHOUSE_METRICS_PUBLIC ?? '');
}

/** The HTTP server's protections that an operator tunes (ADR 2000-1). */
export interface HttpSettings {
  /** Requests per minute per token (per address when anonymous); 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Send Strict-Transport-Security: set when Gatehouse is only reached over HTTPS. */
  hsts?: boolean;
  /**
   * Milliseconds. Behind a load balancer, keep-alive must outlast the balancer's own idle
   * time-out, or it may send a request on a connection the server is closing.
   */
  timeouts?: { requestMs?: number; idleMs?: number; keepAliveMs?: number };
}

/**
 * `GATEHOUSE_RATE_LIMIT` (per minute, 0 = off), `GATEHOUSE_HSTS` (on/off),
 * `GATEHOUSE_REQUEST_TIMEOUT_MS`, `GATEHOUSE_IDLE_TIMEOUT_MS` and
 * `GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS`; unset keeps the defaults.
 */
export function httpSettingsFromEnv(env = process.env): HttpSettings {
  const settings: HttpSettings = {};
  const { rate } = wholeNumbersFromEnv(env, { GATEHOUSE_RATE_LIMIT: 'rate' }, 0);
  if (rate !== undefined) settings.rateLimitPerMinute = rate;
  const hsts = env.GATEHOUSE_HSTS;
  if (hsts !== undefined && hsts !== '') {
    if (!/^(on|true|1|yes|off|false|0|no)$/i.test(hsts))
      throw new Error(`GATEHOUSE_HSTS must be on or off (got '${hsts}')`);
    settings.hsts = /^(on|true|1|yes)$/i.test(hsts);
  }
  const timeouts = wholeNumbersFromEnv(
    env,
    {
      GATEHOUSE_REQUEST_TIMEOUT_MS: 'requestMs',
      GATEHOUSE_IDLE_TIMEOUT_MS: 'idleMs',
      GATEHOUSE_KEEP_ALIVE_TIMEOUT_MS: 'keepAliveMs',
    },
    100,
  );
  if (Object.keys(timeouts).length > 0) settings.timeouts = timeouts;
  return settings;
}

export function defaultDataDir(): string {
  return resolve(process.env.GATEHOUSE_DATA_DIR ?? 'data');
}

export function databaseUrlFor(dataDir: string, explicit?: string): string {
  return explicit ?? process.env.DATABASE_URL ?? `sqlite:${join(dataDir, 'gatehouse.db')}`;
}

export function adminTokenPath(dataDir: string): string {
  return join(dataDir, 'admin-token');
}

/** `GATEHOUSE_SCHEDULER=off` (or `--no-scheduler`) keeps a process from running scheduled jobs. */
export function schedulerEnabled(flag: boolean, env = process.env): boolean {
  return flag && !/^(off|false|0|no)$/i.test(env.GATEHOUSE_SCHEDULER ?? '');
}

/** Outbound-webhook tuning from the environment; unset values keep their defaults. */
export function notificationSettingsFromEnv(env = process.env): Partial<NotificationJobSettings> {
  const settings: Partial<NotificationJobSettings> = {};
  const numbers = {
    GATEHOUSE_NOTIFY_INTERVAL_MS: 'intervalMs',
    GATEHOUSE_WEBHOOK_TIMEOUT_MS: 'attemptTimeoutMs',
    GATEHOUSE_WEBHOOK_MAX_ATTEMPTS: 'maxAttempts',
    GATEHOUSE_WEBHOOK_BACKOFF_MS: 'backoffBaseMs',
    GATEHOUSE_WEBHOOK_BACKOFF_MAX_MS: 'backoffMaxMs',
    GATEHOUSE_NOTIFY_LEASE_MS: 'leaseMs',
  } as const;
  for (const [name, key] of Object.entries(numbers)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`${name} must be a positive whole number (got '${raw}')`);
    settings[key] = value;
  }
  if (env.GATEHOUSE_EVENT_SOURCE) settings.source = env.GATEHOUSE_EVENT_SOURCE;
  return settings;
}

/** Settings read from variables holding whole numbers of at least `min`; unset ones are left out. */
function wholeNumbersFromEnv<K extends string>(
  env: NodeJS.ProcessEnv,
  names: Record<string, K>,
  min = 1,
): Partial<Record<K, number>> {
  const settings: Partial<Record<K, number>> = {};
  for (const [name, key] of Object.entries(names)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(
        `${name} must be ${min === 1 ? 'a positive whole number' : `a whole number of at least ${min}`} (got '${raw}')`,
      );
    settings[key] = value;
  }
  return settings;
}

/** ITSM sync tuning (issue 10, point 1) from the environment; unset values keep their defaults. */
export function itsmSettingsFromEnv(env = process.env): {
  intervalMs?: number;
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
} {
  return wholeNumbersFromEnv(env, {
    GATEHOUSE_ITSM_INTERVAL_MS: 'intervalMs',
    GATEHOUSE_ITSM_TIMEOUT_MS: 'timeoutMs',
    GATEHOUSE_ITSM_BACKOFF_MS: 'backoffBaseMs',
    GATEHOUSE_ITSM_BACKOFF_MAX_MS: 'backoffMaxMs',
  });
}

/** How often the sweeps run (escalations, hypercare checks, overdue action items); unset keeps the defaults. */
export interface SweepIntervals {
  escalationMs?: number;
  hypercareMs?: number;
  actionItemsMs?: number;
}

export function sweepIntervalsFromEnv(env = process.env): SweepIntervals {
  return wholeNumbersFromEnv(env, {
    GATEHOUSE_ESCALATION_INTERVAL_MS: 'escalationMs',
    GATEHOUSE_HYPERCARE_INTERVAL_MS: 'hypercareMs',
    GATEHOUSE_ACTION_ITEMS_INTERVAL_MS: 'actionItemsMs',
  });
}
