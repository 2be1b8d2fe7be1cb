/**
 * The demo organisation `gatehouse serve --demo` loads: five teams, 25 services, about
 * twenty people and a year of release history ending at `now`, so the risk model, DORA
 * metrics, calendar and CAB views have something real-looking to show on first start.
 *
 * Pure and deterministic: the same `{ now, seed }` always yields the same organisation.
 * Randomness comes from a seeded mulberry32, never from Math.random, and local times
 * come from the runtime's time-zone data only. The loader replays the result through
 * the ordinary use cases, so every step here must pass the lifecycle checks at its time.
 */
import { type CatalogDocument, type ServiceInput } from '../../domain/catalog.js';
import type { RecordDeploymentInput } from '../../domain/deployment.js';
import { deployOrder, type DependencyEdges } from '../../domain/dependency-graph.js';
import type { DeploymentStatus } from '../../domain/lifecycle.js';
import {
  defaultChangeType,
  type Classification,
  type CreateReleaseInput,
  type DeploymentStrategy,
  type ReleaseState,
  type Scope,
} from '../../domain/release.js';
import type { CreateUserInput } from '../../domain/user.js';

import { type Rng, createRng } from './random.js';
import {
  DAY,
  plus,
  minutes,
  hours,
  localTime,
  zoned,
  snapBack,
  snapForward,
} from './officeHours.js';
import {
  type TeamPlan,
  RELEASE_OFFICE,
  TEAMS,
  SERVICES,
  environments,
  USERS,
} from './organisation.js';

export const DEFAULT_DEMO_SEED = 20240611;

export interface DemoOptions {
  now: Date;
  seed?: number;
}

export type DemoStep =
  | { at: Date; actor: string; kind: 'transition'; to: ReleaseState; reason?: string }
  | { at: Date; actor: string; kind: 'deployment'; input: RecordDeploymentInput };

export interface DemoRelease {
  createdAt: Date;
  /** Name of the demo user who raises the release. */
  requester: string;
  input: CreateReleaseInput;
  /** In time order, none after `now`. */
  steps: DemoStep[];
}

export interface DemoOrganisation {
  /** When the organisation adopted Gatehouse: the catalog and the people exist from here. */
  since: Date;
  catalog: CatalogDocument;
  users: CreateUserInput[];
  /** Ordered by creation time. */
  releases: DemoRelease[];
}

/** The state a release is left in once its steps are replayed. */
export function finalState(release: DemoRelease): ReleaseState {
  let state: ReleaseState = 'plan';
  for (const step of release.steps) if (step.kind === 'transition') state = step.to;
  return state;
}

// ---------------------------------------------------------------------------------------
// Releases

const RELEASE_COUNT = 450;
/** The classification mix, dealt from a shuffled deck so the proportions are exact. */
const MIX: ReadonlyArray<readonly [Classification, number]> = [
  ['minor', 0.5],
  ['patch', 0.28],
  ['major', 0.12],
  ['emergency', 0.1],
];
/** How many releases `now` finds mid-flight in each stage, placed there on purpose. */
const IN_FLIGHT: ReadonlyArray<readonly [ReleaseState, number]> = [
  ['verify', 2],
  ['deploy', 1],
  ['approve', 3],
  ['test', 4],
  ['prepare', 3],
  ['plan', 4],
];
/** History covers the year before `now`; windows start at most this many days back. */
const HISTORY_DAYS = 340;

/** How likely a planned window lands on each weekday (Sunday first): mid-week is preferred. */
const WEEKDAY_LIKELIHOOD = [0.08, 0.75, 1, 1, 0.9, 0.4, 0.12];
const WINDOW_SLOTS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[6, 0], 1],
  [[10, 0], 3],
  [[13, 30], 2],
  [[15, 0], 2],
  [[19, 0], 1],
  [[21, 30], 1],
];
/** Lead time from creation to the window, relative to a minor release. */
const LEAD_SCALE: Record<Classification, number> = {
  patch: 0.5,
  minor: 1,
  major: 1.8,
  emergency: 0,
};

type Semver = readonly [number, number, number];
const formatSemver = (v: Semver): string => v.join('.');

function bump(version: Semver, classification: Classification): Semver {
  if (classification === 'major') return [version[0] + 1, 0, 0];
  if (classification === 'minor') return [version[0], version[1] + 1, 0];
  return [version[0], version[1], version[2] + 1];
}

