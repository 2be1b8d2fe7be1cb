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
}
