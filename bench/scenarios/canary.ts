/**
 * Generated canary scenarios with known injected regressions (mean shifts of several
 * sizes) and healthy ones, for both judges. The fixed-horizon judge is looked at once,
 * when its window of `horizon` samples closes; the sequential judge after every new pair
 * from `minSamples` on, stopping at its first fail or pass. Reported per judge: false
 * alarms on healthy canaries, detection rate and median samples-to-detection per shift.
 */
import { parseCanaryConfig } from '../../src/domain/canary/config.js';
import { judgeCanaryFixed } from '../../src/domain/canary/fixed-horizon-judge.js';
import { judgeCanarySequential } from '../../src/domain/canary/sequential-judge.js';
import { seededRandom, type SeededRandom } from '../../test/support/seeded-random.js';

type Noise = 'normal' | 'lognormal';

const HORIZON = 60;
const SHIFTS = [0.05, 0.1, 0.2, 0.5];

/** One metric per interval: a shared load wave (both groups see it) plus own noise. */
function scenario(random: SeededRandom, noise: Noise, shift: number, n: number) {
  const baseline: number[] = [];
  const canary: number[] = [];
  const phase = random.next() * 2 * Math.PI;
  for (let t = 0; t < n; t += 1) {
    const load = 1 + 0.15 * Math.sin(phase + t / 8);
    const draw = () =>
      noise === 'normal' ? 1 + 0.2 * random.normal() : Math.exp(0.2 * random.normal() - 0.02);
    baseline.push(100 * load * draw());
    canary.push(100 * (1 + shift) * load * draw());
  }
  return { baseline: { latency: baseline }, canary: { latency: canary } };
}

const config = parseCanaryConfig({
  minSamples: 10,
  metrics: [{ name: 'latency', direction: 'increase' }],
  sequential: { alpha: 0.01, maxSamples: HORIZON },
});

interface Run {
  detected: boolean;
  samples: number;
}

function fixedRun(s: ReturnType<typeof scenario>, horizon: number): Run {
  const cut = (x: { latency: number[] }) => ({ latency: x.latency.slice(0, horizon) });
  const verdict = judgeCanaryFixed(config, cut(s.baseline), cut(s.canary));
  return { detected: verdict.outcome === 'fail', samples: horizon };
}

function sequentialRun(s: ReturnType<typeof scenario>): Run {
  for (let t = config.minSamples; t <= HORIZON; t += 1) {
    const verdict = judgeCanarySequential(
      config,
      { latency: s.baseline.latency.slice(0, t) },
      { latency: s.canary.latency.slice(0, t) },
    );
    if (verdict.outcome === 'fail') return { detected: true, samples: t };
    if (verdict.outcome === 'pass') return { detected: false, samples: t };
  }
  return { detected: false, samples: HORIZON };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function summarise(runs: Run[]) {
  const hits = runs.filter((r) => r.detected);
  return {
    rate: hits.length / runs.length,
    medianSamples: median(hits.map((r) => r.samples)),
  };
}

export function canaryJudges(log: (line: string) => void, healthyRuns = 1000, shiftedRuns = 300) {
  const results: Record<string, unknown> = {};
  const pct = (v: number) => `${(v * 100).toFixed(1)} %`;
  for (const noise of ['normal', 'lognormal'] as const) {
    const random = seededRandom(noise === 'normal' ? 1 : 2);
    const healthy = Array.from({ length: healthyRuns }, () => scenario(random, noise, 0, HORIZON));
    const fixedAlarms = summarise(healthy.map((s) => fixedRun(s, HORIZON))).rate;
    const sequentialAlarms = summarise(healthy.map(sequentialRun)).rate;
    log(
      `${noise} noise (CV 20 %, shared load wave), horizon ${HORIZON} samples, ${healthyRuns} healthy runs:`,
    );
    log(
      `  false alarms: fixed ${pct(fixedAlarms)} | sequential ${pct(sequentialAlarms)} (looked at after every sample)`,
    );
    const perShift: Record<string, unknown> = {};
    for (const shift of SHIFTS) {
      const runs = Array.from({ length: shiftedRuns }, () =>
        scenario(random, noise, shift, HORIZON),
      );
      const fixed = summarise(runs.map((s) => fixedRun(s, HORIZON)));
      const sequential = summarise(runs.map(sequentialRun));
      // The shortest fixed window that would detect this shift in 90 % of runs.
      let powered: number | null = null;
      for (let h = 10; h <= HORIZON && powered === null; h += 5)
        if (summarise(runs.map((s) => fixedRun(s, h))).rate >= 0.9) powered = h;
      perShift[`${shift * 100}%`] = { fixed, sequential, fixedWindowFor90PercentPower: powered };
      log(
        `  +${String(shift * 100).padStart(2)} % mean: fixed detects ${pct(fixed.rate)} at ${HORIZON} samples | sequential detects ${pct(sequential.rate)}, median ${sequential.medianSamples ?? '-'} samples | shortest fixed window with 90 % power: ${powered ?? `> ${HORIZON}`}`,
      );
    }
    const at20 = (perShift['20%'] as { sequential: { medianSamples: number | null } }).sequential;
    const met =
      sequentialAlarms <= 0.02 && at20.medianSamples !== null && at20.medianSamples <= HORIZON / 2;
    log(
      `  target (sequential false alarms ≤ 2 %, 20 % shift in ≤ ${HORIZON / 2} samples vs the fixed ${HORIZON}): ${met ? 'MET' : 'NOT MET'}`,
    );
    results[noise] = { horizon: HORIZON, fixedAlarms, sequentialAlarms, perShift, targetMet: met };
  }
  return results;
}
