/**
 * The gate check: gathers what the rules need about a release and its target
 * environment, and asks the domain for the verdict. A read: it changes nothing, so a
 * pipeline may call it as often as it likes.
 */
import { conflict, notFound } from '../../domain/errors.js';
import { combineEvidence, type EvidenceFacts } from '../../domain/evidence.js';
import {
  evaluateGate,
  isWaiverActive,
  type GateFacts,
  type RuleVerdict,
  type ServiceDeployment,
  type UpstreamRelease,
  type Waiver,
} from '../../domain/gate.js';
import { selectPolicy, type PolicyRequirements } from '../../domain/policy.js';
import { isTerminal, type Release, type ReleaseState } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import {
  latestPolicyVersion,
  loadPolicyVersion,
  pinnedPolicyVersion,
} from '../policies/queries.js';
import { waiversOfRelease } from '../waivers/grantWaiver.js';

export interface GateCheck {
  release: string;
  environment: string;
  verdict: 'pass' | 'fail';
  policySet: { name: string; version: number; pinned: boolean };
  policy: string | null;
  selectedBecause: string;
  rules: RuleVerdict[];
  waivers: Array<Waiver & { active: boolean }>;
  /** The approval path the policy names; approvals themselves are judged elsewhere. */
  approvals: PolicyRequirements['approvals'] | null;
  checkedAt: string;
}

async function latestDeployments(
  tx: Tx,
  releaseId: string,
  environmentId: string,
  services: string[],
): Promise<ServiceDeployment[]> {
  const rows = await tx
    .selectFrom('deployments')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .select([
      'services.name',
      'deployments.status',
      'deployments.finished_at',
      'deployments.started_at',
    ])
    .where('deployments.release_id', '=', releaseId)
    .where('deployments.environment_id', '=', environmentId)
    .orderBy('deployments.started_at')
    .execute();
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) latest.set(row.name, row);
  return services.map((service) => ({
    service,
    status: latest.get(service)?.status ?? null,
    finishedAt: latest.get(service)?.finished_at ?? null,
  }));
}

async function latestEvidence(tx: Tx, releaseId: string): Promise<EvidenceFacts[]> {
  const rows = await tx
    .selectFrom('evidence')
    .select(['type', 'file_name', 'facts'])
    .where('release_id', '=', releaseId)
    .orderBy('uploaded_at')
    .orderBy('id')
    .execute();
  const latest = new Map<string, string>();
  for (const row of rows) latest.set(`${row.type}\u0000${row.file_name}`, row.facts);
  return [...latest.values()].map((facts) => JSON.parse(facts) as EvidenceFacts);
}

/** Open releases of services this release's services depend on, raised before it. */
async function upstreamReleases(
  tx: Tx,
  release: Release,
  environmentId: string,
): Promise<UpstreamRelease[]> {
  if (release.services.length === 0) return [];
  const edges = await tx
    .selectFrom('service_dependencies')
    .innerJoin('services as s', 's.id', 'service_dependencies.service_id')
    .innerJoin('services as d', 'd.id', 'service_dependencies.depends_on_id')
    .select(['s.name as service', 'd.name as dependency', 'd.id as dependency_id'])
    .where(
      's.name',
      'in',
      release.services.map((s) => s.service),
    )
    .execute();
  if (edges.length === 0) return [];
  const others = await tx
    .selectFrom('release_services')
    .innerJoin('releases', 'releases.id', 'release_services.release_id')
    .select([
      'releases.id',
      'releases.key',
      'releases.state',
      'release_services.service_id',
      'release_services.version',
    ])
    .where(
      'release_services.service_id',
      'in',
      edges.map((e) => e.dependency_id),
    )
    .where('releases.id', '!=', release.id)
    .where('releases.created_at', '<', release.createdAt)
    .execute();
  const open = others.filter((o) => !isTerminal(o.state as ReleaseState));
  const upstream: UpstreamRelease[] = [];
  for (const other of open) {
    const edge = edges.find((e) => e.dependency_id === other.service_id)!;
    const deployed = await tx
      .selectFrom('deployments')
      .select('id')
      .where('release_id', '=', other.id)
      .where('service_id', '=', other.service_id)
      .where('environment_id', '=', environmentId)
      .where('status', '=', 'succeeded')
      .executeTakeFirst();
    upstream.push({
      key: other.key,
      state: other.state,
      service: edge.dependency,
      version: other.version,
      neededBy: edge.service,
      deployedToTarget: deployed !== undefined,
    });
  }
  return upstream;
}

export async function checkGate(
  ctx: Ctx,
  releaseIdOrKey: string,
  environmentName: string,
): Promise<GateCheck> {
  authorize(ctx.actor, 'policy:read');
  const { tx } = ctx;
  const release = await loadRelease(tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const environment = await tx
    .selectFrom('environments')
    .select(['id', 'name', 'position', 'production'])
    .where('name', '=', environmentName)
    .executeTakeFirst();
  if (!environment) throw notFound('environment', environmentName);

  const pinned = await pinnedPolicyVersion(tx, release.id);
  const policySet =
    pinned === undefined ? await latestPolicyVersion(tx) : await loadPolicyVersion(tx, pinned);
  if (!policySet)
    throw conflict(
      'no-policy-set',
      'no policy set has been applied; apply one with `gatehouse policy apply -f FILE`',
    );

  const services = release.services.map((s) => s.service);
  const tiers = services.length
    ? await tx.selectFrom('services').select('tier').where('name', 'in', services).execute()
    : [];
  const prior = await tx
    .selectFrom('environments')
    .select(['id', 'name'])
    .where('position', '<', environment.position)
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  const security = await tx
    .selectFrom('release_security')
    .leftJoin('users', 'users.id', 'release_security.pen_test_signed_off_by')
    .select([
      'adds_external_endpoints',
      'changes_authentication',
      'pen_test_reference',
      'users.name as signed_off_by',
    ])
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  const waivers = await waiversOfRelease(tx, release.id);

  const facts: GateFacts = {
    release: { key: release.key, rollbackPlan: release.rollbackPlan, services },
    subject: {
      classification: release.classification,
      tier: tiers.length ? Math.min(...tiers.map((t) => t.tier)) : null,
      environment: environment.name,
      production: environment.production === 1,
    },
    prior: prior
      ? {
          environment: prior.name,
          deployments: await latestDeployments(tx, release.id, prior.id, services),
        }
      : null,
    evidence: combineEvidence(await latestEvidence(tx, release.id)),
    upstream: await upstreamReleases(tx, release, environment.id),
    security: security
      ? {
          addsExternalEndpoints: security.adds_external_endpoints === 1,
          changesAuthentication: security.changes_authentication === 1,
          penTestReference: security.pen_test_reference,
          penTestSignedOffBy: security.signed_off_by,
        }
      : null,
    waivers,
    now: ctx.now,
  };
  const policy = selectPolicy(policySet.document, facts.subject);
  const verdict = evaluateGate(policy, facts);
  return {
    release: release.key,
    environment: environment.name,
    verdict: verdict.verdict,
    policySet: { name: policySet.name, version: policySet.version, pinned: pinned !== undefined },
    policy: verdict.policy,
    selectedBecause: verdict.selectedBecause,
    rules: verdict.rules,
    waivers: waivers.map((w) => ({ ...w, active: isWaiverActive(w, ctx.now) })),
    approvals: policy?.requires.approvals ?? null,
    checkedAt: ctx.now.toISOString(),
  };
}
