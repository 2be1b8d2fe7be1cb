/**
 * Approvals stage by stage: required and given, who approved, who may still approve
 * (segregation of duties applied by the server), and approve or reject as the viewer.
 */
import { useState } from 'react';
import { api } from '../api.js';
import { formatInstant } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { useAction } from '../useApi.js';

export interface ApprovalStatus {
  policy: string | null;
  path: string | null;
  environment: string | null;
  state: 'complete' | 'rejected' | 'pending';
  stages: {
    stage: string;
    state: string;
    required: number;
    given: number;
    dual: boolean;
    approvedBy: string[];
    rejection: { by: string; reason: string; at: string } | null;
    mayApprove: string[];
    dueAt: string | null;
    overdue: boolean;
    decisions: {
      id: string;
      decision: string;
      by: string;
      text: string;
      at: string;
      void: boolean;
    }[];
  }[];
}

export function ApprovalsPanel({
  releaseKey,
  status,
  onDecided,
}: {
  releaseKey: string;
  status: ApprovalStatus;
  onDecided: () => void;
}) {
  const open = status.stages.find((s) => s.state === 'open') ?? status.stages[0];
  const [stage, setStage] = useState(open?.stage ?? '');
  const [text, setText] = useState('');
  const { busy, problem, run } = useAction();
  const decide = (kind: 'approvals' | 'rejections') =>
    run(
      () =>
        api('POST', `/releases/${encodeURIComponent(releaseKey)}/${kind}`, {
          stage: stage || open?.stage,
          ...(kind === 'approvals'
            ? text.trim()
              ? { comment: text.trim() }
              : {}
            : { reason: text.trim() }),
        }),
      () => {
        setText('');
        onDecided();
      },
    );
  return (
    <section aria-labelledby="approvals">
      <h2 id="approvals">Approvals</h2>
      {status.stages.length === 0 ? (
        <p className="empty">
          {status.policy
            ? `Policy ${status.policy} asks for no approval.`
            : 'No policy in the set names approvals for this release.'}
        </p>
      ) : (
        <>
          <p className="meta">
            Path {status.path ?? '—'} of policy {status.policy ?? '—'}
            {status.environment ? ` for ${status.environment}` : ''}: {status.state}.
          </p>
          <ol className="stages">
            {status.stages.map((s) => (
              <li key={s.stage}>
                <h3>
                  {s.stage}: {s.state}{' '}
                  <span className="meta">
                    ({s.given} of {s.required}
                    {s.dual ? ', dual' : ''})
                  </span>
                  {s.overdue && <span className="fail"> overdue</span>}
                </h3>
                {s.approvedBy.length > 0 && <p>Approved by {s.approvedBy.join(', ')}.</p>}
                {s.rejection && (
                  <p className="fail">
                    Rejected by {s.rejection.by} {formatInstant(s.rejection.at)}:{' '}
                    {s.rejection.reason}
                  </p>
                )}
                <p>
                  May still approve:{' '}
                  {s.mayApprove.length > 0 ? s.mayApprove.join(', ') : <em>nobody now</em>}
                  {s.dueAt ? ` — due ${formatInstant(s.dueAt)}` : ''}
                </p>
                {s.decisions.some((d) => d.void) && (
                  <p className="meta">
                    Void (the release changed after them):{' '}
                    {s.decisions
                      .filter((d) => d.void)
                      .map((d) => `${d.decision} by ${d.by}`)
                      .join(', ')}
                  </p>
                )}
              </li>
            ))}
          </ol>
          <form className="inline-form" aria-label="Decide" onSubmit={(e) => e.preventDefault()}>
            <label>
              Stage
              <select value={stage} onChange={(e) => setStage(e.target.value)}>
                {status.stages.map((s) => (
                  <option key={s.stage} value={s.stage}>
                    {s.stage}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Comment, or the reason of a rejection
              <input value={text} onChange={(e) => setText(e.target.value)} />
            </label>
            <button type="button" disabled={busy} onClick={() => void decide('approvals')}>
              Approve
            </button>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() => void decide('rejections')}
            >
              Reject
            </button>
          </form>
        </>
      )}
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}
