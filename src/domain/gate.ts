/**
 * The gate: given a release's facts and the policy it is judged by, every rule's result
 * (pass, fail, waived, not applicable) and the reason in the release manager's words.
 * Pure: the app layer gathers the facts, this decides.
 *
 * Extension point: a capability that owns more facts adds its rule to GATE_RULES with
 * the facts it needs on GateFacts; nothing else here changes.
 */
import type { Role } from './access.js';
import { summariseApprovals, type ApprovalProgress } from './approval.js';
import type { FreezeDecision } from './calendar/freeze.js';
import { cabGateOutcome, type CabDecision } from './cab/decision.js';
import { needsCab } from './cab/agenda.js';
import type {
  CoverageFacts,
  FindingFacts,
  SignatureFacts,
  TestFacts,
  VulnerabilityFacts,
} from './evidence.js';
import {
  describeSubject,
  type Policy,
  type PolicyRequirements,
  type PolicySubject,
} from './policy.js';

export type RuleResult = 'pass' | 'fail' | 'waived' | 'not-applicable';

export interface ServiceDeployment {
  service: string;
  /** The latest deployment of the service there, or null if none. */
  status: string | null;
  finishedAt: string | null;
}

export interface UpstreamRelease {
  key: string;
  state: string;
  service: string;
  version: string;
  /** Which of this release's services depends on it. */
  neededBy: string;
  deployedToTarget: boolean;
}

export interface Waiver {
  id: string;
  rule: string;
  justification: string;
  expiresAt: string;
  grantedBy: string;
  grantedAt: string;
}

export interface GateFacts {
  release: { key: string; rollbackPlan: string; services: string[] };
  subject: PolicySubject;
  /** The environment before the target on the promotion path, with its deployments. */
  prior: { environment: string; deployments: ServiceDeployment[] } | null;
  evidence: {
    tests: TestFacts | null;
    coverage: CoverageFacts | null;
    findings: FindingFacts | null;
    vulnerabilities: VulnerabilityFacts | null;
    /** Verified Sigstore signatures (artifact-signature); absent reads as none. */
    signatures?: SignatureFacts[];
  };
  upstream: UpstreamRelease[];
  security: {
    addsExternalEndpoints: boolean;
    changesAuthentication: boolean;
    penTestReference: string | null;
    penTestSignedOffBy: string | null;
  } | null;
  /**
   * The freeze rule's answer for each of the release's services in the target environment
   * now (from `decideFreeze`, the code `calendar check` runs), and the roles each
   * exception's approver holds. No services when the calendar has no freeze window.
   */
  freeze: {
    services: Array<{ service: string; decision: FreezeDecision }>;
    approverRoles: Record<string, readonly Role[]>;
  };
  waivers: Waiver[];
  /** A rule that reads the clock must add its next edge to `verdictHoldsUntil`. */
  now: Date;
  /** The release's approvals judged against this policy's stages (approvals-complete). */
  approvals?: ApprovalProgress | null;
  /** The release's latest CAB decision; absent or null when none was taken. */
  cabDecision?: CabDecision | null;
}

export interface RuleVerdict {
  rule: GateRuleId;
  title: string;
  result: RuleResult;
  reason: string;
  waiver?: Waiver;
}

interface Outcome {
  result: 'pass' | 'fail' | 'not-applicable';
  reason: string;
}

interface GateRule {
  id: string;
  title: string;
  evaluate(requires: PolicyRequirements, facts: GateFacts): Outcome;
}

const pass = (reason: string): Outcome => ({ result: 'pass', reason });
const fail = (reason: string): Outcome => ({ result: 'fail', reason });
const notApplicable = (reason: string): Outcome => ({ result: 'not-applicable', reason });

