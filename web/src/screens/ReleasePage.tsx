/** One release: what it ships, where it stands in its lifecycle, what happened to it. */
import { Link, useParams } from 'react-router';
import { useState } from 'react';
import {
  api,
  ApiProblem,
  type AuditEntry,
  type Problem,
  type Catalog,
  type Deployment,
  type Page,
  type Release,
  type Transition,
  type TransitionEvaluation,
} from '../api.js';
import { formatInstant, formatWindow, stateName, viewerTimeZone } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useAction, useApi } from '../useApi.js';
import { ApprovalsPanel, type ApprovalStatus } from './ApprovalsPanel.js';
import { DeploymentsPanel } from './DeploymentsPanel.js';
import { EvidencePanel, type Evidence } from './EvidencePanel.js';
import { GatesPanel } from './GatesPanel.js';
import { LifecyclePanel } from './LifecyclePanel.js';
import {
  CabDecisionsPanel,
  CanaryPanel,
  RiskPanel,
  type CabDecision,
  type Risk,
} from './ReleaseInsights.js';

// The API pages at most 500; a release rarely has more, and the page must show them all fast.
const AUDIT_LIMIT = 500;

interface ReleaseView {
  release: Release;
  nextStates: TransitionEvaluation[];
  history: Transition[];
  deployments: Deployment[];
  /** The audit log needs audit:read; without it the section says so, the page still shows. */
  audit: Page<AuditEntry> | Problem;
  catalog: Catalog;
  evidence: Evidence[];
  approvals: ApprovalStatus;
  risk: Risk;
  cabDecisions: CabDecision[];
  canary: Parameters<typeof CanaryPanel>[0]['analyses'];
  incidents: Incident[];
  reviews: ReviewBrief[];
}

interface Incident {
  key: string;
  title: string;
  severity: number;
  service: string;
  startedAt: string;
  resolvedAt: string | null;
  causedBy: { release: string; environment: string; reason: string }[];
}
interface ReviewBrief {
  key: string;
  release: string;
  status: string;
  template: string;
  dueAt: string;
  overdue: boolean;
}

async function loadRelease(key: string): Promise<ReleaseView> {
  const path = `/releases/${encodeURIComponent(key)}`;
  const release = await api<Release>('GET', path);
  const [
    nextStates,
    history,
    deployments,
    audit,
    catalog,
    evidence,
    approvals,
    risk,
    cabDecisions,
    canary,
    incidents,
    reviews,
  ] = await Promise.all([
    api<TransitionEvaluation[]>('GET', `${path}/next-states`),
    api<Transition[]>('GET', `${path}/transitions`),
    api<Deployment[]>('GET', `${path}/deployments`),
    api<Page<AuditEntry>>(
      'GET',
      `/audit?subjectType=release&subjectId=${encodeURIComponent(release.key)}&limit=${AUDIT_LIMIT}`,
    ).catch((error: unknown) => {
      if (error instanceof ApiProblem && error.problem.status === 403) return error.problem;
      throw error;
    }),
    api<Catalog>('GET', '/catalog'),
    api<Evidence[]>('GET', `${path}/evidence`),
    api<ApprovalStatus>('GET', `${path}/approvals`),
    api<Risk>('GET', `${path}/risk`),
    api<CabDecision[]>('GET', `${path}/cab-decisions`),
    api<ReleaseView['canary']>('GET', `${path}/canary-analyses`),
    api<Page<Incident>>('GET', `/incidents?release=${encodeURIComponent(release.key)}&limit=500`),
    api<{ items: ReviewBrief[] }>(
      'GET',
      `/reviews?release=${encodeURIComponent(release.key)}&limit=500`,
    ),
  ]);
  return {
    release,
    nextStates,
    history,
    deployments,
    audit,
    catalog,
    evidence,
    approvals,
    risk,
    cabDecisions,
    canary,
    incidents: incidents.items,
    reviews: reviews.items,
  };
}

