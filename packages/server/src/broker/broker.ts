/**
 * Carries appended events and cluster-wide notices to every node (ARCHITECTURE.md "broker").
 *
 * Contract: messages of one org reach every subscribed node in publish order; events are
 * published only after `EventLog.append` resolved, so a node never sees an event the log
 * does not hold. Handlers run synchronously and must not throw.
 */
import type { JsonValue } from '@hubcast/protocol';
import type { NodeChannels, NodeSeries } from '../admin/admin-types.js';
import type { EphemeralEvent } from '../ephemeral/ephemeral-event.js';
import type { LogEvent } from '../log/log.js';

export type BrokerMessage =
  | {
      /**
       * The events of one append, of one org, in log order: a burst travels as one message
       * and fans out in one pass per channel (issue 3, M4).
       */
      kind: 'events';
      events: readonly LogEvent[];
      /** Session id that asked not to get its own publish back (`echo: false`). */
      skipSession?: string;
    }
  | {
      /**
       * One ephemeral event (docs/ephemeral.md): no seq, never in the log, so it goes straight
       * to fan-out and never through the log-order gap check. At most once, like all pub/sub.
       */
      kind: 'ephemeral';
      event: EphemeralEvent;
      /** Session id that asked not to get its own publish back (`echo: false`). */
      skipSession?: string;
    }
  | {
      kind: 'presence';
      org: string;
      channel: string;
      /** `update`: a present user's info changed (pushed as `join` with `update: true`). */
      change: 'join' | 'leave' | 'update';
      user: string;
      info?: JsonValue;
      /** The connection that entered: it never gets its own `join`. */
      session?: string;
    }
  | ClusterQuestion
  | ClusterAnswer
  | {
      /**
       * Not published by anyone: the broker itself says it may have dropped messages (its
       * connection was lost and is back). Redis pub/sub is at-most-once, so the node checks
       * each org's log for events it never received (fanout/log-order.ts).
       */
      kind: 'lost';
    };

/** A question every node answers (cluster/cluster-calls.ts), sent on the org's channel. */
export interface ClusterQuestion {
  kind: 'question';
  id: string;
  /** The asking node: answers go to it alone. */
  from: string;
  org: string;
  question:
    | { op: 'disconnect'; user: string; reason: string }
    /** `all`: every org (an admin key without `org`); `org` names the channel it travels on. */
    | { op: 'stats'; all: boolean }
    /** The admin console (admin/admin-console.ts): samples after `since_ms`, channels of the org. */
    | { op: 'admin_series'; since_ms: number }
    | { op: 'admin_channels'; max: number };
}

/** One node's answer, sent to the asking node only. */
export interface ClusterAnswer {
  kind: 'answer';
  id: string;
  /** The asking node. */
  to: string;
  /** Connections this node closed (`disconnect`). */
  closed?: number;
  /** This node's counts (`stats`). */
  stats?: { connections: number; subscriptions: number; events_per_second: number };
  /** This node's samples (`admin_series`). */
  series?: NodeSeries;
  /** This node's subscriptions by pattern (`admin_channels`). */
  channels?: NodeChannels;
}

/** Where a message came from. */
export interface BrokerOrigin {
  /** The publishing node's id (the local node's own for its own messages). */
  node: string;
}

export type BrokerHandler = (message: BrokerMessage, origin: BrokerOrigin) => void;

export interface Broker {
  start(handler: BrokerHandler): Promise<void>;
  /**
   * Resolves with the number of nodes the message reached (a `question` waits for that many
   * answers); an `answer` goes to its `to` node only. Rejects when the message cannot be handed
   * on (`EngineUnavailableError`).
   */
  publish(message: BrokerMessage): Promise<number>;
  /** Resolves when the broker can carry messages now; rejects with an `EngineUnavailableError`. */
  check(): Promise<void>;
  close(): Promise<void>;
}
