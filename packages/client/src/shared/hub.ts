/**
 * The hub: the one place of an origin that owns a real `HubcastClient` (in a SharedWorker, or
 * in the leader tab). Tabs send it their subscriptions and calls; it keeps one client
 * subscription per pattern for all of them (reference-counted), forwards events and client
 * events, and asks a tab for a token when the client needs one.
 */
import { HubcastError, forbidden, unavailable, type JsonValue } from '@hubcast/protocol';
import { HubcastClient } from '../client.js';
import type { ConnectedContext, SubscribedContext } from '../events.js';
import type { Subscription } from '../subscription.js';
import type { WebSocketConstructor } from '../transport.js';
import {
  NEW_HUB,
  fromWireError,
  toWireError,
  type CallMethod,
  type Forwarded,
  type FromHub,
  type TabSub,
  type ToHub,
  type WireOptions,
} from './messages.js';
import { RefTable } from './ref-table.js';

/** Message kinds without the envelope, as the hub hands them to `post`. */
type HubMessage = FromHub extends infer M ? (M extends FromHub ? Omit<M, 'hub'> : never) : never;

export interface HubDeps {
  /** Unique per hub, so tabs notice a new one. */
  id: string;
  /** Delivers to the tabs in `to` (all when absent). */
  post(message: FromHub): void;
  /** Calls `gone` once the tab is closed (its Web Lock is released). */
  watchTab(tab: string, gone: () => void): void;
  /** The user this hub serves (the leader tab's); else the first tab's to say hello. */
  user?: string;
  /** Resume cursor for a new client (the new leader's last seen); else the first tab's. */
  cursor?: string;
  WebSocket?: WebSocketConstructor;
}

interface Entry {
  sub: Subscription;
  live: SubscribedContext | undefined;
  /** We ended it: its `unsubscribed` is not news for the tabs. */
  closing: boolean;
}

const keyOf = (s: Pick<TabSub, 'pattern' | 'presence'>): string =>
  `${s.presence ? 'p' : '-'}${s.pattern}`;

export class Hub {
  private client: HubcastClient | undefined;
  private readonly table = new RefTable<string>();
  private readonly entries = new Map<string, Entry>();
  /** Live tabs, in arrival order, and whether each wants the connection up. */
  private readonly tabs = new Map<string, { wants: boolean }>();
  private readonly tokenWaits = new Map<number, (reply: Extract<ToHub, { t: 'token' }>) => void>();
  private routes: { tab: string; ids: number[] }[] = [];
  /** Set while the hub stops its own client (no tab wants it): that stop is no tab's news. */
  private stopping = false;
  /** The client's `connected` context while it stays connected, for tabs that join later. */
  private connectedCtx: ConnectedContext | undefined;
  private nextId = 1;
  private commandTimeoutMs = 10_000;
  /** One user per hub: a socket, its inbox and its tokens are that user's. */
  private user: string | undefined;

  constructor(private readonly deps: HubDeps) {
    this.user = deps.user;
  }

  /** Whether the tab said hello and was taken (not refused). */
  has(tab: string): boolean {
    return this.tabs.has(tab);
  }

  /** The client, once a tab said hello. */
  get connection(): HubcastClient | undefined {
    return this.client;
  }

  handle(message: ToHub): void {
    if (message.t !== 'hello' && !this.tabs.has(message.tab)) return; // gone, or from another hub's era
    switch (message.t) {
      case 'hello':
        return this.hello(message);
      case 'want':
        this.tabs.set(message.tab, { wants: message.wants });
        this.applyWants();
        // The tab forgot what it knew when it let go: tell it where the connection is now.
        return this.tellState(message.tab, 'want');
      case 'sub':
        return this.addSub(message.tab, message.sub, message.cursor);
      case 'unsub': {
        const unref = this.table.remove(message.tab, message.id);
        if (unref?.last === true) this.endEntry(unref.key);
        return;
      }
      case 'call':
        return void this.call(message.tab, message.id, message.method, message.args);
      case 'token':
        return this.tokenWaits.get(message.id)?.(message);
      case 'bye':
        return this.tabGone(message.tab);
      default: {
        const unknownMessage: never = message;
        return void unknownMessage;
      }
    }
  }

  /** Tells every tab a new hub is here, so they say hello (a new leader). */
  announce(): void {
    this.post(undefined, {
      t: 'state',
      state: 'disconnected',
      reason: NEW_HUB,
      session: undefined,
      cursor: undefined,
    });
  }

  /** Stops the client (the worker or the leader is going away). */
  dispose(): void {
    const client = this.client;
    // Cleared first: the client's last events (a `disconnected` that will not reconnect) must
    // not reach the tabs, or a leader leaving would stop them instead of handing over.
    this.client = undefined;
    this.connectedCtx = undefined;
    this.entries.clear();
    this.user = this.deps.user;
    client?.disconnect();
  }

  private post(to: string[] | undefined, message: HubMessage): void {
    this.deps.post({ ...message, hub: this.deps.id, ...(to === undefined ? {} : { to }) });
  }

