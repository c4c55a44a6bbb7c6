/**
 * The tab side of a shared connection: the `HubcastConnection` a tab's app uses, backed by a
 * hub elsewhere (a SharedWorker or the leader tab) that owns the one socket. It keeps the tab's
 * subscriptions so a new hub can be told them again, drops events it already delivered (a new
 * leader replays from the last cursor it saw), answers the hub's token requests from the tab's
 * own `getToken`, and keeps the last cursor for a takeover or a reload.
 */
import {
  HubcastError,
  badRequest,
  explainBadName,
  unavailable,
  type JsonValue,
} from '@hubcast/protocol';
import type { HistoryOptions } from '../client.js';
import type { ClientState } from '../client-state.js';
import { TypedEmitter } from '../emitter.js';
import type {
  ClientEvents,
  ConnectedContext,
  EphemeralPublishResult,
  HistoryPage,
  PresenceSnapshot,
  PublishResult,
  SessionInfo,
} from '../events.js';
import { randomKey } from '../idempotency-key.js';
import { Notifications } from '../notifications.js';
import type { PublishOptions } from '../publisher.js';
import { Subscription, type EventHandler, type SubscribeOptions } from '../subscription.js';
import type { HubcastConnection } from './hubcast-connection.js';
import {
  NEW_HUB,
  fromWireError,
  type CallMethod,
  type FromHub,
  type TabSub,
  type ToHub,
  type WireOptions,
} from './messages.js';
import { readCursor, writeCursor } from './cursor-store.js';
import { RecentIds } from './recent-ids.js';
import { TabCalls } from './tab-calls.js';
import { answerTokenRequest } from './tab-token.js';

/** How a tab reaches the hub. */
export interface TabLink {
  send(message: ToHub): void;
  close(): void;
}

export interface TabConnectionOptions {
  tab: string;
  /** Who is logged in to the tab: the hub serves one user. */
  user: string;
  wire: WireOptions;
  token: string | undefined;
  getToken: (() => string | Promise<string>) | undefined;
  /** Where the tab keeps its cursor across reloads (sessionStorage key); none when undefined. */
  cursorKey: string | undefined;
  cursor: string | undefined;
}

/** Events remembered per tab for dedupe; a takeover replays far fewer than this. */
const DEDUPE_WINDOW = 10_000;

/** A connection whose socket is shared with the other tabs of the origin. */
export class SharedConnection extends TypedEmitter<ClientEvents> implements HubcastConnection {
  private link: TabLink | undefined;
  private hubId: string | undefined;
  private hubState: ClientState = 'disconnected';
  private localState: ClientState = 'disconnected';
  private currentSession: SessionInfo | undefined;
  /** The shared connection's `connected` context while it is connected, once known. */
  private connectedCtx: ConnectedContext | undefined;
  /** The tab went connected before the hub's `connected` came: emit it when it does. */
  private connectedPending = false;
  private lastCursor: string | undefined;
  private wants = false;
  private nextId = 1;
  private readonly subs = new Map<number, Subscription>();
  private readonly calls = new TabCalls({
    send: (id, method, args) => this.send({ t: 'call', tab: this.options.tab, id, method, args }),
    hub: () => (this.link === undefined ? undefined : this.hubId),
  });
  /** Hubs this tab has moved on from: their late `state`s must not take it back. */
  private readonly retiredHubs = new RecentIds(64);
  private readonly seenEvents = new RecentIds(DEDUPE_WINDOW);
  private readonly seenDeliveries = new RecentIds(DEDUPE_WINDOW);
  private waiters: { resolve(): void; reject(error: HubcastError): void }[] = [];
  private notificationsHelper: Notifications | undefined;
  /** Set when the tab can never reach a hub (refused, or no worker): connect() rejects with it. */
  private broken: HubcastError | undefined;

  /** @internal */
  constructor(private readonly options: TabConnectionOptions) {
    super((error, event) => this.reportListenerError(error, event));
    this.lastCursor = options.cursor ?? readCursor(options.cursorKey);
  }

