/**
 * Inbound events. `POST /events/cdevents` takes a CDEvent in either CloudEvents HTTP
 * mode from a caller with a bearer token holding `event:ingest`; `POST /webhooks/github`
 * is public at the HTTP layer because its HMAC signature is what authenticates it
 * (checked over the raw bytes before anything is parsed or stored). Both answer 200 with
 * what became of the event: recorded, updated, stale, noted, duplicate, or 202 for a
 * dead letter kept for replay.
 */
import { Type } from '@sinclair/typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { authorize } from '../../app/authorize.js';
import { execute, query, type Actor } from '../../app/context.js';
import {
  ingestEvent,
  listInboundEvents,
  replayDeadLetter,
  type IngestedEvent,
} from '../../app/ingestion/ingestEvent.js';
import { setWebhookSecret, webhookSecret } from '../../app/ingestion/webhookSecret.js';
import { GatehouseError } from '../../domain/errors.js';
import { StrictObject } from '../../domain/schema-kit.js';
import type { InboundEvent } from '../../domain/ingestion.js';
import { isUniqueViolation } from '../../store/database.js';
import { parseCdevent } from '../../integrations/cdevents.js';
import { parseGithubDelivery, signatureMatches } from '../../integrations/github-deployments.js';
import { validatorCompiler } from '../validation.js';
// CI webhooks (issue 10, point 5)
import { CI_CHANNELS, type CiChannel } from '../../domain/ingestion.js';
import { parseGitlabDelivery } from '../../integrations/ci/gitlab.js';
import {
  JENKINS_SIGNATURE_HEADER,
  jenkinsSignatureMatches,
  parseJenkinsDelivery,
} from '../../integrations/ci/jenkins.js';
import { basicCredentials, parseAzureDevopsDelivery } from '../../integrations/ci/azure-devops.js';
import { secretsEqual } from '../../integrations/ci/payload.js';
import { ERROR_RESPONSES, IdParam, Nullable } from '../schemas/common.js';
import type { App } from '../../app/context.js';
import type { RouteDeps } from './index.js';

const MAX_EVENT_BYTES = 1024 * 1024;

/** Who a verified GitHub delivery acts as: it may record deployments, nothing else. */
export const GITHUB_ACTOR: Actor = {
  userId: 'system',
  name: 'github-webhook',
  roles: ['deployer'],
};

/** Who a verified CI delivery acts as: like GitHub's, a deployer and nothing more. */
export const CI_ACTORS: Record<CiChannel, Actor> = {
  gitlab: { userId: 'system', name: 'gitlab-webhook', roles: ['deployer'] },
  jenkins: { userId: 'system', name: 'jenkins-webhook', roles: ['deployer'] },
  'azure-devops': { userId: 'system', name: 'azure-devops-webhook', roles: ['deployer'] },
};

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Checks a CI delivery's credential against the channel's stored secret; refuses (401,
 * nothing parsed, nothing stored) when no secret is set or it does not match.
 */
function refuseUnlessAuthentic(
  channel: CiChannel,
  secret: string | null,
  headers: Record<string, string | string[] | undefined>,
  body: string,
): void {
  const missing = (what: string) => new GatehouseError('unauthenticated', 'bad-signature', what);
  if (!secret)
    throw missing(
      `no ${channel} webhook secret is set: set one with PUT /webhooks/${channel}/secret`,
    );
  if (channel === 'gitlab') {
    const token = firstHeader(headers['x-gitlab-token']);
    if (!token) throw missing('the delivery carries no X-Gitlab-Token');
    if (!secretsEqual(token, secret)) throw missing('the X-Gitlab-Token does not match');
  } else if (channel === 'jenkins') {
    const signature = firstHeader(headers[JENKINS_SIGNATURE_HEADER]);
    if (!signature)
      throw missing('the delivery is unsigned: X-Gatehouse-Signature-256 is required');
    if (!jenkinsSignatureMatches(secret, body, signature))
      throw missing('the X-Gatehouse-Signature-256 signature does not match the body');
  } else {
    const credentials = basicCredentials(firstHeader(headers.authorization));
    if (!credentials) throw missing('the delivery carries no basic authentication');
    if (!secretsEqual(credentials.password, secret))
      throw missing('the basic authentication password does not match');
  }
}

const CI_PARSERS: Record<
  CiChannel,
  (headers: Record<string, string | string[] | undefined>, body: string) => InboundEvent
> = {
  gitlab: parseGitlabDelivery,
  jenkins: (_headers, body) => parseJenkinsDelivery(body),
  'azure-devops': (_headers, body) => parseAzureDevopsDelivery(body),
};

