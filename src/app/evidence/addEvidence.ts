import { createHash, randomUUID } from 'node:crypto';
import { GatehouseError, notFound } from '../../domain/errors.js';
import type { EvidenceFacts, EvidenceType } from '../../domain/evidence.js';
import { parseEvidence } from '../../integrations/evidence/index.js';
import { verifyArtifactBundle } from '../../integrations/sigstore.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import { execute, query, type Actor, type App, type Ctx } from '../context.js';
import { toEvidence, type Evidence } from './queries.js';

/** The largest evidence file accepted: a 50,000-test JUnit report is about 10 MiB. */
export const MAX_EVIDENCE_BYTES = 50 * 1024 * 1024;

export interface EvidenceUpload {
  type: EvidenceType;
  fileName: string;
  content: Uint8Array;
  /** For sigstore evidence: the `sha256:<hex>` digest of the artifact the bundle attests. */
  artifactDigest?: string;
}

/** The facts without their long lists, for the audit entry. */
function summary(facts: EvidenceFacts): Record<string, unknown> {
  const {
    failures: _f,
    top: _t,
    listed: _l,
    ...counts
  } = facts as unknown as Record<string, unknown>;
  return counts;
}

/** Stores a parsed evidence file, its SHA-256 and its facts, and audits the upload. */
export async function addEvidence(
  ctx: Ctx,
  releaseIdOrKey: string,
  upload: EvidenceUpload,
  facts: EvidenceFacts,
): Promise<Evidence> {
  authorize(ctx.actor, 'evidence:add');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const row = {
    id: randomUUID(),
    release_id: release.id,
    type: upload.type,
    file_name: upload.fileName,
    sha256: createHash('sha256').update(upload.content).digest('hex'),
    size: upload.content.length,
    content: upload.content,
    facts: JSON.stringify(facts),
    uploaded_by: ctx.actor.userId,
    uploaded_at: ctx.now.toISOString(),
  };
  await ctx.tx.insertInto('evidence').values(row).execute();
  const evidence = toEvidence({ ...row, release_key: release.key, uploader: ctx.actor.name });
  await recordAudit(ctx, {
    action: 'evidence.added',
    subjectType: 'release',
    subjectId: release.key,
    after: { ...evidence, facts: summary(facts) },
  });
  return evidence;
}

/**
 * An upload end to end: refuse early (no permission, unknown release, too large), parse
 * outside any transaction so a large file never holds the writer, then store.
 */
export async function receiveEvidence(
  app: App,
  actor: Actor,
  releaseIdOrKey: string,
  upload: EvidenceUpload,
): Promise<Evidence> {
  await query(app, actor, async (ctx) => {
    authorize(ctx.actor, 'evidence:add');
    if (!(await loadRelease(ctx.tx, releaseIdOrKey))) throw notFound('release', releaseIdOrKey);
  });
  if (upload.content.length > MAX_EVIDENCE_BYTES)
    throw new GatehouseError(
      'too-large',
      'evidence-too-large',
      `the file is ${upload.content.length} bytes; evidence may be at most ${MAX_EVIDENCE_BYTES} bytes`,
    );
  const facts =
    upload.type === 'sigstore'
      ? verifyArtifactBundle(upload.content, app.sigstoreTrust, upload.artifactDigest)
      : await parseEvidence(upload.type, upload.content);
  return execute(app, actor, (ctx) => addEvidence(ctx, releaseIdOrKey, upload, facts));
}
