import { notFound } from '../../domain/errors.js';
import type { EvidenceFacts, EvidenceType } from '../../domain/evidence.js';
import type { Tx } from '../../store/database.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface Evidence {
  id: string;
  release: string;
  type: EvidenceType;
  fileName: string;
  sha256: string;
  size: number;
  facts: EvidenceFacts;
  uploadedBy: string;
  uploadedAt: string;
}

export function toEvidence(row: {
  id: string;
  release_key: string;
  type: string;
  file_name: string;
  sha256: string;
  size: number;
  facts: string;
  uploader: string;
  uploaded_at: string;
}): Evidence {
  return {
    id: row.id,
    release: row.release_key,
    type: row.type as EvidenceType,
    fileName: row.file_name,
    sha256: row.sha256,
    size: row.size,
    facts: JSON.parse(row.facts) as EvidenceFacts,
    uploadedBy: row.uploader,
    uploadedAt: row.uploaded_at,
  };
}

/** Every upload for a release, oldest first; the raw bytes stay in the store. */
export async function evidenceOfRelease(tx: Tx, releaseId: string, releaseKey: string) {
  const rows = await tx
    .selectFrom('evidence')
    .innerJoin('users', 'users.id', 'evidence.uploaded_by')
    .select([
      'evidence.id',
      'evidence.type',
      'evidence.file_name',
      'evidence.sha256',
      'evidence.size',
      'evidence.facts',
      'evidence.uploaded_at',
      'users.name as uploader',
    ])
    .where('evidence.release_id', '=', releaseId)
    .orderBy('evidence.uploaded_at')
    .orderBy('evidence.id')
    .execute();
  return rows.map((r) => toEvidence({ ...r, release_key: releaseKey }));
}

export async function listEvidence(ctx: Ctx, releaseIdOrKey: string): Promise<Evidence[]> {
  authorize(ctx.actor, 'evidence:read');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  return evidenceOfRelease(ctx.tx, release.id, release.key);
}
