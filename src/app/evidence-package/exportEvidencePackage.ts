/**
 * Exports one release's evidence package (docs/evidence-packages.md): collects its
 * records, maps them to controls, packs the archive and records the manifest's digest in
 * the audit log, all in one transaction, so the entry names exactly the package returned.
 */
import { strToU8 } from 'fflate';
import {
  controlCoverage,
  RECORD_TYPES,
  type RecordType,
} from '../../domain/evidence-package/controls.js';
import { renderIndexPage, type IndexSection } from '../../domain/evidence-package/index-page.js';
import {
  buildEvidencePackage,
  PACKAGE_FORMAT,
  sha256 as sha256Hex,
  type Manifest,
} from '../../domain/evidence-package/package.js';
import { PATHS } from '../../domain/evidence-package/verify.js';
import { notFound } from '../../domain/errors.js';
import { loadRelease } from '../../store/releases.js';
import { recordAudit } from '../audit/recordAudit.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { mappingInForce } from '../controls/controlMapping.js';
import { collectReleaseRecords } from './collectReleaseRecords.js';

export interface ExportedPackage {
  release: string;
  archive: Uint8Array;
  manifestSha256: string;
  archiveSha256: string;
  fileName: string;
}

const json = (value: unknown) => strToU8(`${JSON.stringify(value, null, 2)}\n`);

/** The file each record type is filed in; evidence and the audit trail have their own. */
function fileOf(type: RecordType): string[] {
  if (type === 'test-evidence' || type === 'scan-evidence') return [PATHS.evidence];
  if (type === 'audit-trail') return [PATHS.entries, PATHS.chain];
  return [`records/${type}.json`];
}

function rowsOf(value: unknown): Array<Record<string, unknown>> {
  if (Array.isArray(value)) return value as Array<Record<string, unknown>>;
  return value === null || value === undefined ? [] : [value as Record<string, unknown>];
}

