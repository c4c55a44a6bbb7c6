/**
 * Authorization decisions (PROTOCOL.md §1 personal channels, §6 grants, docs/chat.md room
 * channels). Pure functions.
 */
import {
  chatRoomOf,
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
  // `chat.*` and `chat.>` would span rooms, which are gated one by one by membership
  // (docs/chat.md); a pattern naming one room still needs its membership checked (room-gate.ts).
  const room = chatRoomOf(pattern);
  if (room !== undefined && !isValidSegment(room)) return 'forbidden';
  return coversPattern(grants, pattern) ? undefined : 'forbidden';
}

/** May a client publish to the concrete `channel`? Personal channels are never client-writable. */
export function checkPublish(grants: readonly string[], channel: string): ErrorCode | undefined {
  if (isWildcardPattern(channel)) return 'bad_request';
  if (personalOwner(channel) !== undefined) return 'forbidden';
  // Only the chat service writes room channels (docs/chat.md), so members can trust them.
  if (chatRoomOf(channel) !== undefined) return 'forbidden';
  return coversPattern(grants, channel) ? undefined : 'forbidden';
}

/**
 * May an event on `channel` reach a connection of `user` through a subscription gated by
 * `room` (the room its pattern names, once its membership was checked; undefined for any other
 * pattern)? Personal events go only to their owner, whatever pattern another connection holds
 * (PROTOCOL.md §1); a room's events only through a subscription to that room, so broad patterns
 * (`>`, `*.general`) never carry them (docs/chat.md).
 */
export function canReceive(user: string, channel: string, room?: string): boolean {
  const owner = personalOwner(channel);
  if (owner !== undefined) return owner === user;
  const eventRoom = chatRoomOf(channel);
  return eventRoom === undefined || eventRoom === room;
}
