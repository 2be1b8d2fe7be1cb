/** The release record: a versioned unit of change and the facts it carries. */
import { Type, type Static } from '@sinclair/typebox';
import { Instant, LongText, ShortText, Slug, StrictObject, StringEnum } from './schema-kit.js';
import {
  CHANGE_TYPES,
  CLASSIFICATIONS,
  RELEASE_STATES,
  STRATEGIES,
  type ChangeType,
  type Classification,
  type DeploymentStrategy,
  type ReleaseState,
} from './release-terms.js';

export * from './release-terms.js';

export const ReleaseStateSchema = StringEnum(RELEASE_STATES);
export const ClassificationSchema = StringEnum(CLASSIFICATIONS);
export const ChangeTypeSchema = StringEnum(CHANGE_TYPES);
export const StrategySchema = StringEnum(STRATEGIES);

export const ReleaseServiceInput = StrictObject({
  service: Slug,
  version: Type.String({ minLength: 1, maxLength: 100 }),
  artifact: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      description: 'image or package reference, ideally by digest',
    }),
  ),
});
export type ReleaseServiceInput = Static<typeof ReleaseServiceInput>;

const ScopeItem = Type.String({ minLength: 1, maxLength: 500 });
export const Scope = StrictObject({
  features: Type.Array(ScopeItem, { maxItems: 500, default: [] }),
  fixes: Type.Array(ScopeItem, { maxItems: 500, default: [] }),
  exclusions: Type.Array(ScopeItem, {
    maxItems: 500,
    default: [],
    description: 'known exclusions: what was planned but is not in',
  }),
  workItems: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    maxItems: 1000,
    default: [],
  }),
  commits: Type.Array(Type.String({ pattern: '^[0-9a-f]{7,64}$' }), {
    maxItems: 5000,
    default: [],
  }),
});
export type Scope = Static<typeof Scope>;
export const EMPTY_SCOPE: Scope = {
  features: [],
  fixes: [],
  exclusions: [],
  workItems: [],
  commits: [],
};

export const PlannedWindow = StrictObject({
  start: Instant,
  end: Instant,
  environment: Type.Optional(Slug),
});
export type PlannedWindow = Static<typeof PlannedWindow>;

/** Facts the risk score is judged on; absent means not known (and scores as such). */
export const ReleaseFacts = StrictObject({
  schemaMigration: Type.Optional(Type.Boolean()),
  newExternalEndpoints: Type.Optional(Type.Boolean()),
  authChanges: Type.Optional(Type.Boolean()),
  linesChanged: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000_000 })),
  testsPassed: Type.Optional(
    Type.Boolean({ description: 'test evidence: true passed, false failed; absent none' }),
  ),
  criticalFindings: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'critical security findings' }),
  ),
});
export type ReleaseFacts = Static<typeof ReleaseFacts>;

export const CreateReleaseInput = StrictObject({
  title: ShortText,
  version: Type.String({ minLength: 1, maxLength: 100 }),
  classification: ClassificationSchema,
  changeType: Type.Optional(ChangeTypeSchema),
  strategy: Type.Optional(StrategySchema),
  services: Type.Array(ReleaseServiceInput, { maxItems: 200 }),
  scope: Type.Optional(Type.Partial(Scope)),
  justification: Type.Optional(LongText),
  rollbackPlan: Type.Optional(LongText),
  plannedWindow: Type.Optional(PlannedWindow),
  team: Type.Optional(Slug),
  facts: Type.Optional(ReleaseFacts),
  authors: Type.Optional(
    Type.Array(Slug, {
      maxItems: 200,
      uniqueItems: true,
      description:
        'user names of the people who authored the changes the release carries; none of them may approve it or record its production deployment',
    }),
  ),
});
export type CreateReleaseInput = Static<typeof CreateReleaseInput>;

export const UpdateReleaseInput = Type.Partial(
  StrictObject({
    title: ShortText,
    version: Type.String({ minLength: 1, maxLength: 100 }),
    classification: ClassificationSchema,
    changeType: ChangeTypeSchema,
    strategy: StrategySchema,
    services: Type.Array(ReleaseServiceInput, { maxItems: 200 }),
    scope: Type.Partial(Scope),
    justification: LongText,
    rollbackPlan: LongText,
    plannedWindow: Type.Union([PlannedWindow, Type.Null()]),
    facts: ReleaseFacts,
    authors: Type.Array(Slug, { maxItems: 200, uniqueItems: true }),
  }),
  { additionalProperties: false },
);
export type UpdateReleaseInput = Static<typeof UpdateReleaseInput>;

export interface ReleaseService {
  service: string;
  version: string;
  artifact: string | null;
}

export interface Release {
  id: string;
  key: string;
  title: string;
  version: string;
  state: ReleaseState;
  classification: Classification;
  changeType: ChangeType;
  strategy: DeploymentStrategy;
  services: ReleaseService[];
  scope: Scope;
  justification: string;
  rollbackPlan: string;
  plannedWindow: PlannedWindow | null;
  /** Always present when read from the store; optional so hand-built releases need none. */
  facts?: ReleaseFacts;
  team: string | null;
  requester: string;
  /** Who authored the changes it carries (user names); always present from the store. */
  authors?: string[];
  /** SHA-256 over services, versions, scope and authors: what an approval binds to. */
  contentHash?: string;
  revision: number;
  createdAt: string;
  updatedAt: string;
  stateChangedAt: string;
}

/** The ITIL change type a classification implies when none is given. */
export function defaultChangeType(classification: Classification): ChangeType {
  if (classification === 'emergency') return 'emergency';
  return classification === 'patch' ? 'standard' : 'normal';
}

/**
 * A release's outcome as the risk history counts it: true when it failed or was rolled
 * back, false when it closed, null when it has none (still under way, or stopped before
 * it changed anything: No-Go, Cancelled).
 */
export function releaseFailed(state: ReleaseState): boolean | null {
  if (state === 'failed' || state === 'rolled-back') return true;
  return state === 'closed' ? false : null;
}

export function isTerminal(state: ReleaseState): boolean {
  return ['closed', 'no-go', 'rolled-back', 'failed', 'cancelled'].includes(state);
}
