/** A real Gatehouse server on a free loopback port over a scratch database. */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
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
    // fetch keeps connections for 4 s; a server in this process under a loaded machine can
    // stall past its own 5 s keep-alive and close a connection just as fetch reuses it
    // (ECONNRESET). Keep-alive above any stall, as behind a load balancer.
    http: { ...options.http, timeouts: { keepAliveMs: 65_000, ...options.http?.timeouts } },
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
      return { status: response.status, body: bodyOf(text), headers: response.headers };
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

/** An answer's body as JSON when it is JSON, else its text (null when empty). */
function bodyOf(text: string): any {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Sends only a request's head, declaring a body of `contentLength` bytes, and reads the
 * answer. The server refuses an oversized body from its Content-Length alone; streaming
 * the whole body at it instead races the refusal (the server closes while the client is
 * still sending, and the client may see a reset instead of the answer).
 */
export function answerToDeclaredLength(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  contentLength: number,
): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const match = /^HTTP\/1\.1 (\d{3})/.exec(received);
      if (!match) return reject(new Error(`no HTTP answer: ${JSON.stringify(received)}`));
      const text = received.slice(received.indexOf('\r\n\r\n') + 4);
      resolve({ status: Number(match[1]), body: bodyOf(text) });
    });
    const head = Object.entries({
      ...headers,
      host: `${hostname}:${port}`,
      'content-length': String(contentLength),
      connection: 'close',
    })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    socket.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n`);
  });
}
