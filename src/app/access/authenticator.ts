/**
 * Authentication with a short memory. Resolving a token costs two queries on every
 * request; remembering a successful answer for a few seconds removes them from the hot
 * path. The price is bounded staleness: a token revoked or a role withdrawn on another
 * replica stops working within `ttlMs` (on this replica, `forget()` makes it at once).
 * Refusals are never remembered, so a new token works immediately.
 *
 * Tokens are named by their SHA-256 (`hashToken`): the HTTP layer hashes each request's
 * token once and the rate limiter, this memory and the store all use that one digest.
 */
import type { Store } from '../../store/database.js';
import { authenticate, type Authentication } from './tokens.js';

type Admitted = Authentication & { ok: true };

export interface Authenticator {
  /** The remembered answer for this token, when there is one still good at `now`. */
  remembered(tokenHash: string, now: Date): Admitted | undefined;
  /** The remembered answer, or the store's (remembered when it admits). */
  authenticate(tokenHash: string, now: Date): Promise<Authentication>;
  /** Drops every remembered answer (after a revocation or a change of roles). */
  forget(): void;
}

export function createAuthenticator(
  store: Store,
  options: { ttlMs?: number; capacity?: number } = {},
): Authenticator {
  const ttlMs = options.ttlMs ?? 5_000;
  const capacity = options.capacity ?? 10_000;
  const memory = new Map<string, { result: Admitted; until: number }>();
  const remembered = (tokenHash: string, now: Date): Admitted | undefined => {
    const hit = memory.get(tokenHash);
    return hit && hit.until > now.getTime() ? hit.result : undefined;
  };
  return {
    remembered,
    async authenticate(tokenHash, now) {
      const hit = remembered(tokenHash, now);
      if (hit) return hit;
      const result = await authenticate(store.reader, tokenHash, now);
      if (result.ok) {
        if (memory.size >= capacity) memory.clear();
        // Never remembered past the token's own expiry.
        const expiresAt = result.expiresAt ? Date.parse(result.expiresAt) : Infinity;
        memory.set(tokenHash, { result, until: Math.min(now.getTime() + ttlMs, expiresAt) });
      } else memory.delete(tokenHash);
      return result;
    },
    forget: () => memory.clear(),
  };
}
