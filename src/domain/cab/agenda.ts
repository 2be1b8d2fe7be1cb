/**
 * The CAB agenda builds itself: every undecided release whose policy sends it to a CAB
 * and whose planned window starts before the board next sits, highest risk first. Each
 * item carries the evaluation criteria with links to the evidence behind them, so the
 * board reads facts rather than assurances.
 */
import type { RiskLevel } from '../risk/score.js';
import type { CabDecision } from './decision.js';

/** A link to where the evidence for a criterion can be read (an API path). */
export interface EvidenceLink {
  title: string;
  href: string;
}

export type CriterionStatus = 'ok' | 'attention' | 'unknown';

export interface Criterion {
  status: CriterionStatus;
  summary: string;
  links: EvidenceLink[];
}

export interface AgendaItem {
  release: string;
  title: string;
  version: string;
  classification: string;
  state: string;
  team: string | null;
  environment: string;
  policy: string | null;
  approvalPath: string;
  plannedWindow: { start: string; end: string };
  risk: Criterion & {
    score: number;
    level: RiskLevel;
    topFactors: Array<{ factor: string; points: number; explanation: string }>;
  };
  testing: Criterion & {
    rules: Array<{ rule: string; result: string; reason: string }>;
  };
  businessImpact: Criterion & {
    customerFacingChanged: string[];
    customerFacingDownstream: string[];
    downstream: string[];
  };
  rollbackReadiness: Criterion & { rollbackPlan: string; rollbackOrder: string[] };
  operationalReadiness: Criterion & {
    priorEnvironment: { rule: string; result: string; reason: string } | null;
    gateVerdict: 'pass' | 'fail';
  };
  /** The decision already taken on this item at this meeting, if any. */
  decision: CabDecision | null;
}

/**
 * Highest risk first; equal scores by the earlier window (it is needed sooner), then by
 * key so the order is stable.
 */
export function orderAgenda<
  T extends Pick<AgendaItem, 'release' | 'plannedWindow'> & {
    risk: { score: number };
  },
>(items: readonly T[]): T[] {
  return [...items].sort(
    (a, b) =>
      b.risk.score - a.risk.score ||
      Date.parse(a.plannedWindow.start) - Date.parse(b.plannedWindow.start) ||
      a.release.localeCompare(b.release, 'en', { numeric: true }),
  );
}

/** Does a planned window fall within the agenda's horizon (before the next meeting)? */
export function withinHorizon(windowStart: string, nextMeetingStart: string | null): boolean {
  return nextMeetingStart === null || Date.parse(windowStart) < Date.parse(nextMeetingStart);
}

export const CAB_PATHS = ['cab', 'emergency-cab'] as const;

export function needsCab(path: string | undefined | null): boolean {
  return path !== undefined && path !== null && (CAB_PATHS as readonly string[]).includes(path);
}
