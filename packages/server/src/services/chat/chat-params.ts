/**
 * Reads the params of the `chat.*` rpc methods and of the chat HTTP API (docs/chat.md). Strict
 * on what it reads (types, lengths, names), silent on fields it does not know. Each refusal is a
 * `bad_request` naming the field, except oversized text (`too_large`). Pure functions.
 */
import {
  CHAT_CLIENT_ID_MAX_CHARS,
  CHAT_EMOJI_MAX_CHARS,
  CHAT_MENTIONS_MAX,
  CHAT_TEXT_MAX_CHARS,
  CHAT_TITLE_MAX_CHARS,
  badRequest,
  isObject,
  isValidSegment,
  jsonDepthExceeds,
  tooLarge,
  type ChatRole,
  type JsonValue,
} from '@hubcast/protocol';
import { CHAT_HISTORY_LIMIT_MAX } from '../../store/chat-store.js';

export type Params = Record<string, unknown>;

/** The most users one `chat.createRoom` or `chat.addMembers` may name. */
export const CHAT_MEMBERS_PER_CALL_MAX = 1000;
/** A page of `chat.history` and `chat.search` without `limit`. */
export const CHAT_PAGE_DEFAULT = 50;
/** The longest `chat.search` text. */
export const CHAT_SEARCH_MAX_CHARS = 200;
/** The longest IANA zone name we take (the longest real one has 32 characters). */
export const TIME_ZONE_MAX_CHARS = 64;

const SEGMENT_RULE = '1-64 of A-Z a-z 0-9 _ - : @ = +';
/** Ids are decimal strings of a per-tenant sequence (protocol/chat.ts). */
const MESSAGE_ID = /^[0-9]{1,20}$/;
/** `UTC`, `Europe/Berlin`, `America/Port-au-Prince`, `Etc/GMT+5`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/** `params` as an object: absent or null is `{}`. */
export function paramsObject(params: unknown): Params {
  const p = params === undefined || params === null ? {} : params;
  if (!isObject(p)) throw badRequest("'params' must be an object");
  return p;
}

/** A room name, which is one channel segment (its events are on `chat.<room>`). */
export function roomParam(p: Params, field = 'room'): string {
  const v = p[field];
  if (typeof v !== 'string' || !isValidSegment(v))
    throw badRequest(`'${field}' must be a room name (${SEGMENT_RULE})`);
  return v;
}

/** A user id, which becomes a channel segment (`user.<id>.chat`). */
export function userParam(p: Params, field: string): string {
  const v = p[field];
  if (typeof v !== 'string' || !isValidSegment(v))
    throw badRequest(`'${field}' must be a user id (${SEGMENT_RULE})`);
  return v;
}

/** A list of distinct user ids, `min` to `max` of them. */
export function usersParam(p: Params, field: string, min: number, max: number): string[] {
  const v = p[field];
  if (!Array.isArray(v) || v.length < min || v.length > max)
    throw badRequest(`'${field}' must be an array of ${min} to ${max} user ids`);
  const seen = new Set<string>();
  v.forEach((u, i) => {
    if (typeof u !== 'string' || !isValidSegment(u))
      throw badRequest(`'${field}[${i}]' must be a user id (${SEGMENT_RULE})`);
    if (seen.has(u)) throw badRequest(`'${field}[${i}]' names '${u}' twice`);
    seen.add(u);
  });
  return v as string[];
}

export function optionalUsers(p: Params, field: string, max: number): string[] | undefined {
  return p[field] === undefined ? undefined : usersParam(p, field, 0, max);
}

export function messageIdParam(p: Params, field = 'id'): string {
  const v = p[field];
  if (typeof v !== 'string' || !MESSAGE_ID.test(v))
    throw badRequest(`'${field}' must be a message id (a decimal string)`);
  return v;
}

export function optionalMessageId(p: Params, field: string): string | undefined {
  return p[field] === undefined ? undefined : messageIdParam(p, field);
}

/** A message's text: oversized is `too_large` (the client may split it), the rest `bad_request`. */
export function textParam(p: Params, allowEmpty: boolean): string {
  const v = p['text'];
  if (typeof v !== 'string') throw badRequest("'text' must be a string");
  if (v.length > CHAT_TEXT_MAX_CHARS)
    throw tooLarge(`'text' has ${v.length} characters; at most ${CHAT_TEXT_MAX_CHARS}`);
  if (v.length === 0 && !allowEmpty) throw badRequest("'text' must not be empty without 'data'");
  return v;
}

/** `data` when present (`null` is a value), bounded in depth as event data is (PROTOCOL.md §9). */
export function optionalData(p: Params, maxDepth: number): { data?: JsonValue } {
  if (!('data' in p) || p['data'] === undefined) return {};
  if (jsonDepthExceeds(p['data'], maxDepth))
    throw badRequest(`'data' nests deeper than ${maxDepth} levels`);
  return { data: p['data'] as JsonValue };
}

export function optionalString(
  p: Params,
  field: string,
  maxChars: number,
  what = `a string of 1-${maxChars} characters`,
): string | undefined {
  const v = p[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > maxChars)
    throw badRequest(`'${field}' must be ${what}`);
  return v;
}

export const optionalTitle = (p: Params): string | undefined =>
  optionalString(p, 'title', CHAT_TITLE_MAX_CHARS);
export const optionalClientId = (p: Params): string | undefined =>
  optionalString(p, 'client_id', CHAT_CLIENT_ID_MAX_CHARS);

export function emojiParam(p: Params): string {
  const v = optionalString(p, 'emoji', CHAT_EMOJI_MAX_CHARS);
  if (v === undefined)
    throw badRequest(`'emoji' must be a string of 1-${CHAT_EMOJI_MAX_CHARS} characters`);
  return v;
}

export function roleParam(p: Params): ChatRole {
  const v = p['role'];
  if (v !== 'owner' && v !== 'member') throw badRequest("'role' must be 'owner' or 'member'");
  return v;
}

export function limitParam(p: Params): number {
  const v = p['limit'];
  if (v === undefined) return CHAT_PAGE_DEFAULT;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > CHAT_HISTORY_LIMIT_MAX)
    throw badRequest(`'limit' must be an integer from 1 to ${CHAT_HISTORY_LIMIT_MAX}`);
  return v;
}

/** `chat.send`'s mentions: distinct user ids, at most `CHAT_MENTIONS_MAX`. */
export const optionalMentions = (p: Params): string[] | undefined =>
  optionalUsers(p, 'mentions', CHAT_MENTIONS_MAX);

/**
 * An IANA zone name the runtime knows (`Europe/Berlin`, `UTC`), or `null` to clear it. The
 * runtime's own table decides: `Intl.DateTimeFormat` throws a RangeError for any other name.
 */
export function timeZoneParam(p: Params): string | null | undefined {
  const v = p['time_zone'];
  if (v === undefined || v === null) return v;
  const bad = () => badRequest("'time_zone' must be an IANA time zone name, e.g. 'Europe/Berlin'");
  // The name's shape first: newer runtimes also take offsets (`+01:00`), which are no zone.
  if (typeof v !== 'string' || v.length > TIME_ZONE_MAX_CHARS || !ZONE_NAME.test(v)) throw bad();
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: v });
  } catch {
    throw bad();
  }
  return v;
}
