/** Reading incidents and the deployments that caused them; rows in, `Incident` out. */
import type { Kysely } from 'kysely';
import {
  timeToDetectMs,
  timeToRestoreMs,
  type CandidateDeployment,
  type CausingDeployment,
  type Incident,
  type Severity,
} from '../domain/incident.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

function selectIncidents(db: Db) {
  return db
    .selectFrom('incidents')
    .innerJoin('services', 'services.id', 'incidents.service_id')
    .innerJoin('teams', 'teams.id', 'services.team_id')
    .innerJoin('users', 'users.id', 'incidents.reporter_id')
    .selectAll('incidents')
    .select(['services.name as service_name', 'teams.name as team_name', 'users.name as reporter']);
}

async function causesOf(db: Db, incidentIds: string[]): Promise<Map<string, CausingDeployment[]>> {
  const causes = new Map<string, CausingDeployment[]>();
  if (incidentIds.length === 0) return causes;
  const rows = await db
    .selectFrom('incident_deployments as link')
    .innerJoin('deployments', 'deployments.id', 'link.deployment_id')
    .innerJoin('releases', 'releases.id', 'deployments.release_id')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('users', 'users.id', 'link.linked_by')
    .select([
      'link.incident_id',
      'link.deployment_id',
      'link.reason',
      'link.linked_at',
      'users.name as linked_by',
      'releases.key as release',
      'services.name as service',
      'environments.name as environment',
      'deployments.finished_at',
    ])
    .where('link.incident_id', 'in', incidentIds)
    .orderBy('link.linked_at')
    .orderBy('link.deployment_id')
    .execute();
  for (const r of rows) {
    const list = causes.get(r.incident_id) ?? [];
    list.push({
      deployment: r.deployment_id,
      release: r.release,
      service: r.service,
      environment: r.environment,
      finishedAt: r.finished_at,
      reason: r.reason,
      linkedBy: r.linked_by,
      linkedAt: r.linked_at,
    });
    causes.set(r.incident_id, list);
  }
  return causes;
}

type IncidentRow = Awaited<
  ReturnType<ReturnType<typeof selectIncidents>['executeTakeFirstOrThrow']>
>;

function hydrate(row: IncidentRow, causedBy: CausingDeployment[]): Incident {
  const times = {
    startedAt: row.started_at,
    detectedAt: row.detected_at,
    acknowledgedAt: row.acknowledged_at,
    resolvedAt: row.resolved_at,
  };
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    severity: row.severity as Severity,
    service: row.service_name,
    team: row.team_name,
    ...times,
    source: row.source,
    reporter: row.reporter,
    revision: row.revision,
    timeToDetectMs: timeToDetectMs(times),
    timeToRestoreMs: timeToRestoreMs(times),
    causedBy,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An incident is addressed by its id or its key (INC-7, case-insensitive). */
export async function loadIncident(db: Db, idOrKey: string): Promise<Incident | undefined> {
  const row = /^inc-\d+$/i.test(idOrKey)
    ? await selectIncidents(db)
        .where('incidents.key', '=', idOrKey.toUpperCase())
        .executeTakeFirst()
    : await selectIncidents(db).where('incidents.id', '=', idOrKey).executeTakeFirst();
  if (!row) return undefined;
  return hydrate(row, (await causesOf(db, [row.id])).get(row.id) ?? []);
}

export interface IncidentFilter {
  service?: string;
  /** Only incidents linked to a deployment of this release (its key or id). */
  release?: string;
  team?: string;
  severity?: number;
  open?: boolean;
  since?: string;
  until?: string;
  limit: number;
  /** Sort key (started_at, id) of the last incident already seen. */
  after?: [string, string];
}

/** Newest first. */
export async function findIncidents(db: Db, filter: IncidentFilter): Promise<Incident[]> {
  let q = selectIncidents(db);
  if (filter.service) q = q.where('services.name', '=', filter.service);
  if (filter.team) q = q.where('teams.name', '=', filter.team);
  if (filter.release) {
    const release = filter.release;
    q = q.where('incidents.id', 'in', (eb) =>
      eb
        .selectFrom('incident_deployments as link')
        .innerJoin('deployments', 'deployments.id', 'link.deployment_id')
        .innerJoin('releases', 'releases.id', 'deployments.release_id')
        .select('link.incident_id')
        .where((w) =>
          w.or([w('releases.key', '=', release.toUpperCase()), w('releases.id', '=', release)]),
        ),
    );
  }
  if (filter.severity) q = q.where('incidents.severity', '=', filter.severity);
  if (filter.open === true) q = q.where('incidents.resolved_at', 'is', null);
  if (filter.open === false) q = q.where('incidents.resolved_at', 'is not', null);
  if (filter.since) q = q.where('incidents.started_at', '>=', filter.since);
  if (filter.until) q = q.where('incidents.started_at', '<', filter.until);
  if (filter.after) {
    const [at, id] = filter.after;
    q = q.where((eb) =>
      eb.or([
        eb('incidents.started_at', '<', at),
        eb.and([eb('incidents.started_at', '=', at), eb('incidents.id', '<', id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('incidents.started_at', 'desc')
    .orderBy('incidents.id', 'desc')
    .limit(filter.limit)
    .execute();
  const causes = await causesOf(
    db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => hydrate(r, causes.get(r.id) ?? []));
}

/**
 * Production deployments of the incident's service and of the services it depends on
 * directly, started within `windowMs` before the incident: the suspects.
 */
export async function candidateDeployments(
  db: Db,
  incident: { serviceId: string; startedAt: string },
  windowMs: number,
): Promise<CandidateDeployment[]> {
  const from = new Date(Date.parse(incident.startedAt) - windowMs).toISOString();
  const dependencies = await db
    .selectFrom('service_dependencies')
    .select('depends_on_id')
    .where('service_id', '=', incident.serviceId)
    .execute();
  const serviceIds = [incident.serviceId, ...dependencies.map((d) => d.depends_on_id)];
  const rows = await db
    .selectFrom('deployments')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('releases', 'releases.id', 'deployments.release_id')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .innerJoin('release_services', (join) =>
      join
        .onRef('release_services.release_id', '=', 'deployments.release_id')
        .onRef('release_services.service_id', '=', 'deployments.service_id'),
    )
    .select([
      'deployments.id',
      'deployments.service_id',
      'releases.key as release',
      'services.name as service',
      'release_services.version',
      'environments.name as environment',
      'deployments.status',
      'deployments.started_at',
      'deployments.finished_at',
    ])
    .where('environments.production', '=', 1)
    .where('deployments.service_id', 'in', serviceIds)
    .where('deployments.started_at', '>=', from)
    .where('deployments.started_at', '<=', incident.startedAt)
    .execute();
  return rows.map((r) => ({
    deployment: r.id,
    release: r.release,
    service: r.service,
    version: r.version,
    environment: r.environment,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    relation: r.service_id === incident.serviceId ? 'same-service' : 'dependency',
  }));
}
