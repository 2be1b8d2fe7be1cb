/** A real Gatehouse server on a free loopback port over a scratch database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGatehouse, type Running } from '../../src/http/start.js';
import type { HttpSettings } from '../../src/config.js';
import type { TestEngine } from './engines.js';

export interface TestServer {
  url: string;
  adminToken: string;
  running: Running;
  dataDir: string;
  databaseUrl: string;
  /** fetch against the server with a token (the admin's unless another is given). */
  call(
    method: string,
    path: string,
    options?: { body?: unknown; token?: string | null; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

export async function startTestServer(
  engine: TestEngine,
  options: {
    demo?: boolean;
    prometheusUrl?: string;
    sigstoreTrustedRoot?: string;
    flagsOfrepUrl?: string;
    http?: HttpSettings;
  } = {},
): Promise<TestServer> {
  const scratch = await engine.scratch();
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-data-'));
  const running = await startGatehouse({
    dataDir,
    databaseUrl: scratch.url,
    host: '127.0.0.1',
    port: 0,
    demo: options.demo ?? false,
    logLevel: 'silent',
    ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
    ...(options.sigstoreTrustedRoot ? { sigstoreTrustedRoot: options.sigstoreTrustedRoot } : {}),
    ...(options.flagsOfrepUrl ? { flagsOfrepUrl: options.flagsOfrepUrl } : {}),
    ...(options.http ? { http: options.http } : {}),
  });
  const adminToken = running.adminToken!;
  const server: TestServer = {
    url: running.url,
    adminToken,
    running,
    dataDir,
    databaseUrl: scratch.url,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      const token = opts.token === undefined ? adminToken : opts.token;
      if (token) headers.authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      const response = await fetch(running.url + path, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // leave as text
      }
      return { status: response.status, body: parsed as any, headers: response.headers };
    },
    async close() {
      await running.close();
      await scratch.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** A small catalog for tests: two teams, a dependency chain, the default environments. */
export const TEST_CATALOG = {
  teams: [
    { name: 'payments', displayName: 'Payments', timeZone: 'Europe/Berlin' },
    { name: 'platform', displayName: 'Platform', timeZone: 'America/New_York' },
  ],
  services: [
    {
      name: 'auth',
      team: 'platform',
      tier: 1,
      customerFacing: false,
      dataSensitivity: 'restricted',
      dependsOn: [],
    },
    {
      name: 'ledger',
      team: 'payments',
      tier: 1,
      customerFacing: false,
      dataSensitivity: 'confidential',
      dependsOn: ['auth'],
    },
    {
      name: 'payments-api',
      team: 'payments',
      tier: 2,
      customerFacing: true,
      dataSensitivity: 'confidential',
      dependsOn: ['ledger', 'auth'],
      slos: [{ name: 'availability', objective: 'successful requests', target: 99.9 }],
    },
  ],
  environments: [
    { name: 'sit', position: 1, regions: ['eu-west'] },
    { name: 'uat', position: 2, regions: ['eu-west'] },
    { name: 'pre-prod', position: 3, regions: ['eu-west'] },
    { name: 'prod', position: 4, production: true, regions: ['eu-west', 'us-east'] },
  ],
};

/** A release body that passes every check up to Approve. */
export function releaseBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const start = new Date(Date.now() - 3600_000).toISOString();
  const end = new Date(Date.now() + 3600_000).toISOString();
  return {
    title: 'Payments API 2.4',
    version: '2.4.0',
    classification: 'minor',
    strategy: 'canary',
    services: [{ service: 'payments-api', version: '2.4.0' }],
    scope: {
      features: ['Apple Pay'],
      fixes: ['Rounding of refunds'],
      workItems: ['PAY-101'],
      commits: ['a1b2c3d'],
    },
    justification: 'Customers asked for Apple Pay',
    rollbackPlan: 'Redeploy 2.3.9 with the canary controller',
    plannedWindow: { start, end },
    team: 'payments',
    ...overrides,
  };
}
