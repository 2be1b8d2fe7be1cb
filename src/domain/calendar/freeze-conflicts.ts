/** Conflict detection's last kind: releases planned inside a freeze that covers them. */
import type { Conflict, PlanningFacts } from './conflicts.js';
import {
  exactly,
  firstOverlapping,
  firstStartingFrom,
  laterStart,
  earlierEnd,
  longestOf,
  type Expansions,
  type Planned,
  type Span,
} from './planned.js';
import {
  windowCovers,
  type CalendarWindow,
  type EnvironmentFacts,
  type ServiceFacts,
} from './window.js';

/**
 * For each freeze, each occurrence and each service it covers, the releases of that
 * service overlapping the occurrence, found by binary search among that service's
 * releases alone: a freeze scoped to three services looks at their releases, not at
 * every release of the year.
 */
export function freezeConflicts(
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
  const longestIn = new Map<string, number>();
  for (const [service, list] of byService) longestIn.set(service, longestOf(list));
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
      longest: longestIn.get(service)!,
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
