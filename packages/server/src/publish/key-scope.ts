/**
 * Idempotency key scopes (PROTOCOL.md §2.4): keys are unique per tenant *and per publisher*,
 * so no client can claim a key its backend (or another user) will use later. The log keeps one
 * key space per tenant; a scope is a prefix no other scope can produce.
 */
import type { AppendInput } from '../log/log.js';

export type KeyScope =
  /** The HTTP API and queue ingest of a tenant: one scope, whichever API key calls. */
  | { readonly kind: 'api' }
  /** One user's client publishes, from any of their connections. */
  | { readonly kind: 'user'; readonly user: string }
  /** The node's own services (notifications): never reachable from outside. */
  | { readonly kind: 'service' };

/**
 * The key as the log stores it. `c:` is the API's prefix from before scopes were split (keys
 * stored then still dedupe); a user id never holds `/`, so `u:<user>/` cannot be forged by
 * another user's id or key.
 */
export function scopedKey(scope: KeyScope, key: string): string {
  switch (scope.kind) {
    case 'api':
      return `c:${key}`;
    case 'user':
      return `u:${scope.user}/${key}`;
    case 'service':
      return `s:${key}`;
    default: {
      const never: never = scope;
      throw new Error(`unknown key scope ${(never as { kind: string }).kind}`);
    }
  }
}

/** The items with their keys scoped; the same array when none has a key. */
export function scopeKeys(items: readonly AppendInput[], scope: KeyScope): readonly AppendInput[] {
  if (!items.some((i) => i.key !== undefined)) return items;
  return items.map((i) => (i.key === undefined ? i : { ...i, key: scopedKey(scope, i.key) }));
}
