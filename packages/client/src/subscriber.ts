/**
 * The command side of subscriptions: `subscribe`/`unsubscribe` on the wire, and bringing every
 * pattern back after `connected`. The registry keeps the books and routes events.
 */
import {
  HubcastError,
  badRequest,
  explainBadName,
  type ConnectedReply,
  type SubscribeCommand,
} from '@hubcast/protocol';
import type { CommandChannel } from './command-channel.js';
import type { ErrorContext } from './events.js';
import type { PatternGroup, SubscriptionRegistry } from './subscription-registry.js';
import { Subscription, type EventHandler, type SubscribeOptions } from './subscription.js';

export interface SubscriberHooks {
  emitError(ctx: ErrorContext): void;
  reportError(error: unknown, channel: string, where: string): void;
  /** Gives up on the current socket (a `subscribe` got no reply). */
  abortConnection(reason: string): void;
}

const noop = (): void => {};

export class Subscriber {
  constructor(
    private readonly registry: SubscriptionRegistry,
    private readonly commands: CommandChannel,
    private readonly commandTimeoutMs: number,
    private readonly hooks: SubscriberHooks,
  ) {}

  subscribe(pattern: string, handler: EventHandler, options: SubscribeOptions): Subscription {
    const why = explainBadName(pattern, true);
    if (why !== undefined) throw badRequest(`'pattern' ${why}`);
    const sub = new Subscription(pattern, handler, options.presence === true, {
      detach: (s) => this.detach(s),
      reportError: (error, channel, where) => this.hooks.reportError(error, channel, where),
    });
    const { group, mustSubscribe } = this.registry.add(sub, options.cursor);
    if (mustSubscribe && this.commands.isOpen) this.send(group);
    return sub;
  }

  /** After `connected`: applies the accepted and rejected patterns, asks for the rest. */
  resubscribe(reply: ConnectedReply): void {
    const resumed = reply.resumed === undefined ? {} : { resumed: reply.resumed };
    this.registry.applyConnected(reply.subscriptions, reply.rejected, {
      cursor: reply.cursor,
      ...resumed,
    });
    for (const r of reply.rejected) {
      const error = new HubcastError(r.code, `subscription to '${r.channel}' refused: ${r.code}`);
      this.hooks.emitError({ error, channel: r.channel });
    }
    if (!this.commands.isOpen) return; // a listener disconnected
    for (const group of this.registry.needingSubscribe()) this.send(group);
  }

  private send(group: PatternGroup): void {
    const command: SubscribeCommand = { type: 'subscribe', channel: group.pattern };
    if (group.cursor !== undefined) command.cursor = group.cursor;
    if (group.presence) command.presence = true;
    this.registry.markPending(group, command.cursor !== undefined);
    const isCurrent = (): boolean => this.registry.get(group.pattern) === group;
    const timeoutMs = this.commandTimeoutMs;
    this.commands
      .request(command, {
        onLost: noop, // the registry puts every pattern back on connection loss
        // A server that does not answer a subscribe is not healthy: start over.
        onTimeout: () => this.hooks.abortConnection(`no 'subscribed' within ${timeoutMs} ms`),
      })
      .then(
        (reply) => {
          const resumed = reply.resumed === undefined ? {} : { resumed: reply.resumed };
          if (isCurrent())
            this.registry.markLive(group, {
              channel: reply.channel,
              cursor: reply.cursor,
              ...resumed,
            });
        },
        (cause: unknown) => {
          if (!isCurrent()) return;
          const error =
            cause instanceof HubcastError
              ? cause
              : new HubcastError('internal', 'subscribe failed', { cause });
          this.registry.fail(group, error);
          this.hooks.emitError({ error, channel: group.pattern });
        },
      );
  }

  private detach(sub: Subscription): void {
    const group = this.registry.remove(sub);
    if (group === undefined || group.serverState === 'idle' || !this.commands.isOpen) return;
    // not_found and the like change nothing: the pattern is already forgotten locally.
    this.commands.request({ type: 'unsubscribe', channel: group.pattern }).catch(noop);
  }
}
