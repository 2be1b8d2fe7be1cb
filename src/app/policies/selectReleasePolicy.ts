/**
 * The policy that judges a release in one environment: the release's pinned policy set
 * (the latest when none is pinned) and the first policy in it that fits the release's
 * class, its most critical tier and the environment.
 */
import { conflict } from '../../domain/errors.js';
import { selectPolicy, type Policy } from '../../domain/policy.js';
import type { Release } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import { pinnedPolicy, releaseTier } from '../../store/gates.js';
import { latestPolicyVersion, loadPolicyVersion } from './queries.js';

export async function selectReleasePolicy(
  tx: Tx,
  release: Release,
  environment: { name: string; production: boolean },
): Promise<Policy | null> {
  const pinned = (await pinnedPolicy(tx, release.id))[0]?.policy_version;
  const set =
    pinned === undefined ? await latestPolicyVersion(tx) : await loadPolicyVersion(tx, pinned);
  if (!set)
    throw conflict(
      'no-policy-set',
      'no policy set has been applied; apply one with `gatehouse policy apply -f FILE`',
    );
  const tier = (await releaseTier(tx, release.id))[0]?.tier ?? null;
  return selectPolicy(set.document, {
    classification: release.classification,
    tier: tier === null ? null : Number(tier),
    environment: environment.name,
    production: environment.production,
  });
}
