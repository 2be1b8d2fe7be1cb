/**
 * What every use case runs with: the transaction it must do all its work in, who is
 * acting, and the instant it happens at (injected so history can be replayed and tests
 * can hold the clock).
 */
import type { Role } from '../domain/access.js';
import type { Engine, Store, Tx } from '../store/database.js';
import type { MetricsSource } from './canary/metricsSource.js';
import type { SigstoreTrust } from '../integrations/sigstore.js';
import type { FlagReader } from '../integrations/feature-flags.js';

export interface Actor {
  userId: string;
  name: string;
  roles: Role[];
}

/** Gatehouse itself, for work nobody asked for (first-start set-up, scheduled jobs). */
export const SYSTEM_ACTOR: Actor = { userId: 'system', name: 'system', roles: ['admin'] };

export interface Ctx {
  tx: Tx;
  actor: Actor;
  now: Date;
  engine: Engine;
}

export interface App {
  store: Store;
  clock: () => Date;
  /** Where canary analyses pull metrics from (Prometheus), when the server has one. */
  metricsSource?: MetricsSource;
  /** The Sigstore trusted root evidence bundles are verified against, when configured. */
  sigstoreTrust?: SigstoreTrust;
  /** The feature-flag service rollouts read exposure from (OpenFeature), when configured. */
  flags?: FlagReader;
}

/** Runs one use case in one transaction: its reads, its writes and its audit entries. */
export function execute<T>(app: App, actor: Actor, command: (ctx: Ctx) => Promise<T>): Promise<T> {
  return app.store.write((tx) =>
    command({ tx, actor, now: app.clock(), engine: app.store.engine }),
  );
}

export function isoNow(ctx: Ctx): string {
  return ctx.now.toISOString();
}

/** Runs a read-only use case on one consistent snapshot of committed data. */
export function query<T>(app: App, actor: Actor, command: (ctx: Ctx) => Promise<T>): Promise<T> {
  return app.store.read((tx) => command({ tx, actor, now: app.clock(), engine: app.store.engine }));
}

/**
 * Independent reads of one use case, issued together: on PostgreSQL's read pool they run
 * side by side on several connections; in a transaction or on SQLite, one after another.
 * Unlike `Promise.all` it fails only once every read has ended, so no read outlives the
 * transaction it was given.
 */
export async function readTogether<T extends readonly unknown[] | []>(
  reads: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(reads);
  for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
  return settled.map((outcome) => (outcome as PromiseFulfilledResult<unknown>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
