/**
 * ServerClient: the HTTP API of docs/protocol.md §8 for app backends (publish, history, presence,
 * disconnect, stats, notify). Uses the global `fetch` unless one is passed in.
 */
import {
  ERROR_CODES,
  HubcastError,
  badRequest,
  isObject,
  unavailable,
  type ErrorCode,
  type JsonValue,
} from '@hubcast/protocol';
import type {
  EphemeralPublishResult,
  HistoryPage,
  PresenceSnapshot,
  PublishResult,
} from './events.js';
import { randomKey } from './idempotency-key.js';

/** The part of `fetch` used here; the global `fetch` fits it. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
) => Promise<{ ok: boolean; status: number; text(): Promise<string> }>;

export interface ServerClientOptions {
  /** `http://host:port` (a path prefix is kept: `https://example.com/hubcast`). */
  url: string;
  /** Sent as `Authorization: Bearer …`, never in errors. */
  apiKey: string;
  /** Default `org` for calls that name none (admin keys must name one). */
  org?: string;
  fetch?: FetchLike;
}

export interface PublishItem {
  channel: string;
  data: unknown;
  key?: string;
  org?: string;
}

export interface HistoryQuery {
  channel: string;
  org?: string;
  after?: string;
  before?: string;
  limit?: number;
}

export interface PresenceQuery {
  channel: string;
  org?: string;
}

export interface DisconnectRequest {
  user: string;
  org?: string;
  /** The close reason, cut to 123 bytes by the server. */
  reason?: string;
}

export interface NotifyRequest {
  users: string[];
  notification: { kind: string; title: string; body?: string; data?: JsonValue };
  key?: string;
  org?: string;
}

export interface NodeStats {
  connections: number;
  subscriptions: number;
  events_per_second: number;
}

const CODE_BY_STATUS: ReadonlyMap<number, ErrorCode> = new Map<number, ErrorCode>([
  [400, 'bad_request'],
  [401, 'unauthorized'],
  [403, 'forbidden'],
  [404, 'not_found'],
  [405, 'bad_request'],
  [409, 'conflict'],
  [413, 'too_large'],
  [429, 'rate_limited'],
  [503, 'unavailable'],
]);

type Query = Record<string, string | number | undefined>;