export async function exportEvidencePackage(
  ctx: Ctx,
  releaseIdOrKey: string,
): Promise<ExportedPackage> {
  authorize(ctx.actor, 'evidence:export');
  const release = await loadRelease(ctx.tx, releaseIdOrKey);
  if (!release) throw notFound('release', releaseIdOrKey);
  const collected = await collectReleaseRecords(ctx, release);
  const mapping = await mappingInForce(ctx.tx);

  const present: Partial<Record<RecordType, { count: number; files: string[] }>> = {};
  for (const r of collected.records) present[r.type] = { count: r.count, files: fileOf(r.type) };
  const coverage = controlCoverage(mapping.mapping, present);
  const head = collected.chain.at(-1) ?? { seq: 0, hash: '0'.repeat(64) };
  const header: Omit<Manifest, 'files'> = {
    format: PACKAGE_FORMAT,
    release: { id: release.id, key: release.key },
    exportedAt: ctx.now.toISOString(),
    exportedBy: ctx.actor.name,
    audit: {
      entries: collected.entries.length,
      chainFrom: collected.chain[0]?.seq ?? head.seq,
      headSeq: head.seq,
      headHash: head.hash,
    },
  };

  const recordFiles: Array<[string, Uint8Array]> = collected.records
    .filter((r) => !['test-evidence', 'scan-evidence', 'audit-trail'].includes(r.type))
    .map((r) => [`records/${r.type}.json`, json(r.value)]);
  const content: Array<[string, Uint8Array]> = [
    [
      'controls.json',
      json({
        mappingVersion: mapping.version,
        mappingSha256: mapping.sha256,
        recordTypes: RECORD_TYPES,
        controls: coverage,
      }),
    ],
    ...recordFiles,
    [PATHS.evidence, json(collected.evidence)],
    [PATHS.entries, json(collected.entries)],
    [PATHS.chain, json(collected.chain)],
    ...collected.evidenceFiles,
  ];
  const sections: IndexSection[] = [
    {
      title: 'Release',
      file: 'records/release.json',
      columns: [
        'key',
        'title',
        'version',
        'state',
        'classification',
        'changeType',
        'requester',
        'justification',
        'rollbackPlan',
        'contentHash',
      ],
      rows: [release as unknown as Record<string, unknown>],
    },
    {
      title: 'Scope',
      file: 'records/scope.json',
      columns: ['service', 'version', 'artifact'],
      rows: rowsOf(release.services),
    },
    {
      title: 'Lifecycle transitions',
      file: 'records/transitions.json',
      columns: ['from', 'to', 'by', 'reason', 'at'],
      rows: rowsOf(collected.records.find((r) => r.type === 'transitions')?.value),
    },
    {
      title: 'Risk assessment',
      file: 'records/risk.json',
      columns: ['score', 'level', 'contributions'],
      rows: rowsOf(collected.records.find((r) => r.type === 'risk')?.value),
    },
    {
      title: 'Policy version',
      file: 'records/policy-version.json',
      columns: ['name', 'version', 'sha256', 'appliedBy', 'appliedAt', 'pinned'],
      rows: rowsOf(collected.records.find((r) => r.type === 'policy-version')?.value),
    },
    {
      title: 'Gate verdicts',
      file: 'records/gate-verdicts.json',
      columns: ['environment', 'verdict', 'policySet', 'policy', 'rules', 'checkedAt'],
      rows: rowsOf(collected.records.find((r) => r.type === 'gate-verdicts')?.value),
    },
    {
      title: 'Waivers',
      file: 'records/waivers.json',
      columns: ['rule', 'justification', 'grantedBy', 'grantedAt', 'expiresAt'],
      rows: rowsOf(collected.records.find((r) => r.type === 'waivers')?.value),
    },
    {
      title: 'Approvals',
      file: PATHS.approvals,
      columns: ['stage', 'decision', 'by', 'text', 'contentHash', 'at'],
      rows: rowsOf(collected.records.find((r) => r.type === 'approvals')?.value),
    },
    {
      title: 'CAB decisions',
      file: PATHS.cabDecisions,
      columns: [
        'meeting',
        'occurrence',
        'decision',
        'rationale',
        'conditions',
        'decidedBy',
        'decidedAt',
      ],
      rows: rowsOf(collected.records.find((r) => r.type === 'cab-decisions')?.value),
    },
    {
      title: 'Go / No-Go checkpoints',
      file: 'records/go-no-go.json',
      columns: ['environment', 'decision', 'rationale', 'participants', 'recordedBy', 'recordedAt'],
      rows: rowsOf(collected.records.find((r) => r.type === 'go-no-go')?.value),
    },
    {
      title: 'Test and scan evidence',
      file: PATHS.evidence,
      columns: ['type', 'fileName', 'path', 'sha256', 'size', 'uploadedBy', 'uploadedAt'],
      rows: rowsOf(collected.evidence),
    },
    {
      title: 'Deployments',
      file: 'records/deployments.json',
      columns: ['service', 'environment', 'region', 'status', 'startedAt', 'finishedAt', 'actor'],
      rows: rowsOf(collected.records.find((r) => r.type === 'deployments')?.value),
    },
    {
      title: 'Incidents',
      file: 'records/incidents.json',
      columns: ['key', 'title', 'severity', 'service', 'startedAt', 'resolvedAt'],
      rows: rowsOf(collected.records.find((r) => r.type === 'incidents')?.value),
    },
    {
      title: 'Reviews',
      file: 'records/reviews.json',
      columns: ['key', 'status', 'openedAt', 'closedAt', 'closedBy'],
      rows: rowsOf(collected.records.find((r) => r.type === 'reviews')?.value),
    },
    {
      title: 'Audit entries',
      file: PATHS.entries,
      columns: ['seq', 'at', 'actor', 'action', 'subjectType', 'subjectId', 'hash', 'prevHash'],
      rows: rowsOf(collected.entries),
    },
  ];
  const listed = content.map(([path, bytes]) => ({ path, bytes }));
  // The page lists the files' digests, so it is built before, and itself listed in, the manifest.
  const page = renderIndexPage({
    header,
    title: release.title,
    sections,
    coverage,
    files: listed.map(({ path, bytes }) => ({
      path,
      sha256: sha256Hex(bytes),
      size: bytes.length,
    })),
  });
  const built = buildEvidencePackage(header, [['index.html', strToU8(page)], ...content]);
  await recordAudit(ctx, {
    action: 'evidence-package.exported',
    subjectType: 'release',
    subjectId: release.key,
    after: {
      manifestSha256: built.manifestSha256,
      archiveSha256: built.archiveSha256,
      files: built.manifest.files.length,
      headSeq: header.audit.headSeq,
      headHash: header.audit.headHash,
      controlMappingVersion: mapping.version,
    },
  });
  return {
    release: release.key,
    archive: built.archive,
    manifestSha256: built.manifestSha256,
    archiveSha256: built.archiveSha256,
    fileName: `${release.key}-evidence.zip`,
  };
}
