/**
 * Builds the HTTP server: schemas on every route give validation, serialisation, types
 * and the OpenAPI document; errors leave as RFC 9457 problem documents; every route but
 * the health and readiness probes and the API description needs a token.
 */
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { App } from '../app/context.js';
import { GatehouseError } from '../domain/errors.js';
import { sendAnswersTogether } from './answersTogether.js';
import { registerAuthentication } from './auth.js';
import { requestIdFor } from './requestId.js';
import { createServerMetrics, observeRequestDurations } from './serverMetrics.js';
import { operationsRoutes } from './routes/operations.js';
import { problem, sendProblem, STORE_RETRY_AFTER_SECONDS, toProblem } from './problem.js';
import { registerResponseHeaders } from './hardening.js';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, registerRateLimit } from './rateLimit.js';
import { ACCESS_SCHEMAS } from './routes/access.js';
import { EvidenceSchema } from './routes/evidence.js';
import { GATE_SCHEMAS } from './routes/gates.js';
import { INCIDENT_SCHEMAS } from './routes/incidents.js';
import { METRICS_SCHEMAS } from './routes/metrics.js';
import { NOTIFICATION_SCHEMAS } from './routes/notifications.js';
import { registerRoutes, type Server } from './routes/index.js';
import { RELEASE_SCHEMAS } from './routes/releases.js';
import { ProblemSchema } from './schemas/common.js';
import { registerUi } from './ui.js';
import { validatorCompiler } from './validation.js';

export interface ServerOptions {
  logger?: FastifyServerOptions['logger'];
  /** Largest request body accepted, in bytes. */
  bodyLimit?: number;
  version?: string;
  /** Where the built web UI lives (default web/dist); tests point it elsewhere. */
  uiRoot?: string;
  /** Serve /metrics without a token (GATEHOUSE_METRICS_PUBLIC; ADR 1900-1). */
  metricsPublic?: boolean;
  /** Requests per minute per token (per address when anonymous); 0 turns the limit off. */
  rateLimitPerMinute?: number;
  /** Send Strict-Transport-Security (only when clients reach Gatehouse over HTTPS). */
  hsts?: boolean;
  timeouts?: Partial<HttpTimeouts>;
}

/** How long a slow or stalled client may hold a socket, in milliseconds. */
export interface HttpTimeouts {
  /** The whole request, headers and body, must have arrived within this. */
  requestMs: number;
  /** A socket with nothing sent or received for this long is closed. */
  idleMs: number;
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: HttpTimeouts = {
  requestMs: 30_000,
  idleMs: 30_000,
  keepAliveMs: 5_000,
};

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** One registered route as Fastify holds it (`/releases/:id`), documented or not. */
export interface RegisteredRoute {
  method: string;
  url: string;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, so the authorisation matrix can be checked against all of them. */
    registeredRoutes: RegisteredRoute[];
  }
}

/** No request document of ours nests this deep; deeper is an attack on recursive code. */
export const MAX_JSON_DEPTH = 64;

/** How deeply a parsed JSON value nests, counted without recursion. */
function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}

/**
 * JSON bodies are parsed by Fastify's own parser (which refuses prototype poisoning)
 * and then refused when they nest deeper than any Gatehouse document does, so no route
 * — and no validator or parser behind it — ever recurses on hostile depth.
 */
function refuseDeepJson(server: Server): void {
  const parse = server.getDefaultJsonParser('error', 'error');
  server.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    parse(request, body as string, (error, value) => {
      if (error) return done(error);
      if (depthExceeds(value, MAX_JSON_DEPTH)) {
        return done(
          new GatehouseError(
            'invalid',
            'too-deeply-nested',
            `the JSON body nests deeper than ${MAX_JSON_DEPTH} levels`,
            { field: '/body' },
          ),
        );
      }
      done(null, value);
    });
  });
}

export async function buildServer(app: App, options: ServerOptions = {}): Promise<Server> {
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    // Slow or stalled clients are cut off instead of holding a socket forever: idle
    // sockets by the connection timeout, trickling ones by the request timeout, which
    // Node checks every `connectionsCheckingInterval`.
    connectionTimeout: timeouts.idleMs,
    requestTimeout: timeouts.requestMs,
    keepAliveTimeout: timeouts.keepAliveMs,
    http: {
      headersTimeout: Math.min(60_000, timeouts.requestMs),
      connectionsCheckingInterval: Math.max(50, Math.min(30_000, timeouts.requestMs / 4)),
    },
    routerOptions: { maxParamLength: 200 },
    // Our own header handling validates what a caller offers (requestId.ts).
    requestIdHeader: false,
    genReqId: requestIdFor,
  }).withTypeProvider<TypeBoxTypeProvider>();
  server.decorate('metrics', createServerMetrics(app));
  server.addHook('onClose', (instance, done) => {
    instance.metrics.close();
    done();
  });

  server.setValidatorCompiler(validatorCompiler);
  refuseDeepJson(server);
  const registered: RegisteredRoute[] = [];
  server.decorate('registeredRoutes', registered);
  server.addHook('onRoute', (route) => {
    // Read when the route is added: the UI's scope marks its routes public in its own hook.
    queueMicrotask(() => {
      for (const method of [route.method].flat())
        registered.push({ method, url: route.url, public: route.config?.public === true });
    });
  });
  server.addSchema(ProblemSchema);
  for (const schema of [
    ...RELEASE_SCHEMAS,
    ...ACCESS_SCHEMAS,
    EvidenceSchema,
    ...GATE_SCHEMAS,
    ...INCIDENT_SCHEMAS,
    ...METRICS_SCHEMAS,
    ...NOTIFICATION_SCHEMAS,
  ])
    server.addSchema(schema);

  await server.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse',
        version: options.version ?? '0.0.0',
        description:
          'Release-governance control plane. Errors are RFC 9457 problem documents (application/problem+json).',
      },
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API token from `gatehouse token create`',
          },
        },
      },
      security: [{ bearer: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, i) => String(json.$id ?? `def-${i}`),
    },
  });

  server.setErrorHandler((error, request, reply) => {
    const body = toProblem(error, request);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    if (body.status === 503) void reply.header('retry-after', String(STORE_RETRY_AFTER_SECONDS));
    return sendProblem(reply, body);
  });
  server.setNotFoundHandler((request, reply) =>
    sendProblem(
      reply,
      problem(
        404,
        'route-not-found',
        `no route ${request.method} ${request.url.split('?')[0]}; see /openapi.json`,
        { instance: request.url.split('?')[0] },
      ),
    ),
  );

  // Headers first, so even a throttled or unauthenticated answer carries them; the rate
  // limit before authentication, so a flood of bad tokens never reaches the database.
  registerResponseHeaders(server, options.hsts ?? false);
  // Each answer is written at the end of its event-loop turn, with the turn's others.
  sendAnswersTogether(server);
  registerRateLimit(server, options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);
  observeRequestDurations(server, server.metrics.registry);
  registerAuthentication(server, app);
  operationsRoutes({ server, app }, { metricsPublic: options.metricsPublic ?? false });
  server.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    server.swagger(),
  );

  registerRoutes({ server, app });
  await registerUi(server, options.uiRoot);
  return server;
}