export class ServerClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly org: string | undefined;
  private readonly fetch: FetchLike;

  constructor(options: ServerClientOptions) {
    if (typeof options.url !== 'string' || !/^https?:\/\//i.test(options.url))
      throw badRequest("'url' must be an http:// or https:// URL");
    if (typeof options.apiKey !== 'string' || options.apiKey === '')
      throw badRequest("'apiKey' must be a non-empty string");
    const platformFetch: FetchLike | undefined =
      typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined;
    const fetch = options.fetch ?? platformFetch;
    if (fetch === undefined) throw badRequest("no fetch on this platform: pass the 'fetch' option");
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.apiKey = options.apiKey;
    this.org = options.org;
    this.fetch = fetch;
  }

  /**
   * Publishes one event, or several in one request (validated whole, answered in order). Items
   * without a `key` get a random one, so the one retry after a network failure is safe.
   */
  publish(item: PublishItem): Promise<PublishResult>;
  publish(items: readonly PublishItem[]): Promise<PublishResult[]>;
  async publish(
    input: PublishItem | readonly PublishItem[],
  ): Promise<PublishResult | PublishResult[]> {
    const prepare = (item: PublishItem): PublishItem => this.withOrg(withKey(item));
    const body = isPublishList(input) ? input.map(prepare) : prepare(input);
    return (await this.call('POST', '/api/publish', { body, retry: true })) as
      PublishResult | PublishResult[];
  }

  /**
   * Publishes one ephemeral event (docs/ephemeral.md): fanned out live, never logged, so no
   * cursor and no key. Not retried: with no key to dedupe it, a retry could deliver it twice.
   */
  async publishEphemeral(item: Omit<PublishItem, 'key'>): Promise<EphemeralPublishResult> {
    const body = { ...this.withOrg(item), ephemeral: true };
    const reply = (await this.call('POST', '/api/publish', { body, retry: false })) as {
      event_id: string;
    };
    return { event_id: reply.event_id };
  }

  /** Stored events, oldest first, as the `history` command. */
  async history(query: HistoryQuery): Promise<HistoryPage> {
    return (await this.call('GET', '/api/history', {
      query: { ...this.withOrg(query) },
      retry: true,
    })) as HistoryPage;
  }

  /** Members of a channel. */
  async presence(query: PresenceQuery): Promise<PresenceSnapshot> {
    return (await this.call('GET', '/api/presence', {
      query: { ...this.withOrg(query) },
      retry: true,
    })) as PresenceSnapshot;
  }

  /** Closes a user's connections with 4502; returns how many were closed. */
  async disconnect(request: DisconnectRequest): Promise<{ closed: number }> {
    return (await this.call('POST', '/api/disconnect', { body: this.withOrg(request) })) as {
      closed: number;
    };
  }

  /** Connection, subscription and event-rate figures of the org (default org), or the node. */
  async stats(org: string | undefined = this.org): Promise<NodeStats> {
    return (await this.call('GET', '/api/stats', { query: { org }, retry: true })) as NodeStats;
  }

  /** Sends a notification to users' inboxes (docs/protocol.md §10); one id per user. */
  async notify(request: NotifyRequest): Promise<{ ids: string[] }> {
    const body = this.withOrg(withKey(request));
    return (await this.call('POST', '/api/notify', { body, retry: true })) as {
      ids: string[];
    };
  }

  private withOrg<T extends { org?: string }>(item: T): T {
    return item.org === undefined && this.org !== undefined ? { ...item, org: this.org } : item;
  }

  /**
   * One API call; the answer is trusted to have the docs/protocol.md §8 shape. With `retry`
   * (idempotent calls only) a network failure is tried once more: a pooled keep-alive
   * connection to a server that restarted fails the first request sent on it.
   */
  private async call(
    method: 'GET' | 'POST',
    path: string,
    init: { query?: Query; body?: unknown; retry?: boolean },
  ): Promise<unknown> {
    let url = `${this.baseUrl}${path}`;
    if (init.query !== undefined) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(init.query))
        if (v !== undefined) params.set(k, String(v));
      const qs = params.toString();
      if (qs !== '') url += `?${qs}`;
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.apiKey}`,
      accept: 'application/json',
    };
    const request: Parameters<FetchLike>[1] = { method, headers };
    if (init.body !== undefined) {
      headers['content-type'] = 'application/json';
      request.body = JSON.stringify(init.body);
    }
    let response: Awaited<ReturnType<FetchLike>> | undefined;
    let text = '';
    for (let tries = init.retry === true ? 2 : 1; response === undefined;) {
      try {
        response = await this.fetch(url, request);
        text = await response.text();
      } catch (cause) {
        response = undefined;
        if (--tries > 0) continue;
        const why = cause instanceof Error ? cause.message : 'network error';
        throw unavailable(`${method} ${path} failed: ${why}`, { cause });
      }
    }
    const body = parseJson(text);
    if (!response.ok) throw httpError(response.status, body, `${method} ${path}`);
    return body;
  }
}

function withKey<T extends { key?: string }>(item: T): T {
  return item.key === undefined ? { ...item, key: randomKey() } : item;
}

function isPublishList(
  input: PublishItem | readonly PublishItem[],
): input is readonly PublishItem[] {
  return Array.isArray(input);
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `{"error":{"code","message",index?}}` → HubcastError with `status` and the extra fields as details. */
function httpError(status: number, body: unknown, what: string): HubcastError {
  const err = isObject(body) && isObject(body.error) ? body.error : {};
  const { code, message, ...rest } = err;
  const known =
    typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code)
      ? (code as ErrorCode)
      : (CODE_BY_STATUS.get(status) ?? (status >= 500 ? 'internal' : 'bad_request'));
  const text = typeof message === 'string' ? message : `${what} answered ${status}`;
  return new HubcastError(known, text, { details: { status, ...rest } });
}
