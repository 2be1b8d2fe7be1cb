/**
 * Request ids: a caller (or the proxy in front) may name its request with `X-Request-Id`
 * so one id follows it through every hop; otherwise the server makes one. Either way it
 * is on every log line of the request (Fastify's per-request pino child), echoed in the
 * response header (hardening.ts, `registerResponseHeaders`), and quoted by internal-error problem documents.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** Short and printable: no spaces, no control characters, nothing that could forge a log line. */
const ACCEPTABLE = /^[\x21-\x7e]{1,128}$/;

export function requestIdFor(request: IncomingMessage): string {
  const offered = request.headers[REQUEST_ID_HEADER];
  return typeof offered === 'string' && ACCEPTABLE.test(offered) ? offered : randomUUID();
}
