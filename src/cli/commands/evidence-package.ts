/**
 * `gatehouse evidence export` downloads a release's evidence package; `gatehouse
 * evidence verify` checks one offline, with no server: exit 0 intact, 1 altered (naming
 * each file and entry), 2 when the file cannot be read or is not a zip.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Command } from 'commander';
import { UnreadablePackage } from '../../domain/evidence-package/package.js';
import { verifyEvidencePackage } from '../../domain/evidence-package/verify.js';
import { CliError, EXIT, exitCodeFor, type Connection } from '../client.js';
import { printJson } from '../output.js';
import { connect, type GlobalOptions } from './global.js';

async function download(connection: Connection, path: string): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/zip, application/json' };
  if (connection.token) headers.authorization = `Bearer ${connection.token}`;
  let response: Response;
  try {
    response = await fetch(connection.url + path, {
      headers,
      signal: AbortSignal.timeout(600_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(
      `cannot reach Gatehouse at ${connection.url} (${cause}); is it running, and is GATEHOUSE_URL right?`,
      EXIT.unavailable,
    );
  }
  if (!response.ok) {
    const text = await response.text();
    let detail = `the server answered HTTP ${response.status}`;
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
    } catch {
      // not a problem document: keep the status
    }
    throw new CliError(detail, exitCodeFor(response.status));
  }
  return response;
}

/** Writes beside the target and renames, so the target is never half-written. */
function writeWhole(file: string, bytes: Uint8Array): void {
  const temporary = join(
    dirname(file),
    `.${basename(file)}.${randomBytes(6).toString('hex')}.part`,
  );
  try {
    writeFileSync(temporary, bytes, { flag: 'wx' });
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw new CliError(
      `cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
}

export function evidencePackageCommands(evidence: Command): void {
  evidence
    .command('export')
    .description(
      'Download the evidence package of a release (zip): records, evidence files, audit chain, manifest',
    )
    .argument('<release>', 'release key or id')
    .requiredOption('-o, --output <file>', 'where to write the zip')
    .option('--json', 'print the digests as JSON', false)
    .action(
      async (release: string, options: { output: string; json: boolean }, command: Command) => {
        const response = await download(
          connect(command.optsWithGlobals<GlobalOptions>()),
          `/releases/${encodeURIComponent(release)}/evidence-package`,
        );
        const bytes = new Uint8Array(await response.arrayBuffer());
        writeWhole(options.output, bytes);
        const manifestSha256 = response.headers.get('x-gatehouse-manifest-sha256') ?? '';
        const archiveSha256 = response.headers.get('x-gatehouse-archive-sha256') ?? '';
        if (options.json)
          return printJson({
            file: options.output,
            bytes: bytes.length,
            manifestSha256,
            archiveSha256,
          });
        process.stdout.write(
          `${options.output}: evidence package of ${release}, ${bytes.length} bytes\n` +
            `manifest sha256 ${manifestSha256} (recorded in the audit log as evidence-package.exported)\n` +
            `archive  sha256 ${archiveSha256}\n`,
        );
      },
    );

  evidence
    .command('verify')
    .description('Check an evidence package offline: every file, the audit chain, the records')
    .argument('<file>', 'the zip')
    .option(
      '--manifest-sha256 <hex>',
      'the manifest digest printed and audited at export: binds the package to Gatehouse',
    )
    .option('--json', 'print the verdict as JSON', false)
    .action((file: string, options: { manifestSha256?: string; json: boolean }) => {
      if (options.manifestSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(options.manifestSha256))
        throw new CliError('--manifest-sha256 must be 64 hexadecimal digits', EXIT.usage);
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(file);
      } catch (error) {
        throw new CliError(
          `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
          EXIT.usage,
        );
      }
      let verdict;
      try {
        verdict = verifyEvidencePackage(bytes, options.manifestSha256);
      } catch (error) {
        if (error instanceof UnreadablePackage)
          throw new CliError(`${file} is not an evidence package: ${error.message}`, EXIT.usage);
        throw error;
      }
      if (options.json) printJson(verdict);
      else if (verdict.intact)
        process.stdout.write(
          `${file}: intact — evidence package of ${verdict.release}, ${verdict.files} files, ` +
            `${verdict.entries} audit entries, chain head ${verdict.headSeq} ${verdict.headHash}\n` +
            `manifest sha256 ${verdict.manifestSha256}` +
            (options.manifestSha256
              ? ' (matches the digest given)\n'
              : ' (compare it with the one recorded at export)\n'),
        );
      else {
        process.stdout.write(`${file}: ALTERED — ${verdict.problems.length} problem(s)\n`);
        for (const p of verdict.problems) process.stdout.write(`  ${p.file}: ${p.problem}\n`);
      }
      if (!verdict.intact) process.exitCode = EXIT.refused;
    });
}