  /** The tab's id: its Web Lock name ends with it. */
  get tab(): string {
    return this.options.tab;
  }

  /** The user the tab said it is. */
  get user(): string {
    return this.options.user;
  }

  /** The tab's view: the shared connection's state while this tab wants it, else `disconnected`. */
  get state(): ClientState {
    return this.localState;
  }

  /** The shared connection's cursor after the last event this tab saw. */
  get cursor(): string | undefined {
    return this.lastCursor;
  }

  /** The shared connection's session, while connected. */
  get session(): Readonly<SessionInfo> | undefined {
    return this.currentSession;
  }

  /** The session user's inbox; each tab keeps its own count from the shared events. */
  get notifications(): Notifications {
    return (this.notificationsHelper ??= new Notifications(this));
  }

  /** @internal Attaches the way to the hub and introduces the tab. */
  attach(link: TabLink): void {
    this.link = link;
    this.hello(); // calls wait for the hub's answer to it
  }

  /** @internal A message from a hub. */
  receive(message: FromHub): void {
    if (message.to !== undefined && !message.to.includes(this.options.tab)) return;
    if (message.t === 'refused') return this.failLink(fromWireError(message.error));
    // A call's id is the tab's own: whichever hub answers first settles it, even one the tab
    // has moved away from (a hub that announced itself late must not strand it).
    if (message.t === 'result')
      return this.calls.settle(
        message.id,
        message.value,
        message.error && fromWireError(message.error),
      );
    if (message.hub !== this.hubId) {
      // A new hub announces itself with a state: tell it everything again. Stragglers of the
      // old one (events it sent before it went) are still delivered, deduplicated.
      if (message.t !== 'state' || this.retiredHubs.has(message.hub)) {
        if (message.t === 'event') this.deliver(message, false);
        return;
      }
      const old = this.hubId;
      if (old !== undefined) this.retiredHubs.firstTime(old);
      this.hubId = message.hub;
      if (old !== undefined || message.reason === NEW_HUB) this.hello();
      this.calls.moveTo(message.hub); // the first hub: the calls made so far go out now
    }
    switch (message.t) {
      case 'state':
        if (message.cursor !== undefined) this.setCursor(message.cursor);
        if (message.state !== 'connected') this.connectedCtx = undefined;
        else if (message.connected !== undefined) this.connectedCtx = message.connected;
        this.currentSession = message.session;
        this.hubState = message.state;
        return this.followHub(message.reason);
      case 'event':
        return this.deliver(message, true);
      case 'emit':
        if (message.ev.name === 'connected') this.connectedCtx = message.ev.ctx;
        return this.forward(message.ev);
      case 'sub-live':
        for (const id of message.ids) this.subs.get(id)?.markSubscribed(message.ctx);
        return;
      case 'sub-waiting':
        for (const id of message.ids) this.subs.get(id)?.markSubscribing(message.reason);
        return;
      case 'sub-ended':
        for (const id of message.ids) {
          const sub = this.subs.get(id);
          this.subs.delete(id);
          sub?.end(message.reason, message.error && fromWireError(message.error));
        }
        return;
      case 'presence':
        for (const id of message.ids) this.subs.get(id)?.presenceChanged(message.kind, message.ctx);
        return;
      case 'token-request':
        return void answerTokenRequest(this.options.tab, message.id, this.options, (m) =>
          this.send(m),
        );
      default: {
        const unknownMessage: never = message;
        return void unknownMessage;
      }
    }
  }