const pct = (n: number | null) => (n === null ? 'n/a' : `${Number(n.toFixed(2))} %`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const upload = (key: string, type: string) =>
  `upload it with \`gatehouse evidence add ${key} --type ${type} FILE\``;

const RULES = [
  {
    id: 'tests-pass-rate',
    title: 'Test pass rate',
    evaluate(requires, facts) {
      if (!requires.tests) return notApplicable('the policy requires no test evidence');
      const tests = facts.evidence.tests;
      if (!tests)
        return fail(
          `no JUnit test report for ${facts.release.key}: ${upload(facts.release.key, 'junit')}`,
        );
      const ran = tests.passed + tests.failed + tests.errors;
      if (ran === 0)
        return fail(`the test reports hold no test that ran (${tests.skipped} skipped)`);
      const rate = (tests.passed / ran) * 100;
      const summary = `${tests.passed} of ${ran} tests passed (${pct(Math.floor(rate * 100) / 100)})${tests.skipped ? `, ${tests.skipped} skipped` : ''}`;
      if (rate + 1e-9 >= requires.tests.minPassRate)
        return pass(`${summary}; ${requires.tests.minPassRate} % required`);
      const first = tests.failures[0];
      return fail(
        `${summary}, below the ${requires.tests.minPassRate} % required: ${plural(tests.failed, 'failure')}, ${plural(tests.errors, 'error')}` +
          (first
            ? `; first: ${first.suite ? `${first.suite} › ` : ''}${first.name}${first.message ? ` — ${first.message}` : ''}`
            : ''),
      );
    },
  },
  {
    id: 'coverage-lines',
    title: 'Line coverage',
    evaluate(requires, facts) {
      const min = requires.coverage?.minLines;
      if (min === undefined) return notApplicable('the policy sets no line-coverage threshold');
      const coverage = facts.evidence.coverage;
      if (!coverage)
        return fail(
          `no coverage report for ${facts.release.key}: ${upload(facts.release.key, 'lcov|cobertura')}`,
        );
      const { covered, total, percent } = coverage.lines;
      if (percent === null) return fail('the coverage reports cover no lines');
      const summary = `line coverage ${pct(percent)} (${covered} of ${total} lines)`;
      return percent >= min
        ? pass(`${summary}; ${min} % required`)
        : fail(`${summary} is below the ${min} % required`);
    },
  },
  {
    id: 'coverage-branches',
    title: 'Branch coverage',
    evaluate(requires, facts) {
      const min = requires.coverage?.minBranches;
      if (min === undefined) return notApplicable('the policy sets no branch-coverage threshold');
      const coverage = facts.evidence.coverage;
      if (!coverage)
        return fail(
          `no coverage report for ${facts.release.key}: ${upload(facts.release.key, 'lcov|cobertura')}`,
        );
      const { covered, total, percent } = coverage.branches;
      if (percent === null) return fail('the coverage reports record no branches');
      const summary = `branch coverage ${pct(percent)} (${covered} of ${total} branches)`;
      return percent >= min
        ? pass(`${summary}; ${min} % required`)
        : fail(`${summary} is below the ${min} % required`);
    },
  },
  {
    id: 'static-analysis',
    title: 'Critical and high static-analysis findings',
    evaluate(requires, facts) {
      const limits = requires.findings;
      if (!limits) return notApplicable('the policy requires no static analysis');
      const findings = facts.evidence.findings;
      if (!findings)
        return fail(
          `no SARIF report for ${facts.release.key}: ${upload(facts.release.key, 'sarif')}`,
        );
      const over: string[] = [];
      const { critical, high } = findings.bySeverity;
      if (critical > limits.maxCritical)
        over.push(
          `${plural(critical, 'critical finding')} (at most ${limits.maxCritical} allowed)`,
        );
      if (limits.maxHigh !== undefined && high > limits.maxHigh)
        over.push(`${plural(high, 'high finding')} (at most ${limits.maxHigh} allowed)`);
      if (over.length === 0)
        return pass(
          `${plural(critical, 'critical finding')}, ${plural(high, 'high finding')} from ${findings.tools.join(', ')} (${findings.total} in all)`,
        );
      const examples = findings.top
        .filter((f) => f.severity === 'critical' || f.severity === 'high')
        .slice(0, 3)
        .map(
          (f) =>
            `${f.ruleId}${f.location ? ` at ${f.location}` : ''}${f.message ? ` — ${f.message}` : ''}`,
        );
      return fail(`${over.join(' and ')}: ${examples.join('; ')}`);
    },
  },
  {
    id: 'critical-vulnerabilities',
    title: 'Known vulnerabilities (transitive dependencies included)',
    evaluate(requires, facts) {
      const limits = requires.vulnerabilities;
      if (!limits) return notApplicable('the policy requires no vulnerability scan');
      const scan = facts.evidence.vulnerabilities;
      if (!scan)
        return fail(
          `no SBOM or vulnerability report for ${facts.release.key}: ${upload(facts.release.key, 'cyclonedx|trivy|grype')}`,
        );
      const describe = (severity: 'critical' | 'high', n: number) => {
        const listed = scan.listed.filter((v) => v.severity === severity).slice(0, 5);
        const more = n > listed.length ? `, and ${n - listed.length} more` : '';
        return `${n} ${severity} CVE${n === 1 ? '' : 's'}: ${listed
          .map(
            (v) =>
              `${v.id} in ${v.package} ${v.version}, ${v.fixedIn ? `fixed in ${v.fixedIn}` : 'no fix yet'}`,
          )
          .join('; ')}${more}`;
      };
      const over: string[] = [];
      if (scan.bySeverity.critical > limits.maxCritical)
        over.push(describe('critical', scan.bySeverity.critical));
      if (limits.maxHigh !== undefined && scan.bySeverity.high > limits.maxHigh)
        over.push(describe('high', scan.bySeverity.high));
      if (over.length === 0)
        return pass(
          `${plural(scan.bySeverity.critical, 'critical CVE')}, ${plural(scan.bySeverity.high, 'high CVE')} across ${plural(scan.packages, 'package')}`,
        );
      return fail(over.join(' — '));
    },
  },
  {
    id: 'rollback-plan',
    title: 'Rollback plan present',
    evaluate(requires, facts) {
      if (!requires.rollbackPlan)
        return notApplicable('the policy does not require a rollback plan');
      return facts.release.rollbackPlan.trim()
        ? pass('the release has a rollback plan')
        : fail(
            `${facts.release.key} has no rollback plan: write one (gatehouse release edit or PATCH /releases/${facts.release.key})`,
          );
    },
  },
  {
    id: 'prior-environment-verified',
    title: 'Prior environment deployed and verified',
    evaluate(requires, facts) {
      if (!requires.priorEnvironmentVerified)
        return notApplicable('the policy does not require it');
      if (!facts.prior)
        return notApplicable(
          `${facts.subject.environment} is the first environment on the promotion path`,
        );
      if (facts.release.services.length === 0)
        return notApplicable('the release carries no service');
      const missing = facts.prior.deployments.filter(
        (d) => d.status !== 'succeeded' || !d.finishedAt,
      );
      if (missing.length === 0)
        return pass(`every service was deployed successfully to ${facts.prior.environment}`);
      return fail(
        `${facts.prior.environment} is not verified: ${missing
          .map((d) =>
            d.status
              ? `${d.service}'s latest deployment there ${d.status === 'started' ? 'has not finished' : `is ${d.status}`}`
              : `${d.service} was never deployed there`,
          )
          .join('; ')}`,
      );
    },
  },
  {
    id: 'dependency-releases-ready',
    title: 'Releases of dependencies ready',
    evaluate(requires, facts) {
      if (!requires.dependencyReleasesReady) return notApplicable('the policy does not require it');
      const waiting = facts.upstream.filter((u) => !u.deployedToTarget);
      if (waiting.length === 0)
        return pass(
          facts.upstream.length
            ? `${facts.upstream.map((u) => u.key).join(', ')} already deployed to ${facts.subject.environment}`
            : 'no open release of a service this release depends on',
        );
      return fail(
        waiting
          .map(
            (u) =>
              `${u.key} (${u.service} ${u.version}, needed by ${u.neededBy}) is in ${u.state} and not yet deployed to ${facts.subject.environment}`,
          )
          .join('; '),
      );
    },
  },
  {
    id: 'pen-test-sign-off',
    title: 'Penetration-test sign-off',
    evaluate(requires, facts) {
      if (!requires.penTestSignOff) return notApplicable('the policy does not require it');
      const security = facts.security;
      const reasons = [
        security?.addsExternalEndpoints ? 'adds external endpoints' : '',
        security?.changesAuthentication ? 'changes authentication' : '',
      ].filter(Boolean);
      if (reasons.length === 0)
        return notApplicable(
          'the release declares no new external endpoint and no authentication change',
        );
      if (security?.penTestSignedOffBy)
        return pass(
          `signed off by ${security.penTestSignedOffBy}${security.penTestReference ? ` (${security.penTestReference})` : ''}`,
        );
      return fail(
        `the release ${reasons.join(' and ')}, and no penetration test has been signed off`,
      );
    },
  },
  {
    id: 'freeze-window',
    title: 'Outside freeze windows',
    evaluate(requires, facts) {
      const { services, approverRoles } = facts.freeze;
      if (facts.release.services.length === 0)
        return notApplicable('the release carries no service');
      if (services.length === 0) return notApplicable('no freeze window is on the calendar');
      const named = requires.freeze?.exceptionApprovedBy ?? [];
      const problems: string[] = [];
      const passed: string[] = [];
      for (const { service, decision } of services) {
        for (const w of decision.forbiddenBy)
          problems.push(
            `${service} is frozen by ${w.window} (${w.start} to ${w.end}, ${w.timeZone}); allowed again from ${decision.allowedFrom ?? w.end}`,
          );
        for (const w of decision.passedByException) {
          const roles = approverRoles[w.exception.id] ?? [];
          const by = `${w.exception.approvedBy} (${roles.join(', ') || 'no role'})`;
          if (named.some((role) => roles.includes(role)))
            passed.push(
              `${service} passes ${w.window} by the exception ${by} approved: "${w.exception.reason}"`,
            );
          else
            problems.push(
              named.length === 0
                ? `${service} is frozen by ${w.window}; ${facts.release.key} holds an exception, but the policy names no freeze exception approval`
                : `${service} is frozen by ${w.window}; the exception was approved by ${by}, and the policy needs one approved by ${named.join(' or ')}`,
            );
        }
      }
      if (problems.length > 0) return fail(problems.join('; '));
      if (passed.length > 0) return pass(passed.join('; '));
      return pass(
        `no freeze is in force for ${services.map((s) => s.service).join(', ')} in ${facts.subject.environment} now`,
      );
    },
  },
  {
    id: 'approvals-complete',
    title: 'Approvals complete',
    evaluate(requires, facts) {
      if (!requires.approvals?.stages?.length)
        return notApplicable('the policy names no approval stage');
      const progress = facts.approvals;
      if (!progress) return fail('the approvals of the release were not gathered');
      const summary = summariseApprovals(progress);
      if (progress.state === 'complete') return pass(`every stage approved: ${summary}`);
      return fail(
        `${progress.state === 'rejected' ? 'rejected' : 'approvals pending'}: ${summary} (gatehouse approve ${facts.release.key} --stage STAGE)`,
      );
    },
  },
  {
    id: 'cab-decision',
    title: 'CAB decision: Go, or Conditional Go with every condition met',
    evaluate(requires, facts) {
      const path = requires.approvals?.path;
      if (!needsCab(path))
        return notApplicable(`the approval path is ${path ?? 'not set'}, not a CAB`);
      // The emergency CAB decides through its named approvers (approvals-complete), so an
      // emergency deploys without waiting for a meeting; a meeting's No-Go still holds it.
      if (path === 'emergency-cab' && !facts.cabDecision)
        return notApplicable(
          'emergency path: the emergency CAB decides through its named approvers; no meeting decision is needed',
        );
      const outcome = cabGateOutcome(facts.release.key, facts.cabDecision ?? null);
      return outcome.result === 'pass' ? pass(outcome.reason) : fail(outcome.reason);
    },
  },
  {
    id: 'artifact-signature',
    title: 'Artifact signed by an allowed identity',
    evaluate(requires, facts) {
      const allowed = requires.signature?.identities;
      if (!allowed?.length) return notApplicable('the policy requires no artifact signature');
      const signatures = facts.evidence.signatures ?? [];
      if (signatures.length === 0)
        return fail(
          `no Sigstore bundle for ${facts.release.key}: upload it with \`gatehouse evidence add ${facts.release.key} --type sigstore --artifact sha256:HEX FILE\``,
        );
      const who = (s: SignatureFacts) =>
        `${s.artifactDigest} signed by ${s.identity.subjectAlternativeName ?? 'no SAN'} (issuer ${s.identity.issuer ?? 'none'})`;
      const outsiders = signatures.filter((s) => !signedByAllowed(s, allowed));
      if (outsiders.length > 0)
        return fail(
          `${outsiders.map(who).join('; ')}: not an allowed identity (allowed: ${allowed
            .map((a) => `${a.subjectAlternativeName} from ${a.issuer}`)
            .join(', ')})`,
        );
      return pass(signatures.map(who).join('; '));
    },
  },
] as const satisfies readonly GateRule[];

