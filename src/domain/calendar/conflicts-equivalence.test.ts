/**
 * The conflict detector against a straightforward reference written here: every pair of
 * releases compared, every occurrence expanded by `occurrencesBetween` for every window,
 * every release scanned for every occurrence, instants written by `toISOString`. On
 * seeded random calendars — releases with and without an environment, emergency changes
 * with and without exceptions, windows in zones with daylight-saving changes (one of
 * them by half an hour), alike windows in different zones, scopes by service, tier and
 * region — both must give exactly the same conflicts: kinds, subjects, reasons and order.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { seededRandom, type SeededRandom } from '../../../test/support/seeded-random.js';
import {
  CONFLICT_KINDS,
  detectConflicts,
  type Conflict,
  type PlannedRelease,
  type PlanningFacts,
} from './conflicts.js';
import { occurrencesBetween, windowCovers, type CalendarWindow } from './window.js';

const iso = (ms: number) => new Date(ms).toISOString();

/** Whether `from` depends on `to`, directly or through others. */
function dependsOn(facts: PlanningFacts, from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [...(facts.edges.get(from) ?? [])];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (next === to) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(facts.edges.get(next) ?? []));
  }
  return false;
}

function referencePair(facts: PlanningFacts, a: PlannedRelease, b: PlannedRelease): Conflict[] {
  if (a.environment !== null && b.environment !== null && a.environment !== b.environment)
    return [];
  const from = iso(Math.max(a.start, b.start));
  const to = iso(Math.min(a.end, b.end));
  const releases = [a.key, b.key];
  const where = a.environment ?? b.environment;
  const environment = where ? { environment: where } : {};
  const found: Conflict[] = [];
  const shared = a.services.filter((s) => b.services.includes(s));
  if (shared.length > 0)
    found.push({
      kind: 'same-service',
      releases,
      services: shared,
      from,
      to,
      reason: `${a.key} and ${b.key} both change ${shared.join(', ')} between ${from} and ${to}`,
      ...environment,
    });
  const dependent: string[] = [];
  for (const x of a.services)
    for (const y of b.services)
      if (x !== y && dependsOn(facts, x, y)) dependent.push(`${x} → ${y}`);
      else if (x !== y && dependsOn(facts, y, x)) dependent.push(`${y} → ${x}`);
  if (dependent.length > 0) {
    const pairs = [...new Set(dependent)];
    found.push({
      kind: 'dependent-services',
      releases,
      services: pairs,
      from,
      to,
      reason: `${a.key} and ${b.key} change services that depend on each other (${pairs.join('; ')}) in overlapping windows`,
      ...environment,
    });
  }
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

/** Periods with more than `capacity` of `releases` in progress; ends before starts. */
function referenceCapacity(
  releases: PlannedRelease[],
  environment: string,
  capacity: number,
  window?: string,
): Conflict[] {
  const events = releases.flatMap((r) => [
    { at: r.start, delta: 1, key: r.key },
    { at: r.end, delta: -1, key: r.key },
  ]);
  events.sort((x, y) => x.at - y.at || x.delta - y.delta);
  const active = new Set<string>();
  const found: Conflict[] = [];
  let open: { from: number; keys: Set<string> } | null = null;
  for (const event of events) {
    if (event.delta > 0) active.add(event.key);
    else active.delete(event.key);
    if (active.size > capacity) {
      open ??= { from: event.at, keys: new Set() };
      for (const key of active) open.keys.add(key);
    } else if (open) {
      const keys = [...open.keys].sort();
      const where = window ? `release window ${window} (${environment})` : environment;
      found.push({
        kind: 'over-capacity',
        releases: keys,
        environment,
        from: iso(open.from),
        to: iso(event.at),
        reason: `${keys.length} releases overlap in ${where} from ${iso(open.from)} to ${iso(event.at)}; it holds ${capacity} at once`,
        ...(window ? { window } : {}),
      });
      open = null;
    }
  }
  return found;
}

/**
 * Releases inside each freeze occurrence that change a service it covers. Within an
 * occurrence they are listed by the first covered service they change — covered services
 * in the order the detector lists them: environment by environment, the window's own
 * list of services, or else each service in the order it first appears among the
 * releases — then by start.
 */
function referenceFreezes(
  facts: PlanningFacts,
  sorted: PlannedRelease[],
  from: number,
  to: number,
): Conflict[] {
  const found: Conflict[] = [];
  const firstAppearance = [...new Set(sorted.flatMap((r) => r.services))];
  for (const window of facts.windows) {
    if (window.kind !== 'freeze') continue;
    const coveredIn = new Map<string, string[]>();
    for (const [environment, { regions }] of facts.environments)
      coveredIn.set(
        environment,
        (window.scope.services ?? firstAppearance).filter((name) => {
          const service = facts.services.get(name);
          return (
            service !== undefined &&
            firstAppearance.includes(name) &&
            windowCovers(window, { name, tier: service.tier }, { name: environment, regions })
          );
        }),
      );
    const order = [...new Set([...coveredIn.values()].flat())];
    const rankOf = new Map(
      sorted.map((r) => [
        r,
        Math.min(...r.services.map((s) => (order.includes(s) ? order.indexOf(s) : Infinity))),
      ]),
    );
    const rank = (r: PlannedRelease) => rankOf.get(r)!;
    for (const occurrence of occurrencesBetween(window, from, to)) {
      const inside = sorted
        .filter((r) => r.start < occurrence.end && r.end > occurrence.start)
        .filter((r) => rank(r) < Infinity)
        .map((r, i) => ({ r, i }))
        .sort((x, y) => rank(x.r) - rank(y.r) || x.i - y.i)
        .map(({ r }) => r);
      for (const release of inside) {
        const covered = release.environment
          ? (coveredIn.get(release.environment) ?? [])
          : [...coveredIn.values()].flat();
        const hit = release.services.filter((s) => covered.includes(s));
        if (hit.length === 0) continue;
        const excepted =
          release.changeType === 'emergency' &&
          (facts.exceptions ?? []).some(
            (e) => e.window === window.name && e.release === release.key,
          );
        if (excepted) continue;
        found.push({
          kind: 'inside-freeze',
          releases: [release.key],
          services: hit,
          window: window.name,
          from: iso(Math.max(release.start, occurrence.start)),
          to: iso(Math.min(release.end, occurrence.end)),
          reason: `${release.key} is planned during freeze ${window.name} (${iso(occurrence.start)} – ${iso(occurrence.end)}), which covers ${hit.join(', ')}`,
          ...(release.environment ? { environment: release.environment } : {}),
        });
      }
    }
  }
  return found;
}

function referenceConflicts(facts: PlanningFacts): Conflict[] {
  const sorted = [...facts.releases].sort((a, b) => a.start - b.start || (a.key < b.key ? -1 : 1));
  if (sorted.length === 0) return [];
  const found: Conflict[] = [];
  // Each release against every earlier one still in progress when it starts.
  for (let j = 0; j < sorted.length; j++)
    for (let i = 0; i < j; i++)
      if (sorted[i]!.end > sorted[j]!.start)
        found.push(...referencePair(facts, sorted[i]!, sorted[j]!));
  for (const [name, { capacity }] of facts.environments)
    if (capacity !== null)
      found.push(
        ...referenceCapacity(
          sorted.filter((r) => r.environment === name),
          name,
          capacity,
        ),
      );
  const from = sorted[0]!.start;
  const to = Math.max(...sorted.map((r) => r.end));
  for (const window of facts.windows) {
    if (window.kind !== 'release' || window.capacity === null) continue;
    for (const occurrence of occurrencesBetween(window, from, to)) {
      const inside = sorted.filter(
        (r) =>
          r.start < occurrence.end &&
          r.end > occurrence.start &&
          (window.environments.length === 0 ||
            r.environment === null ||
            window.environments.includes(r.environment)),
      );
      if (inside.length > window.capacity)
        found.push(
          ...referenceCapacity(
            inside,
            window.environments.join(', ') || 'any environment',
            window.capacity,
            window.name,
          ),
        );
    }
  }
  found.push(...referenceFreezes(facts, sorted, from, to));
  return found;
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC'];
const RULES = [
  null,
  'FREQ=WEEKLY;BYDAY=FR',
  'FREQ=WEEKLY;BYDAY=TU,TH',
  'FREQ=DAILY;INTERVAL=2',
  'FREQ=WEEKLY;BYDAY=SA;COUNT=4',
  'FREQ=MONTHLY;BYMONTHDAY=-1',
  'FREQ=HOURLY;INTERVAL=19',
];
const ENVIRONMENTS = ['dev', 'uat', 'prod'];
const HOUR = 3600_000;
/** Eight weeks over Europe's and America's spring changes and Lord Howe's autumn one. */
const FIRST = Date.parse('2026-03-01T00:00:00Z');
const SPAN_DAYS = 56;

function pick<T>(random: SeededRandom, items: readonly T[]): T {
  return items[random.int(0, items.length - 1)]!;
}

function pickSome<T>(random: SeededRandom, items: readonly T[], most: number): T[] {
  return [...new Set(Array.from({ length: random.int(1, most) }, () => pick(random, items)))];
}

const local = (ms: number) => new Date(ms).toISOString().slice(0, 16);

function randomCalendar(seed: number): PlanningFacts {
  const random = seededRandom(seed);
  const services = Array.from({ length: 30 }, (_, i) => `svc-${i}`);
  const releases: PlannedRelease[] = Array.from({ length: 320 }, (_, i) => {
    // Quarter-hour starts, so releases often start or end together.
    const start = FIRST + random.int(0, SPAN_DAYS * 96) * 900_000;
    const services_ = pickSome(random, [...services, 'not-in-catalog'], 3);
    return {
      key: `REL-${random.int(1, 400)}-${i}`,
      services: services_,
      environment: random.next() < 0.15 ? null : pick(random, ENVIRONMENTS),
      changeType: random.next() < 0.15 ? 'emergency' : 'normal',
      start,
      end: start + random.int(1, 36) * 900_000,
    };
  });
  const windows: CalendarWindow[] = [];
  for (let i = 0; i < 36; i++) {
    const kind = pick(random, ['freeze', 'freeze', 'release', 'maintenance'] as const);
    const start = FIRST - 3 * 86_400_000 + random.int(0, 20 * 24) * HOUR;
    const window: CalendarWindow = {
      id: `w${i}`,
      name: `window-${i}`,
      kind,
      timeZone: pick(random, ZONES),
      start: local(start),
      end: local(start + random.int(1, 60) * HOUR),
      rrule: pick(random, RULES),
      scope: pick(random, [
        {},
        { tier: random.int(1, 4) },
        { services: pickSome(random, services, 4) },
        { region: pick(random, ['eu-west', 'us-east']) },
        { tier: random.int(1, 4), region: 'eu-west' },
      ]),
      environments: pick(random, [[], ['prod'], ['uat', 'prod']]),
      capacity: kind === 'release' ? pick(random, [null, 1, 2, 3]) : null,
      description: '',
    };
    windows.push(window);
    // The same recurrence in another zone, or the same release window twice over.
    if (random.next() < 0.3)
      windows.push({
        ...window,
        id: `w${i}b`,
        name: `window-${i}-again`,
        timeZone: random.next() < 0.5 ? window.timeZone : pick(random, ZONES),
      });
  }
  const emergencies = releases.filter((r) => r.changeType === 'emergency');
  const freezes = windows.filter((w) => w.kind === 'freeze');
  return {
    releases,
    windows,
    // Each service depends on up to three lower-numbered ones: acyclic, like a catalog.
    edges: new Map(
      services.map((s, i) => [
        s,
        i === 0 ? [] : pickSome(random, services.slice(0, i), 3).slice(0, random.int(0, 3)),
      ]),
    ),
    services: new Map(services.map((s) => [s, { tier: random.int(1, 4) }])),
    environments: new Map([
      ['dev', { capacity: null, regions: ['eu-west'] }],
      ['uat', { capacity: 2, regions: ['eu-west', 'us-east'] }],
      ['prod', { capacity: 3, regions: ['us-east'] }],
    ]),
    exceptions: emergencies.slice(0, emergencies.length / 2).map((r, i) => ({
      id: `x${i}`,
      window: pick(random, freezes).name,
      release: r.key,
      reason: 'outage',
      approvedBy: 'erin',
      approvedAt: '',
    })),
  };
}

for (const seed of [1, 2, 3, 4]) {
  test(`seeded calendar ${seed}: the same conflicts as the reference, in the same order`, () => {
    const facts = randomCalendar(seed);
    const expected = referenceConflicts(facts);
    const found = detectConflicts(facts);
    // A calendar this dense must exercise every kind, or the comparison proves little.
    for (const kind of CONFLICT_KINDS)
      assert.ok(
        expected.some((c) => c.kind === kind),
        `seed ${seed} has no ${kind} conflict`,
      );
    assert.deepStrictEqual(found, expected);
    // Property order too: the API's JSON is the same text.
    assert.equal(JSON.stringify(found), JSON.stringify(expected));
  });
}

test('a release in no catalog service, and no releases at all, give no freeze conflicts', () => {
  const facts = randomCalendar(7);
  assert.deepStrictEqual(detectConflicts({ ...facts, releases: [] }), []);
  const stray = facts.releases.map((r) => ({ ...r, services: ['not-in-catalog'] }));
  const found = detectConflicts({ ...facts, releases: stray });
  assert.deepStrictEqual(found, referenceConflicts({ ...facts, releases: stray }));
  assert.ok(!found.some((c) => c.kind === 'inside-freeze'));
});
