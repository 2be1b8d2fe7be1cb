/** Gate checks, the waivers that bend them, and the security facts they read. */
import { Type } from '@sinclair/typebox';
import { execute, query } from '../../app/context.js';
import { readGateCheck, type GateCheck } from '../../app/gates/checkGate.js';
import {
  declareSecurity,
  getReleaseSecurity,
  signOffPenTest,
} from '../../app/releases/releaseSecurity.js';
import { grantWaiver, listWaivers } from '../../app/waivers/grantWaiver.js';
import { GATE_RULE_IDS } from '../../domain/gate.js';
import { Instant, Slug, StrictObject, StringEnum } from '../../domain/schema-kit.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { RouteDeps } from './index.js';
import { sendSerialized, serializedOnce } from '../serializedOnce.js';

const WaiverSchema = Type.Object(
  {
    id: Type.String(),
    rule: Type.String(),
    justification: Type.String(),
    expiresAt: Type.String(),
    grantedBy: Type.String(),
    grantedAt: Type.String(),
  },
  { $id: 'Waiver' },
);

const GateCheckSchema = Type.Object({
  release: Type.String(),
  environment: Type.String(),
  verdict: StringEnum(['pass', 'fail'] as const),
  policySet: Type.Object({ name: Type.String(), version: Type.Integer(), pinned: Type.Boolean() }),
  policy: Nullable(Type.String()),
  selectedBecause: Type.String(),
  rules: Type.Array(
    Type.Object({
      rule: Type.String(),
      title: Type.String(),
      result: StringEnum(['pass', 'fail', 'waived', 'not-applicable'] as const),
      reason: Type.String(),
      waiver: Type.Optional(Type.Ref('Waiver')),
    }),
  ),
  waivers: Type.Array(
    Type.Intersect([Type.Ref('Waiver'), Type.Object({ active: Type.Boolean() })]),
  ),
  approvals: Type.Unknown({
    description: 'the approval path the policy names, judged by approvals',
  }),
  checkedAt: Type.String(),
});

const SecuritySchema = Type.Object({
  release: Type.String(),
  addsExternalEndpoints: Type.Boolean(),
  changesAuthentication: Type.Boolean(),
  penTest: Nullable(
    Type.Object({
      reference: Nullable(Type.String()),
      signedOffBy: Type.String(),
      signedOffAt: Type.String(),
    }),
  ),
});

export const GATE_SCHEMAS = [WaiverSchema];

const EMPTY_STAMP = '"checkedAt":""';

export function gateRoutes({ server, app }: RouteDeps): void {
  const tags = ['gates'];
  const notFound = { 404: Type.Ref('Problem') };

  server.get(
    '/releases/:id/gates/:environment',
    {
      schema: {
        tags,
        summary: 'May the release proceed to this environment? Every rule, its result and why',
        params: Type.Object({ id: IdParam.properties.id, environment: Slug }),
        response: {
          200: GateCheckSchema,
          ...ERROR_RESPONSES,
          ...notFound,
          409: Type.Ref('Problem'),
        },
      },
    },
    // Not async: a remembered check (nearly every poll under load) is answered in this
    // turn, without the promises and microtask hops an async handler costs.
    (request, reply) => {
      const { id, environment } = request.params;
      const now = app.clock();
      const send = (check: GateCheck) => {
        server.metrics.gateChecked(check.verdict);
        const checkedAt = now.toISOString();
        // The remembered check's text is made once with an empty stamp, the last field the
        // serializer writes; each answer puts the time it was asked there.
        const text = serializedOnce(reply, check, () => ({ ...check, checkedAt: '' }));
        const at = text.lastIndexOf(EMPTY_STAMP);
        if (at < 0) return reply.send({ ...check, checkedAt });
        return sendSerialized(
          reply,
          `${text.slice(0, at)}"checkedAt":${JSON.stringify(checkedAt)}${text.slice(at + EMPTY_STAMP.length)}`,
        );
      };
      const check = readGateCheck(app, request.actor, id, environment, now);
      if (check instanceof Promise) return check.then(send);
      send(check);
    },
  );

  server.post(
    '/releases/:id/waivers',
    {
      schema: {
        tags,
        summary: 'Waive one gate rule for this release until an expiry, with a justification',
        params: IdParam,
        body: StrictObject({
          rule: StringEnum(GATE_RULE_IDS),
          justification: Type.String({ minLength: 1, maxLength: 5000 }),
          expiresAt: Instant,
        }),
        response: { 201: Type.Ref('Waiver'), ...ERROR_RESPONSES, ...notFound },
      },
    },
    async (request, reply) => {
      const waiver = await execute(app, request.actor, (ctx) =>
        grantWaiver(ctx, request.params.id, request.body),
      );
      void reply.code(201);
      return waiver;
    },
  );

  server.get(
    '/releases/:id/waivers',
    {
      schema: {
        tags,
        summary: 'Every waiver granted for the release, expired ones included',
        params: IdParam,
        response: { 200: Type.Array(Type.Ref('Waiver')), ...ERROR_RESPONSES, ...notFound },
      },
    },
    async (request) => query(app, request.actor, (ctx) => listWaivers(ctx, request.params.id)),
  );

  server.get(
    '/releases/:id/security',
    {
      schema: {
        tags,
        summary: "The release's security surface and its penetration-test sign-off",
        params: IdParam,
        response: { 200: SecuritySchema, ...ERROR_RESPONSES, ...notFound },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) => getReleaseSecurity(ctx, request.params.id)),
  );

  server.put(
    '/releases/:id/security',
    {
      schema: {
        tags,
        summary: 'Declare whether the release adds external endpoints or changes authentication',
        params: IdParam,
        body: StrictObject({
          addsExternalEndpoints: Type.Boolean(),
          changesAuthentication: Type.Boolean(),
        }),
        response: { 200: SecuritySchema, ...ERROR_RESPONSES, ...notFound },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => declareSecurity(ctx, request.params.id, request.body)),
  );

  server.post(
    '/releases/:id/security/pen-test-sign-off',
    {
      schema: {
        tags,
        summary: "Sign off the release's penetration test",
        params: IdParam,
        body: StrictObject({
          reference: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
        }),
        response: {
          200: SecuritySchema,
          ...ERROR_RESPONSES,
          ...notFound,
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => signOffPenTest(ctx, request.params.id, request.body)),
  );
}
