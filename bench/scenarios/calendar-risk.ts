/**
 * Calendar and risk, in process (pure domain code, no I/O): conflict detection over a
 * year of 10,000 planned releases and 500 recurring windows, and the failure model fitted
 * on 100,000 historical releases.
 */
import {
  detectConflicts,
  type PlannedRelease,
  type PlanningFacts,
} from '../../src/domain/calendar/conflicts.js';
import type { CalendarWindow } from '../../src/domain/calendar/window.js';
import {
  calibrationReport,
  fitFailureModel,
  modelFeatures,
  type HistoricalRelease,
} from '../../src/domain/risk/failure-model.js';
import type { Classification, DeploymentStrategy } from '../../src/domain/release.js';

type Log = (line: string) => void;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Europe/London', 'UTC'];
const ENVIRONMENTS = ['sit', 'uat', 'pre-prod', 'prod'];
const YEAR_START = Date.parse('2026-01-01T00:00:00Z');
const YEAR = 365 * 86_400_000;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** The scenario's year: 10,000 planned releases, 500 recurring windows, 200 services. */
export function conflictScenario(): PlanningFacts {
  const random = rng(42);
  const services = Array.from({ length: 200 }, (_, i) => `svc-${i}`);
  // Each service depends on up to three lower-numbered ones: acyclic, like a real catalog.
  const edges = new Map(
    services.map((s, i) => [
      s,
      i === 0
        ? []
        : Array.from(
            { length: Math.floor(random() * 4) },
            () => services[Math.floor(random() * i)]!,
          ),
    ]),
  );
  const releases: PlannedRelease[] = Array.from({ length: 10_000 }, (_, i) => {
    const start = YEAR_START + Math.floor(random() * YEAR);
    const count = 1 + Math.floor(random() * 3);
    return {
      key: `REL-${i + 1}`,
      services: [
        ...new Set(Array.from({ length: count }, () => services[Math.floor(random() * 200)]!)),
      ],
      environment: ENVIRONMENTS[Math.floor(random() * 4)]!,
      changeType: 'normal',
      start,
      end: start + (1 + Math.floor(random() * 4)) * 3600_000,
    };
  });
  // 500 recurring windows in five zones: 250 weekly freezes (Friday evening to Monday
  // morning), 100 monthly freezes, 100 twice-weekly release windows with a capacity, 50
  // daily maintenance windows; every 25th scoped to a tier, the rest to three services.
  const windows: CalendarWindow[] = Array.from({ length: 500 }, (_, i) => {
    const kind = i < 350 ? 'freeze' : i < 450 ? 'release' : 'maintenance';
    const rrule =
      i < 250
        ? 'FREQ=WEEKLY;BYDAY=FR'
        : i < 350
          ? 'FREQ=MONTHLY;BYMONTHDAY=-1'
          : i < 450
            ? 'FREQ=WEEKLY;BYDAY=TU,TH'
            : 'FREQ=DAILY';
    const [start, end] =
      i < 250
        ? ['2026-01-02T18:00', '2026-01-05T06:00']
        : i < 350
          ? ['2026-01-31T00:00', '2026-01-31T23:00']
          : ['2026-01-06T09:00', '2026-01-06T12:00'];
    return {
      id: `w${i}`,
      name: `window-${i}`,
      kind,
      timeZone: ZONES[i % ZONES.length]!,
      start,
      end,
      rrule,
      scope:
        i % 25 === 0
          ? { tier: 1 + (i % 4) }
          : { services: Array.from({ length: 3 }, () => services[Math.floor(random() * 200)]!) },
      environments: i % 2 === 0 ? ['prod'] : [],
      capacity: kind === 'release' ? 3 : null,
      description: '',
    };
  });
  return {
    releases,
    windows,
    edges,
    services: new Map(services.map((s, i) => [s, { tier: 1 + (i % 4) }])),
    environments: new Map(
      ENVIRONMENTS.map((e) => [e, { capacity: e === 'prod' ? 4 : null, regions: ['eu-west'] }]),
    ),
  };
}

export function conflictDetection(log: Log): Record<string, number> {
  const facts = conflictScenario();
  const timings: number[] = [];
  let found = 0;
  for (let run = 0; run < 5; run++) {
    // Fresh window objects each run, so recurrence rules are not reused from a cache.
    const fresh = { ...facts, windows: facts.windows.map((w) => ({ ...w })) };
    const started = performance.now();
    found = detectConflicts(fresh).length;
    timings.push(performance.now() - started);
  }
  const result = { medianMs: median(timings), minMs: Math.min(...timings), conflicts: found };
  log(
    `conflict detection, 10,000 releases × 500 recurring windows over a year: median ${result.medianMs.toFixed(0)} ms (best ${result.minMs.toFixed(0)} ms, 5 runs, target < 200 ms), ${found} conflicts`,
  );
  return result;
}

export function riskModelFit(log: Log): Record<string, number> {
  const random = rng(7);
  const classifications: Classification[] = ['major', 'minor', 'patch', 'emergency'];
  const strategies: DeploymentStrategy[] = ['big-bang', 'rolling', 'blue-green', 'canary'];
  const history: HistoricalRelease[] = Array.from({ length: 100_000 }, (_, i) => {
    const tiers = Array.from(
      { length: 1 + Math.floor(random() * 3) },
      () => 1 + Math.floor(random() * 4),
    );
    const release: HistoricalRelease = {
      key: `REL-${i}`,
      tiers,
      customerFacing: random() < 0.4,
      sensitivity: random() < 0.5 ? 'confidential' : 'internal',
      classification: classifications[Math.floor(random() * 4)]!,
      strategy: strategies[Math.floor(random() * 4)]!,
      features: Math.floor(random() * 8),
      deployAt: new Date(YEAR_START + Math.floor(random() * YEAR)).toISOString(),
      timeZone: ZONES[i % ZONES.length]!,
      facts: { schemaMigration: random() < 0.2 },
      handScore: 0,
      failed: false,
    };
    // The demo organisation's documented logistic, so the fit has something to find.
    const x = modelFeatures(release);
    const z =
      -3.75 +
      0.9 * x[0]! +
      0.45 * x[1]! +
      0.8 * x[2]! +
      1.2 * x[3]! +
      0.9 * x[4]! +
      0.12 * x[5]! +
      0.75 * x[6]!;
    release.failed = random() < 1 / (1 + Math.exp(-z));
    release.handScore = 10 * x[0]! + 5 * x[1]! + 8 * x[2]! + 12 * x[3]!;
    return release;
  });
  const fitStarted = performance.now();
  const model = fitFailureModel(history);
  const fitMs = performance.now() - fitStarted;
  const reportStarted = performance.now();
  const report = calibrationReport(history);
  const reportMs = performance.now() - reportStarted;
  log(
    `risk model fit on 100,000 historical releases: ${fitMs.toFixed(0)} ms (${model.iterations} Newton iterations); ` +
      `5-fold calibration report ${reportMs.toFixed(0)} ms; Brier ${report.model.brier} vs base rate ${report.baseline.brier}`,
  );
  return {
    fitMs,
    reportMs,
    iterations: model.iterations,
    brier: report.model.brier,
    baseRateBrier: report.baseline.brier,
  };
}
