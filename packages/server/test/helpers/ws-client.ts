/**
 * A raw WebSocket test client for the conformance suite: it speaks PROTOCOL.md by hand (no SDK),
 * keeps every message it received, and lets a test await the next message of a type. Every wait
 * has a timeout whose error lists what did arrive, so a failing test says what the server did.
 *
 * Also here, because the conformance files share them: `useTestNodes()` (start nodes, stop them
 * and every client after each test), `httpRequest()` for the HTTP API, and small token helpers.
 */
import type { Socket } from 'node:net';
import { afterEach, expect } from 'vitest';
import WebSocket, { type RawData } from 'ws';
import type {
  ClientInfo,
  ConnectedReply,
  ServerMessage,
  ServerMessageType,
} from '@hubcast/protocol';
import { startTestNode, type TestNode, type TokenClaims } from './test-node.js';

export type MessageOf<T extends ServerMessageType> = Extract<ServerMessage, { type: T }>;

export interface OpenOptions {
  /** Subprotocols to ask for; none by default (the server then speaks JSON). */
  protocols?: string | string[];
  /** The `Origin` header; none by default (a request without Origin is allowed). */
  origin?: string;
  headers?: Record<string, string>;
  /** Answer server `ping`s with `pong` (default true). */
  autoPong?: boolean;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

const DEFAULT_WAIT_MS = 3000;

interface Waiter {
  what: string;
  matches: (m: ServerMessage) => boolean;
  /** Also consume every queued message that arrived before the match (see `takeUntil`). */
  takeAll: boolean;
  resolve: (value: { before: ServerMessage[]; match: ServerMessage }) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const openClients = new Set<TestClient>();

/** One raw connection. Messages not yet taken by `next`/`takeUntil` stay queued in order. */
export class TestClient {
  /** Every message received, in order (frames split on `\n`). */
  readonly messages: ServerMessage[] = [];
  /** Number of WebSocket frames received (fewer than `messages` when the server batched). */
  frames = 0;
  /** Lines that were not a JSON object with a string `type`, or binary frames (a server bug). */
  readonly badLines: string[] = [];
  /** Resolves when the socket closes, with the close code and reason seen by the client. */
  readonly closed: Promise<CloseInfo>;
  closeInfo: CloseInfo | undefined;

  private readonly queue: ServerMessage[] = [];
  private readonly waiters: Waiter[] = [];
  private quietId = 9_000_000_000;
  private autoId = 1_000_000;

