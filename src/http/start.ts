/**
 * Starts a Gatehouse process: opens the store, migrates it, makes sure an admin can get
 * in, optionally loads the demo organisation, and listens.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { bootstrapAdmin } from '../app/access/bootstrapAdmin.js';
import { ensureDefaultPolicySet } from '../app/policies/applyPolicySet.js';
import { execute, SYSTEM_ACTOR, type App } from '../app/context.js';
import { JobScheduler } from '../app/scheduler/jobScheduler.js';
import { registerStandardJobs } from '../app/scheduler/jobs.js';
import { DEFAULT_NOTIFICATION_SETTINGS } from '../domain/notification/delivery.js';
import {
  adminTokenPath,
  type ServeConfig,
  itsmSettingsFromEnv,
  sweepIntervalsFromEnv,
} from '../config.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { prometheusSource } from '../integrations/prometheus.js';
import { sigstoreTrustFrom } from '../integrations/sigstore.js';
import { flagReaderFor, ofrepProvider } from '../integrations/feature-flags.js';
import { loggerOptions } from './logging.js';
import { buildServer } from './server.js';
import type { Server } from './routes/index.js';

export interface Running {
  server: Server;
  app: App;
  url: string;
  adminToken: string | null;
  adminTokenFile: string;
  demo: { loaded: boolean; releases: number };
  /** The scheduled jobs, when this process runs them (`config.scheduler`). */
  scheduler: JobScheduler | null;
  close(): Promise<void>;
}

/** How long a stopping process lets in-flight requests run before cutting them off. */
export const SHUTDOWN_TIMEOUT_MS = 10_000;

/**
 * Closes the listener and waits for in-flight requests. Their answers say
 * `Connection: close` and connections that fall idle are closed at once, so keep-alive
 * clients do not hold the process for their idle timeout; connections still busy after
 * `limitMs` are destroyed so a stuck client cannot hold it up either.
 */
async function drain(server: Server, limitMs: number): Promise<void> {
  draining.add(server);
  const sweep = setInterval(() => server.server.closeIdleConnections(), 50);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      server.log.warn({ limitMs }, 'shutdown: requests still in flight were cut off');
      server.server.closeAllConnections();
      resolve();
    }, limitMs);
  });
  try {
    await Promise.race([server.close(), limit]);
  } finally {
    clearTimeout(timer);
    clearInterval(sweep);
  }
}

const draining = new WeakSet<Server>();

function closeConnectionsWhenDraining(server: Server): void {
  server.addHook('onSend', (_request, reply, payload, done) => {
    if (draining.has(server)) void reply.header('connection', 'close');
    done(null, payload);
  });
}

export async function startGatehouse(config: ServeConfig, version = '0.0.0'): Promise<Running> {
  mkdirSync(config.dataDir, { recursive: true });
  const store = openStore(config.databaseUrl);
  const app: App = {
    store,
    clock: () => new Date(),
    ...(config.prometheusUrl ? { metricsSource: prometheusSource(config.prometheusUrl) } : {}),
    // Read once at start: verification never reaches the network.
    ...(config.sigstoreTrustedRoot
      ? {
          sigstoreTrust: sigstoreTrustFrom(
            JSON.parse(readFileSync(config.sigstoreTrustedRoot, 'utf8')) as unknown,
          ),
        }
      : {}),
    ...(config.flagsOfrepUrl
      ? { flags: await flagReaderFor(ofrepProvider(config.flagsOfrepUrl)) }
      : {}),
  };
  try {
    await migrateToLatest(store);
    const issued = await execute(app, SYSTEM_ACTOR, (ctx) => bootstrapAdmin(ctx));
    const tokenFile = adminTokenPath(config.dataDir);
    if (issued) {
      writeFileSync(tokenFile, issued.token + '\n', { mode: 0o600 });
      chmodSync(tokenFile, 0o600);
    }
    // The demo generator is only loaded when asked for.
    const demo = config.demo
      ? await (await import('../app/demo/loadDemoOrganisation.js')).loadDemoOrganisation(app)
      : { loaded: false, releases: 0 };
    // The shipped policy set, so a gate can be checked from the first release on.
    await execute(app, SYSTEM_ACTOR, (ctx) => ensureDefaultPolicySet(ctx));
    const server = await buildServer(app, {
      version,
      ...(config.http?.rateLimitPerMinute !== undefined
        ? { rateLimitPerMinute: config.http.rateLimitPerMinute }
        : {}),
      ...(config.http?.hsts !== undefined ? { hsts: config.http.hsts } : {}),
      ...(config.http?.timeouts ? { timeouts: config.http.timeouts } : {}),
      logger: loggerOptions(config.logLevel),
      metricsPublic: config.metricsPublic ?? false,
    });
    closeConnectionsWhenDraining(server);
    await server.listen({ host: config.host, port: config.port });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let scheduler: JobScheduler | null = null;
    if (config.scheduler) {
      scheduler = new JobScheduler(app, server.log, server.metrics.jobRan);
      registerStandardJobs(scheduler, {
        notifications: { ...DEFAULT_NOTIFICATION_SETTINGS, ...config.notifications },
        itsm: itsmSettingsFromEnv(),
        sweeps: sweepIntervalsFromEnv(),
      });
      scheduler.start();
    }
    const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
    return {
      server,
      app,
      url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      adminToken: issued?.token ?? null,
      adminTokenFile: existsSync(tokenFile) ? tokenFile : '',
      demo,
      scheduler,
      async close() {
        // Stop accepting first; requests already in flight finish (up to the drain
        // limit), scheduled runs in flight finish, and only then does the store close.
        const draining = drain(server, config.shutdownTimeoutMs ?? SHUTDOWN_TIMEOUT_MS);
        await scheduler?.stop();
        await draining;
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
