/**
 * Incidents: something went wrong in production, on one service, at a severity from 1
 * (worst) to 4. The four instants tell how long it took to notice (MTTD) and to restore
 * (MTTR); the deployments linked to an incident are the changes that caused it, which is
 * what the change-failure rate counts.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from './errors.js';
import { Instant, ShortText, Slug, StrictObject } from './schema-kit.js';

export const SEVERITIES = [1, 2, 3, 4] as const;
export type Severity = (typeof SEVERITIES)[number];

const SeveritySchema = Type.Integer({
  minimum: 1,
  maximum: 4,
  description: '1 is the worst (customers cannot work), 4 the mildest',
});

export const CreateIncidentInput = StrictObject({
  title: ShortText,
  severity: SeveritySchema,
  service: Slug,
  startedAt: Instant,
  detectedAt: Type.Optional(Instant),
  acknowledgedAt: Type.Optional(Instant),
  resolvedAt: Type.Optional(Instant),
  /** Deployments known to have caused it, linked at once. */
  causedBy: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 50, uniqueItems: true }),
  ),
});
export type CreateIncidentInput = Static<typeof CreateIncidentInput>;

export const LinkDeploymentInput = StrictObject({
  deployment: Type.String({ minLength: 1, maxLength: 100, description: 'deployment id' }),
  reason: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
});
export type LinkDeploymentInput = Static<typeof LinkDeploymentInput>;

export interface IncidentTimes {
  startedAt: string;
  detectedAt: string;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
}

export interface CausingDeployment {
  deployment: string;
  release: string;
  service: string;
  environment: string;
  finishedAt: string | null;
  reason: string;
  linkedBy: string;
  linkedAt: string;
}

export interface Incident extends IncidentTimes {
  id: string;
  key: string;
  title: string;
  severity: Severity;
  service: string;
  team: string;
  source: string;
  reporter: string;
  revision: number;
  /** Milliseconds from start to detection. */
  timeToDetectMs: number;
  /** Milliseconds from start to resolution; null while open. */
  timeToRestoreMs: number | null;
  causedBy: CausingDeployment[];
  createdAt: string;
  updatedAt: string;
}

/**
 * The instants must follow each other: started ≤ detected ≤ acknowledged ≤ resolved,
 * none in the future. Every broken order is reported against the later field; an
 * instant not (yet) known is skipped.
 */
export function checkIncidentTimes(
  times: Omit<IncidentTimes, 'detectedAt'> & { detectedAt: string | null },
  now: Date,
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const order: Array<[keyof IncidentTimes, string | null]> = [
    ['startedAt', times.startedAt],
    ['detectedAt', times.detectedAt],
    ['acknowledgedAt', times.acknowledgedAt],
    ['resolvedAt', times.resolvedAt],
  ];
  const label: Record<keyof IncidentTimes, string> = {
    startedAt: 'started',
    detectedAt: 'was detected',
    acknowledgedAt: 'was acknowledged',
    resolvedAt: 'was resolved',
  };
  for (const [field, value] of order) {
    if (value && Date.parse(value) > now.getTime())
      problems.push({ field: `/${field}`, reason: `${value} is in the future` });
  }
  for (let i = 1; i < order.length; i++) {
    const [field, value] = order[i]!;
    if (!value) continue;
    for (let j = i - 1; j >= 0; j--) {
      const [earlierField, earlier] = order[j]!;
      if (!earlier) continue;
      if (Date.parse(value) < Date.parse(earlier))
        problems.push({
          field: `/${field}`,
          reason: `an incident cannot be ${label[field].replace(/^was /, '')} (${value}) before it ${label[earlierField]} (${earlier})`,
        });
      break;
    }
  }
  return problems;
}

export function timeToDetectMs(times: IncidentTimes): number {
  return Date.parse(times.detectedAt) - Date.parse(times.startedAt);
}

export function timeToRestoreMs(times: IncidentTimes): number | null {
  return times.resolvedAt ? Date.parse(times.resolvedAt) - Date.parse(times.startedAt) : null;
}

/** A production deployment that might have caused an incident, as the store found it. */
export interface CandidateDeployment {
  deployment: string;
  release: string;
  service: string;
  version: string;
  environment: string;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  /** The incident's own service, or one it depends on. */
  relation: 'same-service' | 'dependency';
}

export interface SuggestedCause extends CandidateDeployment {
  /** 0–1: higher is likelier. */
  score: number;
  reason: string;
}

/** How far back a deployment may still be the cause of an incident. */
export const SUGGESTION_WINDOW_MS = 24 * 3600_000;

const describeGap = (ms: number): string => {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 120) return `${minutes} min`;
  return `${(minutes / 60).toFixed(1)} h`;
};

/**
 * Ranks candidate deployments: the incident's own service before its dependencies, and
 * nearer in time before further. A deployment that landed after the incident started
 * cannot have caused it and is dropped; so is one older than the suggestion window.
 */
export function suggestCauses(
  incident: { service: string; startedAt: string },
  candidates: readonly CandidateDeployment[],
): SuggestedCause[] {
  const started = Date.parse(incident.startedAt);
  const suggestions: SuggestedCause[] = [];
  for (const candidate of candidates) {
    const landed = Date.parse(candidate.finishedAt ?? candidate.startedAt);
    const gap = started - Date.parse(candidate.startedAt);
    if (gap < 0 || started - landed > SUGGESTION_WINDOW_MS) continue;
    const nearness = 1 - Math.max(0, started - landed) / SUGGESTION_WINDOW_MS;
    const weight = candidate.relation === 'same-service' ? 1 : 0.6;
    const when =
      landed > started
        ? `was still deploying when the incident started`
        : `finished ${describeGap(started - landed)} before the incident started`;
    const which =
      candidate.relation === 'same-service'
        ? `${candidate.service} ${candidate.version} (the incident's service)`
        : `${candidate.service} ${candidate.version} (a dependency of ${incident.service})`;
    suggestions.push({
      ...candidate,
      score: Math.round(weight * nearness * 1000) / 1000,
      reason: `${which} ${when} in ${candidate.environment}, release ${candidate.release}, status ${candidate.status}`,
    });
  }
  return suggestions.sort((a, b) => b.score - a.score || a.deployment.localeCompare(b.deployment));
}
