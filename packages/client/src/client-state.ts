import type { TransitionTable } from './state-machine.js';

/**
 * The client's connection state. `connecting` covers the whole way back to `connected`:
 * opening the socket, the handshake, and the backoff waits between failed attempts.
 */
export type ClientState = 'disconnected' | 'connecting' | 'connected';

export const CLIENT_TRANSITIONS: TransitionTable<ClientState> = {
  disconnected: ['connecting'],
  connecting: ['connected', 'disconnected'],
  connected: ['connecting', 'disconnected'],
};

/**
 * A subscription's state. It drops back to `subscribing` while the client reconnects, and
 * `unsubscribed` is final (a new `subscribe()` makes a new Subscription).
 */
export type SubscriptionState = 'subscribing' | 'subscribed' | 'unsubscribed';

export const SUBSCRIPTION_TRANSITIONS: TransitionTable<SubscriptionState> = {
  subscribing: ['subscribed', 'unsubscribed'],
  subscribed: ['subscribing', 'unsubscribed'],
  unsubscribed: [],
};
