/**
 * ITSM connections, one per tool the organisation mirrors its releases into. The
 * credential is kept because every call needs it; reads show it masked, the audit entry
 * records that it was set or changed, never what it is.
 */
import { randomUUID } from 'node:crypto';
import { invalid, notFound, conflict } from '../../domain/errors.js';
import { ITSM_KINDS, maskSecret, type ItsmKind } from '../../domain/itsm.js';
import type { ItsmConnectionConfig, ItsmSettings } from '../../integrations/itsm/client.js';
import type { ItsmConnectionTable } from '../../store/schema.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export interface ConnectionInput {
  name: string;
  kind: string;
  baseUrl: string;
  auth: string;
  username?: string | null;
  secret: string;
  settings?: ItsmSettings;
  active?: boolean;
}

export interface PresentedConnection {
  id: string;
  name: string;
  kind: ItsmKind;
  baseUrl: string;
  auth: 'basic' | 'bearer';
  username: string | null;
  /** Masked: that a secret is set, never what it is. */
  secret: string;
  settings: ItsmSettings;
  active: boolean;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

const SETTING_KEYS = [
  'projectKey',
  'issueType',
  'closeTransition',
  'cancelTransition',
  'changeType',
] as const;

function checkSettings(kind: ItsmKind, settings: ItsmSettings): ItsmSettings {
  const clean: ItsmSettings = {};
  for (const [key, value] of Object.entries(settings)) {
    if (!(SETTING_KEYS as readonly string[]).includes(key))
      throw invalid(`/settings/${key}`, `is not a setting (${SETTING_KEYS.join(', ')})`);
    if (typeof value !== 'string' || value.trim() === '' || value.length > 200)
      throw invalid(`/settings/${key}`, 'must be a non-empty string of at most 200 characters');
    clean[key as keyof ItsmSettings] = value.trim();
  }
  if (kind === 'jira' && !clean.projectKey)
    throw invalid('/settings/projectKey', 'is required for a Jira connection');
  if (kind === 'jira' && !/^[A-Z][A-Z0-9_]+$/.test(clean.projectKey!))
    throw invalid('/settings/projectKey', 'must be a Jira project key such as CHG');
  return clean;
}

function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('/baseUrl', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid('/baseUrl', 'must be an http(s) URL');
  if (url.username || url.password)
    throw invalid('/baseUrl', 'must not carry credentials; give them as username and secret');
  if (url.search || url.hash) throw invalid('/baseUrl', 'must not have a query or fragment');
  return url.toString().replace(/\/$/, '');
}

function checked(input: ConnectionInput) {
  if (!(ITSM_KINDS as readonly string[]).includes(input.kind))
    throw invalid('/kind', `must be one of ${ITSM_KINDS.join(', ')}`);
  const kind = input.kind as ItsmKind;
  if (input.auth !== 'basic' && input.auth !== 'bearer')
    throw invalid('/auth', 'must be basic or bearer');
  const username = input.username?.trim() || null;
  if (input.auth === 'basic' && !username)
    throw invalid('/username', 'is required for basic authentication');
  if (input.auth === 'bearer' && username)
    throw invalid('/username', 'is not used with a bearer token; leave it out');
  if (input.secret.trim() === '') throw invalid('/secret', 'must not be empty');
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(input.name))
    throw invalid('/name', 'must be a lowercase slug (letters, digits, dashes)');
  return {
    kind,
    baseUrl: checkUrl(input.baseUrl),
    auth: input.auth,
    username,
    settings: checkSettings(kind, input.settings ?? {}),
  };
}

