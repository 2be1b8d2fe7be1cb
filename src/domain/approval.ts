/**
 * Staged approvals and segregation of duties. A release's policy lists approval stages
 * (technical → risk and compliance → business → final); a stage opens when the release
 * is in Approve and every earlier stage is complete. Every decision binds to the
 * release's content hash (services, versions, scope, authors): when the content changes,
 * earlier decisions are void — shown, never counted. Pure: the app layer gathers the
 * decisions and the people, this decides.
 */
import { createHash } from 'node:crypto';
import { Duration } from 'luxon';
import type { Role } from './access.js';
import { canonicalJson } from './audit-chain.js';
import { GatehouseError, conflict, invalid, type FieldProblem } from './errors.js';
import { STATE_LABELS } from './lifecycle.js';
import {
  APPROVAL_STAGES,
  type ApprovalStageName,
  type ApprovalStagePolicy,
  type PolicySetDocument,
} from './policy.js';
import type { ReleaseService, ReleaseState, Scope } from './release.js';

export type DecisionKind = 'approved' | 'rejected';

/** One recorded decision, as stored. */
export interface ApprovalDecision {
  id: string;
  stage: string;
  decision: DecisionKind;
  by: string;
  /** The approver's comment or the rejection's reason. */
  text: string;
  contentHash: string;
  at: string;
}

export interface DecisionView extends ApprovalDecision {
  /** True when the release's content changed after the decision: it no longer counts. */
  void: boolean;
}

export type StageState = 'waiting' | 'open' | 'complete' | 'rejected';

export interface StageStatus {
  stage: ApprovalStageName;
  state: StageState;
  required: number;
  given: number;
  dual: boolean;
  approvedBy: string[];
  rejection: { by: string; reason: string; at: string } | null;
  /** Who may still approve: the people eligible now, SoD exclusions applied. */
  mayApprove: string[];
  roles: Role[] | null;
  approvers: string[] | null;
  openedAt: string | null;
  completedAt: string | null;
  /** When the stage should be decided by (timeLimit after it opened), if it has a limit. */
  dueAt: string | null;
  overdue: boolean;
  decisions: DecisionView[];
}

export interface ApprovalProgress {
  contentHash: string;
  /** complete: every stage complete; rejected: a stage rejected; else pending. */
  state: 'complete' | 'rejected' | 'pending';
  stages: StageStatus[];
}

/** A person who could approve: their user name and roles. */
export interface Candidate {
  name: string;
  roles: readonly Role[];
}

export interface ReleaseForApproval {
  key: string;
  state: ReleaseState;
  requester: string;
  authors: readonly string[];
  contentHash: string;
  /** When the release entered Approve, if it is there now. */
  stateChangedAt: string;
}

export interface ApprovalSituation {
  release: ReleaseForApproval;
  stages: readonly ApprovalStagePolicy[];
  decisions: readonly ApprovalDecision[];
  candidates: readonly Candidate[];
  now: Date;
}

