import { badRequest, isObject, jsonDepthExceeds, unavailable } from '@hubcast/protocol';
import { orgFor, readJson, type ApiCall, type ApiNode, type Caller } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** `POST /api/notify` (PROTOCOL.md §10): one notification per user, once per `key`. */
export async function notifyRoute({ node, req, res, caller }: ApiCall): Promise<void> {
  const body = await readJson(req, node.config.maxMessageBytes);
  if (node.isDraining()) throw unavailable('server is draining');
  sendJson(res, 200, await notifyBody(node, caller, body));
}

/** Checks a notify body's tenant and depth, then notifies: shared with queue ingest. */
export function notifyBody(
  node: Pick<ApiNode, 'config' | 'notify'>,
  caller: Caller,
  body: unknown,
): Promise<{ ids: string[] }> {
  checkDepth(body, node.config.maxDataDepth);
  const org = orgFor(caller, isObject(body) ? body['org'] : undefined);
  return node.notify(org, body);
}

/**
 * `notification.data` becomes event data (PROTOCOL.md §9 bounds it); the rest of the body may
 * nest two levels more, so no field makes the serializing of the notification overflow.
 */
function checkDepth(body: unknown, maxDepth: number): void {
  const notification = isObject(body) ? body['notification'] : undefined;
  if (isObject(notification) && jsonDepthExceeds(notification['data'], maxDepth))
    throw badRequest(`'notification.data' nests deeper than ${maxDepth} levels`);
  if (jsonDepthExceeds(body, maxDepth + 2))
    throw badRequest(`the body nests deeper than ${maxDepth + 2} levels`);
}
