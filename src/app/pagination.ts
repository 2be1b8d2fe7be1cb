/** Opaque cursors for keyset pagination: base64url of the sort key of the last item. */
import { invalid } from '../domain/errors.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(key: Array<string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, length: number): Array<string> {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.length === length && key.every((k) => typeof k === 'string'))
      return key as string[];
  } catch {
    // fall through to the refusal below
  }
  throw invalid('/query/cursor', 'is not a cursor this server issued; start again without it');
}
