/**
 * The control mapping in force is the newest stored version, or the shipped default
 * (version 0) until an admin saves one. Saving validates every control and record type
 * it names, stores the next version and audits it, in one transaction.
 */
import { canonicalJson } from '../../domain/audit-chain.js';
import {
  DEFAULT_CONTROL_MAPPING,
  validateControlMapping,
  type ControlMapping,
  type ControlMappingInput,
} from '../../domain/evidence-package/controls.js';
import { sha256 } from '../../domain/evidence-package/package.js';
import { conflict } from '../../domain/errors.js';
import { isUniqueViolation, type Tx } from '../../store/database.js';
import { recordAudit } from '../audit/recordAudit.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface ControlMappingVersion {
  version: number;
  mapping: ControlMapping;
  sha256: string;
  createdBy: string | null;
  createdAt: string | null;
}

export async function mappingInForce(tx: Tx): Promise<ControlMappingVersion> {
  const row = await tx
    .selectFrom('control_mappings')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row)
    return {
      version: 0,
      mapping: DEFAULT_CONTROL_MAPPING,
      sha256: sha256(canonicalJson(DEFAULT_CONTROL_MAPPING)),
      createdBy: null,
      createdAt: null,
    };
  return {
    version: Number(row.version),
    mapping: JSON.parse(row.document) as ControlMapping,
    sha256: row.sha256,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

export async function getControlMapping(ctx: Ctx): Promise<ControlMappingVersion> {
  authorize(ctx.actor, 'policy:read');
  return mappingInForce(ctx.tx);
}

export async function saveControlMapping(
  ctx: Ctx,
  input: ControlMappingInput,
): Promise<ControlMappingVersion> {
  authorize(ctx.actor, 'controls:manage');
  const mapping = validateControlMapping(input);
  const current = await mappingInForce(ctx.tx);
  const document = canonicalJson(mapping);
  const saved: ControlMappingVersion = {
    version: current.version + 1,
    mapping,
    sha256: sha256(document),
    createdBy: ctx.actor.name,
    createdAt: ctx.now.toISOString(),
  };
  try {
    await ctx.tx
      .insertInto('control_mappings')
      .values({
        version: saved.version,
        document,
        sha256: saved.sha256,
        created_by: ctx.actor.name,
        created_at: ctx.now.toISOString(),
      })
      .execute();
  } catch (error) {
    // The primary key on version makes a racing save fail rather than overwrite.
    if (isUniqueViolation(error))
      throw conflict(
        'mapping-changed',
        'the control mapping was saved by someone else meanwhile; reload and retry',
      );
    throw error;
  }
  await recordAudit(ctx, {
    action: 'control-mapping.saved',
    subjectType: 'control-mapping',
    subjectId: String(saved.version),
    before: { version: current.version, sha256: current.sha256 },
    after: { version: saved.version, sha256: saved.sha256, mapping },
  });
  return saved;
}
