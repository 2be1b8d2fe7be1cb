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
  priorEnvironmentVerified: Type.Optional(
    Type.Boolean({
      description: 'every service deployed successfully to the previous environment first',
    }),
  ),
  dependencyReleasesReady: Type.Optional(Type.Boolean()),
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
      },
      { description: 'the approval path; judged by the approvals capability, not by this gate' },
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
