/**
 * Loads a whole catalog document idempotently: creates what is new, updates what
 * differs, leaves the rest, and reports each. Nothing is deleted: a record missing from
 * the document stays (removing a service with history is a decision, not a side effect).
 * The document is checked as a whole before anything is written.
 */
import { randomUUID } from 'node:crypto';
import type {
  CatalogDocument,
  EnvironmentInput,
  ServiceInput,
  TeamInput,
} from '../../domain/catalog.js';
import { findCycle } from '../../domain/dependency-graph.js';
import { GatehouseError, type FieldProblem } from '../../domain/errors.js';
import { isValidTimeZone } from '../../domain/time-zone.js';
import { listEnvironments, listServices, listTeams } from '../../store/catalog.js';
import { authorize } from '../authorize.js';
import { recordAudit } from '../audit/recordAudit.js';
import type { Ctx } from '../context.js';

export type ChangeKind = 'created' | 'updated' | 'unchanged';
export interface CatalogChange {
  kind: 'team' | 'service' | 'environment';
  name: string;
  change: ChangeKind;
  fields?: string[];
}
export interface CatalogReport {
  dryRun: boolean;
  changes: CatalogChange[];
  summary: Record<ChangeKind, number>;
}

interface TeamState {
  displayName: string;
  timeZone: string | null;
}
interface ServiceState {
  team: string;
  tier: number;
  customerFacing: boolean;
  dataSensitivity: string;
  description: string;
  slos: unknown[];
  dependsOn: string[];
}
interface EnvironmentState {
  displayName: string;
  position: number;
  production: boolean;
  regions: string[];
  capacity: number | null;
}

const teamState = (t: TeamInput): TeamState => ({
  displayName: t.displayName ?? t.name,
  timeZone: t.timeZone ?? null,
});
const serviceState = (s: ServiceInput): ServiceState => ({
  team: s.team,
  tier: s.tier,
  customerFacing: s.customerFacing,
  dataSensitivity: s.dataSensitivity,
  description: s.description ?? '',
  slos: s.slos ?? [],
  dependsOn: [...(s.dependsOn ?? [])].sort(),
});
const environmentState = (e: EnvironmentInput): EnvironmentState => ({
  displayName: e.displayName ?? e.name,
  position: e.position,
  production: e.production ?? false,
  regions: e.regions ?? [],
  capacity: e.capacity ?? null,
});

function changedFields<T extends object>(before: T, after: T): string[] {
  return (Object.keys(after) as (keyof T)[])
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .map(String);
}

function duplicates(names: string[]): string[] {
  return [...new Set(names.filter((n, i) => names.indexOf(n) !== i))];
}

