/**
 * The change calendar, month or week, in the viewer's time zone: planned releases,
 * freezes and other windows as they occur, and the releases in conflict marked.
 */
import { Link, useSearchParams } from 'react-router';
import { api, type Page, type Release } from '../api.js';
import { formatInstant, viewerTimeZone } from '../format.js';
import { Loading, ProblemNotice } from '../ProblemNotice.js';
import { useApi } from '../useApi.js';

interface Window {
  name: string;
  kind: string;
  description: string;
}
interface Occurrence {
  window: Window;
  start: string;
  end: string;
}
interface Conflict {
  kind: string;
  releases: string[];
  reason: string;
  from: string;
  to: string;
}
interface CalendarView {
  releases: Release[];
  occurrences: Occurrence[];
  conflicts: Conflict[];
}

/** Midnight of the viewer's local day holding `date`. */
const startOfDay = (date: Date) => new Date(date.getFullYear(), date.getMonth(), date.getDate());
const addDays = (date: Date, n: number) =>
  new Date(date.getFullYear(), date.getMonth(), date.getDate() + n);
const isoDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** The days shown: whole weeks from Monday, covering the month or the one week. */
function daysOf(view: 'month' | 'week', anchor: Date): Date[] {
  const first = view === 'month' ? new Date(anchor.getFullYear(), anchor.getMonth(), 1) : anchor;
  const monday = addDays(first, -((first.getDay() + 6) % 7));
  const last =
    view === 'month'
      ? new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0)
      : addDays(monday, 6);
  const days: Date[] = [];
  for (let d = monday; d <= last || days.length % 7 !== 0; d = addDays(d, 1)) days.push(d);
  return days;
}

async function loadCalendar(from: Date, to: Date): Promise<CalendarView> {
  const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  const [releases, windows, conflicts] = await Promise.all([
    api<Page<Release>>('GET', '/releases?limit=500'),
    api<{ items: Window[] }>('GET', '/calendar/windows'),
    api<{ conflicts: Conflict[] }>('GET', `/calendar/conflicts?${range}`),
  ]);
  const occurrences = (
    await Promise.all(
      windows.items.map(async (window) =>
        (
          await api<{ items: { start: string; end: string }[] }>(
            'GET',
            `/calendar/windows/${encodeURIComponent(window.name)}/occurrences?${range}`,
          )
        ).items.map((o) => ({ window, ...o })),
      ),
    )
  ).flat();
  return {
    releases: releases.items.filter(
      (r) =>
        r.plannedWindow &&
        Date.parse(r.plannedWindow.start) < to.getTime() &&
        Date.parse(r.plannedWindow.end) > from.getTime(),
    ),
    occurrences,
    conflicts: conflicts.conflicts,
  };
}

export function Calendar() {
  const [params, setParams] = useSearchParams();
  const view = params.get('view') === 'week' ? 'week' : 'month';
  const anchor = startOfDay(params.get('at') ? new Date(`${params.get('at')}T00:00`) : new Date());
  const days = daysOf(view, anchor);
  const from = days[0]!;
  const to = addDays(days[days.length - 1]!, 1);
  const [data] = useApi(() => loadCalendar(from, to), [from.getTime(), to.getTime()]);
  const go = (next: Partial<{ view: string; at: string }>) => {
    const p = new URLSearchParams(params);
    for (const [k, v] of Object.entries(next)) p.set(k, v);
    setParams(p, { replace: true });
  };
  const step = (n: number) =>
    isoDay(
      view === 'month'
        ? new Date(anchor.getFullYear(), anchor.getMonth() + n, 1)
        : addDays(anchor, 7 * n),
    );
  const title = new Intl.DateTimeFormat(undefined, { month: 'long', year: 'numeric' }).format(
    anchor,
  );
  const weekday = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
  const dayName = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
  const time = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

  return (
    <>
      <div className="page-title">
        <h1>Calendar: {view === 'week' ? `week of ${dayName.format(from)}` : title}</h1>
      </div>
      <p className="hint">Times in {viewerTimeZone()}.</p>
      <nav className="filters" aria-label="Calendar">
        <button type="button" onClick={() => go({ at: step(-1) })}>
          Previous {view}
        </button>
        <button type="button" onClick={() => go({ at: isoDay(new Date()) })}>
          Today
        </button>
        <button type="button" onClick={() => go({ at: step(1) })}>
          Next {view}
        </button>
        <button type="button" aria-pressed={view === 'month'} onClick={() => go({ view: 'month' })}>
          Month
        </button>
        <button type="button" aria-pressed={view === 'week'} onClick={() => go({ view: 'week' })}>
          Week
        </button>
      </nav>
      {data.status === 'loading' && <Loading what="the calendar" />}
      {data.status === 'failed' && <ProblemNotice problem={data.problem} />}
      {data.status === 'ready' &&
        (() => {
          const inConflict = new Set(data.value.conflicts.flatMap((c) => c.releases));
          const overlaps = (start: string, end: string, day: Date) =>
            Date.parse(start) < addDays(day, 1).getTime() && Date.parse(end) > day.getTime();
          return (
            <>
              <ol className={`calendar calendar-${view}`}>
                {days.map((day) => {
                  const releases = data.value.releases.filter((r) =>
                    overlaps(r.plannedWindow!.start, r.plannedWindow!.end, day),
                  );
                  const windows = data.value.occurrences.filter((o) =>
                    overlaps(o.start, o.end, day),
                  );
                  const outside = view === 'month' && day.getMonth() !== anchor.getMonth();
                  return (
                    <li
                      key={day.getTime()}
                      className={`day${outside ? ' outside' : ''}${isoDay(day) === isoDay(new Date()) ? ' today' : ''}`}
                    >
                      <h2 className="day-name">
                        <span className="weekday">{weekday.format(day)}</span> {dayName.format(day)}
                      </h2>
                      <ul>
                        {windows.map((o) => (
                          <li
                            key={o.window.name + o.start}
                            className={`window window-${o.window.kind}`}
                          >
                            {o.window.kind === 'freeze' ? 'Freeze' : o.window.kind}: {o.window.name}{' '}
                            <span className="meta">
                              {time.format(new Date(o.start))}–{time.format(new Date(o.end))}
                            </span>
                          </li>
                        ))}
                        {releases.map((r) => (
                          <li key={r.key} className={inConflict.has(r.key) ? 'conflict' : ''}>
                            <Link to={`/releases/${encodeURIComponent(r.key)}`}>
                              {r.key} {r.title}
                            </Link>
                            {inConflict.has(r.key) && <strong className="fail"> conflict</strong>}
                          </li>
                        ))}
                      </ul>
                    </li>
                  );
                })}
              </ol>
              <section aria-labelledby="conflicts">
                <h2 id="conflicts">Conflicts</h2>
                {data.value.conflicts.length === 0 ? (
                  <p className="empty">No conflict among the releases planned here.</p>
                ) : (
                  <ul>
                    {data.value.conflicts.map((c, i) => (
                      <li key={i}>
                        <strong>{c.kind}</strong>: {c.releases.join(', ')} — {c.reason} (
                        {formatInstant(c.from)} to {formatInstant(c.to)})
                      </li>
                    ))}
                  </ul>
                )}
              </section>
            </>
          );
        })()}
    </>
  );
}
