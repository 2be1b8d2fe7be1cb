/**
 * What operators and their tools ask of a running process: liveness, readiness and
 * Prometheus metrics. Liveness and readiness need no token, so load balancers and
 * orchestrators can probe them; metrics need one unless the operator says otherwise
 * (ADR 1900-1).
 */
import { Type } from '@sinclair/typebox';
import { authorize } from '../../app/authorize.js';
import { checkReadiness } from '../../app/operations/readiness.js';
import { problem, sendProblem } from '../problem.js';
import type { RouteDeps } from './index.js';

const tags = ['operations'];

export function operationsRoutes(
  { server, app }: RouteDeps,
  options: { metricsPublic: boolean },
): void {
  server.get(
    '/healthz',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'Liveness: the process answers (it does not look at the store)',
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  server.get(
    '/readyz',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'Readiness: the store answers and its schema is at the version this build needs; 503 otherwise',
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const readiness = await checkReadiness(app);
      if (readiness.ready) return { status: 'ready' as const };
      return sendProblem(
        reply,
        problem(503, readiness.reason, readiness.detail, { instance: '/readyz' }),
      );
    },
  );

  const { registry } = server.metrics;
  server.get(
    '/metrics',
    {
      config: { public: options.metricsPublic },
      schema: {
        tags,
        summary: options.metricsPublic
          ? 'Prometheus metrics (text exposition format)'
          : 'Prometheus metrics (text exposition format); needs a token of a role that may read the audit log',
        ...(options.metricsPublic ? { security: [] } : {}),
        produces: [registry.contentType],
      },
    },
    async (request, reply) => {
      if (!options.metricsPublic) authorize(request.actor, 'audit:read');
      const text = await registry.metrics();
      return reply.type(registry.contentType).send(text);
    },
  );
}
