/**
 * `npm run demo`: Vite serves the app and proxies the hubcast node it starts (`hubcast serve
 * --dev` on a free port) under the app's origin: `/ws`, `/api` and `/dev.json`, the dev token.
 * The demo's own API (snapshot, simulator) is a plugin of this server (server/demo-api.ts).
 *
 * Environment: DEMO_PORT (5173), DEMO_NODE_PORT (0: free), DEMO_DATA_DIR (data),
 * DEMO_RATE (simulator updates per second at start, 20).
 */
import { join } from 'node:path';
import { createLogger, defineConfig, type Logger } from 'vite';
import { seedChat } from './server/chat-seed.js';
import { demoApi } from './server/demo-api.js';
import { startDevNode } from './server/dev-node.js';
import { DEMO_USERS } from './server/users.js';

const root = import.meta.dirname;

/**
 * Vite's logger, without the stack trace its WebSocket proxy prints each time a tab closes
 * (the browser resets the socket: ECONNRESET). Every other error is still logged.
 */
function quietTabCloses(): Logger {
  const logger = createLogger();
  const error = logger.error.bind(logger);
  logger.error = (msg, options) => {
    const code = (options?.error as NodeJS.ErrnoException | null | undefined)?.code;
    if (msg.includes('ws proxy') && (code === 'ECONNRESET' || code === 'EPIPE')) return;
    error(msg, options);
  };
  return logger;
}

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
    customLogger: quietTabCloses(),
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
