/**
 * The subscription commands of PROTOCOL.md §4, `subscribe` and `unsubscribe`, and what
 * `connect` shares with them: whether a pattern may be subscribed, a new subscription, and
 * entering presence.
 */
import {
  HubcastError,
  chatRoomOf,
  explainBadName,
  forbidden,
  limitExceeded,
  matchPattern,
  notFound,
  type RejectedSubscription,
  type SubscribeCommand,
} from '@hubcast/protocol';
import { canReceive, checkSubscribe } from '../auth/grants.js';
import { replayMissed } from './replay.js';
import { refusedRooms } from './room-gate.js';
import type { Session, Subscription } from './session.js';

/** A subscription not live yet: live events wait until its replay sets `fromSeq`. */
export function newSubscription(session: Session, pattern: string): Subscription {
  return {
    session,
    pattern,
    room: chatRoomOf(pattern),
    presence: false,
    fromSeq: Number.MAX_SAFE_INTEGER,
  };
}

/** Why a pattern cannot be subscribed now, or undefined. */
export function admit(session: Session, pattern: string): RejectedSubscription['code'] | undefined {
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

/** A concrete channel's subscriber enters its presence; a pattern's does not. */
export function enterPresence(session: Session, sub: Subscription): void {
  if (isConcrete(sub.pattern)) session.ctx.presenceEnter(session, sub.pattern);
}

const isConcrete = (p: string): boolean => !p.includes('*') && !p.includes('>');

/** `presence: true`: this subscription gets `join`/`leave` of its (concrete) channel. */
function watchPresence(session: Session, sub: Subscription): void {
  if (sub.presence) return;
  sub.presence = true;
  if (isConcrete(sub.pattern)) session.ctx.hub.watch(session.org, sub.pattern, sub);
}

/** `subscribe`: admitted, put in the hub, room checked, presence entered, missed events replayed. */
export async function subscribe(session: Session, cmd: SubscribeCommand): Promise<void> {
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

/** `unsubscribe`: `not_found` when the connection has no such subscription. */
export function unsubscribe(session: Session, pattern: string, id: number | undefined): void {
  const sub = session.subscriptions.get(pattern);
  if (sub === undefined) throw notFound(`not subscribed to '${pattern}'`);
  session.subscriptions.delete(pattern);
  session.dropSubscription(sub);
  session.reply({ type: 'unsubscribed', channel: pattern }, id);
}
