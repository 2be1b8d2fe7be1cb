/**
 * When a post-release review opens by itself, as data: the `reviews` section of the
 * policy set names the triggers (tier-1 services, any rollback, incidents of chosen
 * severities linked to the release, every emergency change), which of them make the
 * review mandatory before the release may close, when the light template is enough,
 * and how many days the review team has.
 */
import { Type, type Static } from '@sinclair/typebox';
import { CLASSIFICATIONS, type Classification } from '../release.js';
import { StrictObject, StringEnum } from '../schema-kit.js';

export const TRIGGER_KINDS = ['tier', 'rollback', 'incident', 'emergency'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export const REVIEW_TEMPLATES = ['full', 'light'] as const;
export type ReviewTemplateName = (typeof REVIEW_TEMPLATES)[number];

const Days = Type.Integer({ minimum: 1, maximum: 90 });

export const ReviewPolicy = StrictObject(
  {
    triggers: StrictObject({
      tiers: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { uniqueItems: true }),
      ),
      rollback: Type.Optional(Type.Boolean()),
      incidentSeverities: Type.Optional(
        Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { uniqueItems: true }),
      ),
      emergency: Type.Optional(Type.Boolean()),
    }),
    mandatory: Type.Optional(
      Type.Array(StringEnum(TRIGGER_KINDS), {
        uniqueItems: true,
        description: 'triggers whose review must be closed before the release may close',
      }),
    ),
    lightTemplate: Type.Optional(
      StrictObject(
        {
          classifications: Type.Array(StringEnum(CLASSIFICATIONS), { uniqueItems: true }),
          triggers: Type.Array(StringEnum(TRIGGER_KINDS), { uniqueItems: true }),
        },
        {
          description:
            'the light template applies when the release is of one of these (low-risk) classifications and every trigger is one of these',
        },
      ),
    ),
    dueDays: Type.Optional(StrictObject({ full: Days, light: Days })),
  },
  { description: 'when post-release reviews open by themselves' },
);
export type ReviewPolicy = Static<typeof ReviewPolicy>;

/** What applies when a policy set has no `reviews` section: the shipped defaults. */
export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  triggers: { tiers: [1], rollback: true, incidentSeverities: [1, 2], emergency: true },
  mandatory: ['tier', 'rollback', 'incident', 'emergency'],
  lightTemplate: { classifications: ['patch', 'minor'], triggers: ['tier'] },
  dueDays: { full: 5, light: 10 },
};

/** The states whose entry may fire a transition trigger: the change is live or went wrong. */
export const TRIGGERING_STATES: readonly string[] = ['verify', 'failed', 'rolled-back'];

export interface ReviewTrigger {
  /** `manual`: a person opened the review by hand (src/app/reviews/openReviewByHand.ts). */
  kind: TriggerKind | 'manual';
  reason: string;
}

/** What happened to the release that may call for a review. */
export type ReviewEvent =
  | { kind: 'transition'; to: string; classification: Classification; tier: number | null }
  | { kind: 'incident'; incident: string; severity: number };

/**
 * The triggers an event fires. Tier and emergency reviews open once the change is live
 * (Verify) or has gone wrong (Failed, Rolled back); a rollback always; an incident
 * when its severity is listed.
 */
export function reviewTriggers(policy: ReviewPolicy, event: ReviewEvent): ReviewTrigger[] {
  const t = policy.triggers;
  const fired: ReviewTrigger[] = [];
  if (event.kind === 'incident') {
    if (t.incidentSeverities?.includes(event.severity))
      fired.push({
        kind: 'incident',
        reason: `incident ${event.incident} of severity ${event.severity} is linked to the release`,
      });
    return fired;
  }
  const live = TRIGGERING_STATES.includes(event.to);
  if (!live) return fired;
  if (event.tier !== null && t.tiers?.includes(event.tier))
    fired.push({ kind: 'tier', reason: `the release ships a tier-${event.tier} service` });
  if (t.emergency && event.classification === 'emergency')
    fired.push({
      kind: 'emergency',
      reason: 'an emergency change gets a post-implementation review',
    });
  if (t.rollback && event.to === 'rolled-back')
    fired.push({ kind: 'rollback', reason: 'the release was rolled back' });
  return fired;
}

export function isMandatory(policy: ReviewPolicy, triggers: readonly ReviewTrigger[]): boolean {
  const mandatory = policy.mandatory ?? [];
  return triggers.some((t) => t.kind !== 'manual' && mandatory.includes(t.kind));
}

/** Full unless the release is low-risk by classification and nothing but light triggers fired. */
export function chooseTemplate(
  policy: ReviewPolicy,
  classification: Classification,
  triggers: readonly ReviewTrigger[],
): ReviewTemplateName {
  const light = policy.lightTemplate;
  if (!light) return 'full';
  if (!light.classifications.includes(classification)) return 'full';
  return triggers.every((t) => t.kind !== 'manual' && light.triggers.includes(t.kind))
    ? 'light'
    : 'full';
}

export function dueAt(policy: ReviewPolicy, template: ReviewTemplateName, from: Date): string {
  const days = policy.dueDays?.[template] ?? (template === 'full' ? 5 : 10);
  return new Date(from.getTime() + days * 86_400_000).toISOString();
}

/** Opening a review by hand: the template, whether it must close before the release, and why. */
export const OpenReviewInput = StrictObject({
  template: Type.Optional(
    StringEnum(REVIEW_TEMPLATES, {
      description: 'full or light; without it, what the policy would choose for the release',
    }),
  ),
  mandatory: Type.Optional(
    Type.Boolean({ description: 'the review must be closed before the release may close' }),
  ),
  reason: Type.String({
    minLength: 1,
    maxLength: 2000,
    pattern: '\\S',
    description: 'why the review is opened; kept as its trigger and in the audit log',
  }),
});
export type OpenReviewInput = Static<typeof OpenReviewInput>;
