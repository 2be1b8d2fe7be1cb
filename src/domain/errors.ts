/**
 * Errors are values with a stable `code`, a human message and, where one input is to
 * blame, the offending field. The HTTP layer maps `kind` to a status and renders an
 * RFC 9457 problem document; the CLI maps it to an exit code.
 */
export type ErrorKind =
  | 'invalid' // the input is wrong: 400 / exit 2
  | 'unauthenticated' // no or bad credentials: 401
  | 'forbidden' // authenticated but not allowed: 403
  | 'not-found' // 404
  | 'conflict' // the product refuses in its current state: 409 / exit 1
  | 'precondition-failed' // If-Match did not match: 412
  | 'precondition-required' // If-Match missing: 428
  | 'too-large'; // 413

export interface FieldProblem {
  /** JSON pointer or dotted path of the offending input, e.g. `/services/0/tier`. */
  field: string;
  reason: string;
}

export interface CheckFailure {
  check: string;
  reason: string;
}

export class GatehouseError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly field: string | undefined;
  readonly problems: FieldProblem[];
  readonly failedChecks: CheckFailure[];
  readonly extra: Record<string, unknown>;

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    options: {
      field?: string;
      problems?: FieldProblem[];
      failedChecks?: CheckFailure[];
      extra?: Record<string, unknown>;
    } = {},
  ) {
    super(message);
    this.name = 'GatehouseError';
    this.kind = kind;
    this.code = code;
    this.field = options.field;
    this.problems =
      options.problems ?? (options.field ? [{ field: options.field, reason: message }] : []);
    this.failedChecks = options.failedChecks ?? [];
    this.extra = options.extra ?? {};
  }
}

export function invalid(field: string, reason: string, code = 'invalid-input'): GatehouseError {
  return new GatehouseError('invalid', code, `${field}: ${reason}`, {
    field,
    problems: [{ field, reason }],
  });
}

export function notFound(what: string, id: string): GatehouseError {
  return new GatehouseError('not-found', 'not-found', `${what} '${id}' does not exist`, {
    extra: { subject: what, id },
  });
}

export function conflict(
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): GatehouseError {
  return new GatehouseError('conflict', code, message, { extra });
}

export function isGatehouseError(error: unknown): error is GatehouseError {
  return error instanceof GatehouseError;
}
