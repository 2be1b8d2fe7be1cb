import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { EVIDENCE_TYPES, isEvidenceType } from '../../domain/evidence.js';
import { CliError, EXIT, request } from '../client.js';
import { printJson, printTable } from '../output.js';
import { evidencePackageCommands } from './evidence-package.js';
import { connect, type GlobalOptions } from './global.js';

const MAX_BYTES = 50 * 1024 * 1024;

function parseType(value: string): string {
  if (!isEvidenceType(value))
    throw new InvalidArgumentError(`must be one of ${EVIDENCE_TYPES.join(', ')}`);
  return value;
}

interface EvidenceBody {
  type: string;
  fileName: string;
  sha256: string;
  size: number;
  facts: Record<string, unknown> & { kind: string };
  uploadedBy: string;
  uploadedAt: string;
}

/** One line a person can read in a pipeline log. */
function describeFacts(facts: EvidenceBody['facts']): string {
  const f = facts as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- facts differ by kind; each branch reads its own
  switch (f.kind) {
    case 'tests':
      return `${f.tests} tests: ${f.passed} passed, ${f.failed} failed, ${f.errors} errors, ${f.skipped} skipped`;
    case 'coverage':
      return `lines ${f.lines.percent ?? 'n/a'} %, branches ${f.branches.percent ?? 'n/a'} % over ${f.files} files`;
    case 'findings':
      return `${f.total} findings: ${f.bySeverity.critical} critical, ${f.bySeverity.high} high`;
    case 'signature':
      return `${f.artifactDigest} signed by ${f.identity.subjectAlternativeName ?? 'no SAN'} (issuer ${f.identity.issuer ?? 'none'})`;
    default:
      return `${f.total} vulnerabilities in ${f.packages} packages: ${f.bySeverity.critical} critical, ${f.bySeverity.high} high`;
  }
}

export function evidenceCommand(program: Command): void {
  const evidence = program
    .command('evidence')
    .description(
      'Upload CI reports (tests, coverage, analysis, SBOMs), list them, export and verify evidence packages',
    );
  evidencePackageCommands(evidence);

  evidence
    .command('add')
    .description('Upload a report file for a release, as the CI tool wrote it')
    .argument('<release>', 'release key or id, e.g. REL-42')
    .argument('<file>', 'the report file')
    .requiredOption('--type <type>', EVIDENCE_TYPES.join(' | '), parseType)
    .option(
      '--name <name>',
      'name it is kept under (default: the file name); a later upload of the same type and name replaces it',
    )
    .option(
      '--artifact <digest>',
      'sigstore: the sha256:<hex> digest of the artifact the bundle attests',
    )
    .option('--json', 'print the stored evidence as JSON', false)
    .action(
      async (
        release: string,
        file: string,
        options: { type: string; name?: string; artifact?: string; json: boolean },
        command: Command,
      ) => {
        let size: number;
        try {
          size = statSync(file).size;
        } catch (error) {
          throw new CliError(
            `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
            EXIT.usage,
          );
        }
        if (size > MAX_BYTES)
          throw new CliError(
            `${file} is ${size} bytes; evidence may be at most ${MAX_BYTES} bytes`,
            EXIT.usage,
          );
        const name = options.name ?? basename(file);
        const { body } = await request<EvidenceBody>(
          connect(command.optsWithGlobals<GlobalOptions>()),
          'POST',
          `/releases/${encodeURIComponent(release)}/evidence?type=${options.type}&name=${encodeURIComponent(name)}` +
            (options.artifact ? `&artifact=${encodeURIComponent(options.artifact)}` : ''),
          {
            raw: { content: readFileSync(file), contentType: 'application/octet-stream' },
            timeoutMs: 300_000,
          },
        );
        if (options.json) return printJson(body);
        process.stdout.write(
          `${release}: ${body.type} ${body.fileName} stored (sha256 ${body.sha256}): ${describeFacts(body.facts)}\n`,
        );
      },
    );

  evidence
    .command('list')
    .description('Evidence uploaded for a release, oldest first')
    .argument('<release>', 'release key or id')
    .option('--json', 'print as JSON', false)
    .action(async (release: string, options: { json: boolean }, command: Command) => {
      const { body } = await request<EvidenceBody[]>(
        connect(command.optsWithGlobals<GlobalOptions>()),
        'GET',
        `/releases/${encodeURIComponent(release)}/evidence`,
      );
      if (options.json) return printJson(body);
      printTable(
        body.map((e) => ({
          type: e.type,
          file: e.fileName,
          facts: describeFacts(e.facts),
          by: e.uploadedBy,
          at: e.uploadedAt,
        })),
        ['type', 'file', 'facts', 'by', 'at'],
      );
    });
}
