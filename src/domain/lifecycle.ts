/**
 * The release lifecycle as a state machine:
 *
 *   Plan → Prepare → Test → Approve → Deploy → Verify → Closed
 *
 * with the side exits No-Go (from Approve), Failed (from Deploy), Rolled back (from
 * Deploy or Verify) and Cancelled (before Deploy). A No-Go release may be re-planned.
 *
 * Every transition has preconditions as named checks. Evaluating a transition returns
 * every check's result, so a refusal can say each reason at once, not the first only.
 */
import type { Release, ReleaseState } from './release.js';

export type DeploymentStatus = 'started' | 'succeeded' | 'failed' | 'rolled-back' | 'partial';

/** What the checks may look at besides the release itself; gathered by the app layer. */
export interface TransitionFacts {
  release: Release;
  now: Date;
  /** Name of the last environment on the promotion path, or null when none is defined. */
  productionEnvironment: string | null;
  deployments: ReadonlyArray<{ service: string; environment: string; status: DeploymentStatus }>;
  reason: string | undefined;
  /** Mandatory post-release reviews of the release that are still open. */
  openMandatoryReviews?: ReadonlyArray<{ key: string; dueAt: string }>;
}

export interface CheckResult {
  check: string;
  passed: boolean;
  reason: string;
}

export interface TransitionCheck {
  name: string;
  /** What the check demands, in the release manager's words. */
  description: string;
  evaluate(facts: TransitionFacts): CheckResult;
}

const check = (
  name: string,
  description: string,
  test: (facts: TransitionFacts) => string | null,
  passReason: string,
): TransitionCheck => ({
  name,
  description,
  evaluate(facts) {
    const failure = test(facts);
    return failure === null
      ? { check: name, passed: true, reason: passReason }
      : { check: name, passed: false, reason: failure };
  },
});

export const CHECKS = {
  servicesListed: check(
    'services-listed',
    'the release names at least one service at a version',
    (f) =>
      f.release.services.length > 0
        ? null
        : 'the release carries no service; add the services and versions it ships',
    'services and versions are listed',
  ),
  justificationPresent: check(
    'justification-present',
    'a business justification is written',
    (f) => (f.release.justification.trim() ? null : 'no business justification is written'),
    'business justification present',
  ),
  scopeDefined: check(
    'scope-defined',
    'the scope lists at least one feature or fix',
    (f) =>
      f.release.scope.features.length + f.release.scope.fixes.length > 0
        ? null
        : 'the scope lists no feature and no fix',
    'scope lists features or fixes',
  ),
  rollbackPlanPresent: check(
    'rollback-plan-present',
    'a rollback plan is written',
    (f) => (f.release.rollbackPlan.trim() ? null : 'no rollback plan is written'),
    'rollback plan present',
  ),
  plannedWindowSet: check(
    'planned-window-set',
    'a planned deployment window is set',
    (f) => (f.release.plannedWindow ? null : 'no planned window is set'),
    'planned window set',
  ),
  withinPlannedWindow: check(
    'within-planned-window',
    'production deployment starts inside the planned window (emergency changes excepted)',
    (f) => {
      if (f.release.classification === 'emergency') return null;
      const window = f.release.plannedWindow;
      if (!window) return 'no planned window is set';
      const now = f.now.getTime();
      if (now < Date.parse(window.start)) return `the planned window opens at ${window.start}`;
      if (now > Date.parse(window.end))
        return `the planned window ended at ${window.end}; plan a new one`;
      return null;
    },
    'inside the planned window',
  ),
  deployedToProduction: check(
    'deployed-to-production',
    'every service of the release is deployed successfully to production',
    (f) => {
      if (!f.productionEnvironment) return 'no production environment is defined in the catalog';
      const missing = f.release.services
        .map((s) => s.service)
        .filter(
          (service) =>
            !f.deployments.some(
              (d) =>
                d.service === service &&
                d.environment === f.productionEnvironment &&
                d.status === 'succeeded',
            ),
        );
      return missing.length === 0
        ? null
        : `no successful ${f.productionEnvironment} deployment for ${missing.join(', ')}`;
    },
    'every service is deployed to production',
  ),
  noDeploymentInProgress: check(
    'no-deployment-in-progress',
    'no deployment of the release is still running',
    (f) => {
      const running = f.deployments.filter((d) => d.status === 'started');
      return running.length === 0
        ? null
        : `deployments still running: ${running.map((d) => `${d.service} to ${d.environment}`).join(', ')}`;
    },
    'no deployment is running',
  ),
  reviewsComplete: check(
    'reviews-complete',
    'every mandatory post-release review of the release is closed',
    (f) => {
      const open = f.openMandatoryReviews ?? [];
      return open.length === 0
        ? null
        : `the mandatory post-release review ${open.map((r) => `${r.key} (due ${r.dueAt})`).join(', ')} is still open; close it first`;
    },
    'no mandatory review is open',
  ),
  reasonGiven: check(
    'reason-given',
    'a reason is given',
    (f) => (f.reason?.trim() ? null : 'this transition needs a reason'),
    'reason given',
  ),
} satisfies Record<string, TransitionCheck>;

