/**
 * Publishing with an idempotency key, and the offline queue: publishes made while not
 * connected wait for the next `connected`; one cut off by a reconnect is sent again with the
 * same key, so it is stored once (docs/protocol.md §2.4).
 */
import {
  badRequest,
  explainBadName,
  limitExceeded,
  HubcastError,
  type JsonValue,
  type PublishCommand,
} from '@hubcast/protocol';
import type { CommandChannel } from './command-channel.js';
import type { PublishResult } from './events.js';
import { randomKey } from './idempotency-key.js';
import { OfflineQueue } from './offline-queue.js';

export interface PublishOptions {
  /** Idempotency key; default a random one, kept across retries after a reconnect. */
  key?: string;
}

interface QueuedPublish {
  command: PublishCommand;
  resolve(result: PublishResult): void;
  reject(error: HubcastError): void;
}

export class Publisher {
  private readonly queue: OfflineQueue<QueuedPublish>;

  constructor(
    private readonly commands: CommandChannel,
    private readonly echo: boolean,
    offlineQueueSize: number,
  ) {
    this.queue = new OfflineQueue(offlineQueueSize);
  }

  publish(channel: string, data: unknown, options: PublishOptions): Promise<PublishResult> {
    const why = explainBadName(channel, false);
    if (why !== undefined) return Promise.reject(badRequest(`'channel' ${why}`));
    if (data === undefined) return Promise.reject(badRequest("'data' is required (null for none)"));
    const key = options.key ?? randomKey();
    // `data` is JSON-encoded as given; what JSON cannot encode is refused when sent.
    const command: PublishCommand = { type: 'publish', channel, data: data as JsonValue, key };
    if (!this.echo) command.echo = false;
    return new Promise((resolve, reject) => {
      const item: QueuedPublish = { command, resolve, reject };
      if (this.commands.isOpen) return this.send(item);
      const dropped = this.queue.push(item);
      dropped?.reject(
        limitExceeded(
          `offline queue full (offlineQueueSize ${this.queue.capacity}): ` +
            `dropped the oldest publish, to '${dropped.command.channel}'`,
        ),
      );
    });
  }

  /** Sends what was queued, oldest first (after `connected`). */
  flush(): void {
    for (const item of this.queue.drain()) this.send(item);
  }

  /** Rejects every queued publish (the client stopped). */
  rejectQueued(error: HubcastError): void {
    for (const item of this.queue.drain()) item.reject(error);
  }

  private send(item: QueuedPublish): void {
    this.commands.request(item.command, { onLost: () => this.queue.unshift(item) }).then(
      (reply) =>
        // A publish without `ephemeral` is logged, so its reply has a cursor.
        reply.ephemeral === true
          ? item.reject(new HubcastError('internal', 'a logged publish was answered as ephemeral'))
          : item.resolve({
              event_id: reply.event_id,
              cursor: reply.cursor,
              duplicate: reply.duplicate,
            }),
      (error: unknown) =>
        item.reject(
          error instanceof HubcastError
            ? error
            : new HubcastError('internal', 'publish failed', { cause: error }),
        ),
    );
  }
}
