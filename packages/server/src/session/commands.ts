/**
 * The client commands of PROTOCOL.md §4, one handler each, run by the session in order.
 * Each returns whether it succeeded (ten failed `bad_request`s in a row close the connection).
 * `connect` is in handshake.ts, `subscribe` and `unsubscribe` in subscription-commands.ts.
 */
import {
  HISTORY_LIMIT_DEFAULT,
  HubcastError,
  badRequest,
  chatRoomOf,
  isHubcastError,
  jsonDepthExceeds,
  tooLarge,
  unauthorized,
  unavailable,
  type ClientCommand,
  type HistoryCommand,
  type HistoryReply,
  type PublishCommand,
  type RefreshCommand,
} from '@hubcast/protocol';
import { canReceive, checkPublish, checkSubscribe } from '../auth/grants.js';
import { engineOutage } from '../engine-error.js';
import { readHistory } from '../log/read-history.js';
import { toWireEvent } from './event-frame.js';
import { connect } from './handshake.js';
import { internalError } from './internal-error.js';
import { requireRoomMember } from './room-gate.js';
import type { Session } from './session.js';
import { subscribe, unsubscribe } from './subscription-commands.js';

export async function runCommand(session: Session, cmd: ClientCommand): Promise<boolean> {
  try {
    switch (cmd.type) {
      case 'connect':
        await connect(session, cmd);
        break;
      case 'subscribe':
        await subscribe(session, cmd);
        break;
      case 'unsubscribe':
        unsubscribe(session, cmd.channel, cmd.id);
        break;
      case 'publish':
        await publish(session, cmd);
        break;
      case 'refresh':
        await refresh(session, cmd);
        break;
      case 'presence': {
        await requireReadable(session, cmd.channel);
        const { members, count } = await session.ctx.presenceMembers(session.org, cmd.channel);
        session.reply({ type: 'presence', channel: cmd.channel, members, count }, cmd.id);
        break;
      }
      case 'history':
        await history(session, cmd);
        break;
      case 'rpc': {
        const result = await session.ctx.rpc(session, cmd.method, cmd.params);
        session.reply({ type: 'result', result }, cmd.id);
        break;
      }
      case 'ping':
        session.reply({ type: 'pong' }, cmd.id);
        break;
      default: {
        const never: never = cmd;
        throw badRequest(`unknown command ${(never as { type: string }).type}`);
      }
    }
    return true;
  } catch (err) {
    const error = isHubcastError(err) ? err : (engineOutage(err) ?? internalError(session, err));
    if (session.state === 'closed') return error.code !== 'bad_request';
    session.reply(
      { type: 'error', code: error.code, message: error.message, ...error.details },
      cmd.id,
    );
    if (error.closeCode !== undefined) session.close(error.closeCode, error.message);
    return error.code !== 'bad_request';
  }
}

function requireSubscribeGrant(session: Session, pattern: string): void {
  const code = checkSubscribe(session.user, session.subscribeGrants, pattern);
  if (code !== undefined) throw new HubcastError(code, `not allowed to subscribe to '${pattern}'`);
}

/**
 * `history` and `presence` need what a subscription would: the grant, and for a room's channel
 * the membership (docs/chat.md). Answers the room, which then lets its events through.
 */
async function requireReadable(session: Session, pattern: string): Promise<string | undefined> {
  requireSubscribeGrant(session, pattern);
  const room = chatRoomOf(pattern);
  if (room !== undefined) await requireRoomMember(session, room);
  return room;
}

