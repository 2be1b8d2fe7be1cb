/**
 * An open-loop load generator: requests leave at a fixed rate whether or not earlier
 * ones have been answered, so a server that slows down shows it as latency and queued
 * requests, not as a quietly lower rate (the "coordinated omission" a closed loop such as
 * autocannon's connections has). Each request has a kind; figures are kept per kind and
 * per window (a minute in the soak) so a trend over time can be seen.
 */
import http from 'node:http';
import { quantileSorted } from 'simple-statistics';

export interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  token: string;
  body?: string;
  contentType?: string;
}

/** What came back: status 0 when the request failed on the wire (refused, reset, timed out). */
export interface Answer {
  status: number;
  body: string;
}

export interface Job {
  kind: string;
  request: LoadRequest;
  /** Statuses this request is expected to get; anything else is counted as unexpected. */
  expect: readonly number[];
  /** Called with the answer (for chains of writes: the next step needs the key). */
  answered?(answer: Answer): void;
}

export interface KindFigures {
  requests: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers by status, for every status that is not 2xx (0 = failed on the wire). */
  non2xx: Record<string, number>;
  unexpected: number;
}

export interface WindowFigures {
  /** Seconds since the load started, at the window's start. */
  from: number;
  kinds: Record<string, KindFigures>;
}

export interface LoadReport {
  offeredRate: number;
  seconds: number;
  sent: number;
  /** Requests that were due but not sent because maxInFlight were already waiting. */
  notSent: number;
  windows: WindowFigures[];
  total: Record<string, KindFigures>;
  /** The first few unexpected answers, for the report. */
  unexpectedSamples: string[];
}

export interface LoadOptions {
  baseUrl: string;
  /** Requests per second offered, all kinds together. */
  rate: number;
  durationMs: number;
  windowMs: number;
  next: () => Job;
  maxInFlight?: number;
  timeoutMs?: number;
  onWindow?: (window: WindowFigures) => void;
}

class Tally {
  private latencies = new Map<string, number[]>();
  private statuses = new Map<string, Map<number, number>>();
  private unexpected = new Map<string, number>();

  add(kind: string, ms: number, status: number, expected: boolean): void {
    let list = this.latencies.get(kind);
    if (!list) this.latencies.set(kind, (list = []));
    list.push(ms);
    let byStatus = this.statuses.get(kind);
    if (!byStatus) this.statuses.set(kind, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (!expected) this.unexpected.set(kind, (this.unexpected.get(kind) ?? 0) + 1);
  }

  get empty(): boolean {
    return this.latencies.size === 0;
  }

  figures(): Record<string, KindFigures> {
    const out: Record<string, KindFigures> = {};
    for (const [kind, list] of [...this.latencies].sort(([a], [b]) => a.localeCompare(b))) {
      const sorted = Array.from(Float64Array.from(list).sort());
      const non2xx: Record<string, number> = {};
      for (const [status, count] of this.statuses.get(kind) ?? [])
        if (status < 200 || status > 299) non2xx[String(status)] = count;
      out[kind] = {
        requests: sorted.length,
        p50: round(quantileSorted(sorted, 0.5)),
        p99: round(quantileSorted(sorted, 0.99)),
        max: round(sorted[sorted.length - 1]!),
        non2xx,
        unexpected: this.unexpected.get(kind) ?? 0,
      };
    }
    return out;
  }
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export async function runOpenLoop(options: LoadOptions): Promise<LoadReport> {
  const maxInFlight = options.maxInFlight ?? 256;
  const timeoutMs = options.timeoutMs ?? 30_000;
  // The server closes a connection idle for 5 s (keepAliveTimeout). A client that reuses
  // such a connection just as it closes gets ECONNRESET for a request the server never
  // saw, so idle sockets are dropped here first, after 4 s, as a well-behaved client does.
  const agent = new http.Agent({ keepAlive: true, maxSockets: maxInFlight, timeout: 4000 });
  const base = new URL(options.baseUrl);
  const windows: WindowFigures[] = [];
  const total = new Tally();
  const unexpectedSamples: string[] = [];
  let window = new Tally();
  let windowStart = 0;
  let sent = 0;
  let notSent = 0;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const send = (request: LoadRequest): Promise<Answer> =>
    new Promise((resolve) => {
      const headers: Record<string, string> = { authorization: `Bearer ${request.token}` };
      if (request.body !== undefined) {
        headers['content-type'] = request.contentType ?? 'application/json';
        headers['content-length'] = String(Buffer.byteLength(request.body));
      }
      const req = http.request(
        {
          agent,
          host: base.hostname,
          port: base.port,
          method: request.method,
          path: request.path,
          headers,
          timeout: timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', (error) => resolve({ status: 0, body: error.message }));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => resolve({ status: 0, body: error.message }));
      req.end(request.body);
    });

  const fire = (job: Job) => {
    inFlight++;
    sent++;
    const started = performance.now();
    void send(job.request).then((answer) => {
      const ms = performance.now() - started;
      const expected = job.expect.includes(answer.status);
      total.add(job.kind, ms, answer.status, expected);
      window.add(job.kind, ms, answer.status, expected);
      if (!expected && unexpectedSamples.length < 10)
        unexpectedSamples.push(
          `${job.kind} ${job.request.method} ${job.request.path} → ${answer.status} ${answer.body.slice(0, 300)}`,
        );
      try {
        job.answered?.(answer);
      } finally {
        inFlight--;
        if (inFlight === 0) drained?.();
      }
    });
  };

  const closeWindow = (now: number) => {
    const figures = { from: Math.round(windowStart / 1000), kinds: window.figures() };
    windows.push(figures);
    options.onWindow?.(figures);
    window = new Tally();
    windowStart = now;
  };

  const start = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const elapsed = performance.now() - start;
      if (elapsed - windowStart >= options.windowMs) closeWindow(elapsed);
      if (elapsed >= options.durationMs) {
        clearInterval(timer);
        resolve();
        return;
      }
      const due = Math.floor((options.rate * elapsed) / 1000) - sent - notSent;
      for (let i = 0; i < due; i++) {
        if (inFlight >= maxInFlight) notSent++;
        else fire(options.next());
      }
    }, 5);
  });
  if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
  const seconds = (performance.now() - start) / 1000;
  if (!window.empty) closeWindow(performance.now() - start);
  agent.destroy();
  return {
    offeredRate: options.rate,
    seconds: Math.round(seconds * 10) / 10,
    sent,
    notSent,
    windows,
    total: total.figures(),
    unexpectedSamples,
  };
}
