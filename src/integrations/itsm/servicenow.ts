/**
 * ServiceNow change requests through the Table API (`/api/now/table/change_request`):
 * POST creates one (answer `{"result": {sys_id, number, …}}`), PATCH on its sys_id adds
 * a work note or closes it. Errors come as `{"error": {"message", "detail"}, "status":
 * "failure"}`. Close: state 3 (Closed) with close_code successful / unsuccessful, or
 * state 4 (Canceled).
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

const TABLE = 'api/now/table/change_request';

export function serviceNowError(body: unknown): string | null {
  const error = (body as { error?: { message?: unknown; detail?: unknown } } | null)?.error;
  if (!error || typeof error !== 'object') return typeof body === 'string' ? body : null;
  const parts = [error.message, error.detail].filter(
    (p): p is string => typeof p === 'string' && p !== '',
  );
  return parts.length ? parts.join(': ') : null;
}

export function serviceNowClient(config: ItsmConnectionConfig, timeoutMs: number): ItsmClient {
  const link = (sysId: string) =>
    new URL(
      `change_request.do?sys_id=${encodeURIComponent(sysId)}`,
      config.baseUrl.replace(/\/?$/, '/'),
    ).toString();
  const patch = async (ref: ChangeRef, body: Record<string, string>): Promise<CallResult<null>> => {
    const answer = await requestJson(
      config,
      'PATCH',
      `${TABLE}/${encodeURIComponent(ref.externalId)}`,
      body,
      timeoutMs,
    );
    return isSuccess(answer) ? { ok: true, value: null } : failure(answer, serviceNowError);
  };
  return {
    async open(change: NewChange) {
      const answer = await requestJson(
        config,
        'POST',
        TABLE,
        {
          short_description: `${change.releaseKey}: ${change.title}`.slice(0, 160),
          description: change.description,
          type: config.settings.changeType ?? 'normal',
          correlation_id: change.releaseKey,
          correlation_display: 'Gatehouse',
          work_notes: change.note,
        },
        timeoutMs,
      );
      if (!isSuccess(answer)) return failure(answer, serviceNowError);
      const result = (answer.body as { result?: { sys_id?: unknown; number?: unknown } } | null)
        ?.result;
      if (typeof result?.sys_id !== 'string' || typeof result.number !== 'string')
        return {
          ok: false,
          statusCode: answer.status,
          retryAfter: null,
          error: 'the answer has no result.sys_id and result.number',
        };
      return {
        ok: true,
        value: { externalId: result.sys_id, number: result.number, url: link(result.sys_id) },
      };
    },
    update: (ref, note) => patch(ref, { work_notes: note }),
    close: (ref, outcome: ChangeOutcome, note) =>
      patch(
        ref,
        outcome === 'cancelled'
          ? { state: '4', close_notes: note, work_notes: note }
          : { state: '3', close_code: outcome, close_notes: note, work_notes: note },
      ),
  };
}
