import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCycle } from '../../domain/dependency-graph.js';
import type { ReleaseState } from '../../domain/release.js';
import {
  failureProbability,
  finalState,
  generateDemoOrganisation,
  type DemoOrganisation,
} from './demoOrganisation.js';

const NOW = new Date('2025-06-02T09:30:00Z');
const demo = generateDemoOrganisation({ now: NOW });

function share(
  of: DemoOrganisation,
  matches: (r: DemoOrganisation['releases'][number]) => boolean,
): number {
  return of.releases.filter(matches).length / of.releases.length;
}

const IN_FLIGHT: ReleaseState[] = ['plan', 'prepare', 'test', 'approve', 'deploy', 'verify'];

test('the same seed and clock give the same organisation; another seed does not', () => {
  assert.deepEqual(
    generateDemoOrganisation({ now: NOW, seed: 7 }),
    generateDemoOrganisation({ now: NOW, seed: 7 }),
  );
  assert.deepEqual(generateDemoOrganisation({ now: NOW }), demo);
  assert.notDeepEqual(generateDemoOrganisation({ now: NOW, seed: 8 }).releases, demo.releases);
});

test('the catalog has five teams, 25 services on an acyclic graph and the default promotion path', () => {
  const { teams = [], services = [], environments = [] } = demo.catalog;
  assert.equal(teams.length, 5);
  assert.ok(teams.every((t) => t.timeZone));
  assert.equal(services.length, 25);
  assert.equal(findCycle(new Map(services.map((s) => [s.name, s.dependsOn ?? []]))), null);
  const names = new Set(services.map((s) => s.name));
  assert.ok(
    services.every((s) => (s.dependsOn ?? []).every((d) => names.has(d))),
    'every dependency is a service',
  );
  assert.deepEqual(new Set(services.map((s) => s.tier)), new Set([1, 2, 3, 4]));
  assert.ok(services.every((s) => (s.slos ?? []).length >= 1 && (s.slos ?? []).length <= 2));
  assert.deepEqual(
    environments.map((e) => e.name),
    ['sit', 'uat', 'pre-prod', 'prod'],
  );
  assert.deepEqual(environments.find((e) => e.production)?.regions, ['eu-west', 'us-east']);
  assert.ok(environments.every((e) => e.capacity));
});

test('about twenty people, each releasing team with a release manager and a deployer', () => {
  assert.ok(demo.users.length >= 18 && demo.users.length <= 22);
  for (const team of demo.catalog.teams ?? []) {
    const members = demo.users.filter((u) => u.team === team.name);
    assert.ok(
      members.some((u) => u.roles.includes('release-manager')),
      `${team.name} has a release manager`,
    );
    assert.ok(
      members.some((u) => u.roles.includes('deployer')),
      `${team.name} has a deployer`,
    );
  }
  const names = new Set(demo.users.map((u) => u.name));
  for (const release of demo.releases) {
    assert.ok(names.has(release.requester));
    for (const step of release.steps)
      assert.ok(names.has(step.actor), `${step.actor} is a demo user`);
  }
});

test('several hundred releases with the planned classification mix', () => {
  assert.ok(
    demo.releases.length >= 400 && demo.releases.length <= 500,
    `${demo.releases.length} releases`,
  );
  const mix = (c: string) => share(demo, (r) => r.input.classification === c);
  assert.ok(mix('minor') >= 0.45 && mix('minor') <= 0.55, `minor ${mix('minor')}`);
  assert.ok(mix('patch') >= 0.23 && mix('patch') <= 0.33, `patch ${mix('patch')}`);
  assert.ok(mix('major') >= 0.09 && mix('major') <= 0.15, `major ${mix('major')}`);
  assert.ok(mix('emergency') >= 0.07 && mix('emergency') <= 0.13, `emergency ${mix('emergency')}`);
  assert.ok(
    demo.releases
      .filter((r) => r.input.classification === 'emergency')
      .every((r) => r.input.changeType === 'emergency'),
  );
});

