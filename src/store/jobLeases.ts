/**
 * Leases for scheduled work: one row per job name. Taking a lease is one conditional
 * UPDATE ("mine already, or expired"), which both engines apply atomically — PostgreSQL
 * re-checks the WHERE after waiting for a concurrent writer's row lock, SQLite has one
 * writer — so of two replicas asking at once exactly one gets it.
 */
import type { Store, Tx } from './database.js';

export async function acquireLease(
  store: Store,
  input: { name: string; holder: string; now: Date; leaseMs: number },
): Promise<boolean> {
  return store.write((tx) => takeLease(tx, input, false));
}

/**
 * Takes or renews the lease and, when it is ours, counts the run as started — in one
 * transaction: every commit is a durable write (an fsync on SQLite) that also makes
 * remembered reads stale, and a job ticks every few seconds on every replica.
 */
export async function startRun(
  store: Store,
  input: { name: string; holder: string; now: Date; leaseMs: number },
): Promise<boolean> {
  return store.write((tx) => takeLease(tx, input, true));
}

async function takeLease(
  tx: Tx,
  input: { name: string; holder: string; now: Date; leaseMs: number },
  countRun: boolean,
): Promise<boolean> {
  const now = input.now.toISOString();
  const until = new Date(input.now.getTime() + input.leaseMs).toISOString();
  await tx
    .insertInto('job_leases')
    .values({ name: input.name, holder: null, lease_until: now, runs: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const taken = await tx
    .updateTable('job_leases')
    .set((eb) => ({
      holder: input.holder,
      lease_until: until,
      ...(countRun ? { last_started_at: now, runs: eb('runs', '+', 1) } : {}),
    }))
    .where('name', '=', input.name)
    .where((eb) => eb.or([eb('holder', '=', input.holder), eb('lease_until', '<=', now)]))
    .executeTakeFirst();
  return Number(taken.numUpdatedRows) === 1;
}

export async function recordJobEnd(
  store: Store,
  input: { name: string; holder: string; at: Date; error: string | null },
): Promise<void> {
  await store.write((tx) =>
    tx
      .updateTable('job_leases')
      .set({ last_finished_at: input.at.toISOString(), last_error: input.error })
      .where('name', '=', input.name)
      .where('holder', '=', input.holder)
      .execute(),
  );
}

/** Gives the lease up at once (a clean shutdown), so another replica need not wait it out. */
export async function releaseLease(
  store: Store,
  input: { name: string; holder: string; now: Date },
): Promise<void> {
  await store.write((tx) =>
    tx
      .updateTable('job_leases')
      .set({ holder: null, lease_until: input.now.toISOString() })
      .where('name', '=', input.name)
      .where('holder', '=', input.holder)
      .execute(),
  );
}

export interface JobLeaseView {
  name: string;
  holder: string | null;
  leaseUntil: string;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastError: string | null;
  runs: number;
}

export async function listLeases(store: Store): Promise<JobLeaseView[]> {
  const rows = await store.read((tx) =>
    tx.selectFrom('job_leases').selectAll().orderBy('name').execute(),
  );
  return rows.map((r) => ({
    name: r.name,
    holder: r.holder,
    leaseUntil: r.lease_until,
    lastStartedAt: r.last_started_at,
    lastFinishedAt: r.last_finished_at,
    lastError: r.last_error,
    runs: Number(r.runs),
  }));
}