export async function applyCatalog(
  ctx: Ctx,
  document: CatalogDocument,
  options: { dryRun?: boolean } = {},
): Promise<CatalogReport> {
  authorize(ctx.actor, 'catalog:write');
  const { tx } = ctx;
  const teams = document.teams ?? [];
  const services = document.services ?? [];
  const environments = document.environments ?? [];

  const existingTeams = new Map((await listTeams(tx)).map((t) => [t.name, t]));
  const existingServices = new Map((await listServices(tx)).map((s) => [s.name, s]));
  const existingEnvironments = new Map((await listEnvironments(tx)).map((e) => [e.name, e]));

  // Check the whole document first: nothing is written unless all of it is valid.
  const problems: FieldProblem[] = [];
  for (const [kind, names] of [
    ['teams', teams.map((t) => t.name)],
    ['services', services.map((s) => s.name)],
    ['environments', environments.map((e) => e.name)],
  ] as const) {
    for (const name of duplicates(names))
      problems.push({ field: `/${kind}`, reason: `'${name}' appears more than once` });
  }
  teams.forEach((t, i) => {
    if (t.timeZone && !isValidTimeZone(t.timeZone))
      problems.push({
        field: `/teams/${i}/timeZone`,
        reason: `'${t.timeZone}' is not an IANA time zone`,
      });
  });
  const teamNames = new Set([...existingTeams.keys(), ...teams.map((t) => t.name)]);
  const serviceNames = new Set([...existingServices.keys(), ...services.map((s) => s.name)]);
  services.forEach((s, i) => {
    if (!teamNames.has(s.team))
      problems.push({ field: `/services/${i}/team`, reason: `team '${s.team}' does not exist` });
    (s.dependsOn ?? []).forEach((d, j) => {
      if (d === s.name)
        problems.push({
          field: `/services/${i}/dependsOn/${j}`,
          reason: `'${s.name}' cannot depend on itself`,
        });
      else if (!serviceNames.has(d))
        problems.push({
          field: `/services/${i}/dependsOn/${j}`,
          reason: `service '${d}' does not exist`,
        });
    });
  });
  const finalPositions = new Map<number, string>();
  for (const e of existingEnvironments.values()) finalPositions.set(e.position, e.name);
  for (const [name, env] of existingEnvironments) {
    if (environments.some((e) => e.name === name && e.position !== env.position))
      finalPositions.delete(env.position);
  }
  environments.forEach((e, i) => {
    const holder = finalPositions.get(e.position);
    if (holder && holder !== e.name)
      problems.push({
        field: `/environments/${i}/position`,
        reason: `position ${e.position} is already held by '${holder}'`,
      });
    finalPositions.set(e.position, e.name);
  });
  if (problems.length > 0) {
    throw new GatehouseError(
      'invalid',
      'invalid-catalog',
      `the catalog has ${problems.length} problem(s): ${problems[0]!.field}: ${problems[0]!.reason}`,
      { problems },
    );
  }

  // The graph after this document is applied must stay acyclic.
  const graph = new Map<string, string[]>();
  for (const [name, s] of existingServices) graph.set(name, s.dependsOn);
  for (const s of services) graph.set(s.name, s.dependsOn ?? []);
  const cycle = findCycle(graph);
  if (cycle) {
    throw new GatehouseError(
      'invalid',
      'dependency-cycle',
      `service dependencies would form a cycle: ${cycle.join(' → ')}`,
      {
        field: '/services',
        extra: { cycle },
      },
    );
  }

  const changes: CatalogChange[] = [];
  const now = ctx.now.toISOString();
  const dryRun = options.dryRun ?? false;
  const teamIds = new Map([...existingTeams].map(([name, t]) => [name, t.id]));
  const serviceIds = new Map([...existingServices].map(([name, s]) => [name, s.id]));

  for (const t of teams) {
    const after = teamState(t);
    const current = existingTeams.get(t.name);
    if (!current) {
      const id = randomUUID();
      teamIds.set(t.name, id);
      changes.push({ kind: 'team', name: t.name, change: 'created' });
      if (dryRun) continue;
      await tx
        .insertInto('teams')
        .values({
          id,
          name: t.name,
          display_name: after.displayName,
          time_zone: after.timeZone,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await recordAudit(ctx, {
        action: 'team.created',
        subjectType: 'team',
        subjectId: t.name,
        after,
      });
      continue;
    }
    const before: TeamState = { displayName: current.displayName, timeZone: current.timeZone };
    const fields = changedFields(before, after);
    changes.push({
      kind: 'team',
      name: t.name,
      change: fields.length ? 'updated' : 'unchanged',
      ...(fields.length ? { fields } : {}),
    });
    if (dryRun || fields.length === 0) continue;
    await tx
      .updateTable('teams')
      .set({ display_name: after.displayName, time_zone: after.timeZone, updated_at: now })
      .where('id', '=', current.id)
      .execute();
    await recordAudit(ctx, {
      action: 'team.updated',
      subjectType: 'team',
      subjectId: t.name,
      before,
      after,
    });
  }

  for (const e of environments) {
    const after = environmentState(e);
    const current = existingEnvironments.get(e.name);
    const values = {
      display_name: after.displayName,
      position: after.position,
      production: after.production ? 1 : 0,
      regions: JSON.stringify(after.regions),
      capacity: after.capacity,
      updated_at: now,
    };
    if (!current) {
      changes.push({ kind: 'environment', name: e.name, change: 'created' });
      if (dryRun) continue;
      await tx
        .insertInto('environments')
        .values({ id: randomUUID(), name: e.name, created_at: now, ...values })
        .execute();
      await recordAudit(ctx, {
        action: 'environment.created',
        subjectType: 'environment',
        subjectId: e.name,
        after,
      });
      continue;
    }
    const before: EnvironmentState = {
      displayName: current.displayName,
      position: current.position,
      production: current.production,
      regions: current.regions,
      capacity: current.capacity,
    };
    const fields = changedFields(before, after);
    changes.push({
      kind: 'environment',
      name: e.name,
      change: fields.length ? 'updated' : 'unchanged',
      ...(fields.length ? { fields } : {}),
    });
    if (dryRun || fields.length === 0) continue;
    await tx.updateTable('environments').set(values).where('id', '=', current.id).execute();
    await recordAudit(ctx, {
      action: 'environment.updated',
      subjectType: 'environment',
      subjectId: e.name,
      before,
      after,
    });
  }

  // Services first without edges, then edges, so a document may name services in any order.
  const edgesToWrite: ServiceInput[] = [];
  for (const s of services) {
    const after = serviceState(s);
    const current = existingServices.get(s.name);
    const values = {
      team_id: teamIds.get(s.team)!,
      tier: after.tier,
      customer_facing: after.customerFacing ? 1 : 0,
      data_sensitivity: after.dataSensitivity,
      description: after.description,
      slos: JSON.stringify(after.slos),
      updated_at: now,
    };
    if (!current) {
      const id = randomUUID();
      serviceIds.set(s.name, id);
      changes.push({ kind: 'service', name: s.name, change: 'created' });
      if (dryRun) continue;
      await tx
        .insertInto('services')
        .values({ id, name: s.name, created_at: now, ...values })
        .execute();
      await recordAudit(ctx, {
        action: 'service.created',
        subjectType: 'service',
        subjectId: s.name,
        after,
      });
      edgesToWrite.push(s);
      continue;
    }
    const before: ServiceState = {
      team: current.team,
      tier: current.tier,
      customerFacing: current.customerFacing,
      dataSensitivity: current.dataSensitivity,
      description: current.description,
      slos: current.slos,
      dependsOn: [...current.dependsOn].sort(),
    };
    const fields = changedFields(before, after);
    changes.push({
      kind: 'service',
      name: s.name,
      change: fields.length ? 'updated' : 'unchanged',
      ...(fields.length ? { fields } : {}),
    });
    if (dryRun || fields.length === 0) continue;
    await tx.updateTable('services').set(values).where('id', '=', current.id).execute();
    await recordAudit(ctx, {
      action: 'service.updated',
      subjectType: 'service',
      subjectId: s.name,
      before,
      after,
    });
    if (fields.includes('dependsOn')) edgesToWrite.push(s);
  }
  for (const s of edgesToWrite) {
    const id = serviceIds.get(s.name)!;
    await tx.deleteFrom('service_dependencies').where('service_id', '=', id).execute();
    const deps = s.dependsOn ?? [];
    if (deps.length > 0) {
      await tx
        .insertInto('service_dependencies')
        .values(deps.map((d) => ({ service_id: id, depends_on_id: serviceIds.get(d)! })))
        .execute();
    }
  }

  const summary = { created: 0, updated: 0, unchanged: 0 };
  for (const c of changes) summary[c.change] += 1;
  return { dryRun, changes, summary };
}
