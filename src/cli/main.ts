#!/usr/bin/env node
/**
 * The `gatehouse` command. Exit codes: 0 ok, 1 refused by the product, 2 bad usage or
 * input, 3 server unreachable or failing; `canary judge` adds 4 for hold (marginal or
 * inconclusive).
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { CliError, EXIT } from './client.js';
import { COMMAND_MODULES, commandNamed } from './command-modules.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as { version: string };

async function buildProgram(argv: string[]): Promise<Command> {
  const program = new Command('gatehouse')
    .description('Gatehouse: the release-governance control plane')
    .version(version)
    .option(
      '--url <url>',
      'server address, before the command (default: GATEHOUSE_URL, else http://127.0.0.1:8080)',
    )
    .option('--token <token>', 'API token, before the command (default: GATEHOUSE_TOKEN)')
    // Program options come before the command, so `release create --version` is the release's.
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  const named = commandNamed(argv);
  const modules = named ? COMMAND_MODULES.filter((m) => m.names.includes(named)) : COMMAND_MODULES;
  for (const register of await Promise.all(modules.map((m) => m.load())))
    register(program, version);
  // Every subcommand reports usage errors through the same override.
  const override = (command: Command) => {
    command.exitOverride();
    command.commands.forEach(override);
  };
  override(program);
  return program;
}

async function main(argv: string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successful outcomes that commander reports by throwing.
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.ok;
      return EXIT.usage;
    }
    if (error instanceof CliError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`gatehouse: unexpected failure: ${(error as Error).message}\n`);
    return EXIT.unavailable;
  }
}

const code = await main(process.argv);
// `serve` keeps the process alive on its own; every other command ends here.
if (commandNamed(process.argv) !== 'serve' || !(await import('./commands/serve.js')).serving)
  process.exit(code);
