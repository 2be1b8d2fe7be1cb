/**
 * A release's security surface — does it add external endpoints, does it change
 * authentication — and the penetration-test sign-off that surface then needs.
 */
import { GatehouseError, notFound } from '../../domain/errors.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface ReleaseSecurity {
  release: string;
  addsExternalEndpoints: boolean;
  changesAuthentication: boolean;
  penTest: { reference: string | null; signedOffBy: string; signedOffAt: string } | null;
}

async function read(ctx: Ctx, releaseId: string, key: string): Promise<ReleaseSecurity> {
  const row = await ctx.tx
    .selectFrom('release_security')
    .leftJoin('users', 'users.id', 'release_security.pen_test_signed_off_by')
    .selectAll('release_security')
    .select('users.name as signer')
    .where('release_id', '=', releaseId)
    .executeTakeFirst();
  return {
    release: key,
    addsExternalEndpoints: row?.adds_external_endpoints === 1,
    changesAuthentication: row?.changes_authentication === 1,
    penTest:
      row?.signer && row.pen_test_signed_off_at
        ? {
            reference: row.pen_test_reference,
            signedOffBy: row.signer,
            signedOffAt: row.pen_test_signed_off_at,
          }
        : null,
  };
}

/** A changed surface voids an earlier sign-off: the test covered something else. */
export async function declareSecurity(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: { addsExternalEndpoints: boolean; changesAuthentication: boolean },
): Promise<ReleaseSecurity> {
  authorize(ctx.actor, 'security:declare');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const before = await read(ctx, release.id, release.key);
  const same =
    before.addsExternalEndpoints === input.addsExternalEndpoints &&
    before.changesAuthentication === input.changesAuthentication;
  const values = {
    adds_external_endpoints: input.addsExternalEndpoints ? 1 : 0,
    changes_authentication: input.changesAuthentication ? 1 : 0,
    updated_at: ctx.now.toISOString(),
    ...(same
      ? {}
      : { pen_test_reference: null, pen_test_signed_off_by: null, pen_test_signed_off_at: null }),
  };
  await ctx.tx
    .insertInto('release_security')
    .values({ release_id: release.id, ...values })
    .onConflict((oc) => oc.column('release_id').doUpdateSet(values))
    .execute();
  const after = await read(ctx, release.id, release.key);
  await recordAudit(ctx, {
    action: 'release.security-declared',
    subjectType: 'release',
    subjectId: release.key,
    before,
    after,
  });
  return after;
}

export async function signOffPenTest(
  ctx: Ctx,
  releaseIdOrKey: string,
  input: { reference?: string },
): Promise<ReleaseSecurity> {
  authorize(ctx.actor, 'pentest:sign-off');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const before = await read(ctx, release.id, release.key);
  if (!before.addsExternalEndpoints && !before.changesAuthentication)
    throw new GatehouseError(
      'conflict',
      'nothing-to-sign-off',
      `${release.key} declares no external endpoint and no authentication change; declare its security surface first`,
    );
  await ctx.tx
    .updateTable('release_security')
    .set({
      pen_test_reference: input.reference ?? null,
      pen_test_signed_off_by: ctx.actor.userId,
      pen_test_signed_off_at: ctx.now.toISOString(),
      updated_at: ctx.now.toISOString(),
    })
    .where('release_id', '=', release.id)
    .execute();
  const after = await read(ctx, release.id, release.key);
  await recordAudit(ctx, {
    action: 'release.pen-test-signed-off',
    subjectType: 'release',
    subjectId: release.key,
    before,
    after,
  });
  return after;
}

export async function getReleaseSecurity(
  ctx: Ctx,
  releaseIdOrKey: string,
): Promise<ReleaseSecurity> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return read(ctx, release.id, release.key);
}
