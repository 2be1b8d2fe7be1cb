/**
 * The shared secret a webhook sender signs with. Kept in the store (not the process
 * environment) so every replica verifies with the same one; never returned.
 */
import { invalid } from '../../domain/errors.js';
import type { CiChannel } from '../../domain/ingestion.js';
import type { Store } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export const MIN_SECRET_LENGTH = 16;

export async function setWebhookSecret(
  ctx: Ctx,
  channel: 'github' | CiChannel,
  secret: string,
): Promise<{ channel: string; setAt: string; setBy: string }> {
  authorize(ctx.actor, 'event:configure');
  if (secret.length < MIN_SECRET_LENGTH)
    throw invalid('/secret', `must be at least ${MIN_SECRET_LENGTH} characters`);
  const now = ctx.now.toISOString();
  const existing = await ctx.tx
    .selectFrom('webhook_secrets')
    .select('channel')
    .where('channel', '=', channel)
    .executeTakeFirst();
  if (existing)
    await ctx.tx
      .updateTable('webhook_secrets')
      .set({ secret, set_by: ctx.actor.userId, set_at: now })
      .where('channel', '=', channel)
      .execute();
  else
    await ctx.tx
      .insertInto('webhook_secrets')
      .values({ channel, secret, set_by: ctx.actor.userId, set_at: now })
      .execute();
  // The audit entry says that it changed and who changed it, never what it is.
  await recordAudit(ctx, {
    action: existing ? 'webhook-secret.rotated' : 'webhook-secret.set',
    subjectType: 'webhook-secret',
    subjectId: channel,
  });
  return { channel, setAt: now, setBy: ctx.actor.name };
}

/** Read before authentication: the signature is what authenticates the sender. */
export async function webhookSecret(
  store: Store,
  channel: 'github' | CiChannel,
): Promise<string | null> {
  return store.read(async (tx) => {
    const row = await tx
      .selectFrom('webhook_secrets')
      .select('secret')
      .where('channel', '=', channel)
      .executeTakeFirst();
    return row?.secret ?? null;
  });
}
