/**
 * Gathers what the approval rules look at: the release, the stages its policy asks for,
 * the decisions recorded, and the people who could approve. Shared by the decisions,
 * the status read, the gate and the escalation sweep.
 */
import { sql } from 'kysely';
import type { Role } from '../../domain/access.js';
import {
  evaluateApprovals,
  type ApprovalDecision,
  type ApprovalProgress,
  type ApprovalSituation,
  type DecisionKind,
} from '../../domain/approval.js';
import { selectPolicy, type ApprovalStagePolicy, type Policy } from '../../domain/policy.js';
import type { Release } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import { mostCriticalTier } from '../../store/gates.js';
import { preparedQuery } from '../../store/prepared.js';
import { readTogether } from '../context.js';
import { requirePolicySetOfRelease } from '../policies/queries.js';

export interface ApprovalPolicy {
  policySet: { name: string; version: number };
  /** The policy that judges the release's production deployment, or null if none fits. */
  policy: Policy | null;
  environment: string | null;
  stages: ApprovalStagePolicy[];
}

/**
 * Approvals are for going to production: the release's pinned policy set, the policy
 * selected for its first production environment (or its planned window's environment
 * when the catalog marks none as production).
 */
export async function approvalPolicy(tx: Tx, release: Release): Promise<ApprovalPolicy> {
  const { set } = await requirePolicySetOfRelease(tx, release.id);
  const production = await tx
    .selectFrom('environments')
    .select(['name', 'production'])
    .orderBy('production', 'desc')
    .orderBy('position')
    .executeTakeFirst();
  const environment =
    production?.production === 1
      ? production.name
      : (release.plannedWindow?.environment ?? production?.name ?? null);
  const policy = selectPolicy(set.document, {
    classification: release.classification,
    tier: await mostCriticalTier(tx, release.id),
    environment: environment ?? '',
    production: production?.production === 1,
  });
  return {
    policySet: { name: set.name, version: set.version },
    policy,
    environment,
    stages: policy?.requires.approvals?.stages ?? [],
  };
}

// Both read by every gate check and approval status: compiled once (src/store/prepared.ts).
const decisionRows = preparedQuery((tx: Tx, releaseId: string) =>
  tx
    .selectFrom('approvals')
    .innerJoin('users', 'users.id', 'approvals.actor_id')
    .select([
      'approvals.id',
      'approvals.stage',
      'approvals.decision',
      'approvals.text',
      'approvals.content_hash',
      'approvals.created_at',
      'users.name',
    ])
    .where('approvals.release_id', '=', releaseId)
    .orderBy('approvals.created_at')
    .orderBy('approvals.id'),
);

const activePeopleRoles = preparedQuery((tx: Tx) =>
  tx
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.name', 'user_roles.role'])
    .where('users.disabled_at', 'is', null)
    .where('users.id', '!=', sql.lit('system'))
    .orderBy('users.name'),
);

export async function approvalDecisions(tx: Tx, releaseId: string): Promise<ApprovalDecision[]> {
  const rows = await decisionRows(tx, releaseId);
  return rows.map((r) => ({
    id: r.id,
    stage: r.stage,
    decision: r.decision as DecisionKind,
    by: r.name,
    text: r.text,
    contentHash: r.content_hash,
    at: r.created_at,
  }));
}

/** Active people and their roles: who could approve, before any rule is applied. */
export async function approvalCandidates(tx: Tx): Promise<Array<{ name: string; roles: Role[] }>> {
  const rows = await activePeopleRoles(tx);
  const byName = new Map<string, Role[]>();
  for (const r of rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r.role as Role]);
  return [...byName].map(([name, roles]) => ({ name, roles }));
}

export async function approvalSituation(
  tx: Tx,
  release: Release,
  stages: readonly ApprovalStagePolicy[],
  now: Date,
): Promise<{ situation: ApprovalSituation; progress: ApprovalProgress }> {
  const [decisions, candidates] = await readTogether([
    approvalDecisions(tx, release.id),
    approvalCandidates(tx),
  ]);
  const situation: ApprovalSituation = {
    release: {
      key: release.key,
      state: release.state,
      requester: release.requester,
      authors: release.authors ?? [],
      contentHash: release.contentHash ?? '',
      stateChangedAt: release.stateChangedAt,
    },
    stages,
    decisions,
    candidates,
    now,
  };
  return { situation, progress: evaluateApprovals(situation) };
}
