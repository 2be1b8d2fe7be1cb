/**
 * The gate check: gathers what the rules need about a release and its target
 * environment, and asks the domain for the verdict. A read: it changes nothing, so a
 * pipeline may call it as often as it likes.
 */
import { notFound } from '../../domain/errors.js';
import { combineEvidence, type EvidenceFacts } from '../../domain/evidence.js';
import {
  evaluateGate,
  isWaiverActive,
  verdictHoldsUntil,
  type GateFacts,
  type RuleVerdict,
  type ServiceDeployment,
  type UpstreamRelease,
  type Waiver,
} from '../../domain/gate.js';
import type { Role } from '../../domain/access.js';
import { decideFreeze } from '../../domain/calendar/freeze.js';
import { nextBoundary } from '../../domain/calendar/window.js';
import { selectPolicy, type PolicyRequirements } from '../../domain/policy.js';
import type { Release } from '../../domain/release.js';
import type { Tx } from '../../store/database.js';
import {
  latestDeploymentsIn,
  environmentByName,
  evidenceFacts,
  freezeExceptionApproverRoles,
  mostCriticalTier,
  priorEnvironment,
  releaseSecurity,
  releaseServiceTiers,
  upstreamReleases,
  windowsOfKind,
} from '../../store/gates.js';
import { listFreezeExceptions, toWindow } from '../../store/calendar.js';
import { loadRelease } from '../../store/releases.js';
import { approvalSituation } from '../approvals/approvalSituation.js';
import { latestDecisions } from '../../store/cab.js';
import { authorize } from '../authorize.js';
import { query, readTogether, type Actor, type App, type Ctx } from '../context.js';
import { readMemo } from '../readMemo.js';
import { requirePolicySetOfRelease } from '../policies/queries.js';
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
  const latest = new Map(
    (await latestDeploymentsIn(tx, environmentId, releaseId)).map((row) => [row.name, row]),
  );
  return services.map((service) => ({
    service,
    status: latest.get(service)?.status ?? null,
    finishedAt: latest.get(service)?.finished_at ?? null,
  }));
}

/** The latest upload per type and file name: a re-run replaces its earlier report. */
async function latestEvidence(tx: Tx, releaseId: string): Promise<EvidenceFacts[]> {
  const latest = new Map<string, string>();
  for (const row of await evidenceFacts(tx, releaseId))
    latest.set(`${row.type}\u0000${row.file_name}`, row.facts);
  return [...latest.values()].map((facts) => JSON.parse(facts) as EvidenceFacts);
}

async function upstream(
  tx: Tx,
  release: Release,
  environmentId: string,
): Promise<UpstreamRelease[]> {
  const rows = await upstreamReleases(tx, environmentId, release.id, release.id, release.createdAt);
  return rows.map((r) => ({
    key: r.key,
    state: r.state,
    service: r.dependency,
    version: r.version,
    neededBy: r.needed_by,
    deployedToTarget: Boolean(r.deployed),
  }));
}

/** How far ahead a gate check looks for the next freeze starting or ending. */
const FREEZE_LOOKAHEAD_MS = 60 * 60_000;

/**
 * The freeze rule's facts: `decideFreeze`, the code `calendar check` runs, per service;
 * and the next instant a freeze starts or ends, when those facts may change.
 */
async function freezeFacts(
  tx: Tx,
  release: Release,
  environment: { name: string; regions: string },
  at: Date,
): Promise<{ facts: GateFacts['freeze']; changesAt: number }> {
  const windows = (await windowsOfKind(tx, 'freeze')).map(toWindow);
  if (windows.length === 0)
    return { facts: { services: [], approverRoles: {} }, changesAt: Infinity };
  const [exceptions, approvers, tiers] = await readTogether([
    listFreezeExceptions(tx, { release: release.key }),
    freezeExceptionApproverRoles(tx, release.id),
    releaseServiceTiers(tx, release.id),
  ]);
  const approverRoles: Record<string, Role[]> = {};
  for (const row of approvers) (approverRoles[row.id] ??= []).push(row.role as Role);
  const target = { name: environment.name, regions: JSON.parse(environment.regions) as string[] };
  const services = tiers.map((service) => ({
    service: service.name,
    decision: decideFreeze(
      windows,
      {
        service,
        environment: target,
        at,
        release: { key: release.key, changeType: release.changeType },
      },
      exceptions,
    ),
  }));
  return {
    facts: { services, approverRoles },
    changesAt: nextBoundary(windows, at.getTime(), FREEZE_LOOKAHEAD_MS),
  };
}

