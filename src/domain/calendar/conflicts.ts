/**
 * Conflict detection for planned releases: the same service twice, a shared
 * environment, dependent services at once, more releases than an environment or a
 * release window holds, and releases planned inside a freeze. A sweep over releases in
 * start order compares each only with those still in progress, so a year of releases
 * costs about n × (releases at once), not n². A year's detection finds tens of thousands
 * of conflicts, so the inner loops work on epoch milliseconds and build nothing until a
 * conflict is found (ADR 2400-1; bench: calendar).
 */
import type { DependencyEdges } from '../dependency-graph.js';
import type { FreezeException } from './freeze.js';
import { freezeConflicts } from './freeze-conflicts.js';
import { instantText as iso } from './instant-text.js';
import {
  earlierEnd,
  exactly,
  expansionsFor,
  firstOverlapping,
  firstStartingFrom,
  laterStart,
  longestOf,
  type Expansions,
  type Planned,
} from './planned.js';
import type { CalendarWindow } from './window.js';

export const CONFLICT_KINDS = [
  'same-service',
  'shared-environment',
  'dependent-services',
  'over-capacity',
  'inside-freeze',
] as const;
export type ConflictKind = (typeof CONFLICT_KINDS)[number];

export interface PlannedRelease {
  key: string;
  services: readonly string[];
  /** null: not yet said, so judged against every environment. */
  environment: string | null;
  changeType: string;
  start: number;
  end: number;
}

export interface Conflict {
  kind: ConflictKind;
  releases: string[];
  reason: string;
  from: string;
  to: string;
  services?: string[];
  environment?: string;
  window?: string;
}

export interface PlanningFacts {
  releases: readonly PlannedRelease[];
  windows: readonly CalendarWindow[];
  edges: DependencyEdges;
  services: ReadonlyMap<string, { tier: number }>;
  environments: ReadonlyMap<string, { capacity: number | null; regions: readonly string[] }>;
  exceptions?: readonly FreezeException[];
}

/** Every service each service depends on, directly or not. */
function dependencyClosure(edges: DependencyEdges): Map<string, Set<string>> {
  const closure = new Map<string, Set<string>>();
  const visit = (node: string): Set<string> => {
    const known = closure.get(node);
    if (known) return known;
    const found = new Set<string>();
    closure.set(node, found);
    for (const next of edges.get(node) ?? []) {
      found.add(next);
      for (const deeper of visit(next)) found.add(deeper);
    }
    return found;
  };
  for (const node of edges.keys()) visit(node);
  return closure;
}

/** The conflicts between two overlapping releases, `a` the earlier in start order. */
function pairConflicts(
  a: Planned,
  b: Planned,
  closure: Map<string, Set<string>>,
  found: Conflict[],
): void {
  // Releases in different environments do not meet; most overlapping pairs end here.
  if (a.environment !== null && b.environment !== null && a.environment !== b.environment) return;
  const where = a.environment ?? b.environment;
  const shared = sharedServices(a.services, b.services);
  let dependent: string[] | null = null;
  for (const x of a.services) {
    const belowX = closure.get(x);
    for (const y of b.services) {
      if (x === y) continue;
      if (belowX?.has(y)) (dependent ??= []).push(`${x} → ${y}`);
      else if (closure.get(y)?.has(x)) (dependent ??= []).push(`${y} → ${x}`);
    }
  }
  const bothDeployed = where && a.environment !== null && b.environment !== null;
  if (!shared && !dependent && !bothDeployed) return;
  const from = laterStart(a, b);
  const to = earlierEnd(a, b);
  const releases = [a.key, b.key];
  // Words the pair's conflicts share, written once.
  const both = `${a.key} and ${b.key}`;
  const between = ` between ${from} and ${to}`;
  if (shared)
    found.push(
      withEnvironment(
        {
          kind: 'same-service',
          releases,
          services: shared,
          from,
          to,
          reason: `${both} both change ${shared.length === 1 ? shared[0]! : shared.join(', ')}${between}`,
        },
        where,
      ),
    );
  if (dependent) {
    const pairs = dependent.length > 1 ? [...new Set(dependent)] : [dependent[0]!];
    found.push(
      withEnvironment(
        {
          kind: 'dependent-services',
          releases,
          services: pairs,
          from,
          to,
          reason: `${both} change services that depend on each other (${pairs.join('; ')}) in overlapping windows`,
        },
        where,
      ),
    );
  }
  if (bothDeployed)
    found.push({
      kind: 'shared-environment',
      releases,
      environment: where,
      from,
      to,
      reason: `${both} are both deployed into ${where}${between}`,
    });
}

/** The services both releases change, in the first one's order, or null for none. */
function sharedServices(a: readonly string[], b: readonly string[]): string[] | null {
  let count = 0;
  for (const s of a) if (b.includes(s)) count++;
  return count === 0 ? null : exactly(count, a, (s) => b.includes(s));
}

function withEnvironment(conflict: Conflict, environment: string | null): Conflict {
  if (environment) conflict.environment = environment;
  return conflict;
}

