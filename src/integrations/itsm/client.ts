/**
 * Outbound calls to an ITSM tool. Every call answers with what the outbox needs to
 * decide (the status, Retry-After, a readable error taken from the tool's documented
 * error body) and never with the credentials: the Authorization header is built here
 * and appears in no error, no log line and no return value.
 */
import type { ChangeOutcome } from '../../domain/itsm.js';

export interface ItsmConnectionConfig {
  kind: 'servicenow' | 'jira';
  baseUrl: string;
  auth: 'basic' | 'bearer';
  username: string | null;
  secret: string;
  settings: ItsmSettings;
}

export interface ItsmSettings {
  /** Jira: the project the change issues go in. */
  projectKey?: string;
  /** Jira: the issue type's name (default "Change"). */
  issueType?: string;
  /** Jira: the transition that closes a change (default "Done"). */
  closeTransition?: string;
  /** Jira: the transition that cancels one (default: the close transition). */
  cancelTransition?: string;
  /** ServiceNow: the change type (default "normal"). */
  changeType?: string;
}

export interface ChangeRef {
  externalId: string;
  number: string;
  url: string;
}

export interface NewChange {
  releaseKey: string;
  title: string;
  description: string;
  note: string;
}

export type CallResult<T> =
  | { ok: true; value: T }
  | { ok: false; statusCode: number | null; retryAfter: string | null; error: string };

export interface ItsmClient {
  open(change: NewChange): Promise<CallResult<ChangeRef>>;
  update(ref: ChangeRef, note: string): Promise<CallResult<null>>;
  close(ref: ChangeRef, outcome: ChangeOutcome, note: string): Promise<CallResult<null>>;
}

export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: unknown;
}

function authorization(config: ItsmConnectionConfig): string {
  return config.auth === 'bearer'
    ? `Bearer ${config.secret}`
    : 'Basic ' + Buffer.from(`${config.username ?? ''}:${config.secret}`).toString('base64');
}

/**
 * One JSON request with a timeout. A network failure or timeout is an answer with status
 * null; the message names what failed, not the request's headers.
 */
export async function requestJson(
  config: ItsmConnectionConfig,
  method: string,
  path: string,
  body: unknown,
  timeoutMs: number,
): Promise<HttpAnswer | { status: null; error: string }> {
  const url = new URL(path, config.baseUrl.endsWith('/') ? config.baseUrl : config.baseUrl + '/');
  try {
    const response = await fetch(url, {
      method,
      headers: {
        accept: 'application/json',
        authorization: authorization(config),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? (JSON.parse(text) as unknown) : null;
    } catch {
      parsed = text.slice(0, 500);
    }
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      body: parsed,
    };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const cause =
      error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    return {
      status: null,
      error:
        name === 'TimeoutError' || name === 'AbortError'
          ? `no answer from ${url.host} within ${timeoutMs} ms`
          : `could not reach ${url.host}${cause ? `: ${cause}` : ''}`,
    };
  }
}

/** A failed answer as a CallResult, with the tool's own error text. */
export function failure<T>(
  answer: HttpAnswer | { status: null; error: string },
  describe: (body: unknown) => string | null,
): CallResult<T> {
  if (answer.status === null)
    return { ok: false, statusCode: null, retryAfter: null, error: answer.error };
  const said = describe(answer.body);
  return {
    ok: false,
    statusCode: answer.status,
    retryAfter: answer.retryAfter,
    error: `HTTP ${answer.status}${said ? `: ${said}` : ''}`.slice(0, 1000),
  };
}

export const isSuccess = (answer: HttpAnswer | { status: null }): answer is HttpAnswer =>
  answer.status !== null && answer.status >= 200 && answer.status < 300;
