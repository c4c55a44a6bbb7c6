/**
 * The demo app: one hubcast connection for all tabs of the browser (`connectShared`: a
 * SharedWorker, else a leader tab), given to the Vue plugin; Pinia for the live inventory.
 * The token comes from the dev node's `/dev.json` (proxied by Vite), or for another of the
 * demo's users (`?user=alice`) from the demo's server; asked again on refresh. Tabs of
 * different users get a connection each.
 */
import { connectShared, type SharedOptions } from '@hubcast/client';
// Vite bundles the SDK's worker as a worker of the app's own (in dev and in a build).
import HubcastWorker from '@hubcast/client/shared-worker?sharedworker';
import { createHubcast } from '@hubcast/vue';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { App } from './app.js';
import './style.css';

interface Login {
  token: string;
  user: string;
}

const params = new URLSearchParams(location.search);
const asUser = params.get('user');
/** `?mode=leader` (or `per-tab`) tries what browsers without SharedWorker get. */
const mode = (params.get('mode') ?? 'auto') as NonNullable<SharedOptions['mode']>;
const loginUrl = asUser === null ? '/dev.json' : `/demo/token?user=${encodeURIComponent(asUser)}`;

async function login(): Promise<Login> {
  const res = await fetch(loginUrl, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${loginUrl} answered ${res.status}`);
  return (await res.json()) as Login;
}

async function start(): Promise<void> {
  const { user } = await login();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const shared = connectShared({
    url: `${scheme}://${location.host}/ws`,
    user,
    mode,
    createWorker: (name) => new HubcastWorker({ name }),
    getToken: async () => (await login()).token,
  });
  void shared.connection.connect();
  createApp(App, { shared, user })
    .use(createPinia())
    .use(createHubcast({ client: shared.connection }))
    .mount('#app');
}

start().catch((err: unknown) => {
  // No app without a login: say why instead of a blank page.
  const app = document.querySelector('#app');
  if (app !== null) app.textContent = `cannot start the demo: ${(err as Error).message}`;
});