/** A period in which more releases than the capacity are in progress at once. */
interface Overload {
  releases: string[];
  fromIso: string;
  toIso: string;
}

/**
 * Periods where more of `releases` (in start order) than `capacity` are in progress at
 * once: a sweep over starts and ends, ends first at the same instant so back-to-back
 * releases do not overlap.
 */
function overloads(releases: readonly Planned[], capacity: number): Overload[] {
  const found: Overload[] = [];
  if (releases.length <= capacity) return found;
  const byEnd = releases.slice().sort((x, y) => x.end - y.end);
  const active = new Set<string>();
  let open: { fromIso: string; keys: Set<string> } | null = null;
  let next = 0;
  for (let ended = 0; ended < byEnd.length;) {
    const starting = next < releases.length && releases[next]!.start < byEnd[ended]!.end;
    let atIso: string;
    if (starting) {
      const release = releases[next++]!;
      active.add(release.key);
      atIso = release.startIso;
    } else {
      const release = byEnd[ended++]!;
      active.delete(release.key);
      atIso = release.endIso;
    }
    if (active.size > capacity) {
      open ??= { fromIso: atIso, keys: new Set() };
      for (const key of active) open.keys.add(key);
    } else if (open) {
      found.push({ releases: [...open.keys].sort(), fromIso: open.fromIso, toIso: atIso });
      open = null;
    }
  }
  return found;
}

function overCapacity(
  overload: Overload,
  environment: string,
  capacity: number,
  window?: string,
): Conflict {
  const { releases, fromIso, toIso } = overload;
  return {
    kind: 'over-capacity',
    releases,
    environment,
    from: fromIso,
    to: toIso,
    reason: `${releases.length} releases overlap in ${window ? `release window ${window} (${environment})` : environment} from ${fromIso} to ${toIso}; it holds ${capacity} at once`,
    ...(window ? { window } : {}),
  };
}

/**
 * A release window with a capacity counts the releases planned inside each occurrence.
 * Windows alike in occurrences, environments and capacity count the same releases, so
 * each such count is made once and reported for every window that shares it.
 */
function windowCapacityConflicts(
  facts: PlanningFacts,
  sorted: readonly Planned[],
  expansions: Expansions,
  longest: number,
  found: Conflict[],
): void {
  const counted = new Map<string, Overload[]>();
  for (const window of facts.windows) {
    if (window.kind !== 'release' || window.capacity === null) continue;
    const capacity = window.capacity;
    const key = `${expansions.keyOf(window)}|${JSON.stringify(window.environments)}|${capacity}`;
    let overloaded = counted.get(key);
    if (!overloaded) {
      overloaded = [];
      const environments = window.environments;
      for (const occurrence of expansions.of(window)) {
        const inside: Planned[] = [];
        const past = firstStartingFrom(sorted, occurrence.end);
        for (let i = firstOverlapping(sorted, longest, occurrence.start, past); i < past; i++) {
          const r = sorted[i]!;
          if (
            r.end > occurrence.start &&
            (environments.length === 0 ||
              r.environment === null ||
              environments.includes(r.environment))
          )
            inside.push(r);
        }
        for (const overload of overloads(inside, capacity)) overloaded.push(overload);
      }
      counted.set(key, overloaded);
    }
    const label = window.environments.join(', ') || 'any environment';
    // Each window's conflicts get their own list of releases: nothing shared between them.
    for (const { releases, fromIso, toIso } of overloaded)
      found.push(
        overCapacity({ releases: releases.slice(), fromIso, toIso }, label, capacity, window.name),
      );
  }
}

export function detectConflicts(facts: PlanningFacts): Conflict[] {
  const sorted: Planned[] = facts.releases
    .map((r): Planned => ({
      key: r.key,
      services: r.services,
      environment: r.environment,
      changeType: r.changeType,
      start: r.start,
      end: r.end,
      index: 0,
      startIso: iso(r.start),
      endIso: iso(r.end),
    }))
    .sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
  if (sorted.length === 0) return [];
  let lastEnd = -Infinity;
  sorted.forEach((release, index) => {
    release.index = index;
    if (release.end > lastEnd) lastEnd = release.end;
  });
  const expansions = expansionsFor(sorted[0]!.start, lastEnd);
  const closure = dependencyClosure(facts.edges);
  const conflicts: Conflict[] = [];
  // Releases still in progress when the next one starts, in start order.
  const active: Planned[] = [];
  for (const release of sorted) {
    let kept = 0;
    for (const other of active) if (other.end > release.start) active[kept++] = other;
    active.length = kept;
    for (const other of active) pairConflicts(other, release, closure, conflicts);
    active.push(release);
  }
  for (const [name, environment] of facts.environments) {
    if (environment.capacity === null) continue;
    const inEnvironment = sorted.filter((r) => r.environment === name);
    for (const overload of overloads(inEnvironment, environment.capacity))
      conflicts.push(overCapacity(overload, name, environment.capacity));
  }
  windowCapacityConflicts(facts, sorted, expansions, longestOf(sorted), conflicts);
  freezeConflicts(facts, sorted, expansions, conflicts);
  return conflicts;
}
