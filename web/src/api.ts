/**
 * The UI's only door to Gatehouse: the public HTTP API with the bearer token the person
 * pasted at sign-in. The token lives in sessionStorage, so it leaves with the tab.
 */
import type { Static } from '@sinclair/typebox';
import type {
  DeploymentSchema,
  ListedReleaseSchema,
  ReleaseSchema,
  TransitionEvaluationSchema,
} from '../../src/http/schemas/release.js';

export type Release = Static<typeof ReleaseSchema>;
/** A release as the list gives it: with its risk score and level. */
export type ListedRelease = Static<typeof ListedReleaseSchema>;
export type Deployment = Static<typeof DeploymentSchema>;
export type TransitionEvaluation = Static<typeof TransitionEvaluationSchema>;
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
export interface Transition {
  from: string;
  to: string;
  actor: string;
  reason: string | null;
  at: string;
}
export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
}
export interface Catalog {
  teams: { name: string; displayName?: string }[];
  services: { name: string; team: string }[];
  environments?: { name: string; position: number; production?: boolean; regions?: string[] }[];
}
export interface Me {
  name: string;
  roles: string[];
}

/** An RFC 9457 problem document as the API sends it. */
export interface Problem {
  status: number;
  code: string;
  title: string;
  detail: string;
  errors?: { field: string; reason: string }[];
  failedChecks?: { check: string; reason: string }[];
}

export class ApiProblem extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

const TOKEN_KEY = 'gatehouse.token';
export const SIGNED_OUT_EVENT = 'gatehouse:signed-out';

export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
};

export async function api<T>(
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const bearer = token ?? session.token();
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (body !== undefined)
    headers['content-type'] =
      body instanceof Blob ? 'application/octet-stream' : 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      // A file (evidence) goes byte for byte, as a pipeline would send it.
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiProblem({
      status: 0,
      code: 'unreachable',
      title: 'Gatehouse is unreachable',
      detail: 'the Gatehouse server did not answer; check the network and try again',
    });
  }
  const text = await response.text();
  const parsed: unknown = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const problem = parsed as Problem;
    // A token that stopped working (revoked, expired) ends the session everywhere at once.
    if (response.status === 401 && token === undefined) {
      session.signOut();
      window.dispatchEvent(new Event(SIGNED_OUT_EVENT));
    }
    throw new ApiProblem(problem);
  }
  return parsed as T;
}

/** A query string from the filters that are set. */
export function searchParams(values: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}
