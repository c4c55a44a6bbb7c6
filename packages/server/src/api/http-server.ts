/**
 * The HTTP API of PROTOCOL.md §8, health, readiness and metrics. Plain `node:http`: the API is
 * a handful of routes and hubcast's hot path is the WebSocket side.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  HISTORY_LIMIT_MAX,
  HubcastError,
  badRequest,
  explainBadName,
  forbidden,
  isObject,
  isValidOrg,
  matchPattern,
  tooLarge,
  unauthorized,
  unavailable,
  type JsonValue,
  type PresenceMember,
} from '@hubcast/protocol';
import type { Config } from '../config/schema.js';
import type { AppendInput, AppendResult, EventLog } from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';
import { toWireEvent } from '../session/event-frame.js';
import { sendError, sendJson } from './http-error.js';

export interface ApiNode {
  config: Config;
  log: EventLog;
  metrics: Metrics;
  publish(org: string, items: readonly AppendInput[]): Promise<AppendResult[]>;
  isDraining(): boolean;
  isReady(): boolean;
  presenceMembers(org: string, channel: string): Promise<PresenceMember[]>;
  disconnect(org: string, user: string, reason: string): number;
  stats(org: string | undefined): {
    connections: number;
    subscriptions: number;
    events_per_second: number;
  };
  /** Answers a request itself (returns true) or leaves it to the API. */
  staticHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Who is calling: a tenant-bound key (its org) or the admin key (`org` undefined). */
interface Caller {
  boundOrg: string | undefined;
}

type Route = (
  node: ApiNode,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller,
) => Promise<void>;

const ROUTES: Record<string, { method: string; handler: Route }> = {
  '/api/publish': { method: 'POST', handler: publishRoute },
  '/api/history': { method: 'GET', handler: historyRoute },
  '/api/presence': { method: 'GET', handler: presenceRoute },
  '/api/disconnect': { method: 'POST', handler: disconnectRoute },
  '/api/stats': { method: 'GET', handler: statsRoute },
};

export function createApiHandler(
  node: ApiNode,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      switch (url.pathname) {
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz':
          return node.isReady()
            ? sendJson(res, 200, { status: 'ready' })
            : sendJson(res, 503, { status: node.isDraining() ? 'draining' : 'starting' });
        case '/metrics': {
          const text = await node.metrics.text();
          res.writeHead(200, { 'content-type': node.metrics.registry.contentType });
          res.end(text);
          return;
        }
      }
      const route = ROUTES[url.pathname];
      if (route === undefined) {
        if (node.staticHandler?.(req, res) === true) return;
        throw new HubcastError('not_found', `no route ${url.pathname}`);
      }
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        return sendError(res, badRequest(`use ${route.method} for ${url.pathname}`), 405);
      }
      const caller = authenticate(node.config, req);
      await route.handler(node, req, res, url, caller);
    } catch (err) {
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    }
  };
}

function authenticate(config: Config, req: IncomingMessage): Caller {
  const header = req.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  if (match === null) throw unauthorized('missing "Authorization: Bearer <api key>"');
  const key = match[1] as string;
  if (config.apiKey !== undefined && safeEqual(key, config.apiKey)) return { boundOrg: undefined };
  for (const k of config.apiKeys) if (safeEqual(key, k.key)) return { boundOrg: k.org };
  throw unauthorized('unknown API key');
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The tenant of one call or array item (PROTOCOL.md §6). */
function orgFor(caller: Caller, given: unknown, index?: number): string {
  const details = index === undefined ? undefined : { details: { index } };
  if (given !== undefined && !isValidOrg(given))
    throw badRequest("'org' is not a valid org name", details);
  if (caller.boundOrg !== undefined) {
    if (given !== undefined && given !== caller.boundOrg)
      throw forbidden('this API key belongs to another org', details);
    return caller.boundOrg;
  }
  if (given === undefined) throw badRequest("an admin key must name 'org'", details);
  return given;
}

async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLarge(`body larger than ${maxBytes} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(`body larger than ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('body is not valid JSON');
  }
}

