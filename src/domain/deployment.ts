import { Type, type Static } from '@sinclair/typebox';
import type { DeploymentStatus } from './lifecycle.js';
import { Instant, Slug, StrictObject, StringEnum } from './schema-kit.js';

export const DEPLOYMENT_STATUSES: readonly DeploymentStatus[] = [
  'started',
  'succeeded',
  'failed',
  'rolled-back',
  'partial',
];

export const RecordDeploymentInput = StrictObject({
  service: Slug,
  environment: Slug,
  region: Type.Optional(Slug),
  status: StringEnum(DEPLOYMENT_STATUSES),
  startedAt: Type.Optional(Instant),
  finishedAt: Type.Optional(Instant),
  notes: Type.Optional(Type.String({ maxLength: 20000 })),
  historyImport: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description:
        'why this is a record of a deployment that already happened (e.g. a migration from another tool): ' +
        'it is then not held to the production gate, needs deployment:import, and is audited as an import',
    }),
  ),
});
export type RecordDeploymentInput = Static<typeof RecordDeploymentInput>;

export interface Deployment {
  id: string;
  release: string;
  service: string;
  environment: string;
  region: string | null;
  status: DeploymentStatus;
  startedAt: string;
  finishedAt: string | null;
  actor: string;
  notes: string;
  /** Set when the record was imported as history rather than gated as a deployment now. */
  historyImport?: string;
}
