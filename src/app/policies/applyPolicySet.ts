import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { canonicalJson } from '../../domain/audit-chain.js';
import { GatehouseError, invalid } from '../../domain/errors.js';
import type { PolicySetDocument, PolicySetVersion } from '../../domain/policy.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';
import { lockAuditChain } from '../../store/database.js';
import { approvalPolicyProblems } from '../../domain/approval.js';
import { policySetProblems } from './policySchema.js';
import { latestPolicyVersion } from './queries.js';

/** The policy set that ships in the repository and is applied on first start. */
export const DEFAULT_POLICY_FILE = new URL('../../../policies/default.yaml', import.meta.url);

/** A policy document as YAML text (kept as written, comments included) or as an object. */
export type PolicySource = { yaml: string } | { document: unknown };

export function parsePolicySource(source: PolicySource): { document: unknown; text: string } {
  if ('document' in source)
    return { document: source.document, text: JSON.stringify(source.document, null, 2) };
  const parsed = parseDocument(source.yaml, { uniqueKeys: true, prettyErrors: true });
  if (parsed.errors.length > 0) {
    const first = parsed.errors[0]!;
    const where = first.linePos?.[0] ? ` at line ${first.linePos[0].line}` : '';
    throw invalid(
      '/body',
      `not valid YAML${where}: ${first.message.split('\n')[0]}`,
      'invalid-policy',
    );
  }
  try {
    // A bounded alias count refuses "billion laughs" documents.
    return { document: parsed.toJS({ maxAliasCount: 100 }), text: source.yaml };
  } catch (error) {
    throw invalid('/body', (error as Error).message, 'invalid-policy');
  }
}

/**
 * Validates and stores a new version of the policy set. Applying the same content
 * again changes nothing; every new version is audited with the previous one's hash.
 */
export async function applyPolicySet(
  ctx: Ctx,
  source: PolicySource,
): Promise<{ changed: boolean; policySet: PolicySetVersion }> {
  authorize(ctx.actor, 'policy:write');
  const { document, text } = parsePolicySource(source);
  const problems = policySetProblems(document);
  if (problems.length > 0)
    throw new GatehouseError(
      'invalid',
      'invalid-policy',
      `the policy set does not follow its schema (GET /policies/schema.json): ${problems[0]!.field} ${problems[0]!.reason}`,
      { problems },
    );
  const policySet = document as PolicySetDocument;
  const names = new Set<string>();
  policySet.policies.forEach((policy, i) => {
    if (names.has(policy.name))
      throw invalid(
        `/policies/${i}/name`,
        `'${policy.name}' is used by an earlier policy`,
        'invalid-policy',
      );
    names.add(policy.name);
  });
  const approvalProblems = approvalPolicyProblems(policySet);
  if (approvalProblems.length > 0)
    throw new GatehouseError(
      'invalid',
      'invalid-policy',
      `${approvalProblems[0]!.field}: ${approvalProblems[0]!.reason}`,
      { field: approvalProblems[0]!.field, problems: approvalProblems },
    );
  const sha256 = createHash('sha256').update(canonicalJson(policySet)).digest('hex');
  const latest = await latestPolicyVersion(ctx.tx);
  if (latest && latest.sha256 === sha256) return { changed: false, policySet: latest };

  const version = (latest?.version ?? 0) + 1;
  const appliedAt = ctx.now.toISOString();
  await ctx.tx
    .insertInto('policy_versions')
    .values({
      version,
      name: policySet.name,
      document: JSON.stringify(policySet),
      source: text,
      sha256,
      applied_by: ctx.actor.userId,
      applied_at: appliedAt,
    })
    .execute();
  const applied: PolicySetVersion = {
    version,
    name: policySet.name,
    sha256,
    appliedBy: ctx.actor.name,
    appliedAt,
    document: policySet,
  };
  await recordAudit(ctx, {
    action: 'policy.applied',
    subjectType: 'policy-set',
    subjectId: `${policySet.name}@${version}`,
    before: latest ? { version: latest.version, sha256: latest.sha256 } : null,
    after: { version, sha256, policies: policySet.policies.map((p) => p.name) },
  });
  return { changed: true, policySet: applied };
}

/** First start (and the demo): the shipped default, unless a policy set already exists. */
export async function ensureDefaultPolicySet(ctx: Ctx): Promise<void> {
  // Replicas starting together: the first one in applies it, the others then see it.
  await lockAuditChain(ctx.tx, ctx.engine);
  if (await latestPolicyVersion(ctx.tx)) return;
  await applyPolicySet(ctx, { yaml: readFileSync(DEFAULT_POLICY_FILE, 'utf8') });
}
