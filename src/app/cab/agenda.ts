/**
 * Builds a CAB sitting's agenda: the releases whose policy sends them to a CAB, whose
 * planned window starts before the board next sits and that are not yet decided (or
 * were decided at this sitting), highest risk first, each with its evaluation criteria
 * read from the gate, the risk score and the dependency graph.
 */
import {
  needsCab,
  orderAgenda,
  withinHorizon,
  type AgendaItem,
  type CriterionStatus,
  type EvidenceLink,
} from '../../domain/cab/agenda.js';
import type { CabDecision } from '../../domain/cab/decision.js';
import {
  followingOccurrence,
  nextOccurrence,
  occurrenceStartingAt,
  type CabMeeting,
  type MeetingOccurrence,
} from '../../domain/cab/meeting.js';
import { conflict, invalid, notFound } from '../../domain/errors.js';
import type { RuleVerdict } from '../../domain/gate.js';
import type { Release } from '../../domain/release.js';
import { scoreRisk } from '../../domain/risk/score.js';
import { agendaCandidates, decisionsAt, latestDecisions, loadMeeting } from '../../store/cab.js';
import { releaseHistory } from '../../store/risk.js';
import { authorize } from '../authorize.js';
import type { Ctx } from '../context.js';
import { checkGate } from '../gates/checkGate.js';
import { releaseDependencies } from '../releases/releaseDependencies.js';
import { scoreHistory } from '../risk/riskHistory.js';
import { currentWeights } from '../risk/riskWeights.js';

export interface Agenda {
  meeting: CabMeeting;
  occurrence: MeetingOccurrence;
  nextMeeting: MeetingOccurrence | null;
  items: AgendaItem[];
  /** Every decision taken at this sitting (an item decided here stays on its agenda). */
  decisions: CabDecision[];
}

const TESTING_RULES = [
  'tests-pass-rate',
  'coverage-lines',
  'coverage-branches',
  'static-analysis',
  'critical-vulnerabilities',
];

/** The sitting asked for (its start instant), or the next one from now. */
export function resolveOccurrence(
  ctx: Ctx,
  meeting: CabMeeting,
  at: string | undefined,
  field = '/at',
): MeetingOccurrence {
  if (at === undefined) {
    const next = nextOccurrence(meeting, ctx.now.getTime());
    if (!next)
      throw conflict(
        'no-sitting',
        `${meeting.name} does not sit again after ${ctx.now.toISOString()}`,
      );
    return next;
  }
  const start = Date.parse(at);
  const found = Number.isNaN(start) ? null : occurrenceStartingAt(meeting, start);
  if (!found) {
    const near = Number.isNaN(start) ? null : nextOccurrence(meeting, start);
    throw invalid(
      field,
      `${meeting.name} does not sit at ${at}${near ? `; its next sitting from then starts at ${near.start}` : ''}`,
    );
  }
  return found;
}

function statusOf(rules: RuleVerdict[]): CriterionStatus {
  if (rules.some((r) => r.result === 'fail')) return 'attention';
  if (rules.every((r) => r.result === 'not-applicable')) return 'unknown';
  return 'ok';
}

const brief = (r: RuleVerdict) => ({ rule: r.rule, result: r.result, reason: r.reason });