async function publish(session: Session, cmd: PublishCommand): Promise<void> {
  const { ctx } = session;
  // Before the log: a refused event takes no sequence number (PROTOCOL.md §9).
  if (jsonDepthExceeds(cmd.data, ctx.config.maxDataDepth))
    throw badRequest(`'data' nests deeper than ${ctx.config.maxDataDepth} levels`);
  const code = checkPublish(session.publishGrants, cmd.channel);
  if (code !== undefined)
    throw new HubcastError(code, `not allowed to publish to '${cmd.channel}'`);
  if (ctx.isDraining()) throw unavailable('server is draining; publish again after reconnecting');
  if (cmd.ephemeral === true) {
    // Live only (docs/ephemeral.md): no log, so no cursor and never a duplicate.
    const eventId = await ctx.publishEphemeral(
      session.org,
      session.user,
      cmd.channel,
      cmd.data,
      cmd.echo === false ? session.id : undefined,
    );
    session.reply(
      { type: 'published', event_id: eventId, duplicate: false, ephemeral: true },
      cmd.id,
    );
    return;
  }
  const [result] = await ctx.trackInFlight(
    ctx.publish(
      session.org,
      session.user,
      [
        {
          channel: cmd.channel,
          data: cmd.data,
          from: session.user,
          ...(cmd.key === undefined ? {} : { key: cmd.key }),
        },
      ],
      cmd.echo === false ? session.id : undefined,
    ),
  );
  if (result === undefined) throw new HubcastError('internal', 'publish returned nothing');
  session.reply(
    {
      type: 'published',
      event_id: result.event.eventId,
      cursor: result.event.cursor,
      duplicate: result.duplicate,
    },
    cmd.id,
  );
}

async function refresh(session: Session, cmd: RefreshCommand): Promise<void> {
  const claims = await session.ctx.verifyToken(cmd.token);
  if (claims.user !== session.user || claims.org !== session.org)
    throw unauthorized('token is for another user or org');
  if (session.state === 'closed') return;
  session.subscribeGrants = claims.subscribe;
  session.publishGrants = claims.publish;
  // Info the client set itself (`presence.setInfo`) outlives a refresh: the token's claim is
  // only the initial value (docs/presence.md "Info updates").
  if (!session.infoSetByClient) session.info = claims.info;
  session.expiresAt = claims.expiresAt;
  for (const sub of [...session.subscriptions.values()]) {
    if (checkSubscribe(session.user, claims.subscribe, sub.pattern) === undefined) continue;
    session.subscriptions.delete(sub.pattern);
    session.dropSubscription(sub);
    session.push({ type: 'unsubscribed', channel: sub.pattern, reason: 'forbidden' });
  }
  session.reply({ type: 'refreshed', expires_at: claims.expiresAt }, cmd.id);
}

/**
 * A page fits the send queue: the log cuts it at half the queue bound, and the reply waits for
 * the socket to hold at most the other half, so a history read never closes the connection
 * with 4001. A single event larger than half the bound comes alone, once the socket has room
 * for it; one larger than the whole bound cannot come over this connection at all: `too_large`,
 * with the cursor that goes on past it.
 */
async function history(session: Session, cmd: HistoryCommand): Promise<void> {
  const room = await requireReadable(session, cmd.channel);
  const { log, config } = session.ctx;
  const user = session.user;
  const page = await readHistory(log, session.org, {
    pattern: cmd.channel,
    after: cmd.after,
    before: cmd.before,
    limit: cmd.limit ?? HISTORY_LIMIT_DEFAULT,
    canSee: (channel) => canReceive(user, channel, room),
    maxBytes: Math.floor(config.maxQueueBytes / 2),
  });
  const reply: HistoryReply = {
    type: 'history',
    events: page.events.map(toWireEvent),
    more: page.more,
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
  if (await session.replyWhenRoom(reply, cmd.id)) return;
  const [lone, ...others] = page.events;
  // Only a lone event passes half the bound; a page of several is cut within it.
  if (lone === undefined || others.length > 0)
    throw new HubcastError('internal', 'a history page passed its byte budget');
  throw tooLarge(
    `event ${lone.eventId} is larger than this connection's send queue ` +
      `(${config.maxQueueBytes} bytes); GET /api/history can read it`,
    { details: { cursor: lone.cursor } },
  );
}
