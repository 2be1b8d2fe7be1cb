import { Type } from '@sinclair/typebox';
import { Nullable } from './common.js';

export const ActionItemSchema = Type.Object({
  id: Type.String(),
  review: Type.String(),
  title: Type.String(),
  owner: Nullable(Type.String()),
  dueAt: Nullable(Type.String()),
  successCriteria: Type.String(),
  status: Type.String({ enum: ['open', 'in-progress', 'done', 'dropped'] }),
  overdue: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const Flag = Type.Object({
  field: Type.String(),
  sentence: Type.String(),
  person: Nullable(Type.String()),
  reason: Type.String(),
});

const reviewFields = {
  id: Type.String(),
  key: Type.String(),
  release: Type.String(),
  releaseTitle: Type.String(),
  services: Type.Array(Type.String()),
  status: Type.String({ enum: ['open', 'closed'] }),
  template: Type.String({ enum: ['full', 'light'] }),
  mandatory: Type.Boolean({ description: 'must be closed before the release may close' }),
  triggers: Type.Array(Type.Object({ kind: Type.String(), reason: Type.String() })),
  dueAt: Type.String(),
  overdue: Type.Boolean(),
  sections: Type.Array(
    Type.Object({
      name: Type.String(),
      title: Type.String(),
      kind: Type.String({ enum: ['fact', 'analysis'] }),
      mandatory: Type.Boolean(),
      text: Type.String(),
    }),
  ),
  causes: Type.Array(
    Type.Object({
      id: Type.String(),
      method: Type.String({ enum: ['five-whys', 'fishbone'] }),
      text: Type.String(),
      parent: Nullable(Type.String()),
      category: Nullable(Type.String()),
      factor: Nullable(Type.String()),
      evidence: Type.Array(Type.Object({ kind: Type.String(), ref: Type.String() })),
      speculative: Type.Boolean({ description: 'no evidence linked: a hypothesis' }),
      author: Type.String(),
      createdAt: Type.String(),
    }),
  ),
  factors: Type.Array(Type.Object({ factor: Type.String(), note: Type.String() })),
  actionItems: Type.Array(ActionItemSchema),
  openedAt: Type.String(),
  closedAt: Nullable(Type.String()),
  closedBy: Nullable(Type.String()),
  revision: Type.Integer(),
};

export const ReviewSchema = Type.Object(reviewFields);

export const ReviewDetailSchema = Type.Object({
  ...reviewFields,
  timeline: Type.Array(
    Type.Object({
      at: Type.String(),
      source: Type.String(),
      text: Type.String(),
      ref: Nullable(Type.String()),
      by: Nullable(Type.String()),
    }),
  ),
  languageFlags: Type.Array(Flag, {
    description: 'sentences that attribute fault to a person (advice; nothing is refused)',
  }),
});
