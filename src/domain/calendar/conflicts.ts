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
import { instantText as iso } from './instant-text.js';
import {
  floatingRecurrence,
  occurrencesIn,
  windowCovers,
  type CalendarWindow,
  type EnvironmentFacts,
  type FloatingRecurrence,
  type ServiceFacts,
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

/**
 * A release with its bounds already written out (a year's detection names the same
 * instants in tens of thousands of conflicts) and its place in start order.
 */
interface Planned extends PlannedRelease {
  index: number;
  startIso: string;
  endIso: string;
}
/** One occurrence of a window, in epoch milliseconds and written out. */
interface Span {
  start: number;
  end: number;
  startIso: string;
  endIso: string;
  /** How a freeze conflict names the occurrence, once one does; shared by alike windows. */
  asFreeze?: string;
}
type Bounds = { start: number; end: number; startIso: string; endIso: string };
const laterStart = (a: Bounds, b: Bounds) => (a.start >= b.start ? a.startIso : b.startIso);
const earlierEnd = (a: Bounds, b: Bounds) => (a.end <= b.end ? a.endIso : b.endIso);

/**
 * Each window's occurrences over the period, expanded once per detection; windows that
 * recur alike (every team's "Friday evening to Monday morning" freeze in the same zone)
 * share one expansion.
 */
interface Expansions {
  /** What the occurrences depend on: equal keys, equal occurrences. */
  keyOf(window: CalendarWindow): string;
  of(window: CalendarWindow): readonly Span[];
}

function expansionsFor(from: number, to: number): Expansions {
  const recurrences = new Map<string, FloatingRecurrence>();
  const expanded = new Map<string, Span[]>();
  const keyOf = (window: CalendarWindow) =>
    `${window.rrule ?? ''}|${window.start}|${window.end}|${window.timeZone}`;
  return {
    keyOf,
    of(window) {
      const key = keyOf(window);
      let spans = expanded.get(key);
      if (!spans) {
        // The rule's local starts do not depend on the zone: one expansion serves all.
        const local = `${window.rrule ?? ''}|${window.start}|${window.end}`;
        let recurrence = recurrences.get(local);
        if (!recurrence) {
          recurrence = floatingRecurrence(window, from, to);
          recurrences.set(local, recurrence);
        }
        spans = occurrencesIn(window, recurrence, from, to).map(({ start, end }) => ({
          start,
          end,
          startIso: iso(start),
          endIso: iso(end),
        }));
        expanded.set(key, spans);
      }
      return spans;
    },
  };
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

/**
 * The `count` items of `list` that pass `test`, in a list allocated at that length:
 * `filter` leaves room for 16 more, and a year's conflicts keep tens of thousands.
 */
function exactly(
  count: number,
  list: readonly string[],
  test: (item: string) => boolean,
): string[] {
  const kept = new Array<string>(count);
  let at = 0;
  for (const item of list) if (test(item)) kept[at++] = item;
  return kept;
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
 * Index of the first release (sorted by start) starting at or after `at`: releases
 * before it start earlier.
 */
function firstStartingFrom(sorted: readonly Planned[], at: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (sorted[mid]!.start < at) low = mid + 1;
    else high = mid;
  }
  return low;
}

/**
 * Index of the first release (sorted by start, none longer than `longest`) that may
 * overlap an interval starting at `start`, given `past`, the first one starting after it
 * ends: releases from there to `past` overlap it when they end after `start`.
 */
function firstOverlapping(
  sorted: readonly Planned[],
  longest: number,
  start: number,
  past: number,
): number {
  let first = past;
  while (first > 0 && sorted[first - 1]!.start > start - longest) first--;
  return first;
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

/**
 * For each freeze, each occurrence and each service it covers, the releases of that
 * service overlapping the occurrence, found by binary search among that service's
 * releases alone: a freeze scoped to three services looks at their releases, not at
 * every release of the year.
 */
function freezeConflicts(
  facts: PlanningFacts,
  sorted: readonly Planned[],
  expansions: Expansions,
  found: Conflict[],
): void {
  const byService = new Map<string, Planned[]>();
  for (const release of sorted)
    for (const service of release.services) {
      const list = byService.get(service);
      if (list) list.push(release);
      else byService.set(service, [release]);
    }
  const longestOf = new Map<string, number>();
  for (const [service, list] of byService) longestOf.set(service, longestOf_(list));
  const everyService = [...byService.keys()];
  // The facts windowCovers looks at, made once rather than per window and service.
  const serviceFacts = new Map<string, ServiceFacts>();
  for (const name of everyService) {
    const known = facts.services.get(name);
    if (known) serviceFacts.set(name, { name, tier: known.tier });
  }
  const environmentFacts: EnvironmentFacts[] = [...facts.environments].map(
    ([name, { regions }]) => ({ name, regions }),
  );
  const exceptions = new Set((facts.exceptions ?? []).map((e) => `${e.window}\n${e.release}`));
  // Which occurrence last reported each release (by index), so a release changing two
  // covered services is reported once per occurrence.
  const reportedIn = new Int32Array(sorted.length);
  let occurrenceNumber = 0;
  for (const window of facts.windows) {
    if (window.kind !== 'freeze') continue;
    const coveredIn = new Map<string, Set<string>>();
    for (const environment of environmentFacts) {
      const names = new Set<string>();
      // A freeze scoped to named services need only look at those.
      for (const name of window.scope.services ?? everyService) {
        const service = serviceFacts.get(name);
        if (service && windowCovers(window, service, environment)) names.add(name);
      }
      if (names.size > 0) coveredIn.set(environment.name, names);
    }
    // Covered in some environment: what a release not yet given one is judged against.
    const coveredAnywhere = new Set<string>();
    for (const names of coveredIn.values()) for (const name of names) coveredAnywhere.add(name);
    if (coveredAnywhere.size === 0) continue;
    const lists = [...coveredAnywhere].map((service) => ({
      releases: byService.get(service)!,
      longest: longestOf.get(service)!,
    }));
    const duringFreeze = ` is planned during freeze ${window.name} (`;
    for (const occurrence of expansions.of(window)) {
      const number = ++occurrenceNumber;
      // The words every conflict in this occurrence shares, written once.
      let during: string | null = null;
      for (const { releases, longest } of lists) {
        const past = firstStartingFrom(releases, occurrence.end);
        for (let i = firstOverlapping(releases, longest, occurrence.start, past); i < past; i++) {
          const release = releases[i]!;
          if (release.end <= occurrence.start || reportedIn[release.index] === number) continue;
          reportedIn[release.index] = number;
          const covered = release.environment
            ? coveredIn.get(release.environment)
            : coveredAnywhere;
          const hit = covered && coveredOf(release.services, covered);
          if (!hit) continue;
          if (
            release.changeType === 'emergency' &&
            exceptions.has(`${window.name}\n${release.key}`)
          )
            continue;
          occurrence.asFreeze ??= `${occurrence.startIso} – ${occurrence.endIso}), which covers `;
          during ??= duringFreeze + occurrence.asFreeze;
          found.push(freezeConflict(release, window, occurrence, hit, during));
        }
      }
    }
  }
}

function longestOf_(list: readonly Planned[]): number {
  let longest = -Infinity;
  for (const r of list) if (r.end - r.start > longest) longest = r.end - r.start;
  return longest;
}

function freezeConflict(
  release: Planned,
  window: CalendarWindow,
  occurrence: Span,
  covered: string[],
  during: string,
): Conflict {
  const from = laterStart(release, occurrence);
  const to = earlierEnd(release, occurrence);
  const reason = release.key + during + (covered.length === 1 ? covered[0]! : covered.join(', '));
  // One literal per shape: no property added afterwards.
  return release.environment
    ? {
        kind: 'inside-freeze',
        releases: [release.key],
        services: covered,
        window: window.name,
        from,
        to,
        reason,
        environment: release.environment,
      }
    : {
        kind: 'inside-freeze',
        releases: [release.key],
        services: covered,
        window: window.name,
        from,
        to,
        reason,
      };
}

/**
 * The release's services a freeze covers, in the release's order, or null for none; the
 * list is made exactly as long as it needs to be, as tens of thousands are kept.
 */
function coveredOf(services: readonly string[], covered: ReadonlySet<string>): string[] | null {
  let count = 0;
  for (const name of services) if (covered.has(name)) count++;
  return count === 0 ? null : exactly(count, services, (name) => covered.has(name));
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
  windowCapacityConflicts(facts, sorted, expansions, longestOf_(sorted), conflicts);
  freezeConflicts(facts, sorted, expansions, conflicts);
  return conflicts;
}
