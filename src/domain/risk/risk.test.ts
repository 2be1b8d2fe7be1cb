import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brierScore, reliabilityTable } from './calibration.js';
import { fitLogistic, predict, solveSymmetric } from './logistic.js';
import { heatMap } from './register.js';
import { DEFAULT_RISK_WEIGHTS, scoreRisk, type RiskInputs } from './score.js';

const base: RiskInputs = {
  services: [{ name: 'ledger', tier: 1, customerFacing: false, dataSensitivity: 'restricted' }],
  classification: 'minor',
  strategy: 'canary',
  scopeItems: 3,
  facts: { testsPassed: true },
  history: { finished: 0, failed: 0 },
};

describe('risk score', () => {
  test('every factor is listed and the score is their sum', () => {
    const result = scoreRisk(base, DEFAULT_RISK_WEIGHTS);
    const byFactor = Object.fromEntries(result.contributions.map((c) => [c.factor, c.points]));
    assert.equal(byFactor.tier, 20);
    assert.equal(byFactor.dataSensitivity, 10);
    assert.equal(byFactor.classification, 4);
    assert.equal(byFactor.sizeOfChange, 3);
    assert.equal(byFactor.testEvidence, 0);
    assert.equal(result.score, 37);
    assert.equal(result.level, 'medium');
    assert.equal(
      result.score,
      result.contributions.reduce((s, c) => s + c.points, 0),
    );
    for (const factor of [
      'customerFacing',
      'schemaMigration',
      'newExternalEndpoints',
      'authChanges',
      'criticalFindings',
      'changeFailureHistory',
    ])
      assert.ok(factor in byFactor, factor);
  });

  test('risky facts add their weights; history adds its failure rate times the weight', () => {
    const risky = scoreRisk(
      {
        ...base,
        strategy: 'big-bang',
        facts: {
          schemaMigration: true,
          authChanges: true,
          newExternalEndpoints: true,
          testsPassed: false,
          criticalFindings: 2,
          linesChanged: 50_000,
        },
        history: { finished: 10, failed: 3 },
      },
      DEFAULT_RISK_WEIGHTS,
    );
    const points = Object.fromEntries(risky.contributions.map((c) => [c.factor, c.points]));
    assert.equal(points.schemaMigration, 10);
    assert.equal(points.authChanges, 10);
    assert.equal(points.testEvidence, 15);
    assert.equal(points.criticalFindings, 20);
    assert.equal(points.sizeOfChange, 15, 'capped');
    assert.equal(points.changeFailureHistory, 9);
    assert.equal(risky.level, 'high');
    assert.match(
      risky.contributions.find((c) => c.factor === 'changeFailureHistory')!.explanation,
      /3 of 10/,
    );
  });

  test('weights come from the document', () => {
    const heavy = { ...DEFAULT_RISK_WEIGHTS, tier: { '1': 90, '2': 0, '3': 0, '4': 0 } };
    assert.equal(scoreRisk(base, heavy).contributions[0]!.points, 90);
    assert.equal(scoreRisk(base, heavy).level, 'high');
  });
});

test('heat map counts entries by impact × probability', () => {
  const map = heatMap([
    { impact: 5, probability: 1 },
    { impact: 5, probability: 1 },
    { impact: 2, probability: 4 },
  ]);
  assert.equal(map.counts[4]![0], 2);
  assert.equal(map.counts[1]![3], 1);
  assert.equal(map.total, 3);
});

describe('logistic regression', () => {
  test('Cholesky solve', () => {
    assert.deepEqual(
      solveSymmetric(
        [
          [4, 2],
          [2, 3],
        ],
        [2, 1],
      ).map((v) => Math.round(v * 1e9) / 1e9),
      [0.5, 0],
    );
  });

  test('recovers known coefficients from simulated data', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const rows: number[][] = [];
    const outcomes: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const a = random() < 0.3 ? 1 : 0;
      const b = random() * 4;
      const p = 1 / (1 + Math.exp(-(-2 + 1.5 * a + 0.5 * b)));
      rows.push([a, b]);
      outcomes.push(random() < p ? 1 : 0);
    }
    const model = fitLogistic(rows, outcomes, { l2: 0.01 });
    assert.ok(Math.abs(model.intercept + 2) < 0.15, `intercept ${model.intercept}`);
    assert.ok(Math.abs(model.coefficients[0]! - 1.5) < 0.15, `a ${model.coefficients[0]}`);
    assert.ok(Math.abs(model.coefficients[1]! - 0.5) < 0.08, `b ${model.coefficients[1]}`);
    assert.ok(model.iterations < 15);
  });

  test('L2 shrinks coefficients toward zero', () => {
    const rows = [[0], [0], [1], [1], [0], [1]];
    const outcomes = [0, 0, 1, 1, 0, 0];
    const loose = fitLogistic(rows, outcomes, { l2: 0.001 });
    const tight = fitLogistic(rows, outcomes, { l2: 100 });
    assert.ok(Math.abs(tight.coefficients[0]!) < Math.abs(loose.coefficients[0]!) / 5);
    assert.ok(predict(loose, [1]) > predict(loose, [0]));
  });
});

test('Brier score and reliability table', () => {
  assert.equal(brierScore([1, 0], [1, 0]), 0);
  assert.equal(brierScore([0.5, 0.5], [1, 0]), 0.25);
  const table = reliabilityTable([0.05, 0.07, 0.95], [0, 1, 1]);
  assert.equal(table.length, 10);
  assert.deepEqual(table[0], {
    from: 0,
    to: 0.1,
    count: 2,
    meanPredicted: 0.06,
    observedRate: 0.5,
  });
  assert.equal(table[9]!.count, 1);
  assert.equal(table[5]!.meanPredicted, null);
});