  private hello(message: Extract<ToHub, { t: 'hello' }>): void {
    const { tab } = message;
    if (
      typeof message.user !== 'string' ||
      message.user === '' ||
      message.user !== (this.user ?? message.user)
    ) {
      // Another user's tab (or an old one's): it must never share this user's socket,
      // events or tokens. It is not added, so nothing it sends later is heard.
      const error = forbidden(`'user' differs from the user this shared connection serves`);
      this.post([tab], { t: 'refused', error: toWireError(error) });
      return;
    }
    const known = this.tabs.has(tab);
    this.tabs.set(tab, { wants: message.wants });
    if (!known) this.deps.watchTab(tab, () => this.tabGone(tab));
    try {
      this.client ??= this.createClient(message.options, message.cursor);
    } catch (cause) {
      // Bad options (the tab checks them too): the tab hears why, the hub stays up.
      this.tabs.delete(tab);
      this.post([tab], { t: 'emit', ev: { name: 'error', error: toWireError(cause) } });
      return;
    }
    this.user = message.user;
    this.applyWants();
    this.tellState(tab, 'hello');
    for (const sub of message.subs) this.addSub(tab, sub, message.cursor);
  }

  /** The client's state to one tab, with the `connected` context while connected. */
  private tellState(tab: string, reason: string): void {
    const client = this.client;
    if (client === undefined) return;
    const connected = client.state === 'connected' ? this.connectedCtx : undefined;
    this.post([tab], {
      t: 'state',
      state: client.state,
      reason,
      session: client.session,
      cursor: client.cursor,
      ...(connected === undefined ? {} : { connected }),
    });
  }

  private createClient(options: WireOptions, tabCursor: string | undefined): HubcastClient {
    this.commandTimeoutMs = options.commandTimeoutMs ?? this.commandTimeoutMs;
    const cursor = this.deps.cursor ?? tabCursor;
    const client = new HubcastClient({
      ...options,
      ...(cursor === undefined ? {} : { cursor }),
      ...(this.deps.WebSocket === undefined ? {} : { WebSocket: this.deps.WebSocket }),
      getToken: () => this.askToken(),
    });
    this.client = client;
    const post: typeof this.post = (to, message) => {
      if (this.client === client) this.post(to, message);
    };
    client.on('state', (c) => {
      if (c.to !== 'connected' && this.client === client) this.connectedCtx = undefined;
      post(undefined, {
        t: 'state',
        state: c.to,
        reason: c.reason,
        session: client.session,
        cursor: client.cursor,
      });
    });
    // After the subscription handlers ran and the client moved its cursor: one message per
    // event, carrying the cursor every tab keeps for a takeover or a reload.
    client.on('event', (event) => {
      const routes = this.routes;
      this.routes = [];
      const cursor = client.cursor;
      post(undefined, {
        t: 'event',
        event,
        routes,
        ...(cursor === undefined ? {} : { cursor }),
      });
    });
    const forward = (ev: Forwarded): void => post(undefined, { t: 'emit', ev });
    client.on('connected', (ctx) => {
      if (this.client === client) this.connectedCtx = ctx;
      forward({ name: 'connected', ctx });
    });
    client.on('disconnected', ({ error, ...ctx }) => {
      // A stop for want of tabs would stop a tab that asked again meanwhile (its `want` is on
      // its way): the tabs that let go do not listen, and the state tells the others.
      if (this.stopping) return;
      forward({ name: 'disconnected', ctx, ...(error ? { error: toWireError(error) } : {}) });
    });
    client.on('reset', (ctx) => forward({ name: 'reset', ctx }));
    client.on('refreshed', (ctx) => forward({ name: 'refreshed', ctx }));
    client.on('unsubscribed', (ctx) => forward({ name: 'unsubscribed', ctx }));
    client.on('error', ({ error, channel }) =>
      forward({ name: 'error', error: toWireError(error), ...(channel ? { channel } : {}) }),
    );
    return client;
  }

