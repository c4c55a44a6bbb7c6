/**
 * Carries appended events and cluster-wide notices to every node (ARCHITECTURE.md "broker").
 *
 * Contract: messages of one org reach every subscribed node in publish order; events are
 * published only after `EventLog.append` resolved, so a node never sees an event the log
 * does not hold. Handlers run synchronously and must not throw.
 */
import type { JsonValue } from '@hubcast/protocol';
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
      kind: 'presence';
      org: string;
      channel: string;
      change: 'join' | 'leave';
      user: string;
      info?: JsonValue;
      /** The connection that entered: it never gets its own `join`. */
      session?: string;
    }
  | { kind: 'disconnect'; org: string; user: string; reason: string }
  | {
      /**
       * Not published by anyone: the broker itself says it may have dropped messages (its
       * connection was lost and is back). Redis pub/sub is at-most-once, so the node checks
       * each org's log for events it never received (fanout/log-order.ts).
       */
      kind: 'lost';
    };

/** Where a message came from. */
export interface BrokerOrigin {
  /** The publishing node's id (the local node's own for its own messages). */
  node: string;
}

export type BrokerHandler = (message: BrokerMessage, origin: BrokerOrigin) => void;

export interface Broker {
  start(handler: BrokerHandler): Promise<void>;
  /** Rejects when the message cannot be handed on (`EngineUnavailableError`). */
  publish(message: BrokerMessage): Promise<void>;
  /** Resolves when the broker can carry messages now; rejects with an `EngineUnavailableError`. */
  check(): Promise<void>;
  close(): Promise<void>;
}
