/**
 * What every response carries and every caller is held to, whatever the route: security
 * headers (chosen by Helmet), the request id, and a per-token rate limit. The UI's own content security
 * policy is set on its pages in ui.ts; see docs/decisions/2000-1-http-hardening.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import rateLimit from '@fastify/rate-limit';
import helmet, { type HelmetOptions } from 'helmet';
import type { FastifyRequest } from 'fastify';
import { bearerOf } from './auth.js';
import { REQUEST_ID_HEADER } from './requestId.js';
import type { Server } from './routes/index.js';

export interface HardeningOptions {
  /** Requests per minute per token (per client address when anonymous); 0 turns it off. */
  rateLimitPerMinute: number;
  /** Send Strict-Transport-Security: only where Gatehouse is reached over HTTPS. */
  hsts: boolean;
}

/** Generous: a pipeline burst or a busy UI never meets it; a runaway script does. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

/**
 * API responses are data, never a page: nothing in them may load, run or be framed. The
 * UI's pages replace this with the policy they need (ui.ts).
 */
const API_CONTENT_SECURITY_POLICY = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
  },
};

/** Runs Helmet once against a recording response and returns the headers it set. */
function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let done = false;
  helmet(options)(
    {} as IncomingMessage,
    response as unknown as ServerResponse,
    (error?: unknown) => {
      if (error) throw error;
      done = true;
    },
  );
  if (!done) throw new Error('helmet did not set its headers synchronously');
  return headers;
}

/**
 * The headers every answer carries, collected once. Helmet's middleware rebuilds them on
 * every request (a policy may depend on the request; ours do not), which cost about as
 * much CPU as a bare route; sending the collected constants costs next to none.
 *
 * Data answers get what protects data (OWASP's REST set): nothing may load, frame or sniff
 * them, no other origin may embed them, no referrer leaks. Helmet's headers that only a
 * browsing context reads (opener policy, origin-agent cluster, DNS prefetch, the legacy
 * XSS filter) are left to the UI's pages, which are documents (`documentHeaders`).
 */
export function securityHeaders(hsts: boolean): Record<string, string> {
  return helmetHeaders({
    contentSecurityPolicy: API_CONTENT_SECURITY_POLICY,
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xDnsPrefetchControl: false,
    xXssProtection: false,
    // Cross-origin isolation would only get in the way of a UI hosted elsewhere later.
    crossOriginEmbedderPolicy: false,
    // Headers only Internet Explorer and Flash ever read: bytes on every answer for nobody.
    xDownloadOptions: false,
    xPermittedCrossDomainPolicies: false,
  });
}

/**
 * What a page of the UI adds to `securityHeaders`: its own content security policy and
 * Helmet's headers for documents (a browsing context of its own, no DNS prefetching,
 * the legacy XSS filter off).
 */
export function documentHeaders(contentSecurityPolicy: string): Record<string, string> {
  return {
    ...helmetHeaders({
      contentSecurityPolicy: false,
      crossOriginEmbedderPolicy: false,
      crossOriginResourcePolicy: false,
      frameguard: false,
      hsts: false,
      noSniff: false,
      referrerPolicy: false,
      xDownloadOptions: false,
      xPermittedCrossDomainPolicies: false,
    }),
    'content-security-policy': contentSecurityPolicy,
  };
}

/**
 * What every answer carries, refusals by the rate limit and authentication included (so
 * register it first): the security headers and the request's id (requestId.ts). One hook
 * for both, as each hook is a step every request pays for.
 */
export function registerResponseHeaders(server: Server, hsts: boolean): void {
  const headers = securityHeaders(hsts);
  server.addHook('onRequest', (request, reply, next) => {
    reply.headers(headers).header(REQUEST_ID_HEADER, request.id);
    next();
  });
}

/**
 * Which budget a request spends: its token's (by SHA-256, so no secret sits in the
 * limiter's memory), or its address's when it carries none.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const bearer = bearerOf(request);
  return bearer.kind === 'token' ? 't:' + bearer.hash : 'ip:' + request.ip;
}

/**
 * Counted before authentication, so a flood of bad tokens is throttled before it costs a
 * database look-up. The health check is never throttled: load balancers poll it.
 */
export async function registerRateLimit(server: Server, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await server.register(rateLimit, {
    global: false,
    max: perMinute,
    timeWindow: 60_000,
    cache: 10_000,
    keyGenerator: rateLimitKey,
    // Counting headers on every answer cost CPU and bytes; a refusal says all (Retry-After).
    addHeadersOnExceeding: {
      'x-ratelimit-limit': false,
      'x-ratelimit-remaining': false,
      'x-ratelimit-reset': false,
    },
    allowList: (request) => request.url === '/healthz',
    errorResponseBuilder: (_request, context) =>
      Object.assign(
        new Error(
          `more than ${context.max} requests a minute with this token (or from this address when anonymous); retry after ${context.after}`,
        ),
        { statusCode: context.statusCode, code: 'rate-limited' },
      ),
  });
  server.addHook('onRequest', server.rateLimit());
}
