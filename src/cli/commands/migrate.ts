import type { Command } from 'commander';
import { databaseUrlFor, defaultDataDir } from '../../config.js';
import { CliError, EXIT } from '../client.js';
import { printJson } from '../output.js';

export function migrateCommand(program: Command): void {
  program
    .command('migrate')
    .description(
      'Bring the database schema to the latest version (the server also does this on start)',
    )
    .option('--data-dir <dir>', 'data directory holding the SQLite file', defaultDataDir())
    .option(
      '--database-url <url>',
      'postgres://… or sqlite:PATH (default: DATABASE_URL, else SQLite in the data directory)',
    )
    .option('--json', 'print the result as JSON', false)
    .action(async (options: { dataDir: string; databaseUrl?: string; json: boolean }) => {
      const { openStore } = await import('../../store/database.js');
      const { migrateToLatest } = await import('../../store/migrate.js');
      let store;
      try {
        store = openStore(databaseUrlFor(options.dataDir, options.databaseUrl));
      } catch (error) {
        throw new CliError((error as Error).message, EXIT.usage);
      }
      try {
        const { applied } = await migrateToLatest(store);
        if (options.json) printJson({ store: store.location, applied });
        else
          process.stdout.write(
            applied.length
              ? `applied ${applied.join(', ')} to ${store.location}\n`
              : `${store.location} is up to date\n`,
          );
      } catch (error) {
        throw new CliError(
          `migration failed on ${store.location}: ${(error as Error).message}`,
          EXIT.unavailable,
        );
      } finally {
        await store.close();
      }
    });
}
