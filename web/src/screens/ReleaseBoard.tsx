/** The release board: one column per lifecycle stage, filtered by team, service, class and risk. */
import { useSearchParams, Link } from 'react-router';
import { api, searchParams, type Catalog, type ListedRelease, type Page } from '../api.js';
import { formatWindow, stateName, viewerTimeZone } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useApi } from '../useApi.js';

const STAGES = ['plan', 'prepare', 'test', 'approve', 'deploy', 'verify', 'closed'];
/** States a release ends in without closing; shown together so the board stays readable. */
const STOPPED = ['no-go', 'rolled-back', 'failed', 'cancelled'];
const CLASSIFICATIONS = ['major', 'minor', 'patch', 'emergency'];
const RISK_LEVELS = ['low', 'medium', 'high'];
const BOARD_LIMIT = 500;

export function ReleaseBoard() {
  const [params, setParams] = useSearchParams();
  const filters = {
    team: params.get('team') ?? '',
    service: params.get('service') ?? '',
    classification: params.get('classification') ?? '',
    risk: params.get('risk') ?? '',
  };
  const [catalog] = useApi(() => api<Catalog>('GET', '/catalog'), []);
  const [releases] = useApi(
    () =>
      api<Page<ListedRelease>>(
        'GET',
        `/releases${searchParams({ ...filters, limit: String(BOARD_LIMIT) })}`,
      ),
    [filters.team, filters.service, filters.classification, filters.risk],
  );
  const setFilter = (name: keyof typeof filters, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const teams = catalog.status === 'ready' ? catalog.value.teams : [];
  const services = catalog.status === 'ready' ? catalog.value.services : [];

  return (
    <>
      <div className="page-title">
        <h1>Release board</h1>
        <Link className="button" to="/releases/new">
          New release
        </Link>
      </div>
      <form className="filters" aria-label="Filter releases" onSubmit={(e) => e.preventDefault()}>
        <label>
          Team
          <select value={filters.team} onChange={(e) => setFilter('team', e.target.value)}>
            <option value="">All teams</option>
            {teams.map((team) => (
              <option key={team.name} value={team.name}>
                {team.displayName ?? team.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service
          <select value={filters.service} onChange={(e) => setFilter('service', e.target.value)}>
            <option value="">All services</option>
            {services.map((service) => (
              <option key={service.name} value={service.name}>
                {service.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Class
          <select
            value={filters.classification}
            onChange={(e) => setFilter('classification', e.target.value)}
          >
            <option value="">All classes</option>
            {CLASSIFICATIONS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          Risk
          <select value={filters.risk} onChange={(e) => setFilter('risk', e.target.value)}>
            <option value="">Any risk</option>
            {RISK_LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
        </label>
      </form>
      {releases.status === 'loading' && <Loading what="releases" />}
      {releases.status === 'failed' && <ProblemNotice problem={releases.problem} />}
      {releases.status === 'ready' && <Board page={releases.value} />}
    </>
  );
}

function Board({ page }: { page: Page<ListedRelease> }) {
  if (page.items.length === 0)
    return (
      <p className="empty">
        No release matches. <Link to="/releases/new">Create a release</Link> to start one.
      </p>
    );
  const columns = [
    ...STAGES.map((stage) => ({ title: stateName(stage), states: [stage] })),
    { title: 'Stopped', states: STOPPED },
  ];
  return (
    <>
      {page.nextCursor && (
        <p className="hint">Showing the newest {BOARD_LIMIT} releases; narrow the filters.</p>
      )}
      <p className="hint">Times in {viewerTimeZone()}.</p>
      <div className="board">
        {columns.map((column) => {
          const cards = page.items.filter((r) => column.states.includes(r.state));
          return (
            <section key={column.title} className="column" aria-label={column.title}>
              <h2>
                {column.title} <span className="count">{cards.length}</span>
              </h2>
              {cards.length === 0 && <p className="empty">None</p>}
              <ul>
                {cards.map((release) => (
                  <li key={release.id} className="card">
                    <Link to={`/releases/${release.key}`}>
                      <span className="key">{release.key}</span> {release.title}
                    </Link>
                    <span className="meta">
                      {release.version} · {release.classification} · {release.risk.level} risk (
                      {release.risk.score}){release.team ? ` · ${release.team}` : ''}
                      {column.states.length > 1 ? ` · ${stateName(release.state)}` : ''}
                    </span>
                    <span className="meta">{formatWindow(release.plannedWindow)}</span>
                  </li>
                ))}
              </ul>
            </section>
          );
        })}
      </div>
    </>
  );
}
