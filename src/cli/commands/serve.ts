import type { Command } from 'commander';
import {
  databaseUrlFor,
  defaultDataDir,
  metricsPublic,
  notificationSettingsFromEnv,
  httpSettingsFromEnv,
  schedulerEnabled,
} from '../../config.js';
import { CliError, EXIT } from '../client.js';
import { parseHttpUrl, parsePort } from './options.js';

/** Set once the server listens: the process then lives until a signal stops it. */
export let serving = false;

export function serveCommand(program: Command, version: string): void {
  program
    .command('serve')
    .description(
      'Run the Gatehouse server (SQLite in the data directory unless DATABASE_URL names PostgreSQL)',
    )
    .option('--host <host>', 'interface to listen on', process.env.GATEHOUSE_HOST ?? '127.0.0.1')
    .option(
      '--port <port>',
      'port to listen on (0 picks a free one)',
      process.env.GATEHOUSE_PORT ?? '8080',
    )
    .option(
      '--data-dir <dir>',
      'where the SQLite file and the first-start admin token live',
      defaultDataDir(),
    )
    .option(
      '--database-url <url>',
      'postgres://… or sqlite:PATH (default: DATABASE_URL, else SQLite in the data directory)',
    )
    .option('--demo', 'load the demo organisation when the store has no release yet', false)
    .option(
      '--prometheus-url <url>',
      'Prometheus that canary analyses pull metrics from (query_range)',
      process.env.GATEHOUSE_PROMETHEUS_URL,
    )
    .option(
      '--sigstore-trusted-root <file>',
      'Sigstore trusted root (trusted_root.json) for verifying sigstore evidence offline (also GATEHOUSE_SIGSTORE_TRUSTED_ROOT)',
      process.env.GATEHOUSE_SIGSTORE_TRUSTED_ROOT,
    )
    .option(
      '--flags-ofrep-url <url>',
      'OFREP flag service feature-flag rollouts are read from (also GATEHOUSE_FLAGS_OFREP_URL)',
      process.env.GATEHOUSE_FLAGS_OFREP_URL,
    )
    .option(
      '--no-scheduler',
      'do not run scheduled jobs such as webhook delivery here (also GATEHOUSE_SCHEDULER=off)',
    )
    .option(
      '--log-level <level>',
      'fatal, error, warn, info, debug or silent',
      process.env.GATEHOUSE_LOG_LEVEL ?? 'info',
    )
    .action(
      async (options: {
        host: string;
        port: string;
        dataDir: string;
        databaseUrl?: string;
        demo: boolean;
        logLevel: string;
        prometheusUrl?: string;
        sigstoreTrustedRoot?: string;
        flagsOfrepUrl?: string;
        scheduler: boolean;
      }) => {
        const port = parsePort(options.port);
        const prometheusUrl = options.prometheusUrl
          ? parseHttpUrl('--prometheus-url', options.prometheusUrl)
          : undefined;
        let http;
        try {
          http = httpSettingsFromEnv();
        } catch (error) {
          throw new CliError((error as Error).message, EXIT.usage);
        }
        // Warnings (Node's, or the store's when its SQLite checkpointer stops) go to the
        // JSON log as well as to stderr, where Node writes them; those from before the
        // log exists are held until it does.
        type Warning = Error & { code?: string };
        const early: Warning[] = [];
        const holdWarning = (warning: Warning) => void early.push(warning);
        process.on('warning', holdWarning);
        let running;
        try {
          // Loaded here, not at the top: every other command starts without the server's weight.
          const { startGatehouse } = await import('../../http/start.js');
          running = await startGatehouse(
            {
              dataDir: options.dataDir,
              databaseUrl: databaseUrlFor(options.dataDir, options.databaseUrl),
              host: options.host,
              port,
              demo: options.demo,
              logLevel: options.logLevel,
              ...(prometheusUrl ? { prometheusUrl } : {}),
              ...(options.sigstoreTrustedRoot
                ? { sigstoreTrustedRoot: options.sigstoreTrustedRoot }
                : {}),
              ...(options.flagsOfrepUrl
                ? { flagsOfrepUrl: parseHttpUrl('--flags-ofrep-url', options.flagsOfrepUrl) }
                : {}),
              scheduler: schedulerEnabled(options.scheduler),
              notifications: notificationSettingsFromEnv(),
              metricsPublic: metricsPublic(),
              http,
            },
            version,
          );
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'EADDRINUSE')
            throw new CliError(
              `port ${port} on ${options.host} is already in use; pass --port`,
              EXIT.usage,
            );
          throw new CliError(
            `Gatehouse could not start: ${(error as Error).message}`,
            EXIT.unavailable,
          );
        }
        serving = true;
        const lines = [
          `Gatehouse ${version} is running at ${running.url}`,
          `  store:       ${running.app.store.location}`,
        ];
        if (running.adminToken)
          lines.push(
            `  admin token: ${running.adminToken}`,
            `               (shown once; also in ${running.adminTokenFile}, mode 0600)`,
          );
        else if (running.adminTokenFile) lines.push(`  admin token: in ${running.adminTokenFile}`);
        if (running.demo.loaded)
          lines.push(`  demo:        loaded ${running.demo.releases} releases`);
        lines.push(
          `  web UI:      ${running.url}/ui/ (sign in with a token)`,
          `  API:         ${running.url}/openapi.json`,
          `  try:         GATEHOUSE_URL=${running.url} GATEHOUSE_TOKEN=<token> gatehouse release list`,
        );
        process.stderr.write(lines.join('\n') + '\n');
        let stopping = false;
        const stop = async (signal: NodeJS.Signals) => {
          if (stopping) return;
          stopping = true;
          process.stderr.write(
            `Gatehouse stopping (${signal}): no new connections; finishing requests in flight\n`,
          );
          // Stop accepting, finish in-flight requests and scheduled runs, release the store.
          try {
            await running.close();
          } catch (error) {
            process.stderr.write(`Gatehouse did not stop cleanly: ${(error as Error).message}\n`);
            process.exit(EXIT.refused);
          }
          process.stderr.write('Gatehouse stopped\n');
          process.exit(EXIT.ok);
        };
        process.on('SIGINT', (signal) => void stop(signal));
        process.on('SIGTERM', (signal) => void stop(signal));
        const logWarning = (warning: Warning) =>
          running.server.log.warn({ code: warning.code ?? warning.name }, warning.message);
        process.off('warning', holdWarning);
        early.forEach(logWarning);
        process.on('warning', logWarning);
      },
    );
}
