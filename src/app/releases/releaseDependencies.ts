/**
 * A multi-service release's plan from the catalog's dependency graph: the order to
 * deploy its services (dependencies first), the order to roll them back (the reverse),
 * and what else it can break (every service downstream, customer-facing ones marked).
 */
import { deployOrder, downstreamOf, rollbackOrder } from '../../domain/dependency-graph.js';
import { notFound } from '../../domain/errors.js';
import { dependencyEdges, listServices } from '../../store/catalog.js';
import { loadRelease } from '../../store/releases.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface ImpactedService {
  service: string;
  team: string;
  tier: number;
  customerFacing: boolean;
  /** The release's own services it depends on, directly or not. */
  via: string[];
}

export interface ReleaseDependencies {
  release: string;
  services: string[];
  deployOrder: string[];
  rollbackOrder: string[];
  downstream: ImpactedService[];
  customerFacing: {
    /** Customer-facing services the release changes itself. */
    changed: string[];
    /** Customer-facing services downstream of it. */
    downstream: string[];
  };
}

export async function releaseDependencies(ctx: Ctx, idOrKey: string): Promise<ReleaseDependencies> {
  authorize(ctx.actor, 'release:read');
  const release = await loadRelease(ctx.tx, idOrKey);
  if (!release) throw notFound('release', idOrKey);
  const [edges, catalog] = await Promise.all([dependencyEdges(ctx.tx), listServices(ctx.tx)]);
  const byName = new Map(catalog.map((s) => [s.name, s]));
  const changed = release.services.map((s) => s.service);
  const downstream = downstreamOf(edges, changed).map((name): ImpactedService => {
    const service = byName.get(name)!;
    return {
      service: name,
      team: service.team,
      tier: service.tier,
      customerFacing: service.customerFacing,
      via: changed.filter((c) => downstreamOf(edges, [c]).includes(name)),
    };
  });
  return {
    release: release.key,
    services: changed,
    deployOrder: deployOrder(edges, changed),
    rollbackOrder: rollbackOrder(edges, changed),
    downstream,
    customerFacing: {
      changed: changed.filter((c) => byName.get(c)?.customerFacing),
      downstream: downstream.filter((d) => d.customerFacing).map((d) => d.service),
    },
  };
}
