/** Authorization decisions (PROTOCOL.md §1 personal channels, §6 grants). Pure functions. */
import {
  coversPattern,
  isValidSegment,
  isWildcardPattern,
  personalOwner,
  type ErrorCode,
} from '@hubcast/protocol';

/**
 * May `user` subscribe to (or read history / presence of) `pattern` with these grants?
 * Returns the refusal code or `undefined` when allowed.
 */
export function checkSubscribe(
  user: string,
  grants: readonly string[],
  pattern: string,
): ErrorCode | undefined {
  // `user.*`, `user.>` and `user.bob` (for alice) name other users' personal channels: their
  // owner segment is `*`, `>` or another id. Her own need no grant (PROTOCOL.md §1), so a
  // token scoped to `chat.>` still gets her notifications.
  const owner = personalOwner(pattern);
  if (owner !== undefined) return owner === user && isValidSegment(owner) ? undefined : 'forbidden';
  return coversPattern(grants, pattern) ? undefined : 'forbidden';
}

/** May a client publish to the concrete `channel`? Personal channels are never client-writable. */
export function checkPublish(grants: readonly string[], channel: string): ErrorCode | undefined {
  if (isWildcardPattern(channel)) return 'bad_request';
  if (personalOwner(channel) !== undefined) return 'forbidden';
  return coversPattern(grants, channel) ? undefined : 'forbidden';
}

/**
 * May an event on `channel` reach a connection of `user`? Personal events go only to their
 * owner, whatever pattern another connection holds (PROTOCOL.md §1).
 */
export function canReceive(user: string, channel: string): boolean {
  const owner = personalOwner(channel);
  return owner === undefined || owner === user;
}