  private addSub(tab: string, sub: TabSub, cursor: string | undefined): void {
    const client = this.client;
    if (client === undefined) return;
    const key = keyOf(sub);
    if (!this.table.add(key, tab, sub.id)) {
      const live = this.entries.get(key)?.live;
      if (live !== undefined) this.post([tab], { t: 'sub-live', ids: [sub.id], ctx: live });
      return;
    }
    // While connecting, the connect's cursor covers every pattern; once connected, a pattern
    // new to the client replays from the cursor of the tab that brings it.
    const replay = client.state === 'connected' && cursor !== undefined ? { cursor } : {};
    let hubSub: Subscription;
    try {
      hubSub = client.subscribe(
        sub.pattern,
        () => {
          for (const member of this.table.members(key)) this.routes.push(member);
        },
        { presence: sub.presence, ...replay },
      );
    } catch (cause) {
      this.table.drop(key);
      this.post([tab], {
        t: 'sub-ended',
        ids: [sub.id],
        reason: 'refused',
        error: toWireError(cause),
      });
      return;
    }
    const entry: Entry = { sub: hubSub, live: undefined, closing: false };
    this.entries.set(key, entry);
    const idsOf = (): Map<string, number[]> =>
      new Map(this.table.members(key).map((m) => [m.tab, m.ids]));
    const each = (fn: (tab: string, ids: number[]) => void): void => {
      if (this.client !== client) return; // disposed: the tabs hear from the next hub
      for (const [t, ids] of idsOf()) fn(t, ids);
    };
    hubSub.on('subscribed', (ctx) => {
      entry.live = ctx;
      each((t, ids) => this.post([t], { t: 'sub-live', ids, ctx }));
    });
    hubSub.on('state', (c) => {
      if (c.to !== 'subscribing') return;
      entry.live = undefined;
      each((t, ids) => this.post([t], { t: 'sub-waiting', ids, reason: c.reason }));
    });
    hubSub.on('unsubscribed', ({ reason, error }) => {
      if (entry.closing || this.client !== client) return;
      this.entries.delete(key);
      for (const { tab: t, ids } of this.table.drop(key))
        this.post([t], {
          t: 'sub-ended',
          ids,
          reason,
          ...(error ? { error: toWireError(error) } : {}),
        });
    });
    for (const kind of ['join', 'leave'] as const)
      hubSub.on(kind, (ctx) => each((t, ids) => this.post([t], { t: 'presence', ids, kind, ctx })));
  }

  private endEntry(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    entry.closing = true;
    entry.sub.unsubscribe();
  }

  private tabGone(tab: string): void {
    if (!this.tabs.delete(tab)) return;
    for (const key of this.table.removeTab(tab)) this.endEntry(key);
    if (this.tabs.size === 0) {
      // The next tab starts afresh, from its own cursor (a reloaded page).
      this.dispose();
      return;
    }
    this.applyWants();
  }

  /** The connection is up while at least one tab asked for it. */
  private applyWants(): void {
    const client = this.client;
    if (client === undefined) return;
    const wanted = [...this.tabs.values()].some((t) => t.wants);
    if (wanted && client.state === 'disconnected') void client.connect();
    if (wanted || client.state === 'disconnected') return;
    this.stopping = true;
    try {
      client.disconnect();
    } finally {
      this.stopping = false;
    }
  }

  private async call(
    tab: string,
    id: number,
    method: CallMethod,
    args: JsonValue[],
  ): Promise<void> {
    const client = this.client;
    try {
      if (client === undefined) throw unavailable('no connection');
      const value = await invoke(client, method, args);
      this.post([tab], { t: 'result', id, value });
    } catch (cause) {
      this.post([tab], { t: 'result', id, error: toWireError(cause) });
    }
  }

  /** The token getter lives in the tabs (all of this hub's user): ask in turn until one answers. */
  private async askToken(): Promise<string> {
    let last: HubcastError = unavailable('no tab to ask for a token');
    for (const tab of [...this.tabs.keys()]) {
      const id = this.nextId++;
      try {
        const reply = await new Promise<Extract<ToHub, { t: 'token' }>>((resolve, reject) => {
          const timer = setTimeout(() => {
            this.tokenWaits.delete(id);
            reject(unavailable(`tab gave no token within ${this.commandTimeoutMs} ms`));
          }, this.commandTimeoutMs);
          this.tokenWaits.set(id, (r) => {
            clearTimeout(timer);
            this.tokenWaits.delete(id);
            resolve(r);
          });
          this.post([tab], { t: 'token-request', id });
        });
        if (typeof reply.token === 'string' && reply.token !== '') return reply.token;
        if (reply.error !== undefined) last = fromWireError(reply.error);
      } catch (cause) {
        if (cause instanceof HubcastError) last = cause;
      }
    }
    throw last;
  }
}

/** Runs a forwarded call; the arguments were cloned from a tab, so they are checked by the client. */
function invoke(client: HubcastClient, method: CallMethod, args: JsonValue[]): Promise<JsonValue> {
  const [a, b, c] = args;
  const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
  const obj = <T>(v: JsonValue | undefined): T =>
    (typeof v === 'object' && v !== null && !Array.isArray(v) ? v : {}) as T;
  const json = <T>(p: Promise<T>): Promise<JsonValue> =>
    p as Promise<unknown> as Promise<JsonValue>;
  switch (method) {
    case 'publish':
      return json(client.publish(str(a), b, obj(c)));
    case 'publishEphemeral':
      return json(client.publishEphemeral(str(a), b));
    case 'history':
      return json(client.history(str(a), obj(b)));
    case 'presence':
      return json(client.presence(str(a)));
    case 'rpc':
      return client.rpc(str(a), b);
    case 'ping':
      return json(client.ping());
    default: {
      const unknownMethod: never = method;
      return Promise.reject(unavailable(`unknown method ${String(unknownMethod)}`));
    }
  }
}