type Outcome =
  'closed' | 'failed' | 'rolled-back-in-deploy' | 'rolled-back-in-verify' | 'cancelled' | 'no-go';

/**
 * Chance a release that reaches Deploy ends failed or rolled back. Logistic, so a risk
 * model fitted on the demo history can recover it:
 *
 *   P(failure) = 1 / (1 + e^-z),  z = -3.75
 *                                   + 0.9  if any service is tier 1
 *                                   + 0.45 per service beyond the first
 *                                   + 0.8  if major, + 1.2 if emergency
 *                                   + 0.9  if the strategy is big-bang
 *                                   + 0.12 per feature in scope
 *                                   + 0.75 if it deploys on a Friday, Saturday or Sunday
 *                                          (in the owning team's time zone)
 */
export function failureProbability(facts: {
  tier1: boolean;
  services: number;
  classification: Classification;
  strategy: DeploymentStrategy;
  features: number;
  lateInWeek: boolean;
}): number {
  const z =
    -3.75 +
    (facts.tier1 ? 0.9 : 0) +
    0.45 * (facts.services - 1) +
    (facts.classification === 'major' ? 0.8 : 0) +
    (facts.classification === 'emergency' ? 1.2 : 0) +
    (facts.strategy === 'big-bang' ? 0.9 : 0) +
    0.12 * facts.features +
    (facts.lateInWeek ? 0.75 : 0);
  return 1 / (1 + Math.exp(-z));
}

const CANCEL_REASONS = [
  'Superseded: these changes ship with the next minor release instead',
  'Product deprioritised the feature for this quarter',
  'Upstream dependency slipped; re-plan once it lands',
  'Duplicate of another release for the same services',
  'Test findings need a redesign before this can ship',
];
const NO_GO_REASONS = [
  'CAB: rollback plan not rehearsed in pre-prod',
  'CAB: overlaps the quarter-end change freeze',
  'CAB: open P1 incident on a dependency',
  'CAB: load-test results missing for peak traffic',
  'CAB: clashes with an acquirer maintenance window',
];
const DEPLOY_FAILURES = [
  'readiness probe never passed',
  'database migration timed out waiting for a lock',
  'image digest not found in the prod registry',
  'config key missing in prod',
  'pods crash-looping (OOMKilled at start-up)',
];
const DEPLOY_REGRESSIONS = [
  'error rate 4.8% against a 1% budget',
  'p95 latency doubled',
  'canary analysis failed on 5xx rate',
  'consumer lag growing on order events',
];
const VERIFY_INCIDENTS = [
  'duplicate charges reported by support',
  'sign-in failures for SSO users',
  'stale prices shown at checkout',
  'memory leak paging on-call overnight',
  'reconciliation totals off by rounding',
];

interface Organisation {
  servicesByTeam: Map<string, ServiceInput[]>;
  graph: DependencyEdges;
}

/** What is decided about a release before its history is laid out. */
interface Slot {
  classification: Classification;
  team: TeamPlan;
  /** Start of the planned window, or for an emergency the moment the incident is raised. */
  anchor: Date;
}

interface Shipped {
  service: ServiceInput;
  version: string;
  previous: string;
  /** Production regions it rolls out to. */
  regions: string[];
}

interface Composed {
  release: DemoRelease;
  versions: Map<string, Semver>;
  train: string;
}

interface PlannedDeployment {
  service: string;
  version: string;
  environment: string;
  region: string;
  status: DeploymentStatus;
  /** Idle time before it starts. */
  gap: number;
  duration: number;
  notes: string;
}

/** How long one production deployment takes, in minutes, by strategy. */
const PROD_MINUTES: Record<DeploymentStrategy, readonly [number, number]> = {
  'big-bang': [4, 12],
  rolling: [8, 25],
  'blue-green': [10, 30],
  canary: [25, 90],
};

function deploymentMinutes(rng: Rng, environment: string, strategy: DeploymentStrategy): number {
  if (environment !== 'prod') return rng.int(3, 12);
  const [min, max] = PROD_MINUTES[strategy];
  return rng.int(min, max);
}

