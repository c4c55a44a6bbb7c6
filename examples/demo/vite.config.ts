/**
 * `npm run demo`: Vite serves the app and proxies the hubcast node it starts (`hubcast serve
 * --dev` on a free port) under the app's origin: `/ws`, `/api` and `/dev.json`, the dev token.
 * The demo's own API (snapshot, simulator) is a plugin of this server (server/demo-api.ts).
 *
 * Environment: DEMO_PORT (5173), DEMO_NODE_PORT (0: free), DEMO_DATA_DIR (data),
 * DEMO_RATE (simulator updates per second at start, 20).
 */
import { join } from 'node:path';
import { defineConfig } from 'vite';
import { seedChat } from './server/chat-seed.js';
import { demoApi } from './server/demo-api.js';
import { startDevNode } from './server/dev-node.js';
import { DEMO_USERS } from './server/users.js';

const root = import.meta.dirname;

export default defineConfig(async ({ command }) => {
  if (command !== 'serve') return { root, build: { outDir: 'dist/app' } };
  const port = Number(process.env['DEMO_PORT'] ?? 5173);
  const node = await startDevNode({
    port: Number(process.env['DEMO_NODE_PORT'] ?? 0),
    dataDir: process.env['DEMO_DATA_DIR'] ?? join(root, 'data'),
    allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
  });
  try {
    await seedChat(node.url, node.apiKey, DEMO_USERS);
  } catch (err) {
    await node.stop();
    throw err;
  }
  const target = { target: node.url, changeOrigin: true };
  return {
    root,
    server: {
      host: '127.0.0.1',
      port,
      strictPort: true,
      watch: { ignored: ['**/data/**'] }, // the node's SQLite files
      proxy: { '/ws': { ...target, ws: true }, '/api': target, '/dev.json': target },
    },
    plugins: [demoApi(node, Number(process.env['DEMO_RATE'] ?? 20))],
  };
});
