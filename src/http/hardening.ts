/**
 * What every response carries, whatever the route: security headers (chosen by Helmet)
 * and the request id; the per-token rate limit is in rateLimit.ts. The UI's own content
 * security policy is set on its pages in ui.ts; see docs/decisions/2000-1-http-hardening.md.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import { REQUEST_ID_HEADER } from './requestId.js';
import type { Server } from './routes/index.js';

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
  // Pairs in an array: walking an object's keys on every request costs megamorphic lookups.
  const headers = Object.entries(securityHeaders(hsts));
  server.addHook('onRequest', (request, reply, next) => {
    for (const [name, value] of headers) reply.header(name, value);
    reply.header(REQUEST_ID_HEADER, request.id);
    next();
  });
}
