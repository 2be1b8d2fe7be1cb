/**
 * Release notes: generated from a release's scope (audited), read per audience. Customer
 * notes of a security fix stay unreadable, except to the roles allowed, until their
 * embargo ends; the internal notes and the list of strippings are for the organisation.
 */
import { createHash } from 'node:crypto';
import { can, rolesWith } from '../../domain/access.js';
import { GatehouseError, invalid, notFound } from '../../domain/errors.js';
import {
  BUILT_IN_PATTERNS,
  generateNotes,
  patternsFor,
  stripPatternProblem,
  type GenerateNotesInput,
  type StripPattern,
  type StripPatternInput,
  type Stripping,
} from '../../domain/release-notes.js';
import { loadRelease } from '../../store/releases.js';
import type { Tx } from '../../store/database.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface ReleaseNotes {
  release: string;
  securityFix: boolean;
  embargoUntil: string | null;
  /** False while an embargo is in force. */
  published: boolean;
  generatedBy: string;
  generatedAt: string;
  internalMarkdown: string;
  /** Null for a reader who may not see the notes before their embargo ends. */
  customerMarkdown: string | null;
  strippings: Stripping[];
}

export type Audience = 'internal' | 'customer';

async function customPatterns(tx: Tx): Promise<StripPattern[]> {
  const rows = await tx.selectFrom('release_note_patterns').selectAll().orderBy('name').execute();
  return rows.map((r) => ({
    name: r.name,
    pattern: r.pattern,
    caseInsensitive: r.case_insensitive === 1,
    description: r.description,
  }));
}

export async function generateReleaseNotes(
  ctx: Ctx,
  key: string,
  input: GenerateNotesInput,
): Promise<ReleaseNotes> {
  authorize(ctx.actor, 'release-notes:write');
  const release = await loadRelease(ctx.tx, key);
  if (!release) throw notFound('release', key);
  const securityFix = input.securityFix ?? false;
  let embargoUntil: string | null = null;
  if (input.embargoUntil !== undefined) {
    if (!securityFix)
      throw invalid(
        '/embargoUntil',
        'only the notes of a security fix are embargoed (set securityFix)',
      );
    const at = Date.parse(input.embargoUntil);
    if (at <= ctx.now.getTime())
      throw invalid(
        '/embargoUntil',
        `the embargo must end in the future; ${input.embargoUntil} is not after ${ctx.now.toISOString()}`,
        'embargo-in-past',
      );
    embargoUntil = new Date(at).toISOString();
  }
  const internalServices = await ctx.tx
    .selectFrom('services')
    .select('name')
    .where('customer_facing', '=', 0)
    .execute();
  const notes = generateNotes(
    release,
    patternsFor(
      internalServices.map((s) => s.name),
      await customPatterns(ctx.tx),
    ),
    { securityFix },
  );
  const now = ctx.now.toISOString();
  const row = {
    internal_markdown: notes.internalMarkdown,
    customer_markdown: notes.customerMarkdown,
    strippings: JSON.stringify(notes.strippings),
    security_fix: securityFix ? 1 : 0,
    embargo_until: embargoUntil,
    generated_by: ctx.actor.name,
    generated_at: now,
  };
  await ctx.tx
    .insertInto('release_notes')
    .values({ release_id: release.id, ...row })
    .onConflict((oc) => oc.column('release_id').doUpdateSet(row))
    .execute();
  // The audit entry fingerprints the notes; their text may hold what is embargoed.
  const sha = (text: string) => createHash('sha256').update(text).digest('hex');
  await recordAudit(ctx, {
    action: 'release-notes.generated',
    subjectType: 'release',
    subjectId: release.key,
    after: {
      securityFix,
      embargoUntil,
      strippings: notes.strippings.length,
      internalSha256: sha(notes.internalMarkdown),
      customerSha256: sha(notes.customerMarkdown),
    },
  });
  return readNotes(ctx, release.key);
}

export async function getReleaseNotes(ctx: Ctx, key: string): Promise<ReleaseNotes> {
  authorize(ctx.actor, 'release:read');
  return readNotes(ctx, key);
}