export function ReleasePage() {
  const { key = '' } = useParams();
  const [view, reloadView] = useApi(() => loadRelease(key), [key]);
  // Every change on the page re-reads it, and asks the gates shown to judge again.
  const [generation, setGeneration] = useState(0);
  const reload = () => {
    reloadView();
    setGeneration((n) => n + 1);
  };
  // The first load shows the loading state; later reloads keep the page as it is meanwhile.
  const [last, setLast] = useState<ReleaseView | null>(null);
  if (view.status === 'ready' && view.value !== last) setLast(view.value);
  if (view.status === 'loading' && (!last || last.release.key !== key))
    return <Loading what={`release ${key}`} />;
  if (view.status === 'failed')
    return (
      <>
        <h1>Release {key}</h1>
        <ProblemNotice problem={view.problem} />
        <Link to="/">Back to the board</Link>
      </>
    );
  const current = view.status === 'ready' ? view.value : last!;
  const {
    release,
    nextStates,
    history,
    deployments,
    audit,
    catalog,
    evidence,
    approvals,
    risk,
    cabDecisions,
    canary,
    incidents,
    reviews,
  } = current;
  const environments = catalog.environments ?? [];
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
      <RiskPanel risk={risk} />
      <LifecyclePanel release={release} nextStates={nextStates} onMoved={reload} />
      <EvidencePanel releaseKey={release.key} evidence={evidence} onAdded={reload} />
      <GatesPanel releaseKey={release.key} environments={environments} generation={generation} />
      <ApprovalsPanel releaseKey={release.key} status={approvals} onDecided={reload} />
      <CabDecisionsPanel decisions={cabDecisions} />
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
      <DeploymentsPanel
        release={release}
        deployments={deployments}
        environments={environments}
        onRecorded={reload}
      />
      <CanaryPanel analyses={canary} />
      <section aria-labelledby="incidents">
        <h2 id="incidents">Incidents</h2>
        {incidents.length === 0 ? (
          <p className="empty">No incident names a deployment of this release as its cause.</p>
        ) : (
          <ul>
            {incidents.map((i) => (
              <li key={i.key}>
                <strong>{i.key}</strong> (severity {i.severity}) {i.title} — {i.service}, started{' '}
                {formatInstant(i.startedAt)},{' '}
                {i.resolvedAt ? `resolved ${formatInstant(i.resolvedAt)}` : 'open'}
              </li>
            ))}
          </ul>
        )}
      </section>
      <section aria-labelledby="review">
        <h2 id="review">Review</h2>
        {reviews.length === 0 ? (
          <p className="empty">No post-release review opened for this release.</p>
        ) : (
          <ul>
            {reviews.map((r) => (
              <li key={r.key}>
                <Link to={`/reviews/${encodeURIComponent(r.key)}`}>{r.key}</Link> ({r.template},{' '}
                {r.status}) due {formatInstant(r.dueAt)}
                {r.overdue ? <strong className="fail"> overdue</strong> : null}
              </li>
            ))}
          </ul>
        )}
        <OpenReviewForm release={release.key} onOpened={reload} />
      </section>
      <section aria-labelledby="audit">
        <h2 id="audit">Audit trail</h2>
        {!('items' in audit) ? (
          <p className="empty">
            {audit.title}: {audit.detail}
          </p>
        ) : audit.items.length === 0 ? (
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
        {'items' in audit && audit.nextCursor && (
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

/**
 * Opens the release's review by hand; the product refuses a second open review (or a
 * person without the right) and the refusal is shown as it words it.
 */
function OpenReviewForm({ release, onOpened }: { release: string; onOpened: () => void }) {
  const [reason, setReason] = useState('');
  const [template, setTemplate] = useState('');
  const [mandatory, setMandatory] = useState(false);
  const { busy, problem, run } = useAction();
  return (
    <form
      className="release-form"
      aria-label="Open a review"
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () =>
            api('POST', `/releases/${encodeURIComponent(release)}/reviews`, {
              reason,
              mandatory,
              ...(template ? { template } : {}),
            }),
          () => {
            setReason('');
            onOpened();
          },
        );
      }}
    >
      <h3>Open a review</h3>
      <label>
        Reason
        <textarea value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <label>
        Template
        <select value={template} onChange={(e) => setTemplate(e.target.value)}>
          <option value="">As the policy would choose</option>
          <option value="full">Full</option>
          <option value="light">Light</option>
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          checked={mandatory}
          onChange={(e) => setMandatory(e.target.checked)}
        />
        Must be closed before the release may close
      </label>
      <button type="submit" disabled={busy}>
        Open a review
      </button>
      {problem && <ProblemNotice problem={problem} />}
    </form>
  );
}
