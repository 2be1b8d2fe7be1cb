/**
 * Offline verification of an evidence package: the archive and manifest (package.ts),
 * then the audit entries it carries (each one's hash recomputed from its content, each
 * one found in the chain of links it carries), then the records against those entries.
 * A record changed in the database without going through Gatehouse still exports, but
 * no longer matches the audit entry written when it was made: that is what is checked.
 */
import { strFromU8 } from 'fflate';
import { hashEntry, type AuditEntry } from '../audit-chain.js';
import {
  openEvidencePackage,
  sha256,
  type AuditLink,
  type Manifest,
  type PackageContents,
  type PackageProblem,
} from './package.js';

export const PATHS = {
  entries: 'audit/entries.json',
  chain: 'audit/chain.json',
  approvals: 'records/approvals.json',
  evidence: 'records/evidence.json',
  cabDecisions: 'records/cab-decisions.json',
} as const;

export interface EvidenceFileRecord {
  id: string;
  type: string;
  fileName: string;
  sha256: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
  /** Where the raw file is inside the package. */
  path: string;
}

export interface ApprovalRecord {
  id: string;
  stage: string;
  decision: string;
  by: string;
  text: string;
  contentHash: string;
  at: string;
}

export interface CabDecisionRecord {
  id: string;
  decision: string;
  rationale: string;
  decidedBy: string;
  decidedAt: string;
}

export interface PackageVerdict {
  intact: boolean;
  release: string | null;
  manifestSha256: string | null;
  headSeq: number | null;
  headHash: string | null;
  files: number;
  entries: number;
  problems: PackageProblem[];
}

export function verifyEvidencePackage(
  archive: Uint8Array,
  expectedManifestSha256?: string,
): PackageVerdict {
  const { contents, problems } = openEvidencePackage(archive);
  if (contents) {
    if (expectedManifestSha256 && expectedManifestSha256.toLowerCase() !== contents.manifestSha256)
      problems.push({
        file: 'manifest.json',
        problem: `its SHA-256 is ${contents.manifestSha256}, not the ${expectedManifestSha256} recorded at export`,
      });
    try {
      problems.push(...checkRecords(contents));
    } catch (error) {
      // Records in an unexpected shape: what was altered is reported, not a crash.
      problems.push({ file: '(records)', problem: `malformed: ${(error as Error).message}` });
    }
  }
  const manifest: Manifest | undefined = contents?.manifest;
  return {
    intact: problems.length === 0,
    release: manifest?.release?.key ?? null,
    manifestSha256: contents?.manifestSha256 ?? null,
    headSeq: manifest?.audit?.headSeq ?? null,
    headHash: manifest?.audit?.headHash ?? null,
    files: contents?.files.size ?? 0,
    entries: manifest?.audit?.entries ?? 0,
    problems,
  };
}

function readJson<T>(
  contents: PackageContents,
  path: string,
  problems: PackageProblem[],
): T | null {
  const bytes = contents.files.get(path);
  if (!bytes) {
    problems.push({ file: path, problem: 'missing' });
    return null;
  }
  try {
    const value = JSON.parse(strFromU8(bytes)) as unknown;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'object' || v === null))
      throw new Error('not a list of records');
    return value as T;
  } catch (error) {
    problems.push({ file: path, problem: `unreadable: ${(error as Error).message}` });
    return null;
  }
}