async function readNotes(ctx: Ctx, key: string): Promise<ReleaseNotes> {
  const release = await loadRelease(ctx.tx, key);
  if (!release) throw notFound('release', key);
  const row = await ctx.tx
    .selectFrom('release_notes')
    .selectAll()
    .where('release_id', '=', release.id)
    .executeTakeFirst();
  if (!row) throw notFound('release notes', release.key);
  const published =
    row.embargo_until === null || Date.parse(row.embargo_until) <= ctx.now.getTime();
  const mayRead = published || can(ctx.actor.roles, 'release-notes:read-embargoed');
  return {
    release: release.key,
    securityFix: row.security_fix === 1,
    embargoUntil: row.embargo_until,
    published,
    generatedBy: row.generated_by,
    generatedAt: row.generated_at,
    internalMarkdown: row.internal_markdown,
    customerMarkdown: mayRead ? row.customer_markdown : null,
    strippings: JSON.parse(row.strippings) as Stripping[],
  };
}

/** One audience's Markdown; customer notes under embargo only for the roles allowed. */
export async function releaseNotesMarkdown(
  ctx: Ctx,
  key: string,
  audience: Audience,
): Promise<string> {
  const notes = await getReleaseNotes(ctx, key);
  if (audience === 'internal') return notes.internalMarkdown;
  if (notes.customerMarkdown === null) {
    const allowed = rolesWith('release-notes:read-embargoed');
    throw new GatehouseError(
      'forbidden',
      'embargoed',
      `the customer notes of ${notes.release} are embargoed until ${notes.embargoUntil}; ` +
        `before then only the role ${allowed.join(' or ')} may read them`,
      { extra: { embargoUntil: notes.embargoUntil, requiredRoles: allowed } },
    );
  }
  return notes.customerMarkdown;
}

export async function listStripPatterns(
  ctx: Ctx,
): Promise<Array<StripPattern & { builtIn: boolean }>> {
  authorize(ctx.actor, 'release:read');
  return [
    ...BUILT_IN_PATTERNS.map((p) => ({
      ...p,
      caseInsensitive: p.caseInsensitive ?? false,
      builtIn: true,
    })),
    ...(await customPatterns(ctx.tx)).map((p) => ({ ...p, builtIn: false })),
  ];
}

export async function setStripPattern(
  ctx: Ctx,
  name: string,
  input: StripPatternInput,
): Promise<StripPattern> {
  authorize(ctx.actor, 'release-notes:configure');
  if (name === 'internal-service' || BUILT_IN_PATTERNS.some((p) => p.name === name))
    throw invalid('/name', `'${name}' is a built-in pattern; choose another name`);
  const problem = stripPatternProblem(input.pattern);
  if (problem) throw invalid('/pattern', problem, 'invalid-pattern');
  const before = (await customPatterns(ctx.tx)).find((p) => p.name === name) ?? null;
  const row = {
    pattern: input.pattern,
    case_insensitive: input.caseInsensitive ? 1 : 0,
    description: input.description,
    created_by: ctx.actor.name,
    created_at: ctx.now.toISOString(),
  };
  await ctx.tx
    .insertInto('release_note_patterns')
    .values({ name, ...row })
    .onConflict((oc) => oc.column('name').doUpdateSet(row))
    .execute();
  const after: StripPattern = {
    name,
    pattern: input.pattern,
    caseInsensitive: input.caseInsensitive ?? false,
    description: input.description,
  };
  await recordAudit(ctx, {
    action: 'release-notes.pattern-set',
    subjectType: 'release-note-pattern',
    subjectId: name,
    before,
    after,
  });
  return after;
}

export async function removeStripPattern(ctx: Ctx, name: string): Promise<void> {
  authorize(ctx.actor, 'release-notes:configure');
  const before = (await customPatterns(ctx.tx)).find((p) => p.name === name);
  if (!before) throw notFound('release-note pattern', name);
  await ctx.tx.deleteFrom('release_note_patterns').where('name', '=', name).execute();
  await recordAudit(ctx, {
    action: 'release-notes.pattern-removed',
    subjectType: 'release-note-pattern',
    subjectId: name,
    before,
  });
}
