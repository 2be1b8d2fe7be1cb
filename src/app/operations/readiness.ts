/**
 * Whether this process can serve: the store answers, and its schema is the one this
 * build expects. A load balancer stops sending traffic to a replica that is not ready
 * (a store that went away, a replica started before `gatehouse migrate` ran).
 */
import { sql } from 'kysely';
import { pendingMigrations } from '../../store/migrate.js';
import type { App } from '../context.js';

export type Readiness =
  | { ready: true }
  | { ready: false; reason: 'store-unavailable' | 'migrations-pending'; detail: string };

/** A store that does not answer within this is as good as down for a probe. */
export const READINESS_TIMEOUT_MS = 2_000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function checkReadiness(app: App): Promise<Readiness> {
  let pending: string[];
  try {
    pending = await withTimeout(
      (async () => {
        await sql`select 1`.execute(app.store.reader);
        return pendingMigrations(app.store.reader);
      })(),
      READINESS_TIMEOUT_MS,
    );
  } catch (error) {
    return {
      ready: false,
      reason: 'store-unavailable',
      detail: `the store at ${app.store.location} does not answer: ${(error as Error).message}`,
    };
  }
  if (pending.length > 0)
    return {
      ready: false,
      reason: 'migrations-pending',
      detail: `the store has not run ${pending.length} migration(s) this build needs: ${pending.join(', ')}; run gatehouse migrate`,
    };
  return { ready: true };
}

/** How many entries the audit chain holds (its head sequence; 0 when empty). */
export async function auditChainLength(app: App): Promise<number> {
  const row = await app.store.reader
    .selectFrom('audit_log')
    .select((eb) => eb.fn.max('seq').as('head'))
    .executeTakeFirst();
  return Number(row?.head ?? 0);
}
