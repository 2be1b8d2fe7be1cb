/**
 * Policy as code: a versioned policy set says, by classification, service tier and
 * environment, what a release must show before it may proceed. The schema below is the
 * published JSON Schema (`GET /policies/schema.json`); the first policy whose `match`
 * fits a release and environment is the one it is judged by, so a set reads top to
 * bottom like a firewall's rules and ends with a catch-all.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ROLES } from './access.js';
import { CLASSIFICATIONS, type Classification } from './release.js';
import { Slug, StrictObject, StringEnum } from './schema-kit.js';
import { ReviewPolicy } from './review/triggers.js';

const Percent = Type.Number({ minimum: 0, maximum: 100 });
const Count = Type.Integer({ minimum: 0 });

export const APPROVAL_PATHS = ['standard', 'cab', 'emergency-cab'] as const;

export const PolicyMatch = StrictObject(
  {
    classifications: Type.Optional(
      Type.Array(StringEnum(CLASSIFICATIONS), { minItems: 1, uniqueItems: true }),
    ),
    tiers: Type.Optional(
      Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { minItems: 1, uniqueItems: true }),
    ),
    environments: Type.Optional(Type.Array(Slug, { minItems: 1, uniqueItems: true })),
    production: Type.Optional(
      Type.Boolean({ description: 'true: production environments only; false: all others' }),
    ),
  },
  { description: 'every condition given must hold; an empty match fits everything' },
);

/** Approval stages, always in this order (ISO 8601 durations in days, hours, minutes). */
export const APPROVAL_STAGES = ['technical', 'risk-and-compliance', 'business', 'final'] as const;
export type ApprovalStageName = (typeof APPROVAL_STAGES)[number];

const ApprovalDuration = Type.String({
  pattern: '^P(?!$)([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?)?$',
  description: 'ISO 8601 duration in days, hours and minutes, e.g. PT4H, P1DT12H',
});

export const ApprovalStagePolicy = StrictObject(
  {
    stage: StringEnum(APPROVAL_STAGES),
    roles: Type.Optional(
      Type.Array(StringEnum(ROLES), {
        minItems: 1,
        uniqueItems: true,
        description: 'an approver must hold one of these roles',
      }),
    ),
    approvers: Type.Optional(
      Type.Array(Slug, {
        minItems: 1,
        uniqueItems: true,
        description: 'named approvers (user names): only they may approve this stage',
      }),
    ),
    required: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 10, description: 'approvals needed; 1 if absent' }),
    ),
    dual: Type.Optional(
      Type.Boolean({
        description:
          'dual approval: at least two different people, neither of whom approved an earlier stage of the release',
      }),
    ),
    timeLimit: Type.Optional(ApprovalDuration),
    escalation: Type.Optional(
      Type.Array(
        StrictObject({
          after: ApprovalDuration,
          to: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
            minItems: 1,
            maxItems: 20,
            description: 'who is told: user names, roles or channels',
          }),
        }),
        {
          minItems: 1,
          maxItems: 3,
          description:
            'levels L1, L2, L3 in order; each `after` counts from the moment the stage opened',
        },
      ),
    ),
  },
  { description: 'one approval stage; give roles, approvers or both' },
);
export type ApprovalStagePolicy = Static<typeof ApprovalStagePolicy>;

