import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const CausingDeploymentSchema = Type.Object({
  deployment: Type.String(),
  release: Type.String(),
  service: Type.String(),
  environment: Type.String(),
  finishedAt: Nullable(Type.String()),
  reason: Type.String(),
  linkedBy: Type.String(),
  linkedAt: Type.String(),
});

export const IncidentSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    key: Type.String({ description: 'human key, e.g. INC-7' }),
    title: Type.String(),
    severity: Type.Integer({ minimum: 1, maximum: 4 }),
    service: Type.String(),
    team: Type.String(),
    startedAt: Type.String(),
    detectedAt: Type.String(),
    acknowledgedAt: Nullable(Type.String()),
    resolvedAt: Nullable(Type.String()),
    source: Type.String(),
    reporter: Type.String(),
    revision: Type.Integer(),
    timeToDetectMs: Type.Integer({ description: 'detected − started, milliseconds' }),
    timeToRestoreMs: Nullable(
      Type.Integer({ description: 'resolved − started, milliseconds; null while open' }),
    ),
    causedBy: Type.Array(CausingDeploymentSchema),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Incident' },
);

export const SuggestedCauseSchema = Type.Object({
  deployment: Type.String(),
  release: Type.String(),
  service: Type.String(),
  version: Type.String(),
  environment: Type.String(),
  status: Type.String(),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
  relation: Type.String({ enum: ['same-service', 'dependency'] }),
  score: Type.Number({ minimum: 0, maximum: 1 }),
  reason: Type.String(),
});
