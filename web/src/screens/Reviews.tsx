/**
 * Post-release reviews: the list, one review (timeline, sections, 5 Whys, fishbone,
 * action items, closing) and the lessons-learned search over closed reviews.
 */
import { useState } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import { api, searchParams } from '../api.js';
import { formatInstant } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useAction, useApi } from '../useApi.js';

interface Cause {
  id: string;
  method: 'five-whys' | 'fishbone';
  text: string;
  parent: string | null;
  category: string | null;
  factor: string | null;
  speculative: boolean;
  author: string;
}
interface ActionItem {
  id: string;
  title: string;
  owner: string | null;
  dueAt: string | null;
  status: string;
  overdue: boolean;
}
interface Review {
  key: string;
  release: string;
  releaseTitle: string;
  services: string[];
  status: string;
  template: string;
  mandatory: boolean;
  triggers: { kind: string; reason: string }[];
  dueAt: string;
  overdue: boolean;
  sections: { name: string; title: string; kind: string; mandatory: boolean; text: string }[];
  causes: Cause[];
  factors: { factor: string; note: string }[];
  actionItems: ActionItem[];
  openedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  timeline?: { at: string; source: string; text: string; by: string | null }[];
  languageFlags?: { field: string; sentence: string; reason: string }[];
}

const FISHBONE = [
  'process',
  'tooling',
  'environment',
  'dependencies',
  'people-and-skills',
  'measurement',
];
const FACTORS = [
  'deployment-process',
  'configuration-drift',
  'dependency-failure',
  'test-gap',
  'capacity',
  'monitoring-gap',
  'change-management',
  'documentation',
  'third-party',
  'data-migration',
  'communication',
];

