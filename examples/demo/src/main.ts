/**
 * The demo app: one hubcast client for the app (the plugin), Pinia for the live inventory.
 * The token comes from the dev node's `/dev.json` (proxied by Vite), asked again on refresh.
 */
import { createHubcast } from '@hubcast/vue';
import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { App } from './app.js';
import './style.css';

interface DevInfo {
  token: string;
}

async function devToken(): Promise<string> {
  const res = await fetch('/dev.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/dev.json answered ${res.status}`);
  return ((await res.json()) as DevInfo).token;
}

const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
createApp(App)
  .use(createPinia())
  .use(createHubcast({ url: `${scheme}://${location.host}/ws`, getToken: devToken }))
  .mount('#app');
