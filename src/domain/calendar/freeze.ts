/**
 * The freeze rule: may this service be deployed into this environment at this instant?
 * One function, so `calendar check`, conflict detection and the gate engine's freeze
 * rule all give the same answer for the same facts.
 */
import {
  occurrenceAt,
  windowCovers,
  type CalendarWindow,
  type EnvironmentFacts,
  type ServiceFacts,
} from './window.js';

/** A recorded, audited permission for one emergency release to deploy during one freeze. */
export interface FreezeException {
  id: string;
  window: string;
  release: string;
  reason: string;
  approvedBy: string;
  approvedAt: string;
}

export interface DeploymentQuestion {
  service: ServiceFacts;
  environment: EnvironmentFacts;
  at: Date;
  /** The release being deployed, when known: only emergency releases may use exceptions. */
  release?: { key: string; changeType: string };
}

export interface WindowInForce {
  window: string;
  kind: CalendarWindow['kind'];
  timeZone: string;
  start: string;
  end: string;
  description: string;
}

export interface FreezeDecision {
  allowed: boolean;
  at: string;
  /** The freezes that forbid the deployment now. */
  forbiddenBy: WindowInForce[];
  /** When a deployment first becomes allowed again, if it is forbidden now. */
  allowedFrom: string | null;
  /** Freezes passed because an emergency exception was approved. */
  passedByException: Array<WindowInForce & { exception: FreezeException }>;
  /** Release and maintenance windows in force, for information. */
  inWindows: WindowInForce[];
}

function inForce(window: CalendarWindow, start: number, end: number): WindowInForce {
  return {
    window: window.name,
    kind: window.kind,
    timeZone: window.timeZone,
    start: new Date(start).toISOString(),
    end: new Date(end).toISOString(),
    description: window.description,
  };
}

/** Freezes back to back (a weekend freeze running into a holiday freeze) are followed. */
const MAX_CHAINED_FREEZES = 100;

export function decideFreeze(
  windows: readonly CalendarWindow[],
  question: DeploymentQuestion,
  exceptions: readonly FreezeException[] = [],
): FreezeDecision {
  const covering = windows.filter((w) => windowCovers(w, question.service, question.environment));
  const emergency = question.release?.changeType === 'emergency';
  const exceptionFor = (window: CalendarWindow) =>
    emergency
      ? exceptions.find((e) => e.window === window.name && e.release === question.release?.key)
      : undefined;
  const blockingAt = (at: number) =>
    covering
      .filter((w) => w.kind === 'freeze' && !exceptionFor(w))
      .flatMap((w) => {
        const occurrence = occurrenceAt(w, at);
        return occurrence ? [occurrence] : [];
      });

  const at = question.at.getTime();
  const blocking = blockingAt(at);
  let allowedFrom: number | null = null;
  if (blocking.length > 0) {
    let candidate = Math.max(...blocking.map((o) => o.end));
    for (let i = 0; i < MAX_CHAINED_FREEZES; i++) {
      const next = blockingAt(candidate);
      if (next.length === 0) break;
      candidate = Math.max(...next.map((o) => o.end));
    }
    allowedFrom = candidate;
  }
  const passedByException = covering.flatMap((w) => {
    const exception = exceptionFor(w);
    const occurrence = w.kind === 'freeze' && exception ? occurrenceAt(w, at) : null;
    return occurrence && exception
      ? [{ ...inForce(w, occurrence.start, occurrence.end), exception }]
      : [];
  });
  const inWindows = covering
    .filter((w) => w.kind !== 'freeze')
    .flatMap((w) => {
      const occurrence = occurrenceAt(w, at);
      return occurrence ? [inForce(w, occurrence.start, occurrence.end)] : [];
    });
  return {
    allowed: blocking.length === 0,
    at: question.at.toISOString(),
    forbiddenBy: blocking.map((o) => inForce(o.window, o.start, o.end)),
    allowedFrom: allowedFrom === null ? null : new Date(allowedFrom).toISOString(),
    passedByException,
    inWindows,
  };
}