/** One deployment after another, services in dependency order, each to its regions. */
function planRun(
  rng: Rng,
  shipped: Shipped[],
  environment: string,
  strategy: DeploymentStrategy,
): PlannedDeployment[] {
  const run: PlannedDeployment[] = [];
  for (const s of shipped) {
    const regions = environment === 'prod' ? s.regions : ['eu-west'];
    for (const region of regions) {
      const base = { service: s.service.name, version: s.version, environment, region };
      // A flaky first attempt in SIT now and then, retried: what pipelines really look like.
      if (environment === 'sit' && rng.chance(0.07)) {
        run.push({
          ...base,
          status: 'failed',
          gap: minutes(rng.int(1, 5)),
          duration: minutes(rng.int(2, 8)),
          notes: 'smoke tests failed; retried',
        });
      }
      const notes =
        environment === 'prod'
          ? `${strategy} rollout of ${s.service.name} ${s.version}`
          : `${s.service.name} ${s.version} deployed for testing`;
      run.push({
        ...base,
        status: 'succeeded',
        gap: minutes(rng.int(1, 6)),
        duration: minutes(deploymentMinutes(rng, environment, strategy)),
        notes,
      });
    }
  }
  return run;
}

const runLength = (run: PlannedDeployment[]): number =>
  run.reduce((sum, d) => sum + d.gap + d.duration, 0);

/** Appends the run's deployments from `start`; returns when the last one finished. */
function placeRun(run: PlannedDeployment[], start: Date, actor: string, steps: DemoStep[]): Date {
  let cursor = start;
  for (const d of run) {
    const startedAt = plus(cursor, d.gap);
    const finishedAt = plus(startedAt, d.duration);
    steps.push({
      at: finishedAt,
      actor,
      kind: 'deployment',
      input: {
        service: d.service,
        environment: d.environment,
        region: d.region,
        status: d.status,
        startedAt: startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        notes: d.notes,
      },
    });
    cursor = finishedAt;
  }
  return cursor;
}

interface LeadUp {
  createdAt: Date;
  steps: DemoStep[];
  approvedAt: Date;
  windowStart: Date;
  windowHours: number;
}

/** A planned release works backwards from its window: approval, the test runs, preparation. */
function plannedLeadUp(
  rng: Rng,
  slot: Slot,
  shipped: Shipped[],
  strategy: DeploymentStrategy,
  requester: string,
  deployer: string,
): LeadUp {
  const tz = slot.team.timeZone;
  const scale = LEAD_SCALE[slot.classification];
  const back = (at: Date, ms: number): Date => snapBack(rng, plus(at, -ms), tz);
  const windowStart = slot.anchor;
  const approvedAt = back(windowStart, hours(rng.between(3, 40) * scale));
  const preProd = planRun(rng, shipped, 'pre-prod', strategy);
  const preProdStart = back(approvedAt, hours(rng.between(0.5, 6)) + runLength(preProd));
  const uat = planRun(rng, shipped, 'uat', strategy);
  const uatStart = back(preProdStart, hours(rng.between(4, 40) * scale) + runLength(uat));
  const sit = planRun(rng, shipped, 'sit', strategy);
  const sitStart = back(uatStart, hours(rng.between(1, 24) * scale) + runLength(sit));
  const testAt = back(sitStart, minutes(rng.between(10, 90)));
  const prepareAt = back(testAt, hours(rng.between(4, 72) * scale));
  const createdAt = back(prepareAt, hours(rng.between(1, 48) * scale));

  const steps: DemoStep[] = [
    { at: prepareAt, actor: requester, kind: 'transition', to: 'prepare' },
    { at: testAt, actor: requester, kind: 'transition', to: 'test' },
  ];
  placeRun(sit, sitStart, deployer, steps);
  placeRun(uat, uatStart, deployer, steps);
  placeRun(preProd, preProdStart, deployer, steps);
  steps.push({ at: approvedAt, actor: requester, kind: 'transition', to: 'approve' });
  return { createdAt, steps, approvedAt, windowStart, windowHours: rng.pick([2, 3, 3, 4]) };
}

