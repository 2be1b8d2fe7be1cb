import { Type } from '@sinclair/typebox';
import {
  generateReleaseNotes,
  getReleaseNotes,
  listStripPatterns,
  releaseNotesMarkdown,
  removeStripPattern,
  setStripPattern,
} from '../../app/communication/releaseNotes.js';
import { execute, query } from '../../app/context.js';
import {
  GenerateNotesInput,
  StripPatternInput,
  StripPatternName,
} from '../../domain/release-notes.js';
import { StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const NotesSchema = Type.Object({
  release: Type.String(),
  securityFix: Type.Boolean(),
  embargoUntil: Nullable(Type.String()),
  published: Type.Boolean(),
  generatedBy: Type.String(),
  generatedAt: Type.String(),
  internalMarkdown: Type.String(),
  customerMarkdown: Nullable(Type.String()),
  strippings: Type.Array(
    Type.Object({ pattern: Type.String(), match: Type.String(), where: Type.String() }),
  ),
});

const PatternSchema = Type.Object({
  name: Type.String(),
  pattern: Type.String(),
  caseInsensitive: Type.Boolean(),
  description: Type.String(),
});

const NOT_FOUND = { 404: Type.Ref('Problem') } as const;

export function releaseNoteRoutes({ server, app }: RouteDeps): void {
  const tags = ['release-notes'];

  server.post(
    '/releases/:id/notes',
    {
      schema: {
        tags,
        summary:
          "Generate the release's notes from its scope: internal, and customer-facing with internal identifiers stripped",
        params: IdParam,
        body: GenerateNotesInput,
        response: { 201: NotesSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const notes = await execute(app, request.actor, (ctx) =>
        generateReleaseNotes(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return notes;
    },
  );

  server.get(
    '/releases/:id/notes',
    {
      schema: {
        tags,
        summary:
          'The generated notes with every stripping listed; customer notes are null while embargoed for this reader',
        params: IdParam,
        response: { 200: NotesSchema, ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request) => query(app, request.actor, (ctx) => getReleaseNotes(ctx, request.params.id)),
  );

  server.get(
    '/releases/:id/notes/:audience',
    {
      schema: {
        tags,
        summary: "One audience's notes as Markdown (customer notes refused while embargoed)",
        produces: ['text/markdown'],
        params: Type.Object(
          {
            id: IdParam.properties.id,
            audience: StringEnum(['internal', 'customer'] as const),
          },
          { additionalProperties: false },
        ),
        response: { ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      const body = await query(app, request.actor, (ctx) =>
        releaseNotesMarkdown(ctx, request.params.id, request.params.audience),
      );
      return reply.type('text/markdown; charset=utf-8').send(body);
    },
  );

  server.get(
    '/release-notes/patterns',
    {
      schema: {
        tags,
        summary: 'The patterns stripped from customer notes: built in, and added by admins',
        response: {
          200: Type.Array(Type.Object({ ...PatternSchema.properties, builtIn: Type.Boolean() })),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listStripPatterns(ctx)),
  );

  server.put(
    '/release-notes/patterns/:name',
    {
      schema: {
        tags,
        summary: 'Add or change a pattern stripped from customer notes (admins; audited)',
        params: Type.Object({ name: StripPatternName }, { additionalProperties: false }),
        body: StripPatternInput,
        response: { 200: PatternSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => setStripPattern(ctx, request.params.name, request.body)),
  );

  server.delete(
    '/release-notes/patterns/:name',
    {
      schema: {
        tags,
        summary: "Remove an admin's pattern (audited)",
        params: Type.Object({ name: StripPatternName }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...ERROR_RESPONSES, ...NOT_FOUND },
      },
    },
    async (request, reply) => {
      await execute(app, request.actor, (ctx) => removeStripPattern(ctx, request.params.name));
      void reply.code(204);
      return null;
    },
  );
}
