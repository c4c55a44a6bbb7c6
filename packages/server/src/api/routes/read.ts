import { HISTORY_LIMIT_MAX, badRequest, explainBadName } from '@hubcast/protocol';
import { readHistory } from '../../log/read-history.js';
import { toWireEvent } from '../../session/event-frame.js';
import { orgFor, param, type ApiCall } from '../api-call.js';
import { sendJson } from '../http-error.js';

function channelParam(call: ApiCall, allowWildcards: boolean): string {
  const channel = param(call, 'channel');
  const why = explainBadName(channel, allowWildcards);
  if (why !== undefined) throw badRequest(`'channel' ${why}`);
  return channel as string;
}

/**
 * The most one `GET /api/history` answer takes (a single larger event still comes alone):
 * about 64 events of the default max-message-bytes (64 KiB), where 1,000 of them (64 MB)
 * would be built whole in memory, as objects and as text, before the first byte went out.
 */
const HTTP_HISTORY_MAX_BYTES = 4 * 1024 * 1024;

/** `GET /api/history`: as the `history` command, for the app backend (no personal filter). */
export async function historyRoute(call: ApiCall): Promise<void> {
  const org = orgFor(call.caller, param(call, 'org'));
  const pattern = channelParam(call, true);
  const after = param(call, 'after');
  const before = param(call, 'before');
  if (after !== undefined && before !== undefined)
    throw badRequest("give 'after' or 'before', not both");
  const limitText = param(call, 'limit');
  const limit = limitText === undefined ? 100 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMIT_MAX)
    throw badRequest(`'limit' must be an integer from 1 to ${HISTORY_LIMIT_MAX}`);
  const page = await readHistory(call.node.log, org, {
    pattern,
    after,
    before,
    limit,
    maxBytes: HTTP_HISTORY_MAX_BYTES,
  });
  sendJson(call.res, 200, {
    events: page.events.map(toWireEvent),
    more: page.more,
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  });
}

/** `GET /api/presence` */
export async function presenceRoute(call: ApiCall): Promise<void> {
  const org = orgFor(call.caller, param(call, 'org'));
  const channel = channelParam(call, false);
  const { members, count } = await call.node.presenceMembers(org, channel);
  sendJson(call.res, 200, { channel, members, count });
}

/** `GET /api/stats`: counts of the whole cluster; an admin key without `org` sees every org. */
export async function statsRoute(call: ApiCall): Promise<void> {
  const given = param(call, 'org');
  const org =
    call.caller.boundOrg === undefined && given === undefined
      ? undefined
      : orgFor(call.caller, given);
  sendJson(call.res, 200, await call.node.stats(org));
}
