/** Reading YAML or JSON documents given to the CLI; any problem is a usage error (exit 2). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { CliError, EXIT } from './client.js';

// Loaded on first use: most runs of a command that can read a document are given none,
// and the YAML parser is a large share of the CLI's start-up.
let yaml: typeof Yaml | undefined;
const parser = () => (yaml ??= createRequire(import.meta.url)('yaml') as typeof Yaml);

export function readDocument(path: string): unknown {
  let text: string;
  try {
    text = path === '-' ? readFileSync(0, 'utf8') : readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      EXIT.usage,
    );
  }
  const document = parser().parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0) {
    const first = document.errors[0]!;
    const where = first.linePos?.[0]
      ? ` at line ${first.linePos[0].line}, column ${first.linePos[0].col}`
      : '';
    throw new CliError(
      `${path} is not valid YAML${where}: ${first.message.split('\n')[0]}`,
      EXIT.usage,
    );
  }
  let value: unknown;
  try {
    // A bounded alias count refuses "billion laughs" documents.
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new CliError(`${path} cannot be read: ${(error as Error).message}`, EXIT.usage);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new CliError(
      `${path} must hold a mapping (an object), not ${Array.isArray(value) ? 'a list' : String(value)}`,
      EXIT.usage,
    );
  }
  return value;
}
