/**
 * Small readers shared by the CI webhook parsers: each names the JSON pointer at fault,
 * so a malformed delivery is a 400 that says which field and why.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { invalid } from '../../domain/errors.js';
import type { Headers } from '../cdevents.js';

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function record(value: unknown, field: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw invalid(field, 'must be a JSON object', 'malformed-event');
  return value as Record<string, unknown>;
}

export function optionalRecord(value: unknown): Record<string, unknown> | null {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : null;
}

export function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function requiredText(value: unknown, field: string): string {
  const found = text(value);
  if (!found) throw invalid(field, 'is required (a non-empty string)', 'malformed-event');
  return found;
}

/** An id that may be a number or a string in the sender's JSON. */
export function identifier(value: unknown, field: string): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return requiredText(value, field);
}

/**
 * An instant as ISO 8601 UTC. Accepts ISO 8601 and the `2021-04-28 21:50:00 +0200` /
 * `2016-08-12 15:23:28 UTC` forms GitLab sends.
 */
export function instant(value: unknown, field: string): string {
  const raw = text(value);
  const normalised = raw
    ?.replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?UTC$/, '$1T$2Z')
    .replace(
      /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?([+-]\d{2}):?(\d{2})$/,
      '$1T$2$3:$4',
    );
  if (
    !normalised ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(normalised) ||
    Number.isNaN(Date.parse(normalised))
  )
    throw invalid(field, 'must be a timestamp with a zone (ISO 8601)', 'malformed-event');
  return new Date(normalised).toISOString();
}

/** Compares two secrets in constant time (over their digests, so lengths do not leak). */
export function secretsEqual(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
