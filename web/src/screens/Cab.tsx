/**
 * The CAB: its meetings (the queue of sittings), and one meeting's page with the agenda
 * it builds itself, each item judged against the evaluation criteria, and the decision form.
 */
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { api } from '../api.js';
import { formatInstant, formatNumber, formatWindow, stateName, viewerTimeZone } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useAction, useApi } from '../useApi.js';
import type { CabDecision } from './ReleaseInsights.js';

interface Meeting {
  name: string;
  title: string;
  timeZone: string;
  start: string;
  end: string;
  rrule: string | null;
  members: string[];
}
interface Criterion {
  status: 'ok' | 'attention' | 'unknown';
  summary: string;
  links: { title: string; href: string }[];
}
interface AgendaItem {
  release: string;
  title: string;
  version: string;
  classification: string;
  state: string;
  team: string | null;
  environment: string;
  policy: string | null;
  approvalPath: string;
  plannedWindow: { start: string; end: string };
  risk: Criterion & { score: number; level: string };
  testing: Criterion;
  businessImpact: Criterion;
  rollbackReadiness: Criterion;
  operationalReadiness: Criterion;
  decision: CabDecision | null;
}
interface Agenda {
  meeting: Meeting;
  occurrence: { start: string; end: string };
  nextMeeting: { start: string; end: string } | null;
  items: AgendaItem[];
}

export function CabQueue() {
  const [meetings] = useApi(
    () => api<{ items: Meeting[] } | Meeting[]>('GET', '/cab/meetings'),
    [],
  );
  return (
    <>
      <h1>Change Advisory Board</h1>
      {meetings.status === 'loading' && <Loading what="CAB meetings" />}
      {meetings.status === 'failed' && <ProblemNotice problem={meetings.problem} />}
      {meetings.status === 'ready' &&
        (() => {
          const list = Array.isArray(meetings.value) ? meetings.value : meetings.value.items;
          return list.length === 0 ? (
            <p className="empty">
              No CAB meeting yet; a release manager defines one (
              <code>gatehouse cab meeting create</code>).
            </p>
          ) : (
            <ul className="cards">
              {list.map((m) => (
                <li key={m.name} className="card">
                  <Link to={`/cab/${encodeURIComponent(m.name)}`}>{m.title}</Link>
                  <span className="meta">
                    {m.rrule ? `Recurring (${m.rrule})` : 'Once'}, {m.start}–{m.end} {m.timeZone};{' '}
                    {formatNumber(m.members.length)} members
                  </span>
                </li>
              ))}
            </ul>
          );
        })()}
    </>
  );
}

const CRITERIA: [keyof AgendaItem, string][] = [
  ['risk', 'Risk'],
  ['testing', 'Testing'],
  ['businessImpact', 'Business impact'],
  ['rollbackReadiness', 'Rollback readiness'],
  ['operationalReadiness', 'Operational readiness'],
];

export function CabMeeting() {
  const { name = '' } = useParams();
  const [agenda, reload] = useApi(
    () => api<Agenda>('GET', `/cab/meetings/${encodeURIComponent(name)}/agenda`),
    [name],
  );
  if (agenda.status === 'loading') return <Loading what={`the agenda of ${name}`} />;
  if (agenda.status === 'failed')
    return (
      <>
        <h1>CAB meeting {name}</h1>
        <ProblemNotice problem={agenda.problem} />
      </>
    );
  const a = agenda.value;
  return (
    <>
      <h1>{a.meeting.title}</h1>
      <p>
        Sitting {formatWindow(a.occurrence)} ({viewerTimeZone()}). Members:{' '}
        {a.meeting.members.join(', ') || 'none yet'}.
        {a.nextMeeting ? ` Next: ${formatInstant(a.nextMeeting.start)}.` : ''}
      </p>
      <h2>Agenda</h2>
      {a.items.length === 0 ? (
        <p className="empty">
          Nothing on the agenda: no release awaits this board in this sitting.
        </p>
      ) : (
        a.items.map((item) => (
          <article
            key={item.release}
            className="agenda-item"
            aria-labelledby={`item-${item.release}`}
          >
            <h3 id={`item-${item.release}`}>
              <Link to={`/releases/${encodeURIComponent(item.release)}`}>{item.release}</Link>{' '}
              {item.title} {item.version}{' '}
              <span className="meta">
                ({item.classification}, {stateName(item.state)}, to {item.environment}, policy{' '}
                {item.policy ?? '—'}, path {item.approvalPath})
              </span>
            </h3>
            <dl className="facts">
              {CRITERIA.map(([key, title]) => {
                const c = item[key] as Criterion;
                return (
                  <div key={key} className="criterion">
                    <dt>
                      {title}: <span className={`criterion-${c.status}`}>{c.status}</span>
                    </dt>
                    <dd>{c.summary}</dd>
                  </div>
                );
              })}
            </dl>
            {item.decision ? (
              <p>
                Decided <strong>{item.decision.decision}</strong> by {item.decision.decidedBy}:{' '}
                {item.decision.rationale}
              </p>
            ) : (
              <DecisionForm
                meeting={a.meeting.name}
                occurrence={a.occurrence.start}
                release={item.release}
                onDecided={reload}
              />
            )}
          </article>
        ))
      )}
    </>
  );
}

function DecisionForm({
  meeting,
  occurrence,
  release,
  onDecided,
}: {
  meeting: string;
  occurrence: string;
  release: string;
  onDecided: () => void;
}) {
  const [decision, setDecision] = useState('go');
  const [rationale, setRationale] = useState('');
  const [conditions, setConditions] = useState('');
  const { busy, problem, run } = useAction();
  return (
    <form
      className="release-form"
      aria-label={`Decide ${release}`}
      onSubmit={(event) => {
        event.preventDefault();
        const list = conditions
          .split('\n')
          .map((c) => c.trim())
          .filter(Boolean);
        void run(
          () =>
            api('POST', `/cab/meetings/${encodeURIComponent(meeting)}/decisions`, {
              occurrence,
              release,
              decision,
              rationale,
              ...(list.length ? { conditions: list } : {}),
            }),
          onDecided,
        );
      }}
    >
      <label>
        Decision on {release}
        <select value={decision} onChange={(e) => setDecision(e.target.value)}>
          <option value="go">Go</option>
          <option value="conditional-go">Conditional Go</option>
          <option value="no-go">No-Go</option>
        </select>
      </label>
      <label>
        Rationale for {release}
        <textarea rows={2} value={rationale} onChange={(e) => setRationale(e.target.value)} />
      </label>
      <label>
        Conditions for {release} (one a line)
        <textarea rows={2} value={conditions} onChange={(e) => setConditions(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Record decision
      </button>
      {problem && <ProblemNotice problem={problem} />}
    </form>
  );
}
