/**
 * One HTTP POST of a webhook, bounded by a timeout. It reports what happened (status
 * code or error, and how long it took) and never throws: deciding what a failure means
 * is the caller's job.
 */
export interface WebhookAttempt {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

export async function postWebhook(input: {
  url: string;
  body: string;
  headers: Record<string, string>;
  timeoutMs: number;
}): Promise<WebhookAttempt> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await fetch(input.url, {
      method: 'POST',
      headers: { 'user-agent': 'Gatehouse-Webhooks/1', ...input.headers },
      body: input.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(input.timeoutMs),
    });
    // Read (and drop) the answer within the same timeout so the socket is freed.
    await response.arrayBuffer().catch(() => undefined);
    return { statusCode: response.status, error: null, durationMs: elapsed() };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string; message?: string } };
    const message =
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `timed out after ${input.timeoutMs} ms`
        : (e.cause?.code ?? e.cause?.message ?? e.message);
    return { statusCode: null, error: message, durationMs: elapsed() };
  }
}