export async function checkGate(
  ctx: Ctx,
  releaseIdOrKey: string,
  environmentName: string,
): Promise<GateCheck> {
  return (await checkGateUntil(ctx, releaseIdOrKey, environmentName)).check;
}

/** The gate check, and until when it holds if no data changes (`verdictHoldsUntil`). */
export async function checkGateUntil(
  ctx: Ctx,
  releaseIdOrKey: string,
  environmentName: string,
): Promise<{ check: GateCheck; until: number }> {
  authorize(ctx.actor, 'policy:read');
  const { tx } = ctx;
  // The facts are independent reads once the release and the environment are known. On
  // PostgreSQL they run side by side on the read pool's connections, so a check waits
  // for about three round trips rather than fifteen one after another (ADR 3100-1); on
  // SQLite they run one after another in the read's transaction, as before.
  const [release, [environment]] = await readTogether([
    loadRelease(tx, releaseIdOrKey),
    environmentByName(tx, environmentName),
  ]);
  if (!release) throw notFound('release', releaseIdOrKey);
  if (!environment) throw notFound('environment', environmentName);

  const services = release.services.map((s) => s.service);
  const priorFacts = async (): Promise<GateFacts['prior']> => {
    const [prior] = await priorEnvironment(tx, environment.position);
    return prior
      ? {
          environment: prior.name,
          deployments: await latestDeployments(tx, release.id, prior.id, services),
        }
      : null;
  };
  const [
    { set: policySet, pinned },
    tier,
    prior,
    [security],
    waivers,
    freeze,
    evidence,
    upstreamFacts,
    decisions,
  ] = await readTogether([
    requirePolicySetOfRelease(tx, release.id),
    mostCriticalTier(tx, release.id),
    priorFacts(),
    releaseSecurity(tx, release.id),
    waiversOfRelease(tx, release.id),
    freezeFacts(tx, release, environment, ctx.now),
    latestEvidence(tx, release.id),
    upstream(tx, release, environment.id),
    latestDecisions(tx, [release.id]),
  ]);

  const facts: GateFacts = {
    release: { key: release.key, rollbackPlan: release.rollbackPlan, services },
    subject: {
      classification: release.classification,
      tier,
      environment: environment.name,
      production: environment.production === 1,
    },
    prior,
    evidence: combineEvidence(evidence),
    upstream: upstreamFacts,
    security: security
      ? {
          addsExternalEndpoints: security.adds_external_endpoints === 1,
          changesAuthentication: security.changes_authentication === 1,
          penTestReference: security.pen_test_reference,
          penTestSignedOffBy: security.signed_off_by,
        }
      : null,
    freeze: freeze.facts,
    waivers,
    now: ctx.now,
    cabDecision: decisions.get(release.id) ?? null,
  };
  const policy = selectPolicy(policySet.document, facts.subject);
  facts.approvals = (
    await approvalSituation(tx, release, policy?.requires.approvals?.stages ?? [], ctx.now)
  ).progress;
  const verdict = evaluateGate(policy, facts);
  const check: GateCheck = {
    release: release.key,
    environment: environment.name,
    verdict: verdict.verdict,
    policySet: { name: policySet.name, version: policySet.version, pinned },
    policy: verdict.policy,
    selectedBecause: verdict.selectedBecause,
    rules: verdict.rules,
    waivers: waivers.map((w) => ({ ...w, active: isWaiverActive(w, ctx.now) })),
    approvals: policy?.requires.approvals ?? null,
    checkedAt: ctx.now.toISOString(),
  };
  return { check, until: verdictHoldsUntil(facts, freeze.changesAt) };
}

/**
 * A pipeline's gate check at `now`, outside any transaction: remembered until anything is
 * committed or the clock reaches an instant where the verdict could change (ADR 2500-1).
 * The remembered check carries the time it was made; the caller reports `now`, the time
 * it was asked.
 */
export function readGateCheck(
  app: App,
  actor: Actor,
  releaseIdOrKey: string,
  environmentName: string,
  now: Date,
): GateCheck | Promise<GateCheck> {
  authorize(actor, 'policy:read');
  return readMemo<GateCheck>(app.store, 'gate-check').get(
    `${releaseIdOrKey}\u0000${environmentName}`,
    now.getTime(),
    async () => {
      const made = await query(app, actor, (ctx) =>
        checkGateUntil(ctx, releaseIdOrKey, environmentName),
      );
      return { value: made.check, until: made.until };
    },
  );
}