  constructor(
    readonly ws: WebSocket,
    private readonly autoPong: boolean,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString('utf8') };
        openClients.delete(this);
        for (const w of this.waiters.splice(0)) {
          clearTimeout(w.timer);
          w.reject(new Error(`connection closed while waiting for ${w.what}\n${this.describe()}`));
        }
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data: RawData, isBinary: boolean) => this.onFrame(data, isBinary));
  }

  /** Sends one message as its own JSON text frame. */
  send(message: object): void {
    this.ws.send(JSON.stringify(message));
  }

  /** Sends a frame as is: a string is a text frame, a Buffer a binary frame. */
  sendRaw(frame: string | Buffer): void {
    this.ws.send(frame, { binary: typeof frame !== 'string' });
  }

  /** Sends several messages batched in one text frame, separated by `\n`. */
  sendBatch(messages: readonly object[]): void {
    this.ws.send(messages.map((m) => JSON.stringify(m)).join('\n'));
  }

  /** The next message of `type` (any type when omitted); earlier messages of other types stay queued. */
  next<T extends ServerMessageType>(type: T, timeoutMs?: number): Promise<MessageOf<T>>;
  next(type?: undefined, timeoutMs?: number): Promise<ServerMessage>;
  async next(type?: ServerMessageType, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerMessage> {
    const what = type === undefined ? 'any message' : `a '${type}' message`;
    const { match } = await this.wait(
      what,
      (m) => type === undefined || m.type === type,
      false,
      timeoutMs,
    );
    return match;
  }

  /** The next message carrying `id` (the reply to the command with that id). */
  async reply(id: number, timeoutMs = DEFAULT_WAIT_MS): Promise<ServerMessage> {
    const { match } = await this.wait(
      `the reply with id ${id}`,
      (m) => 'id' in m && m.id === id,
      false,
      timeoutMs,
    );
    return match;
  }

  /** Sends a command (with a fresh `id` unless it has one) and returns its reply. */
  async request(
    command: { type: string; id?: number; [field: string]: unknown },
    timeoutMs?: number,
  ): Promise<ServerMessage> {
    const id = command.id ?? this.autoId++;
    this.send({ ...command, id });
    return this.reply(id, timeoutMs);
  }

  /**
   * Consumes messages in arrival order up to the first one matching `type` (or predicate) and
   * returns the ones before it with it, so a test can assert exactly what preceded a reply.
   */
  takeUntil(
    matcher: ServerMessageType | ((m: ServerMessage) => boolean),
    timeoutMs = DEFAULT_WAIT_MS,
  ): Promise<{ before: ServerMessage[]; match: ServerMessage }> {
    const matches =
      typeof matcher === 'string' ? (m: ServerMessage) => m.type === matcher : matcher;
    const what = typeof matcher === 'string' ? `a '${matcher}' message` : 'a matching message';
    return this.wait(what, matches, true, timeoutMs);
  }

  /**
   * Proves nothing else arrived: sends a `ping` command and returns every message (server
   * `ping` pushes aside) received before its `pong`. The server handles one connection's
   * commands in order, so anything caused by earlier commands is in that list.
   */
  async quiet(timeoutMs = DEFAULT_WAIT_MS): Promise<ServerMessage[]> {
    const id = this.quietId++;
    this.send({ type: 'ping', id });
    const { before } = await this.takeUntil(
      (m) => m.type === 'pong' && 'id' in m && m.id === id,
      timeoutMs,
    );
    return before.filter((m) => m.type !== 'ping');
  }

  /** Messages received but not yet taken. */
  pending(): ServerMessage[] {
    return [...this.queue];
  }

  /** Waits for the close, failing with what arrived when it does not come in time. */
  waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseInfo> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for the close\n${this.describe()}`),
          ),
        timeoutMs,
      );
      void this.closed.then((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }

  /** Closes normally (1000). */
  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }

  /** Stops reading from the TCP socket, to play a slow consumer. */
  pauseReading(): void {
    this.socket().pause();
  }

  resumeReading(): void {
    this.socket().resume();
  }

  /** What this client saw, for failure messages. */
  describe(): string {
    const show = (ms: readonly ServerMessage[]): string =>
      ms.length === 0
        ? '(none)'
        : ms
            .slice(-30)
            .map((m) => `  ${JSON.stringify(m)}`)
            .join('\n');
    const close =
      this.closeInfo === undefined
        ? 'open'
        : `closed with ${this.closeInfo.code} '${this.closeInfo.reason}'`;
    const bad = this.badLines.length === 0 ? '' : `\nbad lines: ${JSON.stringify(this.badLines)}`;
    return `socket: ${close}; frames: ${this.frames}\nunconsumed:\n${show(this.queue)}\nall received (last 30):\n${show(this.messages)}${bad}`;
  }

  private socket(): Socket {
    // The `ws` package keeps the TCP socket in a private field; a test helper may reach it.
    const socket = (this.ws as unknown as { _socket?: Socket })._socket;
    if (socket === undefined) throw new Error('the WebSocket has no underlying socket');
    return socket;
  }

  private wait(
    what: string,
    matches: (m: ServerMessage) => boolean,
    takeAll: boolean,
    timeoutMs: number,
  ): Promise<{ before: ServerMessage[]; match: ServerMessage }> {
    const index = this.queue.findIndex(matches);
    if (index !== -1) {
      const taken = takeAll ? this.queue.splice(0, index + 1) : this.queue.splice(index, 1);
      const match = taken.pop() as ServerMessage;
      return Promise.resolve({ before: taken, match });
    }
    if (this.closeInfo !== undefined)
      return Promise.reject(
        new Error(`connection already closed; wanted ${what}\n${this.describe()}`),
      );
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        what,
        matches,
        takeAll,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          reject(
            new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.describe()}`),
          );
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  private onFrame(data: RawData, isBinary: boolean): void {
    this.frames++;
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      this.badLines.push(`<binary frame of ${buf.length} bytes>`);
      return;
    }
    for (const line of buf.toString('utf8').split('\n')) {
      if (line.trim().length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        this.badLines.push(line);
        continue;
      }
      if (
        typeof value !== 'object' ||
        value === null ||
        Array.isArray(value) ||
        typeof (value as { type?: unknown }).type !== 'string'
      ) {
        this.badLines.push(line);
        continue;
      }
      this.onMessage(value as ServerMessage);
    }
  }

  private onMessage(message: ServerMessage): void {
    this.messages.push(message);
    if (this.autoPong && message.type === 'ping' && !('id' in message)) this.send({ type: 'pong' });
    const waiter = this.waiters.find((w) => w.matches(message));
    if (waiter === undefined) {
      this.queue.push(message);
      return;
    }
    this.waiters.splice(this.waiters.indexOf(waiter), 1);
    clearTimeout(waiter.timer);
    waiter.resolve({ before: waiter.takeAll ? this.queue.splice(0) : [], match: message });
  }
}

/** Opens a raw WebSocket and resolves once it is open (rejects with the HTTP status if refused). */
export function openClient(url: string, options: OpenOptions = {}): Promise<TestClient> {
  const headers: Record<string, string> = { ...options.headers };
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers,
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  const client = new TestClient(ws, options.autoPong ?? true);
  openClients.add(client);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (_req, res) => {
      openClients.delete(client);
      reject(new Error(`upgrade refused with HTTP ${res.statusCode ?? '?'}`));
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

/**
 * Tries a WebSocket upgrade and returns the HTTP status: 101 when it was accepted (the socket
 * is closed again at once), else the refusal's status (403, 503, ...).
 */
export function upgradeStatus(url: string, options: OpenOptions = {}): Promise<number> {
  const ws = new WebSocket(url, options.protocols ?? [], {
    headers: { ...options.headers },
    ...(options.origin === undefined ? {} : { origin: options.origin }),
  });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.resume();
      ws.terminate();
    });
    ws.once('error', (err) => reject(err));
  });
}

