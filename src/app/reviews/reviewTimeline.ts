/**
 * The review's timeline, assembled from the release's own records — transitions,
 * deployments, canary verdicts, rollout decisions, incidents linked to its deployments,
 * audit entries about the release (evidence, waivers, security sign-offs, approvals) —
 * merged with the entries people added, in time order.
 */
import { sortTimeline, type Review, type TimelineEntry } from '../../domain/review/review.js';
import type { Tx } from '../../store/database.js';

// Shown from their own tables, with more detail than their audit entries carry.
const SHOWN_ELSEWHERE = new Set(['release.transitioned', 'rollout.decided']);

/** The audit action, with the one or two facts a reader of a timeline wants. */
export function describeAuditEntry(action: string, after: string | null): string {
  const detail = after ? (JSON.parse(after) as Record<string, unknown>) : {};
  const pick = (...keys: string[]) =>
    keys
      .map((k) => detail[k])
      .filter((v) => typeof v === 'string' || typeof v === 'number')
      .join(' ');
  const facts =
    action === 'evidence.added'
      ? pick('type', 'fileName')
      : action === 'waiver.granted'
        ? pick('rule')
        : '';
  return facts ? `${action}: ${facts}` : action;
}

export async function assembleTimeline(tx: Tx, review: Review): Promise<TimelineEntry[]> {
  const release = await tx
    .selectFrom('releases')
    .select(['id', 'key'])
    .where('key', '=', review.release)
    .executeTakeFirstOrThrow();
  const entries: TimelineEntry[] = [];

  const transitions = await tx
    .selectFrom('release_transitions')
    .innerJoin('users', 'users.id', 'release_transitions.actor_id')
    .select(['release_transitions.id', 'from_state', 'to_state', 'reason', 'at', 'users.name'])
    .where('release_id', '=', release.id)
    .execute();
  for (const t of transitions)
    entries.push({
      at: t.at,
      source: 'transition',
      text: `${t.from_state} → ${t.to_state}${t.reason ? `: ${t.reason}` : ''}`,
      ref: t.id,
      by: t.name,
    });

  const deployments = await tx
    .selectFrom('deployments')
    .innerJoin('services', 'services.id', 'deployments.service_id')
    .innerJoin('environments', 'environments.id', 'deployments.environment_id')
    .innerJoin('users', 'users.id', 'deployments.actor_id')
    .select([
      'deployments.id',
      'services.name as service',
      'environments.name as environment',
      'deployments.region',
      'deployments.status',
      'deployments.started_at',
      'deployments.finished_at',
      'users.name as actor',
    ])
    .where('deployments.release_id', '=', release.id)
    .execute();
  for (const d of deployments) {
    const where = `${d.service} to ${d.environment}${d.region ? ` (${d.region})` : ''}`;
    entries.push({
      at: d.started_at,
      source: 'deployment',
      text: `deployment of ${where} started`,
      ref: d.id,
      by: d.actor,
    });
    if (d.finished_at)
      entries.push({
        at: d.finished_at,
        source: 'deployment',
        text: `deployment of ${where} ${d.status}`,
        ref: d.id,
        by: d.actor,
      });
  }

  const verdicts = await tx
    .selectFrom('canary_verdicts')
    .innerJoin('canary_analyses', 'canary_analyses.id', 'canary_verdicts.analysis_id')
    .select([
      'canary_verdicts.id',
      'canary_analyses.service',
      'canary_analyses.environment',
      'canary_verdicts.outcome',
      'canary_verdicts.decision',
      'canary_verdicts.score',
      'canary_verdicts.judged_at',
    ])
    .where('canary_analyses.release_id', '=', release.id)
    .execute();
  for (const v of verdicts)
    entries.push({
      at: v.judged_at,
      source: 'canary',
      text: `canary of ${v.service} in ${v.environment}: ${v.outcome}${v.score === null ? '' : ` (score ${v.score})`}, ${v.decision}`,
      ref: v.id,
      by: null,
    });

  const rollouts = await tx
    .selectFrom('rollout_decisions')
    .select(['id', 'environment', 'decision', 'reason', 'decided_at'])
    .where('release_id', '=', release.id)
    .execute();
  for (const r of rollouts)
    entries.push({
      at: r.decided_at,
      source: 'rollout',
      text: `rollout in ${r.environment}: ${r.decision} — ${r.reason}`,
      ref: r.id,
      by: null,
    });

  const incidents = await tx
    .selectFrom('incidents')
    .innerJoin('incident_deployments', 'incident_deployments.incident_id', 'incidents.id')
    .innerJoin('deployments', 'deployments.id', 'incident_deployments.deployment_id')
    .select([
      'incidents.key',
      'incidents.title',
      'incidents.severity',
      'incidents.started_at',
      'incidents.detected_at',
      'incidents.resolved_at',
    ])
    .distinct()
    .where('deployments.release_id', '=', release.id)
    .execute();
  for (const i of incidents) {
    const name = `${i.key} (SEV${i.severity}) ${i.title}`;
    entries.push({
      at: i.started_at,
      source: 'incident',
      text: `${name}: impact started`,
      ref: i.key,
      by: null,
    });
    entries.push({
      at: i.detected_at,
      source: 'incident',
      text: `${name}: detected`,
      ref: i.key,
      by: null,
    });
    if (i.resolved_at)
      entries.push({
        at: i.resolved_at,
        source: 'incident',
        text: `${name}: resolved`,
        ref: i.key,
        by: null,
      });
  }

  const audit = await tx
    .selectFrom('audit_log')
    .select(['seq', 'at', 'actor', 'action', 'after'])
    .where('subject_type', '=', 'release')
    .where('subject_id', 'in', [release.key, release.id])
    .orderBy('seq')
    .execute();
  for (const a of audit)
    if (!SHOWN_ELSEWHERE.has(a.action))
      entries.push({
        at: a.at,
        source: 'audit',
        text: describeAuditEntry(a.action, a.after),
        ref: `audit:${a.seq}`,
        by: a.actor,
      });

  const added = await tx
    .selectFrom('review_timeline_entries')
    .innerJoin('users', 'users.id', 'review_timeline_entries.author_id')
    .select(['review_timeline_entries.id', 'at', 'text', 'users.name'])
    .where('review_id', '=', review.id)
    .execute();
  for (const e of added)
    entries.push({ at: e.at, source: 'person', text: e.text, ref: e.id, by: e.name });

  return sortTimeline(entries);
}