/** Both the SAN and the issuer must match one allowed identity: a SAN alone is not enough. */
function signedByAllowed(
  signature: SignatureFacts,
  allowed: ReadonlyArray<{ subjectAlternativeName: string; issuer: string }>,
): boolean {
  return allowed.some(
    (a) =>
      a.subjectAlternativeName === signature.identity.subjectAlternativeName &&
      a.issuer === signature.identity.issuer,
  );
}

export type GateRuleId = (typeof RULES)[number]['id'];
export const GATE_RULES: readonly GateRule[] = RULES;
export const GATE_RULE_IDS = RULES.map((r) => r.id) as GateRuleId[];

export function isGateRule(value: string): value is GateRuleId {
  return (GATE_RULE_IDS as string[]).includes(value);
}

/**
 * Until when a verdict on these facts stays what it is while no data changes: the clock
 * enters the facts only through waiver expiries, approval stages falling due and freeze
 * windows starting or ending (`freezeBoundary`, from `nextBoundary`).
 */
export function verdictHoldsUntil(facts: GateFacts, freezeBoundary: number): number {
  const now = facts.now.getTime();
  const instants = [
    freezeBoundary,
    ...facts.waivers.map((w) => Date.parse(w.expiresAt)),
    // A stage is overdue once the clock is past its due time, not at it.
    ...(facts.approvals?.stages ?? []).map((s) => (s.dueAt ? Date.parse(s.dueAt) + 1 : Infinity)),
  ];
  return Math.min(...instants.filter((t) => t > now));
}

