/**
 * The handshake (PROTOCOL.md §4 `connect`): the token verified, the connection slots taken,
 * then the session live with its subscriptions and resume, and the `connected` reply.
 */
import {
  CLOSE_CODES,
  HubcastError,
  badRequest,
  isHubcastError,
  unauthorized,
  unavailable,
  type ConnectCommand,
  type RejectedSubscription,
} from '@hubcast/protocol';
import { engineOutage } from '../engine-error.js';
import { internalError } from './internal-error.js';
import { replayMissed } from './replay.js';
import { refusedRooms } from './room-gate.js';
import type { Session, Subscription } from './session.js';
import { admit, enterPresence, newSubscription } from './subscription-commands.js';

/** `connect`: the only command before the session is live; a refusal closes the connection. */
export async function connect(session: Session, cmd: ConnectCommand): Promise<void> {
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
    const e = isHubcastError(err) ? err : (engineOutage(err) ?? internalError(session, err));
    throw new HubcastError(e.code, e.message, { closeCode: TRY_AGAIN_LATER, details: e.details });
  }
}

/** The cluster's user slot; an outage of its engine is worth a retry (1013), as in goLive. */
async function admitInCluster(session: Session): Promise<HubcastError | undefined> {
  try {
    return await session.ctx.admitInCluster(session);
  } catch (err) {
    const e = engineOutage(err) ?? internalError(session, err);
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