/** An emergency runs forwards from the incident within the hour, testing in pre-prod only. */
function emergencyLeadUp(
  rng: Rng,
  slot: Slot,
  shipped: Shipped[],
  strategy: DeploymentStrategy,
  requester: string,
  deployer: string,
): LeadUp {
  const createdAt = slot.anchor;
  const prepareAt = plus(createdAt, minutes(rng.int(4, 20)));
  const testAt = plus(prepareAt, minutes(rng.int(3, 15)));
  const steps: DemoStep[] = [
    { at: prepareAt, actor: requester, kind: 'transition', to: 'prepare' },
    { at: testAt, actor: requester, kind: 'transition', to: 'test' },
  ];
  const tested = placeRun(
    planRun(rng, shipped, 'pre-prod', strategy),
    plus(testAt, minutes(rng.int(2, 8))),
    deployer,
    steps,
  );
  const approvedAt = plus(tested, minutes(rng.int(3, 12)));
  steps.push({ at: approvedAt, actor: requester, kind: 'transition', to: 'approve' });
  return {
    createdAt,
    steps,
    approvedAt,
    windowStart: plus(approvedAt, minutes(rng.int(5, 20))),
    windowHours: 2,
  };
}

/** `fails` decides, given the failure probability, whether this release fails. */
function drawOutcome(
  rng: Rng,
  classification: Classification,
  risk: number,
  fails: (risk: number) => boolean,
): Outcome {
  if (classification !== 'emergency') {
    if (rng.chance(0.03)) return 'cancelled';
    if (rng.chance(classification === 'major' ? 0.06 : 0.02)) return 'no-go';
  }
  if (!fails(risk)) return 'closed';
  return rng.weighted<Outcome>([
    ['failed', 0.35],
    ['rolled-back-in-deploy', 0.3],
    ['rolled-back-in-verify', 0.35],
  ]);
}

/** Ends the lead-up early: withdrawn somewhere before Deploy. */
function cancel(rng: Rng, leadUp: LeadUp, requester: string, timeZone: string): DemoStep[] {
  const stage = rng.weighted<ReleaseState>([
    ['plan', 2],
    ['prepare', 2],
    ['test', 3],
    ['approve', 1],
  ]);
  const entered =
    stage === 'plan'
      ? -1
      : leadUp.steps.findIndex((s) => s.kind === 'transition' && s.to === stage);
  let keep = entered + 1;
  // In Test some of the test deployments may have happened before the plug was pulled.
  while (keep < leadUp.steps.length && leadUp.steps[keep]!.kind === 'deployment' && rng.chance(0.6))
    keep++;
  const kept = leadUp.steps.slice(0, keep);
  const last = kept.at(-1)?.at ?? leadUp.createdAt;
  const at = snapForward(rng, plus(last, hours(rng.between(1, 48))), timeZone);
  return [
    ...kept,
    { at, actor: requester, kind: 'transition', to: 'cancelled', reason: rng.pick(CANCEL_REASONS) },
  ];
}

/** The CAB refuses between approval request and window. */
function refuse(rng: Rng, leadUp: LeadUp): DemoStep[] {
  const span = leadUp.windowStart.getTime() - leadUp.approvedAt.getTime();
  const at = plus(leadUp.approvedAt, Math.max(minutes(1), span * rng.between(0.2, 0.9)));
  return [
    ...leadUp.steps,
    { at, actor: RELEASE_OFFICE, kind: 'transition', to: 'no-go', reason: rng.pick(NO_GO_REASONS) },
  ];
}

