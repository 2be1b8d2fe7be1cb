/**
 * Conflict detection for planned releases: the same service twice, a shared
 * environment, dependent services at once, more releases than an environment or a
 * release window holds, and releases planned inside a freeze. A sweep over releases in
 * start order compares each only with those still in progress, so a year of releases
 * costs about n × (releases at once), not n².
 */
import type { DependencyEdges } from '../dependency-graph.js';
import type { FreezeException } from './freeze.js';
import {
  occurrencesBetween,
  windowCovers,
  type CalendarWindow,
  type Occurrence,
} from './window.js';

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

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A release or an occurrence with its bounds already written out: a year's detection
 * names the same instants in tens of thousands of conflicts, so each is formatted once.
 */
interface Planned extends PlannedRelease {
  startIso: string;
  endIso: string;
}
interface Span extends Occurrence {
  startIso: string;
  endIso: string;
}
const laterStart = (
  a: { start: number; startIso: string },
  b: { start: number; startIso: string },
) => (a.start >= b.start ? a.startIso : b.startIso);
const earlierEnd = (a: { end: number; endIso: string }, b: { end: number; endIso: string }) =>
  a.end <= b.end ? a.endIso : b.endIso;

/**
 * Windows that recur alike (every team's "Friday evening to Monday morning" freeze in the
 * same zone) are expanded once per detection and shared.
 */
function expansionsFor(from: number, to: number) {
  const expanded = new Map<string, Array<Omit<Span, 'window'>>>();
  return (window: CalendarWindow): Span[] => {
    const key = `${window.rrule ?? ''}|${window.start}|${window.end}|${window.timeZone}`;
    let spans = expanded.get(key);
    if (!spans) {
      spans = occurrencesBetween(window, from, to).map(({ start, end }) => ({
        start,
        end,
        startIso: iso(start),
        endIso: iso(end),
      }));
      expanded.set(key, spans);
    }
    return spans.map(({ start, end, startIso, endIso }) => ({
      window,
      start,
      end,
      startIso,
      endIso,
    }));
  };
}
type Expand = ReturnType<typeof expansionsFor>;

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

const sameEnvironment = (a: PlannedRelease, b: PlannedRelease) =>
  a.environment === null || b.environment === null || a.environment === b.environment;

function pairConflicts(a: Planned, b: Planned, closure: Map<string, Set<string>>): Conflict[] {
  const from = laterStart(a, b);
  const to = earlierEnd(a, b);
  const releases = [a.key, b.key];
  const found: Conflict[] = [];
  if (!sameEnvironment(a, b)) return found;
  const where = a.environment ?? b.environment;
  const shared = a.services.filter((s) => b.services.includes(s));
  if (shared.length > 0)
    found.push({
      kind: 'same-service',
      releases,
      services: shared,
      from,
      to,
      reason: `${a.key} and ${b.key} both change ${shared.join(', ')} between ${from} and ${to}`,
      ...(where ? { environment: where } : {}),
    });
  const dependent: string[] = [];
  for (const x of a.services)
    for (const y of b.services)
      if (x !== y && (closure.get(x)?.has(y) || closure.get(y)?.has(x)))
        dependent.push(closure.get(x)?.has(y) ? `${x} → ${y}` : `${y} → ${x}`);
  if (dependent.length > 0)
    found.push({
      kind: 'dependent-services',
      releases,
      services: [...new Set(dependent)],
      from,
      to,
      reason: `${a.key} and ${b.key} change services that depend on each other (${[...new Set(dependent)].join('; ')}) in overlapping windows`,
      ...(where ? { environment: where } : {}),
    });
  if (where && a.environment !== null && b.environment !== null)
    found.push({
      kind: 'shared-environment',
      releases,
      environment: where,
      from,
      to,
      reason: `${a.key} and ${b.key} are both deployed into ${where} between ${from} and ${to}`,
    });
  return found;
}

/** Periods where more releases than `capacity` are in progress at once, per environment. */
function capacityConflicts(
  releases: readonly Planned[],
  environment: string,
  capacity: number,
  window?: string,
): Conflict[] {
  const events = releases.flatMap((r) => [
    { at: r.start, atIso: r.startIso, delta: 1, key: r.key },
    { at: r.end, atIso: r.endIso, delta: -1, key: r.key },
  ]);
  // Ends before starts at the same instant: back-to-back releases do not overlap.
  events.sort((x, y) => x.at - y.at || x.delta - y.delta);
  const active = new Set<string>();
  const found: Conflict[] = [];
  let open: { fromIso: string; keys: Set<string> } | null = null;
  for (const event of events) {
    if (event.delta > 0) active.add(event.key);
    else active.delete(event.key);
    if (active.size > capacity) {
      open ??= { fromIso: event.atIso, keys: new Set() };
      for (const key of active) open.keys.add(key);
    } else if (open) {
      const keys = [...open.keys].sort();
      found.push({
        kind: 'over-capacity',
        releases: keys,
        environment,
        from: open.fromIso,
        to: event.atIso,
        reason: `${keys.length} releases overlap in ${window ? `release window ${window} (${environment})` : environment} from ${open.fromIso} to ${event.atIso}; it holds ${capacity} at once`,
        ...(window ? { window } : {}),
      });
      open = null;
    }
  }
  return found;
}

/**
 * For each freeze, each occurrence and each service it covers, the releases of that
 * service overlapping the occurrence, found by binary search among that service's
 * releases alone: a freeze scoped to three services looks at their releases, not at
 * every release of the year.
 */
