/**
 * The policy that judges a release in one environment: the release's pinned policy set
 * (the latest when none is pinned) and the first policy in it that fits the release's
 * class, its most critical tier and the environment.
 */
import { selectPolicy, type Policy } from '../../domain/policy.js';
import type { Release } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import { mostCriticalTier } from '../../store/gates.js';
import { requirePolicySetOfRelease } from './queries.js';

export async function selectReleasePolicy(
  tx: Tx,
  release: Release,
  environment: { name: string; production: boolean },
): Promise<Policy | null> {
  const { set } = await requirePolicySetOfRelease(tx, release.id);
  return selectPolicy(set.document, {
    classification: release.classification,
    tier: await mostCriticalTier(tx, release.id),
    environment: environment.name,
    production: environment.production,
  });
}
