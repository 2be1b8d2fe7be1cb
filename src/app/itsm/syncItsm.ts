/**
 * The sending half of the ITSM sync: claims due operations, calls ServiceNow or Jira
 * outside any transaction, then records the result. Operations on one release's change
 * go strictly in audit order: one waits while an earlier one for the same change is not
 * done. A 5xx, 408, 429 or no answer is retried after the server's Retry-After or an
 * exponential, jittered backoff; another 4xx is `failed` until someone fixes the
 * connection and retries it (`POST /itsm/operations/{id}/retry`).
 */
import { backoffDelayMs } from '../../domain/notification/delivery.js';
import { nextWaitMs, verdictOf, type ChangeOutcome } from '../../domain/itsm.js';
import type {
  CallResult,
  ChangeRef,
  ItsmClient,
  ItsmConnectionConfig,
} from '../../integrations/itsm/client.js';
import { jiraClient } from '../../integrations/itsm/jira.js';
import { serviceNowClient } from '../../integrations/itsm/servicenow.js';
import { recordAudit } from '../audit/recordAudit.js';
import { SYSTEM_ACTOR, execute, type App } from '../context.js';
import { connectionConfig } from './connections.js';
import type { ItsmPayload } from './dispatchItsm.js';

export interface ItsmSyncSettings {
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  batch: number;
}

export const DEFAULT_ITSM_SETTINGS: ItsmSyncSettings = {
  timeoutMs: 10_000,
  backoffBaseMs: 30_000,
  backoffMaxMs: 3_600_000,
  batch: 50,
};

export interface ItsmSyncResult {
  attempted: number;
  done: number;
  retrying: number;
  failed: number;
}

interface Claimed {
  id: string;
  connectionId: string;
  releaseKey: string;
  kind: 'open' | 'update' | 'close';
  payload: ItsmPayload;
  attempts: number;
  config: ItsmConnectionConfig;
  change: ChangeRef | null;
}

export function clientFor(config: ItsmConnectionConfig, timeoutMs: number): ItsmClient {
  return config.kind === 'jira'
    ? jiraClient(config, timeoutMs)
    : serviceNowClient(config, timeoutMs);
}

async function claimDue(app: App, settings: ItsmSyncSettings): Promise<Claimed[]> {
  return execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now.toISOString();
    const until = new Date(ctx.now.getTime() + settings.timeoutMs * 3 + 5_000).toISOString();
    const due = await ctx.tx
      .selectFrom('itsm_operations as o')
      .innerJoin('itsm_connections as c', 'c.id', 'o.connection_id')
      .selectAll('c')
      .select([
        'o.id as op_id',
        'o.release_key',
        'o.kind as op_kind',
        'o.payload',
        'o.attempts',
        'o.audit_seq',
      ])
      .where('o.status', '=', 'pending')
      .where('o.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('o.claimed_until', 'is', null), eb('o.claimed_until', '<', now)]))
      .where('c.active', '=', 1)
      // Strict order per change: nothing earlier for the same change is still undone.
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('itsm_operations as e')
              .select('e.id')
              .whereRef('e.connection_id', '=', 'o.connection_id')
              .whereRef('e.release_key', '=', 'o.release_key')
              .whereRef('e.audit_seq', '<', 'o.audit_seq')
              .where('e.status', '!=', 'done'),
          ),
        ),
      )
      .orderBy('o.audit_seq')
      .limit(settings.batch)
      .execute();
    const claimed: Claimed[] = [];
    for (const row of due) {
      const taken = await ctx.tx
        .updateTable('itsm_operations')
        .set({ claimed_until: until })
        .where('id', '=', row.op_id)
        .where('status', '=', 'pending')
        .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) !== 1) continue;
      const change = await ctx.tx
        .selectFrom('itsm_changes')
        .select(['external_id', 'number', 'url'])
        .where('connection_id', '=', row.id)
        .where('release_key', '=', row.release_key)
        .executeTakeFirst();
      claimed.push({
        id: row.op_id,
        connectionId: row.id,
        releaseKey: row.release_key,
        kind: row.op_kind as Claimed['kind'],
        payload: JSON.parse(row.payload) as ItsmPayload,
        attempts: Number(row.attempts),
        config: connectionConfig(row),
        change: change
          ? { externalId: change.external_id, number: change.number, url: change.url }
          : null,
      });
    }
    return claimed;
  });
}

async function call(op: Claimed, client: ItsmClient): Promise<CallResult<ChangeRef | null>> {
  if (op.kind === 'open')
    return client.open({
      releaseKey: op.releaseKey,
      title: op.payload.title ?? op.releaseKey,
      description: op.payload.description ?? '',
      note: op.payload.note,
    });
  if (!op.change)
    return {
      ok: false,
      statusCode: 409,
      retryAfter: null,
      error: `no change is open for ${op.releaseKey}`,
    };
  return op.kind === 'close'
    ? client.close(
        op.change,
        (op.payload.outcome ?? 'successful') as ChangeOutcome,
        op.payload.note,
      )
    : client.update(op.change, op.payload.note);
}

