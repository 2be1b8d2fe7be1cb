import { Type } from '@sinclair/typebox';
import { deleteRetainedRecord, purgeExpired } from '../../app/retention/purgeRecords.js';
import { listRetentionRules, setRetentionRule } from '../../app/retention/retentionRules.js';
import { execute, query } from '../../app/context.js';
import { PurgeInput, RECORD_TYPES, SetRetentionRuleInput } from '../../domain/retention.js';
import { StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';

const RecordTypeParam = Type.Object(
  { recordType: StringEnum(RECORD_TYPES) },
  { additionalProperties: false },
);

const RuleSchema = Type.Object({
  recordType: Type.String(),
  description: Type.String(),
  countedFrom: Type.String(),
  purge: Type.String(),
  retention: Type.String(),
  isDefault: Type.Boolean(),
  updatedBy: Nullable(Type.String()),
  updatedAt: Nullable(Type.String()),
});

const PurgedRecordSchema = Type.Object({
  id: Type.String(),
  from: Type.String(),
  retainedUntil: Type.String(),
  sha256: Type.String(),
});

export function retentionRoutes({ server, app }: RouteDeps): void {
  const tags = ['retention'];

  server.get(
    '/retention/rules',
    {
      schema: {
        tags,
        summary: 'How long each kind of record is kept, and what a purge does to it',
        response: { 200: Type.Array(RuleSchema), ...ERROR_RESPONSES },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listRetentionRules(ctx)),
  );

  server.put(
    '/retention/rules/:recordType',
    {
      schema: {
        tags,
        summary: 'Change the retention period of one record type (admins; audited)',
        params: RecordTypeParam,
        body: SetRetentionRuleInput,
        response: { 200: RuleSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        setRetentionRule(ctx, request.params.recordType, request.body),
      ),
  );

  server.post(
    '/retention/purge',
    {
      schema: {
        tags,
        summary:
          'Remove records whose retention has ended; apply=false only reports. Audited, never touches the audit log',
        body: PurgeInput,
        response: {
          200: Type.Object({
            applied: Type.Boolean(),
            at: Type.String(),
            types: Type.Array(
              Type.Object({
                recordType: Type.String(),
                retention: Type.String(),
                purge: Type.String(),
                count: Type.Integer(),
                more: Type.Boolean(),
                records: Type.Array(PurgedRecordSchema),
              }),
            ),
            auditSeq: Nullable(Type.Integer()),
          }),
          ...ERROR_RESPONSES,
        },
      },
    },
    // A dry run is a read: it takes no writer lock and appends nothing.
    async (request) =>
      (request.body.apply ? execute : query)(app, request.actor, (ctx) =>
        purgeExpired(ctx, request.body),
      ),
  );

  server.delete(
    '/retention/records/:recordType/:id',
    {
      schema: {
        tags,
        summary:
          'Delete one record; refused (409, with the rule and its end date) while it is under retention',
        params: Type.Object(
          {
            recordType: StringEnum(RECORD_TYPES),
            id: Type.String({ minLength: 1, maxLength: 100 }),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ recordType: Type.String(), ...PurgedRecordSchema.properties }),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) =>
        deleteRetainedRecord(ctx, request.params.recordType, request.params.id),
      ),
  );
}
