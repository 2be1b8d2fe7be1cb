/**
 * Jira Service Management changes through the Jira Cloud platform REST API v3: an issue
 * of the change issue type (`POST /rest/api/3/issue` → `{id, key, self}`), comments
 * (`POST /rest/api/3/issue/{key}/comment`, Atlassian Document Format bodies), and the
 * closing transition (`GET`/`POST /rest/api/3/issue/{key}/transitions`, the comment sent
 * with the transition so the two happen together). Errors come as
 * `{"errorMessages": [...], "errors": {field: message}}`.
 */
import type { ChangeOutcome } from '../../domain/itsm.js';
import {
  failure,
  isSuccess,
  requestJson,
  type CallResult,
  type ChangeRef,
  type ItsmClient,
  type ItsmConnectionConfig,
  type NewChange,
} from './client.js';

/** A plain-text paragraph as an Atlassian Document Format document. */
export function adf(text: string) {
  return {
    type: 'doc',
    version: 1,
    content: text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => ({ type: 'paragraph', content: [{ type: 'text', text: line }] })),
  };
}

export function jiraError(body: unknown): string | null {
  if (typeof body === 'string') return body || null;
  const b = body as { errorMessages?: unknown; errors?: unknown } | null;
  if (!b || typeof b !== 'object') return null;
  const messages = Array.isArray(b.errorMessages)
    ? b.errorMessages.filter((m): m is string => typeof m === 'string')
    : [];
  const errors =
    b.errors && typeof b.errors === 'object'
      ? Object.entries(b.errors as Record<string, unknown>).map(([f, m]) => `${f}: ${String(m)}`)
      : [];
  const all = [...messages, ...errors];
  return all.length ? all.join('; ') : null;
}

export function jiraClient(config: ItsmConnectionConfig, timeoutMs: number): ItsmClient {
  const base = config.baseUrl.replace(/\/?$/, '/');
  const issuePath = (ref: ChangeRef) => `rest/api/3/issue/${encodeURIComponent(ref.number)}`;
  return {
    async open(change: NewChange) {
      if (!config.settings.projectKey)
        return {
          ok: false,
          statusCode: 400,
          retryAfter: null,
          error: 'the connection names no Jira projectKey',
        };
      const answer = await requestJson(
        config,
        'POST',
        'rest/api/3/issue',
        {
          fields: {
            project: { key: config.settings.projectKey },
            issuetype: { name: config.settings.issueType ?? 'Change' },
            summary: `${change.releaseKey}: ${change.title}`.slice(0, 255),
            description: adf(`${change.description}\n${change.note}`),
          },
        },
        timeoutMs,
      );
      if (!isSuccess(answer)) return failure(answer, jiraError);
      const created = answer.body as { id?: unknown; key?: unknown } | null;
      if (typeof created?.id !== 'string' || typeof created.key !== 'string')
        return {
          ok: false,
          statusCode: answer.status,
          retryAfter: null,
          error: 'the answer has no id and key',
        };
      return {
        ok: true,
        value: {
          externalId: created.id,
          number: created.key,
          url: new URL(`browse/${created.key}`, base).toString(),
        },
      };
    },
    async update(ref, note) {
      const answer = await requestJson(
        config,
        'POST',
        `${issuePath(ref)}/comment`,
        { body: adf(note) },
        timeoutMs,
      );
      return isSuccess(answer) ? { ok: true, value: null } : failure(answer, jiraError);
    },
    async close(ref, outcome: ChangeOutcome, note): Promise<CallResult<null>> {
      const wanted =
        outcome === 'cancelled'
          ? (config.settings.cancelTransition ?? config.settings.closeTransition ?? 'Done')
          : (config.settings.closeTransition ?? 'Done');
      const listed = await requestJson(
        config,
        'GET',
        `${issuePath(ref)}/transitions`,
        undefined,
        timeoutMs,
      );
      if (!isSuccess(listed)) return failure(listed, jiraError);
      const transitions = ((listed.body as { transitions?: unknown } | null)?.transitions ??
        []) as Array<{
        id?: unknown;
        name?: unknown;
      }>;
      const transition = transitions.find(
        (t) => typeof t.name === 'string' && t.name.toLowerCase() === wanted.toLowerCase(),
      );
      if (!transition || typeof transition.id !== 'string')
        return {
          ok: false,
          statusCode: 409,
          retryAfter: null,
          error: `no transition named '${wanted}' is available on ${ref.number} (available: ${
            transitions.map((t) => String(t.name)).join(', ') || 'none'
          })`,
        };
      const answer = await requestJson(
        config,
        'POST',
        `${issuePath(ref)}/transitions`,
        {
          transition: { id: transition.id },
          update: { comment: [{ add: { body: adf(`${note}\nOutcome: ${outcome}`) } }] },
        },
        timeoutMs,
      );
      return isSuccess(answer) ? { ok: true, value: null } : failure(answer, jiraError);
    },
  };
}
