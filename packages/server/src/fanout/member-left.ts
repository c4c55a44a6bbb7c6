/**
 * Spots the `chat.member_left` events of docs/chat.md on the fan-out path: when one is
 * delivered, every node ends the leaving user's subscriptions to that room (room-gate.ts), at
 * exactly that point of the log, so no later event of the room reaches them.
 */
import { chatRoomOf, isObject } from '@hubcast/protocol';
import type { LogEvent } from '../log/log.js';

/**
 * The data of a `chat.member_left` event is a room and a user id (64 characters each at most):
 * a longer payload is not one, so a large chat message is never searched or parsed here.
 */
const MEMBER_LEFT_MAX_JSON_CHARS = 512;

/** The room and user a `chat.member_left` event on its own room's channel names, or undefined. */
export function memberLeftOf(
  event: Pick<LogEvent, 'channel' | 'dataJson'>,
): { room: string; user: string } | undefined {
  const room = chatRoomOf(event.channel);
  if (room === undefined || event.channel.length !== room.length + 5) return undefined;
  const json = event.dataJson;
  if (json.length > MEMBER_LEFT_MAX_JSON_CHARS || !json.includes('"chat.member_left"'))
    return undefined;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!isObject(data) || data['type'] !== 'chat.member_left' || data['room'] !== room)
    return undefined;
  const user = data['user'];
  return typeof user === 'string' && user.length > 0 ? { room, user } : undefined;
}
