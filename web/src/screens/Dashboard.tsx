/**
 * Dashboards: the DORA keys with their performance bands and trends, rollback frequency
 * by team, and control charts of post-release quality with their signals marked.
 */
import { useSearchParams } from 'react-router';
import { api, searchParams } from '../api.js';
import { GroupedBarChart } from '../charts/BarChart.js';
import { LineChart, type LinePoint } from '../charts/LineChart.js';
import {
  formatDay,
  formatDuration,
  formatInstant,
  formatNumber,
  formatPercent,
  viewerTimeZone,
} from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useApi } from '../useApi.js';

interface GroupMetrics {
  group: string;
  deploymentFrequency: { deployments: number; perDay: number; band: string };
  leadTimeForChanges: { changes: number; medianMs: number | null; band: string | null };
  changeFailureRate: {
    deployments: number;
    failed: number;
    rate: number | null;
    band: string | null;
  };
  timeToRestore: { incidents: number; medianMs: number | null; band: string | null };
  rollbackFrequency: { rollbacks: number; perWeek: number };
  series: {
    bucket: string;
    deployments: number;
    changeFailureRate: number | null;
    medianLeadTimeMs: number | null;
    medianTimeToRestoreMs: number | null;
  }[];
}
interface DoraReport {
  range: { since: string; until: string };
  overall: GroupMetrics;
  groups: GroupMetrics[];
}
interface ControlChart {
  kind: string;
  points: {
    label: string;
    value: number;
    center: number;
    upperLimit: number;
    lowerLimit: number;
  }[];
  signals: { index: number; description: string; rule: string }[];
}
interface Charts {
  changeFailures: ControlChart;
  postReleaseDefects: ControlChart;
  timeToRestore: ControlChart;
  leadTime: ControlChart;
}

const DIMENSIONS = [
  ['team', 'Team'],
  ['service', 'Service'],
  ['environment', 'Environment (all, not only production)'],
  ['class', 'Class'],
];
const BUCKETS = ['week', 'month', 'day'];
const RANGES = [30, 90, 180, 365];

/** The range ends at the viewer's next midnight, so it is the same on every render of a day. */
function rangeOf(days: number): { since: string; until: string } {
  const now = new Date();
  const until = new Date(now.getFullYear(), now.getMonth(), now.getDate() + 1);
  const since = new Date(until.getFullYear(), until.getMonth(), until.getDate() - days);
  return { since: since.toISOString(), until: until.toISOString() };
}

export function Dashboard() {
  const [params, setParams] = useSearchParams();
  const by = params.get('by') ?? 'team';
  const bucket = params.get('bucket') ?? 'week';
  const days = RANGES.includes(Number(params.get('days'))) ? Number(params.get('days')) : 90;
  const range = rangeOf(days);
  const [report] = useApi(
    () => api<DoraReport>('GET', `/metrics/dora${searchParams({ by, bucket, ...range })}`),
    [by, bucket, range.since],
  );
  const [charts] = useApi(
    () => api<Charts>('GET', `/metrics/control-charts${searchParams({ bucket, ...range })}`),
    [bucket, range.since],
  );
  const set = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    next.set(name, value);
    setParams(next, { replace: true });
  };
  return (
    <>
      <h1>Dashboards</h1>
      <form
        className="filters"
        aria-label="Dashboard settings"
        onSubmit={(e) => e.preventDefault()}
      >
        <label>
          Group by
          <select value={by} onChange={(e) => set('by', e.target.value)}>
            {DIMENSIONS.map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Range
          <select value={days} onChange={(e) => set('days', e.target.value)}>
            {RANGES.map((n) => (
              <option key={n} value={n}>
                Last {n} days
              </option>
            ))}
          </select>
        </label>
        <label>
          Bucket
          <select value={bucket} onChange={(e) => set('bucket', e.target.value)}>
            {BUCKETS.map((b) => (
              <option key={b} value={b}>
                {b}
              </option>
            ))}
          </select>
        </label>
      </form>
      {report.status === 'loading' && <Loading what="DORA metrics" />}
      {report.status === 'failed' && <ProblemNotice problem={report.problem} />}
      {report.status === 'ready' && <Dora report={report.value} by={by} />}
      <section aria-labelledby="control">
        <h2 id="control">Control charts</h2>
        {charts.status === 'loading' && <Loading what="control charts" />}
        {charts.status === 'failed' && <ProblemNotice problem={charts.problem} />}
        {charts.status === 'ready' && (
          <div className="chart-grid">
            <Control
              title="Change failures (p-chart)"
              chart={charts.value.changeFailures}
              format={formatPercent}
            />
            <Control
              title="Post-release defects per deployment (u-chart)"
              chart={charts.value.postReleaseDefects}
            />
            <Control
              title="Time to restore (XmR)"
              chart={charts.value.timeToRestore}
              format={formatDuration}
            />
            <Control
              title="Lead time (XmR)"
              chart={charts.value.leadTime}
              format={formatDuration}
            />
          </div>
        )}
      </section>
    </>
  );
}

