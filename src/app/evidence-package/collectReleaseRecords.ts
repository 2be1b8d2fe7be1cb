/**
 * Everything an evidence package says about one release, read through the same queries
 * the API answers with, plus the raw evidence files and the audit entries. Read in the
 * export's transaction, so the records and the chain head are one consistent snapshot.
 */
import type { AuditEntry } from '../../domain/audit-chain.js';
import type { RecordType } from '../../domain/evidence-package/controls.js';
import type { AuditLink } from '../../domain/evidence-package/package.js';
import type { ApprovalRecord, EvidenceFileRecord } from '../../domain/evidence-package/verify.js';
import { isGatehouseError } from '../../domain/errors.js';
import type { Release } from '../../domain/release.js';
import { approvalDecisions } from '../approvals/approvalSituation.js';
import { listGoNoGo } from '../cab/goNoGo.js';
import { releaseDecisions } from '../cab/decideAgendaItem.js';
import type { Ctx } from '../context.js';
import { listDeployments } from '../deployments/recordDeployment.js';
import { evidenceOfRelease } from '../evidence/queries.js';
import { checkGate } from '../gates/checkGate.js';
import { getIncident } from '../incidents/queries.js';
import { policySetOfRelease } from '../policies/queries.js';
import { getReleaseSecurity } from '../releases/releaseSecurity.js';
import { getReview } from '../reviews/queries.js';
import { releaseRisk } from '../risk/releaseRisk.js';
import { listWaivers } from '../waivers/grantWaiver.js';

const TEST_EVIDENCE = new Set(['junit', 'lcov', 'cobertura']);

export interface ReleaseRecords {
  /** One JSON document per record type, keyed by the record type it is filed under. */
  records: Array<{ type: RecordType; count: number; value: unknown }>;
  evidence: EvidenceFileRecord[];
  evidenceFiles: Array<[string, Uint8Array]>;
  entries: AuditEntry[];
  chain: AuditLink[];
}

/** A file name safe in any unpacking tool: no directories, no control characters. */
function safeName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_');
  return cleaned.slice(0, 120) || 'file';
}

/** A part of the record the release does not have (no security declaration, no policy). */
async function optional<T>(read: () => Promise<T>): Promise<T | null> {
  try {
    return await read();
  } catch (error) {
    if (isGatehouseError(error) && (error.kind === 'not-found' || error.kind === 'conflict'))
      return null;
    throw error;
  }
}