export function ReviewList() {
  const [reviews] = useApi(() => api<{ items: Review[] }>('GET', '/reviews?limit=200'), []);
  return (
    <>
      <div className="page-title">
        <h1>Post-release reviews</h1>
        <Link className="button" to="/lessons">
          Search lessons learned
        </Link>
      </div>
      {reviews.status === 'loading' && <Loading what="reviews" />}
      {reviews.status === 'failed' && <ProblemNotice problem={reviews.problem} />}
      {reviews.status === 'ready' &&
        (reviews.value.items.length === 0 ? (
          <p className="empty">
            No review yet: one opens by itself when a release meets the policy's triggers (tier,
            rollback, incident, emergency).
          </p>
        ) : (
          <div className="table-scroll" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Review</th>
                  <th scope="col">Release</th>
                  <th scope="col">Status</th>
                  <th scope="col">Due</th>
                  <th scope="col">Why opened</th>
                </tr>
              </thead>
              <tbody>
                {reviews.value.items.map((r) => (
                  <tr key={r.key}>
                    <td>
                      <Link to={`/reviews/${encodeURIComponent(r.key)}`}>{r.key}</Link>
                    </td>
                    <td>
                      {r.release} {r.releaseTitle}
                    </td>
                    <td>
                      {r.status} ({r.template}
                      {r.mandatory ? ', mandatory' : ''})
                    </td>
                    <td className={r.overdue ? 'fail' : ''}>
                      {formatInstant(r.dueAt)}
                      {r.overdue ? ' overdue' : ''}
                    </td>
                    <td>{r.triggers.map((t) => t.reason).join('; ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </>
  );
}

export function ReviewPage() {
  const { key = '' } = useParams();
  const [review, reload] = useApi(
    () => api<Review>('GET', `/reviews/${encodeURIComponent(key)}`),
    [key],
  );
  if (review.status === 'loading') return <Loading what={`review ${key}`} />;
  if (review.status === 'failed')
    return (
      <>
        <h1>Review {key}</h1>
        <ProblemNotice problem={review.problem} />
      </>
    );
  const r = review.value;
  const path = `/reviews/${encodeURIComponent(r.key)}`;
  const whys = r.causes.filter((c) => c.method === 'five-whys');
  const bones = r.causes.filter((c) => c.method === 'fishbone');
  return (
    <article>
      <h1>
        Review {r.key}: <Link to={`/releases/${encodeURIComponent(r.release)}`}>{r.release}</Link>{' '}
        {r.releaseTitle}
      </h1>
      <p>
        {r.status} ({r.template} template{r.mandatory ? ', mandatory' : ''}), due{' '}
        {formatInstant(r.dueAt)}
        {r.overdue ? <strong className="fail"> overdue</strong> : null}. Opened because:{' '}
        {r.triggers.map((t) => t.reason).join('; ')}.
      </p>
      {r.languageFlags && r.languageFlags.length > 0 && (
        <div className="notice" role="note">
          <p>Blameless language: these sentences name a person as the cause.</p>
          <ul>
            {r.languageFlags.map((f) => (
              <li key={f.field + f.sentence}>
                “{f.sentence}” ({f.field}): {f.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
      <section aria-labelledby="review-timeline">
        <h2 id="review-timeline">Timeline</h2>
        {(r.timeline ?? []).length === 0 ? (
          <p className="empty">No event recorded.</p>
        ) : (
          <ol className="timeline">
            {r.timeline!.map((t, i) => (
              <li key={i}>
                <time dateTime={t.at}>{formatInstant(t.at)}</time>{' '}
                <span className="meta">{t.source}</span> {t.text}
              </li>
            ))}
          </ol>
        )}
      </section>
      <Sections review={r} path={path} onSaved={reload} />
      <section aria-labelledby="whys">
        <h2 id="whys">5 Whys</h2>
        {whys.length === 0 ? (
          <p className="empty">No “why” asked yet.</p>
        ) : (
          <WhyTree causes={whys} parent={null} />
        )}
      </section>
      <section aria-labelledby="fishbone">
        <h2 id="fishbone">Fishbone</h2>
        {bones.length === 0 ? (
          <p className="empty">No cause placed on the fishbone yet.</p>
        ) : (
          <div className="fishbone">
            {FISHBONE.map((category) => (
              <div key={category} className="bone">
                <h3>{category}</h3>
                <ul>
                  {bones
                    .filter((c) => c.category === category)
                    .map((c) => (
                      <li key={c.id}>
                        {c.text}
                        {c.speculative ? (
                          <em className="meta"> (hypothesis: no evidence linked)</em>
                        ) : null}
                      </li>
                    ))}
                </ul>
              </div>
            ))}
          </div>
        )}
      </section>
      {r.status === 'open' && <CauseForm path={path} whys={whys} onAdded={reload} />}
      <section aria-labelledby="actions">
        <h2 id="actions">Action items</h2>
        {r.actionItems.length === 0 ? (
          <p className="empty">No action item yet.</p>
        ) : (
          <ul>
            {r.actionItems.map((a) => (
              <li key={a.id}>
                {a.title} — {a.status}, owner {a.owner ?? 'unassigned'}, due{' '}
                {formatInstant(a.dueAt)}
                {a.overdue ? <strong className="fail"> overdue</strong> : null}
              </li>
            ))}
          </ul>
        )}
        {r.status === 'open' && <ActionItemForm path={path} onAdded={reload} />}
      </section>
      {r.status === 'open' ? (
        <CloseReview path={path} onClosed={reload} />
      ) : (
        <p>
          Closed {formatInstant(r.closedAt)} by {r.closedBy}.
        </p>
      )}
    </article>
  );
}

function WhyTree({ causes, parent }: { causes: Cause[]; parent: string | null }) {
  const level = causes.filter((c) => c.parent === parent);
  if (level.length === 0) return null;
  return (
    <ol>
      {level.map((c) => (
        <li key={c.id}>
          Why? {c.text}
          {c.factor ? <span className="meta"> [{c.factor}]</span> : null}
          {c.speculative ? <em className="meta"> (hypothesis)</em> : null}
          <WhyTree causes={causes} parent={c.id} />
        </li>
      ))}
    </ol>
  );
}

function Sections({
  review,
  path,
  onSaved,
}: {
  review: Review;
  path: string;
  onSaved: () => void;
}) {
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(review.sections.map((s) => [s.name, s.text])),
  );
  const { busy, problem, run } = useAction();
  return (
    <section aria-labelledby="sections">
      <h2 id="sections">Findings</h2>
      <form
        className="release-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(() => api('PATCH', `${path}/sections`, { sections: texts }), onSaved);
        }}
      >
        {review.sections.map((s) => (
          <label key={s.name}>
            {s.title}
            {s.mandatory ? ' (required to close)' : ''}
            <textarea
              rows={3}
              readOnly={review.status !== 'open'}
              value={texts[s.name] ?? ''}
              onChange={(e) => setTexts((t) => ({ ...t, [s.name]: e.target.value }))}
            />
          </label>
        ))}
        {review.status === 'open' && (
          <button type="submit" disabled={busy}>
            Save findings
          </button>
        )}
        {problem && <ProblemNotice problem={problem} />}
      </form>
    </section>
  );
}

function CauseForm({ path, whys, onAdded }: { path: string; whys: Cause[]; onAdded: () => void }) {
  const [method, setMethod] = useState<'five-whys' | 'fishbone'>('five-whys');
  const [text, setText] = useState('');
  const [parent, setParent] = useState('');
  const [category, setCategory] = useState('process');
  const [factor, setFactor] = useState('');
  const { busy, problem, run } = useAction();
  return (
    <form
      className="release-form"
      aria-label="Add a cause"
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () =>
            api('POST', `${path}/causes`, {
              method,
              text,
              ...(method === 'five-whys' && parent ? { parent } : {}),
              ...(method === 'fishbone' ? { category } : {}),
              ...(factor ? { factor } : {}),
            }),
          () => {
            setText('');
            onAdded();
          },
        );
      }}
    >
      <h3>Add a cause</h3>
      <label>
        Method
        <select value={method} onChange={(e) => setMethod(e.target.value as typeof method)}>
          <option value="five-whys">5 Whys</option>
          <option value="fishbone">Fishbone</option>
        </select>
      </label>
      {method === 'five-whys' ? (
        <label>
          Answers the why of
          <select value={parent} onChange={(e) => setParent(e.target.value)}>
            <option value="">The problem itself</option>
            {whys.map((w) => (
              <option key={w.id} value={w.id}>
                {w.text.slice(0, 60)}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label>
          Category
          <select value={category} onChange={(e) => setCategory(e.target.value)}>
            {FISHBONE.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      )}
      <label>
        Cause
        <textarea rows={2} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <label>
        Contributing factor
        <select value={factor} onChange={(e) => setFactor(e.target.value)}>
          <option value="">None named</option>
          {FACTORS.map((f) => (
            <option key={f}>{f}</option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={busy}>
        Add cause
      </button>
      {problem && <ProblemNotice problem={problem} />}
    </form>
  );
}

function ActionItemForm({ path, onAdded }: { path: string; onAdded: () => void }) {
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const [due, setDue] = useState('');
  const { busy, problem, run } = useAction();
  return (
    <form
      className="inline-form"
      aria-label="Add an action item"
      onSubmit={(event) => {
        event.preventDefault();
        void run(
          () =>
            api('POST', `${path}/action-items`, {
              title,
              ...(owner ? { owner } : {}),
              ...(due ? { dueAt: new Date(`${due}T23:59`).toISOString() } : {}),
            }),
          () => {
            setTitle('');
            onAdded();
          },
        );
      }}
    >
      <label>
        Action
        <input value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Owner
        <input value={owner} onChange={(e) => setOwner(e.target.value)} />
      </label>
      <label>
        Due
        <input type="date" value={due} onChange={(e) => setDue(e.target.value)} />
      </label>
      <button type="submit" disabled={busy}>
        Add action item
      </button>
      {problem && <ProblemNotice problem={problem} />}
    </form>
  );
}

function CloseReview({ path, onClosed }: { path: string; onClosed: () => void }) {
  const { busy, problem, run } = useAction();
  return (
    <section aria-labelledby="close">
      <h2 id="close">Complete the review</h2>
      <button
        type="button"
        disabled={busy}
        onClick={() => void run(() => api('POST', `${path}/close`, {}), onClosed)}
      >
        Close review
      </button>
      {problem && <ProblemNotice problem={problem} />}
    </section>
  );
}

interface Lesson {
  review: string;
  release: string;
  kind: string;
  text: string;
  services: string[];
  factors: string[];
  closedAt: string;
}

export function Lessons() {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const factor = params.get('factor') ?? '';
  const [draft, setDraft] = useState(q);
  const [lessons] = useApi(
    () => api<{ items: Lesson[] }>('GET', `/lessons${searchParams({ q, factor })}`),
    [q, factor],
  );
  return (
    <>
      <h1>Lessons learned</h1>
      <form
        className="filters"
        role="search"
        aria-label="Search lessons"
        onSubmit={(event) => {
          event.preventDefault();
          const next = new URLSearchParams(params);
          if (draft.trim()) next.set('q', draft.trim());
          else next.delete('q');
          setParams(next, { replace: true });
        }}
      >
        <label>
          Words
          <input type="search" value={draft} onChange={(e) => setDraft(e.target.value)} />
        </label>
        <label>
          Contributing factor
          <select
            value={factor}
            onChange={(e) => {
              const next = new URLSearchParams(params);
              if (e.target.value) next.set('factor', e.target.value);
              else next.delete('factor');
              setParams(next, { replace: true });
            }}
          >
            <option value="">Any</option>
            {FACTORS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      {lessons.status === 'loading' && <Loading what="lessons" />}
      {lessons.status === 'failed' && <ProblemNotice problem={lessons.problem} />}
      {lessons.status === 'ready' &&
        (lessons.value.items.length === 0 ? (
          <p className="empty">No closed review matches.</p>
        ) : (
          <ul className="cards">
            {lessons.value.items.map((l, i) => (
              <li key={i} className="card">
                <span>
                  <Link to={`/reviews/${encodeURIComponent(l.review)}`}>{l.review}</Link> ({l.kind},{' '}
                  {l.release}, closed {formatInstant(l.closedAt)})
                </span>
                <span>{l.text}</span>
                <span className="meta">
                  {l.services.join(', ')}
                  {l.factors.length ? ` — ${l.factors.join(', ')}` : ''}
                </span>
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}
