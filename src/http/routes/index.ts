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
import { canaryRoutes } from './canary.js';
import { catalogRoutes } from './catalog.js';
import { evidenceRoutes } from './evidence.js';
import { featureFlagRoutes } from './feature-flags.js';
import { gateRoutes } from './gates.js';
import { policyRoutes } from './policies.js';
import { incidentRoutes } from './incidents.js';
import { metricsRoutes } from './metrics.js';
import { releaseRoutes } from './releases.js';
import { rolloutRoutes } from './rollout.js';
import { calendarRoutes } from './calendar.js';
import { dependencyRoutes } from './dependencies.js';
import { riskRoutes } from './risk.js';
import { reviewRoutes } from './reviews.js';
import { ingestionRoutes } from './ingestion.js';
import { runbookRoutes } from './runbooks.js';
import { approvalRoutes } from './approvals.js';
import { cabRoutes } from './cab.js';
import { hypercareRoutes } from './hypercare.js';
import { notificationRoutes } from './notifications.js';
import { reportRoutes } from './reports.js';
import { retentionRoutes } from './retention.js';
import { accessReviewRoutes } from './access-reviews.js';
import { releaseNoteRoutes } from './release-notes.js';
import { downtimeRoutes } from './downtime.js';
import { evidencePackageRoutes } from './evidencePackages.js';
import { itsmRoutes } from './itsm.js';

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
  evidenceRoutes(deps);
  featureFlagRoutes(deps);
  policyRoutes(deps);
  gateRoutes(deps);
  canaryRoutes(deps);
  rolloutRoutes(deps);
  calendarRoutes(deps);
  dependencyRoutes(deps);
  riskRoutes(deps);
  incidentRoutes(deps);
  metricsRoutes(deps);
  reviewRoutes(deps);
  ingestionRoutes(deps);
  runbookRoutes(deps);
  approvalRoutes(deps);
  cabRoutes(deps);
  hypercareRoutes(deps);
  notificationRoutes(deps);
  reportRoutes(deps);
  retentionRoutes(deps);
  accessReviewRoutes(deps);
  releaseNoteRoutes(deps);
  downtimeRoutes(deps);
  evidencePackageRoutes(deps);
  itsmRoutes(deps);
}