export function isWaiverActive(waiver: Waiver, now: Date): boolean {
  // By instant, not by text: "…00Z" and "…00.000Z" are the same moment.
  return Date.parse(waiver.expiresAt) > now.getTime();
}

export interface GateVerdict {
  verdict: 'pass' | 'fail';
  policy: string | null;
  selectedBecause: string;
  rules: RuleVerdict[];
}

export function evaluateGate(policy: Policy | null, facts: GateFacts): GateVerdict {
  const subject = describeSubject(facts.subject);
  if (!policy)
    return {
      verdict: 'fail',
      policy: null,
      selectedBecause: `no policy in the set matches ${subject}; add a catch-all policy`,
      rules: [],
    };
  const rules = RULES.map((rule): RuleVerdict => {
    const outcome = rule.evaluate(policy.requires, facts);
    const base = { rule: rule.id, title: rule.title, ...outcome };
    if (outcome.result !== 'fail') return base;
    const waiver = facts.waivers.find((w) => w.rule === rule.id && isWaiverActive(w, facts.now));
    if (!waiver) return base;
    return {
      ...base,
      result: 'waived',
      reason: `waived by ${waiver.grantedBy} until ${waiver.expiresAt} ("${waiver.justification}"); would fail: ${outcome.reason}`,
      waiver,
    };
  });
  return {
    verdict: rules.some((r) => r.result === 'fail') ? 'fail' : 'pass',
    policy: policy.name,
    selectedBecause: `the first policy matching ${subject}`,
    rules,
  };
}
