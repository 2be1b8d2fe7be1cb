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
import { adminTokenPath, type ServeConfig, itsmSettingsFromEnv } from '../config.js';
import { openStore } from '../store/database.js';
import { migrateToLatest } from '../store/migrate.js';
import { prometheusSource } from '../integrations/prometheus.js';
import { sigstoreTrustFrom } from '../integrations/sigstore.js';
import { flagReaderFor, ofrepProvider } from '../integrations/feature-flags.js';
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
      logger:
        config.logLevel === 'silent'
          ? false
          : { level: config.logLevel, redact: ['req.headers.authorization'] },
    });
    await server.listen({ host: config.host, port: config.port });
    const address = server.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    let scheduler: JobScheduler | null = null;
    if (config.scheduler) {
      scheduler = new JobScheduler(app, server.log);
      registerStandardJobs(scheduler, {
        notifications: { ...DEFAULT_NOTIFICATION_SETTINGS, ...config.notifications },
        itsm: itsmSettingsFromEnv(),
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
        await scheduler?.stop();
        await server.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
