/**
 * The client commands of PROTOCOL.md §4, one handler each, run by the session in order.
 * Each returns whether it succeeded (ten failed `bad_request`s in a row close the connection).
 */
import {
  CLOSE_CODES,
  HISTORY_LIMIT_DEFAULT,
  HubcastError,
  badRequest,
  chatRoomOf,
  explainBadName,
  forbidden,
  isHubcastError,
  jsonDepthExceeds,
  limitExceeded,
  matchPattern,
  notFound,
  tooLarge,
  unauthorized,
  unavailable,
  type ClientCommand,
  type ConnectCommand,
  type HistoryCommand,
  type HistoryReply,
  type PublishCommand,
  type RefreshCommand,
  type RejectedSubscription,
  type SubscribeCommand,
} from '@hubcast/protocol';
import { canReceive, checkPublish, checkSubscribe } from '../auth/grants.js';
import { engineOutage } from '../engine-error.js';
import { readHistory } from '../log/read-history.js';
import { toWireEvent } from './event-frame.js';
import { replayMissed } from './replay.js';
import { refusedRooms, requireRoomMember } from './room-gate.js';
import type { Session, Subscription } from './session.js';

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
    const error = isHubcastError(err) ? err : (engineOutage(err) ?? internal(session, err));
    if (session.state === 'closed') return error.code !== 'bad_request';
    session.reply(
      { type: 'error', code: error.code, message: error.message, ...error.details },
      cmd.id,
    );
    if (error.closeCode !== undefined) session.close(error.closeCode, error.message);
    return error.code !== 'bad_request';
  }
}