/** Deploy, then verify and close, or fail, or roll back. */
function deployment(
  rng: Rng,
  slot: Slot,
  shipped: Shipped[],
  strategy: DeploymentStrategy,
  outcome: Outcome,
  deployAt: Date,
  people: { requester: string; deployer: string },
): DemoStep[] {
  const { requester, deployer } = people;
  const steps: DemoStep[] = [{ at: deployAt, actor: deployer, kind: 'transition', to: 'deploy' }];
  const prod = planRun(rng, shipped, 'prod', strategy);
  const start = plus(deployAt, minutes(rng.int(2, 8)));

  if (outcome === 'failed' || outcome === 'rolled-back-in-deploy') {
    const broken = rng.int(0, prod.length - 1);
    const attempted = prod.slice(0, broken + 1);
    const culprit = attempted[broken]!;
    const rolledBack = outcome === 'rolled-back-in-deploy';
    const symptom = rng.pick(rolledBack ? DEPLOY_REGRESSIONS : DEPLOY_FAILURES);
    attempted[broken] = {
      ...culprit,
      status: rolledBack ? 'rolled-back' : 'failed',
      notes: symptom,
    };
    // What already went out comes back too, dependents first.
    const revert = rolledBack
      ? attempted
          .slice(0, broken)
          .reverse()
          .map((d) => ({
            ...d,
            status: 'rolled-back' as const,
            gap: minutes(rng.int(1, 4)),
            duration: minutes(rng.int(3, 12)),
            notes: `reverted with ${culprit.service}`,
          }))
      : [];
    const end = placeRun([...attempted, ...revert], start, deployer, steps);
    const previous = shipped.find((s) => s.service.name === culprit.service)!.previous;
    const reason = rolledBack
      ? `${culprit.service} ${culprit.version} in prod ${culprit.region}: ${symptom} after rollout; rolled back to ${previous}`
      : `${culprit.service} ${culprit.version} failed in prod ${culprit.region}: ${symptom}; ${previous} still serving`;
    steps.push({
      at: plus(end, minutes(rng.int(3, 25))),
      actor: deployer,
      kind: 'transition',
      to: rolledBack ? 'rolled-back' : 'failed',
      reason,
    });
    return steps;
  }

  const deployed = placeRun(prod, start, deployer, steps);
  const verifyAt = plus(deployed, minutes(rng.int(5, 30)));
  steps.push({ at: verifyAt, actor: deployer, kind: 'transition', to: 'verify' });

  if (outcome === 'rolled-back-in-verify') {
    const incident = `INC-${rng.int(1000, 9999)}`;
    const symptom = rng.pick(VERIFY_INCIDENTS);
    const revert = [...prod].reverse().map((d) => ({
      ...d,
      status: 'rolled-back' as const,
      gap: minutes(rng.int(1, 4)),
      duration: minutes(rng.int(3, 15)),
      notes: `${incident}: reverted`,
    }));
    const end = placeRun(revert, plus(verifyAt, hours(rng.between(0.5, 30))), deployer, steps);
    const reason = `${incident}: ${symptom}; reverted to ${shipped.map((s) => `${s.service.name} ${s.previous}`).join(', ')}`;
    steps.push({
      at: plus(end, minutes(rng.int(5, 20))),
      actor: deployer,
      kind: 'transition',
      to: 'rolled-back',
      reason,
    });
    return steps;
  }

  const soak =
    slot.classification === 'emergency' ? hours(rng.between(3, 20)) : hours(rng.between(18, 70));
  steps.push({
    at: snapForward(rng, plus(verifyAt, soak), slot.team.timeZone),
    actor: requester,
    kind: 'transition',
    to: 'closed',
  });
  return steps;
}

function serviceCount(rng: Rng, classification: Classification): number {
  const weights: Record<Classification, [number, number, number]> = {
    emergency: [0.85, 0.15, 0],
    patch: [0.7, 0.3, 0],
    minor: [0.55, 0.3, 0.15],
    major: [0.3, 0.4, 0.3],
  };
  const [one, two, three] = weights[classification];
  return rng.weighted([
    [1, one],
    [2, two],
    [3, three],
  ]);
}

function pickStrategy(rng: Rng, team: TeamPlan, tier1: boolean): DeploymentStrategy {
  // Tier-1 owners shy away from big-bang; the data team's batch jobs favour it.
  const bigBang = team.name === 'data' ? 0.35 : tier1 ? 0.06 : 0.15;
  return rng.weighted<DeploymentStrategy>([
    ['big-bang', bigBang],
    ['rolling', 0.45],
    ['blue-green', 0.2],
    ['canary', 0.2],
  ]);
}

/** How many features and fixes: patches and emergencies fix, minors and majors add. */
function scopeSize(rng: Rng, classification: Classification): [features: number, fixes: number] {
  switch (classification) {
    case 'emergency':
      return [0, 1];
    case 'patch':
      return [0, rng.int(1, 3)];
    case 'minor':
      return [rng.int(1, 3), rng.int(0, 3)];
    case 'major':
      return [rng.int(3, 7), rng.int(1, 4)];
  }
}

function draftScope(rng: Rng, team: TeamPlan, classification: Classification): Scope {
  const [featureCount, fixCount] = scopeSize(rng, classification);
  const features = rng.sample(team.features, featureCount);
  const fixes = rng.sample(team.fixes, fixCount);
  const leftOut = team.features.filter((f) => !features.includes(f));
  const exclusions = featureCount > 0 && rng.chance(0.15) ? [rng.pick(leftOut)] : [];
  const workItems = [...features, ...fixes].map(
    () => `${team.workItemPrefix}-${rng.int(100, 4999)}`,
  );
  const commits = Array.from({ length: rng.int(2, 6 + 4 * featureCount) }, () =>
    rng.hex(rng.pick([7, 7, 8, 10, 12, 40])),
  );
  return { features, fixes, exclusions, workItems: [...new Set(workItems)], commits };
}

