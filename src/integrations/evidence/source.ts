/**
 * What a parser reads from: a whole buffer (an HTTP body already held) or a stream of
 * chunks (a file read from disk). Parsers consume chunks one at a time, so a stream is
 * never held whole.
 */
import { GatehouseError } from '../../domain/errors.js';

export type EvidenceSource = Uint8Array | string | AsyncIterable<Uint8Array | string>;

/** Chunks of at most 64 KiB, so a buffer is parsed as incrementally as a stream is. */
export async function* chunksOf(source: EvidenceSource): AsyncGenerator<Uint8Array | string> {
  if (typeof source === 'string' || source instanceof Uint8Array) {
    const step = 64 * 1024;
    for (let at = 0; at < source.length; at += step) yield source.slice(at, at + step);
    return;
  }
  yield* source;
}

/** Text chunks, decoded as UTF-8 across chunk boundaries; bad bytes are refused. */
export async function* textChunks(source: EvidenceSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of chunksOf(source))
      yield typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    const rest = decoder.decode();
    if (rest) yield rest;
  } catch (error) {
    if (error instanceof TypeError) throw invalidEvidence('the file is not valid UTF-8 text');
    throw error;
  }
}

/** Every parser refuses with this: a 400 naming the body and the reason. */
export function invalidEvidence(reason: string): GatehouseError {
  return new GatehouseError('invalid', 'invalid-evidence', `evidence file: ${reason}`, {
    field: '/body',
    problems: [{ field: '/body', reason }],
  });
}

export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function clip(value: string, length = 500): string {
  const trimmed = value.trim();
  return trimmed.length > length ? `${trimmed.slice(0, length - 1)}…` : trimmed;
}
