/** The create-release form: POST /releases, and on refusal every field the server named. */
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { api, type Catalog, type Problem, type Release } from '../api.js';
import { viewerTimeZone } from '../format.js';
import { ProblemNotice } from '../ProblemNotice.js';
import { asProblem, useApi } from '../useApi.js';

const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);

/** A datetime-local value is the viewer's wall-clock time; the API wants an instant. */
const instant = (local: string) => (local ? new Date(local).toISOString() : '');

export function NewRelease() {
  const navigate = useNavigate();
  const [catalog] = useApi(() => api<Catalog>('GET', '/catalog'), []);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const start = instant(text('windowStart'));
    const end = instant(text('windowEnd'));
    const body = {
      title: text('title'),
      version: text('version'),
      classification: text('classification'),
      strategy: text('strategy'),
      ...(text('team') ? { team: text('team') } : {}),
      services: form
        .getAll('services')
        .map((service) => ({ service: String(service), version: text('version') })),
      scope: { features: lines(text('features')), fixes: lines(text('fixes')) },
      justification: text('justification'),
      rollbackPlan: text('rollbackPlan'),
      ...(start || end ? { plannedWindow: { start, end } } : {}),
    };
    setBusy(true);
    setProblem(null);
    try {
      const release = await api<Release>('POST', '/releases', body);
      navigate(`/releases/${release.key}`);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  }

  const teams = catalog.status === 'ready' ? catalog.value.teams : [];
  const services = catalog.status === 'ready' ? catalog.value.services : [];
  return (
    <>
      <h1>New release</h1>
      <form className="release-form" onSubmit={submit}>
        <label>
          Title
          <input name="title" required maxLength={200} />
        </label>
        <label>
          Version
          <input name="version" required maxLength={100} placeholder="2.4.0" />
        </label>
        <label>
          Class
          <select name="classification" defaultValue="minor">
            <option value="major">major</option>
            <option value="minor">minor</option>
            <option value="patch">patch</option>
            <option value="emergency">emergency</option>
          </select>
        </label>
        <label>
          Strategy
          <select name="strategy" defaultValue="rolling">
            <option value="big-bang">big-bang</option>
            <option value="rolling">rolling</option>
            <option value="blue-green">blue-green</option>
            <option value="canary">canary</option>
          </select>
        </label>
        <label>
          Team
          <select name="team" defaultValue="">
            <option value="">No team</option>
            {teams.map((team) => (
              <option key={team.name} value={team.name}>
                {team.displayName ?? team.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>Services shipped at this version</legend>
          {catalog.status === 'loading' && <p className="loading">Loading the catalog…</p>}
          {catalog.status === 'ready' && services.length === 0 && (
            <p className="empty">The catalog has no service yet.</p>
          )}
          {services.map((service) => (
            <label key={service.name} className="check">
              <input type="checkbox" name="services" value={service.name} /> {service.name}
            </label>
          ))}
        </fieldset>
        <label>
          Features (one a line)
          <textarea name="features" rows={3} />
        </label>
        <label>
          Fixes (one a line)
          <textarea name="fixes" rows={3} />
        </label>
        <label>
          Business justification
          <textarea name="justification" rows={3} />
        </label>
        <label>
          Rollback plan
          <textarea name="rollbackPlan" rows={3} />
        </label>
        <fieldset>
          <legend>Planned window ({viewerTimeZone()})</legend>
          <label>
            Opens
            <input type="datetime-local" name="windowStart" />
          </label>
          <label>
            Closes
            <input type="datetime-local" name="windowEnd" />
          </label>
        </fieldset>
        <button type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create release'}
        </button>
      </form>
      {problem && <ProblemNotice problem={problem} />}
    </>
  );
}