function internal(session: Session, err: unknown): HubcastError {
  session.ctx.logger.error({ err, session: session.id }, 'command failed');
  return new HubcastError('internal', 'internal error');
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

function newSubscription(session: Session, pattern: string): Subscription {
  return {
    session,
    pattern,
    room: chatRoomOf(pattern),
    presence: false,
    fromSeq: Number.MAX_SAFE_INTEGER,
  };
}

async function connect(session: Session, cmd: ConnectCommand): Promise<void> {
  const { ctx } = session;
  if (session.state !== 'awaiting_auth') throw badRequest('already connected');
  let claims;
  try {
    if (cmd.token === '') throw unauthorized('token is missing');
    claims = await ctx.verifyToken(cmd.token);
  } catch (err) {
    const e = isHubcastError(err) ? err : unauthorized('token is invalid');
    throw new HubcastError('unauthorized', e.message, { closeCode: CLOSE_CODES.unauthorized.code });
  }
  if (session.state !== 'awaiting_auth') return;
  if (ctx.isDraining())
    throw unavailable('server is draining', { closeCode: CLOSE_CODES.shutdown.code });
  session.user = claims.user;
  session.org = claims.org;
  session.subscribeGrants = claims.subscribe;
  session.publishGrants = claims.publish;
  session.info = claims.info;
  session.infoAtMs = Date.now();
  session.device = cmd.client?.device;
  session.expiresAt = claims.expiresAt;
  const refused = ctx.admit(session) ?? (await admitInCluster(session));
  if (refused !== undefined) throw refused;
  // Closed while the cluster answered: the close released the slots.
  if (session.state !== 'awaiting_auth') return;
  session.transition('live', 'connect');
  try {
    await goLive(session, cmd);
  } catch (err) {
    // No half-connected session: the close that follows the error reply drops the
    // subscriptions and the user slot. An engine outage is worth a retry (1013).
    if (isHubcastError(err) && err.closeCode !== undefined) throw err;
    const e = isHubcastError(err) ? err : (engineOutage(err) ?? internal(session, err));
    throw new HubcastError(e.code, e.message, { closeCode: TRY_AGAIN_LATER, details: e.details });
  }
}

/** The cluster's user slot; an outage of its engine is worth a retry (1013), as in goLive. */
async function admitInCluster(session: Session): Promise<HubcastError | undefined> {
  try {
    return await session.ctx.admitInCluster(session);
  } catch (err) {
    const e = engineOutage(err) ?? internal(session, err);
    return new HubcastError(e.code, e.message, { closeCode: TRY_AGAIN_LATER });
  }
}

/**
 * RFC 6455's "Try Again Later": outside PROTOCOL.md §7's table, so clients reconnect with
 * backoff, which is right for a connect the node could not serve (its log was away).
 */
const TRY_AGAIN_LATER = 1013;

/** The rest of `connect` once the session is live: subscriptions, resume, the reply. */
async function goLive(session: Session, cmd: ConnectCommand): Promise<void> {
  const { ctx } = session;
  let accepted: Subscription[] = [];
  // With the index each came at, so rooms refused later keep the order given (§4).
  const rejected: (RejectedSubscription & { at: number })[] = [];
  for (const [at, pattern] of (cmd.subscriptions ?? []).entries()) {
    const code = admit(session, pattern);
    if (code !== undefined) {
      rejected.push({ channel: pattern, code, at });
      continue;
    }
    if (session.subscriptions.has(pattern)) continue;
    const sub = newSubscription(session, pattern);
    session.subscriptions.set(pattern, sub);
    accepted.push(sub);
  }
  session.beginReplay();
  try {
    for (const sub of accepted) ctx.hub.add(session.org, sub.pattern, sub);
    const refused = await refusedRooms(session, accepted);
    if (refused.size > 0) {
      const order = cmd.subscriptions ?? [];
      for (const sub of refused) {
        if (session.subscriptions.get(sub.pattern) === sub) {
          session.subscriptions.delete(sub.pattern);
          ctx.hub.delete(session.org, sub.pattern, sub);
        }
        rejected.push({ channel: sub.pattern, code: 'forbidden', at: order.indexOf(sub.pattern) });
      }
      rejected.sort((a, b) => a.at - b.at);
      accepted = accepted.filter((sub) => !refused.has(sub));
    }
    // Presence only once the room is confirmed: a refused stranger must not show as a `join`.
    for (const sub of accepted) enterPresence(session, sub);
    const result = await replayMissed(session, accepted, cmd.cursor, () => true);
    session.reply(
      {
        type: 'connected',
        session: session.id,
        user: session.user,
        org: session.org,
        expires_at: session.expiresAt,
        ping_interval: ctx.config.pingInterval,
        cursor: ctx.log.cursorOf(session.org, result.headSeq),
        subscriptions: accepted.map((s) => s.pattern),
        rejected: rejected.map(({ channel, code }) => ({ channel, code })),
        ...(cmd.cursor === undefined ? {} : { resumed: result.resumed }),
      },
      cmd.id,
    );
    // A random phase (the first ping comes 0.5-1 interval after connect) spreads the
    // heartbeat: connections made together would otherwise be pinged together, one write
    // each, in a burst that delays events for everyone.
    session.lastPingMs = Date.now() - Math.random() * ctx.config.pingInterval * 500;
  } finally {
    session.endReplay();
  }
}

/** Why a pattern cannot be subscribed now, or undefined. */
function admit(session: Session, pattern: string): RejectedSubscription['code'] | undefined {
  if (explainBadName(pattern, true) !== undefined) return 'bad_request';
  const code = checkSubscribe(session.user, session.subscribeGrants, pattern);
  if (code !== undefined) return code;
  if (
    !session.subscriptions.has(pattern) &&
    session.subscriptions.size >= session.ctx.config.maxSubscriptions
  )
    return 'limit_exceeded';
  return undefined;
}

function enterPresence(session: Session, sub: Subscription): void {
  if (isConcrete(sub.pattern)) session.ctx.presenceEnter(session, sub.pattern);
}

const isConcrete = (p: string): boolean => !p.includes('*') && !p.includes('>');

/** `presence: true`: this subscription gets `join`/`leave` of its (concrete) channel. */
function watchPresence(session: Session, sub: Subscription): void {
  if (sub.presence) return;
  sub.presence = true;
  if (isConcrete(sub.pattern)) session.ctx.hub.watch(session.org, sub.pattern, sub);
}

async function subscribe(session: Session, cmd: SubscribeCommand): Promise<void> {
  const { ctx } = session;
  const code = admit(session, cmd.channel);
  if (code === 'limit_exceeded')
    throw limitExceeded(`at most ${ctx.config.maxSubscriptions} subscriptions`);
  if (code !== undefined)
    throw new HubcastError(code, `not allowed to subscribe to '${cmd.channel}'`);
  const existing = session.subscriptions.get(cmd.channel);
  if (existing !== undefined && cmd.cursor === undefined) {
    if (cmd.presence === true) watchPresence(session, existing);
    const head = await ctx.log.headSeq(session.org);
    session.reply(
      { type: 'subscribed', channel: cmd.channel, cursor: ctx.log.cursorOf(session.org, head) },
      cmd.id,
    );
    return;
  }
  const others = [...session.subscriptions.values()].filter((s) => s.pattern !== cmd.channel);
  const sub: Subscription = existing ?? newSubscription(session, cmd.channel);
  session.beginReplay();
  let added = false;
  try {
    if (existing === undefined) {
      session.subscriptions.set(cmd.channel, sub);
      ctx.hub.add(session.org, sub.pattern, sub);
      added = true;
      // After the hub entry (room-gate.ts says why); a stranger never enters presence.
      if ((await refusedRooms(session, [sub])).size > 0)
        throw forbidden(`not a member of room '${sub.room ?? ''}'`);
      enterPresence(session, sub);
    }
    if (cmd.presence === true) watchPresence(session, sub);
    // Replay only what no other subscription of this connection already delivered (§4): a
    // broad pattern that matches a room's channel never delivered its events.
    const user = session.user;
    const notElsewhere = (channel: string): boolean =>
      !others.some((o) => matchPattern(o.pattern, channel) && canReceive(user, channel, o.room));
    const result = await replayMissed(session, [sub], cmd.cursor, notElsewhere);
    // A leave delivered meanwhile ended it (room-gate.ts).
    if (sub.room !== undefined && session.subscriptions.get(cmd.channel) !== sub)
      throw forbidden(`not a member of room '${sub.room}'`);
    session.reply(
      {
        type: 'subscribed',
        channel: cmd.channel,
        cursor: ctx.log.cursorOf(session.org, result.headSeq),
        ...(cmd.cursor === undefined ? {} : { resumed: result.resumed }),
      },
      cmd.id,
    );
    added = false;
  } finally {
    // A subscribe that failed (its log read) leaves no subscription behind: the client was
    // told it has none, so none may deliver.
    if (added && session.subscriptions.get(cmd.channel) === sub) {
      session.subscriptions.delete(cmd.channel);
      session.dropSubscription(sub);
    } else if (added) ctx.hub.delete(session.org, sub.pattern, sub);
    session.endReplay();
  }
}

function unsubscribe(session: Session, pattern: string, id: number | undefined): void {
  const sub = session.subscriptions.get(pattern);
  if (sub === undefined) throw notFound(`not subscribed to '${pattern}'`);
  session.subscriptions.delete(pattern);
  session.dropSubscription(sub);
  session.reply({ type: 'unsubscribed', channel: pattern }, id);
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