export async function collectReleaseRecords(ctx: Ctx, release: Release): Promise<ReleaseRecords> {
  const { tx } = ctx;
  const transitions = await tx
    .selectFrom('release_transitions')
    .innerJoin('users', 'users.id', 'release_transitions.actor_id')
    .select([
      'release_transitions.from_state as from',
      'release_transitions.to_state as to',
      'users.name as by',
      'release_transitions.reason',
      'release_transitions.at',
    ])
    .where('release_transitions.release_id', '=', release.id)
    .orderBy('release_transitions.at')
    .orderBy('release_transitions.id')
    .execute();
  const risk = await releaseRisk(ctx, release.id);
  const { set: policySet, pinned } = await policySetOfRelease(tx, release.id);
  const environments = await tx
    .selectFrom('environments')
    .select('name')
    .orderBy('position')
    .execute();
  const verdicts: unknown[] = [];
  if (policySet)
    for (const { name } of environments) {
      const gate = await optional(() => checkGate(ctx, release.id, name));
      if (gate) verdicts.push(gate);
    }
  const waivers = await listWaivers(ctx, release.id);
  const approvals: ApprovalRecord[] = await approvalDecisions(tx, release.id);
  const cab = await releaseDecisions(ctx, release.id);
  const goNoGo = await listGoNoGo(ctx, release.id);
  const security = await optional(() => getReleaseSecurity(ctx, release.id));
  const deployments = await listDeployments(ctx, release.id);

  const uploads = await evidenceOfRelease(tx, release.id, release.key);
  const evidence: EvidenceFileRecord[] = [];
  const evidenceFiles: Array<[string, Uint8Array]> = [];
  for (const upload of uploads) {
    const row = await tx
      .selectFrom('evidence')
      .select('content')
      .where('id', '=', upload.id)
      .executeTakeFirstOrThrow();
    const path = `evidence/${upload.id}/${safeName(upload.fileName)}`;
    evidence.push({
      id: upload.id,
      type: upload.type,
      fileName: upload.fileName,
      sha256: upload.sha256,
      size: upload.size,
      uploadedBy: upload.uploadedBy,
      uploadedAt: upload.uploadedAt,
      path,
    });
    evidenceFiles.push([path, new Uint8Array(row.content)]);
  }

  const incidentIds = await tx
    .selectFrom('incident_deployments')
    .innerJoin('deployments', 'deployments.id', 'incident_deployments.deployment_id')
    .select('incident_deployments.incident_id')
    .distinct()
    .where('deployments.release_id', '=', release.id)
    .execute();
  const incidents = [];
  for (const { incident_id } of incidentIds.sort((a, b) =>
    a.incident_id.localeCompare(b.incident_id),
  ))
    incidents.push(await getIncident(ctx, incident_id));
  const reviewIds = await tx
    .selectFrom('reviews')
    .select('id')
    .where('release_id', '=', release.id)
    .orderBy('opened_at')
    .execute();
  const reviews = [];
  for (const { id } of reviewIds) reviews.push(await getReview(ctx, id));

  const rollbacks = {
    transitions: transitions.filter((t) => t.to === 'rolled-back' || t.to === 'failed'),
    deployments: deployments.filter((d) => d.status === 'rolled-back' || d.status === 'failed'),
  };

  // The release's entries: those about it, its deployments, its incidents and reviews.
  const subjects = [
    release.key,
    release.id,
    ...deployments.map((d) => d.id),
    ...incidents.flatMap((i) => [i.id, i.key]),
    ...reviewIds.map((r) => r.id),
    ...reviews.map((r) => r.key),
  ];
  const rows = await tx
    .selectFrom('audit_log')
    .selectAll()
    .where('subject_id', 'in', subjects)
    .orderBy('seq')
    .execute();
  const entries: AuditEntry[] = rows.map((r) => ({
    seq: Number(r.seq),
    at: r.at,
    actor: r.actor,
    action: r.action,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    before: r.before,
    after: r.after,
    prevHash: r.prev_hash,
    hash: r.hash,
  }));
  const first = entries[0]?.seq;
  const chainQuery = tx.selectFrom('audit_log').select(['seq', 'hash', 'prev_hash']).orderBy('seq');
  const links =
    first === undefined
      ? await tx
          .selectFrom('audit_log')
          .select(['seq', 'hash', 'prev_hash'])
          .orderBy('seq', 'desc')
          .limit(1)
          .execute()
      : await chainQuery.where('seq', '>=', first).execute();
  const chain = links.map((l) => ({ seq: Number(l.seq), hash: l.hash, prevHash: l.prev_hash }));

  const records: ReleaseRecords['records'] = [
    { type: 'release', count: 1, value: release },
    {
      type: 'scope',
      count: release.services.length,
      value: { services: release.services, scope: release.scope },
    },
    { type: 'transitions', count: transitions.length, value: transitions },
    { type: 'risk', count: 1, value: risk },
    {
      type: 'policy-version',
      count: policySet ? 1 : 0,
      value: policySet ? { ...policySet, pinned } : null,
    },
    { type: 'gate-verdicts', count: verdicts.length, value: verdicts },
    { type: 'waivers', count: waivers.length, value: waivers },
    { type: 'approvals', count: approvals.length, value: approvals },
    { type: 'cab-decisions', count: cab.length, value: cab },
    { type: 'go-no-go', count: goNoGo.length, value: goNoGo },
    {
      type: 'test-evidence',
      count: evidence.filter((e) => TEST_EVIDENCE.has(e.type)).length,
      value: evidence.filter((e) => TEST_EVIDENCE.has(e.type)),
    },
    {
      type: 'scan-evidence',
      count: evidence.filter((e) => !TEST_EVIDENCE.has(e.type)).length,
      value: evidence.filter((e) => !TEST_EVIDENCE.has(e.type)),
    },
    { type: 'security', count: security ? 1 : 0, value: security },
    { type: 'deployments', count: deployments.length, value: deployments },
    {
      type: 'rollbacks',
      count: rollbacks.transitions.length + rollbacks.deployments.length,
      value: rollbacks,
    },
    { type: 'incidents', count: incidents.length, value: incidents },
    { type: 'reviews', count: reviews.length, value: reviews },
    { type: 'audit-trail', count: entries.length, value: null },
  ];
  return { records, evidence, evidenceFiles, entries, chain };
}
