import { Type } from '@sinclair/typebox';
import { addActionItem } from '../../app/reviews/addActionItem.js';
import { addCause } from '../../app/reviews/addCause.js';
import { addFactor } from '../../app/reviews/addFactor.js';
import { addTimelineEntry } from '../../app/reviews/addTimelineEntry.js';
import { overdueActionItems } from '../../app/reviews/overdueActionItems.js';
import { updateActionItem } from '../../app/reviews/updateActionItem.js';
import { updateReviewSections } from '../../app/reviews/updateReviewSections.js';
import { closeReview } from '../../app/reviews/closeReview.js';
import { openReviewByHand } from '../../app/reviews/openReviewByHand.js';
import { OpenReviewInput } from '../../domain/review/triggers.js';
import {
  exportReviewMarkdown,
  getReview,
  listReviews,
  recurringFactors,
  searchLessons,
} from '../../app/reviews/queries.js';
import { execute, query } from '../../app/context.js';
import {
  AddActionItemInput,
  AddCauseInput,
  AddFactorInput,
  AddTimelineEntryInput,
  CloseReviewInput,
  CONTRIBUTING_FACTORS,
  UpdateActionItemInput,
  UpdateSectionsInput,
} from '../../domain/review/review.js';
import { Slug, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam } from '../schemas/common.js';
import { ActionItemSchema, ReviewDetailSchema, ReviewSchema } from '../schemas/review.js';
import type { RouteDeps } from './index.js';

const NOT_FOUND = { 404: Type.Ref('Problem') };
const EDIT = { ...ERROR_RESPONSES, ...NOT_FOUND, 409: Type.Ref('Problem') };