function quarterOf(at: Date): string {
  return `Q${Math.floor(at.getUTCMonth() / 3) + 1} ${at.getUTCFullYear()}`;
}

function wording(
  classification: Classification,
  scope: Scope,
  incident: number,
  quarter: string,
): { title: string; justification: string } {
  const [firstFeature = '', ...moreFeatures] = scope.features;
  const [firstFix = '', ...moreFixes] = scope.fixes;
  switch (classification) {
    case 'emergency':
      return {
        title: `Hotfix: ${firstFix}`,
        justification: `Production incident INC-${incident}: ${firstFix.toLowerCase()}. Customers are affected now; expedited under the emergency change procedure.`,
      };
    case 'patch':
      return {
        title: moreFixes.length
          ? `${firstFix} and ${moreFixes.length} more fix${moreFixes.length > 1 ? 'es' : ''}`
          : firstFix,
        justification: `Fixes reported defects before they reach more customers: ${scope.fixes.join('; ')}.`,
      };
    case 'minor':
      return {
        title: moreFeatures.length ? `${firstFeature} (+${moreFeatures.length})` : firstFeature,
        justification: `Delivers ${scope.features.join(', ')} for the ${quarter} roadmap.`,
      };
    case 'major':
      return {
        title: `${firstFeature} and ${moreFeatures.length} more features`,
        justification: `Major change agreed with product for ${quarter}: ${scope.features.join(', ')}. Breaking API changes are announced to consumers; needs CAB review.`,
      };
  }
}

function rollbackPlan(strategy: DeploymentStrategy, shipped: Shipped[]): string {
  const previous = shipped.map((s) => `${s.service.name} ${s.previous}`).join(', ');
  switch (strategy) {
    case 'big-bang':
      return `Redeploy ${previous} with the pipeline; about 15 minutes of degraded service. Schema changes are backward compatible.`;
    case 'rolling':
      return `Rolling redeploy of ${previous}; old and new versions are wire-compatible during the roll.`;
    case 'blue-green':
      return `Switch traffic back to the blue stack still running ${previous}; it stays warm for 24 hours.`;
    case 'canary':
      return `Stop the canary and route all traffic to ${previous}; automatic when error-budget burn exceeds 2x.`;
  }
}

/** What earlier releases left behind: each service's version and each team's monthly train. */
interface Released {
  versions: ReadonlyMap<string, Semver>;
  trains: ReadonlyMap<string, number>;
}

/** Picks the services a release carries, in deploy order, at their next versions. */
function ship(
  rng: Rng,
  org: Organisation,
  slot: Slot,
  current: ReadonlyMap<string, Semver>,
): { shipped: Shipped[]; versions: Map<string, Semver>; tier1: boolean } {
  const teamServices = org.servicesByTeam.get(slot.team.name)!;
  const count = Math.min(serviceCount(rng, slot.classification), teamServices.length);
  const chosen = rng.sample(teamServices, count);
  const byName = new Map(chosen.map((s) => [s.name, s]));
  const versions = new Map<string, Semver>();
  const shipped = deployOrder(org.graph, [...byName.keys()]).map((name): Shipped => {
    const service = byName.get(name)!;
    const before = current.get(name)!;
    const after = bump(before, slot.classification);
    versions.set(name, after);
    // Customer-facing and critical services run in both regions; others often in one.
    const bothRegions = service.tier <= 2 || service.customerFacing || rng.chance(0.5);
    return {
      service,
      version: formatSemver(after),
      previous: formatSemver(before),
      regions: bothRegions ? ['eu-west', 'us-east'] : ['eu-west'],
    };
  });
  return { shipped, versions, tier1: chosen.some((s) => s.tier === 1) };
}