async function productionEnvironment(ctx: Ctx): Promise<string | null> {
  const row = await ctx.tx
    .selectFrom('environments')
    .select('name')
    .orderBy('position', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.name ?? null;
}

async function agendaItem(
  ctx: Ctx,
  release: Release,
  environment: string,
  risk: ReturnType<typeof scoreRisk>,
  decision: CabDecision | null,
): Promise<AgendaItem | null> {
  const gate = await checkGate(ctx, release.key, environment);
  if (!needsCab(gate.approvals?.path)) return null;
  const key = encodeURIComponent(release.key);
  const env = encodeURIComponent(environment);
  const link = (title: string, href: string): EvidenceLink => ({ title, href });
  const gateLink = link(`gate verdict for ${environment}`, `/releases/${key}/gates/${env}`);
  const dependencies = await releaseDependencies(ctx, release.key);
  const testing = gate.rules.filter((r) => TESTING_RULES.includes(r.rule));
  const prior = gate.rules.find((r) => r.rule === 'prior-environment-verified') ?? null;
  // The CAB's own rule is what this sitting decides, so readiness is judged without it.
  const readinessRules = gate.rules.filter((r) => r.rule !== 'cab-decision');
  const readinessFails = readinessRules.filter((r) => r.result === 'fail');
  const top = [...risk.contributions]
    .filter((c) => c.points > 0)
    .sort((a, b) => b.points - a.points)
    .slice(0, 3);
  const facing = [
    ...dependencies.customerFacing.changed,
    ...dependencies.customerFacing.downstream,
  ];
  const window = release.plannedWindow!;
  return {
    release: release.key,
    title: release.title,
    version: release.version,
    classification: release.classification,
    state: release.state,
    team: release.team,
    environment,
    policy: gate.policy,
    approvalPath: gate.approvals!.path,
    plannedWindow: { start: window.start, end: window.end },
    risk: {
      status: risk.level === 'high' ? 'attention' : 'ok',
      summary: `score ${risk.score} (${risk.level})${top.length ? `: ${top.map((c) => c.explanation).join('; ')}` : ''}`,
      score: risk.score,
      level: risk.level,
      topFactors: top.map((c) => ({
        factor: c.factor,
        points: c.points,
        explanation: c.explanation,
      })),
      links: [
        link('risk score and its factors', `/releases/${key}/risk`),
        link('risk register', `/releases/${key}/risks`),
      ],
    },
    testing: {
      status: statusOf(testing),
      summary:
        testing
          .filter((r) => r.result !== 'not-applicable')
          .map((r) => `${r.title}: ${r.result} — ${r.reason}`)
          .join('; ') || 'the policy asks for no test evidence',
      rules: testing.map(brief),
      links: [link('uploaded evidence', `/releases/${key}/evidence`), gateLink],
    },
    businessImpact: {
      status: facing.length ? 'attention' : 'ok',
      summary:
        `changes ${dependencies.services.join(', ') || 'no service'}` +
        `; customer-facing changed: ${dependencies.customerFacing.changed.join(', ') || 'none'}` +
        `; downstream: ${dependencies.downstream.map((d) => d.service).join(', ') || 'none'}` +
        ` (customer-facing: ${dependencies.customerFacing.downstream.join(', ') || 'none'})`,
      customerFacingChanged: dependencies.customerFacing.changed,
      customerFacingDownstream: dependencies.customerFacing.downstream,
      downstream: dependencies.downstream.map((d) => d.service),
      links: [link('dependency graph and impact', `/releases/${key}/dependencies`)],
    },
    rollbackReadiness: {
      status: release.rollbackPlan.trim() ? 'ok' : 'attention',
      summary: release.rollbackPlan.trim()
        ? `rollback plan written; roll back in the order ${dependencies.rollbackOrder.join(' → ') || '(no service)'}`
        : 'no rollback plan written',
      rollbackPlan: release.rollbackPlan,
      rollbackOrder: dependencies.rollbackOrder,
      links: [
        link('release record (rollback plan)', `/releases/${key}`),
        link('rollback order', `/releases/${key}/dependencies`),
      ],
    },
    operationalReadiness: {
      status: readinessFails.length ? 'attention' : 'ok',
      summary:
        `window ${window.start} – ${window.end} for ${environment}; ` +
        (prior ? `prior environment: ${prior.result} — ${prior.reason}; ` : '') +
        (readinessFails.length
          ? `gate rules failing besides the CAB decision: ${readinessFails.map((r) => r.rule).join(', ')}`
          : 'every gate rule besides the CAB decision passes'),
      priorEnvironment: prior ? brief(prior) : null,
      gateVerdict: readinessFails.length ? 'fail' : 'pass',
      links: [gateLink, link('lifecycle history', `/releases/${key}/transitions`)],
    },
    decision,
  };
}

export async function buildAgenda(ctx: Ctx, meetingName: string, at?: string): Promise<Agenda> {
  authorize(ctx.actor, 'release:read');
  const meeting = await loadMeeting(ctx.tx, meetingName);
  if (!meeting) throw notFound('CAB meeting', meetingName);
  const occurrence = resolveOccurrence(ctx, meeting, at);
  const nextMeeting = followingOccurrence(meeting, Date.parse(occurrence.start));
  const decisions = await decisionsAt(ctx.tx, meeting.id, occurrence.start);
  const decidedHere = new Map(decisions.map((d) => [d.release, d]));

  const candidates = (
    await agendaCandidates(
      ctx.tx,
      decisions.map((d) => d.release),
    )
  ).filter(
    (r) =>
      decidedHere.has(r.key) ||
      (r.plannedWindow !== null &&
        withinHorizon(r.plannedWindow.start, nextMeeting?.start ?? null)),
  );
  const latest = await latestDecisions(
    ctx.tx,
    candidates.map((r) => r.id),
  );
  // Undecided: never decided, or the last word was a No-Go and it has been re-planned.
  const open = candidates.filter(
    (r) =>
      decidedHere.has(r.key) ||
      (r.state !== 'no-go' && (latest.get(r.id)?.decision ?? 'no-go') === 'no-go'),
  );

  const { weights } = await currentWeights(ctx.tx);
  const scored = new Map(
    scoreHistory(await releaseHistory(ctx.tx), weights).map((h) => [h.row.id, h.inputs]),
  );
  const production = await productionEnvironment(ctx);
  const items: AgendaItem[] = [];
  for (const release of open) {
    const environment = release.plannedWindow?.environment ?? production;
    const inputs = scored.get(release.id);
    if (!environment || !inputs) continue;
    const item = await agendaItem(
      ctx,
      release,
      environment,
      scoreRisk(inputs, weights),
      decidedHere.get(release.key) ?? null,
    );
    if (item) items.push(item);
  }
  return { meeting, occurrence, nextMeeting, items: orderAgenda(items), decisions };
}