/** SHA-256 of the canonical JSON of what an approver approves. */
export function releaseContentHash(content: {
  services: readonly ReleaseService[];
  scope: Scope;
  authors: readonly string[];
}): string {
  const services = [...content.services]
    .map((s) => ({ service: s.service, version: s.version, artifact: s.artifact ?? null }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const authors = [...new Set(content.authors.map((a) => a.toLowerCase()))].sort();
  return createHash('sha256')
    .update(canonicalJson({ services, scope: content.scope, authors }))
    .digest('hex');
}

export function durationMs(iso: string): number {
  return Duration.fromISO(iso).toMillis();
}

const requiredOf = (stage: ApprovalStagePolicy) =>
  stage.dual ? Math.max(stage.required ?? 1, 2) : (stage.required ?? 1);

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Is the person allowed by the stage's roles and named approvers (SoD aside)? */
export function eligibleForStage(stage: ApprovalStagePolicy, person: Candidate): boolean {
  if (stage.roles && !stage.roles.some((r) => person.roles.includes(r))) return false;
  if (stage.approvers && !stage.approvers.some((a) => same(a, person.name))) return false;
  return true;
}

/** Why segregation of duties bars the person from approving the stage, or null. */
function sodRefusal(
  situation: ApprovalSituation,
  stage: ApprovalStagePolicy,
  earlierApprovers: readonly string[],
  person: string,
): { code: string; message: string } | null {
  const { release } = situation;
  if (same(release.requester, person))
    return {
      code: 'sod-requester',
      message: `${person} requested ${release.key}, and nobody approves a release they requested`,
    };
  if (release.authors.some((a) => same(a, person)))
    return {
      code: 'sod-author',
      message: `${person} authored a change in ${release.key}, and nobody approves a release carrying their own change`,
    };
  if (stage.dual && earlierApprovers.some((a) => same(a, person)))
    return {
      code: 'sod-dual-approval',
      message: `the ${stage.stage} stage needs dual approval by two people who approved no earlier stage of ${release.key}; ${person} already approved an earlier stage`,
    };
  return null;
}

export function evaluateApprovals(situation: ApprovalSituation): ApprovalProgress {
  const { release, now } = situation;
  const inApprove = release.state === 'approve';
  let previousCompletedAt: string | null = inApprove ? release.stateChangedAt : null;
  const earlierApprovers: string[] = [];
  const stages = situation.stages.map((policy): StageStatus => {
    const decisions = situation.decisions
      .filter((d) => d.stage === policy.stage)
      .map((d) => ({ ...d, void: d.contentHash !== release.contentHash }));
    const valid = decisions.filter((d) => !d.void);
    const approvals = valid.filter((d) => d.decision === 'approved');
    const rejection = valid.find((d) => d.decision === 'rejected') ?? null;
    const required = requiredOf(policy);
    const approvedBy = approvals.map((d) => d.by);
    const completing = approvals.length >= required ? approvals[required - 1]! : null;
    const openedAt = previousCompletedAt;
    let state: StageState;
    if (rejection) state = 'rejected';
    else if (completing) state = 'complete';
    else state = openedAt ? 'open' : 'waiting';
    const completedAt = state === 'complete' ? completing!.at : null;
    // A stage opens only once the one before it is complete, and only in Approve.
    previousCompletedAt = inApprove && state === 'complete' ? completedAt : null;
    const dueAt =
      openedAt && policy.timeLimit
        ? new Date(Date.parse(openedAt) + durationMs(policy.timeLimit)).toISOString()
        : null;
    const mayApprove =
      state === 'open' || state === 'waiting'
        ? situation.candidates
            .filter((c) => eligibleForStage(policy, c))
            .filter((c) => !approvedBy.some((a) => same(a, c.name)))
            .filter((c) => !sodRefusal(situation, policy, earlierApprovers, c.name))
            .map((c) => c.name)
        : [];
    const status: StageStatus = {
      stage: policy.stage,
      state,
      required,
      given: approvals.length,
      dual: policy.dual ?? false,
      approvedBy,
      rejection: rejection ? { by: rejection.by, reason: rejection.text, at: rejection.at } : null,
      mayApprove,
      roles: policy.roles ? [...policy.roles] : null,
      approvers: policy.approvers ? [...policy.approvers] : null,
      openedAt: state === 'open' || state === 'complete' || state === 'rejected' ? openedAt : null,
      completedAt,
      dueAt: state === 'open' ? dueAt : null,
      overdue: state === 'open' && dueAt !== null && now.getTime() > Date.parse(dueAt),
      decisions,
    };
    earlierApprovers.push(...approvedBy);
    return status;
  });
  return {
    contentHash: release.contentHash,
    state: stages.some((s) => s.state === 'rejected')
      ? 'rejected'
      : stages.every((s) => s.state === 'complete')
        ? 'complete'
        : 'pending',
    stages,
  };
}

export interface DecisionRequest {
  stage: string;
  decision: DecisionKind;
  /** A comment for an approval, the reason for a rejection. */
  text: string | undefined;
  actor: Candidate;
}

/**
 * Every refusal of an approval or rejection, each with a stable code and a reason that
 * names the rule; null when the decision may be recorded.
 */
export function judgeDecision(
  situation: ApprovalSituation,
  progress: ApprovalProgress,
  request: DecisionRequest,
): GatehouseError | null {
  const { release } = situation;
  const verb = request.decision === 'approved' ? 'approve' : 'reject';
  if (request.decision === 'rejected' && !request.text?.trim())
    return invalid('/reason', 'a rejection must say why', 'reason-required');
  if (!(APPROVAL_STAGES as readonly string[]).includes(request.stage))
    return invalid(
      '/stage',
      `'${request.stage}' is not an approval stage; one of ${APPROVAL_STAGES.join(', ')}`,
      'unknown-stage',
    );
  if (release.state === 'cancelled')
    return conflict(
      'release-cancelled',
      `${release.key} is cancelled; there is nothing left to ${verb}`,
    );
  if (release.state !== 'approve')
    return conflict(
      'approval-not-open',
      `${release.key} is in ${STATE_LABELS[release.state]}; approvals are given while it is in Approve`,
      { state: release.state },
    );
  const index = progress.stages.findIndex((s) => s.stage === request.stage);
  if (index < 0)
    return conflict(
      'stage-not-required',
      `the policy judging ${release.key} asks for no ${request.stage} stage; its stages are ${progress.stages.map((s) => s.stage).join(', ') || 'none'}`,
    );
  const status = progress.stages[index]!;
  const policy = situation.stages[index]!;
  if (status.state === 'waiting') {
    const blocking = progress.stages.slice(0, index).find((s) => s.state !== 'complete')!;
    return conflict(
      'stage-not-open',
      `the ${request.stage} stage of ${release.key} opens when the ${blocking.stage} stage is complete (${blocking.given} of ${blocking.required} approvals, ${blocking.state})`,
    );
  }
  if (status.state === 'complete')
    return conflict(
      'stage-complete',
      `the ${request.stage} stage of ${release.key} is already complete (${status.approvedBy.join(', ')})`,
    );
  if (status.state === 'rejected')
    return conflict(
      'stage-rejected',
      `the ${request.stage} stage of ${release.key} was rejected by ${status.rejection!.by}: ${status.rejection!.reason}`,
    );
  if (!eligibleForStage(policy, request.actor))
    return new GatehouseError(
      'forbidden',
      'not-a-stage-approver',
      `${request.actor.name} may not ${verb} the ${request.stage} stage: it is decided by ${[
        policy.roles ? `a holder of ${policy.roles.join(' or ')}` : '',
        policy.approvers ? `one of the named approvers ${policy.approvers.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join(' who is ')}`,
      { extra: { roles: policy.roles ?? null, approvers: policy.approvers ?? null } },
    );
  if (request.decision === 'rejected') return null;
  if (status.approvedBy.some((a) => same(a, request.actor.name)))
    return conflict(
      'already-approved',
      `${request.actor.name} already approved the ${request.stage} stage of ${release.key} for its current content`,
    );
  const earlier = progress.stages.slice(0, index).flatMap((s) => s.approvedBy);
  const sod = sodRefusal(situation, policy, earlier, request.actor.name);
  if (sod)
    return new GatehouseError('forbidden', sod.code, sod.message, {
      extra: { rule: sod.code },
    });
  return null;
}

export interface DueEscalation {
  stage: ApprovalStageName;
  level: number;
  openedAt: string;
  after: string;
  to: string[];
}

/** The escalation levels every open stage has reached by now. */
export function dueEscalations(
  stages: readonly ApprovalStagePolicy[],
  progress: ApprovalProgress,
  now: Date,
): DueEscalation[] {
  const due: DueEscalation[] = [];
  progress.stages.forEach((status, i) => {
    const policy = stages[i]!;
    if (status.state !== 'open' || !status.openedAt || !policy.escalation) return;
    const waited = now.getTime() - Date.parse(status.openedAt);
    policy.escalation.forEach((level, l) => {
      if (waited >= durationMs(level.after))
        due.push({
          stage: status.stage,
          level: l + 1,
          openedAt: status.openedAt!,
          after: level.after,
          to: [...level.to],
        });
    });
  });
  return due;
}

/**
 * The shortest wait after which any policy of these sets escalates anything, or null
 * when none escalates. A stage opens no earlier than its release entered Approve, so a
 * release that entered Approve less than this long ago has nothing due.
 */
export function shortestEscalationWait(sets: readonly PolicySetDocument[]): number | null {
  let shortest: number | null = null;
  for (const set of sets)
    for (const policy of set.policies)
      for (const stage of policy.requires.approvals?.stages ?? [])
        for (const level of stage.escalation ?? []) {
          const wait = durationMs(level.after);
          if (shortest === null || wait < shortest) shortest = wait;
        }
  return shortest;
}

/** What the schema cannot say: stage order, and escalation levels that grow. */
export function approvalPolicyProblems(set: PolicySetDocument): FieldProblem[] {
  const problems: FieldProblem[] = [];
  set.policies.forEach((policy, p) => {
    const stages = policy.requires.approvals?.stages ?? [];
    let last = -1;
    stages.forEach((stage, s) => {
      const at = `/policies/${p}/requires/approvals/stages/${s}`;
      const order = APPROVAL_STAGES.indexOf(stage.stage);
      if (order <= last)
        problems.push({
          field: `${at}/stage`,
          reason: `stages come once each, in the order ${APPROVAL_STAGES.join(', ')}`,
        });
      last = Math.max(last, order);
      if (!stage.roles && !stage.approvers)
        problems.push({ field: at, reason: 'say who approves: roles, approvers or both' });
      if (stage.approvers && requiredOf(stage) > stage.approvers.length)
        problems.push({
          field: `${at}/approvers`,
          reason: `${requiredOf(stage)} approvals are needed but only ${stage.approvers.length} people are named`,
        });
      let previous = stage.timeLimit ? durationMs(stage.timeLimit) : 0;
      (stage.escalation ?? []).forEach((level, l) => {
        const after = durationMs(level.after);
        if (after <= 0 || after < previous)
          problems.push({
            field: `${at}/escalation/${l}/after`,
            reason:
              l === 0
                ? 'L1 comes after a positive wait, no sooner than the time limit'
                : `L${l + 1} must come after L${l}`,
          });
        previous = after;
      });
    });
  });
  return problems;
}

/** One line per stage, for the gate and the CLI: "final 1 of 2 (alice), open". */
export function summariseApprovals(progress: ApprovalProgress): string {
  return progress.stages
    .map((s) => {
      const who = s.approvedBy.length ? ` (${s.approvedBy.join(', ')})` : '';
      const voided = s.decisions.filter((d) => d.void).length;
      const state =
        s.state === 'rejected'
          ? `rejected by ${s.rejection!.by}: ${s.rejection!.reason}`
          : s.state === 'open'
            ? `open${s.overdue ? ', overdue' : ''}${s.mayApprove.length ? `; may approve: ${s.mayApprove.join(', ')}` : '; nobody eligible may approve'}`
            : s.state;
      return `${s.stage} ${s.given} of ${s.required}${who}${voided ? ` [${voided} void: content changed]` : ''}, ${state}`;
    })
    .join('; ');
}
