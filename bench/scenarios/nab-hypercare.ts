/**
 * The hypercare regression detector on the Numenta Anomaly Benchmark's real series, as
 * ../shared/data/README.md prescribes: the start of each labelled anomaly window is a
 * deployment marker that introduced a regression; as many healthy markers are drawn
 * outside every window. The detector sees up to REFERENCE samples before the marker and
 * watches until the labelled window ends (a regression marker) or as long a period (a
 * healthy marker, placed so that period touches no window). Reported: detection rate,
 * false-alarm rate and median detection delay (samples and minutes after the marker).
 * NAB windows are centred on the anomaly, so the delay includes the lead-in before it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_DETECTOR,
  detectRegression,
  type RegressionDetectorOptions,
} from '../../src/domain/hypercare/regression-detector.js';
import { seededRandom } from '../../test/support/seeded-random.js';

const NAB = fileURLToPath(new URL('../../../shared/data/nab/', import.meta.url));
const REFERENCE = 288;

interface Series {
  name: string;
  times: number[];
  values: number[];
  windows: Array<[number, number]>; // sample index ranges, inclusive
}

const parseTime = (text: string) => Date.parse(text.trim().replace(' ', 'T').slice(0, 19) + 'Z');

function loadSeries(): Series[] {
  const labels = JSON.parse(readFileSync(`${NAB}labels/combined_windows.json`, 'utf8')) as Record<
    string,
    Array<[string, string]>
  >;
  return Object.entries(labels).map(([name, windows]) => {
    const rows = readFileSync(`${NAB}data/${name}`, 'utf8').trim().split('\n').slice(1);
    const times: number[] = [];
    const values: number[] = [];
    for (const row of rows) {
      const [time, value] = row.split(',');
      times.push(parseTime(time!));
      values.push(Number(value));
    }
    const indexAt = (t: number) => {
      const i = times.findIndex((x) => x >= t);
      return i < 0 ? times.length - 1 : i;
    };
    return {
      name,
      times,
      values,
      windows: windows.map(([a, b]) => [indexAt(parseTime(a)), indexAt(parseTime(b))]),
    };
  });
}

interface Marker {
  series: Series;
  at: number;
  end: number; // last sample watched
  regression: boolean;
}

function markers(all: Series[]): Marker[] {
  const random = seededRandom(6);
  const out: Marker[] = [];
  for (const series of all) {
    for (const [start, end] of series.windows)
      out.push({ series, at: start, end, regression: true });
    const length = series.windows.length
      ? Math.round(series.windows.reduce((s, [a, b]) => s + b - a + 1, 0) / series.windows.length)
      : 0;
    // As many healthy markers as windows, each with a watch period clear of every window.
    let placed = 0;
    for (let attempt = 0; placed < series.windows.length && attempt < 10_000; attempt += 1) {
      const at = random.int(DEFAULT_DETECTOR.minReference, series.values.length - length - 1);
      const end = at + length - 1;
      if (series.windows.some(([a, b]) => at <= b && end >= a)) continue;
      out.push({ series, at, end, regression: false });
      placed += 1;
    }
  }
  return out;
}

function evaluate(all: Marker[], options: Partial<RegressionDetectorOptions>) {
  let regressions = 0;
  let detected = 0;
  let healthy = 0;
  let alarms = 0;
  let cannotJudge = 0;
  const delaysSamples: number[] = [];
  const delaysMinutes: number[] = [];
  for (const m of all) {
    const { values, times } = m.series;
    const finding = detectRegression(
      values.slice(Math.max(0, m.at - REFERENCE), m.at),
      values.slice(m.at, m.end + 1),
      options,
    );
    if (finding.status === 'cannot-judge') {
      cannotJudge += 1;
      continue;
    }
    const alarm = finding.status === 'regression';
    if (m.regression) {
      regressions += 1;
      if (alarm) {
        detected += 1;
        delaysSamples.push(finding.afterSamples);
        delaysMinutes.push((times[m.at + finding.afterSamples - 1]! - times[m.at]!) / 60_000);
      }
    } else {
      healthy += 1;
      if (alarm) alarms += 1;
    }
  }
  const median = (v: number[]) => {
    if (!v.length) return null;
    const s = [...v].sort((a, b) => a - b);
    const k = s.length >> 1;
    return s.length % 2 ? s[k]! : (s[k - 1]! + s[k]!) / 2;
  };
  return {
    regressionMarkers: regressions,
    healthyMarkers: healthy,
    cannotJudge,
    detectionRate: detected / regressions,
    falseAlarmRate: alarms / healthy,
    medianDelaySamples: median(delaysSamples),
    medianDelayMinutes: median(delaysMinutes),
  };
}

export function nabHypercare(log: (line: string) => void) {
  if (!existsSync(`${NAB}labels/combined_windows.json`)) {
    log(`!! NAB data not found at ${NAB}: hypercare figures SKIPPED`);
    return null;
  }
  const series = loadSeries();
  const all = markers(series);
  const settings: Array<[string, Partial<RegressionDetectorOptions>]> = [
    ['default (k=1, h=12, calibrated 1.5×)', {}],
    ['calibrated 1×', { calibration: 1 }],
    ['calibrated 2×', { calibration: 2 }],
    ['not calibrated (fixed h=12)', { calibration: 0 }],
    ['not calibrated, k=0.5, h=8', { calibration: 0, slack: 0.5, threshold: 8 }],
  ];
  const results: Record<string, unknown> = {};
  log(
    `${series.length} series, ${all.filter((m) => m.regression).length} regression markers (window starts), ${all.filter((m) => !m.regression).length} healthy markers; reference ≤ ${REFERENCE} samples before each marker`,
  );
  for (const [label, options] of settings) {
    const r = evaluate(all, options);
    results[label] = r;
    log(
      `  ${label.padEnd(36)} detection ${(r.detectionRate * 100).toFixed(1)} % of ${r.regressionMarkers} | false alarms ${(r.falseAlarmRate * 100).toFixed(1)} % of ${r.healthyMarkers} | median delay ${r.medianDelaySamples ?? '-'} samples, ${r.medianDelayMinutes?.toFixed(0) ?? '-'} min | cannot judge ${r.cannotJudge}`,
    );
  }
  return results;
}