function freezeConflicts(
  facts: PlanningFacts,
  sorted: readonly Planned[],
  expand: Expand,
): Conflict[] {
  const byService = new Map<string, Planned[]>();
  for (const release of sorted)
    for (const service of release.services) {
      const list = byService.get(service);
      if (list) list.push(release);
      else byService.set(service, [release]);
    }
  const longestOf = new Map(
    [...byService].map(([service, list]) => [
      service,
      Math.max(...list.map((r) => r.end - r.start)),
    ]),
  );
  const allEnvironments = [...facts.environments.keys()];
  const found: Conflict[] = [];
  for (const window of facts.windows) {
    if (window.kind !== 'freeze') continue;
    const coveredIn = new Map<string, Set<string>>();
    for (const environment of allEnvironments) {
      const regions = facts.environments.get(environment)?.regions ?? [];
      const names = new Set<string>();
      // A freeze scoped to named services need only look at those.
      const candidates = window.scope.services ?? [...byService.keys()];
      for (const name of candidates) {
        const s = facts.services.get(name);
        if (
          s &&
          byService.has(name) &&
          windowCovers(window, { name, tier: s.tier }, { name: environment, regions })
        )
          names.add(name);
      }
      if (names.size > 0) coveredIn.set(environment, names);
    }
    const services = new Set([...coveredIn.values()].flatMap((names) => [...names]));
    if (services.size === 0) continue;
    const isCovered = (release: Planned, name: string) =>
      release.environment
        ? coveredIn.get(release.environment)?.has(name) === true
        : allEnvironments.some((env) => coveredIn.get(env)?.has(name));
    for (const occurrence of expand(window)) {
      const seen = new Set<Planned>();
      for (const service of services)
        for (const release of overlapping(
          byService.get(service)!,
          longestOf.get(service)!,
          occurrence.start,
          occurrence.end,
        )) {
          if (seen.has(release)) continue;
          seen.add(release);
          const hit = release.services.filter((name) => isCovered(release, name));
          if (hit.length === 0 || excepted(facts, release, window)) continue;
          found.push(freezeConflict(release, occurrence, hit));
        }
    }
  }
  return found;
}

function excepted(facts: PlanningFacts, release: PlannedRelease, window: CalendarWindow): boolean {
  return (
    release.changeType === 'emergency' &&
    (facts.exceptions ?? []).some((e) => e.window === window.name && e.release === release.key)
  );
}

function freezeConflict(release: Planned, occurrence: Span, covered: string[]): Conflict {
  const { window } = occurrence;
  const from = laterStart(release, occurrence);
  const to = earlierEnd(release, occurrence);
  const conflict: Conflict = {
    kind: 'inside-freeze',
    releases: [release.key],
    services: covered,
    window: window.name,
    from,
    to,
    reason: `${release.key} is planned during freeze ${window.name} (${occurrence.startIso} – ${occurrence.endIso}), which covers ${covered.join(', ')}`,
  };
  if (release.environment) conflict.environment = release.environment;
  return conflict;
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
      startIso: iso(r.start),
      endIso: iso(r.end),
    }))
    .sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
  if (sorted.length === 0) return [];
  const expand = expansionsFor(sorted[0]!.start, Math.max(...sorted.map((r) => r.end)));
  const closure = dependencyClosure(facts.edges);
  const conflicts: Conflict[] = [];
  let active: Planned[] = [];
  for (const release of sorted) {
    active = active.filter((other) => other.end > release.start);
    for (const other of active) conflicts.push(...pairConflicts(other, release, closure));
    active.push(release);
  }
  for (const [name, environment] of facts.environments) {
    if (environment.capacity === null) continue;
    const inEnvironment = sorted.filter((r) => r.environment === name);
    conflicts.push(...capacityConflicts(inEnvironment, name, environment.capacity));
  }
  conflicts.push(...windowCapacityConflicts(facts, sorted, expand));
  conflicts.push(...freezeConflicts(facts, sorted, expand));
  return conflicts;
}

/** A release window with a capacity counts the releases planned inside each occurrence. */
function windowCapacityConflicts(facts: PlanningFacts, sorted: readonly Planned[], expand: Expand) {
  const found: Conflict[] = [];
  const longest = Math.max(...sorted.map((r) => r.end - r.start));
  for (const window of facts.windows) {
    if (window.kind !== 'release' || window.capacity === null) continue;
    for (const occurrence of expand(window)) {
      const inside = overlapping(sorted, longest, occurrence.start, occurrence.end).filter(
        (r) =>
          window.environments.length === 0 ||
          r.environment === null ||
          window.environments.includes(r.environment),
      );
      if (inside.length <= window.capacity) continue;
      found.push(
        ...capacityConflicts(
          inside,
          window.environments.join(', ') || 'any environment',
          window.capacity,
          window.name,
        ),
      );
    }
  }
  return found;
}

/** Releases (sorted by start, none longer than `longest`) overlapping [start, end). */
function overlapping<T extends PlannedRelease>(
  sorted: readonly T[],
  longest: number,
  start: number,
  end: number,
): T[] {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]!.start < end) low = mid + 1;
    else high = mid;
  }
  const found: T[] = [];
  for (let i = low - 1; i >= 0 && sorted[i]!.start > start - longest; i--)
    if (sorted[i]!.end > start) found.push(sorted[i]!);
  return found.reverse();
}
