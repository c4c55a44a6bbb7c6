/** What every API route gets, and the checks they share: API key, tenant, JSON body. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import {
  badRequest,
  forbidden,
  isValidOrg,
  tooLarge,
  unauthorized,
  type JsonValue,
} from '@hubcast/protocol';
import type { AdminApi } from '../admin/admin-console.js';
import type { Config } from '../config/schema.js';
import type { AppendInput, AppendResult, EventLog } from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { MemberPage } from '../presence/presence.js';
import type { ChatService } from '../services/chat/chat-service.js';
import type { WebhookService } from '../services/webhooks/webhook-service.js';

/** The node as the API sees it (wired in node.ts). */
export interface ApiNode {
  config: Config;
  log: EventLog;
  metrics: Metrics;
  /** Charges a publish of `events` to the tenant's quota; throws limit_exceeded past it. */
  chargePublishes(org: string, events: number): void;
  /** Appends and fans out; the caller has charged the quota. */
  publish(org: string, items: readonly AppendInput[]): Promise<AppendResult[]>;
  /**
   * Fans one ephemeral event out (docs/ephemeral.md); the caller has checked `ephemeralChannels`
   * and charged the quota. Resolves with its event id.
   */
  publishEphemeral(org: string, channel: string, data: JsonValue): Promise<string>;
  /** `POST /api/notify` for one org; validates `body`. */
  notify(org: string, body: unknown): Promise<{ ids: string[] }>;
  /** The chat HTTP API (docs/chat.md); each call validates its params. */
  chat: Pick<ChatService, 'createRoom' | 'addMembers' | 'removeMember' | 'send' | 'backendHistory'>;
  isDraining(): boolean;
  /** `ready`, or why not: `starting`, `draining`, or `unavailable` with a reason per engine. */
  readiness(): Promise<{ status: string; reasons?: Record<string, string> }>;
  /** The first `presenceMembersMax` members by user id and the count of all. */
  presenceMembers(org: string, channel: string): Promise<MemberPage>;
  /** Closes the user's connections on every node; answers how many closed. */
  disconnect(org: string, user: string, reason: string): Promise<number>;
  /** Counts of every node of the cluster (of one org, or of all). */
  stats(org: string | undefined): Promise<{
    connections: number;
    subscriptions: number;
    events_per_second: number;
    /** Nodes that answered. */
    nodes: number;
  }>;
  /** The tenant's webhook dead letters (docs/webhooks.md). */
  webhooks: Pick<WebhookService, 'dead' | 'retry'>;
  /** The admin console's cluster-wide views (admin/admin-console.ts). */
  admin?: AdminApi;
  /** Answers a request itself (returns true) or leaves it to the API. */
  staticHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Who is calling: a tenant-bound key (its org) or the admin key (`boundOrg` undefined). */
export interface Caller {
  boundOrg: string | undefined;
  /** Who must name `org` when unbound, in errors; "an admin key" when absent. */
  unboundName?: string;
}

export interface ApiCall {
  node: ApiNode;
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  caller: Caller;
}

export type Route = (call: ApiCall) => Promise<void>;

export function authenticate(config: Config, req: IncomingMessage): Caller {
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
export function orgFor(caller: Caller, given: unknown, index?: number): string {
  const details = index === undefined ? undefined : { details: { index } };
  if (given !== undefined && !isValidOrg(given))
    throw badRequest("'org' is not a valid org name", details);
  if (caller.boundOrg !== undefined) {
    if (given !== undefined && given !== caller.boundOrg)
      throw forbidden('this API key belongs to another org', details);
    return caller.boundOrg;
  }
  if (given === undefined)
    throw badRequest(`${caller.unboundName ?? 'an admin key'} must name 'org'`, details);
  return given;
}

/** Reads a JSON body of at most `maxBytes` (413 past it, PROTOCOL.md §8). */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  // The operator who reads this can raise the limit: name the option that does.
  const tooLargeBody = () =>
    tooLarge(`body larger than ${maxBytes} bytes (the node's --max-message-bytes)`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw tooLargeBody();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLargeBody();
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw badRequest('body is not valid JSON');
  }
}

/** A query parameter, or undefined when absent. */
export function param(call: ApiCall, name: string): string | undefined {
  return call.url.searchParams.get(name) ?? undefined;
}
