import { Type } from '@sinclair/typebox';
import { CAB_DECISIONS } from '../../domain/cab/decision.js';
import { GO_NO_GO } from '../../domain/cab/go-no-go.js';
import { Nullable } from './common.js';

export const CabMeetingSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title: Type.String(),
  timeZone: Type.String(),
  start: Type.String({ description: 'local wall-clock time in timeZone' }),
  end: Type.String({ description: 'local wall-clock time in timeZone' }),
  rrule: Nullable(Type.String()),
  members: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String(),
});

export const OccurrenceSchema = Type.Object({ start: Type.String(), end: Type.String() });

export const CabDecisionSchema = Type.Object({
  id: Type.String(),
  meeting: Type.String(),
  occurrence: Type.String(),
  release: Type.String(),
  decision: Type.String({ enum: [...CAB_DECISIONS] }),
  rationale: Type.String(),
  conditions: Type.Array(
    Type.Object({
      number: Type.Integer(),
      text: Type.String(),
      metBy: Nullable(Type.String()),
      metAt: Nullable(Type.String()),
      note: Nullable(Type.String()),
    }),
  ),
  decidedBy: Type.String(),
  decidedAt: Type.String(),
});

const Link = Type.Object({
  title: Type.String(),
  href: Type.String({ description: 'API path of the evidence' }),
});
const RuleBrief = Type.Object({
  rule: Type.String(),
  result: Type.String(),
  reason: Type.String(),
});
const criterion = <T extends Record<string, ReturnType<typeof Type.String> | object>>(extra: T) =>
  Type.Object({
    status: Type.String({ enum: ['ok', 'attention', 'unknown'] }),
    summary: Type.String(),
    links: Type.Array(Link),
    ...(extra as Record<string, never>),
  });

export const AgendaItemSchema = Type.Object({
  release: Type.String(),
  title: Type.String(),
  version: Type.String(),
  classification: Type.String(),
  state: Type.String(),
  team: Nullable(Type.String()),
  environment: Type.String(),
  policy: Nullable(Type.String()),
  approvalPath: Type.String(),
  plannedWindow: OccurrenceSchema,
  risk: criterion({
    score: Type.Number(),
    level: Type.String(),
    topFactors: Type.Array(
      Type.Object({ factor: Type.String(), points: Type.Number(), explanation: Type.String() }),
    ),
  }),
  testing: criterion({ rules: Type.Array(RuleBrief) }),
  businessImpact: criterion({
    customerFacingChanged: Type.Array(Type.String()),
    customerFacingDownstream: Type.Array(Type.String()),
    downstream: Type.Array(Type.String()),
  }),
  rollbackReadiness: criterion({
    rollbackPlan: Type.String(),
    rollbackOrder: Type.Array(Type.String()),
  }),
  operationalReadiness: criterion({
    priorEnvironment: Nullable(RuleBrief),
    gateVerdict: Type.String({ enum: ['pass', 'fail'] }),
  }),
  decision: Nullable(CabDecisionSchema),
});

export const AgendaSchema = Type.Object({
  meeting: CabMeetingSchema,
  occurrence: OccurrenceSchema,
  nextMeeting: Nullable(OccurrenceSchema),
  items: Type.Array(AgendaItemSchema),
  decisions: Type.Array(CabDecisionSchema),
});

export const GoNoGoSchema = Type.Object({
  id: Type.String(),
  release: Type.String(),
  environment: Type.String(),
  decision: Type.String({ enum: [...GO_NO_GO] }),
  rationale: Type.String(),
  participants: Type.Array(Type.String()),
  readiness: Type.Object(
    {
      verdict: Type.String(),
      policy: Nullable(Type.String()),
      checkedAt: Type.String(),
      rules: Type.Array(
        Type.Object({
          rule: Type.String(),
          title: Type.String(),
          result: Type.String(),
          reason: Type.String(),
        }),
      ),
    },
    {
      additionalProperties: true,
      description: 'the gate verdict as it stood when the checkpoint was recorded',
    },
  ),
  recordedBy: Type.String(),
  recordedAt: Type.String(),
});