function Dora({ report, by }: { report: DoraReport; by: string }) {
  const o = report.overall;
  const trend = (pick: (s: GroupMetrics['series'][number]) => number | null): LinePoint[] =>
    o.series.map((s) => ({ label: formatDay(s.bucket), value: pick(s) }));
  return (
    <>
      <p className="hint">
        {formatInstant(report.range.since)} to {formatInstant(report.range.until)}, times in{' '}
        {viewerTimeZone()}.
      </p>
      <section aria-labelledby="dora">
        <h2 id="dora">DORA keys</h2>
        <dl className="tiles">
          <Tile
            name="Deployment frequency"
            value={`${formatNumber(o.deploymentFrequency.deployments)} deployments (${formatNumber(o.deploymentFrequency.perDay)} a day)`}
            band={o.deploymentFrequency.band}
          />
          <Tile
            name="Lead time for changes"
            value={`median ${formatDuration(o.leadTimeForChanges.medianMs)}`}
            band={o.leadTimeForChanges.band}
          />
          <Tile
            name="Change failure rate"
            value={`${formatPercent(o.changeFailureRate.rate)} (${formatNumber(o.changeFailureRate.failed)} of ${formatNumber(o.changeFailureRate.deployments)})`}
            band={o.changeFailureRate.band}
          />
          <Tile
            name="Time to restore"
            value={`median ${formatDuration(o.timeToRestore.medianMs)}`}
            band={o.timeToRestore.band}
          />
        </dl>
        {o.series.length === 0 ? (
          <p className="empty">No bucket in the range.</p>
        ) : (
          <div className="chart-grid">
            <LineChart title="Deployments per bucket" points={trend((s) => s.deployments)} />
            <LineChart
              title="Change failure rate"
              points={trend((s) => s.changeFailureRate)}
              format={formatPercent}
            />
            <LineChart
              title="Median lead time"
              points={trend((s) => s.medianLeadTimeMs)}
              format={formatDuration}
            />
            <LineChart
              title="Median time to restore"
              points={trend((s) => s.medianTimeToRestoreMs)}
              format={formatDuration}
            />
          </div>
        )}
      </section>
      <section aria-labelledby="groups">
        <h2 id="groups">By {by}</h2>
        {report.groups.length === 0 ? (
          <p className="empty">No deployment in the range.</p>
        ) : (
          <>
            <div className="table-scroll" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{by}</th>
                    <th scope="col">Deployments</th>
                    <th scope="col">Lead time</th>
                    <th scope="col">Change failure rate</th>
                    <th scope="col">Time to restore</th>
                    <th scope="col">Rollbacks</th>
                  </tr>
                </thead>
                <tbody>
                  {report.groups.map((g) => (
                    <tr key={g.group}>
                      <th scope="row">{g.group}</th>
                      <td>
                        {formatNumber(g.deploymentFrequency.deployments)} (
                        {g.deploymentFrequency.band})
                      </td>
                      <td>
                        {formatDuration(g.leadTimeForChanges.medianMs)}
                        {g.leadTimeForChanges.band ? ` (${g.leadTimeForChanges.band})` : ''}
                      </td>
                      <td>
                        {formatPercent(g.changeFailureRate.rate)}
                        {g.changeFailureRate.band ? ` (${g.changeFailureRate.band})` : ''}
                      </td>
                      <td>
                        {formatDuration(g.timeToRestore.medianMs)}
                        {g.timeToRestore.band ? ` (${g.timeToRestore.band})` : ''}
                      </td>
                      <td>
                        {formatNumber(g.rollbackFrequency.rollbacks)} (
                        {formatNumber(g.rollbackFrequency.perWeek)} a week)
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <GroupedBarChart
              title={`Rollback frequency by ${by}, per week`}
              labels={report.groups.map((g) => g.group)}
              series={[
                {
                  name: 'Rollbacks a week',
                  className: 'bar-canary',
                  values: report.groups.map((g) => g.rollbackFrequency.perWeek),
                },
              ]}
            />
          </>
        )}
      </section>
    </>
  );
}

function Tile({ name, value, band }: { name: string; value: string; band: string | null }) {
  return (
    <div className="tile">
      <dt>{name}</dt>
      <dd>
        {value}
        <br />
        <span className={`band band-${band ?? 'none'}`}>
          {band ? `${band} band` : 'no band yet'}
        </span>
      </dd>
    </div>
  );
}

function Control({
  title,
  chart,
  format,
}: {
  title: string;
  chart: ControlChart;
  format?: (n: number) => string;
}) {
  if (chart.points.length === 0)
    return (
      <div>
        <h3>{title}</h3>
        <p className="empty">No data in the range.</p>
      </div>
    );
  return (
    <LineChart
      title={title}
      format={format}
      points={chart.points.map((p) => ({
        label: /^\d{4}-\d{2}/.test(p.label) ? formatDay(p.label) : p.label,
        value: p.value,
        center: p.center,
        upper: p.upperLimit,
        lower: p.lowerLimit,
      }))}
      signals={chart.signals}
    />
  );
}