async function publishRoute(
  node: ApiNode,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  caller: Caller,
): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (node.isDraining()) throw unavailable('server is draining');
  const many = Array.isArray(body);
  const items = many ? body : [body];
  if (many && items.length === 0) throw badRequest('the array is empty');
  // Validate everything first: one bad item fails the whole call (PROTOCOL.md §8).
  const byOrg = new Map<string, { index: number; item: AppendInput }[]>();
  items.forEach((raw: unknown, i) => {
    const index = many ? i : undefined;
    const details = index === undefined ? undefined : { details: { index } };
    if (!isObject(raw)) throw badRequest('an item must be a JSON object', details);
    const org = orgFor(caller, raw['org'], index);
    const why = explainBadName(raw['channel'], false);
    if (why !== undefined) throw badRequest(`'channel' ${why}`, details);
    if (!('data' in raw)) throw badRequest("'data' is required", details);
    const key = raw['key'];
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > 255))
      throw badRequest("'key' must be a string of 1-255 characters", details);
    let list = byOrg.get(org);
    if (list === undefined) byOrg.set(org, (list = []));
    list.push({
      index: i,
      item: {
        channel: raw['channel'] as string,
        data: raw['data'] as JsonValue,
        ...(key === undefined ? {} : { key }),
      },
    });
  });
  const out = new Array<{ event_id: string; cursor: string; duplicate: boolean }>(items.length);
  for (const [org, list] of byOrg) {
    const results = await node.publish(
      org,
      list.map((l) => l.item),
    );
    results.forEach((r, j) => {
      out[(list[j] as { index: number }).index] = {
        event_id: r.event.eventId,
        cursor: r.event.cursor,
        duplicate: r.duplicate,
      };
    });
  }
  sendJson(res, 200, many ? out : out[0]);
}

async function historyRoute(
  node: ApiNode,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller,
): Promise<void> {
  const q = url.searchParams;
  const org = orgFor(caller, q.get('org') ?? undefined);
  const channel = q.get('channel') ?? undefined;
  const why = explainBadName(channel, true);
  if (why !== undefined) throw badRequest(`'channel' ${why}`);
  const after = q.get('after') ?? undefined;
  const before = q.get('before') ?? undefined;
  if (after !== undefined && before !== undefined)
    throw badRequest("give 'after' or 'before', not both");
  const limitText = q.get('limit');
  const limit = limitText === null ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT_MAX)
    throw badRequest(`'limit' must be an integer from 1 to ${HISTORY_LIMIT_MAX}`);
  const place = (cursor: string): number => {
    const seq = node.log.position(org, cursor);
    if (seq === undefined) throw badRequest('cursor cannot be placed in this log');
    return seq;
  };
  const pattern = channel as string;
  const result = await node.log.read(org, {
    ...(after === undefined ? {} : { afterSeq: place(after) }),
    ...(before === undefined ? {} : { beforeSeq: place(before) }),
    filter: (c) => matchPattern(pattern, c),
    limit,
    from: after === undefined ? 'newest' : 'oldest',
  });
  sendJson(res, 200, { events: result.events.map(toWireEvent), more: result.more });
}

async function presenceRoute(
  node: ApiNode,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller,
): Promise<void> {
  const org = orgFor(caller, url.searchParams.get('org') ?? undefined);
  const channel = url.searchParams.get('channel') ?? undefined;
  const why = explainBadName(channel, false);
  if (why !== undefined) throw badRequest(`'channel' ${why}`);
  sendJson(res, 200, { channel, members: await node.presenceMembers(org, channel as string) });
}

async function disconnectRoute(
  node: ApiNode,
  req: IncomingMessage,
  res: ServerResponse,
  _url: URL,
  caller: Caller,
): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (!isObject(body)) throw badRequest('body must be a JSON object');
  const org = orgFor(caller, body['org']);
  const user = body['user'];
  if (typeof user !== 'string' || user.length === 0)
    throw badRequest("'user' must be a non-empty string");
  const reason = body['reason'] ?? 'disconnected by the server';
  if (typeof reason !== 'string') throw badRequest("'reason' must be a string");
  sendJson(res, 200, { closed: node.disconnect(org, user, reason) });
}

async function statsRoute(
  node: ApiNode,
  _req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  caller: Caller,
): Promise<void> {
  const given = url.searchParams.get('org') ?? undefined;
  const org =
    caller.boundOrg === undefined && given === undefined ? undefined : orgFor(caller, given);
  sendJson(res, 200, node.stats(org));
  return Promise.resolve();
}