export function presentConnection(
  row: ItsmConnectionTable & { creator?: string },
): PresentedConnection {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as ItsmKind,
    baseUrl: row.base_url,
    auth: row.auth as 'basic' | 'bearer',
    username: row.username,
    secret: maskSecret(row.secret),
    settings: JSON.parse(row.settings) as ItsmSettings,
    active: row.active === 1,
    createdBy: row.creator ?? row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function connectionConfig(row: ItsmConnectionTable): ItsmConnectionConfig {
  return {
    kind: row.kind as ItsmKind,
    baseUrl: row.base_url,
    auth: row.auth as 'basic' | 'bearer',
    username: row.username,
    secret: row.secret,
    settings: JSON.parse(row.settings) as ItsmSettings,
  };
}

/** What the audit entry keeps: everything but the secret. */
function audited(c: PresentedConnection) {
  const { secret: _secret, ...rest } = c;
  return rest;
}

async function findRow(ctx: Ctx, idOrName: string) {
  const row = await ctx.tx
    .selectFrom('itsm_connections')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  if (!row) throw notFound('ITSM connection', idOrName);
  return row;
}

export async function createConnection(
  ctx: Ctx,
  input: ConnectionInput,
): Promise<PresentedConnection> {
  authorize(ctx.actor, 'itsm:configure');
  const c = checked(input);
  const taken = await ctx.tx
    .selectFrom('itsm_connections')
    .select('id')
    .where('name', '=', input.name)
    .executeTakeFirst();
  if (taken) throw conflict('duplicate-name', `an ITSM connection named '${input.name}' exists`);
  const now = ctx.now.toISOString();
  const id = randomUUID();
  const row: ItsmConnectionTable = {
    id,
    name: input.name,
    kind: c.kind,
    base_url: c.baseUrl,
    auth: c.auth,
    username: c.username,
    secret: input.secret,
    settings: JSON.stringify(c.settings),
    active: input.active === false ? 0 : 1,
    after_seq: 0,
    created_by: ctx.actor.name,
    created_at: now,
    updated_at: now,
  };
  const presented = presentConnection(row);
  // Only audit entries after this one are mirrored through the new connection.
  const { seq } = await recordAudit(ctx, {
    action: 'itsm-connection.created',
    subjectType: 'itsm-connection',
    subjectId: input.name,
    after: audited(presented),
  });
  await ctx.tx
    .insertInto('itsm_connections')
    .values({ ...row, after_seq: seq })
    .execute();
  return presented;
}

export interface ConnectionPatch {
  baseUrl?: string;
  auth?: string;
  username?: string | null;
  secret?: string;
  settings?: ItsmSettings;
  active?: boolean;
}

export async function updateConnection(
  ctx: Ctx,
  idOrName: string,
  patch: ConnectionPatch,
): Promise<PresentedConnection> {
  authorize(ctx.actor, 'itsm:configure');
  const row = await findRow(ctx, idOrName);
  const before = presentConnection(row);
  const c = checked({
    name: row.name,
    kind: row.kind,
    baseUrl: patch.baseUrl ?? row.base_url,
    auth: patch.auth ?? row.auth,
    username: patch.username === undefined ? row.username : patch.username,
    secret: patch.secret ?? row.secret,
    settings: patch.settings ?? (JSON.parse(row.settings) as ItsmSettings),
  });
  const now = ctx.now.toISOString();
  const next: ItsmConnectionTable = {
    ...row,
    base_url: c.baseUrl,
    auth: c.auth,
    username: c.username,
    secret: patch.secret ?? row.secret,
    settings: JSON.stringify(c.settings),
    active: patch.active === undefined ? row.active : patch.active ? 1 : 0,
    updated_at: now,
  };
  await ctx.tx
    .updateTable('itsm_connections')
    .set({
      base_url: next.base_url,
      auth: next.auth,
      username: next.username,
      secret: next.secret,
      settings: next.settings,
      active: next.active,
      updated_at: now,
    })
    .where('id', '=', row.id)
    .execute();
  const after = presentConnection(next);
  await recordAudit(ctx, {
    action: 'itsm-connection.updated',
    subjectType: 'itsm-connection',
    subjectId: row.name,
    before: audited(before),
    after: { ...audited(after), secretChanged: patch.secret !== undefined },
  });
  return after;
}

export async function listConnections(ctx: Ctx): Promise<PresentedConnection[]> {
  authorize(ctx.actor, 'release:read');
  const rows = await ctx.tx.selectFrom('itsm_connections').selectAll().orderBy('name').execute();
  return rows.map(presentConnection);
}

export async function getConnection(ctx: Ctx, idOrName: string): Promise<PresentedConnection> {
  authorize(ctx.actor, 'release:read');
  return presentConnection(await findRow(ctx, idOrName));
}
