/**
 * A post-release review: sections that keep facts (what happened, measured) apart from
 * analysis (why, and what we learn); root causes as data — 5 Whys chains and fishbone
 * categories — each needing linked evidence; contributing factors from a fixed
 * taxonomy; action items with an owner, a due date, success criteria and a status.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { FieldProblem } from '../errors.js';
import { Instant, LongText, ShortText, StrictObject, StringEnum } from '../schema-kit.js';
import type { ReviewTemplateName, ReviewTrigger } from './triggers.js';

export type SectionKind = 'fact' | 'analysis';

export interface SectionTemplate {
  name: string;
  title: string;
  kind: SectionKind;
  mandatory: boolean;
}

const section = (
  name: string,
  title: string,
  kind: SectionKind,
  mandatory: boolean,
): SectionTemplate => ({ name, title, kind, mandatory });

/** Facts first, analysis after, in the order a review meeting walks them. */
export const TEMPLATES: Record<ReviewTemplateName, readonly SectionTemplate[]> = {
  full: [
    section('summary', 'Summary', 'fact', true),
    section('impact', 'Customer and business impact', 'fact', true),
    section('detection', 'How it was detected', 'fact', true),
    section('response', 'Response and recovery', 'fact', true),
    section('went-well', 'What went well', 'analysis', false),
    section('went-wrong', 'What went wrong', 'analysis', true),
    section('lessons', 'Lessons learned', 'analysis', true),
  ],
  light: [
    section('summary', 'Summary', 'fact', true),
    section('impact', 'Customer and business impact', 'fact', false),
    section('lessons', 'Lessons learned', 'analysis', true),
  ],
};

export const CONTRIBUTING_FACTORS = [
  'deployment-process',
  'configuration-drift',
  'dependency-failure',
  'test-gap',
  'capacity',
  'monitoring-gap',
  'change-management',
  'documentation',
  'third-party',
  'data-migration',
  'communication',
] as const;
export type ContributingFactor = (typeof CONTRIBUTING_FACTORS)[number];

/** Ishikawa's categories adapted to software delivery. */
export const FISHBONE_CATEGORIES = [
  'process',
  'tooling',
  'environment',
  'dependencies',
  'people-and-skills',
  'measurement',
] as const;

export const CAUSE_METHODS = ['five-whys', 'fishbone'] as const;
export const EVIDENCE_KINDS = [
  'deployment',
  'incident',
  'evidence',
  'audit',
  'timeline',
  'url',
] as const;
export const ACTION_STATUSES = ['open', 'in-progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const EvidenceLink = StrictObject({
  kind: StringEnum(EVIDENCE_KINDS),
  ref: ShortText,
});
export type EvidenceLink = Static<typeof EvidenceLink>;

export const AddCauseInput = StrictObject({
  method: StringEnum(CAUSE_METHODS),
  text: Type.String({ minLength: 1, maxLength: 4000 }),
  parent: Type.Optional(
    Type.String({ maxLength: 100, description: 'the cause this "why" answers (5 Whys)' }),
  ),
  category: Type.Optional(StringEnum(FISHBONE_CATEGORIES)),
  factor: Type.Optional(StringEnum(CONTRIBUTING_FACTORS)),
  evidence: Type.Optional(Type.Array(EvidenceLink, { maxItems: 50 })),
});
export type AddCauseInput = Static<typeof AddCauseInput>;

export const UpdateSectionsInput = StrictObject({
  sections: Type.Record(Type.String({ maxLength: 50 }), LongText),
});
export type UpdateSectionsInput = Static<typeof UpdateSectionsInput>;

export const AddTimelineEntryInput = StrictObject({
  at: Instant,
  text: Type.String({ minLength: 1, maxLength: 4000 }),
});
export type AddTimelineEntryInput = Static<typeof AddTimelineEntryInput>;

export const AddFactorInput = StrictObject({
  factor: StringEnum(CONTRIBUTING_FACTORS),
  note: Type.Optional(Type.String({ maxLength: 4000 })),
});
export type AddFactorInput = Static<typeof AddFactorInput>;

