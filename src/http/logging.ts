/**
 * The server's structured logs: one JSON line per event (pino), each line of a request
 * carrying its `reqId`. Nothing a caller proves who they are with — bearer tokens,
 * webhook secrets and signatures, passwords — is written: the request serializer logs
 * only method, URL (sensitive query parameters masked), host and peer, and redaction
 * paths catch the same names anywhere a log call might pass them.
 */
import type { FastifyRequest, FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';

export const REDACTED = '[redacted]';

/** Header, query and field names whose values are credentials. */
const SENSITIVE =
  /^(authorization|cookie|set-cookie|x-gitlab-token|x-hub-signature(-256)?|x-gatehouse-signature(-256)?|x-jenkins-signature|token|access_token|api_key|apikey|secret|password|passphrase|client_secret|credentials?)$/i;

const SENSITIVE_FIELDS = [
  'token',
  'secret',
  'password',
  'passphrase',
  'credentials',
  'clientSecret',
  'authorization',
];

/** pino redaction: the headers, wherever a request is logged, and sensitive fields one or two levels deep. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-gitlab-token"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gatehouse-signature-256"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_FIELDS.flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

/** The URL as logged: path and query, with the value of any sensitive query parameter masked. */
export function loggableUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) return url;
  const query = url
    .slice(question + 1)
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      const name = equals < 0 ? pair : pair.slice(0, equals);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed escape: judge the raw name
      }
      return equals >= 0 && SENSITIVE.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join('&');
  return `${url.slice(0, question)}?${query}`;
}

/** userinfo in a URL (`https://user:secret@host`) never reaches a log line. */
export function withoutUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, `$1${REDACTED}@`);
}

function requestForLog(request: FastifyRequest): Record<string, unknown> {
  return {
    method: request.method,
    url: loggableUrl(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

function errorForLog(error: Error): { type: string; message: string; stack: string } {
  if (!(error instanceof Error))
    return { type: typeof error, message: withoutUserinfo(String(error)), stack: '' };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: withoutUserinfo(error.message),
    ...(typeof code === 'string' ? { code } : {}),
    stack: withoutUserinfo(error.stack ?? ''),
  };
}

/** Logger options for Fastify; `stream` lets a test (or an embedder) take the lines. */
export function loggerOptions(
  level: string,
  stream?: DestinationStream,
): FastifyServerOptions['logger'] {
  if (level === 'silent') return false;
  return {
    level,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    serializers: { req: requestForLog, err: errorForLog },
    ...(stream ? { stream } : {}),
  };
}
