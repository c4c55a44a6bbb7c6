/** `GET /api/admin/*`: the admin console's views (docs/admin.md), for the admin key only. */
import { badRequest, forbidden, notFound } from '@hubcast/protocol';
import { orgFor, param, type ApiCall } from '../api/api-call.js';
import { sendJson } from '../api/http-error.js';
import type { AdminApi } from './admin-console.js';

/** The most channels one `GET /api/admin/channels` page lists. */
export const CHANNELS_PAGE_MAX = 200;

/** The admin console's API, or why not: a tenant-bound key is refused (403). */
function adminOf(call: ApiCall): AdminApi {
  if (call.caller.boundOrg !== undefined)
    throw forbidden('the admin console takes the admin key, not a tenant key');
  const admin = call.node.admin;
  if (admin === undefined) throw notFound('no admin console on this node');
  return admin;
}

/** A non-negative integer query parameter, `fallback` when absent. */
function intParam(call: ApiCall, name: string, fallback: number, max: number): number {
  const text = param(call, name);
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n > max)
    throw badRequest(`'${name}' must be an integer from 0 to ${max}`);
  return n;
}

/** `GET /api/admin/series?since=MS`: every node's samples taken after `since` (default all). */
export async function adminSeriesRoute(call: ApiCall): Promise<void> {
  const admin = adminOf(call);
  const since = intParam(call, 'since', 0, Number.MAX_SAFE_INTEGER);
  sendJson(call.res, 200, { now: Date.now(), ...(await admin.series(since)) });
}

/** `GET /api/admin/channels?org=&offset=&limit=`: subscribed patterns, busiest first. */
export async function adminChannelsRoute(call: ApiCall): Promise<void> {
  const admin = adminOf(call);
  const org = orgFor(call.caller, param(call, 'org'));
  const offset = intParam(call, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(call, 'limit', 50, CHANNELS_PAGE_MAX);
  if (limit === 0) throw badRequest(`'limit' must be an integer from 1 to ${CHANNELS_PAGE_MAX}`);
  sendJson(call.res, 200, { org, offset, ...(await admin.channels(org, offset, limit)) });
}
