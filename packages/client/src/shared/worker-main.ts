/**
 * The SharedWorker that owns an origin's one socket: each tab connects a port, and the hub in
 * here serves them all. Loaded as a module worker by `connectShared` (from the copy in
 * `dist/worker/`, whose imports need no import map: workers do not get the page's).
 */
import { randomKey } from '../idempotency-key.js';
import { Hub } from './hub.js';
import { platformLocks, watchTabLock } from './locks.js';
import type { ToHub } from './messages.js';

interface ConnectEvent {
  ports: readonly MessagePort[];
}

const scope = globalThis as unknown as { onconnect: ((event: ConnectEvent) => void) | null };
const ports = new Map<string, MessagePort>();
const locks = platformLocks();
const stop = new AbortController();

const hub = new Hub({
  id: randomKey(),
  post: (message) => {
    for (const tab of message.to ?? [...ports.keys()]) ports.get(tab)?.postMessage(message);
  },
  watchTab: (tab, gone) => {
    if (locks === undefined) return; // then only `bye` (sent on pagehide) ends a tab
    watchTabLock(locks, tab, stop.signal, () => {
      ports.get(tab)?.close();
      ports.delete(tab);
      gone();
    });
  },
});

scope.onconnect = (event) => {
  const port = event.ports[0];
  if (port === undefined) return;
  port.onmessage = (ev: MessageEvent<unknown>) => {
    const message = ev.data as ToHub;
    // Only same-origin pages reach a SharedWorker; the shape is checked as far as routing needs.
    if (typeof message !== 'object' || message === null || typeof message.tab !== 'string') return;
    if (message.t === 'hello') ports.set(message.tab, port);
    hub.handle(message);
    // A refused tab (another user) must hear nothing the hub sends to all its tabs.
    if (message.t === 'hello' && !hub.has(message.tab)) ports.delete(message.tab);
    if (message.t === 'bye') ports.delete(message.tab);
  };
  port.start();
};