async function record(
  app: App,
  op: Claimed,
  result: CallResult<ChangeRef | null>,
  settings: ItsmSyncSettings,
  random: () => number,
): Promise<'done' | 'retrying' | 'failed'> {
  return execute(app, SYSTEM_ACTOR, async (ctx) => {
    const now = ctx.now.toISOString();
    const attempts = op.attempts + 1;
    if (result.ok) {
      await ctx.tx
        .updateTable('itsm_operations')
        .set({
          status: 'done',
          attempts,
          claimed_until: null,
          last_status_code: null,
          last_error: null,
          updated_at: now,
          done_at: now,
        })
        .where('id', '=', op.id)
        .execute();
      if (op.kind === 'open' && result.value) {
        const ref = result.value;
        await ctx.tx
          .deleteFrom('itsm_changes')
          .where('connection_id', '=', op.connectionId)
          .where('release_key', '=', op.releaseKey)
          .execute();
        await ctx.tx
          .insertInto('itsm_changes')
          .values({
            connection_id: op.connectionId,
            release_key: op.releaseKey,
            external_id: ref.externalId,
            number: ref.number,
            url: ref.url,
            state: 'open',
            outcome: null,
            opened_at: now,
            synced_at: now,
          })
          .execute();
        await recordAudit(ctx, {
          action: 'itsm.change.opened',
          subjectType: 'release',
          subjectId: op.releaseKey,
          after: {
            kind: op.config.kind,
            number: ref.number,
            externalId: ref.externalId,
            url: ref.url,
          },
        });
      } else {
        await ctx.tx
          .updateTable('itsm_changes')
          .set({
            synced_at: now,
            ...(op.kind === 'close'
              ? { state: 'closed', outcome: op.payload.outcome ?? 'successful' }
              : {}),
          })
          .where('connection_id', '=', op.connectionId)
          .where('release_key', '=', op.releaseKey)
          .execute();
        if (op.kind === 'close')
          await recordAudit(ctx, {
            action: 'itsm.change.closed',
            subjectType: 'release',
            subjectId: op.releaseKey,
            after: {
              kind: op.config.kind,
              number: op.change?.number ?? null,
              outcome: op.payload.outcome ?? 'successful',
            },
          });
      }
      return 'done';
    }
    const verdict = verdictOf(result.statusCode, result.retryAfter, ctx.now);
    if (verdict.verdict === 'retry') {
      const wait = nextWaitMs(
        verdict,
        backoffDelayMs(attempts, settings, random),
        settings.backoffMaxMs,
      );
      await ctx.tx
        .updateTable('itsm_operations')
        .set({
          attempts,
          claimed_until: null,
          next_attempt_at: new Date(ctx.now.getTime() + wait).toISOString(),
          last_status_code: result.statusCode,
          last_error: result.error,
          updated_at: now,
        })
        .where('id', '=', op.id)
        .execute();
      return 'retrying';
    }
    await ctx.tx
      .updateTable('itsm_operations')
      .set({
        status: 'failed',
        attempts,
        claimed_until: null,
        last_status_code: result.statusCode,
        last_error: result.error,
        updated_at: now,
      })
      .where('id', '=', op.id)
      .execute();
    return 'failed';
  });
}

/**
 * One pass: claims what is due and sends it, one change's operations in order. Loops
 * while a pass made progress, so an open followed by notes goes out in one run.
 */
export async function syncItsm(
  app: App,
  settings: ItsmSyncSettings = DEFAULT_ITSM_SETTINGS,
  random: () => number = Math.random,
): Promise<ItsmSyncResult> {
  const total: ItsmSyncResult = { attempted: 0, done: 0, retrying: 0, failed: 0 };
  for (let pass = 0; pass < 20; pass++) {
    const claimed = await claimDue(app, settings);
    if (claimed.length === 0) break;
    // One change's operations are in audit order; different changes may go together.
    const byChange = new Map<string, Claimed[]>();
    for (const op of claimed) {
      const key = `${op.connectionId}\n${op.releaseKey}`;
      byChange.set(key, [...(byChange.get(key) ?? []), op]);
    }
    let progressed = false;
    await Promise.all(
      [...byChange.values()].map(async (ops) => {
        // Only the first is safe to send: it is the earliest undone one of its change.
        const [op, ...rest] = ops;
        for (const later of rest)
          await execute(app, SYSTEM_ACTOR, (ctx) =>
            ctx.tx
              .updateTable('itsm_operations')
              .set({ claimed_until: null })
              .where('id', '=', later.id)
              .execute(),
          );
        const result = await call(op!, clientFor(op!.config, settings.timeoutMs));
        const outcome = await record(app, op!, result, settings, random);
        total.attempted++;
        total[outcome]++;
        if (outcome === 'done') progressed = true;
      }),
    );
    if (!progressed) break;
  }
  return total;
}
