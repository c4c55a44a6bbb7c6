import { describe, expect, it } from 'vitest';
import {
  CLIENT_TRANSITIONS,
  SUBSCRIPTION_TRANSITIONS,
  type ClientState,
  type SubscriptionState,
} from './client-state.js';
import { StateMachine, canTransition, type StateChange } from './state-machine.js';

describe('client transitions', () => {
  it.each<[ClientState, ClientState, boolean]>([
    ['disconnected', 'connecting', true],
    ['disconnected', 'connected', false], // always through a handshake
    ['disconnected', 'disconnected', false],
    ['connecting', 'connected', true],
    ['connecting', 'disconnected', true],
    ['connecting', 'connecting', false], // failed attempts stay in connecting, no event
    ['connected', 'connecting', true],
    ['connected', 'disconnected', true],
    ['connected', 'connected', false],
  ])('%s -> %s: %s', (from, to, ok) => {
    expect(canTransition(CLIENT_TRANSITIONS, from, to)).toBe(ok);
  });
});

describe('subscription transitions', () => {
  it.each<[SubscriptionState, SubscriptionState, boolean]>([
    ['subscribing', 'subscribed', true],
    ['subscribing', 'unsubscribed', true],
    ['subscribed', 'subscribing', true], // connection lost
    ['subscribed', 'unsubscribed', true],
    ['unsubscribed', 'subscribing', false], // final
    ['unsubscribed', 'subscribed', false],
  ])('%s -> %s: %s', (from, to, ok) => {
    expect(canTransition(SUBSCRIPTION_TRANSITIONS, from, to)).toBe(ok);
  });
});

describe('StateMachine', () => {
  it('reports each change and refuses illegal moves', () => {
    const changes: StateChange<ClientState>[] = [];
    const m = new StateMachine<ClientState>('disconnected', CLIENT_TRANSITIONS, (c) =>
      changes.push(c),
    );
    m.transition('connecting', 'go');
    m.transition('connected', 'ok');
    expect(() => m.transition('connected', 'again')).toThrow(
      /illegal state transition connected -> connected/,
    );
    expect(m.state).toBe('connected');
    expect(changes).toEqual([
      { from: 'disconnected', to: 'connecting', reason: 'go' },
      { from: 'connecting', to: 'connected', reason: 'ok' },
    ]);
  });
});
