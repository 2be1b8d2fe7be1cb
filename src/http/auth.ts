/**
 * Every route is authenticated unless its config says `public: true`; what each caller
 * may then do is decided in the app layer (`authorize`). Tokens arrive as
 * `Authorization: Bearer <token>`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createAuthenticator } from '../app/access/authenticator.js';
import { hashToken, touchToken } from '../app/access/tokens.js';
import type { Actor, App } from '../app/context.js';
import { LAST_USED_GRANULARITY_MS } from '../domain/access-review.js';
import { problem, sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
    /** What the Authorization header carried, read once per request (`bearerOf`). */
    bearer: Bearer | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
  interface FastifyInstance {
    /** Drops this replica's remembered authentications (after a revocation). */
    forgetAuthentications(): void;
  }
}

/**
 * The request's credential: none, a header that is not "Bearer <token>", or a token known
 * only by its SHA-256. The digest is made once and shared by the rate limiter (which
 * runs first) and authentication, so no secret is kept and no token is hashed twice.
 */
export type Bearer = { kind: 'absent' } | { kind: 'malformed' } | { kind: 'token'; hash: string };

const ABSENT: Bearer = { kind: 'absent' };
const MALFORMED: Bearer = { kind: 'malformed' };

export function parseBearer(header: string | undefined): Bearer {
  if (!header) return ABSENT;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? { kind: 'token', hash: hashToken(match[1]!) } : MALFORMED;
}

export function bearerOf(request: FastifyRequest): Bearer {
  return (request.bearer ??= parseBearer(request.headers.authorization));
}

export function registerAuthentication(server: FastifyInstance, app: App): void {
  server.decorateRequest('actor', null as unknown as Actor);
  server.decorateRequest('bearer', null);
  const authenticator = createAuthenticator(app.store);
  server.decorate('forgetAuthentications', () => authenticator.forget());
  const lastTouched = new Map<string, number>();
  // "Last used" feeds access reviews, which need the hour, not the request: at most one
  // write per token per hour per replica keeps authentication a read (ADR 1400).
  // The remembered answer carries a stale last use; remember our own touch instead.
  // Our own touch is checked first: after it, no request parses the stored time.
  const touchDue = (admitted: { tokenId: string; lastUsedAt: string | null }, now: Date) => {
    const dueIfBefore = now.getTime() - LAST_USED_GRANULARITY_MS;
    if ((lastTouched.get(admitted.tokenId) ?? 0) > dueIfBefore) return false;
    return admitted.lastUsedAt === null || Date.parse(admitted.lastUsedAt) <= dueIfBefore;
  };

  /** The store's answer (and the hourly touch): false when the request was refused. */
  const admitSlowly = async (
    request: FastifyRequest,
    reply: FastifyReply,
    tokenHash: string,
    now: Date,
  ): Promise<boolean> => {
    const result = await authenticator.authenticate(tokenHash, now);
    if (!result.ok) {
      sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_token"'),
        problem(401, 'invalid-token', `the API token was refused: ${result.reason}`),
      );
      return false;
    }
    request.actor = result.actor;
    if (touchDue(result, now)) {
      if (lastTouched.size > 10_000) lastTouched.clear();
      lastTouched.set(result.tokenId, now.getTime());
      await touchToken(app.store, result.tokenId, now);
    }
    return true;
  };

  // Callback style, not async: a remembered token (nearly every request) is admitted
  // without a promise; only a look-up or a touch of the store waits.
  server.addHook('onRequest', (request, reply, done) => {
    if (request.routeOptions.config?.public) return done();
    const bearer = bearerOf(request);
    if (bearer.kind === 'absent') {
      sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse"'),
        problem(
          401,
          'unauthenticated',
          'this route needs an API token: send "Authorization: Bearer <token>"',
          { instance: request.url.split('?')[0] },
        ),
      );
      return;
    }
    if (bearer.kind === 'malformed') {
      sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_request"'),
        problem(401, 'unauthenticated', 'the Authorization header must be "Bearer <token>"'),
      );
      return;
    }
    const now = app.clock();
    const known = authenticator.remembered(bearer.hash, now);
    if (known && !touchDue(known, now)) {
      request.actor = known.actor;
      return done();
    }
    admitSlowly(request, reply, bearer.hash, now).then((admitted) => {
      if (admitted) done();
    }, done);
  });
}
