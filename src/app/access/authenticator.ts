/**
 * Authentication with a short memory. Resolving a token costs two queries on every
 * request; remembering a successful answer for a few seconds removes them from the hot
 * path. The price is bounded staleness: a token revoked or a role withdrawn on another
 * replica stops working within `ttlMs` (on this replica, `forget()` makes it at once).
 * Refusals are never remembered, so a new token works immediately.
 */
import type { Store } from '../../store/database.js';
import { authenticate, hashToken, type Authentication } from './tokens.js';

export interface Authenticator {
  authenticate(token: string, now: Date): Promise<Authentication>;
  /** Drops every remembered answer (after a revocation or a change of roles). */
  forget(): void;
}

export function createAuthenticator(
  store: Store,
  options: { ttlMs?: number; capacity?: number } = {},
): Authenticator {
  const ttlMs = options.ttlMs ?? 5_000;
  const capacity = options.capacity ?? 10_000;
  const remembered = new Map<
    string,
    { result: Authentication & { ok: true }; until: number; expiresAt: number | null }
  >();
  return {
    async authenticate(token, now) {
      const key = hashToken(token);
      const hit = remembered.get(key);
      if (
        hit &&
        hit.until > now.getTime() &&
        (hit.expiresAt === null || hit.expiresAt > now.getTime())
      )
        return hit.result;
      const result = await authenticate(store.reader, token, now);
      if (result.ok) {
        if (remembered.size >= capacity) remembered.clear();
        remembered.set(key, {
          result,
          until: now.getTime() + ttlMs,
          expiresAt: result.expiresAt ? Date.parse(result.expiresAt) : null,
        });
      } else remembered.delete(key);
      return result;
    },
    forget: () => remembered.clear(),
  };
}
