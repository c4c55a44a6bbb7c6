import { isObject, unavailable } from '@hubcast/protocol';
import { orgFor, readJson, type ApiCall } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** `POST /api/notify` (PROTOCOL.md §10): one notification per user, once per `key`. */
export async function notifyRoute({ node, req, res, caller }: ApiCall): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (node.isDraining()) throw unavailable('server is draining');
  const org = orgFor(caller, isObject(body) ? body['org'] : undefined);
  sendJson(res, 200, await node.notify(org, body));
}
