import { conflict, notFound } from '../../domain/errors.js';
import type { PolicySetDocument, PolicySetVersion } from '../../domain/policy.js';
import type { Tx } from '../../store/database.js';
import { pinnedPolicy } from '../../store/gates.js';
import { preparedQuery } from '../../store/prepared.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

// Versions never change once written, so a parsed document can be kept for the process.
const parsed = new Map<string, PolicySetDocument>();

function selectVersions(tx: Tx) {
  return tx
    .selectFrom('policy_versions')
    .innerJoin('users', 'users.id', 'policy_versions.applied_by')
    .select([
      'policy_versions.version',
      'policy_versions.name',
      'policy_versions.sha256',
      'policy_versions.applied_at',
      'policy_versions.document',
      'users.name as applied_by',
    ]);
}

type Row = Awaited<ReturnType<ReturnType<typeof selectVersions>['executeTakeFirstOrThrow']>>;

function toVersion(row: Row): PolicySetVersion {
  let document = parsed.get(row.sha256);
  if (!document) {
    document = JSON.parse(row.document) as PolicySetDocument;
    parsed.set(row.sha256, document);
  }
  return {
    version: row.version,
    name: row.name,
    sha256: row.sha256,
    appliedBy: row.applied_by,
    appliedAt: row.applied_at,
    document,
  };
}

export async function latestPolicyVersion(tx: Tx): Promise<PolicySetVersion | undefined> {
  const row = await selectVersions(tx)
    .orderBy('policy_versions.version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toVersion(row) : undefined;
}

// Every gate check and approval read asks for its release's version: compiled once.
const policyVersionRow = preparedQuery((tx: Tx, version: number) =>
  selectVersions(tx).where('policy_versions.version', '=', version),
);

export async function loadPolicyVersion(
  tx: Tx,
  version: number,
): Promise<PolicySetVersion | undefined> {
  const [row] = await policyVersionRow(tx, version);
  return row ? toVersion(row) : undefined;
}

/** Every version ever applied, oldest first: what releases pinned to any of them follow. */
export async function allPolicyVersions(tx: Tx): Promise<PolicySetVersion[]> {
  const rows = await selectVersions(tx).orderBy('policy_versions.version').execute();
  return rows.map(toVersion);
}

export async function getPolicySet(ctx: Ctx, version?: number): Promise<PolicySetVersion> {
  authorize(ctx.actor, 'policy:read');
  const found =
    version === undefined
      ? await latestPolicyVersion(ctx.tx)
      : await loadPolicyVersion(ctx.tx, version);
  if (!found)
    throw notFound('policy set version', version === undefined ? 'latest' : String(version));
  return found;
}

export async function listPolicyVersions(
  ctx: Ctx,
): Promise<Array<Omit<PolicySetVersion, 'document'>>> {
  authorize(ctx.actor, 'policy:read');
  const rows = await selectVersions(ctx.tx).orderBy('policy_versions.version', 'desc').execute();
  return rows.map((r) => ({
    version: r.version,
    name: r.name,
    sha256: r.sha256,
    appliedBy: r.applied_by,
    appliedAt: r.applied_at,
  }));
}

/**
 * A release is judged against the policy version current when it was raised, recorded
 * here, so a later policy change does not move the goalposts of a release in flight.
 */
export async function pinPolicy(ctx: Ctx, releaseId: string): Promise<void> {
  const latest = await latestPolicyVersion(ctx.tx);
  if (!latest) return;
  await ctx.tx
    .insertInto('release_policies')
    .values({
      release_id: releaseId,
      policy_version: latest.version,
      pinned_at: ctx.now.toISOString(),
    })
    .execute();
}

/**
 * The policy set a release is judged by: the version pinned when it was raised, else the
 * latest. Undefined only before any set was applied.
 */
export async function policySetOfRelease(
  tx: Tx,
  releaseId: string,
): Promise<{ set: PolicySetVersion | undefined; pinned: boolean }> {
  const pinned = (await pinnedPolicy(tx, releaseId))[0]?.policy_version;
  const set =
    pinned === undefined ? await latestPolicyVersion(tx) : await loadPolicyVersion(tx, pinned);
  return { set, pinned: pinned !== undefined };
}

/** As `policySetOfRelease`, refusing (409) when no policy set has been applied. */
export async function requirePolicySetOfRelease(
  tx: Tx,
  releaseId: string,
): Promise<{ set: PolicySetVersion; pinned: boolean }> {
  const { set, pinned } = await policySetOfRelease(tx, releaseId);
  if (!set)
    throw conflict(
      'no-policy-set',
      'no policy set has been applied; apply one with `gatehouse policy apply -f FILE`',
    );
  return { set, pinned };
}
