/**
 * Gate verdicts per environment: every rule with its result and the product's reason, as
 * the server judges the release now. "Check gate" asks again after evidence or approvals.
 */
import { useEffect, useState } from 'react';
import { api, type Catalog } from '../api.js';
import { formatInstant } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { useAction } from '../useApi.js';

export interface GateCheck {
  environment: string;
  verdict: 'pass' | 'fail';
  policySet: { name: string; version: number; pinned: boolean };
  policy: string | null;
  selectedBecause: string;
  rules: { rule: string; title: string; result: string; reason: string }[];
  checkedAt: string;
}

const RESULT_NAMES: Record<string, string> = {
  pass: 'passed',
  fail: 'failed',
  waived: 'waived',
  'not-applicable': 'not applicable',
};

export function GatesPanel({
  releaseKey,
  environments,
  generation,
}: {
  releaseKey: string;
  environments: NonNullable<Catalog['environments']>;
  /** Changes whenever something on the page changed the facts the gate reads. */
  generation: number;
}) {
  const ordered = [...environments].sort((a, b) => a.position - b.position);
  const [environment, setEnvironment] = useState(ordered[0]?.name ?? '');
  const [checks, setChecks] = useState<Record<string, GateCheck>>({});
  const { busy, problem, run } = useAction();
  const check = (env: string) =>
    run(
      () =>
        api<GateCheck>(
          'GET',
          `/releases/${encodeURIComponent(releaseKey)}/gates/${encodeURIComponent(env)}`,
        ),
      (verdict) => setChecks((all) => ({ ...all, [env]: verdict })),
    );
  // Verdicts already shown are judged again when the page's facts change.
  useEffect(() => {
    for (const env of Object.keys(checks)) void check(env);
    // Only the generation triggers a re-check; the list of checked environments is read as is.
  }, [generation]);

  if (ordered.length === 0)
    return (
      <section aria-labelledby="gates">
        <h2 id="gates">Gates</h2>
        <p className="empty">The catalog names no environment yet.</p>
      </section>
    );
  return (
    <section aria-labelledby="gates">
      <h2 id="gates">Gates</h2>
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void check(environment);
        }}
      >
        <label>
          Environment
          <select value={environment} onChange={(e) => setEnvironment(e.target.value)}>
            {ordered.map((env) => (
              <option key={env.name} value={env.name}>
                {env.name}
                {env.production ? ' (production)' : ''}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy}>
          Check gate
        </button>
      </form>
      {problem && <ProblemNotice problem={problem} />}
      {ordered
        .filter((env) => checks[env.name])
        .map((env) => {
          const verdict = checks[env.name]!;
          return (
            <div key={env.name} className="gate" aria-label={`Gate for ${env.name}`} role="group">
              <h3>
                {env.name}:{' '}
                <span className={verdict.verdict}>
                  {verdict.verdict === 'pass' ? 'gate passes' : 'gate fails'}
                </span>
              </h3>
              <p className="meta">
                Policy {verdict.policy ?? 'none'} of {verdict.policySet.name} v
                {verdict.policySet.version}
                {verdict.policySet.pinned ? ' (pinned)' : ''}: {verdict.selectedBecause}. Checked{' '}
                {formatInstant(verdict.checkedAt)}.
              </p>
              <div className="table-scroll" tabIndex={0}>
                <table>
                  <caption className="visually-hidden">Rules of the {env.name} gate</caption>
                  <thead>
                    <tr>
                      <th scope="col">Rule</th>
                      <th scope="col">Result</th>
                      <th scope="col">Reason</th>
                    </tr>
                  </thead>
                  <tbody>
                    {verdict.rules.map((rule) => (
                      <tr key={rule.rule}>
                        <td>
                          {rule.title} <code className="meta">{rule.rule}</code>
                        </td>
                        <td
                          className={
                            rule.result === 'fail' ? 'fail' : rule.result === 'pass' ? 'pass' : ''
                          }
                        >
                          {RESULT_NAMES[rule.result] ?? rule.result}
                        </td>
                        <td>{rule.reason}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          );
        })}
    </section>
  );
}
