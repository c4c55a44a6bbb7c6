/**
 * The demo app: one hubcast connection for all tabs of the browser (`connectShared`: a
 * SharedWorker, else a leader tab), given to the Vue plugin; Pinia for the live inventory.
 * The token comes from the dev node's `/dev.json` (proxied by Vite), asked again on refresh.
 */
import { connectShared } from '@hubcast/client';
import { createHubcast } from '@hubcast/vue';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { App } from './app.js';
import './style.css';

interface DevInfo {
  token: string;
  user: string;
}

async function devInfo(): Promise<DevInfo> {
  const res = await fetch('/dev.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/dev.json answered ${res.status}`);
  return (await res.json()) as DevInfo;
}

async function start(): Promise<void> {
  const { user } = await devInfo();
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const shared = connectShared({
    url: `${scheme}://${location.host}/ws`,
    user,
    getToken: async () => (await devInfo()).token,
  });
  void shared.connection.connect();
  createApp(App, { shared })
    .use(createPinia())
    .use(createHubcast({ client: shared.connection }))
    .mount('#app');
}

void start();
