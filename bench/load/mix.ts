/**
 * The mixed load a busy organisation puts on Gatehouse, as jobs for the open-loop
 * generator: pipelines asking gates, CDEvents arriving from deploy tools, people and
 * dashboards reading releases, and release managers raising releases, moving them through
 * the lifecycle and approvers approving them. Every write is remembered so that
 * `verifyWrites` can check afterwards that each acknowledged write is really there.
 */
import type { Answer, Job, LoadRequest } from './generator.js';
import { mulberry32 } from '../../src/app/demo/random.js';

export interface MixWeights {
  gate: number;
  read: number;
  event: number;
  write: number;
}

/** Reads dominate (gates are polled by every pipeline), writes are a minority. */
export const DEFAULT_WEIGHTS: MixWeights = { gate: 40, read: 30, event: 15, write: 15 };

const TEAM = 'load-test';
/**
 * The load's releases are spread over ten services, as a real organisation's are: one
 * service raising 1,800 releases in ten minutes (a century of a real service's releases)
 * measured that one service's history, not the product under load.
 */
const SERVICES = Array.from({ length: 10 }, (_, i) => `load-api-${i + 1}`);
const serviceOf = (n: number) => SERVICES[n % SERVICES.length]!;
const EVENT_SOURCE = '/gatehouse/load-generator';
/** The lifecycle a write chain walks after creating its release, then one approval. */
const CHAIN = ['prepare', 'test', 'approve'] as const;

interface Chain {
  key: string;
  /** Index into CHAIN of the next transition; CHAIN.length means: approve next. */
  step: number;
}

export interface Mix {
  next(): Job;
  /** Releases created, with the state their last acknowledged transition put them in. */
  created: Map<string, string>;
  /**
   * Transitions never answered, or answered 5xx (the connection to the database lost
   * mid-commit): the server may or may not have applied them, so the release may be in
   * this state instead.
   */
  inDoubt: Map<string, string>;
  approved: Set<string>;
  /** Every event acknowledged, as it was sent (to send again and expect "duplicate"). */
  events: string[];
  gatePool: string[];
}

interface Setup {
  url: string;
  adminToken: string;
  weights?: MixWeights;
  seed?: number;
}

