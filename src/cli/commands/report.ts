/** `gatehouse report quarterly`: the quarterly health report as report.html and report.md. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parseQuarter } from '../../domain/report/quarter.js';
import { CliError, EXIT, request, type Connection } from '../client.js';
import { printJson, printLines } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

async function fetchText(connection: Connection, path: string, accept: string): Promise<string> {
  const { body } = await request<unknown>(connection, 'GET', path, {
    headers: { accept },
    timeoutMs: 300_000,
  });
  if (typeof body !== 'string')
    throw new CliError(
      `the server answered ${path} with something other than text`,
      EXIT.unavailable,
    );
  return body;
}

export function reportCommand(program: Command): void {
  const report = program.command('report').description('Reports (see docs/reports.md)');
  report
    .command('quarterly')
    .description(
      'The quarterly health report: an HTML report with charts (report.html) and a Markdown summary (report.md), anonymised',
    )
    .requiredOption('--quarter <YYYY-Qn>', 'the quarter, e.g. 2026-Q3')
    .requiredOption('-o, --output <dir>', 'the directory to write report.html and report.md to')
    .option('--json', 'print what was written as JSON', false)
    .action(
      async (options: { quarter: string; output: string; json: boolean }, command: Command) => {
        const parsed = parseQuarter(options.quarter, '--quarter');
        if (parsed.problem)
          throw new CliError(`${parsed.problem.field}: ${parsed.problem.reason}`, EXIT.usage);
        const connection = connect(command.optsWithGlobals<GlobalOptions>());
        const path = `/reports/quarterly/${encodeURIComponent(parsed.quarter.label)}`;
        // Both are fetched before anything is written: a refusal leaves no half a report.
        const html = await fetchText(connection, `${path}?format=html`, 'text/html');
        const markdown = await fetchText(connection, `${path}?format=markdown`, 'text/markdown');
        const dir = resolve(options.output);
        const files = { html: join(dir, 'report.html'), markdown: join(dir, 'report.md') };
        try {
          mkdirSync(dir, { recursive: true });
          writeFileSync(files.html, html);
          writeFileSync(files.markdown, markdown);
        } catch (error) {
          throw new CliError(
            `cannot write to ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            EXIT.usage,
          );
        }
        if (options.json) return printJson({ quarter: parsed.quarter.label, files });
        printLines([
          `Quarterly health report ${parsed.quarter.label}:`,
          `  ${files.html}`,
          `  ${files.markdown}`,
        ]);
      },
    );
}