/** Allowed transitions and the checks each must pass. */
export const TRANSITIONS: Readonly<
  Record<ReleaseState, Partial<Record<ReleaseState, TransitionCheck[]>>>
> = {
  plan: {
    prepare: [CHECKS.servicesListed, CHECKS.justificationPresent],
    cancelled: [CHECKS.reasonGiven],
  },
  prepare: {
    test: [CHECKS.scopeDefined, CHECKS.rollbackPlanPresent],
    cancelled: [CHECKS.reasonGiven],
  },
  test: {
    approve: [CHECKS.plannedWindowSet],
    cancelled: [CHECKS.reasonGiven],
  },
  approve: {
    deploy: [CHECKS.withinPlannedWindow],
    'no-go': [CHECKS.reasonGiven],
    cancelled: [CHECKS.reasonGiven],
  },
  deploy: {
    verify: [CHECKS.deployedToProduction, CHECKS.noDeploymentInProgress],
    failed: [CHECKS.reasonGiven],
    'rolled-back': [CHECKS.reasonGiven],
  },
  verify: {
    closed: [CHECKS.noDeploymentInProgress, CHECKS.reviewsComplete],
    'rolled-back': [CHECKS.reasonGiven],
  },
  'no-go': { plan: [CHECKS.reasonGiven] },
  closed: {},
  'rolled-back': {},
  failed: {},
  cancelled: {},
};

export const STATE_LABELS: Record<ReleaseState, string> = {
  plan: 'Plan',
  prepare: 'Prepare',
  test: 'Test',
  approve: 'Approve',
  deploy: 'Deploy',
  verify: 'Verify',
  closed: 'Closed',
  'no-go': 'No-Go',
  'rolled-back': 'Rolled back',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

export function nextStates(from: ReleaseState): ReleaseState[] {
  return Object.keys(TRANSITIONS[from]) as ReleaseState[];
}

export interface TransitionEvaluation {
  from: ReleaseState;
  to: ReleaseState;
  allowed: boolean;
  checks: CheckResult[];
}

export function evaluateTransition(to: ReleaseState, facts: TransitionFacts): TransitionEvaluation {
  const from = facts.release.state;
  const checks = TRANSITIONS[from][to];
  if (!checks) {
    const options = nextStates(from).map((s) => STATE_LABELS[s]);
    return {
      from,
      to,
      allowed: false,
      checks: [
        {
          check: 'transition-allowed',
          passed: false,
          reason:
            options.length === 0
              ? `a release in ${STATE_LABELS[from]} is finished and cannot move`
              : `a release in ${STATE_LABELS[from]} can move to ${options.join(' or ')}, not ${STATE_LABELS[to]}`,
        },
      ],
    };
  }
  const results = checks.map((c) => c.evaluate(facts));
  return { from, to, allowed: results.every((r) => r.passed), checks: results };
}