export const AddActionItemInput = StrictObject({
  title: ShortText,
  owner: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'user name' })),
  dueAt: Type.Optional(Instant),
  successCriteria: Type.Optional(Type.String({ maxLength: 4000 })),
});
export type AddActionItemInput = Static<typeof AddActionItemInput>;

export const UpdateActionItemInput = StrictObject(
  {
    owner: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    dueAt: Type.Optional(Instant),
    successCriteria: Type.Optional(Type.String({ maxLength: 4000 })),
    status: Type.Optional(StringEnum(ACTION_STATUSES)),
  },
  { minProperties: 1 },
);
export type UpdateActionItemInput = Static<typeof UpdateActionItemInput>;

export const CloseReviewInput = StrictObject({
  note: Type.Optional(Type.String({ maxLength: 2000, description: 'recorded in the audit entry' })),
});
export type CloseReviewInput = Static<typeof CloseReviewInput>;

export interface Cause {
  id: string;
  method: (typeof CAUSE_METHODS)[number];
  text: string;
  parent: string | null;
  category: string | null;
  factor: string | null;
  evidence: EvidenceLink[];
  /** No linked evidence: a hypothesis, not a finding. */
  speculative: boolean;
  author: string;
  createdAt: string;
}

export interface FactorEntry {
  factor: ContributingFactor;
  note: string;
}

export interface ActionItem {
  id: string;
  review: string;
  title: string;
  owner: string | null;
  dueAt: string | null;
  successCriteria: string;
  status: ActionStatus;
  overdue: boolean;
  createdAt: string;
  updatedAt: string;
}

export type TimelineSource =
  'transition' | 'deployment' | 'audit' | 'canary' | 'rollout' | 'incident' | 'person';

export interface TimelineEntry {
  at: string;
  source: TimelineSource;
  text: string;
  /** What the entry was assembled from: a deployment id, incident key, audit seq… */
  ref: string | null;
  by: string | null;
}

export interface SectionView extends SectionTemplate {
  text: string;
}

export interface Review {
  id: string;
  key: string;
  release: string;
  releaseTitle: string;
  services: string[];
  status: 'open' | 'closed';
  template: ReviewTemplateName;
  mandatory: boolean;
  triggers: ReviewTrigger[];
  dueAt: string;
  overdue: boolean;
  sections: SectionView[];
  causes: Cause[];
  factors: FactorEntry[];
  actionItems: ActionItem[];
  openedAt: string;
  closedAt: string | null;
  closedBy: string | null;
  revision: number;
}

export function isActionOverdue(
  item: { dueAt: string | null; status: string },
  now: Date,
): boolean {
  return (
    item.dueAt !== null &&
    (item.status === 'open' || item.status === 'in-progress') &&
    Date.parse(item.dueAt) < now.getTime()
  );
}

/** What stops a review from closing, each naming the field to fix. */
export function closingProblems(review: Review): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const s of review.sections)
    if (s.mandatory && !s.text.trim())
      problems.push({
        field: `/sections/${s.name}`,
        reason: `the mandatory section '${s.title}' is empty`,
      });
  review.actionItems.forEach((item, i) => {
    if (!item.owner)
      problems.push({
        field: `/actionItems/${i}/owner`,
        reason: `action item '${item.title}' has no owner`,
      });
    if (!item.dueAt)
      problems.push({
        field: `/actionItems/${i}/dueAt`,
        reason: `action item '${item.title}' has no due date`,
      });
  });
  return problems;
}

/** Unknown section names and writes to a closed review, refused naming the field. */
export function sectionProblems(
  template: ReviewTemplateName,
  sections: Record<string, string>,
): FieldProblem[] {
  const names = new Set(TEMPLATES[template].map((s) => s.name));
  return Object.keys(sections)
    .filter((name) => !names.has(name))
    .map((name) => ({
      field: `/sections/${name}`,
      reason: `the ${template} template has no section '${name}'; it has ${[...names].join(', ')}`,
    }));
}

export function sortTimeline(entries: TimelineEntry[]): TimelineEntry[] {
  return [...entries].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
