/**
 * Go / No-Go: the final checkpoint before a release goes to an environment. It records
 * who was in the room, the readiness checklist exactly as the gate evaluated it at that
 * moment, and the decision with its rationale. A Go against a failing gate is refused:
 * the checkpoint confirms readiness, it does not overrule the evidence (a waiver does).
 */
import { Type, type Static } from '@sinclair/typebox';
import { Slug, StrictObject, StringEnum } from '../schema-kit.js';

export const GO_NO_GO = ['go', 'no-go'] as const;
export type GoNoGo = (typeof GO_NO_GO)[number];

export const GoNoGoInput = StrictObject({
  environment: Slug,
  decision: StringEnum(GO_NO_GO),
  rationale: Type.String({
    maxLength: 20000,
    description: 'why; required, a blank rationale is refused',
  }),
  participants: Type.Array(Slug, {
    maxItems: 100,
    uniqueItems: true,
    description: 'user names of those who took part; the recorder is added',
  }),
});
export type GoNoGoInput = Static<typeof GoNoGoInput>;

/** The gate verdict as it stood, stored verbatim. */
export interface ReadinessSnapshot {
  verdict: 'pass' | 'fail';
  policy: string | null;
  checkedAt: string;
  rules: Array<{ rule: string; title: string; result: string; reason: string }>;
  [key: string]: unknown;
}

export interface GoNoGoCheckpoint {
  id: string;
  release: string;
  environment: string;
  decision: GoNoGo;
  rationale: string;
  participants: string[];
  readiness: ReadinessSnapshot;
  recordedBy: string;
  recordedAt: string;
}

/** Why a checkpoint may not be recorded as given, or null. */
export function checkpointRefusal(
  decision: GoNoGo,
  readiness: ReadinessSnapshot,
): { code: string; reason: string } | null {
  if (decision !== 'go' || readiness.verdict === 'pass') return null;
  const failing = readiness.rules.filter((r) => r.result === 'fail');
  return {
    code: 'gate-failing',
    reason: `a Go needs the readiness checklist to pass; failing now: ${failing
      .map((r) => `${r.rule} (${r.reason})`)
      .join('; ')}`,
  };
}
