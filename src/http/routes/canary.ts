/**
 * Canary analyses on a release: create one with its config, push baseline and canary
 * samples as they arrive, ask for a verdict (recorded with its evidence), read them back.
 */
import { Type } from '@sinclair/typebox';
import { createCanaryAnalysis } from '../../app/canary/createCanaryAnalysis.js';
import { judgeCanaryAnalysis } from '../../app/canary/judgeCanaryAnalysis.js';
import { judgeFromMetricsSource } from '../../app/canary/judgeFromMetricsSource.js';
import { pushCanarySamples } from '../../app/canary/pushCanarySamples.js';
import { pushRumBeacons } from '../../app/canary/pushRumBeacons.js';
import {
  getCanaryAnalysis,
  listCanaryAnalyses,
  listCanaryVerdicts,
} from '../../app/canary/queries.js';
import { execute, query } from '../../app/context.js';
import {
  CANARY_JUDGES,
  CreateCanaryAnalysisInput,
  PushCanarySamplesInput,
} from '../../domain/canary/analysis.js';
import { PushRumBeaconsInput } from '../../domain/canary/rum.js';
import { Instant, StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { CanaryAnalysisSchema, CanaryVerdictSchema } from '../schemas/canary.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const NOT_FOUND = { 404: Type.Ref('Problem') };

export function canaryRoutes({ server, app }: RouteDeps): void {
  server.post(
    '/releases/:id/canary-analyses',
    {
      schema: {
        tags: ['canary'],
        summary: 'Start a canary analysis of one service of the release in one environment',
        params: IdParam,
        body: CreateCanaryAnalysisInput,
        response: { 201: CanaryAnalysisSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const analysis = await execute(app, request.actor, (ctx) =>
        createCanaryAnalysis(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return analysis;
    },
  );

  server.get(
    '/releases/:id/canary-analyses',
    {
      schema: {
        tags: ['canary'],
        summary: 'Canary analyses of a release, oldest first',
        params: IdParam,
        response: { 200: Type.Array(CanaryAnalysisSchema), ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => listCanaryAnalyses(ctx, request.params.id)),
  );

  server.get(
    '/canary-analyses/:id',
    {
      schema: {
        tags: ['canary'],
        summary: 'A canary analysis and how many samples it holds per metric',
        params: IdParam,
        response: { 200: CanaryAnalysisSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => getCanaryAnalysis(ctx, request.params.id)),
  );

  server.post(
    '/canary-analyses/:id/samples',
    {
      schema: {
        tags: ['canary'],
        summary:
          'Append baseline and canary samples per metric, in the order taken (null = missing)',
        params: IdParam,
        body: PushCanarySamplesInput,
        response: { 200: CanaryAnalysisSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => pushCanarySamples(ctx, request.params.id, request.body)),
  );

  server.post(
    '/canary-analyses/:id/rum-beacons',
    {
      schema: {
        tags: ['canary'],
        summary:
          'Append a batch of real-user beacons (LCP, INP, CLS, JavaScript errors per page view) as baseline and canary samples by version',
        params: IdParam,
        body: PushRumBeaconsInput,
        response: { 200: CanaryAnalysisSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => pushRumBeacons(ctx, request.params.id, request.body)),
  );

  server.post(
    '/canary-analyses/:id/verdicts',
    {
      schema: {
        tags: ['canary'],
        summary:
          'Judge the samples held now (or first pull a window from Prometheus) and record the verdict with its evidence',
        params: IdParam,
        body: StrictObject({
          judge: Type.Optional(StringEnum(CANARY_JUDGES)),
          pull: Type.Optional(
            StrictObject(
              { start: Instant, end: Instant },
              {
                description:
                  "pull this window of every metric's query from the server's Prometheus first, append it, then judge",
              },
            ),
          ),
        }),
        response: { 201: CanaryVerdictSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const { judge, pull } = request.body;
      const verdict = pull
        ? await judgeFromMetricsSource(app, request.actor, request.params.id, {
            ...pull,
            ...(judge ? { judge } : {}),
          })
        : await execute(app, request.actor, (ctx) =>
            judgeCanaryAnalysis(ctx, request.params.id, judge),
          );
      void reply.code(201);
      return verdict;
    },
  );

  server.get(
    '/canary-analyses/:id/verdicts',
    {
      schema: {
        tags: ['canary'],
        summary: 'Every verdict of a canary analysis, oldest first',
        params: IdParam,
        response: { 200: Type.Array(CanaryVerdictSchema), ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => listCanaryVerdicts(ctx, request.params.id)),
  );
}
