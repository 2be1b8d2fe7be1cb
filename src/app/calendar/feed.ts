/**
 * iCalendar feeds (RFC 5545) of freezes, windows and planned releases, for the
 * organisation or one team. Recurring windows are expanded into UTC events over the
 * feed's period rather than sent as RRULE + TZID: that would need a VTIMEZONE for every
 * zone, and calendar clients then disagree on DST; the expansion here is the one the
 * freeze check uses, so what people see is what is enforced.
 */
import icalGenerator, { ICalEventTransparency } from 'ical-generator';
import { occurrencesBetween, windowCovers } from '../../domain/calendar/window.js';
import { invalid, notFound } from '../../domain/errors.js';
import { listWindows, plannedReleases } from '../../store/calendar.js';
import { listEnvironments, listServices, listTeams } from '../../store/catalog.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';

export interface FeedQuery {
  team?: string;
  from?: string;
  to?: string;
}

const DAY = 86_400_000;
const WINDOW_LABEL = { freeze: 'Freeze', release: 'Release window', maintenance: 'Maintenance' };

export async function calendarFeed(ctx: Ctx, input: FeedQuery = {}): Promise<string> {
  authorize(ctx.actor, 'release:read');
  const from = input.from ? Date.parse(input.from) : ctx.now.getTime() - 30 * DAY;
  const to = input.to ? Date.parse(input.to) : from + 210 * DAY;
  if (to <= from) throw invalid('to', 'must be after from');
  if (to - from > 2 * 366 * DAY) throw invalid('to', 'at most two years after from');
  const [windows, services, environments, teams] = await Promise.all([
    listWindows(ctx.tx),
    listServices(ctx.tx),
    listEnvironments(ctx.tx),
    listTeams(ctx.tx),
  ]);
  if (input.team && !teams.some((t) => t.name === input.team)) throw notFound('team', input.team);
  const teamServices = input.team ? services.filter((s) => s.team === input.team) : services;
  const relevant = windows.filter(
    (w) =>
      !input.team ||
      teamServices.some((s) =>
        environments.some((e) => windowCovers(w, s, { name: e.name, regions: e.regions })),
      ),
  );
  const calendar = icalGenerator({
    name: input.team ? `Gatehouse: ${input.team}` : 'Gatehouse: releases and freezes',
    prodId: { company: 'Gatehouse', product: 'release calendar', language: 'EN' },
  });
  const stamp = ctx.now;
  for (const window of relevant) {
    for (const occurrence of occurrencesBetween(window, from, to)) {
      calendar.createEvent({
        id: `window-${window.id}-${occurrence.start}@gatehouse`,
        start: new Date(occurrence.start),
        end: new Date(occurrence.end),
        stamp,
        summary: `${WINDOW_LABEL[window.kind]}: ${window.name}`,
        description: window.description || null,
        categories: [{ name: window.kind.toUpperCase() }],
        // A freeze blocks the calendar; other windows are for information.
        transparency:
          window.kind === 'freeze'
            ? ICalEventTransparency.OPAQUE
            : ICalEventTransparency.TRANSPARENT,
      });
    }
  }
  const releases = await plannedReleases(ctx.tx, {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
  });
  for (const release of releases) {
    if (input.team && release.team !== input.team) continue;
    calendar.createEvent({
      id: `release-${release.key}@gatehouse`,
      start: new Date(release.start),
      end: new Date(release.end),
      stamp,
      summary: `${release.key} ${release.title}`,
      description: [
        `Services: ${release.services.join(', ') || 'none'}`,
        `Environment: ${release.environment ?? 'not said'}`,
        `State: ${release.state}`,
      ].join('\n'),
      categories: [{ name: 'RELEASE' }],
    });
  }
  return calendar.toString();
}
