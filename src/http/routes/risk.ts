import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { failureModelReport, releaseRisk } from '../../app/risk/releaseRisk.js';
import { predictedVersusActual } from '../../app/risk/predictedVersusActual.js';
import { addRisk, portfolioHeatMap, releaseRegister } from '../../app/risk/riskRegister.js';
import { readRiskWeights, setRiskWeights } from '../../app/risk/riskWeights.js';
import { RiskEntryInput } from '../../domain/risk/register.js';
import { RiskWeights } from '../../domain/risk/score.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const RiskEntrySchema = Type.Object({
  id: Type.String(),
  release: Type.String(),
  risk: Type.String(),
  impact: Type.Integer(),
  probability: Type.Integer(),
  owner: Type.String(),
  mitigation: Type.String(),
  createdAt: Type.String(),
});
const HeatMapSchema = Type.Object({
  counts: Type.Array(Type.Array(Type.Integer()), {
    description: 'counts[impact - 1][probability - 1]',
  }),
  total: Type.Integer(),
});
const Reliability = Type.Array(
  Type.Object({
    from: Type.Number(),
    to: Type.Number(),
    count: Type.Integer(),
    meanPredicted: Nullable(Type.Number()),
    observedRate: Nullable(Type.Number()),
  }),
);
const Weights = Type.Object({ version: Type.Integer(), weights: RiskWeights });
const OutcomeBands = Type.Array(
  Type.Object({
    level: Type.String({ enum: ['low', 'medium', 'high'] }),
    releases: Type.Integer(),
    failed: Type.Integer(),
    rolledBack: Type.Integer(),
    withIncidents: Type.Integer(),
    wentWrong: Type.Integer(),
    observedRate: Nullable(Type.Number()),
    meanPredictedFailure: Nullable(Type.Number()),
  }),
  {
    description: 'finished releases by their pre-release hand-score level: predicted versus actual',
  },
);

export function riskRoutes({ server, app }: RouteDeps): void {
  const tags = ['risk'];

  server.get(
    '/releases/:id/risk',
    {
      schema: {
        tags,
        summary:
          "A release's explainable risk score, each factor's contribution, and the fitted failure probability",
        params: IdParam,
        response: {
          200: Type.Object({
            release: Type.String(),
            weightsVersion: Type.Integer(),
            score: Type.Number(),
            level: Type.String({ enum: ['low', 'medium', 'high'] }),
            contributions: Type.Array(
              Type.Object({
                factor: Type.String(),
                value: Nullable(Type.Union([Type.String(), Type.Number(), Type.Boolean()])),
                points: Type.Number(),
                explanation: Type.String(),
              }),
            ),
            failureProbability: Nullable(Type.Number()),
            modelTrainedOn: Type.Integer(),
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => releaseRisk(ctx, request.params.id)),
  );

  server.post(
    '/releases/:id/risks',
    {
      schema: {
        tags,
        summary: "Add a risk to the release's register (impact and probability 1–5)",
        params: IdParam,
        body: RiskEntryInput,
        response: { 201: RiskEntrySchema, ...ERROR_RESPONSES, 404: Type.Ref('Problem') },
      },
    },
    async (request, reply) => {
      const entry = await execute(app, request.actor, (ctx) =>
        addRisk(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return entry;
    },
  );

  server.get(
    '/releases/:id/risks',
    {
      schema: {
        tags,
        summary: "The release's risk register and its impact × probability heat map",
        params: IdParam,
        response: {
          200: Type.Object({
            release: Type.String(),
            items: Type.Array(RiskEntrySchema),
            heatMap: HeatMapSchema,
          }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => releaseRegister(ctx, request.params.id)),
  );

  server.get(
    '/risk/heatmap',
    {
      schema: {
        tags,
        summary: 'Heat-map counts (impact × probability) for the portfolio and by release',
        response: {
          200: Type.Object({
            portfolio: HeatMapSchema,
            releases: Type.Array(
              Type.Intersect([Type.Object({ release: Type.String() }), HeatMapSchema]),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => portfolioHeatMap(ctx)),
  );

  server.get(
    '/risk/weights',
    {
      schema: {
        tags,
        summary: 'The risk weights in force (version 0 is the built-in default)',
        response: { 200: Weights, ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => readRiskWeights(ctx)),
  );

  server.put(
    '/risk/weights',
    {
      schema: {
        tags,
        summary: 'Replace the risk weights with a new version (audited)',
        body: RiskWeights,
        response: { 200: Weights, ...ERROR_RESPONSES },
      },
    },
    async (request) => execute(app, request.actor, (ctx) => setRiskWeights(ctx, request.body)),
  );

  server.get(
    '/risk/model',
    {
      schema: {
        tags,
        summary:
          "The failure model fitted on this organisation's history: cross-validated Brier score and reliability, against the base rate and the hand-weighted score",
        response: {
          200: Type.Object({
            releases: Type.Integer(),
            failures: Type.Integer(),
            baseRate: Type.Number(),
            folds: Type.Integer(),
            model: Type.Object({ brier: Type.Number(), reliability: Reliability }),
            baseline: Type.Object({ brier: Type.Number() }),
            handWeighted: Type.Object({ brier: Type.Number(), reliability: Reliability }),
            coefficients: Type.Array(
              Type.Object({ feature: Type.String(), weight: Type.Number() }),
            ),
            intercept: Type.Number(),
            predictedVersusActual: OutcomeBands,
          }),
          ...ERROR_RESPONSES,
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => failureModelReport(ctx)),
  );

  server.get(
    '/risk/predicted-vs-actual',
    {
      schema: {
        tags,
        summary:
          'For each finished release, the risk predicted before it shipped (hand score from earlier history, cross-validated model probability) beside what happened: failed, rolled back, incidents',
        response: {
          200: Type.Object({
            releases: Type.Array(
              Type.Object({
                release: Type.String(),
                state: Type.String({ enum: ['closed', 'failed', 'rolled-back'] }),
                handScore: Type.Number(),
                handLevel: Type.String({ enum: ['low', 'medium', 'high'] }),
                predictedFailure: Nullable(Type.Number()),
                failed: Type.Boolean(),
                rolledBack: Type.Boolean(),
                incidents: Type.Integer(),
                worstSeverity: Nullable(Type.Integer()),
                wentWrong: Type.Boolean(),
              }),
            ),
            byLevel: OutcomeBands,
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => predictedVersusActual(ctx)),
  );
}