// The JSON answers of several routes, read by the few fields the set-up needs.
async function call(
  setup: Setup,
  method: string,
  path: string,
  body?: unknown,
  token = setup.adminToken,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
): Promise<any> {
  const response = await fetch(setup.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

const HOUR = 3600_000;
/** Far enough ahead that no freeze or capacity rule of a demo calendar is in the way. */
const WINDOWS_FROM = Date.parse('2030-01-07T09:00:00Z');

function releaseBody(n: number, version: string): string {
  // Each release its own hour, so environments' capacity (releases at once) is not reached.
  const start = WINDOWS_FROM + n * HOUR;
  return JSON.stringify({
    title: `Load release ${n}`,
    version,
    classification: 'minor',
    services: [{ service: serviceOf(n), version }],
    scope: { features: [`Feature ${n}`], workItems: [`LOAD-${n}`], commits: ['a1b2c3d'] },
    justification: 'Raised by the load generator',
    rollbackPlan: 'Redeploy the previous version',
    plannedWindow: {
      start: new Date(start).toISOString(),
      end: new Date(start + HOUR).toISOString(),
    },
    team: TEAM,
    authors: ['load-author'],
  });
}

/**
 * Declares the load's own team, service and people on a running server (leaving any
 * existing catalog alone; environments are declared only when there are none) and
 * returns the mix. Gates and reads go to existing releases (the demo's, when loaded)
 * plus a few the set-up raises.
 */
export async function prepareMix(setup: Setup): Promise<Mix> {
  const weights = setup.weights ?? DEFAULT_WEIGHTS;
  const random = mulberry32(setup.seed ?? 42);
  const catalog = await call(setup, 'GET', '/catalog');
  await call(setup, 'POST', '/catalog/apply', {
    teams: [{ name: TEAM }],
    services: SERVICES.map((name) => ({
      name,
      team: TEAM,
      tier: 3,
      customerFacing: false,
      dataSensitivity: 'internal',
    })),
    ...(catalog.environments.length === 0
      ? {
          environments: [
            { name: 'sit', position: 1 },
            { name: 'pre-prod', position: 2 },
            { name: 'prod', position: 3, production: true },
          ],
        }
      : {}),
  });
  const tokens: Record<string, string> = {};
  for (const [name, roles] of [
    ['load-requester', ['release-manager']],
    ['load-author', ['deployer']],
    ['load-approver', ['approver']],
  ] as const) {
    await call(setup, 'POST', '/users', { name, roles: [...roles] });
    tokens[name] = (await call(setup, 'POST', '/tokens', { name: 'load', user: name })).token;
  }
  const requester = tokens['load-requester']!;
  const deployer = tokens['load-author']!;
  const approver = tokens['load-approver']!;

  // Releases the events deploy: one per version, so every event names a known artifact.
  const eventVersions: string[] = [];
  for (let i = 0; i < 5; i++) {
    const version = `0.${i}.0-load`;
    await call(setup, 'POST', '/releases', JSON.parse(releaseBody(i, version)), requester);
    eventVersions.push(version);
  }
  const listed = await call(setup, 'GET', '/releases?limit=100');
  const gatePool: string[] = listed.items.map((r: { key: string }) => r.key);
  const environments: string[] = (
    (await call(setup, 'GET', '/catalog')).environments as { name: string; production: boolean }[]
  )
    .filter((e) => !e.production)
    .map((e) => e.name);
  const production = (
    (await call(setup, 'GET', '/catalog')).environments as { name: string; production: boolean }[]
  ).find((e) => e.production)!.name;

  const created = new Map<string, string>();
  const inDoubt = new Map<string, string>();
  const approved = new Set<string>();
  const events: string[] = [];
  const ready: Chain[] = [];
  let releases = 0;
  let eventCount = 0;
  const runId = Date.now().toString(36);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const get = (path: string, token: string): LoadRequest => ({ method: 'GET', path, token });

  const gate = (): Job => ({
    kind: 'gate check',
    request: get(`/releases/${pick(gatePool)}/gates/${production}`, deployer),
    expect: [200],
  });

  const read = (): Job =>
    random() < 0.7
      ? {
          kind: 'release read',
          request: get(`/releases/${pick(gatePool)}`, approver),
          expect: [200],
        }
      : { kind: 'release list', request: get('/releases?limit=20', approver), expect: [200] };

  const event = (): Job => {
    eventCount++;
    // One of the releases raised for events: release n ships serviceOf(n) at its version.
    const shipped = Math.floor(random() * eventVersions.length);
    const body = JSON.stringify({
      specversion: '1.0',
      id: `${runId}-${eventCount}`,
      source: EVENT_SOURCE,
      type: 'dev.cdevents.service.deployed.0.1.1',
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data: {
        context: {
          version: '0.2.0',
          id: `${runId}-${eventCount}`,
          source: EVENT_SOURCE,
          type: 'dev.cdevents.service.deployed.0.1.1',
          timestamp: new Date().toISOString(),
        },
        subject: {
          id: serviceOf(shipped),
          source: EVENT_SOURCE,
          type: 'service',
          content: {
            environment: { id: pick(environments) },
            artifactId: `pkg:generic/${serviceOf(shipped)}@${eventVersions[shipped]}`,
          },
        },
      },
    });
    return {
      kind: 'event',
      request: {
        method: 'POST',
        path: '/events/cdevents',
        token: deployer,
        body,
        contentType: 'application/cloudevents+json',
      },
      expect: [200, 202],
      answered: (answer) => {
        if (answer.status === 200 || answer.status === 202) events.push(body);
      },
    };
  };

  const advance = (chain: Chain): Job => {
    if (chain.step < CHAIN.length) {
      const to = CHAIN[chain.step]!;
      return {
        kind: 'transition',
        request: {
          method: 'POST',
          path: `/releases/${chain.key}/transitions`,
          token: requester,
          body: JSON.stringify({ to, reason: 'load' }),
        },
        expect: [200],
        answered: (answer: Answer) => {
          if (answer.status === 0 || answer.status >= 500) inDoubt.set(chain.key, to);
          if (answer.status !== 200) return;
          created.set(chain.key, to);
          chain.step++;
          ready.push(chain);
        },
      };
    }
    return {
      kind: 'approval',
      request: {
        method: 'POST',
        path: `/releases/${chain.key}/approvals`,
        token: approver,
        body: JSON.stringify({ stage: 'technical', comment: 'load' }),
      },
      expect: [201],
      answered: (answer) => {
        if (answer.status === 201) approved.add(chain.key);
      },
    };
  };

  const create = (): Job => {
    releases++;
    return {
      kind: 'release create',
      request: {
        method: 'POST',
        path: '/releases',
        token: requester,
        body: releaseBody(1000 + releases, `1.${releases}.0-${runId}`),
      },
      expect: [201],
      answered: (answer) => {
        if (answer.status !== 201) return;
        const key = (JSON.parse(answer.body) as { key: string }).key;
        created.set(key, 'plan');
        ready.push({ key, step: 0 });
      },
    };
  };

  const write = (): Job => {
    const chain = ready.shift();
    return chain ? advance(chain) : create();
  };

  const total = weights.gate + weights.read + weights.event + weights.write;
  return {
    created,
    inDoubt,
    approved,
    events,
    gatePool,
    next() {
      let r = random() * total;
      if ((r -= weights.gate) < 0) return gate();
      if ((r -= weights.read) < 0) return read();
      if ((r -= weights.event) < 0) return event();
      return write();
    },
  };
}

export interface WriteCheck {
  releasesChecked: number;
  approvalsChecked: number;
  eventsChecked: number;
  /** Each acknowledged write not found as acknowledged: must stay empty. */
  lost: string[];
}

/**
 * Reads back what the load wrote and was told succeeded: each release in the state its
 * last acknowledged transition set (or the one after, when that transition went
 * unanswered), each acknowledged approval among the stage's
 * approvers, and each acknowledged event known (sent again, it is a "duplicate").
 * `limit` bounds how many of each are checked (all by default).
 */
export async function verifyWrites(
  setup: Setup,
  mix: Mix,
  limit = Number.POSITIVE_INFINITY,
): Promise<WriteCheck> {
  const lost: string[] = [];
  const releases = [...mix.created].slice(-limit);
  for (const [key, state] of releases) {
    const response = await fetch(`${setup.url}/releases/${key}`, {
      headers: { authorization: `Bearer ${setup.adminToken}` },
    });
    const body = (await response.json()) as { state?: string };
    const unanswered = mix.inDoubt.get(key);
    if (response.status !== 200 || (body.state !== state && body.state !== unanswered))
      lost.push(`release ${key}: ${response.status} state ${body.state}, expected ${state}`);
  }
  const approvals = [...mix.approved].slice(-limit);
  for (const key of approvals) {
    const status = await call(setup, 'GET', `/releases/${key}/approvals`);
    const technical = status.stages.find((s: { stage: string }) => s.stage === 'technical');
    if (!technical?.approvedBy.includes('load-approver')) lost.push(`approval of ${key}`);
  }
  const events = mix.events.slice(-limit);
  for (const body of events) {
    const response = await fetch(`${setup.url}/events/cdevents`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${setup.adminToken}`,
        'content-type': 'application/cloudevents+json',
      },
      body,
    });
    const answer = (await response.json()) as { outcome?: string };
    if (answer.outcome !== 'duplicate')
      lost.push(`event ${JSON.parse(body).id}: ${response.status} ${answer.outcome}`);
  }
  return {
    releasesChecked: releases.length,
    approvalsChecked: approvals.length,
    eventsChecked: events.length,
    lost,
  };
}