function checkRecords(contents: PackageContents): PackageProblem[] {
  const problems: PackageProblem[] = [];
  const entries = readJson<AuditEntry[]>(contents, PATHS.entries, problems) ?? [];
  const chain = readJson<AuditLink[]>(contents, PATHS.chain, problems) ?? [];
  problems.push(...checkChain(contents.manifest, entries, chain));

  const afterOf = (actions: string[]) => {
    const byId = new Map<string, { entry: AuditEntry; after: Record<string, unknown> }>();
    for (const entry of entries) {
      if (!actions.includes(entry.action) || entry.after === null) continue;
      try {
        const after = JSON.parse(entry.after) as Record<string, unknown>;
        if (typeof after.id === 'string') byId.set(after.id, { entry, after });
      } catch {
        // an unparsable entry is already reported as altered by its hash
      }
    }
    return byId;
  };

  const approvals = readJson<ApprovalRecord[]>(contents, PATHS.approvals, problems) ?? [];
  const approvalEntries = afterOf(['approval.given', 'approval.rejected']);
  for (const a of approvals) {
    const found = approvalEntries.get(a.id);
    if (!found) {
      problems.push({ file: PATHS.approvals, problem: `approval ${a.id} has no audit entry` });
      continue;
    }
    const { entry, after } = found;
    const differs = [
      ['stage', after.stage, a.stage],
      ['decision', after.decision, a.decision],
      ['by', after.by, a.by],
      ['text', after.text ?? '', a.text],
      ['contentHash', after.contentHash ?? '', a.contentHash],
      ['at', entry.at, a.at],
    ].filter(([, recorded, stored]) => recorded !== stored);
    for (const [field, recorded, stored] of differs)
      problems.push({
        file: PATHS.approvals,
        problem: `approval ${a.id}: ${String(field)} is '${String(stored)}' but audit entry ${entry.seq} recorded '${String(recorded)}'`,
      });
  }

  const decisions = readJson<CabDecisionRecord[]>(contents, PATHS.cabDecisions, problems) ?? [];
  const decisionEntries = afterOf(['cab.decision.recorded']);
  for (const d of decisions) {
    const found = decisionEntries.get(d.id);
    if (!found) {
      problems.push({
        file: PATHS.cabDecisions,
        problem: `CAB decision ${d.id} has no audit entry`,
      });
      continue;
    }
    for (const field of ['decision', 'rationale', 'decidedBy', 'decidedAt'] as const)
      if (found.after[field] !== d[field])
        problems.push({
          file: PATHS.cabDecisions,
          problem: `CAB decision ${d.id}: ${field} is '${d[field]}' but audit entry ${found.entry.seq} recorded '${String(found.after[field])}'`,
        });
  }

  const evidence = readJson<EvidenceFileRecord[]>(contents, PATHS.evidence, problems) ?? [];
  const evidenceEntries = afterOf(['evidence.added']);
  for (const e of evidence) {
    const bytes = contents.files.get(e.path);
    if (!bytes) problems.push({ file: e.path, problem: `evidence ${e.id} is not in the package` });
    else if (sha256(bytes) !== e.sha256)
      problems.push({
        file: e.path,
        problem: `stored bytes hash to ${sha256(bytes)}, but the upload was recorded with SHA-256 ${e.sha256}`,
      });
    const found = evidenceEntries.get(e.id);
    if (!found)
      problems.push({ file: PATHS.evidence, problem: `evidence ${e.id} has no audit entry` });
    else if (found.after.sha256 !== e.sha256 || found.after.size !== e.size)
      problems.push({
        file: PATHS.evidence,
        problem: `evidence ${e.id}: SHA-256 ${e.sha256} but audit entry ${found.entry.seq} recorded ${String(found.after.sha256)}`,
      });
  }
  return problems;
}

/** Each entry hashes to what it says, sits in the chain it came with, and the chain links up. */
function checkChain(
  manifest: Manifest,
  entries: AuditEntry[],
  chain: AuditLink[],
): PackageProblem[] {
  const problems: PackageProblem[] = [];
  for (let i = 0; i < chain.length; i++) {
    const link = chain[i]!;
    const expectedSeq = manifest.audit.chainFrom + i;
    if (link.seq !== expectedSeq) {
      problems.push({
        file: PATHS.chain,
        problem: `link ${i} is entry ${link.seq}, expected ${expectedSeq}`,
      });
      break;
    }
    if (i > 0 && link.prevHash !== chain[i - 1]!.hash) {
      problems.push({
        file: PATHS.chain,
        problem: `entry ${link.seq} does not point at entry ${link.seq - 1} (previous hash ${link.prevHash})`,
      });
      break;
    }
  }
  const head = chain.at(-1);
  if (!head || head.seq !== manifest.audit.headSeq || head.hash !== manifest.audit.headHash)
    problems.push({
      file: PATHS.chain,
      problem: `does not end at the head the manifest names (entry ${manifest.audit.headSeq})`,
    });
  if (entries.length !== manifest.audit.entries)
    problems.push({
      file: PATHS.entries,
      problem: `holds ${entries.length} entries, the manifest says ${manifest.audit.entries}`,
    });
  const bySeq = new Map(chain.map((l) => [l.seq, l]));
  for (const entry of entries) {
    const recomputed = hashEntry(entry, entry.prevHash);
    if (recomputed !== entry.hash)
      problems.push({
        file: PATHS.entries,
        problem: `entry ${entry.seq} was altered: its content hashes to ${recomputed}, it says ${entry.hash}`,
      });
    const link = bySeq.get(entry.seq);
    if (!link || link.hash !== entry.hash || link.prevHash !== entry.prevHash)
      problems.push({
        file: PATHS.entries,
        problem: `entry ${entry.seq} is not the entry the chain holds at that position`,
      });
  }
  return problems;
}
