/**
 * The HTTP API of PROTOCOL.md §8, health, readiness and metrics. Plain `node:http`: the API is
 * a handful of routes and hubcast's hot path is the WebSocket side.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HubcastError, badRequest, forbidden } from '@hubcast/protocol';
import { adminChannelsRoute, adminSeriesRoute } from '../admin/admin-routes.js';
import { createAdminPageHandler } from '../web/admin-page.js';
import { DEV_HOST_REFUSAL, isLoopbackHostHeader } from '../transport/dev-host.js';
import { authenticate, type ApiNode, type Route } from './api-call.js';
import { sendError, sendJson } from './http-error.js';
import {
  chatHistoryRoute,
  chatMembersRoute,
  chatRemoveMemberRoute,
  chatRoomsRoute,
  chatSendRoute,
} from './routes/chat.js';
import { disconnectRoute } from './routes/disconnect.js';
import { notifyRoute } from './routes/notify.js';
import { publishRoute } from './routes/publish.js';
import { historyRoute, presenceRoute, statsRoute } from './routes/read.js';
import { webhooksDeadRoute, webhooksRetryRoute } from './routes/webhooks.js';

export type { ApiNode } from './api-call.js';

const ROUTES: Record<string, { method: string; handler: Route }> = {
  '/api/publish': { method: 'POST', handler: publishRoute },
  '/api/notify': { method: 'POST', handler: notifyRoute },
  '/api/history': { method: 'GET', handler: historyRoute },
  '/api/presence': { method: 'GET', handler: presenceRoute },
  '/api/disconnect': { method: 'POST', handler: disconnectRoute },
  '/api/stats': { method: 'GET', handler: statsRoute },
  '/api/chat/rooms': { method: 'POST', handler: chatRoomsRoute },
  '/api/chat/members': { method: 'POST', handler: chatMembersRoute },
  '/api/chat/members/remove': { method: 'POST', handler: chatRemoveMemberRoute },
  '/api/chat/send': { method: 'POST', handler: chatSendRoute },
  '/api/chat/history': { method: 'GET', handler: chatHistoryRoute },
  '/api/webhooks/dead': { method: 'GET', handler: webhooksDeadRoute },
  '/api/webhooks/retry': { method: 'POST', handler: webhooksRetryRoute },
  '/api/admin/series': { method: 'GET', handler: adminSeriesRoute },
  '/api/admin/channels': { method: 'GET', handler: adminChannelsRoute },
};

export function createApiHandler(
  node: ApiNode,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const adminPage = createAdminPageHandler();
  return async (req, res) => {
    try {
      if (node.config.dev && !isLoopbackHostHeader(req.headers.host))
        throw forbidden(DEV_HOST_REFUSAL);
      const url = new URL(req.url ?? '/', 'http://localhost');
      switch (url.pathname) {
        case '/healthz':
          return sendJson(res, 200, { status: 'ok' });
        case '/readyz': {
          const readiness = await node.readiness();
          return sendJson(res, readiness.status === 'ready' ? 200 : 503, readiness);
        }
        case '/metrics': {
          const text = await node.metrics.text();
          res.writeHead(200, { 'content-type': node.metrics.registry.contentType });
          res.end(text);
          return;
        }
      }
      const route = ROUTES[url.pathname];
      if (route === undefined) {
        if (node.admin !== undefined && adminPage(req, res, url.pathname)) return;
        if (node.staticHandler?.(req, res) === true) return;
        throw new HubcastError('not_found', `no route ${url.pathname}`);
      }
      if (req.method !== route.method) {
        res.setHeader('allow', route.method);
        return sendError(res, badRequest(`use ${route.method} for ${url.pathname}`), 405);
      }
      const caller = authenticate(node.config, req);
      await route.handler({ node, req, res, url, caller });
    } catch (err) {
      if (!res.headersSent) sendError(res, err);
      else res.destroy();
    }
  };
}
