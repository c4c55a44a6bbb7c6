/**
 * Validation of every inbound client message (docs/protocol.md §3, §4). Hand-written rather
 * than a schema library: it runs on every inbound frame, must build for the browser with no
 * dependencies, and its messages name the exact field.
 */
import { explainBadName } from './channel.js';
import { badRequest, type HubcastError } from './errors.js';
import type { ClientInfo, ClientMessage, JsonValue } from './messages.js';

export type ValidationResult =
  { ok: true; message: ClientMessage } | { ok: false; error: HubcastError; id: number | undefined };

const MAX_ID = Number.MAX_SAFE_INTEGER;
export const HISTORY_LIMIT_MAX = 1000;
export const HISTORY_LIMIT_DEFAULT = 100;
const MAX_KEY_CHARS = 255;

export function isValidCommandId(id: unknown): id is number {
  return typeof id === 'number' && Number.isInteger(id) && id >= 1 && id <= MAX_ID;
}

type Obj = Record<string, unknown>;

class FieldError extends Error {}

function fail(message: string): never {
  throw new FieldError(message);
}

function str(o: Obj, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`'${key}' must be a string`);
  return v;
}
function optStr(o: Obj, key: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key);
}
function optBool(o: Obj, key: string): boolean | undefined {
  const v = o[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') fail(`'${key}' must be a boolean`);
  return v;
}
function name(o: Obj, key: string, allowWildcards: boolean): string {
  const v = o[key];
  if (v === undefined) fail(`'${key}' is required`);
  const why = explainBadName(v, allowWildcards);
  if (why !== undefined) fail(`'${key}' ${why}`);
  return v as string;
}
const MAX_CURSOR_CHARS = 128;

/** A `history` cursor: one that cannot be a cursor is a `bad_request` (PROTOCOL.md §4). */
function cursor(o: Obj, key: string): string | undefined {
  const v = optStr(o, key);
  if (v !== undefined && (v.length === 0 || v.length > MAX_CURSOR_CHARS))
    fail(`'${key}' is not a cursor`);
  return v;
}

/**
 * A resume cursor (`connect`, `subscribe`): one the server cannot place is out of retention
 * (PROTOCOL.md §1), whatever its length, so it is kept, as an empty string when it could not be
 * a cursor at all: the reply says `resumed: false` instead of refusing the connection.
 */
function resumeCursor(o: Obj): string | undefined {
  const v = optStr(o, 'cursor');
  return v !== undefined && v.length > MAX_CURSOR_CHARS ? '' : v;
}
function key(o: Obj): string | undefined {
  const v = optStr(o, 'key');
  if (v !== undefined && (v.length === 0 || v.length > MAX_KEY_CHARS))
    fail(`'key' must be 1-${MAX_KEY_CHARS} characters`);
  return v;
}
function clientInfo(v: unknown): ClientInfo | undefined {
  if (v === undefined) return undefined;
  if (!isObject(v)) fail("'client' must be an object");
  const out: ClientInfo = {};
  for (const k of ['name', 'version', 'device'] as const) {
    const s = v[k];
    if (s === undefined) continue;
    if (typeof s !== 'string' || s.length > 128)
      fail(`'client.${k}' must be a string of at most 128 characters`);
    out[k] = s;
  }
  return out;
}

export function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks one decoded message; on failure returns the error and the `id` to answer with. */
export function validateClientMessage(raw: unknown): ValidationResult {
  if (!isObject(raw)) return bad('a message must be a JSON object', undefined);
  const rawId = raw['id'];
  let id: number | undefined;
  if (rawId !== undefined) {
    if (!isValidCommandId(rawId)) return bad("'id' must be an integer from 1 to 2^53-1", undefined);
    id = rawId;
  }
  try {
    return { ok: true, message: parseByType(raw, id) };
  } catch (err) {
    if (err instanceof FieldError) return bad(err.message, id);
    throw err;
  }
}

function bad(message: string, id: number | undefined): ValidationResult {
  return { ok: false, error: badRequest(message), id };
}

function withId<T extends object>(msg: T, id: number | undefined): T & { id?: number } {
  return id === undefined ? msg : { ...msg, id };
}

function parseByType(o: Obj, id: number | undefined): ClientMessage {
  const type = o['type'];
  if (typeof type !== 'string') fail("'type' must be a string");
  switch (type) {
    case 'connect': {
      // A missing or mistyped token is the server's `unauthorized` (4501), not a malformed
      // message (docs/protocol.md §3), so it passes here as an empty token.
      const token = typeof o['token'] === 'string' ? o['token'] : '';
      const subs = o['subscriptions'];
      if (subs !== undefined && (!Array.isArray(subs) || !subs.every((s) => typeof s === 'string')))
        fail("'subscriptions' must be an array of strings");
      const msg: ClientMessage = { type, token };
      const c = resumeCursor(o);
      if (c !== undefined) msg.cursor = c;
      if (subs !== undefined) msg.subscriptions = subs;
      const info = clientInfo(o['client']);
      if (info !== undefined) msg.client = info;
      return withId(msg, id);
    }
    case 'subscribe': {
      const msg: ClientMessage = { type, channel: name(o, 'channel', true) };
      const c = resumeCursor(o);
      if (c !== undefined) msg.cursor = c;
      const p = optBool(o, 'presence');
      if (p !== undefined) msg.presence = p;
      return withId(msg, id);
    }
    case 'unsubscribe':
      return withId({ type, channel: name(o, 'channel', true) }, id);
    case 'publish': {
      if (!('data' in o)) fail("'data' is required");
      const msg: ClientMessage = {
        type,
        channel: name(o, 'channel', false),
        data: o['data'] as JsonValue,
      };
      const k = key(o);
      if (k !== undefined) msg.key = k;
      const echo = optBool(o, 'echo');
      if (echo !== undefined) msg.echo = echo;
      const ephemeral = optBool(o, 'ephemeral');
      if (ephemeral === true) {
        // A key promises one logged event per key; with no log there is nothing to dedupe by.
        if (k !== undefined) fail("'key' cannot be used with 'ephemeral'");
        msg.ephemeral = true;
      }
      return withId(msg, id);
    }
    case 'refresh': {
      const token = o['token'];
      if (typeof token !== 'string' || token.length === 0)
        fail("'token' must be a non-empty string");
      return withId({ type, token }, id);
    }
    case 'presence':
      return withId({ type, channel: name(o, 'channel', false) }, id);
    case 'history': {
      const msg: ClientMessage = { type, channel: name(o, 'channel', true) };
      const after = cursor(o, 'after');
      const before = cursor(o, 'before');
      if (after !== undefined && before !== undefined) fail("give 'after' or 'before', not both");
      if (after !== undefined) msg.after = after;
      if (before !== undefined) msg.before = before;
      const limit = o['limit'];
      if (limit !== undefined) {
        if (
          typeof limit !== 'number' ||
          !Number.isInteger(limit) ||
          limit < 1 ||
          limit > HISTORY_LIMIT_MAX
        )
          fail(`'limit' must be an integer from 1 to ${HISTORY_LIMIT_MAX}`);
        msg.limit = limit;
      }
      return withId(msg, id);
    }
    case 'rpc': {
      const method = str(o, 'method');
      if (method.length === 0 || method.length > 128) fail("'method' must be 1-128 characters");
      const msg: ClientMessage = { type, method };
      if (o['params'] !== undefined) msg.params = o['params'] as JsonValue;
      return withId(msg, id);
    }
    case 'ping':
      return withId({ type }, id);
    case 'pong':
      return { type };
    default:
      fail(`unknown message type '${type.slice(0, 32)}'`);
  }
}