const CI_SUMMARIES: Record<CiChannel, { summary: string; description: string }> = {
  gitlab: {
    summary: 'Receive a GitLab Deployment Hook or Pipeline Hook (X-Gitlab-Token)',
    description:
      'Authenticated by X-Gitlab-Token, the secret token set on the GitLab webhook and with PUT /webhooks/gitlab/secret. ' +
      'Deployment events record deployments; a pipeline event records the deploy job that started an environment. ' +
      'Idempotency-Key / X-Gitlab-Event-UUID (or the deployment, status and time) make redeliveries idempotent.',
  },
  jenkins: {
    summary: 'Receive a deployment event from a Jenkins pipeline step (HMAC-signed)',
    description:
      'The body is the Gatehouse Jenkins deployment event (see docs/integrations/jenkins.md), signed with ' +
      'X-Gatehouse-Signature-256: sha256=<hex HMAC-SHA256 of the body> keyed with the secret set by PUT /webhooks/jenkins/secret.',
  },
  'azure-devops': {
    summary: 'Receive an Azure DevOps service hook (basic authentication)',
    description:
      'A Web Hooks service hook subscription with basic authentication; the password is the secret set by PUT /webhooks/azure-devops/secret. ' +
      'ms.vss-release.deployment-completed-event records deployments; ms.vss-pipelines.run-state-changed-event is noted.',
  },
};

export const InboundEventSchema = Type.Object(
  {
    id: Type.String(),
    channel: Type.String({ description: 'cdevents | github | gitlab | jenkins | azure-devops' }),
    type: Type.String(),
    occurredAt: Type.String({ description: "the event's own timestamp" }),
    receivedAt: Type.String(),
    outcome: Type.String({
      description: 'recorded | updated | stale | noted | dead-letter | duplicate',
    }),
    reason: Type.String(),
    deployment: Nullable(Type.String()),
    incident: Nullable(Type.String()),
    sender: Type.String(),
    replays: Type.Integer(),
  },
  { $id: 'InboundEvent' },
);

const RAW_BODY = Type.Unsafe<Buffer>({
  type: 'string',
  description: 'the request body exactly as sent, at most 1 MiB',
});

/** Receives, and treats two replicas racing on one delivery as the duplicate it is. */
async function receive(app: App, actor: Actor, event: InboundEvent): Promise<IngestedEvent> {
  try {
    return await execute(app, actor, (ctx) => ingestEvent(ctx, event));
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return execute(app, actor, (ctx) => ingestEvent(ctx, event));
  }
}

function statusOf(event: IngestedEvent): 200 | 202 {
  return event.outcome === 'dead-letter' ? 202 : 200;
}

function rawText(body: unknown): string {
  if (!Buffer.isBuffer(body) || body.length === 0)
    throw new GatehouseError('invalid', 'malformed-event', '/body: is empty', { field: '/body' });
  return body.toString('utf8');
}

