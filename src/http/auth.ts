/**
 * Every route is authenticated unless its config says `public: true`; what each caller
 * may then do is decided in the app layer (`authorize`). Tokens arrive as
 * `Authorization: Bearer <token>`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createAuthenticator } from '../app/access/authenticator.js';
import { touchToken } from '../app/access/tokens.js';
import type { Actor, App } from '../app/context.js';
import { LAST_USED_GRANULARITY_MS } from '../domain/access-review.js';
import { problem, sendProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
  interface FastifyInstance {
    /** Drops this replica's remembered authentications (after a revocation). */
    forgetAuthentications(): void;
  }
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : '';
}

export function registerAuthentication(server: FastifyInstance, app: App): void {
  server.decorateRequest('actor', null as unknown as Actor);
  const authenticator = createAuthenticator(app.store);
  server.decorate('forgetAuthentications', () => authenticator.forget());
  const lastTouched = new Map<string, number>();
  server.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public) return;
    const token = bearerToken(request);
    if (token === null) {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse"'),
        problem(
          401,
          'unauthenticated',
          'this route needs an API token: send "Authorization: Bearer <token>"',
          { instance: request.url.split('?')[0] },
        ),
      );
    }
    if (token === '') {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_request"'),
        problem(401, 'unauthenticated', 'the Authorization header must be "Bearer <token>"'),
      );
    }
    const now = app.clock();
    const result = await authenticator.authenticate(token, now);
    if (!result.ok) {
      return sendProblem(
        reply.header('www-authenticate', 'Bearer realm="gatehouse", error="invalid_token"'),
        problem(401, 'invalid-token', `the API token was refused: ${result.reason}`),
      );
    }
    request.actor = result.actor;
    // "Last used" feeds access reviews, which need the hour, not the request: at most one
    // write per token per hour per replica keeps authentication a read (ADR 1400).
    // The remembered answer carries a stale last use; remember our own touch instead.
    const touched = Math.max(
      lastTouched.get(result.tokenId) ?? 0,
      result.lastUsedAt ? Date.parse(result.lastUsedAt) : 0,
    );
    if (now.getTime() - touched >= LAST_USED_GRANULARITY_MS) {
      if (lastTouched.size > 10_000) lastTouched.clear();
      lastTouched.set(result.tokenId, now.getTime());
      await touchToken(app.store, result.tokenId, now);
    }
  });
}