export interface ConnectExtra {
  id?: number;
  cursor?: string;
  subscriptions?: string[];
  client?: ClientInfo;
  open?: OpenOptions;
}

export type ConnectedClient = TestClient & { connected: ConnectedReply; token: string };

/** Opens a connection, sends `connect` with a token for `claims` and awaits `connected`. */
export async function connectClient(
  node: Pick<TestNode, 'wsUrl' | 'token'>,
  claims: TokenClaims,
  extra: ConnectExtra = {},
): Promise<ConnectedClient> {
  const token = await node.token(claims);
  const client = await openClient(node.wsUrl, extra.open);
  const { open: _open, ...fields } = extra;
  client.send({ type: 'connect', token, ...fields });
  const connected = await client.next('connected').catch((err: unknown) => {
    throw new Error(`connect as ${claims.sub}@${claims.org} failed: ${String(err)}`);
  });
  return Object.assign(client, { connected, token });
}

/** Terminates every client still open (afterEach). */
export function terminateAllClients(): void {
  for (const c of openClients) c.terminate();
  openClients.clear();
}

/**
 * Registers an afterEach that terminates all clients and stops every node started through the
 * returned function. Call once at the top of a test file.
 */
export function useTestNodes(): (
  overrides?: Parameters<typeof startTestNode>[0],
) => Promise<TestNode> {
  const nodes: TestNode[] = [];
  afterEach(async () => {
    terminateAllClients();
    const stopping = nodes.splice(0).map((n) => n.stop());
    await Promise.all(stopping);
  });
  return async (overrides) => {
    const node = await startTestNode(overrides);
    nodes.push(node);
    return node;
  };
}

// ---- HTTP API ----

export interface HttpResult {
  status: number;
  contentType: string;
  /** Parsed JSON body, or the text when it is not JSON. */
  body: unknown;
  text: string;
}

/** Where HTTP calls go: a test node, or anything with its URL and admin key. */
export type HttpTarget = Pick<TestNode, 'httpUrl' | 'adminKey'>;

export interface HttpOptions {
  /** API key for `Authorization: Bearer`; `null` sends no Authorization header. Default: admin key. */
  key?: string | null;
  /** A JSON body (serialized here). */
  json?: unknown;
  /** A body sent as is. */
  raw?: string;
  headers?: Record<string, string>;
}

/** Calls the node's HTTP API. `path` includes the query, e.g. `/api/history?org=a&channel=x`. */
export async function httpRequest(
  node: HttpTarget,
  method: string,
  path: string,
  options: HttpOptions = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? node.adminKey : options.key;
  if (key !== null) headers['authorization'] = `Bearer ${key}`;
  let body: string | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  } else if (body !== undefined && headers['content-type'] === undefined) {
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${node.httpUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return {
    status: res.status,
    contentType: res.headers.get('content-type') ?? '',
    body: parsed,
    text,
  };
}

export interface PublishedBody {
  event_id: string;
  cursor: string;
  duplicate: boolean;
}

/** Publishes one event with the admin key and returns the 200 body (throws otherwise). */
export async function publishHttp(
  node: HttpTarget,
  org: string,
  channel: string,
  data: unknown,
  key?: string,
): Promise<PublishedBody> {
  const res = await httpRequest(node, 'POST', '/api/publish', {
    json: { org, channel, data, ...(key === undefined ? {} : { key }) },
  });
  if (res.status !== 200 || !isPublishedBody(res.body))
    throw new Error(`POST /api/publish ${channel} answered ${res.status} ${res.text}`);
  return res.body;
}

function isPublishedBody(v: unknown): v is PublishedBody {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    typeof o['event_id'] === 'string' &&
    typeof o['cursor'] === 'string' &&
    typeof o['duplicate'] === 'boolean'
  );
}

/** `ts` of PROTOCOL.md §1: RFC 3339 UTC with milliseconds. */
export const TS_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

// Asymmetric matchers typed `unknown` rather than vitest's `any`, so exact-frame literals stay
// free of `any` (typescript-eslint no-unsafe-assignment).
export const anyString: unknown = expect.any(String);
export const anyNumber: unknown = expect.any(Number);
export const anyArray: unknown = expect.any(Array);
/** Any `ts` of the §1 form. */
export const anyTs: unknown = expect.stringMatching(TS_PATTERN);

/** The payload of a JWT, without verifying it (to read `exp`). */
export function jwtPayload(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (part === undefined) throw new Error('not a JWT');
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** Narrows a message to `type`, failing with the message when it is another. */
export function asType<T extends ServerMessageType>(message: ServerMessage, type: T): MessageOf<T> {
  if (message.type !== type)
    throw new Error(`expected a '${type}' message, got ${JSON.stringify(message)}`);
  return message as MessageOf<T>;
}