  /** Asks for the shared connection; resolves once it is connected (as `HubcastClient.connect`). */
  connect(): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(this.broken);
    if (this.localState === 'connected') return Promise.resolve();
    const ready = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    ready.catch(() => undefined);
    if (!this.wants) {
      this.wants = true;
      this.send({ t: 'want', tab: this.options.tab, wants: true });
      this.followHub('connect() called');
    }
    return ready;
  }

  /** This tab stops using the connection; it closes when no tab wants it. Subscriptions stay. */
  disconnect(): void {
    if (!this.wants) return;
    this.wants = false;
    // What the hub last said may no longer hold once it hears this (it stops the socket when
    // no tab wants it): a later connect() waits for its answer to the next `want`.
    this.hubState = 'disconnected';
    this.connectedCtx = undefined;
    this.send({ t: 'want', tab: this.options.tab, wants: false });
    this.followHub('disconnect() called');
  }

  /** Leaves for good: the hub forgets the tab's subscriptions (a closed tab does so by itself). */
  close(): void {
    this.disconnect();
    this.send({ t: 'bye', tab: this.options.tab });
    this.link?.close();
    this.link = undefined;
  }

  /** @internal The way to the hub could not be made (no worker script, or the hub refused). */
  failLink(why: string | HubcastError): void {
    const error = typeof why === 'string' ? unavailable(why) : why;
    this.broken = error;
    this.link?.close();
    this.link = undefined;
    this.emit('error', { error });
    this.wants = false;
    this.failCalls(error); // first: the waiting connect() rejects with this error itself
    this.followHub(error.message);
  }

  /** As `HubcastClient.subscribe`; tabs on one pattern share one server subscription. */
  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    const why = explainBadName(pattern, true);
    if (why !== undefined) throw badRequest(`'pattern' ${why}`);
    const id = this.nextId++;
    const sub = new Subscription(pattern, handler, options.presence === true, {
      detach: () => {
        this.subs.delete(id);
        this.send({ t: 'unsub', tab: this.options.tab, id });
      },
      reportError: (error, channel, where) => this.reportError(error, where, channel),
    });
    this.subs.set(id, sub);
    const tabSub: TabSub = { id, pattern, presence: sub.presence };
    this.send({ t: 'sub', tab: this.options.tab, sub: tabSub, cursor: options.cursor });
    return sub;
  }

  /** As `HubcastClient.publish`; the key is made in the tab, so a resend after a handover is stored once. */
  async publish(
    channel: string,
    data: unknown,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    // The key is made here, so a publish sent again to a new leader is stored once.
    const key = options.key ?? randomKey();
    return (await this.call('publish', [
      channel,
      data as JsonValue,
      { key },
    ])) as unknown as PublishResult;
  }

  /** As `HubcastClient.publishEphemeral`. */
  async publishEphemeral(channel: string, data: unknown): Promise<EphemeralPublishResult> {
    const result = await this.call('publishEphemeral', [channel, data as JsonValue]);
    return result as unknown as EphemeralPublishResult;
  }

  /** As `HubcastClient.history`. */
  async history(channel: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    const result = await this.call('history', [channel, { ...options }]);
    return result as unknown as HistoryPage;
  }

  /** As `HubcastClient.presence`. */
  async presence(channel: string): Promise<PresenceSnapshot> {
    return (await this.call('presence', [channel])) as unknown as PresenceSnapshot;
  }

  /** As `HubcastClient.rpc`; rejects with `unavailable` if the connection moves to another tab meanwhile. */
  rpc(method: string, params?: JsonValue): Promise<JsonValue> {
    return this.call('rpc', params === undefined ? [method] : [method, params]);
  }

  /** Round trip through the hub to the server. */
  async ping(): Promise<{ rttMs: number }> {
    return (await this.call('ping', [])) as unknown as { rttMs: number };
  }

  private send(message: ToHub): void {
    this.link?.send(message);
  }

  private hello(): void {
    const subs: TabSub[] = [...this.subs].map(([id, s]) => ({
      id,
      pattern: s.channel,
      presence: s.presence,
    }));
    this.send({
      t: 'hello',
      tab: this.options.tab,
      user: this.options.user,
      options: this.options.wire,
      cursor: this.lastCursor,
      wants: this.wants,
      subs,
    });
  }

  private call(method: CallMethod, args: JsonValue[]): Promise<JsonValue> {
    if (!this.wants) return Promise.reject(unavailable('not connected: call connect() first'));
    return this.calls.start(this.nextId++, method, args);
  }

  private deliver(message: Extract<FromHub, { t: 'event' }>, current: boolean): void {
    if (current && message.cursor !== undefined) this.setCursor(message.cursor);
    if (!this.wants) return;
    const mine = message.routes.filter((r) => r.tab === this.options.tab);
    if (mine.length === 0) return;
    const { event } = message;
    for (const route of mine)
      for (const id of route.ids)
        if (this.seenDeliveries.firstTime(`${id} ${event.event_id}`))
          this.subs.get(id)?.deliver(event);
    if (this.seenEvents.firstTime(event.event_id)) this.emit('event', event);
  }

  private setCursor(cursor: string): void {
    if (cursor === this.lastCursor) return;
    this.lastCursor = cursor;
    writeCursor(this.options.cursorKey, cursor);
  }

  /** The tab's state is the hub's while the tab wants the connection, else `disconnected`. */
  private followHub(reason: string): void {
    // A hub that has not connected yet (a new leader) is on its way, not stopped: a stop
    // comes as a `disconnected` that will not reconnect, which clears `wants`.
    const hub = this.hubState === 'disconnected' ? 'connecting' : this.hubState;
    const to: ClientState = this.wants ? hub : 'disconnected';
    const from = this.localState;
    if (to === from) return;
    this.localState = to;
    this.connectedPending = false;
    this.emit('state', { from, to, reason });
    if (to === 'connected') {
      // As a client's: `connected` follows the state. A tab that joins a connection already
      // up (or asks for it again) gets it from the hub's context; else the hub's own follows.
      if (this.connectedCtx !== undefined) this.emit('connected', this.connectedCtx);
      else this.connectedPending = true;
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    } else if (to === 'disconnected') {
      this.failCalls(unavailable(`client stopped: ${reason}`));
    }
  }

  private failCalls(error: HubcastError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(error);
    this.calls.failAll(error);
  }

  private forward(ev: Extract<FromHub, { t: 'emit' }>['ev']): void {
    if (!this.wants) return;
    switch (ev.name) {
      case 'connected':
        // Emitted when the tab goes connected (followHub): here only if that came first.
        if (!this.connectedPending) return;
        this.connectedPending = false;
        return this.emit('connected', ev.ctx);
      case 'disconnected':
        if (!ev.ctx.willReconnect) {
          // The hub's client stopped (refused token, …): so does this tab.
          this.wants = false;
          this.followHub(ev.ctx.reason);
        }
        return this.emit('disconnected', {
          ...ev.ctx,
          ...(ev.error && { error: fromWireError(ev.error) }),
        });
      case 'reset':
        return this.emit('reset', ev.ctx);
      case 'refreshed':
        return this.emit('refreshed', ev.ctx);
      case 'unsubscribed':
        return this.emit('unsubscribed', ev.ctx);
      case 'error':
        return this.emit('error', {
          error: fromWireError(ev.error),
          ...(ev.channel === undefined ? {} : { channel: ev.channel }),
        });
      default: {
        const unknownEvent: never = ev;
        return void unknownEvent;
      }
    }
  }

  private reportError(cause: unknown, where: string, channel?: string): void {
    const why = cause instanceof Error ? cause.message : String(cause);
    const error =
      cause instanceof HubcastError
        ? cause
        : new HubcastError('internal', `${where} threw: ${why}`, { cause });
    this.emit('error', { error, ...(channel === undefined ? {} : { channel }) });
  }

  private reportListenerError(cause: unknown, event: string): void {
    if (event === 'error') {
      queueMicrotask(() => {
        throw cause;
      });
      return;
    }
    this.reportError(cause, `'${event}' listener`);
  }
}
