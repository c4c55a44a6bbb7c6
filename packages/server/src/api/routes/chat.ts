/**
 * The chat HTTP API of docs/chat.md for app backends: rooms, members, sending as a user (a bot,
 * a system message) and reading history. The API key's tenant is the org (PROTOCOL.md §6);
 * `chat.*` rpc rules apply otherwise, except that a backend acts as no user where it manages
 * rooms (no owner role needed) and names the user it sends or reads as.
 */
import { badRequest, isObject, jsonDepthExceeds, unavailable } from '@hubcast/protocol';
import { userParam } from '../../services/chat/chat-params.js';
import { orgFor, param, readJson, type ApiCall } from '../api-call.js';
import { sendJson } from '../http-error.js';

/** A body's tenant and its params (the body itself: unknown fields are ignored). */
async function readChatBody(
  call: ApiCall,
): Promise<{ org: string; body: Record<string, unknown> }> {
  const { node, req, caller } = call;
  const body = await readJson(req, node.config.maxMessageBytes);
  if (!isObject(body)) throw badRequest('the body must be a JSON object');
  // `data` may nest as deep as event data; the body around it two levels more (notify.ts).
  if (jsonDepthExceeds(body, node.config.maxDataDepth + 2))
    throw badRequest(`the body nests deeper than ${node.config.maxDataDepth + 2} levels`);
  if (node.isDraining()) throw unavailable('server is draining');
  return { org: orgFor(caller, body['org']), body };
}

/** `POST /api/chat/rooms` `{org?, room, title?, members?}`: the room, with no owner. */
export async function chatRoomsRoute(call: ApiCall): Promise<void> {
  const { org, body } = await readChatBody(call);
  sendJson(call.res, 200, await call.node.chat.createRoom(org, undefined, body));
}

/** `POST /api/chat/members` `{org?, room, users}`: `{added}`, the members that are new. */
export async function chatMembersRoute(call: ApiCall): Promise<void> {
  const { org, body } = await readChatBody(call);
  sendJson(call.res, 200, { added: await call.node.chat.addMembers(org, undefined, body) });
}

/** `POST /api/chat/members/remove` `{org?, room, user}`: `{removed}`. */
export async function chatRemoveMemberRoute(call: ApiCall): Promise<void> {
  const { org, body } = await readChatBody(call);
  sendJson(call.res, 200, { removed: await call.node.chat.removeMember(org, undefined, body) });
}

/** `POST /api/chat/send` `{org?, room, user, text, ...}`: sends as `user`, who must be a member. */
export async function chatSendRoute(call: ApiCall): Promise<void> {
  const { org, body } = await readChatBody(call);
  const user = userParam(body, 'user');
  // A message is an event in the tenant's log: it counts against the publish quota.
  call.node.chargePublishes(org, 1);
  sendJson(call.res, 200, await call.node.chat.send(org, user, body));
}

/** `GET /api/chat/history?room=…&user?&before?|after?&limit?&thread_id?`: `{messages, more}`. */
export async function chatHistoryRoute(call: ApiCall): Promise<void> {
  const org = orgFor(call.caller, param(call, 'org'));
  const p: Record<string, unknown> = {};
  for (const name of ['room', 'before', 'after', 'thread_id']) {
    const v = param(call, name);
    if (v !== undefined) p[name] = v;
  }
  const limit = param(call, 'limit');
  // A query's numbers are text; a bad one stays text and the check names it.
  if (limit !== undefined) p['limit'] = /^[0-9]{1,4}$/.test(limit) ? Number(limit) : limit;
  const reader = param(call, 'user');
  const as = reader === undefined ? undefined : userParam({ user: reader }, 'user');
  sendJson(call.res, 200, await call.node.chat.backendHistory(org, as, p));
}
