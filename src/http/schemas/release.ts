import { Type } from '@sinclair/typebox';
import { CHANGE_TYPES, CLASSIFICATIONS, RELEASE_STATES, STRATEGIES } from '../../domain/release.js';
import { Nullable } from './common.js';

const Scope = Type.Object({
  features: Type.Array(Type.String()),
  fixes: Type.Array(Type.String()),
  exclusions: Type.Array(Type.String()),
  workItems: Type.Array(Type.String()),
  commits: Type.Array(Type.String()),
});

export const ReleaseSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    key: Type.String({ description: 'human key, e.g. REL-42' }),
    title: Type.String(),
    version: Type.String(),
    state: Type.String({ enum: [...RELEASE_STATES] }),
    classification: Type.String({ enum: [...CLASSIFICATIONS] }),
    changeType: Type.String({ enum: [...CHANGE_TYPES] }),
    strategy: Type.String({ enum: [...STRATEGIES] }),
    services: Type.Array(
      Type.Object({
        service: Type.String(),
        version: Type.String(),
        artifact: Nullable(Type.String()),
      }),
    ),
    scope: Scope,
    justification: Type.String(),
    rollbackPlan: Type.String(),
    plannedWindow: Nullable(
      Type.Object({
        start: Type.String(),
        end: Type.String(),
        environment: Type.Optional(Type.String()),
      }),
    ),
    facts: Type.Object({
      schemaMigration: Type.Optional(Type.Boolean()),
      newExternalEndpoints: Type.Optional(Type.Boolean()),
      authChanges: Type.Optional(Type.Boolean()),
      linesChanged: Type.Optional(Type.Integer()),
      testsPassed: Type.Optional(Type.Boolean()),
      criticalFindings: Type.Optional(Type.Integer()),
    }),
    team: Nullable(Type.String()),
    requester: Type.String(),
    authors: Type.Array(Type.String(), { description: 'who authored the changes it carries' }),
    contentHash: Type.String({
      description: 'SHA-256 over services, versions, scope and authors; approvals bind to it',
    }),
    revision: Type.Integer(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
    stateChangedAt: Type.String(),
  },
  { $id: 'Release' },
);

export const RISK_LEVELS = ['low', 'medium', 'high'] as const;

/** A release in the list: the release and its risk score and level (GET /releases/{id}/risk). */
export const ListedReleaseSchema = Type.Composite([
  ReleaseSchema,
  Type.Object({
    risk: Type.Object({
      score: Type.Number(),
      level: Type.String({ enum: [...RISK_LEVELS] }),
    }),
  }),
]);

export const CheckResultSchema = Type.Object({
  check: Type.String(),
  passed: Type.Boolean(),
  reason: Type.String(),
});

export const TransitionEvaluationSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  allowed: Type.Boolean(),
  checks: Type.Array(CheckResultSchema),
});

export const DeploymentSchema = Type.Object(
  {
    id: Type.String(),
    release: Type.String(),
    service: Type.String(),
    environment: Type.String(),
    region: Nullable(Type.String()),
    status: Type.String(),
    startedAt: Type.String(),
    finishedAt: Nullable(Type.String()),
    actor: Type.String(),
    notes: Type.String(),
    historyImport: Type.Optional(Type.String()),
  },
  { $id: 'Deployment' },
);
