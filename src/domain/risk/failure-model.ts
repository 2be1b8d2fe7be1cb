/**
 * The failure model: logistic regression on the organisation's own finished releases,
 * predicting whether a release will fail or be rolled back. Its quality is reported by
 * cross-validation (each release predicted by a model that never saw it) against two
 * references: always predicting the base rate, and the hand-weighted score turned into a
 * probability by the same logistic link (Platt scaling) fitted on the same folds.
 */
import type { DataSensitivity } from '../catalog.js';
import type { Classification, DeploymentStrategy, ReleaseFacts } from '../release.js';
import { brierScore, reliabilityTable, type ReliabilityBin } from './calibration.js';
import { fitLogistic, predict, type LogisticModel } from './logistic.js';

export interface HistoricalRelease {
  key: string;
  tiers: number[];
  customerFacing: boolean;
  sensitivity: DataSensitivity | null;
  classification: Classification;
  strategy: DeploymentStrategy;
  features: number;
  deployAt: string;
  /** The owning team's zone: "a Friday deploy" is Friday where the team is. */
  timeZone: string;
  facts: ReleaseFacts;
  /** The hand-weighted risk score, for comparison. */
  handScore: number;
  /** Failed or rolled back (1) versus closed (0); null while unfinished. */
  failed: boolean | null;
}

export const MODEL_FEATURES = [
  'tier1',
  'additionalServices',
  'major',
  'emergency',
  'bigBang',
  'features',
  'fridayToSunday',
  'customerFacing',
  'sensitiveData',
  'schemaMigration',
  'newExternalEndpoints',
  'authChanges',
] as const;

const weekdayFormat = new Map<string, Intl.DateTimeFormat>();
function weekday(instant: string, timeZone: string): string {
  let format = weekdayFormat.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { weekday: 'short', timeZone });
    weekdayFormat.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

export function modelFeatures(r: HistoricalRelease): number[] {
  const day = weekday(r.deployAt, r.timeZone);
  return [
    r.tiers.includes(1) ? 1 : 0,
    Math.max(0, r.tiers.length - 1),
    r.classification === 'major' ? 1 : 0,
    r.classification === 'emergency' ? 1 : 0,
    r.strategy === 'big-bang' ? 1 : 0,
    r.features,
    day === 'Fri' || day === 'Sat' || day === 'Sun' ? 1 : 0,
    r.customerFacing ? 1 : 0,
    r.sensitivity === 'confidential' || r.sensitivity === 'restricted' ? 1 : 0,
    r.facts.schemaMigration ? 1 : 0,
    r.facts.newExternalEndpoints ? 1 : 0,
    r.facts.authChanges ? 1 : 0,
  ];
}

export interface CalibrationReport {
  releases: number;
  failures: number;
  baseRate: number;
  folds: number;
  model: { brier: number; reliability: ReliabilityBin[] };
  baseline: { brier: number };
  handWeighted: { brier: number; reliability: ReliabilityBin[] };
  /** Fitted on every finished release: what each fact adds to the log-odds of failure. */
  coefficients: Array<{ feature: string; weight: number }>;
  intercept: number;
}

/** Enough finished releases, with both outcomes present, to fit anything at all. */
export function canFit(history: readonly HistoricalRelease[]): boolean {
  const finished = history.filter((r) => r.failed !== null);
  const failures = finished.filter((r) => r.failed).length;
  return finished.length >= 20 && failures >= 2 && failures <= finished.length - 2;
}

export function fitFailureModel(history: readonly HistoricalRelease[], l2 = 1): LogisticModel {
  const finished = history.filter((r) => r.failed !== null);
  return fitLogistic(
    finished.map(modelFeatures),
    finished.map((r) => (r.failed ? 1 : 0)),
    { l2 },
  );
}

export function predictFailure(model: LogisticModel, release: HistoricalRelease): number {
  return predict(model, modelFeatures(release));
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/**
 * Each finished release predicted by models that never saw it (k-fold by position):
 * the fitted model, the base rate, and the hand score through Platt scaling.
 */
export function crossValidatedPredictions(
  history: readonly HistoricalRelease[],
  folds = 5,
  l2 = 1,
): { finished: HistoricalRelease[]; model: number[]; base: number[]; hand: number[] } {
  const finished = history.filter((r) => r.failed !== null);
  const x = finished.map(modelFeatures);
  const y: number[] = finished.map((r) => (r.failed ? 1 : 0));
  const modelPredictions = Array<number>(finished.length).fill(0);
  const basePredictions = Array<number>(finished.length).fill(0);
  const handPredictions = Array<number>(finished.length).fill(0);
  for (let fold = 0; fold < folds; fold++) {
    const train = finished.map((_, i) => i).filter((i) => i % folds !== fold);
    const test = finished.map((_, i) => i).filter((i) => i % folds === fold);
    const model = fitLogistic(
      train.map((i) => x[i]!),
      train.map((i) => y[i]!),
      { l2 },
    );
    const platt = fitLogistic(
      train.map((i) => [finished[i]!.handScore]),
      train.map((i) => y[i]!),
      { l2: 0.01 },
    );
    const rate = train.reduce((sum, i) => sum + y[i]!, 0) / train.length;
    for (const i of test) {
      modelPredictions[i] = predict(model, x[i]!);
      handPredictions[i] = predict(platt, [finished[i]!.handScore]);
      basePredictions[i] = rate;
    }
  }
  return { finished, model: modelPredictions, base: basePredictions, hand: handPredictions };
}

export function calibrationReport(
  history: readonly HistoricalRelease[],
  options: { folds?: number; l2?: number } = {},
): CalibrationReport {
  const folds = options.folds ?? 5;
  const l2 = options.l2 ?? 1;
  const {
    finished,
    model: modelPredictions,
    base: basePredictions,
    hand: handPredictions,
  } = crossValidatedPredictions(history, folds, l2);
  const x = finished.map(modelFeatures);
  const y: number[] = finished.map((r) => (r.failed ? 1 : 0));
  const full = fitLogistic(x, y, { l2 });
  const failures = y.reduce((a, b) => a + b, 0);
  return {
    releases: finished.length,
    failures,
    baseRate: round(failures / finished.length),
    folds,
    model: {
      brier: round(brierScore(modelPredictions, y)),
      reliability: reliabilityTable(modelPredictions, y),
    },
    baseline: { brier: round(brierScore(basePredictions, y)) },
    handWeighted: {
      brier: round(brierScore(handPredictions, y)),
      reliability: reliabilityTable(handPredictions, y),
    },
    coefficients: MODEL_FEATURES.map((feature, j) => ({
      feature,
      weight: round(full.coefficients[j]!),
    })),
    intercept: round(full.intercept),
  };
}
