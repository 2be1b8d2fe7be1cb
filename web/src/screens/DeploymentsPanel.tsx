/**
 * Deployments as a timeline per environment and region, and a form to record one; a
 * production deployment the gate refuses shows the gate's failed rules.
 */
import { useState } from 'react';
import { api, type Catalog, type Deployment, type Release } from '../api.js';
import { formatInstant } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { useAction } from '../useApi.js';

const STATUSES = ['started', 'succeeded', 'failed', 'rolled-back'];

export function DeploymentsPanel({
  release,
  deployments,
  environments,
  onRecorded,
}: {
  release: Release;
  deployments: Deployment[];
  environments: NonNullable<Catalog['environments']>;
  onRecorded: () => void;
}) {
  const ordered = [...environments].sort((a, b) => a.position - b.position);
  const [service, setService] = useState(release.services[0]?.service ?? '');
  const [environment, setEnvironment] = useState(ordered[0]?.name ?? '');
  const [region, setRegion] = useState('');
  const [status, setStatus] = useState('succeeded');
  const { busy, problem, run } = useAction();
  const regions = ordered.find((e) => e.name === environment)?.regions ?? [];

  // One lane per environment and region, in the catalog's order, oldest deployment first.
  const lanes = new Map<string, Deployment[]>();
  const position = (env: string) => ordered.find((e) => e.name === env)?.position ?? 999;
  for (const d of [...deployments].sort(
    (a, b) => position(a.environment) - position(b.environment),
  )) {
    const lane = `${d.environment}${d.region ? ` / ${d.region}` : ''}`;
    lanes.set(lane, [...(lanes.get(lane) ?? []), d]);
  }

  return (
    <section aria-labelledby="deployments">
      <h2 id="deployments">Deployments</h2>
      {deployments.length === 0 ? (
        <p className="empty">No deployment recorded.</p>
      ) : (
        <div className="lanes">
          {[...lanes].map(([lane, items]) => (
            <div key={lane} className="lane" role="group" aria-label={`Deployments to ${lane}`}>
              <h3>{lane}</h3>
              <ol className="timeline">
                {items.map((d) => (
                  <li key={d.id}>
                    <span className={`status status-${d.status}`}>{d.status}</span> {d.service}{' '}
                    <time dateTime={d.startedAt}>{formatInstant(d.startedAt)}</time>
                    {d.finishedAt ? ` → ${formatInstant(d.finishedAt)}` : ''}{' '}
                    <span className="meta">by {d.actor}</span>
                  </li>
                ))}
              </ol>
            </div>
          ))}
        </div>
      )}
      <form
        className="inline-form"
        aria-label="Record a deployment"
        onSubmit={(event) => {
          event.preventDefault();
          void run(
            () =>
              api('POST', `/releases/${encodeURIComponent(release.key)}/deployments`, {
                service,
                environment,
                status,
                ...(region ? { region } : {}),
              }),
            onRecorded,
          );
        }}
      >
        <label>
          Service
          <select value={service} onChange={(e) => setService(e.target.value)}>
            {release.services.map((s) => (
              <option key={s.service} value={s.service}>
                {s.service}
              </option>
            ))}
          </select>
        </label>
        <label>
          To environment
          <select
            value={environment}
            onChange={(e) => {
              setEnvironment(e.target.value);
              setRegion('');
            }}
          >
            {ordered.map((env) => (
              <option key={env.name} value={env.name}>
                {env.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Region
          <select value={region} onChange={(e) => setRegion(e.target.value)}>
            <option value="">None named</option>
            {regions.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" disabled={busy || !service || !environment}>
          Record deployment
        </button>
      </form>
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}
