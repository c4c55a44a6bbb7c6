/**
 * `useNotifications()`: the session user's live unread count and the notifications that
 * arrive, with the inbox calls. The client's helper is started while any component uses it.
 */
import type { HubcastConnection, Notification, Notifications } from '@hubcast/client';
import type { HubcastError } from '@hubcast/protocol';
import { onScopeDispose, shallowRef, type ShallowRef } from 'vue';
import { useHubcast } from './plugin.js';

export interface NotificationsRefs {
  /** `undefined` until the first count arrives. */
  unread: ShallowRef<number | undefined>;
  /** Notifications that arrived since mount, newest first (at most 50). */
  received: ShallowRef<readonly Notification[]>;
  error: ShallowRef<HubcastError | undefined>;
  /** The inbox calls: `list`, `markRead`, `markAllRead`. */
  inbox: Notifications;
}

const RECEIVED_MAX = 50;
/** How many scopes use each client's inbox: the last one out stops it. */
const users = new WeakMap<HubcastConnection, number>();

/** The inbox of the app's client, followed until the scope is disposed. */
export function useNotifications(): NotificationsRefs {
  const client = useHubcast();
  const inbox = client.notifications;
  const refs: NotificationsRefs = {
    unread: shallowRef(inbox.unread),
    received: shallowRef([]),
    error: shallowRef(undefined),
    inbox,
  };
  const offs = [
    inbox.on('unread', (ctx) => (refs.unread.value = ctx.unread)),
    inbox.on('readAll', () => (refs.unread.value = inbox.unread)),
    inbox.on('created', (ctx) => {
      refs.received.value = [ctx.notification, ...refs.received.value].slice(0, RECEIVED_MAX);
    }),
    inbox.on('error', (ctx) => (refs.error.value = ctx.error)),
  ];
  users.set(client, (users.get(client) ?? 0) + 1);
  inbox.start();
  onScopeDispose(() => {
    for (const off of offs) off();
    const left = (users.get(client) ?? 1) - 1;
    users.set(client, left);
    if (left === 0) inbox.stop();
  });
  return refs;
}
