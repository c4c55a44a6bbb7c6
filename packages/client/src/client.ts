/**
 * HubcastClient: one logical connection that outlives its sockets. It resumes from its
 * cursor, re-subscribes inside `connect`, refreshes its token, queues publishes while offline
 * and follows the close-code table of docs/protocol.md §7. This file holds its public commands;
 * the connection's life is in client-lifecycle.ts.
 */
import {
  badRequest,
  explainBadName,
  unavailable,
  type HistoryCommand,
  type JsonValue,
  type PublishCommand,
} from '@hubcast/protocol';
import { ClientLifecycle } from './client-lifecycle.js';
import type {
  EphemeralPublishResult,
  HistoryPage,
  PresenceSnapshot,
  PublishResult,
} from './events.js';
import { Notifications } from './notifications.js';
import type { CommandOf, CommandType, ReplyFor } from './pending-commands.js';
import type { PublishOptions } from './publisher.js';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription.js';

export interface HistoryOptions {
  after?: string;
  before?: string;
  limit?: number;
}

export class HubcastClient extends ClientLifecycle {
  private notificationsHelper: Notifications | undefined;

  /** Starts connecting (and reconnecting); resolves when connected, rejects if the client stops first. */
  connect(): Promise<void> {
    if (this.state === 'connected') return Promise.resolve();
    const ready = this.waiters.wait(0);
    // `void client.connect()` is common: a stop it never awaited must not crash Node with an
    // unhandled rejection (the `disconnected` and `error` events report it anyway).
    ready.catch(() => undefined);
    if (this.state === 'disconnected') {
      this.reconnector.resetAttempts();
      this.machine.transition('connecting', 'connect() called');
      void this.openConnection();
    }
    return ready;
  }

  /** Closes and stops reconnecting; pending and queued commands are rejected. */
  disconnect(): void {
    if (this.state !== 'disconnected') this.stop(1000, 'disconnect() called', undefined);
  }

  /** Calls `handler` for each event whose channel `pattern` matches; fine while offline. */
  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions = {}): Subscription {
    return this.subscriber.subscribe(pattern, handler, options);
  }

  /** Publishes now, or after the next `connected` when offline (bounded queue, oldest dropped). */
  publish(channel: string, data: unknown, options: PublishOptions = {}): Promise<PublishResult> {
    return this.publisher.publish(channel, data, options);
  }

  /**
   * Publishes an ephemeral event (docs/ephemeral.md): fanned out live to whoever is subscribed,
   * never logged, so never replayed and without a cursor. Not queued while offline and not
   * sent again after a reconnect (a stale cursor position or typing state is worse than none):
   * it waits through `connecting` like any command, then fails with `unavailable`.
   */
  async publishEphemeral(channel: string, data: unknown): Promise<EphemeralPublishResult> {
    const why = explainBadName(channel, false);
    if (why !== undefined) throw badRequest(`'channel' ${why}`);
    if (data === undefined) throw badRequest("'data' is required (null for none)");
    const command: PublishCommand = {
      type: 'publish',
      channel,
      data: data as JsonValue,
      ephemeral: true,
    };
    if (!this.options.echo) command.echo = false;
    const reply = await this.command(command);
    return { event_id: reply.event_id };
  }

  /**
   * Stored events of a channel or pattern, oldest first (docs/protocol.md §4 `history`). While
   * `more`, the next page is `history(channel, { before: page.cursor })`, or `{ after:
   * page.cursor }` when reading forward with `after`; a page may hold no events and still
   * have more (the server examines a bounded part of the log per call).
   */
  async history(channel: string, options: HistoryOptions = {}): Promise<HistoryPage> {
    const command: HistoryCommand = { type: 'history', channel };
    if (options.after !== undefined) command.after = options.after;
    if (options.before !== undefined) command.before = options.before;
    if (options.limit !== undefined) command.limit = options.limit;
    const reply = await this.command(command);
    return {
      events: reply.events,
      more: reply.more,
      ...(reply.cursor === undefined ? {} : { cursor: reply.cursor }),
    };
  }

  /** Who is subscribed to exactly `channel`. */
  async presence(channel: string): Promise<PresenceSnapshot> {
    const reply = await this.command({ type: 'presence', channel });
    return {
      channel: reply.channel,
      members: reply.members,
      ...(reply.count === undefined ? {} : { count: reply.count }),
    };
  }

  /** Calls a service method (e.g. `notifications.list`). */
  async rpc(method: string, params?: JsonValue): Promise<JsonValue> {
    const reply = await this.command({
      type: 'rpc',
      method,
      ...(params === undefined ? {} : { params }),
    });
    return reply.result;
  }

  /** The session user's notification inbox (docs/protocol.md §10), created on first use. */
  get notifications(): Notifications {
    return (this.notificationsHelper ??= new Notifications(this));
  }

  /** Round trip to the server. */
  async ping(): Promise<{ rttMs: number }> {
    const startedMs = Date.now();
    await this.command({ type: 'ping' });
    return { rttMs: Date.now() - startedMs };
  }

  /** A user-facing command: waits through `connecting`, fails at once when disconnected. */
  private async command<T extends CommandType>(command: CommandOf<T>): Promise<ReplyFor[T]> {
    if (this.state === 'disconnected') throw unavailable('not connected: call connect() first');
    if (!this.commands.isOpen) await this.waiters.wait(this.options.commandTimeoutMs);
    return this.commands.request(command);
  }
}
