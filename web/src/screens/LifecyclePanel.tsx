/**
 * Where the release may go next, with every check and its reason as the server evaluates
 * it now, and a button to move. A refusal (409) shows the product's own reasons.
 */
import { useState } from 'react';
import { api, type Problem, type Release, type TransitionEvaluation } from '../api.js';
import { stateName } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { asProblem } from '../useApi.js';

export function LifecyclePanel({
  release,
  nextStates,
  onMoved,
}: {
  release: Release;
  nextStates: TransitionEvaluation[];
  onMoved: () => void;
}) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function move(to: string) {
    setBusy(true);
    setProblem(null);
    try {
      await api('POST', `/releases/${encodeURIComponent(release.key)}/transitions`, {
        to,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      setReason('');
      onMoved();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="lifecycle">
      <h2 id="lifecycle">Lifecycle</h2>
      {nextStates.length === 0 ? (
        <p className="empty">{stateName(release.state)} is final; the release moves no further.</p>
      ) : (
        <>
          <label htmlFor="move-reason">Reason for the move (some moves need one)</label>
          <textarea
            id="move-reason"
            rows={2}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
          <ul className="next-states">
            {nextStates.map((evaluation) => (
              <li key={evaluation.to} className="next-state">
                <h3>
                  {stateName(evaluation.from)} → {stateName(evaluation.to)}{' '}
                  <span className={evaluation.allowed ? 'pass' : 'fail'}>
                    {evaluation.allowed ? 'ready' : 'blocked'}
                  </span>
                </h3>
                <ul className="checks">
                  {evaluation.checks.map((check) => (
                    <li key={check.check} className={check.passed ? 'pass' : 'fail'}>
                      <span aria-hidden="true">{check.passed ? '✓' : '✗'}</span>{' '}
                      <span className="visually-hidden">{check.passed ? 'passed' : 'failed'}:</span>
                      <code>{check.check}</code> {check.reason}
                    </li>
                  ))}
                </ul>
                <button type="button" disabled={busy} onClick={() => void move(evaluation.to)}>
                  Move to {stateName(evaluation.to)}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}
