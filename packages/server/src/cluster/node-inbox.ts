/**
 * What a node does with each broker message (STYLE rule 6: one exhaustive switch): events go to
 * fan-out in log order, ephemeral events straight to fan-out, presence changes to the channel's watchers, cluster questions get this
 * node's answer. The broker path and the local path are this one algorithm.
 */
import { CLOSE_CODES } from '@hubcast/protocol';
import type { Logger } from 'pino';
import type { AdminConsole } from '../admin/admin-console.js';
import type { Broker, BrokerHandler, ClusterAnswer } from '../broker/broker.js';
import type { EphemeralEvent } from '../ephemeral/ephemeral-event.js';
import type { LogOrder } from '../fanout/log-order.js';
import type { Hub } from '../hub/hub.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Session, Subscription } from '../session/session.js';
import type { ClusterCalls } from './cluster-calls.js';

export interface NodeInboxDeps {
  hub: Hub<Subscription>;
  sessions: ReadonlySet<Session>;
  logOrder: LogOrder;
  /** Fan-out of one ephemeral event to this node's subscribers (no log, no order check). */
  deliverEphemeral: (event: EphemeralEvent, skipSession: string | undefined) => void;
  clusterCalls: ClusterCalls;
  broker: Broker;
  metrics: Metrics;
  logger: Logger;
  /** Answers the admin console's questions (admin/admin-console.ts). */
  admin: Pick<AdminConsole, 'answer'>;
}

/** The node's counts for `/api/stats` (of one org, or of all). */
export function localStats(
  sessions: ReadonlySet<Session>,
  metrics: Metrics,
  org: string | undefined,
): NonNullable<ClusterAnswer['stats']> {
  let connections = 0;
  let subscriptions = 0;
  for (const s of sessions) {
    if (s.state !== 'live' || (org !== undefined && s.org !== org)) continue;
    connections++;
    subscriptions += s.subscriptions.size;
  }
  return { connections, subscriptions, events_per_second: metrics.eventsPerSecond(org) };
}

/** Closes the user's live connections on this node with 4502; answers how many. */
function closeUser(
  sessions: ReadonlySet<Session>,
  org: string,
  user: string,
  reason: string,
): number {
  let closed = 0;
  for (const s of sessions)
    if (s.org === org && s.user === user && s.state === 'live') {
      s.close(CLOSE_CODES.forbidden.code, reason);
      closed++;
    }
  return closed;
}

export function createNodeInbox(deps: NodeInboxDeps): BrokerHandler {
  const { hub, sessions, logOrder, deliverEphemeral, clusterCalls, broker, metrics, logger } = deps;
  return (msg) => {
    switch (msg.kind) {
      case 'events':
        logOrder.accept(msg.events, msg.skipSession);
        break;
      case 'ephemeral':
        deliverEphemeral(msg.event, msg.skipSession);
        break;
      case 'lost':
        void logOrder.resync();
        break;
      case 'presence': {
        const watchers = hub.watchersOf(msg.org, msg.channel);
        if (watchers === undefined) break;
        const text = Buffer.from(
          JSON.stringify({
            type: msg.change === 'leave' ? 'leave' : 'join',
            channel: msg.channel,
            user: msg.user,
            ...(msg.info === undefined ? {} : { info: msg.info }),
            ...(msg.change === 'update' ? { update: true } : {}),
          }),
        );
        for (const sub of watchers) if (sub.session.id !== msg.session) sub.session.enqueue(text);
        break;
      }
      case 'question': {
        const q = msg.question;
        const base = { kind: 'answer', id: msg.id, to: msg.from } as const;
        const answer: ClusterAnswer =
          q.op === 'disconnect'
            ? { ...base, closed: closeUser(sessions, msg.org, q.user, q.reason) }
            : q.op === 'stats'
              ? { ...base, stats: localStats(sessions, metrics, q.all ? undefined : msg.org) }
              : { ...base, ...deps.admin.answer(q, msg.org) };
        broker
          .publish(answer)
          .catch((err: unknown) => logger.warn({ err }, 'cluster answer not sent'));
        break;
      }
      case 'answer':
        clusterCalls.receive(msg);
        break;
      default: {
        const never: never = msg;
        logger.warn({ msg: never }, 'unknown broker message');
      }
    }
  };
}
