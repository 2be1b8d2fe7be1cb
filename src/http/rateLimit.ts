/**
 * The per-token request budget (issue 11): a fixed window per key, counted in one
 * synchronous onRequest hook. It replaced @fastify/rate-limit, whose hook awaits three
 * times per request (key, allow list, store) for the same in-memory count: about 3 µs of
 * a 55 µs release read (ADR 2900-1). Keys live in an LRU map (toad-cache, the cache
 * Fastify's own plugins use), so a flood of distinct keys cannot grow memory without
 * bound; an evicted key starts a fresh window, as it would in the plugin's store.
 */
import type { FastifyRequest } from 'fastify';
import { LruMap } from 'toad-cache';
import { bearerOf } from './auth.js';
import type { Server } from './routes/index.js';

/** Generous: a pipeline burst or a busy UI never meets it; a runaway script does. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 6000;

/** Keys remembered at once; beyond this the least recently seen start again. */
const KEYS = 10_000;
const WINDOW_MS = 60_000;

interface Window {
  startedAt: number;
  count: number;
}

/** A budget of `max` requests per key per window. */
export class RequestBudget {
  private readonly windows: LruMap<Window>;

  constructor(
    readonly max: number,
    readonly windowMs = WINDOW_MS,
    keys = KEYS,
  ) {
    this.windows = new LruMap<Window>(keys);
  }

  /**
   * Counts one request under `key` at `now`: 0 when it is within the budget, otherwise
   * the milliseconds until the key's window ends.
   */
  spend(key: string, now: number): number {
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count > this.max ? window.startedAt + this.windowMs - now : 0;
  }
}

/**
 * Which budget a request spends: its token's (by SHA-256, so no secret sits in the
 * limiter's memory), or its address's when it carries none.
 */
export function rateLimitKey(request: FastifyRequest): string {
  const bearer = bearerOf(request);
  // A digest is 64 hex digits, which no address is, so the two kinds of key cannot meet
  // and no key string is built per request.
  return bearer.kind === 'token' ? bearer.hash : request.ip;
}

/**
 * Counted before authentication, so a flood of bad tokens is throttled before it costs a
 * database look-up. The health check is never throttled: load balancers poll it.
 */
export function registerRateLimit(server: Server, perMinute: number): void {
  if (perMinute <= 0) return;
  const budget = new RequestBudget(perMinute);
  server.addHook('onRequest', (request, reply, done) => {
    if (request.url === '/healthz') return done();
    const waitMs = budget.spend(rateLimitKey(request), Date.now());
    if (waitMs === 0) return done();
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    void reply.header('retry-after', String(seconds));
    done(
      Object.assign(
        new Error(
          `more than ${perMinute} requests a minute with this token (or from this address when anonymous); retry after ${seconds} s`,
        ),
        { statusCode: 429, code: 'rate-limited' },
      ),
    );
  });
}
