import { HubcastError } from '@hubcast/protocol';
import { SUBSCRIPTION_TRANSITIONS, type SubscriptionState } from './client-state.js';
import { TypedEmitter } from './emitter.js';
import type {
  HubcastEvent,
  PresenceChangeContext,
  SubscribedContext,
  SubscriptionEvents,
} from './events.js';
import { StateMachine } from './state-machine.js';

/** Receives every event whose channel the subscription's pattern matches. */
export type EventHandler = (event: HubcastEvent) => void;

export interface SubscribeOptions {
  /** Ask for `join`/`leave` pushes (concrete channels; docs/protocol.md §4 presence). */
  presence?: boolean;
  /**
   * Replay the events after this cursor that match the pattern, before going live. Used only
   * when the pattern is new to the client; an existing pattern is already receiving events.
   */
  cursor?: string;
}

/** What a Subscription needs from its owner. @internal */
export interface SubscriptionHost {
  detach(subscription: Subscription): void;
  reportError(error: unknown, channel: string, where: string): void;
}

/**
 * One `subscribe()` call: a handler on a pattern. Several subscriptions on one pattern share
 * one server subscription; the server's is ended when the last one unsubscribes.
 */
export class Subscription extends TypedEmitter<SubscriptionEvents> {
  readonly channel: string;
  readonly presence: boolean;
  private readonly machine: StateMachine<SubscriptionState>;
  private endError: HubcastError | undefined;
  private waiters: { resolve: () => void; reject: (error: HubcastError) => void }[] = [];

  /** @internal */
  constructor(
    channel: string,
    private readonly handler: EventHandler,
    presence: boolean,
    private readonly host: SubscriptionHost,
  ) {
    super((error, event) => host.reportError(error, channel, `'${event}' listener`));
    this.channel = channel;
    this.presence = presence;
    this.machine = new StateMachine<SubscriptionState>(
      'subscribing',
      SUBSCRIPTION_TRANSITIONS,
      (change) => this.emit('state', change),
    );
  }

  get state(): SubscriptionState {
    return this.machine.state;
  }

  /** Stops this handler; the server subscription ends with the pattern's last handler. */
  unsubscribe(): void {
    if (this.state === 'unsubscribed') return;
    this.host.detach(this);
    this.end('unsubscribe');
  }

  /** Resolves once subscribed; rejects if the subscription ends first (refused, unsubscribed). */
  ready(): Promise<void> {
    if (this.state === 'subscribed') return Promise.resolve();
    if (this.state === 'unsubscribed') return Promise.reject(this.endedError());
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** @internal */
  deliver(event: HubcastEvent): void {
    if (this.state === 'unsubscribed') return;
    try {
      this.handler(event);
    } catch (error) {
      this.host.reportError(error, this.channel, 'event handler');
    }
  }

  /** @internal */
  presenceChanged(kind: 'join' | 'leave', ctx: PresenceChangeContext): void {
    if (this.state !== 'unsubscribed' && this.presence) this.emit(kind, ctx);
  }

  /** @internal */
  markSubscribed(ctx: SubscribedContext): void {
    if (this.state !== 'subscribing') return;
    this.machine.transition('subscribed', 'server confirmed');
    this.emit('subscribed', ctx);
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.resolve();
  }

  /** @internal */
  markSubscribing(reason: string): void {
    if (this.state === 'subscribed') this.machine.transition('subscribing', reason);
  }

  /** @internal Ends the subscription for good. */
  end(reason: string, error?: HubcastError): void {
    if (this.state === 'unsubscribed') return;
    this.endError = error;
    this.machine.transition('unsubscribed', reason);
    if (error !== undefined) this.emit('error', { error, channel: this.channel });
    this.emit('unsubscribed', { channel: this.channel, reason, ...(error ? { error } : {}) });
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(this.endedError());
  }

  private endedError(): HubcastError {
    return (
      this.endError ?? new HubcastError('not_found', `subscription to '${this.channel}' ended`)
    );
  }
}
