/** The parts of a release page that explain it: risk, CAB decisions, canary verdicts. */
import { api } from '../api.js';
import { GroupedBarChart } from '../charts/BarChart.js';
import { formatInstant, formatNumber, formatPercent } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useApi } from '../useApi.js';

export interface Risk {
  score: number;
  level: string;
  weightsVersion: number;
  contributions: {
    factor: string;
    value: string | number | boolean | null;
    points: number;
    explanation: string;
  }[];
  failureProbability: number | null;
  modelTrainedOn: number;
}

export function RiskPanel({ risk }: { risk: Risk }) {
  return (
    <section aria-labelledby="risk">
      <h2 id="risk">Risk</h2>
      <p>
        Score <strong>{formatNumber(risk.score)}</strong>, <strong>{risk.level}</strong>{' '}
        <span className="meta">(weights v{risk.weightsVersion})</span>.{' '}
        {risk.failureProbability === null
          ? 'Too few finished releases to fit a failure probability yet.'
          : `Fitted failure probability ${formatPercent(risk.failureProbability)} (trained on ${formatNumber(risk.modelTrainedOn)} releases).`}
      </p>
      <div className="table-scroll" tabIndex={0}>
        <table>
          <caption className="visually-hidden">Each factor of the risk score</caption>
          <thead>
            <tr>
              <th scope="col">Factor</th>
              <th scope="col">Value</th>
              <th scope="col">Points</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {risk.contributions.map((c) => (
              <tr key={c.factor}>
                <td>{c.factor}</td>
                <td>
                  {typeof c.value === 'number'
                    ? formatNumber(c.value)
                    : c.value === null
                      ? '—'
                      : String(c.value)}
                </td>
                <td>{formatNumber(c.points)}</td>
                <td>{c.explanation}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export interface CabDecision {
  id: string;
  meeting: string;
  occurrence: string;
  decision: string;
  rationale: string;
  conditions: { number: number; text: string; metBy: string | null; metAt: string | null }[];
  decidedBy: string;
  decidedAt: string;
}

export function CabDecisionsPanel({ decisions }: { decisions: CabDecision[] }) {
  return (
    <section aria-labelledby="cab">
      <h2 id="cab">CAB decisions</h2>
      {decisions.length === 0 ? (
        <p className="empty">No CAB decision on this release.</p>
      ) : (
        <ol className="timeline">
          {decisions.map((d) => (
            <li key={d.id}>
              <strong>{d.decision}</strong> at {d.meeting} ({formatInstant(d.occurrence)}) by{' '}
              {d.decidedBy}: {d.rationale}
              {d.conditions.length > 0 && (
                <ul>
                  {d.conditions.map((c) => (
                    <li key={c.number}>
                      Condition {c.number}: {c.text} —{' '}
                      {c.metBy ? `met by ${c.metBy} ${formatInstant(c.metAt)}` : 'not yet met'}
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

interface CanaryAnalysis {
  id: string;
  service: string;
  environment: string;
  judge: string;
  createdAt: string;
}
interface CanaryVerdict {
  id: string;
  judgedAt: string;
  outcome: string;
  decision: string;
  score: number | null;
  reason: string;
  metrics: {
    metric: string;
    outcome: string;
    reason: string;
    baseline: { mean: number | null };
    canary: { mean: number | null };
  }[];
}

export function CanaryPanel({ analyses }: { analyses: CanaryAnalysis[] }) {
  return (
    <section aria-labelledby="canary">
      <h2 id="canary">Canary analyses</h2>
      {analyses.length === 0 ? (
        <p className="empty">No canary analysis for this release.</p>
      ) : (
        analyses.map((a) => <CanaryAnalysisView key={a.id} analysis={a} />)
      )}
    </section>
  );
}

function CanaryAnalysisView({ analysis }: { analysis: CanaryAnalysis }) {
  const [verdicts] = useApi(
    () => api<CanaryVerdict[]>('GET', `/canary-analyses/${analysis.id}/verdicts`),
    [analysis.id],
  );
  return (
    <div className="canary">
      <h3>
        {analysis.service} in {analysis.environment}{' '}
        <span className="meta">
          ({analysis.judge}, {formatInstant(analysis.createdAt)})
        </span>
      </h3>
      {verdicts.status === 'loading' && <Loading what="verdicts" />}
      {verdicts.status === 'failed' && <ProblemNotice problem={verdicts.problem} />}
      {verdicts.status === 'ready' && verdicts.value.length === 0 && (
        <p className="empty">Not judged yet.</p>
      )}
      {verdicts.status === 'ready' &&
        verdicts.value.length > 0 &&
        (() => {
          const last = verdicts.value[verdicts.value.length - 1]!;
          return (
            <>
              <p>
                <strong className={last.outcome === 'fail' ? 'fail' : 'pass'}>
                  {last.outcome}
                </strong>
                , {last.decision} (score {formatNumber(last.score)}, {formatInstant(last.judgedAt)}
                ): {last.reason}
              </p>
              <GroupedBarChart
                title={`Baseline versus canary, mean per metric (${analysis.service})`}
                labels={last.metrics.map((m) => m.metric)}
                series={[
                  {
                    name: 'Baseline',
                    className: 'bar-baseline',
                    values: last.metrics.map((m) => m.baseline.mean),
                  },
                  {
                    name: 'Canary',
                    className: 'bar-canary',
                    values: last.metrics.map((m) => m.canary.mean),
                  },
                ]}
              />
              <ul className="checks">
                {last.metrics.map((m) => (
                  <li key={m.metric} className={m.outcome === 'pass' ? 'pass' : 'fail'}>
                    <code>{m.metric}</code> {m.outcome}: {m.reason}
                  </li>
                ))}
              </ul>
            </>
          );
        })()}
    </div>
  );
}