function compose(
  rng: Rng,
  org: Organisation,
  slot: Slot,
  released: Released,
  fails: (risk: number) => boolean,
): Composed {
  const { team, classification } = slot;
  const { shipped, versions, tier1 } = ship(rng, org, slot, released.versions);
  const strategy = pickStrategy(rng, team, tier1);
  const scope = draftScope(rng, team, classification);
  const requester = rng.chance(0.08) ? RELEASE_OFFICE : team.releaseManager;
  const deployer = rng.pick(team.deployers);

  const leadUp = (classification === 'emergency' ? emergencyLeadUp : plannedLeadUp)(
    rng,
    slot,
    shipped,
    strategy,
    requester,
    deployer,
  );
  const window = {
    start: leadUp.windowStart,
    end: plus(leadUp.windowStart, hours(leadUp.windowHours)),
  };
  const deployAt = plus(window.start, minutes(rng.int(2, 20)));
  const risk = failureProbability({
    tier1,
    services: shipped.length,
    classification,
    strategy,
    features: scope.features.length,
    lateInWeek: [5, 6, 0].includes(localTime(deployAt, team.timeZone).weekday),
  });
  const outcome = drawOutcome(rng, classification, risk, fails);
  const steps =
    outcome === 'cancelled'
      ? cancel(rng, leadUp, requester, team.timeZone)
      : outcome === 'no-go'
        ? refuse(rng, leadUp)
        : [
            ...leadUp.steps,
            ...deployment(rng, slot, shipped, strategy, outcome, deployAt, { requester, deployer }),
          ];

  const month = localTime(window.start, team.timeZone);
  const train = `${team.name}/${month.year}.${String(month.month).padStart(2, '0')}`;
  const { title, justification } = wording(
    classification,
    scope,
    rng.int(1000, 9999),
    quarterOf(window.start),
  );
  const input: CreateReleaseInput = {
    title,
    version: `${train.split('/')[1]}.${(released.trains.get(train) ?? 0) + 1}`,
    classification,
    changeType: defaultChangeType(classification),
    strategy,
    team: team.name,
    services: shipped.map((s) => ({
      service: s.service.name,
      version: s.version,
      artifact: `registry.gatehouse-demo.example/${team.name}/${s.service.name}@sha256:${rng.hex(64)}`,
    })),
    scope,
    justification,
    rollbackPlan: rollbackPlan(strategy, shipped),
    plannedWindow: { start: window.start.toISOString(), end: window.end.toISOString() },
  };
  return {
    release: { createdAt: leadUp.createdAt, requester, input, steps },
    versions,
    train,
  };
}

/** What `now` sees: later steps have not happened yet, and a deployment under way shows as started. */
function asOf(release: DemoRelease, now: Date): DemoRelease {
  const steps: DemoStep[] = [];
  for (const step of release.steps) {
    if (step.at <= now) {
      steps.push(step);
      continue;
    }
    if (step.kind === 'deployment' && Date.parse(step.input.startedAt!) <= now.getTime()) {
      const { finishedAt: _unfinished, ...running } = step.input;
      steps.push({
        ...step,
        at: new Date(step.input.startedAt!),
        input: { ...running, status: 'started', notes: 'in progress' },
      });
    }
    break;
  }
  return { ...release, steps };
}

function plannedWindowStart(rng: Rng, team: TeamPlan, from: Date, days: number): Date {
  for (;;) {
    const day = localTime(plus(from, rng.between(0, days) * DAY), team.timeZone);
    if (!rng.chance(WEEKDAY_LIKELIHOOD[day.weekday]!)) continue;
    const [hour, minute] = rng.weighted(WINDOW_SLOTS);
    return zoned(day, hour, minute, team.timeZone);
  }
}

function historyAnchor(rng: Rng, team: TeamPlan, classification: Classification, now: Date): Date {
  const from = plus(now, -HISTORY_DAYS * DAY);
  // Incidents keep no office hours; planned windows do.
  if (classification === 'emergency')
    return plus(from, rng.between(0, HISTORY_DAYS - 1 / 24) * DAY);
  return plannedWindowStart(rng, team, from, HISTORY_DAYS - 1);
}

