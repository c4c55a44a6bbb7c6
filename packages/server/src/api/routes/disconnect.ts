import { badRequest, isObject } from '@hubcast/protocol';
import { orgFor, readJson, type ApiCall } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** `POST /api/disconnect`: closes the user's connections with 4502 on every node. */
export async function disconnectRoute({ node, req, res, caller }: ApiCall): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (!isObject(body)) throw badRequest('body must be a JSON object');
  const org = orgFor(caller, body['org']);
  const user = body['user'];
  if (typeof user !== 'string' || user.length === 0)
    throw badRequest("'user' must be a non-empty string");
  const reason = body['reason'] ?? 'disconnected by the server';
  if (typeof reason !== 'string') throw badRequest("'reason' must be a string");
  sendJson(res, 200, { closed: await node.disconnect(org, user, reason) });
}