export const PolicyRequirements = StrictObject({
  tests: Type.Optional(
    StrictObject({ minPassRate: Percent }, { description: 'JUnit evidence required' }),
  ),
  coverage: Type.Optional(
    StrictObject(
      { minLines: Type.Optional(Percent), minBranches: Type.Optional(Percent) },
      { description: 'lcov or Cobertura evidence required' },
    ),
  ),
  findings: Type.Optional(
    StrictObject(
      { maxCritical: Count, maxHigh: Type.Optional(Count) },
      { description: 'SARIF evidence required' },
    ),
  ),
  vulnerabilities: Type.Optional(
    StrictObject(
      { maxCritical: Count, maxHigh: Type.Optional(Count) },
      { description: 'CycloneDX, Trivy or Grype evidence required; transitive packages count' },
    ),
  ),
  rollbackPlan: Type.Optional(Type.Boolean()),
  signature: Type.Optional(
    StrictObject(
      {
        identities: Type.Array(
          StrictObject({
            subjectAlternativeName: Type.String({
              minLength: 1,
              maxLength: 1000,
              description: 'the signing certificate SAN, e.g. a CI workflow identity; exact match',
            }),
            issuer: Type.String({
              minLength: 1,
              maxLength: 1000,
              description: 'the OIDC issuer in the certificate (Fulcio extension); exact match',
            }),
          }),
          { minItems: 1, maxItems: 50 },
        ),
      },
      { description: 'Sigstore evidence required, signed by one of these identities' },
    ),
  ),
  priorEnvironmentVerified: Type.Optional(
    Type.Boolean({
      description: 'every service deployed successfully to the previous environment first',
    }),
  ),
  dependencyReleasesReady: Type.Optional(Type.Boolean()),
  hypercare: Type.Optional(
    StrictObject(
      {
        referenceHours: Type.Optional(
          Type.Number({
            exclusiveMinimum: 0,
            maximum: 168,
            description:
              'how far before the deployment marker the reference series reaches (default 6)',
          }),
        ),
        stepSeconds: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 3600, description: 'sample step (default 60)' }),
        ),
        metrics: Type.Array(
          StrictObject({
            name: Type.String({ minLength: 1, maxLength: 200 }),
            query: Type.String({
              minLength: 1,
              maxLength: 4000,
              description: 'PromQL; {{service}} and {{environment}} are filled in per deployment',
            }),
            direction: Type.Optional(
              StringEnum(['increase', 'decrease', 'either'] as const, {
                description: 'which shift is harmful (default increase)',
              }),
            ),
          }),
          { minItems: 1, maxItems: 50 },
        ),
      },
      {
        description:
          'the metrics watched after each production deployment, for the stabilisation window of its class',
      },
    ),
  ),
  penTestSignOff: Type.Optional(
    Type.Boolean({
      description: 'needed when the release adds external endpoints or changes authentication',
    }),
  ),
  freeze: Type.Optional(
    StrictObject(
      {
        exceptionApprovedBy: Type.Array(StringEnum(ROLES), {
          minItems: 1,
          uniqueItems: true,
          description: 'roles whose recorded freeze exception lets an emergency release pass',
        }),
      },
      {
        description:
          'freezes always hold; this names the exception approval an emergency release may pass one with',
      },
    ),
  ),
  approvals: Type.Optional(
    StrictObject(
      {
        path: StringEnum(APPROVAL_PATHS),
        postImplementationReview: Type.Optional(Type.Boolean()),
        stages: Type.Optional(
          Type.Array(ApprovalStagePolicy, {
            minItems: 1,
            maxItems: APPROVAL_STAGES.length,
            description: `the stages to pass, in this order: ${APPROVAL_STAGES.join(', ')}; the gate rule approvals-complete reads them`,
          }),
        ),
      },
      {
        description:
          'the approval path and, when stages are listed, who must approve before the gate passes',
      },
    ),
  ),
});
export type PolicyRequirements = Static<typeof PolicyRequirements>;

export const Policy = StrictObject({
  name: Slug,
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  match: PolicyMatch,
  requires: PolicyRequirements,
});
export type Policy = Static<typeof Policy>;

export const PolicySetDocument = StrictObject(
  {
    apiVersion: Type.Literal('gatehouse/v1'),
    kind: Type.Literal('PolicySet'),
    name: Slug,
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    policies: Type.Array(Policy, { minItems: 1, maxItems: 200 }),
    reviews: Type.Optional(ReviewPolicy),
  },
  {
    $id: 'https://gatehouse.dev/schemas/policy-set.json',
    title: 'Gatehouse policy set',
  },
);
export type PolicySetDocument = Static<typeof PolicySetDocument>;

export interface PolicySetVersion {
  version: number;
  name: string;
  sha256: string;
  appliedBy: string;
  appliedAt: string;
  document: PolicySetDocument;
}

/** What a policy is selected by. */
export interface PolicySubject {
  classification: Classification;
  /** The most critical tier among the release's services (1 is most critical). */
  tier: number | null;
  environment: string;
  production: boolean;
}

export function policyFits(match: Policy['match'], subject: PolicySubject): boolean {
  if (match.classifications && !match.classifications.includes(subject.classification))
    return false;
  if (match.tiers && (subject.tier === null || !match.tiers.includes(subject.tier))) return false;
  if (match.environments && !match.environments.includes(subject.environment)) return false;
  if (match.production !== undefined && match.production !== subject.production) return false;
  return true;
}

/** The first policy that fits, or null (and a gate then fails closed). */
export function selectPolicy(set: PolicySetDocument, subject: PolicySubject): Policy | null {
  return set.policies.find((policy) => policyFits(policy.match, subject)) ?? null;
}

export function describeSubject(subject: PolicySubject): string {
  return `${subject.classification}, tier ${subject.tier ?? 'none'}, ${subject.environment}${subject.production ? ' (production)' : ''}`;
}
