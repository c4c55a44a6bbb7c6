/**
 * The chat store's argument checks, made before any transaction by every backend, and the
 * limits that keep what a client can grow bounded. A refusal is a `bad_request` naming the field.
 */
import {
  badRequest,
  CHAT_CLIENT_ID_MAX_CHARS,
  CHAT_EMOJI_MAX_CHARS,
  CHAT_MENTIONS_MAX,
  CHAT_TEXT_MAX_CHARS,
  CHAT_TITLE_MAX_CHARS,
  isValidSegment,
  type ChatRole,
} from '@hubcast/protocol';
import {
  CHAT_HISTORY_LIMIT_MAX,
  type ChatProfile,
  type CreateRoomInput,
  type EditInput,
  type HistoryOptions,
  type MessageRef,
  type ReactInput,
  type SendInput,
} from './chat-store.js';
import { parseNotificationId } from './notification-rows.js';

/** The most users one `createRoom` or `addMembers` may name. */
export const CHAT_USERS_PER_CALL_MAX = 1000;
/** The most pinned messages a room keeps; `pinned` answers them all. */
export const CHAT_PINNED_MAX = 100;
/** The most distinct emoji on one message (the users per emoji are bounded by the members). */
export const CHAT_EMOJI_PER_MESSAGE_MAX = 50;
/** The longest `time_zone` of a profile (IANA names are far shorter). */
export const CHAT_TIME_ZONE_MAX_CHARS = 64;

/** PostgreSQL text cannot hold U+0000: refused everywhere to keep one contract. */
function checkString(field: string, value: unknown, maxChars: number, minChars = 1): string {
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  if (value.length < minChars) throw badRequest(`${field} must not be empty`);
  if (value.length > maxChars) throw badRequest(`${field} must be at most ${maxChars} characters`);
  if (value.includes('\u0000')) throw badRequest(`${field} must not contain U+0000`);
  return value;
}

export function checkOrg(org: unknown): void {
  checkString('org', org, 1000);
}

/** Room names and user ids become channel segments (`chat.<room>`, `user.<id>.chat`). */
export function checkName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !isValidSegment(value)) {
    throw badRequest(`${field} must be 1 to 64 of A-Z a-z 0-9 _ - : @ = +`);
  }
  return value;
}

/** The number behind a message id (canonical decimal), or a `bad_request` naming the field. */
export function checkId(field: string, id: unknown): number {
  const n = parseNotificationId(id);
  if (n === undefined) throw badRequest(`${field} must be a message id`);
  return n;
}

/** A list of user ids, each once, in the order first named. */
export function checkUsers(field: string, users: unknown): string[] {
  if (!Array.isArray(users)) throw badRequest(`${field} must be an array`);
  if (users.length > CHAT_USERS_PER_CALL_MAX) {
    throw badRequest(`${field} must name at most ${CHAT_USERS_PER_CALL_MAX} users`);
  }
  return [...new Set(users.map((u: unknown, i) => checkName(`${field}[${i}]`, u)))];
}

export function checkRoomRef(org: string, room: string, user?: string): void {
  checkOrg(org);
  checkName('room', room);
  if (user !== undefined) checkName('user', user);
}

export function checkCreateRoom(org: string, input: CreateRoomInput): string[] {
  checkRoomRef(org, input.room, input.owner);
  if (input.title !== undefined) checkString('title', input.title, CHAT_TITLE_MAX_CHARS, 0);
  const members = checkUsers('members', input.members ?? []);
  return members.filter((m) => m !== input.owner);
}

/** Text may be empty only when the call carries `data` (an attachment without a caption). */
function checkMessageText(text: unknown, hasData: boolean): void {
  checkString('text', text, CHAT_TEXT_MAX_CHARS, hasData ? 0 : 1);
}

/** Checked send arguments; mentions deduplicated. */
export interface CheckedSend {
  replyTo?: number;
  threadId?: number;
  mentions: string[];
}

export function checkSend(org: string, input: SendInput): CheckedSend {
  checkRoomRef(org, input.room, input.user);
  checkMessageText(input.text, input.data !== undefined);
  if (input.clientId !== undefined) {
    checkString('client_id', input.clientId, CHAT_CLIENT_ID_MAX_CHARS);
  }
  const mentions = input.mentions === undefined ? [] : checkUsers('mentions', input.mentions);
  if (mentions.length > CHAT_MENTIONS_MAX) {
    throw badRequest(`mentions must name at most ${CHAT_MENTIONS_MAX} users`);
  }
  return {
    ...(input.replyTo === undefined ? {} : { replyTo: checkId('reply_to', input.replyTo) }),
    ...(input.threadId === undefined ? {} : { threadId: checkId('thread_id', input.threadId) }),
    mentions,
  };
}

export function checkMessageRef(org: string, input: MessageRef): number {
  checkRoomRef(org, input.room, input.user);
  return checkId('id', input.id);
}

export function checkEdit(org: string, input: EditInput): number {
  const id = checkMessageRef(org, input);
  checkMessageText(input.text, input.data !== undefined);
  return id;
}

export function checkReact(org: string, input: ReactInput): number {
  const id = checkMessageRef(org, input);
  checkString('emoji', input.emoji, CHAT_EMOJI_MAX_CHARS);
  return id;
}

function checkLimit(limit: unknown): number {
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw badRequest(`limit must be an integer from 1 to ${CHAT_HISTORY_LIMIT_MAX}`);
  }
  if (limit > CHAT_HISTORY_LIMIT_MAX) {
    throw badRequest(`limit must be an integer from 1 to ${CHAT_HISTORY_LIMIT_MAX}`);
  }
  return limit;
}

export interface CheckedHistory {
  limit: number;
  /** Exclusive bounds of the ids to read. */
  before?: number;
  after?: number;
  threadId?: number;
}

export function checkHistory(
  org: string,
  room: string,
  user: string,
  options: HistoryOptions,
): CheckedHistory {
  checkRoomRef(org, room, user);
  const limit = checkLimit(options.limit);
  if (options.before !== undefined && options.after !== undefined) {
    throw badRequest('before and after cannot be given together');
  }
  return {
    limit,
    ...(options.before === undefined ? {} : { before: checkId('before', options.before) }),
    ...(options.after === undefined ? {} : { after: checkId('after', options.after) }),
    ...(options.threadId === undefined ? {} : { threadId: checkId('thread_id', options.threadId) }),
  };
}

export function checkSearch(
  org: string,
  room: string,
  user: string,
  text: string,
  options: { limit: number; before?: string },
): { limit: number; before?: number } {
  checkRoomRef(org, room, user);
  checkString('text', text, CHAT_TEXT_MAX_CHARS);
  const limit = checkLimit(options.limit);
  return {
    limit,
    ...(options.before === undefined ? {} : { before: checkId('before', options.before) }),
  };
}

export function checkProfile(org: string, user: string, profile?: ChatProfile): void {
  checkOrg(org);
  checkName('user', user);
  if (profile?.time_zone !== undefined) {
    checkString('time_zone', profile.time_zone, CHAT_TIME_ZONE_MAX_CHARS);
  }
}

export const checkRole = (role: unknown): ChatRole => {
  if (role !== 'owner' && role !== 'member') throw badRequest("role must be 'owner' or 'member'");
  return role;
};