test('outcomes: most close, about a tenth fail or roll back, a few are cancelled or refused', () => {
  // Across several clocks and seeds, not only the default, since the demo runs at any `now`.
  const runs = [demo, generateDemoOrganisation({ now: new Date('2026-01-15T18:00:00Z'), seed: 3 })];
  for (const run of runs) {
    const ended = (states: ReleaseState[]) => share(run, (r) => states.includes(finalState(r)));
    assert.ok(ended(['closed']) >= 0.7, `closed ${ended(['closed'])}`);
    assert.ok(ended(['failed', 'rolled-back']) >= 0.08 && ended(['failed', 'rolled-back']) <= 0.12);
    assert.ok(ended(['failed']) > 0 && ended(['rolled-back']) > 0);
    assert.ok(ended(['cancelled']) > 0 && ended(['cancelled']) <= 0.06);
    assert.ok(ended(['no-go']) > 0 && ended(['no-go']) <= 0.05);
    for (const state of IN_FLIGHT) assert.ok(ended([state]) > 0, `some release is in ${state}`);
  }
});

test('releases still in flight were raised in the last three weeks', () => {
  const threeWeeksAgo = NOW.getTime() - 21 * 24 * 3600_000;
  for (const release of demo.releases.filter((r) => IN_FLIGHT.includes(finalState(r)))) {
    assert.ok(release.createdAt.getTime() >= threeWeeksAgo, release.input.title);
  }
});

test('history covers the year before now; every step is in order and none after now', () => {
  const first = demo.releases[0]!.createdAt.getTime();
  assert.ok(
    NOW.getTime() - first >= 330 * 24 * 3600_000 && NOW.getTime() - first <= 380 * 24 * 3600_000,
  );
  assert.ok(demo.since.getTime() < first);
  for (const release of demo.releases) {
    let previous = release.createdAt.getTime();
    assert.ok(previous <= NOW.getTime());
    for (const step of release.steps) {
      assert.ok(step.at.getTime() >= previous, `${release.input.title}: steps out of order`);
      assert.ok(step.at.getTime() <= NOW.getTime(), `${release.input.title}: a step after now`);
      previous = step.at.getTime();
    }
  }
});

test('every release carries what its lifecycle checks will ask for', () => {
  for (const release of demo.releases) {
    const { input } = release;
    assert.ok(input.services.length >= 1 && input.services.length <= 3);
    const teams = new Set(
      input.services.map((s) => demo.catalog.services?.find((c) => c.name === s.service)?.team),
    );
    assert.deepEqual([...teams], [input.team], 'services of one team');
    assert.ok(input.services.every((s) => /^\d+\.\d+\.\d+$/.test(s.version)));
    assert.ok((input.justification ?? '').trim() && (input.rollbackPlan ?? '').trim());
    assert.ok((input.scope?.features?.length ?? 0) + (input.scope?.fixes?.length ?? 0) > 0);
    assert.ok(input.scope?.commits?.every((c) => /^[0-9a-f]{7,40}$/.test(c)));
    assert.ok(input.scope?.workItems?.every((w) => /^[A-Z]{3}-\d+$/.test(w)));
    assert.ok(
      input.plannedWindow &&
        Date.parse(input.plannedWindow.end) > Date.parse(input.plannedWindow.start),
    );
  }
});

test('releases that leave Deploy for Verify have every service in production first', () => {
  for (const release of demo.releases) {
    const verify = release.steps.findIndex((s) => s.kind === 'transition' && s.to === 'verify');
    if (verify < 0) continue;
    const inProd = release.steps
      .slice(0, verify)
      .flatMap((s) =>
        s.kind === 'deployment' && s.input.environment === 'prod' && s.input.status === 'succeeded'
          ? [s.input.service]
          : [],
      );
    for (const { service } of release.input.services)
      assert.ok(inProd.includes(service), `${service} reached prod`);
    const deploy = release.steps.find((s) => s.kind === 'transition' && s.to === 'deploy')!;
    const window = release.input.plannedWindow!;
    if (release.input.classification !== 'emergency') {
      assert.ok(
        deploy.at.getTime() >= Date.parse(window.start) &&
          deploy.at.getTime() <= Date.parse(window.end),
      );
    }
  }
});

test('failure probability rises with the risk factors it documents', () => {
  const base = {
    tier1: false,
    services: 1,
    classification: 'minor' as const,
    strategy: 'rolling' as const,
    features: 1,
    lateInWeek: false,
  };
  const p = failureProbability(base);
  assert.ok(p > 0.01 && p < 0.05);
  assert.ok(failureProbability({ ...base, tier1: true }) > p);
  assert.ok(failureProbability({ ...base, services: 3 }) > p);
  assert.ok(failureProbability({ ...base, classification: 'emergency' }) > p);
  assert.ok(failureProbability({ ...base, strategy: 'big-bang' }) > p);
  assert.ok(failureProbability({ ...base, lateInWeek: true }) > p);
});
