/**
 * The explainable risk score: a sum of points, one line per factor, with the weights
 * taken from a versioned document the organisation edits (`PUT /risk/weights`). Nothing
 * is hidden in code: a reviewer reading a score sees each fact, its weight and the
 * points it gave.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { DataSensitivity } from '../catalog.js';
import type { Classification, DeploymentStrategy, ReleaseFacts } from '../release.js';
import { StrictObject } from '../schema-kit.js';

const Points = Type.Number({ minimum: -100, maximum: 100 });
const PointsOf = <K extends string>(keys: readonly K[]) =>
  StrictObject(Object.fromEntries(keys.map((k) => [k, Points])) as Record<K, typeof Points>);

export const RiskWeights = StrictObject({
  tier: PointsOf(['1', '2', '3', '4'] as const),
  customerFacing: Points,
  dataSensitivity: PointsOf(['public', 'internal', 'confidential', 'restricted'] as const),
  classification: PointsOf(['major', 'minor', 'patch', 'emergency'] as const),
  bigBang: Points,
  perAdditionalService: Points,
  perScopeItem: Points,
  perThousandLinesChanged: Points,
  maxSizePoints: Type.Number({ minimum: 0, maximum: 100 }),
  schemaMigration: Points,
  newExternalEndpoints: Points,
  authChanges: Points,
  testsFailed: Points,
  noTestEvidence: Points,
  perCriticalFinding: Points,
  /** Multiplied by the services' own change-failure rate (0–1). */
  changeFailureRate: Points,
  bands: StrictObject(
    { medium: Type.Number(), high: Type.Number() },
    { description: 'score at or above which a release is medium or high risk' },
  ),
});
export type RiskWeights = Static<typeof RiskWeights>;

export const DEFAULT_RISK_WEIGHTS: RiskWeights = {
  tier: { '1': 20, '2': 12, '3': 6, '4': 2 },
  customerFacing: 10,
  dataSensitivity: { public: 0, internal: 2, confidential: 6, restricted: 10 },
  classification: { major: 12, minor: 4, patch: 1, emergency: 15 },
  bigBang: 8,
  perAdditionalService: 4,
  perScopeItem: 1,
  perThousandLinesChanged: 2,
  maxSizePoints: 15,
  schemaMigration: 10,
  newExternalEndpoints: 8,
  authChanges: 10,
  testsFailed: 15,
  noTestEvidence: 5,
  perCriticalFinding: 10,
  changeFailureRate: 30,
  bands: { medium: 35, high: 60 },
};

/** What the score is computed from, gathered by the app layer from the store. */
export interface RiskInputs {
  services: Array<{
    name: string;
    tier: number;
    customerFacing: boolean;
    dataSensitivity: DataSensitivity;
  }>;
  classification: Classification;
  strategy: DeploymentStrategy;
  scopeItems: number;
  facts: ReleaseFacts;
  /** Past finished releases of these services and how many failed or were rolled back. */
  history: { finished: number; failed: number };
}

export interface RiskContribution {
  factor: string;
  value: string | number | boolean | null;
  points: number;
  explanation: string;
}

export type RiskLevel = 'low' | 'medium' | 'high';

export interface RiskScore {
  score: number;
  level: RiskLevel;
  contributions: RiskContribution[];
}

const SENSITIVITY_ORDER: DataSensitivity[] = ['public', 'internal', 'confidential', 'restricted'];
const round = (n: number) => Math.round(n * 100) / 100;

export function scoreRisk(inputs: RiskInputs, weights: RiskWeights): RiskScore {
  const c: RiskContribution[] = [];
  const add = (factor: string, value: RiskContribution['value'], points: number, why: string) =>
    c.push({ factor, value, points: round(points), explanation: why });
  const { services, facts } = inputs;

  const tier = services.length ? Math.min(...services.map((s) => s.tier)) : null;
  add(
    'tier',
    tier,
    tier === null ? 0 : weights.tier[String(tier) as '1' | '2' | '3' | '4'],
    tier === null ? 'no services' : `most critical service is tier ${tier}`,
  );
  const facing = services.filter((s) => s.customerFacing).map((s) => s.name);
  add(
    'customerFacing',
    facing.length > 0,
    facing.length > 0 ? weights.customerFacing : 0,
    facing.length ? `customer-facing: ${facing.join(', ')}` : 'no customer-facing service',
  );
  const sensitivity = services.length
    ? SENSITIVITY_ORDER[
        Math.max(...services.map((s) => SENSITIVITY_ORDER.indexOf(s.dataSensitivity)))
      ]!
    : null;
  add(
    'dataSensitivity',
    sensitivity,
    sensitivity ? weights.dataSensitivity[sensitivity] : 0,
    sensitivity ? `handles ${sensitivity} data` : 'no services',
  );
  add(
    'classification',
    inputs.classification,
    weights.classification[inputs.classification],
    `${inputs.classification} release`,
  );
  add(
    'strategy',
    inputs.strategy,
    inputs.strategy === 'big-bang' ? weights.bigBang : 0,
    inputs.strategy === 'big-bang'
      ? 'big-bang: everything changes at once'
      : `${inputs.strategy} rollout`,
  );
  const extra = Math.max(0, services.length - 1);
  add(
    'services',
    services.length,
    extra * weights.perAdditionalService,
    `${services.length} services change together`,
  );
  const lines = facts.linesChanged;
  const sizePoints = Math.min(
    weights.maxSizePoints,
    inputs.scopeItems * weights.perScopeItem +
      (lines === undefined ? 0 : (lines / 1000) * weights.perThousandLinesChanged),
  );
  add(
    'sizeOfChange',
    lines ?? inputs.scopeItems,
    sizePoints,
    `${inputs.scopeItems} features and fixes${lines === undefined ? '' : `, ${lines} lines changed`} (capped at ${weights.maxSizePoints})`,
  );
  for (const flag of ['schemaMigration', 'newExternalEndpoints', 'authChanges'] as const) {
    const value = facts[flag];
    add(
      flag,
      value ?? null,
      value ? weights[flag] : 0,
      value === undefined ? 'not stated' : value ? 'yes' : 'no',
    );
  }
  const tests = facts.testsPassed;
  add(
    'testEvidence',
    tests ?? null,
    tests === undefined ? weights.noTestEvidence : tests ? 0 : weights.testsFailed,
    tests === undefined ? 'no test evidence' : tests ? 'tests passed' : 'tests failed',
  );
  const findings = facts.criticalFindings;
  add(
    'criticalFindings',
    findings ?? null,
    (findings ?? 0) * weights.perCriticalFinding,
    findings === undefined ? 'no scan evidence' : `${findings} critical findings`,
  );
  const { finished, failed } = inputs.history;
  const rate = finished > 0 ? failed / finished : 0;
  add(
    'changeFailureHistory',
    finished > 0 ? round(rate) : null,
    rate * weights.changeFailureRate,
    finished > 0
      ? `${failed} of ${finished} past releases of these services failed`
      : 'no history yet',
  );
  const score = round(c.reduce((sum, x) => sum + x.points, 0));
  const level: RiskLevel =
    score >= weights.bands.high ? 'high' : score >= weights.bands.medium ? 'medium' : 'low';
  return { score, level, contributions: c };
}
