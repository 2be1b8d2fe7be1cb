/**
 * The CLI's HTTP client. Every command talks to the server the way a pipeline would,
 * through GATEHOUSE_URL and GATEHOUSE_TOKEN, and turns the answer into an exit code.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

export interface Connection {
  url: string;
  token: string | undefined;
}

export function connectionFromEnv(options: { url?: string; token?: string }): Connection {
  const url = options.url ?? process.env.GATEHOUSE_URL ?? 'http://127.0.0.1:8080';
  try {
    new URL(url);
  } catch {
    throw new CliError(`GATEHOUSE_URL '${url}' is not a URL`, EXIT.usage);
  }
  return { url: url.replace(/\/+$/, ''), token: options.token ?? process.env.GATEHOUSE_TOKEN };
}

interface ProblemBody {
  detail?: string;
  errors?: Array<{ field: string; reason: string }>;
  failedChecks?: Array<{ check: string; reason: string }>;
}

/** 409 and 412 are the product saying no; 403 too. Input problems are the caller's. */
export function exitCodeFor(status: number): number {
  if (status >= 500) return EXIT.unavailable;
  if (status === 403 || status === 409 || status === 412) return EXIT.refused;
  return EXIT.usage;
}

function describeProblem(status: number, body: unknown): string {
  const problem = (body ?? {}) as ProblemBody;
  const lines = [`${problem.detail ?? `the server answered HTTP ${status}`}`];
  for (const e of problem.errors ?? [])
    if (!lines[0]!.includes(e.reason)) lines.push(`  ${e.field}: ${e.reason}`);
  for (const c of problem.failedChecks ?? []) lines.push(`  ✗ ${c.check}: ${c.reason}`);
  return lines.join('\n');
}

export async function request<T>(
  connection: Connection,
  method: string,
  path: string,
  options: {
    body?: unknown;
    /** A file sent as it is (evidence, a YAML policy) instead of a JSON body. */
    raw?: { content: Uint8Array | string; contentType: string };
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (connection.token) headers.authorization = `Bearer ${connection.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.raw) headers['content-type'] = options.raw.contentType;
  let response: Response;
  try {
    response = await fetch(connection.url + path, {
      method,
      headers,
      body: options.raw
        ? options.raw.content
        : options.body === undefined
          ? undefined
          : JSON.stringify(options.body),
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new CliError(
      `cannot reach Gatehouse at ${connection.url} (${cause}); is it running, and is GATEHOUSE_URL right?`,
      EXIT.unavailable,
    );
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text for the message
  }
  if (!response.ok) {
    let message = describeProblem(response.status, body);
    if (response.status === 401 && !connection.token)
      message +=
        '\n  set GATEHOUSE_TOKEN to an API token (the first-start admin token is in the data directory)';
    throw new CliError(message, exitCodeFor(response.status), body);
  }
  return { status: response.status, body: body as T, headers: response.headers };
}