export function reviewRoutes({ server, app }: RouteDeps): void {
  const tags = ['reviews'];

  server.get(
    '/reviews',
    {
      schema: {
        tags,
        summary: 'Post-release reviews, latest opened first',
        querystring: Type.Object(
          {
            status: Type.Optional(StringEnum(['open', 'closed'] as const)),
            release: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: 'only the review of this release (key or id)',
              }),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ReviewSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) => listReviews(ctx, request.query)),
    }),
  );

  server.get(
    '/reviews/:id',
    {
      schema: {
        tags,
        summary:
          'A review (by its key, id or its release key) with the timeline assembled from the release records and the blameless-language flags',
        params: IdParam,
        response: { 200: ReviewDetailSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getReview(ctx, request.params.id)),
  );

  server.get(
    '/reviews/:id/markdown',
    {
      schema: {
        tags,
        summary: 'The review as a Markdown document',
        produces: ['text/markdown'],
        params: IdParam,
        response: { ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const body = await query(app, request.actor, (ctx) =>
        exportReviewMarkdown(ctx, request.params.id),
      );
      return reply.type('text/markdown; charset=utf-8').send(body);
    },
  );

  server.patch(
    '/reviews/:id/sections',
    {
      schema: {
        tags,
        summary: "Write the review's sections (facts and analysis), by section name",
        params: IdParam,
        body: UpdateSectionsInput,
        response: { 200: ReviewSchema, ...EDIT },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        updateReviewSections(ctx, request.params.id, request.body),
      ),
  );

  server.post(
    '/reviews/:id/timeline',
    {
      schema: {
        tags,
        summary: 'Add a timeline entry by hand (what the records do not show)',
        params: IdParam,
        body: AddTimelineEntryInput,
        response: { 201: ReviewSchema, ...EDIT },
      },
    },
    async (request, reply) => {
      const review = await execute(app, request.actor, (ctx) =>
        addTimelineEntry(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return review;
    },
  );

  server.post(
    '/reviews/:id/causes',
    {
      schema: {
        tags,
        summary:
          'Add a cause: a 5 Whys answer (parent: the why it answers) or a fishbone cause (category); without evidence it is flagged speculative',
        params: IdParam,
        body: AddCauseInput,
        response: { 201: ReviewSchema, ...EDIT },
      },
    },
    async (request, reply) => {
      const review = await execute(app, request.actor, (ctx) =>
        addCause(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return review;
    },
  );

  server.post(
    '/reviews/:id/factors',
    {
      schema: {
        tags,
        summary: 'Name a contributing factor from the taxonomy',
        params: IdParam,
        body: AddFactorInput,
        response: { 201: ReviewSchema, ...EDIT },
      },
    },
    async (request, reply) => {
      const review = await execute(app, request.actor, (ctx) =>
        addFactor(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return review;
    },
  );

  server.post(
    '/reviews/:id/action-items',
    {
      schema: {
        tags,
        summary: 'Add an action item (owner and due date are required before the review closes)',
        params: IdParam,
        body: AddActionItemInput,
        response: { 201: ActionItemSchema, ...EDIT },
      },
    },
    async (request, reply) => {
      const item = await execute(app, request.actor, (ctx) =>
        addActionItem(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return item;
    },
  );

  server.patch(
    '/action-items/:id',
    {
      schema: {
        tags,
        summary: "Change an action item's owner, due date, success criteria or status",
        params: IdParam,
        body: UpdateActionItemInput,
        response: { 200: ActionItemSchema, ...EDIT },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => updateActionItem(ctx, request.params.id, request.body)),
  );

  server.get(
    '/action-items/overdue',
    {
      schema: {
        tags,
        summary: 'Unfinished action items past their due date, oldest first',
        response: { 200: Type.Object({ items: Type.Array(ActionItemSchema) }), ...ERROR_RESPONSES },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) => overdueActionItems(ctx)),
    }),
  );

  server.post(
    '/reviews/:id/close',
    {
      schema: {
        tags,
        summary:
          'Close the review; refused naming each empty mandatory section and each action item without owner or due date',
        params: IdParam,
        body: CloseReviewInput,
        response: { 200: ReviewSchema, ...EDIT },
      },
      // The body is optional: closing needs nothing but may carry a note.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => closeReview(ctx, request.params.id, request.body?.note)),
  );

  server.post(
    '/releases/:id/reviews',
    {
      schema: {
        tags,
        summary:
          "Open the release's post-release review by hand, with a reason; refused (409) while it has an open review, a closed one is reopened",
        params: IdParam,
        body: OpenReviewInput,
        response: { 201: ReviewSchema, ...EDIT },
      },
    },
    async (request, reply) => {
      const review = await execute(app, request.actor, (ctx) =>
        openReviewByHand(ctx, request.params.id, request.body),
      );
      void reply.code(201).header('location', `/reviews/${review.key}`);
      return review;
    },
  );

  server.get(
    '/lessons',
    {
      schema: {
        tags,
        summary:
          'Lessons learned: closed reviews, their causes and actions, full-text by text, service and contributing factor',
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            service: Type.Optional(Slug),
            factor: Type.Optional(StringEnum(CONTRIBUTING_FACTORS)),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                review: Type.String(),
                release: Type.String(),
                kind: Type.String({ enum: ['review', 'cause', 'action'] }),
                text: Type.String(),
                services: Type.Array(Type.String()),
                factors: Type.Array(Type.String()),
                closedAt: Type.String(),
              }),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => {
      const { q, ...rest } = request.query;
      return {
        items: await query(app, request.actor, (ctx) => searchLessons(ctx, { text: q, ...rest })),
      };
    },
  );

  server.get(
    '/lessons/recurring-factors',
    {
      schema: {
        tags,
        summary: 'Contributing factors named by several closed reviews, most frequent first',
        querystring: Type.Object(
          { minReviews: Type.Integer({ minimum: 1, maximum: 1000, default: 2 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                factor: Type.String(),
                reviews: Type.Integer(),
                services: Type.Array(Type.String()),
                reviewKeys: Type.Array(Type.String()),
              }),
            ),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => ({
      items: await query(app, request.actor, (ctx) =>
        recurringFactors(ctx, request.query.minReviews),
      ),
    }),
  );
}
