/**
 * SARIF 2.1.0 logs (ESLint's SARIF formatter, CodeQL, Semgrep, Checkov…). A finding's
 * severity comes from its rule's `security-severity` property where the tool gives one
 * (the GitHub code-scanning convention: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, else low);
 * otherwise from its level, its own or its rule's default: error → high,
 * warning → medium, note → low. Results are streamed one at a time.
 */
import {
  emptySeverityCounts,
  keepWorst,
  LISTED_LIMIT,
  sortBySeverity,
  type Finding,
  type FindingFacts,
  type Severity,
} from '../../domain/evidence.js';
import { streamJson } from './json-stream.js';
import { clip, invalidEvidence, text, type EvidenceSource } from './source.js';

interface RuleInfo {
  level: string;
  securitySeverity: number | null;
}

type Json = Record<string, unknown>;
const object = (value: unknown): Json =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};

export function severityOf(level: string, securitySeverity: number | null): Severity {
  if (securitySeverity !== null) {
    if (securitySeverity >= 9) return 'critical';
    if (securitySeverity >= 7) return 'high';
    if (securitySeverity >= 4) return 'medium';
    return 'low';
  }
  if (level === 'error') return 'high';
  if (level === 'warning' || level === '') return 'medium';
  return 'low';
}

function ruleInfo(rule: Json): RuleInfo {
  const score = Number(object(rule.properties)['security-severity']);
  return {
    level: text(object(rule.defaultConfiguration).level),
    securitySeverity: Number.isFinite(score) && score >= 0 ? score : null,
  };
}

function locationOf(result: Json): string {
  const first = object((result.locations as unknown[] | undefined)?.[0]);
  const physical = object(first.physicalLocation);
  const uri = text(object(physical.artifactLocation).uri);
  const line = object(physical.region).startLine;
  return uri ? `${uri}${typeof line === 'number' ? `:${line}` : ''}` : '';
}

export async function parseSarif(source: EvidenceSource): Promise<FindingFacts> {
  const facts: FindingFacts = {
    kind: 'findings',
    tools: [],
    total: 0,
    bySeverity: emptySeverityCounts(),
    top: [],
  };
  let version: unknown;
  const rules = new Map<string, RuleInfo>();
  // Results naming a rule not yet seen (a writer that puts results before tool) wait here.
  const deferred: Array<{ run: number; result: Json }> = [];

  const count = (run: number, result: Json) => {
    const ruleId = text(result.ruleId) || text(object(result.rule).id) || '(no rule)';
    const rule = rules.get(`${run}/${ruleId}`);
    const level = text(result.level) || rule?.level || '';
    if (level === 'none') return;
    const severity = severityOf(level, rule?.securitySeverity ?? null);
    facts.total++;
    facts.bySeverity[severity]++;
    const message = object(result.message);
    const finding: Finding = {
      ruleId: clip(ruleId, 200),
      severity,
      message: clip(text(message.text) || text(message.id)),
      location: clip(locationOf(result), 300),
    };
    keepWorst(facts.top, finding, LISTED_LIMIT);
  };

  await streamJson(
    source,
    [
      '$.version',
      '$.runs.*.tool.driver.name',
      '$.runs.*.tool.driver.rules.*',
      '$.runs.*.tool.extensions.*.rules.*',
      '$.runs.*.results.*',
    ],
    ({ path, value }) => {
      if (path.length === 1) {
        version = value;
        return;
      }
      const run = Number(path[1]);
      if (path.at(-1) === 'name') {
        if (typeof value === 'string' && !facts.tools.includes(value)) facts.tools.push(value);
        return;
      }
      const item = object(value);
      if (path[2] === 'tool') {
        const id = text(item.id);
        if (id) rules.set(`${run}/${id}`, ruleInfo(item));
        return;
      }
      const ruleId = text(item.ruleId) || text(object(item.rule).id);
      if (ruleId && !rules.has(`${run}/${ruleId}`) && !text(item.level))
        deferred.push({ run, result: item });
      else count(run, item);
    },
  );
  if (version !== '2.1.0')
    throw invalidEvidence(
      version === undefined
        ? 'no "version": not a SARIF log'
        : `SARIF version ${JSON.stringify(version)} is not supported: only 2.1.0`,
    );
  if (facts.tools.length === 0)
    throw invalidEvidence('no runs[].tool.driver.name: not a SARIF log');
  for (const { run, result } of deferred) count(run, result);
  facts.top = sortBySeverity(facts.top);
  return facts;
}
