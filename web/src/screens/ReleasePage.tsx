/** One release: what it ships, where it stands in its lifecycle, what happened to it. */
import { Link, useParams } from 'react-router';
import {
  api,
  type AuditEntry,
  type Deployment,
  type Page,
  type Release,
  type Transition,
  type TransitionEvaluation,
} from '../api.js';
import { formatInstant, formatWindow, stateName, viewerTimeZone } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useApi } from '../useApi.js';
import { LifecyclePanel } from './LifecyclePanel.js';

// The API pages at most 500; a release rarely has more, and the page must show them all fast.
const AUDIT_LIMIT = 500;

interface ReleaseView {
  release: Release;
  nextStates: TransitionEvaluation[];
  history: Transition[];
  deployments: Deployment[];
  audit: Page<AuditEntry>;
}

async function loadRelease(key: string): Promise<ReleaseView> {
  const path = `/releases/${encodeURIComponent(key)}`;
  const release = await api<Release>('GET', path);
  const [nextStates, history, deployments, audit] = await Promise.all([
    api<TransitionEvaluation[]>('GET', `${path}/next-states`),
    api<Transition[]>('GET', `${path}/transitions`),
    api<Deployment[]>('GET', `${path}/deployments`),
    api<Page<AuditEntry>>(
      'GET',
      `/audit?subjectType=release&subjectId=${encodeURIComponent(release.key)}&limit=${AUDIT_LIMIT}`,
    ),
  ]);
  return { release, nextStates, history, deployments, audit };
}

export function ReleasePage() {
  const { key = '' } = useParams();
  const [view, reload] = useApi(() => loadRelease(key), [key]);
  if (view.status === 'loading') return <Loading what={`release ${key}`} />;
  if (view.status === 'failed')
    return (
      <>
        <h1>Release {key}</h1>
        <ProblemNotice problem={view.problem} />
        <Link to="/">Back to the board</Link>
      </>
    );
  const { release, nextStates, history, deployments, audit } = view.value;
  return (
    <article className="release">
      <div className="page-title">
        <h1>
          <span className="key">{release.key}</span> {release.title}
        </h1>
        <span className={`state state-${release.state}`}>{stateName(release.state)}</span>
      </div>
      <p className="hint">Times in {viewerTimeZone()}.</p>
      <section aria-labelledby="facts">
        <h2 id="facts">Facts</h2>
        <dl className="facts">
          <dt>Version</dt>
          <dd>{release.version}</dd>
          <dt>Class</dt>
          <dd>{release.classification}</dd>
          <dt>Change type</dt>
          <dd>{release.changeType}</dd>
          <dt>Strategy</dt>
          <dd>{release.strategy}</dd>
          <dt>Team</dt>
          <dd>{release.team ?? '—'}</dd>
          <dt>Requester</dt>
          <dd>{release.requester}</dd>
          <dt>Planned window</dt>
          <dd>{formatWindow(release.plannedWindow)}</dd>
          <dt>Justification</dt>
          <dd>{release.justification || '—'}</dd>
          <dt>Rollback plan</dt>
          <dd>{release.rollbackPlan || '—'}</dd>
        </dl>
      </section>
      <section aria-labelledby="services">
        <h2 id="services">Services</h2>
        {release.services.length === 0 ? (
          <p className="empty">No service listed yet.</p>
        ) : (
          <ul>
            {release.services.map((s) => (
              <li key={s.service}>
                {s.service} <strong>{s.version}</strong>
                {s.artifact ? <code> {s.artifact}</code> : null}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="scope">
        <h2 id="scope">Scope</h2>
        <ScopeList title="Features" items={release.scope.features} />
        <ScopeList title="Fixes" items={release.scope.fixes} />
        <ScopeList title="Exclusions" items={release.scope.exclusions} />
        <ScopeList title="Work items" items={release.scope.workItems} />
        <ScopeList title="Commits" items={release.scope.commits} />
      </section>
      <LifecyclePanel release={release} nextStates={nextStates} onMoved={reload} />
      <section aria-labelledby="history">
        <h2 id="history">History</h2>
        {history.length === 0 ? (
          <p className="empty">Still in {stateName(release.state)}; no move yet.</p>
        ) : (
          <ol className="timeline">
            {history.map((t) => (
              <li key={t.at + t.to}>
                <time dateTime={t.at}>{formatInstant(t.at)}</time> {stateName(t.from)} →{' '}
                {stateName(t.to)} by {t.actor}
                {t.reason ? ` — ${t.reason}` : ''}
              </li>
            ))}
          </ol>
        )}
      </section>
      <section aria-labelledby="deployments">
        <h2 id="deployments">Deployments</h2>
        {deployments.length === 0 ? (
          <p className="empty">No deployment recorded.</p>
        ) : (
          <div className="table-scroll">
            <table>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Environment</th>
                  <th scope="col">Region</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Finished</th>
                </tr>
              </thead>
              <tbody>
                {deployments.map((d) => (
                  <tr key={d.id}>
                    <td>{d.service}</td>
                    <td>{d.environment}</td>
                    <td>{d.region ?? '—'}</td>
                    <td>{d.status}</td>
                    <td>{formatInstant(d.startedAt)}</td>
                    <td>{formatInstant(d.finishedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit trail</h2>
        {audit.items.length === 0 ? (
          <p className="empty">No audit entry.</p>
        ) : (
          <ol className="timeline">
            {audit.items.map((entry) => (
              <li key={entry.seq}>
                <time dateTime={entry.at}>{formatInstant(entry.at)}</time>{' '}
                <code>{entry.action}</code> by {entry.actor}{' '}
                <span className="meta">#{entry.seq}</span>
              </li>
            ))}
          </ol>
        )}
        {audit.nextCursor && (
          <p className="hint">The newest {AUDIT_LIMIT} entries; the CLI reads the rest.</p>
        )}
      </section>
    </article>
  );
}

function ScopeList({ title, items }: { title: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </>
  );
}
