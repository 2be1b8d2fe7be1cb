/**
 * Deciding a staged rollout's next move from its health: roll back when a trigger trips
 * during the trigger window (the circuit breaker halts every later step), promote to the
 * next step when the SLOs have held for the sustained period, otherwise hold. Every
 * decision carries the evidence it was made on. Pure: the caller records and notifies.
 */
import type { CanaryJudgement } from '../canary/judgement.js';
import { rollbackOrder, type DependencyEdges } from '../dependency-graph.js';
import {
  checkObservation,
  DEFAULT_ACCEPTANCE_CRITERIA,
  type AcceptanceCriteria,
  type CriterionCheck,
  type HealthBaseline,
  type HealthObservation,
} from './acceptance-criteria.js';

export interface StagedRollout {
  /** Traffic percentages of the steps, ascending, e.g. [5, 25, 50, 100]. */
  steps: number[];
  /** Index in `steps` of the step now deployed. */
  current: number;
  /** When the current step started taking traffic. */
  stepStartedAt: string;
}

export interface RolloutDecisionInput {
  rollout: StagedRollout;
  baseline: HealthBaseline;
  observations: readonly HealthObservation[];
  now: string;
  criteria?: Partial<AcceptanceCriteria>;
  /** A canary verdict for the step, if one was run: a roll-back or hold verdict binds. */
  canary?: Pick<CanaryJudgement, 'decision' | 'reason'>;
  /** For a multi-service release: its services and their dependency edges. */
  services?: { names: string[]; edges: DependencyEdges };
}

export interface RolloutDecision {
  decision: 'promote' | 'hold' | 'roll-back';
  reason: string;
  /** The traffic percentage to move to: the next step, 0 on roll-back, the same on hold. */
  nextPercent: number;
  /** The circuit breaker tripped: no later step may start without a new decision. */
  halted: boolean;
  /** The checks that decided it: the tripping breaches, or the sustained healthy run. */
  evidence: CriterionCheck[];
  /** Dependents first, so nothing runs against an older dependency than it expects. */
  rollbackOrder: string[];
  healthyMinutes: number;
}

const minutes = (from: string, to: string) => (Date.parse(to) - Date.parse(from)) / 60_000;

export function decideRollout(input: RolloutDecisionInput): RolloutDecision {
  const criteria = { ...DEFAULT_ACCEPTANCE_CRITERIA, ...input.criteria };
  const { rollout, now } = input;
  const current = rollout.steps[rollout.current];
  if (current === undefined) throw new RangeError(`step ${rollout.current} is not in the rollout`);
  const order = input.services ? rollbackOrder(input.services.edges, input.services.names) : [];
  const observations = input.observations
    .filter(
      (o) =>
        Date.parse(o.at) >= Date.parse(rollout.stepStartedAt) &&
        Date.parse(o.at) <= Date.parse(now),
    )
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const checked = observations.map((o) => ({
    observation: o,
    checks: checkObservation(o, input.baseline, criteria),
  }));

  // Circuit breaker: enough consecutive breaching looks inside the trigger window.
  let streak: CriterionCheck[] = [];
  let count = 0;
  for (const { observation, checks } of checked) {
    if (minutes(rollout.stepStartedAt, observation.at) > criteria.triggerWindowMinutes) break;
    // Missing data is not a breach (it cannot trip a rollback) but it is not healthy either.
    const breaches = checks.filter((c) => !c.met && c.observed !== null);
    if (breaches.length === 0) {
      streak = [];
      count = 0;
      continue;
    }
    streak.push(...breaches);
    count += 1;
    if (count >= criteria.breachesToTrip)
      return {
        decision: 'roll-back',
        reason: `rollback trigger at ${current} %: ${breaches.map((b) => b.reason).join('; ')}`,
        nextPercent: 0,
        halted: true,
        evidence: streak,
        rollbackOrder: order,
        healthyMinutes: 0,
      };
  }

  if (input.canary?.decision === 'roll-back')
    return {
      decision: 'roll-back',
      reason: `canary analysis failed: ${input.canary.reason}`,
      nextPercent: 0,
      halted: true,
      evidence: [],
      rollbackOrder: order,
      healthyMinutes: 0,
    };

  // The latest unbroken run of fully healthy observations, up to now.
  let runStart: string | null = null;
  let previous: string | null = null;
  let run: CriterionCheck[] = [];
  for (const { observation, checks } of checked) {
    const healthy = checks.every((c) => c.met);
    const gap = previous !== null && minutes(previous, observation.at) > criteria.maxGapMinutes;
    if (!healthy || gap) {
      runStart = null;
      run = [];
    }
    if (healthy) {
      runStart ??= observation.at;
      run.push(...checks);
    }
    previous = observation.at;
  }
  const stale = previous === null || minutes(previous, now) > criteria.maxGapMinutes;
  const healthyMinutes = runStart && !stale ? minutes(runStart, now) : 0;
  const hold = (reason: string): RolloutDecision => ({
    decision: 'hold',
    reason,
    nextPercent: current,
    halted: false,
    evidence: run,
    rollbackOrder: order,
    healthyMinutes,
  });
  if (healthyMinutes < criteria.sustainedMinutes) {
    const why = stale
      ? `no health data in the last ${criteria.maxGapMinutes} minutes`
      : `SLOs met for ${healthyMinutes.toFixed(0)} of the ${criteria.sustainedMinutes} sustained minutes needed`;
    return hold(`holding at ${current} %: ${why}`);
  }
  if (input.canary && input.canary.decision !== 'promote')
    return hold(`holding at ${current} %: canary analysis not passed: ${input.canary.reason}`);
  const next = rollout.steps[rollout.current + 1] ?? current;
  return {
    decision: 'promote',
    reason:
      next === current
        ? `SLOs met for ${healthyMinutes.toFixed(0)} minutes at ${current} %: the rollout is complete`
        : `SLOs met for ${healthyMinutes.toFixed(0)} minutes at ${current} %: promote to ${next} %`,
    nextPercent: next,
    halted: false,
    evidence: run,
    rollbackOrder: order,
    healthyMinutes,
  };
}
