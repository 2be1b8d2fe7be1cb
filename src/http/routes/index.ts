/** Every resource's routes, registered in one place so the list is easy to audit. */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { App } from '../../app/context.js';
import { accessRoutes } from './access.js';
import { auditRoutes } from './audit.js';
import { catalogRoutes } from './catalog.js';
import { incidentRoutes } from './incidents.js';
import { metricsRoutes } from './metrics.js';
import { releaseRoutes } from './releases.js';

export type Server = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  server: Server;
  app: App;
}

export function registerRoutes(deps: RouteDeps): void {
  catalogRoutes(deps);
  releaseRoutes(deps);
  accessRoutes(deps);
  auditRoutes(deps);
  incidentRoutes(deps);
  metricsRoutes(deps);
}
