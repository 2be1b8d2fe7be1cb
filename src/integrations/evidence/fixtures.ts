/** Test fixtures: real tool output kept byte for byte under test/fixtures/evidence. */
import { createReadStream, readFileSync } from 'node:fs';

const DIR = new URL('../../../test/fixtures/evidence/', import.meta.url);

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, DIR));
}

/** The fixture as a file stream, the way the CLI or a large upload feeds a parser. */
export function fixtureStream(name: string): AsyncIterable<Buffer> {
  return createReadStream(new URL(name, DIR), { highWaterMark: 1024 });
}
