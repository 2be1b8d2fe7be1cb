/** Reading and writing the catalog tables; rows in, domain shapes out. */
import type { Kysely } from 'kysely';
import type { DataSensitivity, Slo } from '../domain/catalog.js';
import type { Database } from './schema.js';

type Db = Kysely<Database>;

export interface Team {
  id: string;
  name: string;
  displayName: string;
  timeZone: string | null;
}

export interface Service {
  id: string;
  name: string;
  team: string;
  tier: number;
  customerFacing: boolean;
  dataSensitivity: DataSensitivity;
  description: string;
  slos: Slo[];
  dependsOn: string[];
}

export interface Environment {
  id: string;
  name: string;
  displayName: string;
  position: number;
  production: boolean;
  regions: string[];
  capacity: number | null;
}

export async function listTeams(db: Db): Promise<Team[]> {
  const rows = await db.selectFrom('teams').selectAll().orderBy('name').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    displayName: r.display_name,
    timeZone: r.time_zone,
  }));
}

export async function listServices(db: Db, filter: { team?: string } = {}): Promise<Service[]> {
  let query = db
    .selectFrom('services')
    .innerJoin('teams', 'teams.id', 'services.team_id')
    .selectAll('services')
    .select('teams.name as team_name')
    .orderBy('services.name');
  if (filter.team) query = query.where('teams.name', '=', filter.team);
  const rows = await query.execute();
  const edges = await db
    .selectFrom('service_dependencies')
    .innerJoin('services as dep', 'dep.id', 'service_dependencies.depends_on_id')
    .select(['service_dependencies.service_id', 'dep.name as depends_on'])
    .orderBy('dep.name')
    .execute();
  const dependsOn = new Map<string, string[]>();
  for (const e of edges)
    dependsOn.set(e.service_id, [...(dependsOn.get(e.service_id) ?? []), e.depends_on]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    team: r.team_name,
    tier: r.tier,
    customerFacing: r.customer_facing === 1,
    dataSensitivity: r.data_sensitivity as DataSensitivity,
    description: r.description,
    slos: JSON.parse(r.slos) as Slo[],
    dependsOn: dependsOn.get(r.id) ?? [],
  }));
}

export async function listEnvironments(db: Db): Promise<Environment[]> {
  const rows = await db.selectFrom('environments').selectAll().orderBy('position').execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    displayName: r.display_name,
    position: r.position,
    production: r.production === 1,
    regions: JSON.parse(r.regions) as string[],
    capacity: r.capacity,
  }));
}

/** The dependency graph by service name: service → the services it depends on. */
export async function dependencyEdges(db: Db): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('service_dependencies')
    .innerJoin('services as s', 's.id', 'service_dependencies.service_id')
    .innerJoin('services as d', 'd.id', 'service_dependencies.depends_on_id')
    .select(['s.name as from', 'd.name as to'])
    .execute();
  const edges = new Map<string, string[]>();
  for (const r of rows) edges.set(r.from, [...(edges.get(r.from) ?? []), r.to]);
  return edges;
}
