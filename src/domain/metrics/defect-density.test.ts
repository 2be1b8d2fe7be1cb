import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defectDensity, defectDensityReport, type ReleaseDefectFact } from './defect-density.js';

const range = { since: '2026-07-01T00:00:00.000Z', until: '2026-10-01T00:00:00.000Z' };
const fact = (
  release: string,
  group: string,
  deliveredAt: string,
  changedServices: number,
  defects: number,
): ReleaseDefectFact => ({ release, group, deliveredAt, changedServices, defects });

describe('defect density per release', () => {
  test('defects per delivered release and per changed service, with the defect-free share', () => {
    const d = defectDensity(
      'payments',
      [
        fact('r1', 'payments', '2026-07-02T10:00:00.000Z', 2, 3),
        fact('r2', 'payments', '2026-08-15T10:00:00.000Z', 1, 0),
        fact('r3', 'payments', '2026-09-30T23:59:59.000Z', 1, 1),
        // Delivered outside the quarter: not counted.
        fact('r4', 'payments', '2026-10-01T00:00:00.000Z', 5, 9),
      ],
      range,
      'month',
    );
    assert.equal(d.releases, 3);
    assert.equal(d.defects, 4);
    assert.equal(d.changedServices, 4);
    assert.equal(d.releasesWithDefects, 2);
    assert.equal(d.perRelease, 4 / 3);
    assert.equal(d.perChangedService, 1);
    assert.equal(d.defectFreeShare, 1 / 3);
    assert.deepEqual(d.series, [
      { bucket: '2026-07', releases: 1, defects: 3, perRelease: 3 },
      { bucket: '2026-08', releases: 1, defects: 0, perRelease: 0 },
      { bucket: '2026-09', releases: 1, defects: 1, perRelease: 1 },
    ]);
  });

  test('no delivered release: null rates, zero counts, empty buckets listed', () => {
    const d = defectDensity('(all)', [], range, 'month');
    assert.equal(d.releases, 0);
    assert.equal(d.perRelease, null);
    assert.equal(d.perChangedService, null);
    assert.equal(d.defectFreeShare, null);
    assert.equal(d.series.length, 3);
    assert.ok(d.series.every((p) => p.releases === 0 && p.perRelease === null));
  });

  test('groups sorted; overall counts each release once', () => {
    const report = defectDensityReport(
      {
        groups: [
          fact('r1', 'payments-api', '2026-07-02T10:00:00.000Z', 1, 1),
          fact('r1', 'ledger', '2026-07-02T10:00:00.000Z', 1, 1),
          fact('r2', 'auth', '2026-07-03T10:00:00.000Z', 1, 0),
        ],
        overall: [
          fact('r1', '(all)', '2026-07-02T10:00:00.000Z', 2, 1),
          fact('r2', '(all)', '2026-07-03T10:00:00.000Z', 1, 0),
        ],
      },
      range,
      'service',
      'month',
    );
    assert.deepEqual(
      report.groups.map((g) => [g.group, g.releases, g.defects]),
      [
        ['auth', 1, 0],
        ['ledger', 1, 1],
        ['payments-api', 1, 1],
      ],
    );
    assert.equal(report.overall.releases, 2);
    assert.equal(report.overall.defects, 1, 'one incident linked to both services counts once');
    assert.equal(report.overall.perChangedService, 1 / 3);
  });
});
