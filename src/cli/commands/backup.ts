/**
 * `gatehouse backup` and `gatehouse restore`: straight to the database, like `migrate`
 * (the server need not run; a backup reads one snapshot while it does). One portable
 * format for both engines (ADR 1900-2, docs/operations.md).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { databaseUrlFor, defaultDataDir } from '../../config.js';
import type { Store } from '../../store/database.js';
import { CliError, EXIT } from '../client.js';
import { printJson } from '../output.js';

interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  json: boolean;
}

function storeOptions(command: Command): Command {
  return command
    .option('--data-dir <dir>', 'data directory holding the SQLite file', defaultDataDir())
    .option(
      '--database-url <url>',
      'postgres://… or sqlite:PATH (default: DATABASE_URL, else SQLite in the data directory)',
    )
    .option('--json', 'print the result as JSON', false);
}

async function withStore<T>(options: StoreOptions, work: (store: Store) => Promise<T>): Promise<T> {
  const { openStore } = await import('../../store/database.js');
  const { BackupRefused } = await import('../../store/backup.js');
  let store: Store;
  try {
    store = openStore(databaseUrlFor(options.dataDir, options.databaseUrl));
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.usage);
  }
  try {
    return await work(store);
  } catch (error) {
    if (error instanceof BackupRefused || error instanceof CliError)
      throw error instanceof CliError ? error : new CliError(error.message, EXIT.usage);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR')
      throw new CliError((error as Error).message, EXIT.usage);
    throw new CliError(`${store.location}: ${(error as Error).message}`, EXIT.unavailable);
  } finally {
    await store.close();
  }
}

export function backupCommands(program: Command): void {
  storeOptions(
    program
      .command('backup')
      .description(
        "Write a consistent backup of the whole database (gzip'd NDJSON with a SHA-256 trailer)",
      )
      .requiredOption('-o, --output <file>', 'the backup file to write (replaced atomically)'),
  ).action(async (options: StoreOptions & { output: string }) => {
    const { writeBackup } = await import('../../store/backup.js');
    const output = resolve(options.output);
    const summary = await withStore(options, (store) => writeBackup(store, output));
    if (options.json) printJson({ file: output, ...summary });
    else
      process.stdout.write(
        `backed up ${summary.rows} rows of ${summary.tables} tables (schema ${summary.schemaVersion}) to ${output}\n` +
          `sha256 ${summary.sha256}\n`,
      );
  });

  storeOptions(
    program
      .command('restore')
      .description(
        'Restore a backup into an empty database (a new one is migrated first); refuses a changed file, another schema version or a database in use',
      )
      .argument('<file>', 'a file written by gatehouse backup'),
  ).action(async (file: string, options: StoreOptions) => {
    const { restoreBackup } = await import('../../store/backup.js');
    const { appliedMigrations, migrateToLatest } = await import('../../store/migrate.js');
    const summary = await withStore(options, async (store) => {
      // A brand-new database is brought to this build's schema; one already migrated is
      // left as it is, so a version mismatch is reported rather than papered over.
      if ((await appliedMigrations(store.db)).length === 0) await migrateToLatest(store);
      return restoreBackup(store, resolve(file));
    });
    if (options.json) printJson(summary);
    else
      process.stdout.write(
        `restored ${summary.rows} rows of ${summary.tables} tables (schema ${summary.schemaVersion}); ` +
          'check it with gatehouse audit verify --database-url …\n',
      );
  });
}
