/**
 * The webhook dead letters of the caller's tenant (docs/webhooks.md "Dead letters"):
 * `GET /api/webhooks/dead` lists them, `POST /api/webhooks/retry` puts them back in the queue.
 */
import { badRequest, isObject } from '@hubcast/protocol';
import { WEBHOOK_DEAD_LIST_MAX } from '../../store/webhook-store.js';
import { orgFor, param, readJson, type ApiCall } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** The most ids one retry may name. */
export const WEBHOOK_RETRY_IDS_MAX = 1000;

/** `GET /api/webhooks/dead?org&after&limit` */
export async function webhooksDeadRoute(call: ApiCall): Promise<void> {
  const org = orgFor(call.caller, param(call, 'org'));
  const limitText = param(call, 'limit');
  const limit = limitText === undefined ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > WEBHOOK_DEAD_LIST_MAX)
    throw badRequest(`'limit' must be an integer from 1 to ${WEBHOOK_DEAD_LIST_MAX}`);
  const after = param(call, 'after');
  if (after !== undefined && (after.length === 0 || after.length > 64))
    throw badRequest("'after' must be a webhook id");
  sendJson(call.res, 200, await call.node.webhooks.dead(org, limit, after));
}

/** `POST /api/webhooks/retry {org?, ids}` answers `{requeued}`, the ids put back. */
export async function webhooksRetryRoute(call: ApiCall): Promise<void> {
  const body = await readJson(call.req, call.node.config.maxMessageBytes);
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  const org = orgFor(call.caller, body['org']);
  const ids = body['ids'];
  if (!Array.isArray(ids) || ids.length === 0 || ids.length > WEBHOOK_RETRY_IDS_MAX)
    throw badRequest(`'ids' must be an array of 1 to ${WEBHOOK_RETRY_IDS_MAX} webhook ids`);
  ids.forEach((id, i) => {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64)
      throw badRequest(`'ids[${i}]' must be a webhook id`);
  });
  sendJson(call.res, 200, { requeued: await call.node.webhooks.retry(org, ids as string[]) });
}
