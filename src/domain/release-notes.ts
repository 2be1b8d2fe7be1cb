/**
 * Release notes from a release's scope, for two audiences. Internal notes carry
 * everything; customer notes carry features and fixes with internal identifiers
 * stripped (host names, ticket keys, internal service names, stack traces, IP
 * addresses and whatever patterns an admin adds), and every stripping is listed so a
 * person can review what was taken out before the notes go to customers.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Release } from './release.js';
import { Instant, ShortText, Slug, StrictObject } from './schema-kit.js';

export interface StripPattern {
  name: string;
  /** A JavaScript regular expression source; matched globally. */
  pattern: string;
  caseInsensitive?: boolean;
  description: string;
}

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Always applied; admins add to these, they cannot switch them off. */
export const BUILT_IN_PATTERNS: readonly StripPattern[] = [
  {
    name: 'stack-trace',
    // JavaScript "at fn (file:line:col)", Java "at a.b.C(C.java:12)", Python 'File "x", line 3'.
    pattern:
      '(?:\\bat\\s+[\\w$.<>/\\\\-]+\\s*\\(?[^\\s()]*:\\d+(?::\\d+)?\\)?|File "[^"]+", line \\d+(?:, in \\S+)?)',
    description: 'stack-trace frames',
  },
  {
    name: 'ipv4-address',
    pattern: `\\b${IPV4_OCTET}(?:\\.${IPV4_OCTET}){3}(?::\\d{1,5})?\\b`,
    description: 'IPv4 addresses',
  },
  {
    name: 'ipv6-address',
    pattern: '\\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\\b',
    caseInsensitive: true,
    description: 'IPv6 addresses',
  },
  {
    name: 'internal-hostname',
    pattern:
      '\\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\\.)+(?:internal|local|lan|corp|intra|intranet|private|svc|cluster)\\b(?::\\d{1,5})?',
    caseInsensitive: true,
    description: 'host names in internal domains (.internal, .local, .corp, .svc …)',
  },
  {
    name: 'ticket-key',
    pattern: '\\b[A-Z][A-Z0-9]{1,9}-\\d{1,7}\\b',
    description: 'issue-tracker keys such as PAY-101',
  },
];

export interface Stripping {
  pattern: string;
  match: string;
  /** Where it was found, e.g. "features[1]" or "title". */
  where: string;
}

export interface GeneratedNotes {
  internalMarkdown: string;
  customerMarkdown: string;
  strippings: Stripping[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const inline = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** Why an admin's pattern cannot be used, or null. */
export function stripPatternProblem(pattern: string): string | null {
  let regexp: RegExp;
  try {
    regexp = new RegExp(pattern, 'gu');
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
  if (regexp.test('')) return 'it matches the empty string, so it would strip nothing visible';
  return null;
}

/**
 * The patterns for one generation: the built-ins, one for the catalog's internal
 * services (by exact name), then the admin's own.
 */
export function patternsFor(
  internalServices: readonly string[],
  custom: readonly StripPattern[],
): StripPattern[] {
  const services = [...internalServices].sort((a, b) => b.length - a.length);
  return [
    ...BUILT_IN_PATTERNS,
    ...(services.length > 0
      ? [
          {
            name: 'internal-service',
            pattern: `(?<![\\w-])(?:${services.map(escapeRegExp).join('|')})(?![\\w-])`,
            description: 'names of services the catalog marks as not customer-facing',
          },
        ]
      : []),
    ...custom,
  ];
}

/** Strips every pattern from one text, recording each match. */
export function stripText(
  text: string,
  where: string,
  patterns: readonly StripPattern[],
  strippings: Stripping[],
): string {
  let result = text;
  for (const p of patterns) {
    const regexp = new RegExp(p.pattern, p.caseInsensitive ? 'giu' : 'gu');
    result = result.replace(regexp, (match) => {
      // A pattern that can match nothing (\b, x*) strips nothing there.
      if (match === '') return match;
      strippings.push({ pattern: p.name, match, where });
      return '';
    });
  }
  if (result === text) return text;
  // Tidy what a removal leaves behind: empty brackets, doubled spaces, stray punctuation.
  return result
    .replace(/\(\s*[,;:]?\s*\)|\[\s*\]/g, '')
    .replace(/[ \t]{2,}/g, ' ')
    .replace(/\s+([,.;:])/g, '$1')
    .replace(/^[\s,;:–-]+|[\s,;:–-]+$/g, '')
    .trim();
}

export function generateNotes(
  release: Release,
  patterns: readonly StripPattern[],
  options: { securityFix: boolean },
): GeneratedNotes {
  const { scope } = release;
  const list = (items: readonly string[]) => items.map((i) => `- ${inline(i)}`);
  const internal: string[] = [
    `# ${inline(release.title)} ${release.version} (${release.key})`,
    '',
    `- Classification: ${release.classification} (${release.changeType} change)`,
    `- Strategy: ${release.strategy}`,
    ...(release.plannedWindow
      ? [`- Planned window: ${release.plannedWindow.start} – ${release.plannedWindow.end} (UTC)`]
      : []),
    ...(release.team ? [`- Team: ${release.team}`] : []),
    ...(options.securityFix
      ? ['- Security fix: customer notes are embargoed until published']
      : []),
    '',
    '## Services',
    ...release.services.map(
      (s) => `- ${s.service} ${s.version}${s.artifact ? ` (${s.artifact})` : ''}`,
    ),
  ];
  const section = (title: string, items: readonly string[]) =>
    items.length > 0 ? ['', `## ${title}`, ...list(items)] : [];
  internal.push(
    ...section('Features', scope.features),
    ...section('Fixes', scope.fixes),
    ...section('Known exclusions', scope.exclusions),
    ...section('Work items', scope.workItems),
    ...section('Commits', scope.commits),
  );

  const strippings: Stripping[] = [];
  const strip = (items: readonly string[], name: string) =>
    items
      .map((item, i) => stripText(inline(item), `${name}[${i}]`, patterns, strippings))
      .filter((item) => item.length > 0);
  const title = stripText(inline(release.title), 'title', patterns, strippings) || 'Release';
  const features = strip(scope.features, 'features');
  const fixes = strip(scope.fixes, 'fixes');
  const customer: string[] = [`# ${title} ${release.version}`];
  if (features.length > 0) customer.push('', "## What's new", ...list(features));
  if (fixes.length > 0)
    customer.push(
      '',
      options.securityFix ? '## Fixes (including security)' : '## Fixes',
      ...list(fixes),
    );
  if (features.length === 0 && fixes.length === 0)
    customer.push('', 'Maintenance release: no customer-visible changes.');
  return {
    internalMarkdown: internal.join('\n') + '\n',
    customerMarkdown: customer.join('\n') + '\n',
    strippings,
  };
}

export const GenerateNotesInput = StrictObject({
  securityFix: Type.Optional(
    Type.Boolean({ description: 'the release fixes a security issue; allows an embargo' }),
  ),
  embargoUntil: Type.Optional(
    Type.Unsafe<string>({
      ...Instant,
      description: 'customer notes stay unpublished until this instant (must be in the future)',
    }),
  ),
});
export type GenerateNotesInput = Static<typeof GenerateNotesInput>;

export const StripPatternInput = StrictObject({
  pattern: Type.String({ minLength: 1, maxLength: 200 }),
  caseInsensitive: Type.Optional(Type.Boolean()),
  description: ShortText,
});
export type StripPatternInput = Static<typeof StripPatternInput>;
export const StripPatternName = Slug;