/** A window placed so that `now` is likely to find the release in `stage`. */
function inFlightAnchor(rng: Rng, team: TeamPlan, stage: ReleaseState, now: Date): Date {
  const floorTo = (at: Date, step: number): Date =>
    new Date(Math.floor(at.getTime() / step) * step);
  switch (stage) {
    case 'deploy':
      return floorTo(plus(now, -minutes(rng.between(8, 60))), minutes(5));
    case 'verify':
      return floorTo(plus(now, -hours(rng.between(3, 50))), minutes(15));
    case 'approve':
      return plannedWindowStart(rng, team, plus(now, hours(4)), 2.5);
    case 'test':
      return plannedWindowStart(rng, team, plus(now, DAY), 7);
    case 'prepare':
      return plannedWindowStart(rng, team, plus(now, 2 * DAY), 8);
    default:
      return plannedWindowStart(rng, team, plus(now, 3 * DAY), 9);
  }
}

function dealClassifications(rng: Rng): Classification[] {
  const deck = MIX.flatMap(([classification, share]) =>
    Array<Classification>(Math.round(share * RELEASE_COUNT)).fill(classification),
  );
  return rng.shuffle(deck);
}

/** Takes the next classification that is not an emergency off the deck. */
function dealPlanned(deck: Classification[]): Classification {
  const [classification] = deck.splice(
    deck.findIndex((c) => c !== 'emergency'),
    1,
  );
  return classification!;
}

export function generateDemoOrganisation(options: DemoOptions): DemoOrganisation {
  const { now } = options;
  const rng = createRng(options.seed ?? DEFAULT_DEMO_SEED);
  const org: Organisation = {
    servicesByTeam: new Map(TEAMS.map((t) => [t.name, SERVICES.filter((s) => s.team === t.name)])),
    graph: new Map(SERVICES.map((s) => [s.name, s.dependsOn ?? []])),
  };
  const versions = new Map<string, Semver>(
    SERVICES.map((s) => [s.name, [rng.int(1, 4), rng.int(0, 12), rng.int(0, 5)]]),
  );
  const trains = new Map<string, number>();
  const released: Released = { versions, trains };
  const accept = (composed: Composed): DemoRelease => {
    for (const [name, version] of composed.versions) versions.set(name, version);
    trains.set(composed.train, (trains.get(composed.train) ?? 0) + 1);
    return asOf(composed.release, now);
  };
  const pickTeam = (): TeamPlan => rng.weighted(TEAMS.map((t) => [t, t.share] as const));

  const deck = dealClassifications(rng);
  // In-flight releases need a planned window (an emergency is over within hours).
  const inFlight = IN_FLIGHT.flatMap(([stage, count]) => Array<ReleaseState>(count).fill(stage));
  const inFlightClassifications = inFlight.map(() => dealPlanned(deck));
  const slots = deck
    .map((classification): Slot => {
      const team = pickTeam();
      return { classification, team, anchor: historyAnchor(rng, team, classification, now) };
    })
    .sort((a, b) => a.anchor.getTime() - b.anchor.getTime());
  // Systematic sampling: one uniform offset, then a release fails when the running sum
  // of failure probabilities crosses a whole number. Each release still fails with
  // exactly its own logistic probability, and the year's failure count lands within one
  // of the expected count whatever the seed or `now`.
  let carry = rng.float();
  const fails = (risk: number): boolean => {
    carry += risk;
    if (carry < 1) return false;
    carry -= 1;
    return true;
  };
  const releases = slots.map((slot) => accept(compose(rng, org, slot, released, fails)));

  inFlight.forEach((stage, i) => {
    const classification = inFlightClassifications[i]!;
    let candidate: DemoRelease | undefined;
    let composed: Composed | undefined;
    // Redraw until `now` finds the release in the wanted stage: a handful of tries on average.
    for (let attempt = 0; attempt < 500; attempt++) {
      const team = pickTeam();
      composed = compose(
        rng,
        org,
        { classification, team, anchor: inFlightAnchor(rng, team, stage, now) },
        released,
        (risk) => rng.chance(risk),
      );
      candidate = asOf(composed.release, now);
      if (candidate.createdAt <= now && finalState(candidate) === stage) break;
    }
    if (composed && candidate && candidate.createdAt <= now) releases.push(accept(composed));
  });

  releases.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  const firstDay = Math.floor(releases[0]!.createdAt.getTime() / DAY) * DAY;
  return {
    since: new Date(firstDay - 7 * DAY + hours(9)),
    catalog: {
      teams: TEAMS.map((t) => ({ name: t.name, displayName: t.displayName, timeZone: t.timeZone })),
      services: SERVICES.map((s) => ({ ...s })),
      environments: environments(),
    },
    users: USERS.map((u) => ({ ...u })),
    releases,
  };
}