export function ingestionRoutes({ server, app }: RouteDeps): void {
  const tags = ['events'];
  const responses = {
    200: Type.Ref('InboundEvent'),
    202: Type.Ref('InboundEvent'),
    ...ERROR_RESPONSES,
    413: Type.Ref('Problem'),
  };
  server.addSchema(InboundEventSchema);

  void server.register(async (scope) => {
    // The raw bytes: a signature is over exactly what was sent, and a CloudEvent's mode
    // is told by its content type, so parsing is the routes' own work.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(
      '*',
      { parseAs: 'buffer', bodyLimit: MAX_EVENT_BYTES },
      (_request, body, done) => done(null, body),
    );
    scope.setValidatorCompiler((route) =>
      route.httpPart === 'body' ? () => true : validatorCompiler(route),
    );
    const typed = scope.withTypeProvider<TypeBoxTypeProvider>();

    typed.post(
      '/events/cdevents',
      {
        schema: {
          tags,
          summary: 'Receive a CDEvent (CloudEvents binary or structured mode)',
          description:
            'Binary mode: ce-specversion, ce-id, ce-source, ce-type headers and the CDEvent as an application/json body. ' +
            'Structured mode: an application/cloudevents+json envelope with the CDEvent as data. ' +
            'service.deployed/upgraded/rolledback record deployments, incident.* incidents; ' +
            'a redelivery (same source and id) answers "duplicate" and changes nothing.',
          consumes: ['application/cloudevents+json', 'application/json'],
          body: RAW_BODY,
          response: responses,
        },
      },
      async (request, reply) => {
        // Refused before parsing: a caller who may not send events learns nothing of the parser.
        authorize(request.actor, 'event:ingest');
        const event = parseCdevent(request.headers, rawText(request.body));
        const result = await receive(app, request.actor, event);
        void reply.code(statusOf(result));
        return result;
      },
    );

    for (const channel of CI_CHANNELS)
      typed.post(
        `/webhooks/${channel}`,
        {
          config: { public: true },
          schema: {
            tags,
            ...CI_SUMMARIES[channel],
            security: [],
            consumes: ['application/json'],
            body: RAW_BODY,
            response: responses,
          },
        },
        async (request, reply) => {
          const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
          const secret = await webhookSecret(app.store, channel);
          refuseUnlessAuthentic(channel, secret, request.headers, body);
          const event = CI_PARSERS[channel](request.headers, rawText(request.body));
          const result = await receive(app, CI_ACTORS[channel], event);
          void reply.code(statusOf(result));
          return result;
        },
      );

    typed.post(
      '/webhooks/github',
      {
        config: { public: true },
        schema: {
          tags,
          summary: 'Receive a GitHub deployment or deployment_status webhook (HMAC-signed)',
          description:
            'Authenticated by X-Hub-Signature-256 (HMAC-SHA256 of the body with the secret set by PUT /webhooks/github/secret); ' +
            'unsigned or wrongly signed deliveries are refused with 401 and nothing is stored. ' +
            'X-GitHub-Delivery makes redeliveries idempotent.',
          security: [],
          consumes: ['application/json'],
          body: RAW_BODY,
          response: responses,
        },
      },
      async (request, reply) => {
        const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
        const secret = await webhookSecret(app.store, 'github');
        const signature = request.headers['x-hub-signature-256'];
        const signed = Array.isArray(signature) ? signature[0] : signature;
        if (!secret || !(await signatureMatches(secret, body, signed)))
          throw new GatehouseError(
            'unauthenticated',
            'bad-signature',
            !secret
              ? 'no GitHub webhook secret is set: set one with PUT /webhooks/github/secret'
              : signed
                ? 'the X-Hub-Signature-256 signature does not match the body'
                : 'the delivery is unsigned: X-Hub-Signature-256 is required',
          );
        const event = parseGithubDelivery(request.headers, body);
        const result = await receive(app, GITHUB_ACTOR, event);
        void reply.code(statusOf(result));
        return result;
      },
    );
  });

  server.put(
    '/webhooks/github/secret',
    {
      schema: {
        tags,
        summary: 'Set or rotate the secret GitHub signs webhook deliveries with',
        body: StrictObject({ secret: Type.String({ minLength: 1, maxLength: 500 }) }),
        response: {
          200: Type.Object({ channel: Type.String(), setAt: Type.String(), setBy: Type.String() }),
          ...ERROR_RESPONSES,
        },
      },
    },
    async (request) =>
      execute(app, request.actor, (ctx) => setWebhookSecret(ctx, 'github', request.body.secret)),
  );

  for (const channel of CI_CHANNELS)
    server.put(
      `/webhooks/${channel}/secret`,
      {
        schema: {
          tags,
          summary: `Set or rotate the secret ${channel} deliveries are authenticated with`,
          body: StrictObject({ secret: Type.String({ minLength: 1, maxLength: 500 }) }),
          response: {
            200: Type.Object({
              channel: Type.String(),
              setAt: Type.String(),
              setBy: Type.String(),
            }),
            ...ERROR_RESPONSES,
          },
        },
      },
      async (request) =>
        execute(app, request.actor, (ctx) => setWebhookSecret(ctx, channel, request.body.secret)),
    );

  server.get(
    '/events',
    {
      schema: {
        tags,
        summary: 'Inbound events, latest received first',
        querystring: Type.Object(
          {
            outcome: Type.Optional(
              Type.Union(
                ['recorded', 'updated', 'stale', 'noted', 'dead-letter'].map((o) =>
                  Type.Literal(o),
                ),
              ),
            ),
            limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Ref('InboundEvent')), ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) =>
        listInboundEvents(ctx, {
          ...(request.query.outcome ? { outcome: request.query.outcome as string } : {}),
          limit: request.query.limit,
        }),
      ),
  );

  server.get(
    '/events/dead-letters',
    {
      schema: {
        tags,
        summary: 'Events that could not be applied, with the reason; replay them once fixed',
        querystring: Type.Object(
          { limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Array(Type.Ref('InboundEvent')), ...ERROR_RESPONSES },
      },
    },
    async (request) =>
      query(app, request.actor, (ctx) =>
        listInboundEvents(ctx, { outcome: 'dead-letter', limit: request.query.limit }),
      ),
  );

  server.post(
    '/events/dead-letters/:id/replay',
    {
      schema: {
        tags,
        summary: 'Apply a dead letter again (after the catalog or a release was fixed)',
        params: IdParam,
        body: StrictObject(
          {},
          { description: 'an empty object: the event replayed is the stored one' },
        ),
        response: {
          200: Type.Ref('InboundEvent'),
          202: Type.Ref('InboundEvent'),
          ...ERROR_RESPONSES,
          404: Type.Ref('Problem'),
          409: Type.Ref('Problem'),
        },
      },
    },
    async (request, reply) => {
      const result = await execute(app, request.actor, (ctx) =>
        replayDeadLetter(ctx, request.params.id),
      );
      void reply.code(statusOf(result));
      return result;
    },
  );
}
