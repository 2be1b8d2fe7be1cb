/**
 * RFC 9457 problem documents: every error the API returns has this shape, names its
 * stable `code`, and for bad input lists each offending field with the reason.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GatehouseError, type ErrorKind, type FieldProblem } from '../domain/errors.js';
import { isStoreUnavailable } from '../store/database.js';

/** Seconds a caller is asked to wait when the store is briefly unreachable. */
export const STORE_RETRY_AFTER_SECONDS = 2;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'precondition-failed': 412,
  'too-large': 413,
  'precondition-required': 428,
};

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  412: 'Precondition failed',
  413: 'Content too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  errors?: FieldProblem[];
  [extension: string]: unknown;
}

export function problem(
  status: number,
  code: string,
  detail: string,
  extra: Record<string, unknown> = {},
): Problem {
  return {
    type: `urn:gatehouse:problem:${code}`,
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    code,
    ...extra,
  };
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Turns Ajv's errors into field / reason pairs a person can act on. */
export function validationProblems(context: string, errors: AjvError[]): FieldProblem[] {
  return errors.map((e) => {
    const base = `/${context}${e.instancePath}`;
    switch (e.keyword) {
      case 'additionalProperties':
        return {
          field: `${base}/${String(e.params.additionalProperty)}`,
          reason: 'is not a known field',
        };
      case 'required':
        return { field: `${base}/${String(e.params.missingProperty)}`, reason: 'is required' };
      case 'enum':
        return {
          field: base,
          reason: `must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`,
        };
      default:
        return { field: base, reason: e.message ?? `fails ${e.keyword}` };
    }
  });
}

export function toProblem(error: unknown, request: FastifyRequest): Problem {
  const instance = request.url.split('?')[0];
  if (error instanceof GatehouseError) {
    const status = STATUS[error.kind];
    return problem(status, error.code, error.message, {
      instance,
      ...(error.problems.length ? { errors: error.problems } : {}),
      ...(error.failedChecks.length ? { failedChecks: error.failedChecks } : {}),
      ...error.extra,
    });
  }
  const fastifyError = error as FastifyError & {
    validation?: AjvError[];
    validationContext?: string;
  };
  if (fastifyError.validation) {
    const errors = validationProblems(
      fastifyError.validationContext ?? 'body',
      fastifyError.validation,
    );
    const first = errors[0];
    return problem(
      400,
      'invalid-input',
      first ? `${first.field} ${first.reason}` : 'the request is not valid',
      { instance, errors },
    );
  }
  const status = fastifyError.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = (fastifyError.code ?? 'bad-request')
      .replace(/^FST_ERR_/, '')
      .toLowerCase()
      .replace(/_/g, '-');
    return problem(status, code, fastifyError.message, { instance });
  }
  if (isStoreUnavailable(error))
    return problem(
      503,
      'store-unavailable',
      'the database is unreachable or restarting; nothing was recorded that this answer confirms — retry shortly',
      { instance },
    );
  return problem(
    500,
    'internal-error',
    `the server failed to handle this request; it has been logged under request id ${request.id}`,
    { instance, requestId: request.id },
  );
}

export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_CONTENT_TYPE).send(body);
}
