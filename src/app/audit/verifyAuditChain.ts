import {
  describeBreak,
  verifyChainSegment,
  type AuditEntry,
  type ChainBreak,
} from '../../domain/audit-chain.js';
import type { Store } from '../../store/database.js';

export interface ChainReport {
  intact: boolean;
  entries: number;
  /** Hash of the last verified entry: record it elsewhere to detect truncation later. */
  headHash: string;
  headSeq: number;
  firstBreak: (ChainBreak & { description: string }) | null;
}

const BATCH = 2000;

/** Walks the whole chain in pages, so memory does not grow with its length. */
export async function verifyAuditChain(store: Store): Promise<ChainReport> {
  let previous = { seq: 0, hash: '0'.repeat(64) };
  let entries = 0;
  for (;;) {
    const rows = await store.reader
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', previous.seq)
      .orderBy('seq')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    const batch: AuditEntry[] = rows.map((r) => ({
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
    const result = verifyChainSegment(batch, previous);
    entries += result.count;
    if (result.break) {
      return {
        intact: false,
        entries,
        headHash: result.last.hash,
        headSeq: result.last.seq,
        firstBreak: { ...result.break, description: describeBreak(result.break) },
      };
    }
    previous = result.last;
  }
  return {
    intact: true,
    entries,
    headHash: previous.hash,
    headSeq: previous.seq,
    firstBreak: null,
  };
}
